/* preemption.c — DefaultPreemption's PostFilter (kubernetes v1.31):
 *   pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go
 *     (PodEligibleToPreemptOthers, SelectVictimsOnNode, calculateNumCandidates,
 *      filterPodsWithPDBViolation)
 *   pkg/scheduler/framework/preemption/preemption.go
 *     (Preempt, findCandidates, nodesWherePreemptionMightHelp, DryRunPreemption,
 *      pickOneNodeForPreemption, prepareCandidate)
 *   pkg/scheduler/util/utils.go (MoreImportantPod, GetEarliestPodStartTime)
 *   pkg/controller/disruption/disruption.go (a PDB's disruptionsAllowed)
 *
 * Simplifications, each documented in docs/ARCHITECTURE.md: the dry run is sequential from
 * upstream's random offset (upstream runs it in parallel and keeps whichever candidates finish
 * first); among candidates tied on every criterion the first found wins (upstream: Go map
 * order); a PDB's disruptionsAllowed is computed when preemption needs it, not by a
 * controller's sync; victims are deleted through the API server at once (no waiting pods).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"
#include "scheduler.h"
#include "world.h"

static ks_mem_id mem_pre;

/* defaultpreemption args: MinCandidateNodesPercentage 10, MinCandidateNodesAbsolute 100
 * (pkg/scheduler/apis/config/v1/defaults.go SetDefaults_DefaultPreemptionArgs). */
#define MIN_CANDIDATE_NODES_PERCENTAGE 10
#define MIN_CANDIDATE_NODES_ABSOLUTE 100

typedef struct candidate {
    uint32_t node;
    uint32_t *victims;
    size_t nvictims;
    int64_t pdb_violations;
} candidate;

/* GetPodStartTime: status.startTime (set when the kubelet first sees the pod), else now. */
static ks_time start_time(const ks_pod *p, ks_time now) { return p->kubelet_seen != KS_NEVER ? p->kubelet_seen : now; }

/* MoreImportantPod: higher priority, then the earlier start. */
static bool more_important(const ks_cluster *c, uint32_t a, uint32_t b, ks_time now)
{
    const ks_pod *pa = &c->pods[a], *pb = &c->pods[b];
    if (pa->spec->priority != pb->spec->priority) return pa->spec->priority > pb->spec->priority;
    return start_time(pa, now) < start_time(pb, now);
}

/* A stable insertion sort, most important first (victim lists are short). */
static void sort_important(const ks_cluster *c, uint32_t *v, size_t n, ks_time now)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && more_important(c, x, v[j - 1], now)) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* ---------------------------------------------------------------- PodDisruptionBudgets */

bool ks_pdb_matches(const ks_cluster *c, const ks_pdb_spec *b, uint32_t pod)
{
    const ks_pod *p = &c->pods[pod];
    if (c->pdb_live && !c->pdb_live[b - c->pdbs]) return false; /* not created yet, or deleted */
    if (strcmp(b->namespace, p->spec->namespace) != 0) return false;
    /* filterPodsWithPDBViolation: a nil or empty selector matches nothing. */
    if (!b->selector.set || b->selector.n == 0) return false;
    return ks_selector_matches_pod(c, &b->selector, pod);
}

/* GetScaledValueFromIntOrPercent. */
static int64_t scaled(ks_int_or_percent v, int64_t total, bool round_up)
{
    if (!v.percent) return v.value;
    int64_t x = (int64_t)v.value * total;
    return round_up ? (x + 99) / 100 : x / 100;
}

/* disruption.go: disruptionsAllowed = currentHealthy - desiredHealthy, at least 0. Healthy: Ready
 * (not marked NotReady by the node lifecycle controller) and not being deleted or evicted. The expected count is the owners' scale (a Deployment's replicas; a
 * bare pod counts 1) for a percentage or maxUnavailable, the matching pods for an integer
 * minAvailable. */
int64_t ks_pdb_disruptions_allowed(const ks_cluster *c, const ks_pdb_spec *b)
{
    int64_t healthy = 0, pods = 0, scale = 0;
    uint8_t *seen = ks_calloc(mem_pre, c->ndeployments ? c->ndeployments : 1, 1);
    for (uint32_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        if (p->deleted != KS_NEVER || p->released || !ks_pdb_matches(c, b, i)) continue;
        pods++;
        if (p->ready != KS_NEVER && !p->marked_not_ready && !p->evicting && p->deletion_requested == KS_NEVER) healthy++;
        if (p->owner == KS_NONE) {
            scale++;
        } else {
            uint32_t d = c->rs[p->owner].deployment;
            if (!seen[d]) scale += c->deployments[d].replicas;
            seen[d] = 1;
        }
    }
    ks_free(seen);
    int64_t desired;
    if (b->has_min_available) desired = b->min_available.percent ? scaled(b->min_available, scale, true) : b->min_available.value;
    else desired = scale - scaled(b->max_unavailable, scale, true);
    (void)pods;
    if (desired < 0) desired = 0;
    return healthy - desired > 0 ? healthy - desired : 0;
}

/* ---------------------------------------------------------------- one node */

typedef struct node_status {
    bool unresolvable;
    char reasons[8][160];
    int nreasons;
} node_status;

static void status_set(node_status *st, bool unresolvable, const char *reason)
{
    st->unresolvable = unresolvable;
    st->nreasons = 1;
    snprintf(st->reasons[0], sizeof st->reasons[0], "%s", reason);
}

/* SelectVictimsOnNode. ALLOWED holds each PDB's remaining disruptions (a copy for this node).
 * Returns whether the pod fits after preempting OUT's victims; otherwise ST says why. */
static bool select_victims(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *sp, uint32_t node,
                           bool refresh, int64_t *allowed, candidate *out, node_status *st)
{
    ks_cluster *c = &w->cluster;
    ks_time now = ks_sim_now(w->sim);
    int32_t prio = sp->spec->priority;
    size_t n = 0;
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) n++;
    uint32_t *potential = ks_malloc(mem_pre, (n ? n : 1) * sizeof *potential);
    n = 0;
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next)
        if (c->pods[q].spec->priority < prio) potential[n++] = q;
    if (n == 0) {
        ks_free(potential);
        status_set(st, true, "No preemption victims found for incoming pod");
        return false;
    }
    for (size_t i = 0; i < n; i++) ks_cluster_detach(c, potential[i]);
    ks_explain_node verdict;
    if (!ks_sched_filter_one(w, prof, sp, node, refresh, &verdict)) {
        for (size_t i = 0; i < n; i++) ks_cluster_attach(c, potential[i]);
        ks_sched_filter_one(w, prof, sp, node, refresh, NULL); /* restore the inter-pod state */
        st->unresolvable = verdict.unresolvable;
        st->nreasons = verdict.nreasons;
        memcpy(st->reasons, verdict.reasons, sizeof st->reasons);
        ks_free(potential);
        return false;
    }
    sort_important(c, potential, n, now);
    /* filterPodsWithPDBViolation: each matching PDB's budget is spent in this order. */
    uint32_t *order = ks_malloc(mem_pre, n * sizeof *order);
    uint8_t *violating = ks_calloc(mem_pre, n, 1);
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        const ks_pod_class *k = &c->classes[c->pods[potential[i]].pclass];
        if (k->labels->n == 0 && !k->template_hash) continue; /* no labels: no PDB matches */
        for (size_t b = 0; b < c->npdbs; b++)
            if (ks_pdb_matches(c, &c->pdbs[b], potential[i]) && --allowed[b] < 0) violating[i] = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (violating[i]) order[nv++] = potential[i];
    size_t nviolating = nv;
    for (size_t i = 0; i < n; i++)
        if (!violating[i]) order[nv++] = potential[i];
    /* Reprieve as many as possible, violating ones first, most important first. */
    out->node = node;
    out->victims = ks_malloc(mem_pre, n * sizeof *out->victims);
    out->nvictims = 0;
    out->pdb_violations = 0;
    for (size_t i = 0; i < n; i++) {
        ks_cluster_attach(c, order[i]);
        if (ks_sched_filter_one(w, prof, sp, node, refresh, NULL)) continue;
        ks_cluster_detach(c, order[i]);
        out->victims[out->nvictims++] = order[i];
        if (i < nviolating) out->pdb_violations++;
    }
    for (size_t i = 0; i < out->nvictims; i++) ks_cluster_attach(c, out->victims[i]);
    ks_sched_filter_one(w, prof, sp, node, refresh, NULL);
    if (nviolating && nviolating < n) sort_important(c, out->victims, out->nvictims, now);
    ks_free(order);
    ks_free(violating);
    ks_free(potential);
    return true;
}

/* ---------------------------------------------------------------- choosing a candidate */

/* GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
static ks_time earliest_start(const ks_cluster *c, const candidate *k, ks_time now)
{
    ks_time t = start_time(&c->pods[k->victims[0]], now);
    int32_t maxp = c->pods[k->victims[0]].spec->priority;
    for (size_t i = 0; i < k->nvictims; i++) {
        const ks_pod *p = &c->pods[k->victims[i]];
        if (p->spec->priority == maxp && start_time(p, now) < t) t = start_time(p, now);
        else if (p->spec->priority > maxp) {
            maxp = p->spec->priority;
            t = start_time(p, now);
        }
    }
    return t;
}

/* pickOneNodeForPreemption: fewest PDB violations, lowest highest-victim priority, smallest sum
 * of (priority + 2^31), fewest victims, latest earliest start; then the first. Each criterion
 * is a score to maximise over the candidates still tied. */
static size_t pick_candidate(const ks_cluster *c, const candidate *k, size_t n, ks_time now)
{
    uint8_t *alive = ks_malloc(mem_pre, n);
    memset(alive, 1, n);
    size_t left = n;
    for (int crit = 0; crit < 5 && left > 1; crit++) {
        int64_t best = INT64_MIN;
        int64_t *score = ks_malloc(mem_pre, n * sizeof *score);
        for (size_t i = 0; i < n; i++) {
            if (!alive[i]) continue;
            int64_t v = 0;
            switch (crit) {
            case 0: v = -k[i].pdb_violations; break;
            case 1: v = -(int64_t)c->pods[k[i].victims[0]].spec->priority; break;
            case 2:
                for (size_t j = 0; j < k[i].nvictims; j++) v -= (int64_t)c->pods[k[i].victims[j]].spec->priority + 2147483648LL;
                break;
            case 3: v = -(int64_t)k[i].nvictims; break;
            case 4: v = (int64_t)earliest_start(c, &k[i], now); break;
            }
            score[i] = v;
            if (v > best) best = v;
        }
        left = 0;
        for (size_t i = 0; i < n; i++)
            if (alive[i] && (alive[i] = score[i] == best)) left++;
        ks_free(score);
    }
    size_t pick = 0;
    while (!alive[pick]) pick++;
    ks_free(alive);
    return pick;
}

/* ---------------------------------------------------------------- Preempt */

/* podTerminatingByPreemption on the nominated node, for PodEligibleToPreemptOthers. */
static bool terminating_victim_on(const ks_cluster *c, uint32_t node, int32_t prio)
{
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) {
        const ks_pod *p = &c->pods[q];
        if (p->spec->priority < prio && p->deletion_requested != KS_NEVER && p->preempted) return true;
    }
    return false;
}

/* Counts reason strings for the FitError message of "no candidates". */
typedef struct reason_hist {
    char (*text)[160];
    uint32_t *count;
    size_t n, cap;
} reason_hist;

static void hist_add(reason_hist *h, const char *text)
{
    for (size_t i = 0; i < h->n; i++)
        if (!strcmp(h->text[i], text)) {
            h->count[i]++;
            return;
        }
    if (h->n == h->cap) {
        size_t cap = h->cap, cap2 = h->cap;
        ks_grow(mem_pre, (void **)&h->text, &cap, h->n + 1, sizeof *h->text);
        ks_grow(mem_pre, (void **)&h->count, &cap2, h->n + 1, sizeof *h->count);
        h->cap = cap < cap2 ? cap : cap2;
    }
    snprintf(h->text[h->n], sizeof h->text[0], "%s", text);
    h->count[h->n++] = 1;
}

bool ks_preempt(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *sp, char *msg, size_t msgsize)
{
    if (!mem_pre) mem_pre = ks_mem_purpose("scheduler");
    ks_cluster *c = &w->cluster;
    ks_scheduler *s = &w->sched;
    ks_time now = ks_sim_now(w->sim);
    const ks_pod_spec *ps = sp->spec;
    uint32_t self = sp->self;
    msg[0] = 0;
    if (ps->preempt_never) {
        snprintf(msg, msgsize, "preemption: not eligible due to preemptionPolicy=Never.");
        return false;
    }
    uint32_t nom = c->pods[self].nominated;
    if (nom != KS_NONE && !s->unresolvable[nom] && terminating_victim_on(c, nom, ps->priority)) {
        snprintf(msg, msgsize, "preemption: not eligible due to a terminating pod on the nominated node.");
        return false;
    }
    uint32_t nnodes = (uint32_t)c->nodes.n;
    /* Removing pods changes the inter-pod PreFilter state only if the pod has such constraints
     * (upstream updates it through RemovePod / AddPod; kubesim recomputes it). */
    bool refresh = s->ip.spread_filtering || s->ip.interpod_filtering;
    /* nodesWherePreemptionMightHelp: every node whose status is not UnschedulableAndUnresolvable. */
    uint32_t *potential = ks_malloc(mem_pre, (nnodes ? nnodes : 1) * sizeof *potential);
    uint32_t npot = 0, nuu = 0;
    for (uint32_t i = 0; i < nnodes; i++) {
        if (c->nodes.spec[i].deleted) continue; /* not in the snapshot */
        if (s->unresolvable[i]) nuu++;
        else potential[npot++] = i;
    }
    reason_hist hist = {0};
    for (uint32_t i = 0; i < nuu; i++) hist_add(&hist, "Preemption is not helpful for scheduling");
    candidate *cands = ks_malloc(mem_pre, (npot ? npot : 1) * sizeof *cands);
    size_t ncands = 0, nviolating = 0;
    uint32_t nfailed = 0;
    if (npot > 0) {
        int64_t *allowed0 = ks_malloc(mem_pre, (c->npdbs ? c->npdbs : 1) * sizeof *allowed0);
        int64_t *allowed = ks_malloc(mem_pre, (c->npdbs ? c->npdbs : 1) * sizeof *allowed);
        for (size_t b = 0; b < c->npdbs; b++) allowed0[b] = ks_pdb_disruptions_allowed(c, &c->pdbs[b]);
        /* GetOffsetAndNumCandidates: a random offset, max(10% of the nodes, 100), at most all. */
        uint32_t offset = (uint32_t)ks_rng_below(w->rng_sched, npot);
        uint32_t want = npot * MIN_CANDIDATE_NODES_PERCENTAGE / 100;
        if (want < MIN_CANDIDATE_NODES_ABSOLUTE) want = MIN_CANDIDATE_NODES_ABSOLUTE;
        if (want > npot) want = npot;
        candidate *violating = ks_malloc(mem_pre, npot * sizeof *violating);
        for (uint32_t i = 0; i < npot; i++) {
            uint32_t node = potential[(offset + i) % npot];
            memcpy(allowed, allowed0, c->npdbs * sizeof *allowed);
            candidate k;
            node_status st;
            if (select_victims(w, prof, sp, node, refresh, allowed, &k, &st)) {
                if (k.pdb_violations == 0) cands[ncands++] = k;
                else violating[nviolating++] = k;
                if (ncands > 0 && ncands + nviolating >= want) break; /* DryRunPreemption stops */
                continue;
            }
            nfailed++;
            for (int r = 0; r < st.nreasons; r++) hist_add(&hist, st.reasons[r]);
        }
        memcpy(cands + ncands, violating, nviolating * sizeof *violating); /* non-violating first */
        ncands += nviolating;
        ks_free(violating);
        ks_free(allowed);
        ks_free(allowed0);
    }
    bool nominated = false;
    if (ncands == 0) {
        /* A FitError over the nodes' preemption statuses, and the nomination is cleared. */
        const char **texts = ks_malloc(mem_pre, (hist.n ? hist.n : 1) * sizeof *texts);
        for (size_t i = 0; i < hist.n; i++) texts[i] = hist.text[i];
        char fit[1024];
        ks_fit_error_message(fit, sizeof fit, nuu + nfailed, texts, hist.count, hist.n);
        snprintf(msg, msgsize, "preemption: %s", fit);
        ks_free(texts);
        ks_cluster_nominate(c, self, KS_NONE);
    } else {
        const candidate *best = &cands[pick_candidate(c, cands, ncands, now)];
        const char *node_name = c->nodes.spec[best->node].name;
        char uid[40];
        ks_pod_uid(c, self, uid, sizeof uid);
        /* prepareCandidate: each victim gets DisruptionTarget (PreemptionByScheduler), an event,
         * and a DELETE; lower-priority pods nominated to the node lose their nomination. */
        for (size_t i = 0; i < best->nvictims; i++) {
            uint32_t v = best->victims[i];
            ks_pod *vp = &c->pods[v];
            vp->preempted = 1;
            ks_cluster_event(c, now, "Pod", vp->spec->namespace, vp->name, "Normal", "Preempted", "default-scheduler",
                             "Preempted by pod %s on node %s", uid, node_name);
            ks_world_delete_pod(w, KS_CLIENT_SCHEDULER, v);
        }
        for (uint32_t q = c->nodes.nominated_head[best->node]; q != KS_NONE;) {
            uint32_t next = c->pods[q].nom_next;
            if (c->pods[q].spec->priority < ps->priority) ks_cluster_nominate(c, q, KS_NONE);
            q = next;
        }
        ks_cluster_nominate(c, self, best->node);
        s->preemptions++;
        s->victims += best->nvictims;
        nominated = true;
    }
    for (size_t i = 0; i < ncands; i++) ks_free(cands[i].victims);
    ks_free(cands);
    ks_free(potential);
    ks_free(hist.text);
    ks_free(hist.count);
    return nominated;
}
