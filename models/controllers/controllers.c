/* controllers.c — the Deployment and ReplicaSet controllers (kube-controller-manager).
 *
 * Each is a reconcile loop: observe (what its informer has delivered), compare with the spec,
 * act (API writes). This version models creation, scaling up and down (a Scenario's scale
 * action), and the replacement of pods that stopped being active; rollouts come later.
 *
 * Deployment (pkg/controller/deployment/sync.go getNewReplicaSet): creates the ReplicaSet
 * "<deployment>-<pod-template-hash>" with the Deployment's replicas and records
 * ScalingReplicaSet "Scaled up replica set <rs> to <n>".
 *
 * ReplicaSet (pkg/controller/replicaset/replica_set.go manageReplicas): diff = replicas - active,
 * capped at BurstReplicas = 500 per sync; creates in slow-start batches of 1, 2, 4, … — each batch
 * issued at once, the next when the whole batch has returned (slowStartBatch with
 * SlowStartInitialBatchSize = 1, pkg/controller/controller_utils.go). ControllerExpectations:
 * the controller does not sync again until it has observed every pod it created, so a stale
 * informer never double-creates. Each create records SuccessfulCreate "Created pod: <name>".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "job.h"
#include "world.h"

#define BURST_REPLICAS 500 /* pkg/controller/replicaset/replica_set.go */

enum { DEPLOY_SYNC, DEPLOY_RS_COMMITTED, DEPLOY_RS_SCALED, DEPLOY_DEADLINE, DEPLOY_RS_DELETED };
enum { OBSERVE_CREATED, OBSERVE_GONE };

static ks_mem_id mem_ctrl;

static void rs_request_sync(ks_world *w, uint32_t rs, ks_time delay)
{
    ks_replicaset *r = &w->cluster.rs[rs];
    if (r->sync_scheduled) return;
    r->sync_scheduled = true;
    ks_sim_after(w->sim, delay, w->ev.rs_sync, rs, 0);
}

/* ---- Deployment controller (pkg/controller/deployment: sync.go, rolling.go, recreate.go) */

/* Event args: the operation in the low 8 bits, a ReplicaSet id in bits 8..31, a replica count in
 * the high 32. */
#define DARG(op, rs, n) ((uint64_t)(op) | ((uint64_t)(rs) << 8) | ((uint64_t)(uint32_t)(n) << 32))
#define DARG_OP(a) ((uint32_t)((a) & 0xff))
#define DARG_RS(a) ((uint32_t)(((a) >> 8) & 0xffffff))
#define DARG_N(a) ((int32_t)(uint32_t)((a) >> 32))

/* intstr.GetScaledValueFromIntOrPercent: a percentage of TOTAL, rounded up or down. */
static int32_t scaled(ks_int_or_percent v, int32_t total, bool round_up)
{
    if (!v.percent) return v.value;
    int64_t x = (int64_t)v.value * total;
    return (int32_t)(round_up ? (x + 99) / 100 : x / 100);
}

/* deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 becomes
 * maxUnavailable 1. */
static void fenceposts(const ks_deployment *d, int32_t *surge, int32_t *unavailable)
{
    *surge = scaled(d->spec->max_surge, d->replicas, true);
    *unavailable = scaled(d->spec->max_unavailable, d->replicas, false);
    if (*surge == 0 && *unavailable == 0) *unavailable = 1;
}

/* status.availableReplicas of a ReplicaSet as its controller computes it: active pods (not
 * terminating) that have been Ready for minReadySeconds (podutil.IsPodAvailable). O(pods):
 * rollouts are rare next to pod events. */
static int32_t rs_available(const ks_world *w, uint32_t rs)
{
    const ks_cluster *c = &w->cluster;
    ks_time now = ks_sim_now(w->sim), min_ready = KS_SEC(c->deployments[c->rs[rs].deployment].spec->min_ready_s);
    int32_t n = 0;
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        n += p->owner == rs && !p->terminating && p->deleted == KS_NEVER && p->phase == KS_PHASE_RUNNING &&
             p->ready != KS_NEVER && p->ready + min_ready <= now;
    }
    return n;
}

static void scale_rs(ks_world *w, uint32_t dep, uint32_t rs, int32_t to)
{
    if (w->cluster.rs[rs].replicas == to) return;
    ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_DEPLOYMENT, KS_VERB_UPDATE, w->ev.deploy_sync, dep,
                DARG(DEPLOY_RS_SCALED, rs, to));
}

/* The ReplicaSets of deployment DEP, oldest first (creation order is index order). */
static size_t deployment_rss(const ks_world *w, uint32_t dep, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < w->cluster.nrs && n < max; i++)
        if (w->cluster.rs[i].deployment == dep && !w->cluster.rs[i].removed) out[n++] = (uint32_t)i;
    return n;
}

/* The rollout made progress (a ReplicaSet created or scaled, a pod available): the
 * progressDeadlineSeconds clock restarts (deploymentutil.DeploymentProgressing). */
static void progressed(ks_world *w, uint32_t dep)
{
    ks_deployment *d = &w->cluster.deployments[dep];
    if (d->rollout_started == KS_NEVER || d->rollout_completed != KS_NEVER) return;
    d->progress_at = ks_sim_now(w->sim);
    ks_sim_after(w->sim, KS_SEC(d->spec->progress_deadline_s), w->ev.deploy_sync, dep, DEPLOY_DEADLINE);
}

/* sync.go cleanupDeployment: old ReplicaSets beyond revisionHistoryLimit, oldest first, are
 * deleted once they are scaled to 0 and have no pods left. */
static void cleanup_history(ks_world *w, uint32_t dep, const uint32_t *rss, size_t n, uint32_t new_rs)
{
    const ks_cluster *c = &w->cluster;
    int64_t diff = (int64_t)n - 1 - c->deployments[dep].spec->revision_history_limit;
    for (size_t i = 0; i < n && diff > 0; i++) {
        if (rss[i] == new_rs || c->rs[rss[i]].replicas != 0) continue;
        bool pods = false;
        for (size_t k = 0; k < c->npods && !pods; k++) pods = c->pods[k].owner == rss[i] && c->pods[k].deleted == KS_NEVER;
        if (pods) continue;
        ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_DEPLOYMENT, KS_VERB_DELETE, w->ev.deploy_sync, dep,
                    DARG(DEPLOY_RS_DELETED, rss[i], 0));
        diff--;
    }
}

static void deployment_sync(ks_world *w, uint32_t dep)
{
    ks_cluster *c = &w->cluster;
    ks_deployment *d = &c->deployments[dep];
    if (d->creating) return; /* the new ReplicaSet's create is in flight */
    uint32_t rss[64];
    size_t n = deployment_rss(w, dep, rss, 64);
    uint32_t new_rs = KS_NONE;
    int64_t all = 0, old = 0;
    for (size_t i = 0; i < n; i++) {
        if (c->rs[rss[i]].tmpl == d->tmpl) new_rs = rss[i];
        else old += c->rs[rss[i]].replicas;
        all += c->rs[rss[i]].replicas;
    }
    if (d->spec->strategy == KS_STRATEGY_RECREATE) {
        /* recreate.go: scale every old ReplicaSet to 0, wait until their pods are gone, then
         * bring the new one up to full size. */
        bool old_pods = false;
        for (size_t i = 0; i < n; i++) {
            if (rss[i] == new_rs) continue;
            scale_rs(w, dep, rss[i], 0);
            for (size_t k = 0; k < c->npods && !old_pods; k++)
                old_pods = c->pods[k].owner == rss[i] && c->pods[k].deleted == KS_NEVER;
        }
        if (old > 0 || old_pods) return;
        if (new_rs == KS_NONE) {
            d->creating = true;
            ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_DEPLOYMENT, KS_VERB_CREATE, w->ev.deploy_sync, dep,
                        DARG(DEPLOY_RS_COMMITTED, 0, d->replicas));
        } else {
            scale_rs(w, dep, new_rs, d->replicas);
            if (c->rs[new_rs].replicas == d->replicas && rs_available(w, new_rs) == d->replicas) {
                if (d->rollout_started != KS_NEVER && d->rollout_completed == KS_NEVER)
                    d->rollout_completed = ks_sim_now(w->sim);
                cleanup_history(w, dep, rss, n, new_rs);
            }
        }
        return;
    }
    /* rolling.go rolloutRolling. */
    int32_t surge, unavailable;
    fenceposts(d, &surge, &unavailable);
    int32_t new_replicas = new_rs == KS_NONE ? 0 : c->rs[new_rs].replicas;
    /* deploymentutil.NewRSNewReplicas: grow the new ReplicaSet as far as maxSurge allows. */
    int64_t max_total = (int64_t)d->replicas + surge, want = new_replicas;
    if (all < max_total) {
        int64_t up = max_total - all;
        if (up > d->replicas - new_replicas) up = d->replicas - new_replicas;
        if (up > 0) want = new_replicas + up;
    }
    if (new_replicas > d->replicas) want = d->replicas;
    if (new_rs == KS_NONE) {
        d->creating = true;
        ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_DEPLOYMENT, KS_VERB_CREATE, w->ev.deploy_sync, dep,
                    DARG(DEPLOY_RS_COMMITTED, 0, (int32_t)want));
        return;
    }
    if (want != new_replicas) scale_rs(w, dep, new_rs, (int32_t)want);
    if (old == 0) {
        /* DeploymentComplete: every replica updated and available, none old. */
        if (new_replicas == d->replicas && rs_available(w, new_rs) == d->replicas) {
            if (d->rollout_started != KS_NEVER && d->rollout_completed == KS_NEVER)
                d->rollout_completed = ks_sim_now(w->sim);
            cleanup_history(w, dep, rss, n, new_rs);
        }
        return;
    }
    /* reconcileOldReplicaSets: never below minAvailable, counting the new ReplicaSet's pods that
     * are not available yet. */
    int32_t min_available = d->replicas - unavailable;
    int32_t new_unavailable = new_replicas - rs_available(w, new_rs);
    int64_t max_scaled_down = all - min_available - new_unavailable;
    if (max_scaled_down <= 0) return;
    int32_t target[64], available = 0;
    for (size_t i = 0; i < n; i++) {
        target[i] = c->rs[rss[i]].replicas;
        available += rs_available(w, rss[i]);
    }
    /* cleanupUnhealthyReplicas: unavailable old pods go first, oldest ReplicaSet first. */
    int64_t cleaned = 0;
    for (size_t i = 0; i < n && cleaned < max_scaled_down; i++) {
        if (rss[i] == new_rs) continue;
        int64_t unhealthy = target[i] - rs_available(w, rss[i]);
        if (unhealthy <= 0) continue;
        int64_t k = unhealthy < max_scaled_down - cleaned ? unhealthy : max_scaled_down - cleaned;
        target[i] -= (int32_t)k;
        cleaned += k;
    }
    /* scaleDownOldReplicaSetsForRollingUpdate: then available ones, down to minAvailable. */
    int64_t budget = (int64_t)available - min_available;
    for (size_t i = 0; i < n && budget > 0; i++) {
        if (rss[i] == new_rs || target[i] == 0) continue;
        int64_t k = target[i] < budget ? target[i] : budget;
        target[i] -= (int32_t)k;
        budget -= k;
    }
    for (size_t i = 0; i < n; i++)
        if (rss[i] != new_rs) scale_rs(w, dep, rss[i], target[i]);
}

/* Coalesces sync requests: one pending sync at the earliest time asked for; when it runs, a
 * later request it could not yet see (a pod that becomes available after minReadySeconds) gets
 * its own sync then. */
static void deploy_request_sync(ks_world *w, uint32_t dep, ks_time delay)
{
    ks_deployment *d = &w->cluster.deployments[dep];
    ks_time at = ks_sim_now(w->sim) + delay;
    if (d->last_request == KS_NEVER || at > d->last_request) d->last_request = at;
    if (d->next_sync != KS_NEVER && d->next_sync <= at) return;
    d->next_sync = at;
    ks_sim_at(w->sim, at, w->ev.deploy_sync, dep, DARG(DEPLOY_SYNC, 0, 0));
}

static void on_deploy(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    uint32_t dep = ev->target;
    ks_deployment *d = &c->deployments[dep];
    switch (DARG_OP(ev->arg)) {
    case DEPLOY_SYNC: {
        ks_time now = ks_sim_now(sim);
        if (d->next_sync != now) return; /* superseded by an earlier sync */
        d->next_sync = KS_NEVER;
        if (d->deleted) return;
        deployment_sync(w, dep);
        if (d->last_request != KS_NEVER && d->last_request > now) {
            d->next_sync = d->last_request;
            ks_sim_at(sim, d->last_request, w->ev.deploy_sync, dep, DARG(DEPLOY_SYNC, 0, 0));
        }
        return;
    }
    case DEPLOY_DEADLINE:
        /* No progress for progressDeadlineSeconds: Progressing=False, ProgressDeadlineExceeded
         * ("ReplicaSet \"<name>\" has timed out progressing."). A condition, not an Event; the
         * controller keeps trying. */
        if (d->rollout_started != KS_NEVER && d->rollout_completed == KS_NEVER && d->deadline_exceeded == KS_NEVER &&
            ks_sim_now(sim) - d->progress_at >= KS_SEC(d->spec->progress_deadline_s))
            d->deadline_exceeded = ks_sim_now(sim);
        return;
    case DEPLOY_RS_DELETED:
        c->rs[DARG_RS(ev->arg)].removed = true;
        return;
    case DEPLOY_RS_SCALED: {
        /* The new replica count has committed (sync.go scaleReplicaSetAndRecordEvent). */
        ks_replicaset *r = &c->rs[DARG_RS(ev->arg)];
        int32_t from = r->replicas, to = DARG_N(ev->arg);
        if (from == to) return;
        progressed(w, dep);
        r->replicas = to;
        r->resource_version = ks_cluster_bump(c);
        ks_cluster_event(c, ks_sim_now(sim), "Deployment", d->spec->namespace, d->spec->name, "Normal",
                         "ScalingReplicaSet", "deployment-controller", "Scaled %s replica set %s to %d from %d",
                         to > from ? "up" : "down", r->name, to, from);
        rs_request_sync(w, DARG_RS(ev->arg), ks_world_watch(w));
        deploy_request_sync(w, dep, ks_world_watch(w));
        return;
    }
    case DEPLOY_RS_COMMITTED: {
        /* The new ReplicaSet "<deployment>-<pod-template-hash>" exists (sync.go getNewReplicaSet). */
        const ks_deployment_spec *ds = d->spec;
        char name[512];
        snprintf(name, sizeof name, "%s-%s", ds->name, d->tmpl_hash);
        ks_grow(mem_ctrl, (void **)&c->rs, &c->rs_cap, c->nrs + 1, sizeof *c->rs);
        uint32_t rs = (uint32_t)c->nrs++;
        c->rs[rs] = (ks_replicaset){
            .name = ks_strdup(mem_ctrl, name),
            .hash = d->tmpl_hash,
            .namespace = ds->namespace,
            .deployment = dep,
            .tmpl = d->tmpl,
            .replicas = DARG_N(ev->arg),
            .resource_version = ks_cluster_bump(c),
        };
        d->rs = rs;
        d->creating = false;
        progressed(w, dep);
        d->resource_version = ks_cluster_bump(c);
        ks_cluster_event(c, ks_sim_now(sim), "Deployment", ds->namespace, ds->name, "Normal", "ScalingReplicaSet",
                         "deployment-controller", "Scaled up replica set %s to %d", name, c->rs[rs].replicas);
        rs_request_sync(w, rs, ks_world_watch(w));
        deploy_request_sync(w, dep, ks_world_watch(w));
        return;
    }
    }
}

/* Issues one slow-start batch of creates at once (upstream runs them as goroutines); each goes
 * through the controller's token bucket and commits on its own. */
static void rs_issue_batch(ks_world *w, uint32_t rs, uint32_t size)
{
    ks_replicaset *r = &w->cluster.rs[rs];
    r->batch_size = size;
    r->batch_left = size;
    r->expected_adds += size;
    for (uint32_t i = 0; i < size; i++)
        ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_REPLICASET, KS_VERB_CREATE, w->ev.pod_committed, rs, 0);
}

static uint32_t rs_diff(const ks_replicaset *r)
{
    int64_t diff = (int64_t)r->replicas - (int64_t)r->active;
    if (diff > BURST_REPLICAS) diff = BURST_REPLICAS;
    return diff > 0 ? (uint32_t)diff : 0;
}

/* ---- scale-down: which pods go first (pkg/controller/controller_utils.go ActivePodsWithRanks) */

typedef struct victim {
    uint32_t pod;
    int32_t rank; /* active pods of the ReplicaSet on the same node */
} victim;

/* qsort has no context argument in C17 (qsort_r is a GNU/BSD extension with two different
 * signatures), so the comparator reads these; set just before the sort, single-threaded. */
static const ks_cluster *rank_cluster;
static ks_time rank_now;

static int phase_ordinal(const ks_pod *p)
{
    /* podPhaseToOrdinal: Pending 0, Unknown 1, Running 2 */
    return p->phase == KS_PHASE_PENDING ? 0 : p->phase == KS_PHASE_UNKNOWN ? 1 : 2;
}

static bool is_ready(const ks_pod *p) { return p->ready != KS_NEVER && p->phase == KS_PHASE_RUNNING; }

/* logarithmicRankDiff: compares ages on a log2 scale of nanoseconds, so pods of similar age are
 * treated alike (the LogarithmicScaleDown feature, on by default since v1.22). */
static int log_rank_diff(ks_time t1, ks_time t2)
{
    ks_time d1 = rank_now - t1, d2 = rank_now - t2;
    int r1 = d1 > 0 ? (int)log2((double)d1) : -1, r2 = d2 > 0 ? (int)log2((double)d2) : -1;
    return r1 - r2;
}

/* Less: the pod to delete first sorts first. */
static int victim_cmp(const void *va, const void *vb)
{
    const victim *a = va, *b = vb;
    const ks_pod *pa = &rank_cluster->pods[a->pod], *pb = &rank_cluster->pods[b->pod];
    bool ua = pa->node == KS_NONE, ub = pb->node == KS_NONE;
    if (ua != ub) return ua ? -1 : 1;                                       /* 1. unassigned first */
    if (phase_ordinal(pa) != phase_ordinal(pb)) return phase_ordinal(pa) - phase_ordinal(pb); /* 2. */
    if (is_ready(pa) != is_ready(pb)) return is_ready(pa) ? 1 : -1;         /* 3. not ready first */
    if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;               /* 5. doubled up first */
    if (is_ready(pa) && is_ready(pb) && pa->ready != pb->ready) {           /* 6. ready more recently */
        int d = log_rank_diff(pa->ready, pb->ready);
        if (d != 0) return d;
    }
    if (pa->restarts != pb->restarts) return pa->restarts > pb->restarts ? -1 : 1; /* 7. more restarts */
    if (pa->created != pb->created) {                                       /* 8. newer first */
        int d = log_rank_diff(pa->created, pb->created);
        if (d != 0) return d;
    }
    return a->pod < b->pod ? -1 : a->pod > b->pod; /* upstream compares UIDs: any fixed order */
}

/* Deletes DIFF active pods of the ReplicaSet, best victims first. Cost O(all pods): scale-downs
 * are rare, and the ReplicaSet keeps no pod list of its own. */
static void rs_scale_down(ks_world *w, uint32_t rs, uint32_t diff)
{
    ks_cluster *c = &w->cluster;
    ks_mem_id mem = ks_mem_purpose("controllers");
    victim *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        if (p->owner != rs || p->terminating || p->deleted != KS_NEVER || p->deleted_by_owner ||
            p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED)
            continue;
        ks_grow(mem, (void **)&v, &cap, n + 1, sizeof *v);
        v[n++] = (victim){(uint32_t)i, 0};
    }
    /* getPodsRankedByRelatedPodsOnSameNode: a pod's rank is the number of related active pods —
     * those of every ReplicaSet of the same Deployment — on its node (counted per node first:
     * O(pods + nodes), not O(pods^2)). */
    int32_t *on_node = ks_calloc(mem, c->nodes.n ? c->nodes.n : 1, sizeof *on_node);
    uint32_t dep = c->rs[rs].deployment;
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        if (p->owner == KS_NONE || c->rs[p->owner].deployment != dep || p->node == KS_NONE || p->terminating ||
            p->deleted != KS_NEVER || p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED)
            continue;
        on_node[p->node]++;
    }
    for (size_t i = 0; i < n; i++)
        if (c->pods[v[i].pod].node != KS_NONE) v[i].rank = on_node[c->pods[v[i].pod].node];
    ks_free(on_node);
    rank_cluster = c;
    rank_now = ks_sim_now(w->sim);
    qsort(v, n, sizeof *v, victim_cmp);
    if (diff > n) diff = (uint32_t)n;
    for (uint32_t k = 0; k < diff; k++) {
        c->pods[v[k].pod].deleted_by_owner = 1;
        ks_world_delete_pod(w, KS_CLIENT_REPLICASET, v[k].pod);
    }
    c->rs[rs].active -= diff;
    ks_free(v);
}

static void on_rs_sync(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    ks_replicaset *r = &w->cluster.rs[ev->target];
    r->sync_scheduled = false;
    if (r->removed) return; /* deleted: nothing to reconcile */
    /* Expectations not yet satisfied: the observation of the last pod will resync. */
    if (r->expected_adds || r->batch_left) return;
    if ((int64_t)r->active > (int64_t)r->replicas) {
        int64_t surplus = (int64_t)r->active - r->replicas;
        rs_scale_down(w, ev->target, (uint32_t)(surplus < BURST_REPLICAS ? surplus : BURST_REPLICAS));
        return;
    }
    uint32_t diff = rs_diff(r);
    if (diff == 0) return;
    r->created_this_sync = 0;
    rs_issue_batch(w, ev->target, 1);
}

/* The RS's pod informer: an observed create lowers the expectations; when all are observed and
 * pods are still missing, the RS syncs again. */
static void on_rs_observe(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    ks_replicaset *r = &w->cluster.rs[ev->target];
    if (ev->arg == OBSERVE_GONE) {
        /* A pod stopped being active (controller.IsPodActive: Succeeded, Failed or deleting): the
         * ReplicaSet replaces it. */
        r->active--;
        if (r->expected_adds == 0 && r->batch_left == 0 && rs_diff(r) > 0) rs_request_sync(w, ev->target, 0);
        return;
    }
    r->active++;
    r->expected_adds--;
    if (r->expected_adds == 0 && r->batch_left == 0 && rs_diff(r) > 0) rs_request_sync(w, ev->target, 0);
}

static uint32_t ev_rs_observe;

/* A create has committed: the pod exists in etcd from now on. */
static void on_pod_committed(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    uint32_t rs = ev->target;
    /* Pod names: "<rs>-<5 characters>" from upstream's alphabet without vowels or confusable
     * digits (k8s.io/apimachinery/pkg/util/rand String, used by generateName). */
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char name[560];
    int len = snprintf(name, sizeof name - 6, "%s-", c->rs[rs].name);
    for (int i = 0; i < 5; i++) name[len + i] = alphabet[ks_rng_below(w->rng_names, sizeof alphabet - 1)];
    name[len + 5] = 0;
    uint32_t pod = ks_cluster_add_pod(c, name, c->rs[rs].tmpl, rs, ks_sim_now(sim));
    ks_replicaset *r = &c->rs[rs];
    ks_cluster_event(c, ks_sim_now(sim), "ReplicaSet", r->namespace, r->name, "Normal", "SuccessfulCreate",
                     "replicaset-controller", "Created pod: %s", name);
    ks_world_watch_new_pod(w, pod);
    ks_sim_after(sim, ks_world_watch(w), ev_rs_observe, rs, 0);
    r->created_this_sync++;
    if (--r->batch_left == 0) {
        /* slowStartBatch: the next batch doubles, bounded by what this sync still has to create. */
        int64_t remaining = (int64_t)rs_diff(r) - (int64_t)(r->expected_adds);
        int64_t budget = BURST_REPLICAS - (int64_t)r->created_this_sync;
        if (remaining > budget) remaining = budget;
        uint32_t next = r->batch_size * 2;
        if ((int64_t)next > remaining) next = remaining > 0 ? (uint32_t)remaining : 0;
        if (next) rs_issue_batch(w, rs, next);
    }
}

void ks_controllers_register(ks_world *w)
{
    mem_ctrl = ks_mem_purpose("controllers");
    w->ev.deploy_sync = ks_sim_register(w->sim, "deployment.sync", on_deploy, w);
    w->ev.rs_sync = ks_sim_register(w->sim, "replicaset.sync", on_rs_sync, w);
    w->ev.pod_committed = ks_sim_register(w->sim, "apiserver.pod_created", on_pod_committed, w);
    ev_rs_observe = ks_sim_register(w->sim, "replicaset.observe", on_rs_observe, w);
}

void ks_controllers_pod_inactive(ks_world *w, uint32_t pod)
{
    if (ks_jobs_pod_inactive(w, pod)) return; /* a Job's pod (job.c) */
    uint32_t rs = w->cluster.pods[pod].owner;
    if (rs != KS_NONE) ks_sim_after(w->sim, ks_world_watch(w), ev_rs_observe, rs, OBSERVE_GONE);
}

void ks_controllers_delete_deployment(ks_world *w, uint32_t deployment)
{
    ks_cluster *c = &w->cluster;
    ks_deployment *d = &c->deployments[deployment];
    if (d->deleted) return;
    d->deleted = true;
    d->replicas = 0;
    d->resource_version = ks_cluster_bump(c);
    if (w->gc_client == 0) w->gc_client = ks_api_add_client(&w->api, &w->timings->controller_manager, KS_COMP_GARBAGE_COLLECTOR);
    for (size_t k = 0; k < c->nrs; k++) {
        ks_replicaset *r = &c->rs[k];
        if (r->deployment != deployment || r->removed) continue;
        r->removed = true;
        r->replicas = 0;
        for (uint32_t q = 0; q < c->npods; q++) {
            const ks_pod *p = &c->pods[q];
            if (p->owner == k && p->deleted == KS_NEVER && !p->terminating && p->phase != KS_PHASE_SUCCEEDED &&
                p->phase != KS_PHASE_FAILED)
                ks_world_delete_pod(w, w->gc_client, q);
        }
    }
}

void ks_controllers_scale(ks_world *w, uint32_t deployment, int32_t replicas)
{
    ks_deployment *d = &w->cluster.deployments[deployment];
    d->replicas = replicas;
    d->resource_version = ks_cluster_bump(&w->cluster);
    deploy_request_sync(w, deployment, ks_world_watch(w));
}

void ks_controllers_update_template(ks_world *w, uint32_t deployment, const ks_pod_spec *tmpl, const char *hash)
{
    ks_deployment *d = &w->cluster.deployments[deployment];
    d->tmpl = tmpl;
    d->tmpl_hash = hash;
    d->resource_version = ks_cluster_bump(&w->cluster);
    d->rollout_started = ks_sim_now(w->sim);
    d->rollout_completed = d->deadline_exceeded = KS_NEVER;
    progressed(w, deployment);
    deploy_request_sync(w, deployment, ks_world_watch(w));
}

/* A pod became Ready or went away: Deployments mid-rollout re-evaluate (the ReplicaSet status
 * update that upstream's Deployment controller watches), after minReadySeconds for a Ready. */
void ks_controllers_pod_changed(ks_world *w, uint32_t pod, bool ready)
{
    const ks_cluster *c = &w->cluster;
    uint32_t rs = c->pods[pod].owner;
    if (rs == KS_NONE) return;
    uint32_t dep = c->rs[rs].deployment;
    const ks_deployment *d = &c->deployments[dep];
    uint32_t rss[64];
    size_t n = deployment_rss(w, dep, rss, 64);
    if (n < 2 && d->spec->strategy != KS_STRATEGY_RECREATE) return; /* no rollout in progress */
    if (ready) progressed(w, dep); /* counted when the pod becomes available, a little early */
    deploy_request_sync(w, dep, ks_world_watch(w) + (ready ? KS_SEC(d->spec->min_ready_s) : 0));
}

uint32_t ks_controllers_add_deployment(ks_world *w, const ks_deployment_spec *spec)
{
    ks_cluster *c = &w->cluster;
    if (c->deployments_cap < c->ndeployments) c->deployments_cap = c->ndeployments; /* sized exactly at t = 0 */
    ks_grow(mem_ctrl, (void **)&c->deployments, &c->deployments_cap, c->ndeployments + 1, sizeof *c->deployments);
    uint32_t dep = (uint32_t)c->ndeployments++;
    c->deployments[dep] = (ks_deployment){.spec = spec,
                                          .replicas = spec->replicas,
                                          .tmpl = &spec->template,
                                          .tmpl_hash = spec->template_hash,
                                          .next_sync = KS_NEVER,
                                          .last_request = KS_NEVER,
                                          .rollout_started = KS_NEVER,
                                          .rollout_completed = KS_NEVER,
                                          .progress_at = KS_NEVER,
                                          .deadline_exceeded = KS_NEVER,
                                          .rs = KS_NONE,
                                          .back_at = KS_NEVER,
                                          .resource_version = ks_cluster_bump(c)};
    deploy_request_sync(w, dep, ks_world_watch(w));
    return dep;
}

void ks_controllers_start(ks_world *w)
{
    /* Each Deployment's first sync, once the controller's informer has seen it (a Scenario's
     * create makes one later than t = 0). */
    for (size_t i = 0; i < w->cluster.ndeployments; i++)
        deploy_request_sync(w, (uint32_t)i, w->cluster.deployments[i].spec->at + ks_world_watch(w));
}
