/* scheduler.c — see scheduler.h.
 *
 * Upstream sources mirrored here (kubernetes v1.31):
 *   pkg/scheduler/schedule_one.go          cycle, numFeasibleNodesToFind, selectHost, FitError
 *   pkg/scheduler/internal/queue/scheduling_queue.go   activeQ, backoffQ, unschedulable pool
 *   pkg/scheduler/framework/plugins/noderesources/{fit,least_allocated,most_allocated,
 *     balanced_allocation,resource_allocation}.go       filter and scores
 *   pkg/scheduler/framework/types.go       FitError.Error message format
 */
#include "scheduler.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dist.h"
#include "gpuseries.h"
#include "kernel.h"
#include "world.h"

/* pkg/scheduler/schedule_one.go */
#define MIN_FEASIBLE_NODES_TO_FIND 100
#define MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND 5
/* pkg/scheduler/framework/interface.go MaxNodeScore */
#define MAX_NODE_SCORE 100
/* pkg/scheduler/internal/queue/scheduling_queue.go: flushBackoffQCompleted runs every second,
 * flushUnschedulablePodsLeftover every 30 s and moves pods parked longer than
 * DefaultPodMaxInUnschedulablePodsDuration (5 min). */
#define BACKOFF_FLUSH_PERIOD KS_SEC(1)
#define UNSCHEDULABLE_FLUSH_PERIOD KS_SEC(30)
#define MAX_IN_UNSCHEDULABLE KS_MIN(5)

static ks_mem_id mem_sched;

/* ---------------------------------------------------------------- upstream arithmetic */

int64_t ks_score_least_allocated(int64_t requested, int64_t capacity)
{
    /* least_allocated.go leastRequestedScore */
    if (capacity == 0 || requested > capacity) return 0;
    return (capacity - requested) * MAX_NODE_SCORE / capacity;
}

int64_t ks_score_most_allocated(int64_t requested, int64_t capacity)
{
    /* most_allocated.go mostRequestedScore: overcommit is capped at capacity, giving 100. */
    if (capacity == 0) return 0;
    if (requested > capacity) requested = capacity;
    return requested * MAX_NODE_SCORE / capacity;
}

int64_t ks_score_fit_row(ks_fit_strategy strategy, const ks_res_row *r)
{
    int64_t (*one)(int64_t, int64_t) =
        strategy == KS_FIT_MOST_ALLOCATED ? ks_score_most_allocated : ks_score_least_allocated;
    int64_t score = 0, weights = 0;
    for (int k = 0; k < r->n; k++) {
        if (r->cap[k] == 0) continue; /* resource_allocation.go: allocatable 0 is skipped */
        score += one(r->req[k], r->cap[k]) * r->w[k];
        weights += r->w[k];
    }
    return weights ? score / weights : 0;
}

static ks_res_row cpu_mem_row(int64_t req_cpu, int64_t cap_cpu, int64_t w_cpu, int64_t req_mem, int64_t cap_mem,
                              int64_t w_mem)
{
    return (ks_res_row){.n = 2, .req = {req_cpu, req_mem}, .cap = {cap_cpu, cap_mem}, .w = {w_cpu, w_mem}};
}

int64_t ks_score_fit(ks_fit_strategy strategy, int64_t req_cpu, int64_t cap_cpu, int64_t w_cpu,
                     int64_t req_mem, int64_t cap_mem, int64_t w_mem)
{
    ks_res_row r = cpu_mem_row(req_cpu, cap_cpu, w_cpu, req_mem, cap_mem, w_mem);
    return ks_score_fit_row(strategy, &r);
}

/* helper.BuildBrokenLinearFunction: the shape's scores scaled by MaxNodeScore /
 * MaxCustomPriorityScore (10); int64 arithmetic truncating toward zero, as Go's. */
static int64_t broken_linear(const ks_sched_profile *prof, int64_t p)
{
    for (int i = 0; i < prof->nshape; i++) {
        if (p <= prof->shape_util[i]) {
            if (i == 0) return (int64_t)prof->shape_score[0] * 10;
            int64_t s0 = (int64_t)prof->shape_score[i - 1] * 10, s1 = (int64_t)prof->shape_score[i] * 10;
            int64_t u0 = prof->shape_util[i - 1], u1 = prof->shape_util[i];
            return s0 + (s1 - s0) * (p - u0) / (u1 - u0);
        }
    }
    return prof->nshape ? (int64_t)prof->shape_score[prof->nshape - 1] * 10 : 0;
}

int64_t ks_score_rtcr_row(const ks_sched_profile *prof, const ks_res_row *r)
{
    int64_t sum = 0, weights = 0;
    for (int k = 0; k < r->n; k++) {
        if (r->cap[k] == 0 || r->w[k] == 0) continue; /* resource_allocation.go: allocatable 0 is skipped */
        int64_t util = r->req[k] > r->cap[k] ? 100 : r->req[k] * 100 / r->cap[k];
        int64_t s = broken_linear(prof, util);
        if (s <= 0) continue; /* a resource scoring 0 leaves both sums */
        sum += s * r->w[k];
        weights += r->w[k];
    }
    if (weights == 0) return 0;
    return (int64_t)llround((double)sum / (double)weights); /* math.Round: half away from zero */
}

int64_t ks_score_rtcr(const ks_sched_profile *prof, int64_t req_cpu, int64_t cap_cpu, int64_t req_mem, int64_t cap_mem)
{
    ks_res_row r = cpu_mem_row(req_cpu, cap_cpu, prof->fit_cpu_weight, req_mem, cap_mem, prof->fit_mem_weight);
    return ks_score_rtcr_row(prof, &r);
}

int64_t ks_score_balanced_row(const ks_res_row *r)
{
    /* balanced_allocation.go balancedResourceScorer: fractions capped at 1; with two resources
     * the std is |f0 - f1| / 2, with more the population std; fewer leave it 0. The score
     * truncates (1 - std) * 100. */
    double f[KS_MAX_SCORE_RES], total = 0;
    int n = 0;
    for (int k = 0; k < r->n; k++) {
        if (r->cap[k] == 0) continue;
        f[n] = fmin((double)r->req[k] / (double)r->cap[k], 1.0);
        total += f[n++];
    }
    double std = 0.0;
    if (n == 2) {
        std = fabs((f[0] - f[1]) / 2);
    } else if (n > 2) {
        double mean = total / n, sum = 0;
        for (int k = 0; k < n; k++) sum += (f[k] - mean) * (f[k] - mean);
        std = sqrt(sum / n);
    }
    return (int64_t)((1 - std) * (double)MAX_NODE_SCORE);
}

int64_t ks_score_balanced(int64_t req_cpu, int64_t cap_cpu, int64_t req_mem, int64_t cap_mem)
{
    ks_res_row r = cpu_mem_row(req_cpu, cap_cpu, 1, req_mem, cap_mem, 1);
    return ks_score_balanced_row(&r);
}

uint32_t ks_num_feasible_nodes_to_find(int32_t percentage, uint32_t num_all_nodes)
{
    if (num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND) return num_all_nodes;
    int64_t pct = percentage;
    if (pct == 0) {
        pct = 50 - (int64_t)num_all_nodes / 125;
        if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
    }
    int64_t num = (int64_t)num_all_nodes * pct / 100;
    if (num < MIN_FEASIBLE_NODES_TO_FIND) return MIN_FEASIBLE_NODES_TO_FIND;
    return (uint32_t)num;
}

typedef struct reason_text {
    char text[200];
} reason_text;

static int cmp_str(const void *a, const void *b) { return strcmp(((const reason_text *)a)->text, ((const reason_text *)b)->text); }

void ks_fit_error_message(char *buf, size_t bufsize, uint32_t num_all_nodes, const char *const *reasons,
                          const uint32_t *counts, size_t nreasons)
{
    /* framework/types.go FitError.Error: "0/%d nodes are available:" then each "%d %s" entry,
     * sorted as strings (so "10 X" sorts before "2 Y"), joined by ", ", and a final ".". */
    reason_text items[32];
    size_t n = 0;
    for (size_t i = 0; i < nreasons && n < 32; i++)
        if (counts[i]) snprintf(items[n++].text, sizeof items[0].text, "%u %s", counts[i], reasons[i]);
    qsort(items, n, sizeof *items, cmp_str);
    size_t off = (size_t)snprintf(buf, bufsize, "0/%u nodes are available:", num_all_nodes);
    for (size_t i = 0; i < n && off < bufsize; i++)
        off += (size_t)snprintf(buf + off, bufsize - off, "%s %s", i ? "," : "", items[i].text);
    if (off < bufsize) snprintf(buf + off, bufsize - off, ".");
}

/* ---------------------------------------------------------------- queues */

/* activeQ order: PrioritySort (queuesort/priority_sort.go): higher priority first, then the
 * earlier queue timestamp; the pod id breaks exact ties so the order is total. */
static bool active_before(const ks_cluster *c, uint32_t a, uint32_t b)
{
    const ks_pod *pa = &c->pods[a], *pb = &c->pods[b];
    if (pa->spec->priority != pb->spec->priority) return pa->spec->priority > pb->spec->priority;
    if (pa->queued_at != pb->queued_at) return pa->queued_at < pb->queued_at;
    return a < b;
}

static bool backoff_before(const ks_cluster *c, uint32_t a, uint32_t b)
{
    const ks_pod *pa = &c->pods[a], *pb = &c->pods[b];
    if (pa->backoff_until != pb->backoff_until) return pa->backoff_until < pb->backoff_until;
    return a < b;
}

typedef bool (*heap_less)(const ks_cluster *, uint32_t, uint32_t);

static void heap_push(ks_pod_heap *h, const ks_cluster *c, heap_less less, uint32_t id)
{
    ks_grow(mem_sched, (void **)&h->ids, &h->cap, h->n + 1, sizeof *h->ids);
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!less(c, id, h->ids[parent])) break;
        h->ids[i] = h->ids[parent];
        i = parent;
    }
    h->ids[i] = id;
}

static uint32_t heap_pop(ks_pod_heap *h, const ks_cluster *c, heap_less less)
{
    uint32_t top = h->ids[0], last = h->ids[--h->n];
    size_t i = 0;
    for (;;) {
        size_t ch = 2 * i + 1;
        if (ch >= h->n) break;
        if (ch + 1 < h->n && less(c, h->ids[ch + 1], h->ids[ch])) ch++;
        if (!less(c, h->ids[ch], last)) break;
        h->ids[i] = h->ids[ch];
        i = ch;
    }
    if (h->n) h->ids[i] = last;
    return top;
}

size_t ks_scheduler_active_len(const ks_scheduler *s) { return s->active.n; }
size_t ks_scheduler_backoff_len(const ks_scheduler *s) { return s->backoff.n; }
size_t ks_scheduler_unschedulable_len(const ks_scheduler *s) { return s->nunschedulable; }

static void kick(ks_world *w)
{
    ks_scheduler *s = &w->sched;
    if (s->busy || s->active.n == 0) return;
    s->busy = true;
    ks_sim_after(w->sim, 0, w->ev.sched_cycle, 0, 0);
}

static void to_active(ks_world *w, uint32_t pod)
{
    ks_pod *p = &w->cluster.pods[pod];
    p->queue_state = KS_Q_ACTIVE;
    p->queued_at = ks_sim_now(w->sim);
    heap_push(&w->sched.active, &w->cluster, active_before, pod);
    kick(w);
}

/* A pod leaving the unschedulable pool goes to backoffQ while its backoff lasts, else activeQ
 * (scheduling_queue.go movePodsToActiveOrBackoffQueue / isPodBackingoff). */
static void to_active_or_backoff(ks_world *w, uint32_t pod)
{
    ks_pod *p = &w->cluster.pods[pod];
    if (p->backoff_until > ks_sim_now(w->sim)) {
        p->queue_state = KS_Q_BACKOFF;
        heap_push(&w->sched.backoff, &w->cluster, backoff_before, pod);
    } else {
        to_active(w, pod);
    }
}

void ks_scheduler_add_pod(ks_world *w, uint32_t pod)
{
    ks_pod *p = &w->cluster.pods[pod];
    if (p->node != KS_NONE || p->queue_state != KS_Q_NONE) return;
    to_active(w, pod);
}

/* A cluster event that can make unschedulable pods fit (an assigned pod deleted or finished):
 * with the SchedulerQueueingHints gate off, as in v1.28.6-v1.31, every pod in the pool moves
 * (scheduling_queue.go MoveAllToActiveOrBackoffQueue). */
static void on_move(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    (void)ev;
    ks_world *w = ctx;
    ks_scheduler *s = &w->sched;
    size_t n = s->nunschedulable;
    s->nunschedulable = 0;
    for (size_t i = 0; i < n; i++) to_active_or_backoff(w, s->unschedulable[i]);
}

static void on_flush_backoff(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_scheduler *s = &w->sched;
    ks_time now = ks_sim_now(sim);
    while (s->backoff.n && w->cluster.pods[s->backoff.ids[0]].backoff_until <= now)
        to_active(w, heap_pop(&s->backoff, &w->cluster, backoff_before));
    ks_sim_after(sim, BACKOFF_FLUSH_PERIOD, ev->type, 0, 0);
}

static void on_flush_unschedulable(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_scheduler *s = &w->sched;
    ks_time now = ks_sim_now(sim);
    size_t keep = 0, n = s->nunschedulable, nmoved = 0;
    /* Compact the pool first, then move: moving can park nothing (no cycle runs here), but it
     * must not see a half-compacted array. */
    uint32_t *moved = n ? ks_malloc(mem_sched, n * sizeof *moved) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (now - s->unschedulable_since[i] > MAX_IN_UNSCHEDULABLE) {
            moved[nmoved++] = s->unschedulable[i];
        } else {
            s->unschedulable[keep] = s->unschedulable[i];
            s->unschedulable_since[keep++] = s->unschedulable_since[i];
        }
    }
    s->nunschedulable = keep;
    for (size_t i = 0; i < nmoved; i++) to_active_or_backoff(w, moved[i]);
    ks_free(moved);
    ks_sim_after(sim, UNSCHEDULABLE_FLUSH_PERIOD, ev->type, 0, 0);
}

/* ---------------------------------------------------------------- the cycle */

static void scratch_reserve(ks_scheduler *s, size_t n)
{
    if (n <= s->scratch_cap) return;
    ks_free(s->feasible);
    ks_free(s->scores);
    ks_free(s->raw);
    ks_free(s->norm_a);
    ks_free(s->norm_b);
    ks_free(s->unresolvable);
    s->unresolvable = ks_malloc(mem_sched, n);
    s->norm_a = ks_malloc(mem_sched, n * sizeof *s->norm_a);
    s->norm_b = ks_malloc(mem_sched, n * sizeof *s->norm_b);
    s->feasible = ks_malloc(mem_sched, n * sizeof *s->feasible);
    s->scores = ks_malloc(mem_sched, n * sizeof *s->scores);
    s->raw = ks_malloc(mem_sched, n * sizeof *s->raw);
    s->scratch_cap = n;
}

/* ---------------------------------------------------------------- filters */

/* k8s.io/api/core/v1 Toleration.ToleratesTaint: the effect (empty tolerates all), the key
 * (empty with Exists tolerates all), then Exists, or Equal values. */
static bool tolerates(const ks_toleration *t, const ks_taint *taint)
{
    if (t->effect != -1 && t->effect != (int)taint->effect) return false;
    if (t->key[0] && strcmp(t->key, taint->key) != 0) return false;
    return t->op == KS_TOL_EXISTS || strcmp(t->value, taint->value) == 0;
}

static bool tolerated(const ks_pod_spec *ps, const ks_taint *taint)
{
    for (size_t i = 0; i < ps->ntolerations; i++)
        if (tolerates(&ps->tolerations[i], taint)) return true;
    return false;
}

static const ks_taint unschedulable_taint = {(char *)"node.kubernetes.io/unschedulable", (char *)"", KS_NO_SCHEDULE};

/* v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc: the first NoSchedule or
 * NoExecute taint the pod does not tolerate. */
static const ks_taint *untolerated_taint(const ks_node_spec *n, const ks_pod_spec *ps)
{
    for (size_t i = 0; i < n->ntaints; i++) {
        const ks_taint *t = &n->taints[i];
        if (t->effect != KS_PREFER_NO_SCHEDULE && !tolerated(ps, t)) return t;
    }
    return NULL;
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno) return false;
    *out = v;
    return true;
}

/* NodeSelectorRequirement against a node (k8s.io/component-helpers/scheduling/corev1/nodeaffinity):
 * In / NotIn / Exists / DoesNotExist on labels; Gt / Lt compare integers, and a label that is not
 * one matches neither; matchFields read metadata.name. */
static bool requirement_matches(const ks_node_requirement *r, const ks_node_spec *n)
{
    const char *v = r->field ? n->name : ks_labels_get(&n->labels, r->key);
    switch (r->op) {
    case KS_SEL_EXISTS: return v != NULL;
    case KS_SEL_DOES_NOT_EXIST: return v == NULL;
    case KS_SEL_IN:
    case KS_SEL_NOT_IN: {
        bool in = false;
        for (size_t i = 0; v && i < r->nvalues && !in; i++) in = strcmp(v, r->values[i]) == 0;
        return r->op == KS_SEL_IN ? in : !in;
    }
    case KS_SEL_GT:
    case KS_SEL_LT: {
        int64_t have, want;
        if (!v || !parse_i64(v, &have) || !parse_i64(r->values[0], &want)) return false;
        return r->op == KS_SEL_GT ? have > want : have < want;
    }
    }
    return false;
}

/* A term's requirements are ANDed; a term without requirements matches no node. */
static bool term_matches(const ks_node_term *t, const ks_node_spec *n)
{
    if (t->n == 0) return false;
    for (size_t i = 0; i < t->n; i++)
        if (!requirement_matches(&t->reqs[i], n)) return false;
    return true;
}

/* NodeAffinity's filter: spec.nodeSelector (every label equal) and the required terms (ORed). */
static bool node_affinity_matches(const ks_pod_spec *ps, const ks_node_spec *n)
{
    for (size_t i = 0; i < ps->node_selector.n; i++) {
        const char *v = ks_labels_get(&n->labels, ps->node_selector.items[i].key);
        if (!v || strcmp(v, ps->node_selector.items[i].value) != 0) return false;
    }
    if (!ps->has_required) return true;
    for (size_t i = 0; i < ps->nrequired; i++)
        if (term_matches(&ps->required_terms[i], n)) return true;
    return false;
}

/* Reasons a node fails, in upstream's words (nodeunschedulable, tainttoleration, nodeaffinity,
 * noderesources/fit.go). R_TAINT's text carries the taint: "node(s) had untolerated taint {k: v}". */
enum {
    R_UNSCHEDULABLE,
    R_NODE_NAME,
    R_TAINT,
    R_AFFINITY,
    R_PORTS,
    R_PODS,
    R_CPU,
    R_MEM,
    R_EPH,
    R_EXT,
    R_SPREAD_LABEL,
    R_SPREAD,
    R_POD_AFFINITY,
    R_POD_ANTI,
    R_EXISTING_ANTI,
    R_MAX_PER_NODE,
    R_GONE, /* the Node was deleted: not in the scheduler's snapshot, no reason counted */
    R_GPU,  /* the FGD artifact's Open-Gpu-Share filter */
    R_COUNT
};
static const char *const reason_text_of[R_COUNT] = {
    "node(s) were unschedulable",
    "node(s) didn't match the requested node name",
    NULL,
    "node(s) didn't match Pod's node affinity/selector",
    "node(s) didn't have free ports for the requested pod ports",
    "Too many pods",
    "Insufficient cpu",
    "Insufficient memory",
    "Insufficient ephemeral-storage",
    NULL,
    /* podtopologyspread/filtering.go ErrReasonNodeLabelNotMatch, ErrReasonConstraintsNotMatch */
    "node(s) didn't match pod topology spread constraints (missing required label)",
    "node(s) didn't match pod topology spread constraints",
    /* interpodaffinity/filtering.go */
    "node(s) didn't match pod affinity rules",
    "node(s) didn't match pod anti-affinity rules",
    "node(s) didn't satisfy existing pods anti-affinity rules",
    /* kubesim's MaxPerNode (kubesim.io/max-per-node): no upstream plugin, so kubesim's words */
    [R_MAX_PER_NODE] = "node(s) had the maximum pods of the app (kubesim.io/max-per-node)",
    [R_GONE] = NULL,
    /* Open-Gpu-Share answers "Node:<name>", one text per node; kubesim counts them as one. */
    [R_GPU] = "node(s) didn't have free GPUs for the requested GPU milli",
};
/* Reasons whose status is UnschedulableAndUnresolvable: removing pods from the node cannot help,
 * so preemption skips it (nodeunschedulable, nodename, tainttoleration, nodeaffinity filters;
 * podtopologyspread's missing label; interpodaffinity's affinity rules). */
#define R_UNRESOLVABLE                                                                                      \
    ((1u << R_UNSCHEDULABLE) | (1u << R_NODE_NAME) | (1u << R_TAINT) | (1u << R_AFFINITY) |                \
     (1u << R_SPREAD_LABEL) | (1u << R_POD_AFFINITY) | (1u << R_GONE))

/* NodePorts (nodeports/node_ports.go, HostPortInfo.CheckConflict): a wanted host port conflicts
 * with a used one of the same protocol and number when either address is 0.0.0.0 or they are
 * equal. */
static bool ports_conflict(const ks_nodes *n, uint32_t node, const ks_pod_spec *ps)
{
    if (!n->nports[node]) return false;
    for (size_t k = 0; k < ps->ncontainers; k++)
        for (uint8_t j = 0; j < ps->containers[k].nhost_ports; j++) {
            const ks_host_port *want = &ps->containers[k].host_ports[j];
            for (uint32_t q = 0; q < n->nports[node]; q++) {
                const ks_host_port *used = &n->ports[node][q];
                if (used->port == want->port && used->protocol == want->protocol &&
                    (!used->host_ip[0] || !want->host_ip[0] || !strcmp(used->host_ip, want->host_ip)))
                    return true;
            }
        }
    return false;
}

/* Reasons whose text depends on the node: an untolerated taint, an insufficient extended
 * resource. */
#define MAX_DYN_REASONS (KS_MAX_EXT + 1)
typedef struct dyn_reasons {
    char text[MAX_DYN_REASONS][160];
    int n;
} dyn_reasons;

/* The pod's extended requests with their cluster ids (-1: no node has that resource). */
typedef struct pod_ext {
    int id[2 * KS_MAX_EXT];
    int64_t amount[2 * KS_MAX_EXT];
    const char *name[2 * KS_MAX_EXT];
    int n;
    uint32_t self; /* the pod's row, KS_NONE for a what-if: skipped among the nominated pods */
    ks_gpu_pod gpu; /* its GPU request (gpu_count 0: none) */
    int32_t max_per_node; /* kubesim.io/max-per-node (0: no cap) */
    uint32_t app;         /* the pod's app group (cluster.h); KS_NONE: no pod of the app exists */
} pod_ext;

/* fit.go fitsRequest: extended resources in the profile's ignoredResources, or whose group (the
 * part before "/") is in ignoredResourceGroups, are not checked. */
static bool fit_ignores(const ks_sched_profile *prof, const char *name)
{
    for (int i = 0; i < prof->nfit_ignored; i++)
        if (!strcmp(prof->fit_ignored[i], name)) return true;
    const char *slash = strchr(name, '/');
    size_t glen = slash ? (size_t)(slash - name) : strlen(name);
    for (int i = 0; i < prof->nfit_ignored_groups; i++)
        if (strlen(prof->fit_ignored_groups[i]) == glen && !strncmp(prof->fit_ignored_groups[i], name, glen)) return true;
    return false;
}

static void find_pod_ext(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, pod_ext *pe)
{
    pe->self = KS_NONE;
    pe->gpu = ks_gpu_pod_of(c, ps);
    pe->max_per_node = ps->max_per_node;
    pe->app = ps->max_per_node ? ks_cluster_find_app(c, ps->namespace, ks_labels_get(&ps->labels, KS_APP_LABEL)) : KS_NONE;
    pe->n = ps->next_req;
    for (int k = 0; k < pe->n; k++) {
        pe->id[k] = ks_cluster_find_ext(c, ps->ext_req[k].name);
        pe->amount[k] = fit_ignores(prof, ps->ext_req[k].name) ? 0 : ps->ext_req[k].value;
        pe->name[k] = ps->ext_req[k].name;
    }
}

static unsigned fit_filter(const ks_cluster *c, const ks_pod_spec *ps, const pod_ext *pe, uint32_t i, dyn_reasons *dyn);

/* Open-Gpu-Share's Filter (artifact pkg/simulator/plugin/open_gpu_share.go): a node with GPUs, an
 * allowed model, and gpu_count GPUs with gpu_milli free each. Its cpu check is NodeResourcesFit's
 * here. On a node with more GPUs than the table tracks, whole GPUs are left to NodeResourcesFit's
 * nvidia.com/gpu count and shares do not fit. */
static bool gpu_filter(const ks_cluster *c, const ks_gpu_pod *gp, uint32_t i)
{
    if (c->gpu.untracked[i]) return gp->gpu_milli == KS_GPU_MILLI;
    ks_gpu_pod gpus_only = *gp;
    gpus_only.cpu_milli = 0;
    return c->gpu.node[i].gpu_count > 0 && ks_gpu_fits(&c->gpu.node[i], &gpus_only);
}

bool ks_node_affinity_matches(const ks_pod_spec *ps, const ks_node_spec *n) { return node_affinity_matches(ps, n); }
bool ks_node_taints_tolerated(const ks_node_spec *n, const ks_pod_spec *ps) { return untolerated_taint(n, ps) == NULL; }

/* Runs the filters on node I in the default profile's order — NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, kubesim's MaxPerNode,
 * PodTopologySpread, InterPodAffinity — and returns a bitmask of the reasons of the first that fails (0: feasible).
 * DYN receives the texts of node-dependent reasons (the untolerated taint, the insufficient
 * extended resource). */
static unsigned filter_node(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps,
                            const pod_ext *pe, const ks_interpod *ip, uint32_t i, dyn_reasons *dyn)
{
    const ks_nodes *n = &c->nodes;
    const ks_node_spec *spec = &n->spec[i];
    const ks_taint *taint;
    dyn->n = 0;
    if (spec->deleted) return 1u << R_GONE;
    if (prof->unschedulable_filter && spec->unschedulable) {
        /* The pod may tolerate the node.kubernetes.io/unschedulable:NoSchedule taint. */
        if (!tolerated(ps, &unschedulable_taint)) return 1u << R_UNSCHEDULABLE;
    }
    if (prof->node_name_filter && ps->node_name && ps->node_name[0] && strcmp(ps->node_name, spec->name) != 0)
        return 1u << R_NODE_NAME;
    if (prof->taint_filter && (taint = untolerated_taint(spec, ps))) {
        snprintf(dyn->text[dyn->n++], sizeof dyn->text[0], "node(s) had untolerated taint {%s: %s}", taint->key,
                 taint->value);
        return 1u << R_TAINT;
    }
    if (prof->affinity_filter && !node_affinity_matches(ps, spec)) return 1u << R_AFFINITY;
    if (prof->ports_filter && ports_conflict(n, i, ps)) return 1u << R_PORTS;
    unsigned r = prof->fit_filter ? fit_filter(c, ps, pe, i, dyn) : 0;
    if (r) return r;
    if (prof->gpu_filter && pe->gpu.gpu_count && !gpu_filter(c, &pe->gpu, i)) return 1u << R_GPU;
    /* MaxPerNode (kubesim.io/max-per-node), which no upstream plugin states: PodTopologySpread's
     * skew is relative to other domains and anti-affinity caps at one, while the DLRM trace
     * (tracedlrm.h) caps each app at N pods per node. It counts the app's pods assigned to the
     * node and not yet gone (terminating ones hold their place, as their resources do), from the
     * app's pod classes: O(classes of the app) per node. Always on: a pod without the
     * annotation is never refused. Preemption may remove lower-priority pods of the app to make
     * room, so the verdict is not UnschedulableAndUnresolvable. */
    if (pe->max_per_node && ks_cluster_app_pods_on(c, pe->app, i) >= pe->max_per_node) return 1u << R_MAX_PER_NODE;
    /* PodTopologySpread, then InterPodAffinity. */
    static const unsigned ip_reason[] = {0, 1u << R_SPREAD_LABEL, 1u << R_SPREAD, 1u << R_POD_AFFINITY,
                                         1u << R_POD_ANTI, 1u << R_EXISTING_ANTI};
    return ip_reason[ks_interpod_filter(ip, i)];
}

/* NodeResourcesFit's filter: every insufficient resource at once (fitsRequest). Pods nominated to
 * the node with at least this pod's priority count as if they ran there
 * (framework.go RunFilterPluginsWithNominatedPods; kubesim adds them for this filter only). */
static unsigned fit_filter(const ks_cluster *c, const ks_pod_spec *ps, const pod_ext *pe, uint32_t i, dyn_reasons *dyn)
{
    const ks_nodes *n = &c->nodes;
    int64_t cpu = n->req_cpu[i], mem = n->req_mem[i], eph = n->req_eph[i], pods = n->npods[i];
    int64_t ext[2 * KS_MAX_EXT] = {0};
    for (uint32_t q = n->nominated_head[i]; q != KS_NONE; q = c->pods[q].nom_next) {
        const ks_pod_spec *qs = c->pods[q].spec;
        if (q == pe->self || qs->priority < ps->priority) continue;
        cpu += qs->req_cpu_milli;
        mem += qs->req_mem_bytes;
        eph += qs->req_eph_bytes;
        pods++;
        for (int k = 0; k < pe->n; k++)
            for (uint8_t j = 0; j < qs->next_req; j++)
                if (!strcmp(qs->ext_req[j].name, pe->name[k])) ext[k] += qs->ext_req[j].value;
    }
    unsigned r = 0;
    if (pods + 1 > n->alloc_pods[i]) r |= 1u << R_PODS;
    if (ps->req_cpu_milli > 0 && ps->req_cpu_milli > n->alloc_cpu[i] - cpu) r |= 1u << R_CPU;
    if (ps->req_mem_bytes > 0 && ps->req_mem_bytes > n->alloc_mem[i] - mem) r |= 1u << R_MEM;
    if (ps->req_eph_bytes > 0 && ps->req_eph_bytes > n->alloc_eph[i] - eph) r |= 1u << R_EPH;
    for (int k = 0; k < pe->n; k++) { /* scalar resources: "Insufficient <name>" */
        if (pe->amount[k] == 0) continue;
        size_t at = i * KS_MAX_EXT_CLUSTER + (size_t)pe->id[k];
        int64_t free_amount = pe->id[k] < 0 ? 0 : n->ext_alloc[at] - n->ext_req[at] - ext[k];
        if (pe->amount[k] <= free_amount || dyn->n == MAX_DYN_REASONS) continue;
        snprintf(dyn->text[dyn->n++], sizeof dyn->text[0], "Insufficient %s", pe->name[k]);
        r |= 1u << R_EXT;
    }
    return r;
}

/* ---------------------------------------------------------------- scores */

/* What the scores need from the pod, resolved once per cycle: its images as ImageLocality looks
 * them up (every init and app container's reference, normalised with ":latest"), and the extended
 * resources of the Fit and BalancedAllocation resource lists with the pod's requests of them. */
typedef struct score_ext {
    int id[KS_MAX_SCORE_EXT]; /* cluster ext id; -1 when the pod does not request it or no node has it */
    int64_t amount[KS_MAX_SCORE_EXT], weight[KS_MAX_SCORE_EXT];
    int n;
} score_ext;

typedef struct pod_images {
    uint32_t ids[32];
    int n;
    int ncontainers;
    score_ext fit_ext, bal_ext;
    ks_gpu_pod gpu; /* for the GPU-sharing policy */
} pod_images;

/* resource_allocation.go calculateResourceAllocatableRequest: an extended resource the pod does
 * not request scores as (0, 0), that is, is skipped; so is one no node has. */
static void find_score_ext(const ks_cluster *c, const ks_pod_spec *ps, const ks_score_ext *list, int n, score_ext *se)
{
    se->n = n;
    for (int k = 0; k < n; k++) {
        se->id[k] = -1;
        se->amount[k] = 0;
        se->weight[k] = list[k].weight;
        for (int j = 0; j < ps->next_req; j++)
            if (strcmp(ps->ext_req[j].name, list[k].name) == 0) se->amount[k] = ps->ext_req[j].value;
        if (se->amount[k] > 0) se->id[k] = ks_cluster_find_ext(c, list[k].name);
    }
}

static inline void add_row(ks_res_row *row, int64_t req, int64_t cap, int64_t w)
{
    row->req[row->n] = req;
    row->cap[row->n] = cap;
    row->w[row->n++] = w;
}

/* Appends the extended resources of SE on node I to ROW. */
static void add_ext_row(const ks_nodes *n, uint32_t i, const score_ext *se, ks_res_row *row)
{
    for (int k = 0; k < se->n; k++) {
        if (se->id[k] < 0) continue;
        size_t at = i * KS_MAX_EXT_CLUSTER + (size_t)se->id[k];
        add_row(row, n->ext_req[at] + se->amount[k], n->ext_alloc[at], se->weight[k]);
    }
}

static void find_pod_images(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, pod_images *pi)
{
    char ref[512];
    find_score_ext(c, ps, prof->fit_ext, prof->nfit_ext, &pi->fit_ext);
    find_score_ext(c, ps, prof->bal_ext, prof->nbal_ext, &pi->bal_ext);
    pi->gpu = ks_gpu_pod_of(c, ps);
    pi->n = 0;
    pi->ncontainers = (int)(ps->ninit + ps->ncontainers);
    for (size_t k = 0; k < ps->ninit + ps->ncontainers && pi->n < 32; k++) {
        const ks_container *ct = k < ps->ninit ? &ps->init_containers[k] : &ps->containers[k - ps->ninit];
        pi->ids[pi->n++] = ks_cluster_find_image(c, ks_image_ref(ct->image, ref, sizeof ref));
    }
}

int64_t ks__image_scaled(int64_t bytes, uint32_t nodes_with_image, size_t total_nodes)
{
    /* scaledImageScore: int64(float64(size) * spread), spread = numNodes / totalNumNodes
     * computed first; (size * numNodes) / total rounds differently now and then. */
    double spread = (double)nodes_with_image / (double)total_nodes;
    return (int64_t)((double)bytes * spread);
}

int64_t ks__image_locality_score(int64_t sum, int ncontainers)
{
    const int64_t mib = 1024 * 1024, min = 23 * mib, max = 1000 * mib * (ncontainers ? ncontainers : 1);
    if (sum < min) sum = min;
    if (sum > max) sum = max;
    return 100 * (sum - min) / (max - min);
}

/* imagelocality/image_locality.go: the sizes of the pod's images present on the node, each
 * scaled by the share of nodes that have it, clamped to [23 MiB, 1000 MiB x containers] and
 * mapped to 0..100 (int64 division). */
static int64_t image_locality(const ks_cluster *c, const pod_images *pi, uint32_t node)
{
    int64_t sum = 0;
    for (int k = 0; k < pi->n; k++) {
        if (pi->ids[k] == KS_NONE) continue;
        int64_t bytes = ks_node_image_bytes(c, node, pi->ids[k]);
        if (bytes < 0) continue;
        sum += ks__image_scaled(bytes, c->image_nodes[pi->ids[k]], c->nodes.n);
    }
    return ks__image_locality_score(sum, pi->ncontainers);
}

/* tainttoleration Score: the PreferNoSchedule taints not tolerated by a toleration with effect ""
 * or PreferNoSchedule. */
static int64_t prefer_no_schedule_count(const ks_pod_spec *ps, const ks_node_spec *spec)
{
    int64_t count = 0;
    for (size_t k = 0; k < spec->ntaints; k++) {
        const ks_taint *t = &spec->taints[k];
        if (t->effect != KS_PREFER_NO_SCHEDULE) continue;
        bool ok = false;
        for (size_t j = 0; j < ps->ntolerations && !ok; j++) {
            const ks_toleration *tol = &ps->tolerations[j];
            ok = (tol->effect == -1 || tol->effect == KS_PREFER_NO_SCHEDULE) && tolerates(tol, t);
        }
        count += !ok;
    }
    return count;
}

/* FGD's score of a node for a pod shape, and its GPU choice, cached: the score depends only on
 * the node's GPU state (version) and the shape, and a cycle changes one node. */
#define KS_GPU_MEMO 16
typedef struct ks_gpu_memo {
    ks_gpu_pod shape;
    uint64_t version; /* 0: empty */
    int64_t score;
    uint32_t mask;
} ks_gpu_memo;

static int64_t fgd_score(ks_scheduler *s, const ks_cluster *c, const ks_gpu_pod *gp, uint32_t i, uint32_t *mask)
{
    const ks_gpu_table *g = &c->gpu;
    uint64_t h = (uint64_t)gp->cpu_milli * 0x9e3779b97f4a7c15ull ^ (uint64_t)gp->gpu_milli * 0xbf58476d1ce4e5b9ull ^
                 (uint64_t)gp->gpu_count * 0x94d049bb133111ebull ^ gp->model_mask;
    ks_gpu_memo *e = NULL;
    if (i < s->gpu_memo_nodes) {
        e = &s->gpu_memo[(size_t)i * KS_GPU_MEMO + ((h ^ (h >> 29)) & (KS_GPU_MEMO - 1))];
        if (e->version == g->version[i] && e->shape.cpu_milli == gp->cpu_milli && e->shape.gpu_count == gp->gpu_count &&
            e->shape.gpu_milli == gp->gpu_milli && e->shape.model_mask == gp->model_mask) {
            if (mask) *mask = e->mask;
            return e->score;
        }
    }
    uint32_t m = 0;
    int64_t score = ks_gpu_score_fgd(&g->node[i], gp, g->typical, g->ntypical, &m);
    if (e) *e = (ks_gpu_memo){*gp, g->version[i], score, m};
    if (mask) *mask = m;
    return score;
}

/* Sizes the FGD memo to the node count (entries of new nodes start empty). */
static void gpu_memo_fit(ks_scheduler *s, size_t nodes)
{
    if (nodes <= s->gpu_memo_nodes) return;
    size_t old = s->gpu_memo_nodes;
    s->gpu_memo = s->gpu_memo ? ks_realloc(s->gpu_memo, nodes * KS_GPU_MEMO * sizeof *s->gpu_memo)
                              : ks_malloc(mem_sched, nodes * KS_GPU_MEMO * sizeof *s->gpu_memo);
    memset(s->gpu_memo + old * KS_GPU_MEMO, 0, (nodes - old) * KS_GPU_MEMO * sizeof *s->gpu_memo);
    s->gpu_memo_nodes = nodes;
}

/* The FGD experiment's policies (gpushare.h; each cites its artifact file). Random scores 0 here:
 * its PreScore picks the node that gets 100 (gpu_prescore); BestFit is min-max normalised later. */
static int64_t gpu_score(ks_scheduler *s, const ks_cluster *c, const ks_sched_profile *prof, const ks_gpu_pod *gp,
                         uint32_t i)
{
    const ks_gpu_node *n = &c->gpu.node[i];
    switch (prof->gpu_policy) {
    case KS_GPU_POLICY_DOTPROD: return ks_gpu_score_dotprod(n, gp);
    case KS_GPU_POLICY_CLUSTERING: return ks_gpu_score_clustering(n, gp);
    case KS_GPU_POLICY_PACKING: return ks_gpu_score_packing(n, gp);
    case KS_GPU_POLICY_BESTFIT: return ks_gpu_score_bestfit_raw(n, gp);
    case KS_GPU_POLICY_FGD: return fgd_score(s, c, gp, i, NULL);
    default: return 0;
    }
}

/* The Random policy's PreScore (artifact random_score.go): one feasible node, drawn uniformly,
 * scores 100. */
static void gpu_prescore(const ks_sched_profile *prof, ks_raw_scores *raw, uint32_t n, gsl_rng *rng)
{
    if (prof->gpu_policy == KS_GPU_POLICY_RANDOM && prof->gpu_weight && n) raw[ks_gpu_random_node(rng, n)].gpu = 100;
}

static ks_raw_scores score_node(ks_scheduler *s, const ks_cluster *c, const ks_sched_profile *prof,
                                const ks_pod_spec *ps, const pod_images *pi, const ks_interpod *ip, uint32_t i)
{
    const ks_nodes *n = &c->nodes;
    const ks_node_spec *spec = &n->spec[i];
    ks_raw_scores r = {0, 0, 0, 0, 0, 0, 0, 0};
    if (prof->gpu_weight && prof->gpu_policy) r.gpu = gpu_score(s, c, prof, &pi->gpu, i);
    if (prof->image_weight) r.image = image_locality(c, pi, i);
    /* The rows are filled entry by entry, not zero-initialised: this runs for every scored node. */
    ks_res_row row;
    if (prof->fit_weight) { /* non-zero requests: resource_allocation.go calculateResourceAllocatableRequest */
        row.n = 0;
        add_row(&row, n->nz_cpu[i] + ps->nz_cpu_milli, n->alloc_cpu[i], prof->fit_cpu_weight);
        add_row(&row, n->nz_mem[i] + ps->nz_mem_bytes, n->alloc_mem[i], prof->fit_mem_weight);
        add_ext_row(n, i, &pi->fit_ext, &row);
        r.fit = prof->fit_strategy == KS_FIT_REQUESTED_TO_CAPACITY_RATIO ? ks_score_rtcr_row(prof, &row)
                                                                         : ks_score_fit_row(prof->fit_strategy, &row);
    }
    if (prof->balanced_weight) { /* real requests (useRequested); resources not listed are left out */
        row.n = 0;
        if (prof->bal_cpu) add_row(&row, n->req_cpu[i] + ps->req_cpu_milli, n->alloc_cpu[i], 1);
        if (prof->bal_mem) add_row(&row, n->req_mem[i] + ps->req_mem_bytes, n->alloc_mem[i], 1);
        add_ext_row(n, i, &pi->bal_ext, &row);
        r.balanced = ks_score_balanced_row(&row);
    }
    if (prof->taint_weight) r.taint = prefer_no_schedule_count(ps, spec);
    if (prof->affinity_weight)
        for (size_t k = 0; k < ps->npreferred; k++)
            if (term_matches(&ps->preferred[k].term, spec)) r.affinity += ps->preferred[k].weight;
    if (ks_interpod_spread_scores(ip)) r.spread = ks_interpod_spread_score(ip, i);
    if (ks_interpod_affinity_scores(ip)) r.interpod = ks_interpod_affinity_score(ip, i);
    return r;
}

/* helper.DefaultNormalizeScore (plugins/helper/normalize_score.go): scale to [0, 100] by the
 * maximum; reversed, and all zero gives every node 100. */
static int64_t normalize(int64_t raw, int64_t max, bool reverse)
{
    if (max == 0) return reverse ? 100 : 0;
    int64_t s = 100 * raw / max;
    return reverse ? 100 - s : s;
}

const char *const ks_plugin_names[KS_PLUGIN_COUNT] = {
    "TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity",
    "NodeResourcesBalancedAllocation", "ImageLocality", "GpuShareScore"};

const char *ks_plugin_name(const ks_sched_profile *prof, int plugin)
{
    if (plugin == KS_PLUGIN_GPU && prof->gpu_policy) return ks_gpu_policy_plugins[prof->gpu_policy];
    return ks_plugin_names[plugin];
}

int32_t ks_plugin_weight(const ks_sched_profile *prof, const ks_pod_spec *ps, int plugin)
{
    switch (plugin) {
    case KS_PLUGIN_TAINT: return prof->taint_weight;
    case KS_PLUGIN_AFFINITY: return ps->npreferred ? prof->affinity_weight : 0;
    case KS_PLUGIN_FIT: return prof->fit_weight;
    case KS_PLUGIN_BALANCED: return prof->balanced_weight;
    case KS_PLUGIN_IMAGE: return prof->image_weight;
    case KS_PLUGIN_SPREAD: return prof->spread_weight;
    case KS_PLUGIN_INTERPOD: return prof->interpod_weight;
    case KS_PLUGIN_GPU: return prof->gpu_policy ? prof->gpu_weight : 0;
    }
    return 0;
}

/* Whether the profile has any score plugin; with none, every node scores 1 (prioritizeNodes). */
static bool profile_scores(const ks_sched_profile *prof)
{
    return prof->fit_weight || prof->balanced_weight || prof->taint_weight || prof->image_weight ||
           prof->affinity_weight || prof->spread_weight || prof->interpod_weight || (prof->gpu_policy && prof->gpu_weight);
}

/* PodTopologySpread's and InterPodAffinity's weighted, normalised scores added to TOTALS[0..N) of
 * the nodes s->feasible[0..N), after ks_interpod_prescore. Their raw scores come from RAW, or
 * straight from the cycle state when RAW is NULL (the fast path). NORM as for weigh_scores. */
static void add_interpod_scores(ks_scheduler *s, const int32_t *weights, const ks_raw_scores *raw, uint32_t n,
                                double *totals, int64_t (*norm)[KS_PLUGIN_COUNT])
{
    const ks_interpod *ip = &s->ip;
    if (weights[KS_PLUGIN_SPREAD]) {
        for (uint32_t k = 0; k < n; k++)
            s->norm_a[k] = raw ? raw[k].spread : ks_interpod_spread_score(ip, s->feasible[k]);
        ks_interpod_spread_normalize(ip, s->feasible, s->norm_a, s->norm_b, n);
        for (uint32_t k = 0; k < n; k++) {
            totals[k] += (double)(weights[KS_PLUGIN_SPREAD] * s->norm_b[k]);
            if (norm) norm[k][KS_PLUGIN_SPREAD] = s->norm_b[k];
        }
    }
    if (weights[KS_PLUGIN_INTERPOD]) {
        for (uint32_t k = 0; k < n; k++)
            s->norm_a[k] = raw ? raw[k].interpod : ks_interpod_affinity_score(ip, s->feasible[k]);
        ks_interpod_affinity_normalize(s->norm_a, s->norm_b, n);
        for (uint32_t k = 0; k < n; k++) {
            totals[k] += (double)(weights[KS_PLUGIN_INTERPOD] * s->norm_b[k]);
            if (norm) norm[k][KS_PLUGIN_INTERPOD] = s->norm_b[k];
        }
    }
}

/* The weight each plugin has for this pod (0: it does not score it): the profile's, less the
 * inter-pod plugins whose PreScore skipped the pod. */
static void plugin_weights(const ks_scheduler *s, const ks_sched_profile *prof, const ks_pod_spec *ps,
                           int32_t *weights)
{
    for (int k = 0; k < KS_PLUGIN_COUNT; k++) weights[k] = ks_plugin_weight(prof, ps, k);
    if (!ks_interpod_spread_scores(&s->ip)) weights[KS_PLUGIN_SPREAD] = 0;
    if (!ks_interpod_affinity_scores(&s->ip)) weights[KS_PLUGIN_INTERPOD] = 0;
}

/* Every score plugin's weighted, normalised score added to TOTALS (framework.go RunScorePlugins:
 * NormalizeScore per plugin, then weights). RAW[k] belongs to node FEASIBLE[k]. NORM, when not
 * NULL, receives each plugin's normalised scores (KS_PLUGIN_COUNT per node); WEIGHTS the weight
 * each plugin got (0: it does not score this pod). */
static void weigh_scores(ks_scheduler *s, const ks_sched_profile *prof, const ks_pod_spec *ps, const ks_raw_scores *raw,
                         uint32_t n, double *totals, int64_t (*norm)[KS_PLUGIN_COUNT], int32_t *weights)
{
    plugin_weights(s, prof, ps, weights);
    int64_t max_taint = 0, max_aff = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (raw[k].taint > max_taint) max_taint = raw[k].taint;
        if (raw[k].affinity > max_aff) max_aff = raw[k].affinity;
        s->norm_a[k] = raw[k].gpu;
    }
    /* BestFit's NormalizeScore (artifact plugin_utils.go NormalizeScore): min-max over the nodes. */
    if (weights[KS_PLUGIN_GPU] && prof->gpu_policy == KS_GPU_POLICY_BESTFIT) ks_gpu_normalize_scores(s->norm_a, n);
    for (uint32_t k = 0; k < n; k++) {
        int64_t v[KS_PLUGIN_COUNT] = {
            [KS_PLUGIN_TAINT] = normalize(raw[k].taint, max_taint, true),
            [KS_PLUGIN_AFFINITY] = normalize(raw[k].affinity, max_aff, false),
            [KS_PLUGIN_FIT] = raw[k].fit,
            [KS_PLUGIN_BALANCED] = raw[k].balanced,
            [KS_PLUGIN_IMAGE] = raw[k].image,
            [KS_PLUGIN_GPU] = s->norm_a[k],
        };
        int64_t total = 0;
        for (int p = 0; p < KS_PLUGIN_COUNT; p++) total += weights[p] * v[p];
        totals[k] = (double)total;
        if (norm) memcpy(norm[k], v, sizeof v);
    }
    add_interpod_scores(s, weights, raw, n, totals, norm);
}

bool ks_sched_filter_one(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *sp, uint32_t node, bool refresh,
                         ks_explain_node *out)
{
    ks_cluster *c = &w->cluster;
    ks_scheduler *s = &w->sched;
    pod_ext pe;
    find_pod_ext(c, prof, sp->spec, &pe);
    if (sp->has_self) pe.self = sp->self;
    if (refresh) ks_interpod_prefilter(&s->ip, c, prof, sp);
    dyn_reasons dyn;
    unsigned r = filter_node(c, prof, sp->spec, &pe, &s->ip, node, &dyn);
    if (out) {
        out->feasible = r == 0;
        out->unresolvable = (r & R_UNRESOLVABLE) != 0;
        out->nreasons = 0;
        for (int k = 0; k < R_COUNT && out->nreasons < 8; k++)
            if (((r >> k) & 1u) && reason_text_of[k])
                snprintf(out->reasons[out->nreasons++], sizeof out->reasons[0], "%s", reason_text_of[k]);
        for (int k = 0; k < dyn.n && out->nreasons < 8; k++)
            snprintf(out->reasons[out->nreasons++], sizeof out->reasons[0], "%s", dyn.text[k]);
    }
    return r == 0;
}

ks_sched_pod ks_sched_pod_of(const ks_world *w, uint32_t pod)
{
    const ks_cluster *c = &w->cluster;
    const ks_pod *p = &c->pods[pod];
    ks_sched_pod sp = {.spec = p->spec, .has_self = true, .self = pod};
    if (p->owner != KS_NONE) {
        const ks_replicaset *rs = &c->rs[p->owner];
        sp.template_hash = rs->hash;
        sp.owner_selector = &c->deployments[rs->deployment].spec->selector;
    }
    return sp;
}

int ks_sched_explain(ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps, ks_explain_node *out)
{
    ks_sched_pod pod = {.spec = ps};
    return ks_sched_explain_pod(w, prof, &pod, out);
}

int ks_sched_explain_pod(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *pod, ks_explain_node *out)
{
    ks_cluster *c = &w->cluster;
    ks_scheduler *s = &w->sched;
    const ks_pod_spec *ps = pod->spec;
    uint32_t nnodes = (uint32_t)c->nodes.n;
    scratch_reserve(s, nnodes ? nnodes : 1);
    if (prof->gpu_policy == KS_GPU_POLICY_FGD) gpu_memo_fit(s, nnodes);
    pod_images pi;
    find_pod_images(c, prof, ps, &pi);
    pod_ext pe;
    find_pod_ext(c, prof, ps, &pe);
    ks_interpod_prefilter(&s->ip, c, prof, pod);
    uint32_t nfeasible = 0;
    for (uint32_t i = 0; i < nnodes; i++) {
        ks_explain_node *e = &out[i];
        memset(e, 0, sizeof *e);
        e->node = i;
        dyn_reasons dyn;
        unsigned r = filter_node(c, prof, ps, &pe, &s->ip, i, &dyn);
        e->feasible = r == 0;
        e->unresolvable = (r & R_UNRESOLVABLE) != 0;
        for (int k = 0; k < R_COUNT && e->nreasons < 8; k++)
            if (((r >> k) & 1u) && reason_text_of[k])
                snprintf(e->reasons[e->nreasons++], sizeof e->reasons[0], "%s", reason_text_of[k]);
        for (int k = 0; k < dyn.n && e->nreasons < 8; k++)
            snprintf(e->reasons[e->nreasons++], sizeof e->reasons[0], "%s", dyn.text[k]);
        if (e->feasible) s->feasible[nfeasible++] = i;
    }
    if (nfeasible == 0) return -1;
    ks_interpod_prescore(&s->ip, s->feasible, nfeasible);
    for (uint32_t k = 0; k < nfeasible; k++) s->raw[k] = score_node(s, c, prof, ps, &pi, &s->ip, s->feasible[k]);
    gpu_prescore(prof, s->raw, nfeasible, w->rng_sched);
    int64_t(*norm)[KS_PLUGIN_COUNT] = ks_malloc(mem_sched, nfeasible * sizeof *norm);
    int32_t weights[KS_PLUGIN_COUNT];
    weigh_scores(s, prof, ps, s->raw, nfeasible, s->scores, norm, weights);
    int best = -1;
    for (uint32_t k = 0; k < nfeasible; k++) {
        ks_explain_node *e = &out[s->feasible[k]];
        const ks_raw_scores *r = &s->raw[k];
        int64_t raw[KS_PLUGIN_COUNT] = {r->taint, r->affinity, r->fit, r->spread, r->interpod, r->balanced, r->image, r->gpu};
        memcpy(e->raw, raw, sizeof raw);
        memcpy(e->normalized, norm[k], sizeof norm[k]);
        memcpy(e->weight, weights, sizeof weights);
        e->total = (int64_t)s->scores[k];
        if (best < 0 || e->total > out[best].total) best = (int)s->feasible[k];
    }
    ks_free(norm);
    return best;
}

/* How many of V[0..N) equal X: a vectorised sum (compiled per instruction set). */
__attribute__((target_clones("avx512f", "avx2", "default"))) uint64_t ks__count_equal(const double *restrict v,
                                                                                      uint32_t n, double x)
{
    double count = 0;
#pragma omp simd reduction(+ : count)
    for (uint32_t k = 0; k < n; k++) count += v[k] == x ? 1 : 0;
    return (uint64_t)count;
}

uint64_t ks__select_host_pick(uint64_t nties, gsl_rng *rng)
{
    /* schedule_one.go selectHost pops the maximum total, then each further node with that total
     * (cntOfMaxScore++) replaces the choice when rand.Intn(cntOfMaxScore) == 0: reservoir
     * sampling over the ties of the maximum, in list order. Go's generator is not reproduced, so
     * what carries over is the law, and the reservoir here skips between replacements
     * (ks_rng_reservoir_next): the same law, ~ln(ties) draws instead of one per tie — on a
     * cluster of identical nodes hundreds tie. A single best node draws nothing, as upstream. */
    uint64_t pick = 1;
    while (pick < nties) { /* no draw once the last tie has been reached */
        uint64_t next = ks_rng_reservoir_next(rng, pick);
        if (next > nties) break;
        pick = next;
    }
    return pick;
}

uint32_t ks__nth_equal(const double *v, uint32_t n, double x, uint64_t nth)
{
    /* Whole chunks counted in vectors, the last one scanned. */
    enum { CHUNK = 64 };
    uint32_t k = 0;
    for (; n - k > CHUNK; k += CHUNK) {
        uint64_t in_chunk = ks__count_equal(v + k, CHUNK, x);
        if (in_chunk >= nth) break;
        nth -= in_chunk;
    }
    for (; k < n; k++)
        if (v[k] == x && --nth == 0) return k;
    return n;
}

uint32_t ks_sched_select_host(const double *totals, uint32_t n, gsl_rng *rng)
{
    double top = totals[0];
    for (uint32_t k = 1; k < n; k++) top = totals[k] > top ? totals[k] : top;
    return ks__nth_equal(totals, n, top, ks__select_host_pick(ks__count_equal(totals, n, top), rng));
}

/* selectHost with the node-order tie-break: the best total, and among equals the lowest rank
 * (the FGD artifact's lexicographically smallest "%04d-" prefixed name). Nodes added since the
 * ranks were drawn rank after the others, in order. */
static uint32_t select_by_rank(ks_scheduler *s, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t k = 1; k < n; k++) {
        uint32_t a = s->feasible[k], b = s->feasible[best];
        uint32_t ra = a < s->nranked ? s->node_rank[a] : a, rb = b < s->nranked ? s->node_rank[b] : b;
        if (s->scores[k] > s->scores[best] || (s->scores[k] == s->scores[best] && ra < rb)) best = k;
    }
    return best;
}

/* The GPUs POD gets on NODE by the profile's rule (artifact open_gpu_share.go allocateGpuId with
 * each policy's -gpusel): FGD's own choice, a uniform pick among the GPUs that fit for Random,
 * best fit otherwise. 0 for a pod without GPUs or on a node the table does not track. */
static uint32_t gpu_pick(ks_world *w, const ks_sched_profile *prof, const ks_gpu_pod *gp, uint32_t node)
{
    const ks_gpu_table *g = &w->cluster.gpu;
    const ks_gpu_node *n = &g->node[node];
    if (!gp->gpu_count || !n->gpu_count) return 0;
    uint32_t mask = 0;
    switch (prof->gpu_policy) {
    case KS_GPU_POLICY_RANDOM: return ks_gpu_pick_random(n, gp, w->rng_sched);
    case KS_GPU_POLICY_FGD: fgd_score(&w->sched, &w->cluster, gp, node, &mask); return mask;
    default: return ks_gpu_pick_best_fit(n, gp);
    }
}

static void park_unschedulable(ks_world *w, uint32_t pod, ks_time at)
{
    ks_scheduler *s = &w->sched;
    if (s->nunschedulable == s->unschedulable_cap) {
        size_t cap = s->unschedulable_cap;
        ks_grow(mem_sched, (void **)&s->unschedulable, &cap, s->nunschedulable + 1, sizeof *s->unschedulable);
        cap = s->unschedulable_cap;
        ks_grow(mem_sched, (void **)&s->unschedulable_since, &cap, s->nunschedulable + 1,
                sizeof *s->unschedulable_since);
        s->unschedulable_cap = cap;
    }
    w->cluster.pods[pod].queue_state = KS_Q_UNSCHEDULABLE;
    s->unschedulable[s->nunschedulable] = pod;
    s->unschedulable_since[s->nunschedulable++] = at;
}

/* Why nodes failed, for the FitError message: counts per fixed reason, and reasons whose text
 * varies (taints, extended resources) counted per distinct text. */
enum { MAX_VARYING = 16 };
typedef struct fit_reasons {
    uint32_t counts[R_COUNT];
    char varying[MAX_VARYING][160];
    uint32_t varying_counts[MAX_VARYING];
    size_t nvarying;
} fit_reasons;

/* ---------------------------------------------------------------- the fast path */

static bool fast_path_off;

void ks_sched_set_fast_path(bool on) { fast_path_off = !on; }

/* Pods kernel.c takes: nothing that needs per-node strings beyond taints and images (no
 * nodeName, host ports or extended resources), a Fit strategy it
 * computes in vectors, and no inter-pod filter (PodTopologySpread DoNotSchedule, required
 * (anti-)affinity, existing pods' anti-affinity: per-node verdicts over pod counts). Inter-pod
 * scores are fine: they are added over the feasible set the kernel returns. Nominated pods (after
 * a preemption) count in the Fit filter of the general path only, so while there are any, every
 * pod goes there. Everything else, and the FitError reasons, stay on the general path. */
static bool kernel_takes(const ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps,
                         const ks_interpod *ip)
{
    const ks_cluster *c = &w->cluster;
    if (ps->next_req) return false;
    /* GPU sharing (a share, a GPU policy) and the node-order tie-break: the general path only. */
    if (ps->gpu_milli > 0 || (prof->gpu_policy && prof->gpu_weight) || w->sched.node_rank) return false;
    if (ps->max_per_node) return false; /* MaxPerNode: a per-node verdict over pod counts */
    if (prof->fit_weight && prof->fit_strategy == KS_FIT_REQUESTED_TO_CAPACITY_RATIO) return false;
    if (prof->fit_cpu_weight > 100 || prof->fit_mem_weight > 100) return false; /* kernel.c's exact mean */
    if (ip->spread_filtering || ip->interpod_filtering || c->nodes.nnominated) return false;
    if (prof->node_name_filter && ps->node_name && ps->node_name[0]) return false;
    for (size_t k = 0; k < ps->ncontainers; k++)
        if (ps->containers[k].nhost_ports) return false;
    return true;
}

typedef struct kernel_ctx {
    ks_scheduler *s;
    const ks_sched_profile *prof;
    const ks_pod_spec *ps;
    bool aff_score;
} kernel_ctx;

/* NodeAffinity on one node for kernel.c's column: -1 when the filter rejects it, else the summed
 * weights of the matching preferred terms. */
static double kernel_affinity_verdict(const void *ctx, const ks_node_spec *spec)
{
    const kernel_ctx *k = ctx;
    if (k->prof->affinity_filter && !node_affinity_matches(k->ps, spec)) return -1;
    int64_t raw = 0;
    for (size_t i = 0; k->aff_score && i < k->ps->npreferred; i++)
        if (term_matches(&k->ps->preferred[i].term, spec)) raw += k->ps->preferred[i].weight;
    return (double)raw;
}

/* The key of a pod's NodeAffinity column: its nodeSelector, required and preferred terms and the
 * switches that decide what the column holds, serialised into B (fields end with 0x1f, lists
 * with 0x1e). False when it does not fit (the pod then takes the general path). */
typedef struct key_buf {
    char *p;
    size_t n, cap;
    bool full;
} key_buf;

static void key_put(key_buf *b, const char *s, char end)
{
    size_t len = strlen(s);
    if (b->full || b->n + len + 1 > b->cap) {
        b->full = true;
        return;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n++] = end;
}

static void key_term(key_buf *b, const ks_node_term *t)
{
    char num[24];
    for (size_t i = 0; i < t->n; i++) {
        const ks_node_requirement *r = &t->reqs[i];
        snprintf(num, sizeof num, "%d%d", (int)r->op, (int)r->field);
        key_put(b, num, 0x1f);
        key_put(b, r->key, 0x1f);
        for (size_t v = 0; v < r->nvalues; v++) key_put(b, r->values[v], 0x1f);
        key_put(b, "", 0x1d);
    }
    key_put(b, "", 0x1e);
}

static bool affinity_key(const ks_sched_profile *prof, const ks_pod_spec *ps, bool score, key_buf *b)
{
    char num[32];
    b->n = 0;
    b->full = false;
    snprintf(num, sizeof num, "%d%d%d%zu", (int)prof->affinity_filter, (int)score, (int)ps->has_required,
             ps->node_selector.n);
    key_put(b, num, 0x1e);
    for (size_t i = 0; i < ps->node_selector.n; i++) {
        key_put(b, ps->node_selector.items[i].key, 0x1f);
        key_put(b, ps->node_selector.items[i].value, 0x1f);
    }
    key_put(b, "", 0x1e);
    for (size_t i = 0; i < ps->nrequired; i++) key_term(b, &ps->required_terms[i]);
    key_put(b, "", 0x1e);
    for (size_t i = 0; score && i < ps->npreferred; i++) {
        snprintf(num, sizeof num, "%d", (int)ps->preferred[i].weight);
        key_put(b, num, 0x1f);
        key_term(b, &ps->preferred[i].term);
    }
    return !b->full;
}

/* The first two filters and the TaintToleration score, for a tainted or unschedulable node. */
static double kernel_taint_verdict(const void *ctx, const ks_node_spec *spec)
{
    const kernel_ctx *k = ctx;
    if (spec->deleted) return -1;
    if (k->prof->unschedulable_filter && spec->unschedulable && !tolerated(k->ps, &unschedulable_taint)) return -1;
    if (k->prof->taint_filter && untolerated_taint(spec, k->ps)) return -1;
    return k->prof->taint_weight ? (double)prefer_no_schedule_count(k->ps, spec) : 0;
}

/* PodTopologySpread and InterPodAffinity over the feasible set the kernel wrote to s->feasible. */
static void kernel_extra(const void *ctx, uint32_t nfeasible)
{
    const kernel_ctx *k = ctx;
    ks_interpod_prescore(&k->s->ip, k->s->feasible, nfeasible);
    int32_t weights[KS_PLUGIN_COUNT]; /* PreScore decides whether the two plugins score this pod */
    plugin_weights(k->s, k->prof, k->ps, weights);
    add_interpod_scores(k->s, weights, NULL, nfeasible, k->s->scores, NULL);
}

static bool select_fast(ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps, uint32_t want,
                        ks_select_result *res)
{
    ks_scheduler *s = &w->sched;
    if (!s->kernel) s->kernel = ks_kernel_create();
    pod_images pi;
    find_pod_images(&w->cluster, prof, ps, &pi);
    kernel_ctx ctx = {.s = s, .prof = prof, .ps = ps, .aff_score = ks_plugin_weight(prof, ps, KS_PLUGIN_AFFINITY) != 0};
    bool extra = ks_interpod_may_score(&s->ip);
    /* NodeAffinity: a column per distinct set of terms (kernel.c), keyed by their serialisation. */
    static _Thread_local char key_space[4096];
    key_buf key = {key_space, 0, sizeof key_space, false};
    bool affinity = ps->node_selector.n || ps->has_required || (ctx.aff_score && ps->npreferred);
    if (affinity && !affinity_key(prof, ps, ctx.aff_score, &key)) return false;
    ks_kernel_pod kp = {
        .req_cpu = ps->req_cpu_milli, .req_mem = ps->req_mem_bytes, .req_eph = ps->req_eph_bytes,
        .nz_cpu = ps->nz_cpu_milli, .nz_mem = ps->nz_mem_bytes,
        .fit_filter = prof->fit_filter, .most_allocated = prof->fit_strategy == KS_FIT_MOST_ALLOCATED,
        .fit_w_cpu = prof->fit_cpu_weight, .fit_w_mem = prof->fit_mem_weight,
        .bal_cpu = prof->bal_cpu, .bal_mem = prof->bal_mem,
        .w_fit = prof->fit_weight, .w_balanced = prof->balanced_weight, .w_taint = prof->taint_weight,
        .w_image = prof->image_weight,
        .images = pi.ids, .nimages = pi.n, .ncontainers = pi.ncontainers,
        .taint_verdict = kernel_taint_verdict, .ctx = &ctx,
        .extra = extra ? kernel_extra : NULL, .feasible_out = s->feasible, .totals_out = s->scores,
        .scoring = profile_scores(prof),
        .affinity = affinity ? kernel_affinity_verdict : NULL, .aff_key = key.p, .aff_key_len = key.n,
        .w_affinity = ctx.aff_score ? prof->affinity_weight : 0,
    };
    return ks_kernel_select(s->kernel, &w->cluster, &kp, s->next_start_node, want, w->rng_sched, res);
}

/* One cycle's node selection (schedule_one.go schedulePod): filter from the round-robin start
 * until numFeasibleNodesToFind feasible nodes are found, score them, selectHost. Advances the
 * start index; FR receives the failure reasons. */
static ks_select_result select_node(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *pod,
                                     fit_reasons *fr)
{
    ks_scheduler *s = &w->sched;
    ks_cluster *c = &w->cluster;
    const ks_pod_spec *ps = pod->spec;
    uint32_t nnodes = (uint32_t)c->nodes.n;
    scratch_reserve(s, nnodes ? nnodes : 1);
    if (prof->gpu_policy == KS_GPU_POLICY_FGD) gpu_memo_fit(s, nnodes);
    int32_t pct = prof->percentage_of_nodes_to_score >= 0 ? prof->percentage_of_nodes_to_score
                                                          : s->cfg->percentage_of_nodes_to_score;
    uint32_t want = ks_num_feasible_nodes_to_find(pct, nnodes);
    uint32_t nfeasible = 0, processed = 0;
    uint32_t *counts = fr->counts;
    memset(fr, 0, sizeof *fr);
    pod_ext pe;
    find_pod_ext(c, prof, ps, &pe);
    if (pod->has_self) pe.self = pod->self;
    ks_interpod_prefilter(&s->ip, c, prof, pod);
    /* A node nominated by an earlier preemption is tried first, and taken if it passes
     * (schedule_one.go findNodesThatFitPod, evaluateNominatedNode). */
    uint32_t nominated = pod->has_self ? c->pods[pod->self].nominated : KS_NONE;
    if (nominated != KS_NONE) {
        dyn_reasons dyn;
        if (filter_node(c, prof, ps, &pe, &s->ip, nominated, &dyn) == 0)
            return (ks_select_result){nominated, 1, 1, nnodes};
    }
    /* The fast path; when no node fits, the general loop below runs again for the reasons (the
     * kernel drew nothing and left the start index alone). */
    ks_select_result fast;
    if (!fast_path_off && kernel_takes(w, prof, ps, &s->ip) && select_fast(w, prof, ps, want, &fast) && fast.nfeasible > 0) {
        s->next_start_node = (s->next_start_node + fast.processed) % nnodes;
        return fast;
    }
    for (; processed < nnodes && nfeasible < want; processed++) {
        uint32_t i = (s->next_start_node + processed) % nnodes;
        dyn_reasons dyn;
        unsigned r = filter_node(c, prof, ps, &pe, &s->ip, i, &dyn);
        s->unresolvable[i] = (r & R_UNRESOLVABLE) != 0;
        if (r == 0) {
            s->feasible[nfeasible++] = i;
            continue;
        }
        for (int k = 0; k < R_COUNT; k++) counts[k] += (r >> k) & 1u;
        for (int d = 0; d < dyn.n; d++) {
            size_t t = 0;
            while (t < fr->nvarying && strcmp(fr->varying[t], dyn.text[d])) t++;
            if (t == fr->nvarying && fr->nvarying < MAX_VARYING) {
                memcpy(fr->varying[fr->nvarying], dyn.text[d], sizeof fr->varying[0]);
                fr->varying_counts[fr->nvarying++] = 0;
            }
            if (t < fr->nvarying) fr->varying_counts[t]++;
        }
    }
    if (nnodes) s->next_start_node = (s->next_start_node + processed) % nnodes;

    uint32_t chosen = KS_NONE;
    if (nfeasible == 1) {
        chosen = s->feasible[0]; /* a single feasible node is taken without scoring */
    } else if (nfeasible > 1) {
        bool scoring = profile_scores(prof);
        ks_raw_scores *raw = s->raw;
        pod_images pi;
        find_pod_images(c, prof, ps, &pi);
        ks_interpod_prescore(&s->ip, s->feasible, nfeasible);
        const ks_interpod *ip = &s->ip;
#pragma omp parallel for schedule(static) if (nfeasible >= 4096)
        for (uint32_t k = 0; k < nfeasible; k++) raw[k] = score_node(s, c, prof, ps, &pi, ip, s->feasible[k]);
        gpu_prescore(prof, raw, nfeasible, w->rng_sched);
        int32_t weights[KS_PLUGIN_COUNT];
        weigh_scores(s, prof, ps, raw, nfeasible, s->scores, NULL, weights);
        if (!scoring)
            for (uint32_t k = 0; k < nfeasible; k++) s->scores[k] = 1;
        chosen = s->feasible[s->node_rank ? select_by_rank(s, nfeasible) : ks_sched_select_host(s->scores, nfeasible, w->rng_sched)];
    }

    return (ks_select_result){chosen, processed, nfeasible, nnodes};
}

ks_select_result ks_sched_select_pod(ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *pod)
{
    fit_reasons fr;
    return select_node(w, prof, pod, &fr);
}

ks_select_result ks_sched_select(ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps)
{
    ks_sched_pod pod = {.spec = ps};
    return ks_sched_select_pod(w, prof, &pod);
}

static void on_cycle(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ev;
    ks_world *w = ctx;
    ks_scheduler *s = &w->sched;
    ks_cluster *c = &w->cluster;
    if (s->active.n == 0) {
        s->busy = false;
        return;
    }
    ks_time now = ks_sim_now(sim);
    uint32_t pod = heap_pop(&s->active, c, active_before);
    ks_pod *p = &c->pods[pod];
    if (p->deleted != KS_NEVER) { /* deleted while queued: the informer removed it */
        p->queue_state = KS_Q_DONE;
        ks_sim_at(sim, now, w->ev.sched_cycle, 0, 0);
        return;
    }
    const ks_pod_spec *ps = p->spec;
    const ks_sched_profile *prof = ks_sched_config_profile(s->cfg, ps->scheduler_name);
    p->attempts++;
    s->attempts++;
    p->queue_state = KS_Q_IN_FLIGHT;

    fit_reasons fr;
    ks_sched_pod sp = ks_sched_pod_of(w, pod);
    ks_select_result sel = select_node(w, prof, &sp, &fr);
    uint32_t chosen = sel.chosen, processed = sel.processed, nfeasible = sel.nfeasible, nnodes = sel.nnodes;
    const ks_timings *t = w->timings;
    ks_time cost = ks_dist_sample_ns(&t->sched_cycle_cost, w->rng_sched) +
                   (ks_time)processed * ks_dist_sample_ns(&t->sched_node_cost, w->rng_sched);
    if (nfeasible > 1) cost += (ks_time)nfeasible * ks_dist_sample_ns(&t->sched_score_cost, w->rng_sched);
    ks_time end = now + cost;

    if (chosen != KS_NONE) {
        /* Reserve (Open-Gpu-Share) picks the pod's GPUs; assume: the pod counts on the node at
         * once; the binding's API write follows. */
        ks_gpu_pod gp = ks_gpu_pod_of(c, ps);
        p->gpu_mask = gpu_pick(w, prof, &gp, chosen);
        ks_cluster_assign(c, pod, chosen);
        p->scheduled = end;
        p->queue_state = KS_Q_DONE;
        s->bound++;
        /* DefaultBinder: POST pods/<name>/binding, a create, from the scheduler's client. */
        ks_api_call(&w->api, end, KS_CLIENT_SCHEDULER, KS_VERB_CREATE, w->ev.sched_bound, pod, 0);
    } else {
        char msg[2300];
        const char *reasons[R_COUNT + MAX_VARYING];
        uint32_t all_counts[R_COUNT + MAX_VARYING];
        size_t nr = 0;
        for (int k = 0; k < R_COUNT; k++) {
            if (!reason_text_of[k]) continue;
            reasons[nr] = reason_text_of[k];
            all_counts[nr++] = fr.counts[k];
        }
        for (size_t j = 0; j < fr.nvarying; j++) {
            reasons[nr] = fr.varying[j];
            all_counts[nr++] = fr.varying_counts[j];
        }
        /* "0/N nodes": the nodes in the snapshot, deleted ones not among them. */
        ks_fit_error_message(msg, sizeof msg, nnodes - (uint32_t)c->nodes.ndeleted, reasons, all_counts, nr);
        /* PostFilter: DefaultPreemption; its message follows the FitError's (framework/types.go
         * FitError.Error, v1.30+: one space, no extra period). */
        char post[1100];
        if (prof->preemption && nnodes > 0 && ks_preempt(w, prof, &sp, post, sizeof post)) post[0] = 0;
        else if (!prof->preemption || nnodes == 0) post[0] = 0;
        if (post[0]) {
            size_t len = strlen(msg);
            snprintf(msg + len, sizeof msg - len, " %s", post);
        }
        ks_cluster_event(c, end, "Pod", ps->namespace, p->name, "Warning", "FailedScheduling",
                         "default-scheduler", "%s", msg);
        s->unschedulable_attempts++;
        /* Backoff grows with attempts: initial * 2^(attempts-1), capped (scheduling_queue.go
         * calculateBackoffDuration). */
        ks_time backoff = s->cfg->pod_initial_backoff;
        for (uint32_t k = 1; k < p->attempts && backoff < s->cfg->pod_max_backoff; k++) backoff *= 2;
        if (backoff > s->cfg->pod_max_backoff) backoff = s->cfg->pod_max_backoff;
        p->backoff_until = end + backoff;
        park_unschedulable(w, pod, end);
    }
    /* The FGD experiment's series: a pod arrives at its first attempt. */
    if (p->attempts == 1) ks_gpu_series_record(w, pod, chosen != KS_NONE, end);
    /* The scheduler is busy until END; that event starts the next cycle, or idles it. */
    ks_sim_at(sim, end, w->ev.sched_cycle, 0, 0);
}

static void on_bound(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    p->bound = ks_sim_now(sim);
    p->resource_version = ks_cluster_bump(c);
    /* Upstream records "Scheduled" once the binding has succeeded (schedule_one.go bindingCycle). */
    ks_cluster_event(c, p->bound, "Pod", p->spec->namespace, p->name, "Normal", "Scheduled",
                     "default-scheduler", "Successfully assigned %s/%s to %s", p->spec->namespace, p->name,
                     c->nodes.spec[p->node].name);
    ks_kubelet_watch_pod(w, ev->target);
}

static void on_watch(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_scheduler_add_pod(ctx, ev->target);
}

void ks_scheduler_init(ks_world *w)
{
    mem_sched = ks_mem_purpose("scheduler");
    w->ev.sched_watch = ks_sim_register(w->sim, "scheduler.watch", on_watch, w);
    w->ev.sched_cycle = ks_sim_register(w->sim, "scheduler.cycle", on_cycle, w);
    w->ev.sched_bound = ks_sim_register(w->sim, "scheduler.bound", on_bound, w);
    w->ev.sched_move = ks_sim_register(w->sim, "scheduler.move_all", on_move, w);
    w->ev.sched_flush_backoff = ks_sim_register(w->sim, "scheduler.flush_backoff", on_flush_backoff, w);
    w->ev.sched_flush_unschedulable =
        ks_sim_register(w->sim, "scheduler.flush_unschedulable", on_flush_unschedulable, w);
    ks_sim_after(w->sim, BACKOFF_FLUSH_PERIOD, w->ev.sched_flush_backoff, 0, 0);
    ks_sim_after(w->sim, UNSCHEDULABLE_FLUSH_PERIOD, w->ev.sched_flush_unschedulable, 0, 0);
    if (w->timings->sched_tie_break == KS_TIE_NODE_ORDER) {
        /* The FGD artifact prefixes every node name with "%04d-" from rand.Perm(n) (pkg/simulator/
         * simulator.go) and its selectHost takes the smallest name: a uniform random ranking. */
        ks_scheduler *s = &w->sched;
        s->nranked = w->cluster.nodes.n;
        s->node_rank = ks_malloc(mem_sched, (s->nranked ? s->nranked : 1) * sizeof *s->node_rank);
        for (size_t i = 0; i < s->nranked; i++) s->node_rank[i] = (uint32_t)i;
        gsl_ran_shuffle(ks_rng_stream(w->rngs, "scheduler.tiebreak"), s->node_rank, s->nranked, sizeof *s->node_rank);
    }
}

void ks_scheduler_free(ks_scheduler *s)
{
    ks_free(s->active.ids);
    ks_free(s->backoff.ids);
    ks_free(s->unschedulable);
    ks_free(s->unschedulable_since);
    ks_free(s->feasible);
    ks_free(s->scores);
    ks_free(s->raw);
    ks_free(s->norm_a);
    ks_free(s->norm_b);
    ks_free(s->unresolvable);
    ks_interpod_free(&s->ip);
    ks_kernel_destroy(s->kernel);
    ks_free(s->node_rank);
    ks_free(s->gpu_memo);
    memset(s, 0, sizeof *s);
}
