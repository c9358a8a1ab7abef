/* nodelifecycle.c — see nodelifecycle.h. Upstream rules restated here (kubernetes v1.31):
 *   pkg/controller/nodelifecycle/node_lifecycle_controller.go   monitorNodeHealth,
 *       tryUpdateNodeHealth, processTaintBaseEviction, doNoExecuteTaintingPass,
 *       doNoScheduleTaintingPass, handleDisruption, ComputeZoneState, setLimiterInZone,
 *       ReducedQPSFunc, markNodeAsReachable
 *   pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go  RateLimitedTimedQueue.Try,
 *       SwapLimiter (token bucket, burst EvictionRateLimiterBurst = 1)
 *   pkg/controller/util/node/controller_utils.go   MarkPodsNotReady, RecordNodeStatusChange
 *   pkg/controller/tainteviction/taint_eviction.go  processPodOnNode, getMinTolerationTime,
 *       addConditionAndDeletePod, emitPodDeletionEvent, emitCancelPodDeletionEvent
 *   plugin/pkg/admission/defaulttolerationseconds/admission.go
 *   staging/src/k8s.io/api/core/v1/toleration.go   ToleratesTaint
 */
#include "nodelifecycle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"
#include "scheduler.h"
#include "stats.h"
#include "world.h"

/* node_lifecycle_controller.go NodeEvictionPeriod: how often the NoExecute queues are tried. */
#define EVICTION_PERIOD KS_MS(100)

static const char *const UNREACHABLE = "node.kubernetes.io/unreachable";
static const char *const NOT_READY = "node.kubernetes.io/not-ready";
static const char *const UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

enum { ZONE_NORMAL, ZONE_PARTIAL, ZONE_FULL };

/* The taint writes the controllers make, as event arguments. */
enum {
    OP_ADD_NOSCHEDULE, /* unreachable (Ready Unknown) */
    OP_REMOVE_NOSCHEDULE,
    OP_ADD_NOEXECUTE,
    OP_REMOVE_NOEXECUTE,
    OP_ADD_NOSCHEDULE_NOT_READY, /* not-ready (Ready False) */
    OP_ADD_NOEXECUTE_NOT_READY,
};

typedef struct zone {
    char *name;
    uint8_t state;
    uint32_t size;
    /* The zone's NoExecute tainting limiter: a token bucket of burst 1, so its state is the time
     * its one token is back (NEVER with rate 0). */
    double qps;
    ks_time ready_at;
    uint32_t *queue; /* nodes waiting for the NoExecute taint, in order */
    size_t head, n, cap;
} zone;

/* One failure of one node: when it failed, went NotReady (detected), got the NoExecute taint
 * and recovered (KS_NEVER: not in the run), and the pods the taint eviction controller deleted. */
typedef struct failure {
    uint32_t node;
    uint8_t mode;
    ks_time failed, not_ready, tainted, recovered;
    uint32_t evicted;
} failure;

typedef struct pending {
    uint32_t pod, node, epoch;
    ks_time at;
} pending;

typedef struct ks_nlc {
    size_t nnodes;
    ks_time *probe, *seen_renew;
    uint8_t *cond;    /* Ready, as the controller wrote it or the kubelet posted it */
    uint8_t *queued;  /* in its zone's NoExecute queue */
    uint8_t *noexec;  /* the controller's NoExecute taint is on the node (or being written): 1 unreachable, 2 not-ready */
    uint32_t *zone_of;
    uint32_t *epoch; /* bumped when the NoExecute taints go: pending evictions of older epochs are off */
    zone *zones;
    size_t nzones;
    bool first_pass, polling;
    pending *pend;
    size_t npend, cap_pend;
    failure *fail;
    size_t nfail, cap_fail;
    uint32_t *open; /* per node: its open failure, KS_NONE if none */
    ks_nlc_stats stats;
    gsl_rng *rng;
    uint32_t t_monitor, t_poll, t_status, t_notready_seen, t_taint, t_noexec_seen, t_evict_due, t_evict_patched,
        t_pod_status, t_evict_try, t_evict_commit, t_rf_fail, t_rf_repair, t_podgc, t_podgc_failed;
    bool podgc_running;
    ks_time *deleted_at; /* per node: when its Node object was deleted (KS_NEVER: it exists) */
    size_t ndeleted_known; /* nodes deleted_at covers */
    gsl_rng *rng_failures;
} ks_nlc;

static ks_mem_id mem_nlc(void) { return ks_mem_purpose("controllers"); }

static void fail_node(ks_world *w, uint32_t node, ks_fail_mode mode);

/* Whether NODE is failed in any mode (down, or its runtime down). */
static bool failed(const ks_world *w, uint32_t node) { return w->node_down[node] || w->runtime_down[node]; }
static void recover_node(ks_world *w, uint32_t node);

static const char *node_name(const ks_world *w, uint32_t node) { return w->cluster.nodes.spec[node].name; }

/* ---------------------------------------------------------------- the zones' limiters */

static ks_time token_period(double qps) { return (ks_time)llround(1e9 / qps); }

/* rate.Limiter.Allow with burst 1: take the token if it is there. */
static bool try_accept(zone *z, ks_time now)
{
    if (z->qps <= 0 || now < z->ready_at) return false;
    z->ready_at = now + token_period(z->qps);
    return true;
}

/* RateLimitedTimedQueue.SwapLimiter: a new bucket at QPS, full, unless the old one is empty at
 * the moment ("if we're currently waiting on limiter, we drain the new one"). */
static void swap_limiter(zone *z, double qps, ks_time now)
{
    if (z->qps == qps) return;
    bool waiting = !(z->qps > 0 && now >= z->ready_at);
    z->qps = qps;
    z->ready_at = qps <= 0 ? KS_NEVER : waiting ? now + token_period(qps) : 0;
}

/* setLimiterInZone with ReducedQPSFunc / HealthyQPSFunc. */
static void set_limiter(const ks_world *w, zone *z, ks_time now)
{
    const ks_timings *t = w->timings;
    double qps = t->node_eviction_rate;
    if (z->state == ZONE_PARTIAL)
        qps = (int64_t)z->size > t->large_cluster_size_threshold ? t->secondary_node_eviction_rate : 0;
    swap_limiter(z, qps, now);
}

static void enqueue(ks_nlc *s, uint32_t node)
{
    if (s->queued[node]) return; /* UniqueQueue */
    zone *z = &s->zones[s->zone_of[node]];
    if (z->head + z->n == z->cap) {
        if (z->head) {
            memmove(z->queue, z->queue + z->head, z->n * sizeof *z->queue);
            z->head = 0;
        } else {
            ks_grow(mem_nlc(), (void **)&z->queue, &z->cap, z->n + 1, sizeof *z->queue);
        }
    }
    z->queue[z->head + z->n++] = node;
    s->queued[node] = 1;
}

static void dequeue(ks_nlc *s, uint32_t node)
{
    if (!s->queued[node]) return;
    zone *z = &s->zones[s->zone_of[node]];
    size_t keep = 0;
    for (size_t i = 0; i < z->n; i++)
        if (z->queue[z->head + i] != node) z->queue[z->head + keep++] = z->queue[z->head + i];
    z->n = keep;
    s->queued[node] = 0;
}

/* ---------------------------------------------------------------- taint writes */

/* The node lifecycle controller's PATCH of the node's taints, through its client; OP applies when
 * it commits. */
static void write_taint(ks_world *w, uint32_t node, int op)
{
    ks_api_call(&w->api, ks_sim_now(w->sim), KS_CLIENT_NODE_LIFECYCLE, KS_VERB_PATCH, w->nlc->t_taint, node,
                (uint64_t)op);
}

/* Informers see a node change: the scheduler moves its unschedulable pods back (NodeUpdate). */
static void node_changed(ks_world *w)
{
    ks_sim_after(w->sim, ks_world_watch(w), w->ev.sched_move, 0, 0);
}

static void on_taint(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    uint32_t node = ev->target;
    ks_cluster *c = &w->cluster;
    switch ((int)ev->arg) {
    case OP_ADD_NOSCHEDULE:
        ks_cluster_node_remove_taint(c, node, NOT_READY, KS_NO_SCHEDULE);
        ks_cluster_node_add_taint(c, node, UNREACHABLE, "", KS_NO_SCHEDULE);
        break;
    case OP_ADD_NOSCHEDULE_NOT_READY:
        ks_cluster_node_remove_taint(c, node, UNREACHABLE, KS_NO_SCHEDULE);
        ks_cluster_node_add_taint(c, node, NOT_READY, "", KS_NO_SCHEDULE);
        break;
    case OP_REMOVE_NOSCHEDULE: {
        bool a = ks_cluster_node_remove_taint(c, node, UNREACHABLE, KS_NO_SCHEDULE);
        bool b = ks_cluster_node_remove_taint(c, node, NOT_READY, KS_NO_SCHEDULE);
        if (a || b) node_changed(w);
        break;
    }
    case OP_ADD_NOEXECUTE_NOT_READY:
        /* SwapNodeControllerTaint: not-ready in, unreachable out. */
        ks_cluster_node_remove_taint(c, node, UNREACHABLE, KS_NO_EXECUTE);
        if (ks_cluster_node_add_taint(c, node, NOT_READY, "", KS_NO_EXECUTE)) {
            s->stats.noexecute_taints++;
            if (s->open[node] != KS_NONE && s->fail[s->open[node]].tainted == KS_NEVER)
                s->fail[s->open[node]].tainted = ks_sim_now(sim);
            ks_sim_after(w->sim, ks_world_watch(w), s->t_noexec_seen, node, 0);
        }
        break;
    case OP_ADD_NOEXECUTE:
        /* SwapNodeControllerTaint: unreachable in, not-ready out. */
        ks_cluster_node_remove_taint(c, node, NOT_READY, KS_NO_EXECUTE);
        if (ks_cluster_node_add_taint(c, node, UNREACHABLE, "", KS_NO_EXECUTE)) {
            s->stats.noexecute_taints++;
            if (s->open[node] != KS_NONE && s->fail[s->open[node]].tainted == KS_NEVER)
                s->fail[s->open[node]].tainted = ks_sim_now(sim);
            ks_sim_after(w->sim, ks_world_watch(w), s->t_noexec_seen, node, 0);
        }
        break;
    case OP_REMOVE_NOEXECUTE: {
        bool a = ks_cluster_node_remove_taint(c, node, UNREACHABLE, KS_NO_EXECUTE);
        bool b = ks_cluster_node_remove_taint(c, node, NOT_READY, KS_NO_EXECUTE);
        if (a || b) {
            /* The taint eviction controller cancels what it had scheduled on this node. */
            s->epoch[node]++;
            ks_time now = ks_sim_now(w->sim);
            for (size_t i = 0; i < s->npend; i++) {
                pending *p = &s->pend[i];
                if (p->node != node || p->at <= now) continue;
                const ks_pod *pod = &c->pods[p->pod];
                ks_cluster_event(c, now, "Pod", pod->spec->namespace, pod->name, "Normal", "TaintManagerEviction",
                                 "taint-eviction-controller", "Cancelling deletion of Pod %s/%s", pod->spec->namespace,
                                 pod->name);
                s->stats.evictions_cancelled++;
                p->at = 0; /* spent */
            }
            node_changed(w);
        }
        break;
    }
    }
}

/* ---------------------------------------------------------------- taint eviction */

/* v1.Toleration.ToleratesTaint. */
static bool tolerates(const ks_toleration *t, const ks_taint *taint)
{
    if (t->effect >= 0 && t->effect != (int)taint->effect) return false;
    if (t->key[0] && strcmp(t->key, taint->key) != 0) return false;
    if (t->op == KS_TOL_EXISTS) return true;
    return strcmp(t->value, taint->value) == 0;
}

/* DefaultTolerationSeconds admission: a pod without a toleration for not-ready (or unreachable)
 * NoExecute — a key of its own or empty, effect NoExecute or empty — gets {key, Exists,
 * NoExecute, tolerationSeconds}. */
static bool needs_default(const ks_pod_spec *ps, const char *key)
{
    for (size_t i = 0; i < ps->ntolerations; i++) {
        const ks_toleration *t = &ps->tolerations[i];
        if ((!t->key[0] || !strcmp(t->key, key)) && (t->effect < 0 || t->effect == KS_NO_EXECUTE)) return false;
    }
    return true;
}

/* processPodOnNode: -1 when some NoExecute taint is not tolerated (delete now), -2 when the pod
 * tolerates them all for ever, else the smallest tolerationSeconds of the tolerations used. */
static int64_t toleration_seconds(const ks_world *w, const ks_pod_spec *ps, const ks_node_spec *n)
{
    ks_toleration defaults[2];
    size_t ndef = 0;
    char empty[1] = "";
    if (needs_default(ps, NOT_READY))
        defaults[ndef++] = (ks_toleration){(char *)NOT_READY, empty, KS_TOL_EXISTS, KS_NO_EXECUTE, true,
                                           w->timings->default_not_ready_toleration_s};
    if (needs_default(ps, UNREACHABLE))
        defaults[ndef++] = (ks_toleration){(char *)UNREACHABLE, empty, KS_TOL_EXISTS, KS_NO_EXECUTE, true,
                                           w->timings->default_unreachable_toleration_s};
    int64_t min = -2;
    for (size_t k = 0; k < n->ntaints; k++) {
        const ks_taint *t = &n->taints[k];
        if (t->effect != KS_NO_EXECUTE) continue;
        bool any = false;
        for (size_t i = 0; i < ps->ntolerations + ndef; i++) {
            const ks_toleration *tol = i < ps->ntolerations ? &ps->tolerations[i] : &defaults[i - ps->ntolerations];
            if (!tolerates(tol, t)) continue;
            any = true;
            /* getMinTolerationTime: tolerations without seconds tolerate for ever; negative is 0. */
            if (tol->has_seconds) {
                int64_t secs = tol->seconds < 0 ? 0 : tol->seconds;
                if (min < 0 || secs < min) min = secs;
            }
        }
        if (!any) return -1;
    }
    return min;
}

/* The taint eviction controller has seen NODE's NoExecute taint: every pod there is deleted now or
 * when its toleration runs out. */
static void on_noexec_seen(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    ks_cluster *c = &w->cluster;
    uint32_t node = ev->target;
    ks_time now = ks_sim_now(sim);
    const ks_node_spec *n = &c->nodes.spec[node];
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) {
        const ks_pod *p = &c->pods[q];
        if (p->terminating || p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED) continue;
        int64_t secs = toleration_seconds(w, p->spec, n);
        if (secs == -2) continue;
        bool dup = false; /* an earlier scheduled deletion is kept */
        for (size_t i = 0; i < s->npend && !dup; i++)
            dup = s->pend[i].pod == q && s->pend[i].epoch == s->epoch[node] && s->pend[i].at > 0;
        if (dup) continue;
        ks_time at = now + (secs < 0 ? 0 : KS_SEC(secs));
        ks_grow(mem_nlc(), (void **)&s->pend, &s->cap_pend, s->npend + 1, sizeof *s->pend);
        s->pend[s->npend++] = (pending){q, node, s->epoch[node], at};
        ks_sim_at(sim, at, s->t_evict_due, q, ((uint64_t)s->epoch[node] << 32) | node);
    }
}

static void on_evict_due(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    ks_cluster *c = &w->cluster;
    uint32_t pod = ev->target, node = (uint32_t)ev->arg, epoch = (uint32_t)(ev->arg >> 32);
    ks_time now = ks_sim_now(sim);
    for (size_t i = 0; i < s->npend; i++) /* this entry is spent */
        if (s->pend[i].pod == pod && s->pend[i].epoch == epoch && s->pend[i].node == node) s->pend[i].at = 0;
    const ks_pod *p = &c->pods[pod];
    if (epoch != s->epoch[node] || p->node != node || p->terminating || p->deleted != KS_NEVER) return;
    /* emitPodDeletionEvent, then addConditionAndDeletePod: DisruptionTarget, then DELETE. */
    ks_cluster_event(c, now, "Pod", p->spec->namespace, p->name, "Normal", "TaintManagerEviction",
                     "taint-eviction-controller", "Marking for deletion Pod %s/%s", p->spec->namespace, p->name);
    s->stats.evictions++;
    if (s->open[node] != KS_NONE) s->fail[s->open[node]].evicted++;
    ks_api_call(&w->api, now, KS_CLIENT_TAINT_EVICTION, KS_VERB_PATCH, s->t_evict_patched, pod, 0);
}

static void on_evict_patched(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.pods[ev->target].resource_version = ks_cluster_bump(&w->cluster);
    ks_world_delete_pod(w, KS_CLIENT_TAINT_EVICTION, ev->target);
}

/* ---------------------------------------------------------------- the monitor */

/* The Unknown status has committed: the node-update workers see it and add the NoSchedule taint
 * (doNoScheduleTaintingPass, not rate limited). */
static void on_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.nodes.resource_version[ev->target] = ks_cluster_bump(&w->cluster);
    ks_sim_after(w->sim, ks_world_watch(w), w->nlc->t_notready_seen, ev->target, 0);
}

static void on_notready_seen(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    int cond = w->nlc->cond[ev->target];
    if (cond == KS_COND_UNKNOWN) write_taint(w, ev->target, OP_ADD_NOSCHEDULE);
    else if (cond == KS_COND_FALSE) write_taint(w, ev->target, OP_ADD_NOSCHEDULE_NOT_READY);
}

/* MarkPodsNotReady: a pod's Ready=False status has committed. */
static void on_pod_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_pod *p = &w->cluster.pods[ev->target];
    p->resource_version = ks_cluster_bump(&w->cluster);
    p->marked_not_ready = 1;
    ks_cluster_pod_ready(&w->cluster, ev->target, false, ks_sim_now(sim));
    ks_endpoints_pod_ready_changed(w, ev->target, false); /* its endpoints stop being ready */
}

static void mark_pods_not_ready(ks_world *w, uint32_t node, ks_time now)
{
    ks_cluster *c = &w->cluster;
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) {
        const ks_pod *p = &c->pods[q];
        /* Only a pod whose Ready condition is True changes (UpdatePodCondition); no event. */
        if (p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED || p->ready == KS_NEVER) continue;
        ks_api_call(&w->api, now, KS_CLIENT_NODE_LIFECYCLE, KS_VERB_UPDATE, w->nlc->t_pod_status, q, 0);
    }
}

static void poll_later(ks_world *w, ks_time now);

/* handleDisruption over the conditions of this pass. */
static void handle_disruption(ks_world *w, ks_time now)
{
    ks_nlc *s = w->nlc;
    const ks_timings *t = w->timings;
    uint32_t *not_ready = ks_calloc(mem_nlc(), s->nzones + 1, sizeof *not_ready);
    for (size_t i = 0; i < s->nnodes; i++)
        not_ready[s->zone_of[i]] += s->cond[i] != KS_COND_TRUE && !w->cluster.nodes.spec[i].deleted;
    bool all_was = true, all_are = true;
    uint8_t *next = ks_malloc(mem_nlc(), s->nzones + 1);
    for (size_t k = 0; k < s->nzones; k++) {
        zone *z = &s->zones[k];
        if (!z->size) { /* every node of it deleted: upstream drops the zone */
            next[k] = z->state;
            continue;
        }
        uint32_t nr = not_ready[k], ready = z->size - nr;
        /* ComputeZoneState */
        next[k] = ready == 0 ? ZONE_FULL
                  : nr > 2 && (double)nr / (double)z->size >= t->unhealthy_zone_threshold ? ZONE_PARTIAL
                                                                                           : ZONE_NORMAL;
        all_was = all_was && !s->first_pass && z->state == ZONE_FULL;
        all_are = all_are && next[k] == ZONE_FULL;
    }
    if (s->first_pass) all_was = true; /* an empty zoneStates map counts as fully disrupted */
    if (all_are && !all_was) {
        /* Every zone down: the control plane, not the nodes, is probably at fault. Taints come
         * off, queues are emptied, and tainting stops. */
        for (uint32_t i = 0; i < s->nnodes; i++) {
            dequeue(s, i);
            if (s->noexec[i]) {
                s->noexec[i] = 0;
                write_taint(w, i, OP_REMOVE_NOEXECUTE);
            }
        }
        for (size_t k = 0; k < s->nzones; k++) {
            swap_limiter(&s->zones[k], 0, now);
            s->zones[k].state = ZONE_FULL;
        }
    } else if (all_was && !all_are) {
        /* Leaving that mode: every node gets a fresh grace period. */
        if (!s->first_pass)
            for (size_t i = 0; i < s->nnodes; i++) s->probe[i] = now;
        for (size_t k = 0; k < s->nzones; k++) {
            s->zones[k].state = next[k];
            set_limiter(w, &s->zones[k], now);
        }
    } else if (!all_are) {
        for (size_t k = 0; k < s->nzones; k++) {
            if (s->zones[k].state == next[k]) continue;
            s->zones[k].state = next[k];
            set_limiter(w, &s->zones[k], now);
        }
    }
    s->first_pass = false;
    ks_free(not_ready);
    ks_free(next);
}

/* monitorNodeHealth, every nodeMonitorPeriod. */
static void on_monitor(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ev;
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    ks_cluster *c = &w->cluster;
    ks_time now = ks_sim_now(sim), grace = w->timings->node_monitor_grace_period;
    for (uint32_t i = 0; i < s->nnodes; i++) {
        if (c->nodes.spec[i].deleted) continue; /* gone from the informer */
        /* tryUpdateNodeHealth: the probe timestamp is when this controller saw a new Lease
         * renewal; past the grace period, Ready (and the pressure conditions) become Unknown. */
        if (c->nodes.lease_renewed[i] != s->seen_renew[i]) {
            s->seen_renew[i] = c->nodes.lease_renewed[i];
            s->probe[i] = now;
        }
        int observed = s->cond[i];
        if (observed != KS_COND_UNKNOWN && now > s->probe[i] + grace) {
            s->cond[i] = KS_COND_UNKNOWN;
            ks_api_call(&w->api, now, KS_CLIENT_NODE_LIFECYCLE, KS_VERB_UPDATE, s->t_status, i, 0);
        }
        /* processTaintBaseEviction, on the condition observed before this pass: a node with the
         * other condition's NoExecute taint has it swapped at once; one without joins its zone's
         * queue. */
        if (observed == KS_COND_UNKNOWN && s->noexec[i] == 2) {
            s->noexec[i] = 1;
            write_taint(w, i, OP_ADD_NOEXECUTE);
        } else if (observed == KS_COND_FALSE && s->noexec[i] == 1) {
            s->noexec[i] = 2;
            write_taint(w, i, OP_ADD_NOEXECUTE_NOT_READY);
        } else if (observed != KS_COND_TRUE && !s->noexec[i]) {
            enqueue(s, i);
        } else if (observed == KS_COND_TRUE) {
            dequeue(s, i); /* markNodeAsReachable */
            if (s->noexec[i]) {
                s->noexec[i] = 0;
                write_taint(w, i, OP_REMOVE_NOEXECUTE);
            }
        }
        if (observed == KS_COND_TRUE && s->cond[i] != KS_COND_TRUE) {
            /* RecordNodeStatusChange and MarkPodsNotReady. */
            ks_cluster_event(c, now, "Node", "", node_name(w, i), "Normal", "NodeNotReady", "node-controller",
                             "Node %s status is now: NodeNotReady", node_name(w, i));
            s->stats.not_ready_transitions++;
            if (s->open[i] != KS_NONE && s->fail[s->open[i]].not_ready == KS_NEVER) s->fail[s->open[i]].not_ready = now;
            mark_pods_not_ready(w, i, now);
        }
    }
    handle_disruption(w, now);
    poll_later(w, now);
    ks_sim_after(sim, w->timings->node_monitor_period, s->t_monitor, 0, 0);
}

static bool queues_waiting(const ks_nlc *s)
{
    for (size_t k = 0; k < s->nzones; k++)
        if (s->zones[k].n && s->zones[k].qps > 0) return true;
    return false;
}

/* The next try of the queues, on the EVICTION_PERIOD grid. */
static void poll_later(ks_world *w, ks_time now)
{
    ks_nlc *s = w->nlc;
    if (s->polling || !queues_waiting(s)) return;
    s->polling = true;
    ks_sim_at(w->sim, (now / EVICTION_PERIOD + 1) * EVICTION_PERIOD, s->t_poll, 0, 0);
}

/* doNoExecuteTaintingPass: per zone, while the limiter gives a token, the next node gets the
 * NoExecute taint of its condition (unless it has recovered meanwhile). */
static void on_poll(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ev;
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    ks_time now = ks_sim_now(sim);
    s->polling = false;
    for (size_t k = 0; k < s->nzones; k++) {
        zone *z = &s->zones[k];
        while (z->n && try_accept(z, now)) {
            uint32_t node = z->queue[z->head++];
            z->n--;
            if (!z->n) z->head = 0;
            s->queued[node] = 0;
            if (s->cond[node] == KS_COND_TRUE || s->noexec[node]) continue; /* recovered meanwhile */
            bool unknown = s->cond[node] == KS_COND_UNKNOWN;
            s->noexec[node] = unknown ? 1 : 2;
            write_taint(w, node, unknown ? OP_ADD_NOEXECUTE : OP_ADD_NOEXECUTE_NOT_READY);
        }
    }
    poll_later(w, now);
}

/* ---------------------------------------------------------------- recovery */

void ks_nodelifecycle_kubelet_ready(ks_world *w, uint32_t node)
{
    ks_nlc *s = w->nlc;
    if (!s || s->cond[node] == KS_COND_TRUE) return;
    s->cond[node] = KS_COND_TRUE;
    ks_time now = ks_sim_now(w->sim);
    /* kubelet_node_status.go recordNodeStatusEvent. */
    ks_cluster_event(&w->cluster, now, "Node", "", node_name(w, node), "Normal", "NodeReady", "kubelet",
                     "Node %s status is now: NodeReady", node_name(w, node));
    /* doNoScheduleTaintingPass on the node update: the NoSchedule taint goes. */
    write_taint(w, node, OP_REMOVE_NOSCHEDULE);
}

void ks_nodelifecycle_sample(const ks_world *w, int64_t *not_ready, int64_t *noexecute, int64_t *evicted)
{
    const ks_nlc *s = w->nlc;
    *not_ready = *noexecute = *evicted = 0;
    if (!s) return;
    for (size_t i = 0; i < s->nnodes; i++) {
        if (w->cluster.nodes.spec[i].deleted) continue;
        *not_ready += s->cond[i] != KS_COND_TRUE;
        *noexecute += ks_cluster_node_has_taint(&w->cluster, (uint32_t)i, UNREACHABLE, KS_NO_EXECUTE) ||
                      ks_cluster_node_has_taint(&w->cluster, (uint32_t)i, NOT_READY, KS_NO_EXECUTE);
    }
    *evicted = (int64_t)(s->stats.evictions + s->stats.drain_evictions);
}

static double pct(double *v, size_t n, double p)
{
    if (!n) return NAN;
    for (size_t i = 1; i < n; i++) /* insertion sort: failures are few */
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return ks_percentile_sorted(v, n, p);
}

bool ks_nodelifecycle_summary(const ks_world *w, ks_nlc_summary *out)
{
    const ks_nlc *s = w->nlc;
    const ks_cluster *c = &w->cluster;
    memset(out, 0, sizeof *out);
    if (!s || c->incident_start == KS_NEVER) return false;
    out->stats = s->stats;
    out->failures = s->nfail;
    double *d = ks_malloc(mem_nlc(), (s->nfail + 1) * sizeof *d), *t = ks_malloc(mem_nlc(), (s->nfail + 1) * sizeof *t);
    size_t nd = 0, nt = 0;
    for (size_t i = 0; i < s->nfail; i++) {
        if (s->fail[i].not_ready != KS_NEVER) d[nd++] = ks_time_to_sec(s->fail[i].not_ready - s->fail[i].failed);
        if (s->fail[i].tainted != KS_NEVER) t[nt++] = ks_time_to_sec(s->fail[i].tainted - s->fail[i].failed);
    }
    for (int k = 0; k < 2; k++) {
        double p = k ? 99 : 50;
        out->detect[k] = pct(d, nd, p);
        out->taint[k] = pct(t, nt, p);
    }
    ks_free(d);
    ks_free(t);
    out->min_ready_share = 1;
    ks_time back = 0;
    bool never = false;
    for (size_t i = 0; i < c->ndeployments; i++) {
        const ks_deployment *dep = &c->deployments[i];
        if (dep->replicas <= 0) continue;
        double share = (double)dep->min_ready / (double)dep->replicas;
        if (share < out->min_ready_share || !out->worst) {
            if (share <= out->min_ready_share) {
                out->min_ready_share = share;
                out->worst = dep->spec->name;
                out->worst_min = dep->min_ready;
                out->worst_replicas = dep->replicas;
            }
        }
        if (!dep->dropped) continue;
        if (dep->ready_now < dep->replicas || dep->back_at == KS_NEVER) never = true;
        else if (dep->back_at - c->incident_start > back) back = dep->back_at - c->incident_start;
    }
    out->back_after_s = never ? NAN : ks_time_to_sec(back);
    return true;
}

typedef struct failure_row {
    const char *node, *zone, *mode;
    double failed, not_ready, tainted, recovered;
    uint32_t evicted;
} failure_row;

#define FAILURE_COL(name, type) KS_COLUMN(failure_row, name, type)
static const ks_column failure_columns[] = {
    FAILURE_COL(node, KS_COL_STR),     FAILURE_COL(zone, KS_COL_STR),      FAILURE_COL(mode, KS_COL_STR),
    FAILURE_COL(failed, KS_COL_F64),   FAILURE_COL(not_ready, KS_COL_F64), FAILURE_COL(tainted, KS_COL_F64),
    FAILURE_COL(recovered, KS_COL_F64), FAILURE_COL(evicted, KS_COL_U32),
};

void ks_nodelifecycle_write_table(const ks_world *w, struct ks_trace *t)
{
    const ks_nlc *s = w->nlc;
    if (!s) return;
    static const char *const modes[] = {"powerOff", "kubeletHang", "partition", "runtimeDown"};
    ks_table *tab = ks_trace_table(t, "/node_failures", failure_columns, sizeof failure_columns / sizeof *failure_columns,
                                   sizeof(failure_row), 256);
    for (size_t i = 0; i < s->nfail; i++) {
        const failure *f = &s->fail[i];
        const ks_node_spec *n = &w->cluster.nodes.spec[f->node];
        failure_row r = {n->name, n->zone ? n->zone : "", modes[f->mode], ks_when(f->failed), ks_when(f->not_ready),
                         ks_when(f->tainted), ks_when(f->recovered), f->evicted};
        ks_table_append(tab, &r);
    }
}

void ks_nodelifecycle_kubelet_not_ready(ks_world *w, uint32_t node)
{
    ks_nlc *s = w->nlc;
    if (!s || s->cond[node] == KS_COND_FALSE) return;
    s->cond[node] = KS_COND_FALSE;
    ks_time now = ks_sim_now(w->sim);
    /* The kubelet's recordNodeStatusEvent; the controller's node-update workers add the
     * not-ready NoSchedule taint (doNoScheduleTaintingPass). Pods' readiness stays the kubelet's
     * to report: MarkPodsNotReady is for nodes the controller itself marks. */
    ks_cluster_event(&w->cluster, now, "Node", "", node_name(w, node), "Normal", "NodeNotReady", "kubelet",
                     "Node %s status is now: NodeNotReady", node_name(w, node));
    s->stats.not_ready_transitions++;
    if (s->open[node] != KS_NONE && s->fail[s->open[node]].not_ready == KS_NEVER) s->fail[s->open[node]].not_ready = now;
    ks_sim_after(w->sim, ks_world_watch(w), s->t_notready_seen, node, 1);
}

int ks_nodelifecycle_condition(const ks_world *w, uint32_t node)
{
    return w->nlc ? w->nlc->cond[node] : KS_COND_TRUE;
}

const ks_nlc_stats *ks_nodelifecycle_stats(const ks_world *w) { return w->nlc ? &w->nlc->stats : NULL; }

/* ---------------------------------------------------------------- Scenario node actions */

/* A LabelSelector (In, NotIn, Exists, DoesNotExist) against a node's labels. */
static bool selector_matches(const ks_label_selector *sel, const ks_labels *l)
{
    for (size_t i = 0; i < sel->n; i++) {
        const ks_node_requirement *r = &sel->reqs[i];
        const char *v = ks_labels_get(l, r->key);
        bool in = false;
        for (size_t k = 0; v && k < r->nvalues && !in; k++) in = !strcmp(v, r->values[k]);
        bool ok = r->op == KS_SEL_IN       ? in
                  : r->op == KS_SEL_NOT_IN ? !in
                  : r->op == KS_SEL_EXISTS ? v != NULL
                                           : v == NULL;
        if (!ok) return false;
    }
    return sel->set;
}

/* The nodes an action applies to (ks_node_selection), into OUT; returns how many. */
static size_t select_nodes(ks_world *w, const ks_scenario_action *a, uint32_t *out)
{
    const ks_nodes *nd = &w->cluster.nodes;
    const ks_node_selection *sel = &a->nodes;
    size_t n = 0;
    for (uint32_t i = 0; i < nd->n; i++) {
        const ks_node_spec *spec = &nd->spec[i];
        if (a->kind == KS_ACTION_FAIL_NODES && failed(w, i)) continue;
        if (a->kind == KS_ACTION_RECOVER_NODES && !failed(w, i)) continue;
        if (sel->nnames) {
            bool named = false;
            for (size_t k = 0; k < sel->nnames && !named; k++) named = !strcmp(sel->names[k], spec->name);
            if (!named) continue;
        }
        if (sel->selector.set && !selector_matches(&sel->selector, &spec->labels)) continue;
        if (sel->zone && strcmp(sel->zone, spec->zone ? spec->zone : "")) continue;
        if (sel->pool && strcmp(sel->pool, spec->pool ? spec->pool : "")) continue;
        out[n++] = i;
    }
    size_t want = n;
    if (sel->count >= 0 && (size_t)sel->count < n) want = (size_t)sel->count;
    if (sel->fraction >= 0) want = (size_t)ceil(sel->fraction * (double)n - 1e-9);
    /* A uniform sample without replacement (partial Fisher-Yates), then node order. */
    for (size_t k = 0; k < want && want < n; k++) {
        size_t j = k + (size_t)ks_rng_below(w->nlc->rng, n - k);
        uint32_t tmp = out[k];
        out[k] = out[j];
        out[j] = tmp;
    }
    if (want < n) {
        for (size_t k = 1; k < want; k++) /* insertion sort: node order */
            for (size_t j = k; j > 0 && out[j - 1] > out[j]; j--) {
                uint32_t tmp = out[j];
                out[j] = out[j - 1];
                out[j - 1] = tmp;
            }
    }
    return want;
}

/* ---------------------------------------------------------------- kubectl drain */

/* kubectl drain (staging/src/k8s.io/kubectl/pkg/drain): cordon, then an Eviction for every pod
 * on the node, each retried every 5 s while the API answers 429 (a PodDisruptionBudget would be
 * violated). As with --force --ignore-daemonsets --delete-emptydir-data: bare pods are evicted
 * too. The Eviction API (pkg/registry/core/pod/storage/eviction.go) admits it when every PDB
 * selecting the pod allows a disruption, then sets DisruptionTarget and deletes the pod. */
#define DRAIN_RETRY KS_SEC(5)

static bool eviction_allowed(const ks_cluster *c, uint32_t pod)
{
    for (size_t b = 0; b < c->npdbs; b++)
        if (ks_pdb_matches(c, &c->pdbs[b], pod) && ks_pdb_disruptions_allowed(c, &c->pdbs[b]) <= 0) return false;
    return true;
}

static bool drain_done(const ks_pod *p, uint32_t node)
{
    return p->node != node || p->terminating || p->evicting || p->deleted != KS_NEVER ||
           p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED;
}

/* kubectl's POST pods/<name>/eviction for POD (ARG: the node being drained). */
static void on_evict_try(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (drain_done(&w->cluster.pods[ev->target], (uint32_t)ev->arg)) return;
    ks_api_call(&w->api, ks_sim_now(sim), KS_CLIENT_USER, KS_VERB_CREATE, w->nlc->t_evict_commit, ev->target, ev->arg);
}

/* The API server's verdict on the eviction, when the request commits. */
static void on_evict_commit(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    if (drain_done(p, (uint32_t)ev->arg)) return;
    if (!eviction_allowed(c, ev->target)) { /* 429: "Cannot evict pod as it would violate the pod's disruption budget." */
        w->nlc->stats.evictions_refused++;
        ks_sim_after(sim, DRAIN_RETRY, w->nlc->t_evict_try, ev->target, ev->arg);
        return;
    }
    p->evicting = 1;
    p->resource_version = ks_cluster_bump(c);
    w->nlc->stats.drain_evictions++;
    ks_world_delete_pod(w, KS_CLIENT_USER, ev->target);
}

static void drain(ks_world *w, uint32_t node, ks_time now)
{
    ks_cluster *c = &w->cluster;
    if (!c->nodes.spec[node].unschedulable) {
        ks_cluster_node_set_unschedulable(c, node, true);
        ks_cluster_node_add_taint(c, node, UNSCHEDULABLE, "", KS_NO_SCHEDULE);
        ks_cluster_event(c, now, "Node", "", node_name(w, node), "Normal", "NodeNotSchedulable", "kubelet",
                         "Node %s status is now: NodeNotSchedulable", node_name(w, node));
    }
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next)
        if (!drain_done(&c->pods[q], node)) ks_sim_at(w->sim, now, w->nlc->t_evict_try, q, node);
}

void ks_nodelifecycle_action(ks_world *w, const ks_scenario_action *a)
{
    ks_cluster *c = &w->cluster;
    ks_nlc *s = w->nlc;
    uint32_t *nodes = ks_malloc(mem_nlc(), (c->nodes.n + 1) * sizeof *nodes);
    size_t n = select_nodes(w, a, nodes);
    ks_time now = ks_sim_now(w->sim);
    bool changed = false;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = nodes[k];
        switch (a->kind) {
        case KS_ACTION_FAIL_NODES: fail_node(w, i, a->mode); break;
        case KS_ACTION_RECOVER_NODES: recover_node(w, i); break;
        case KS_ACTION_CORDON:
        case KS_ACTION_UNCORDON: {
            bool on = a->kind == KS_ACTION_CORDON;
            if (c->nodes.spec[i].unschedulable == on) break;
            ks_cluster_node_set_unschedulable(c, i, on);
            /* The node lifecycle controller's TaintNodesByCondition keeps a matching taint. */
            if (on) ks_cluster_node_add_taint(c, i, UNSCHEDULABLE, "", KS_NO_SCHEDULE);
            else ks_cluster_node_remove_taint(c, i, UNSCHEDULABLE, KS_NO_SCHEDULE);
            /* kubelet_node_status.go recordNodeSchedulableEvent. */
            ks_cluster_event(c, now, "Node", "", node_name(w, i), "Normal", on ? "NodeNotSchedulable" : "NodeSchedulable",
                             "kubelet", "Node %s status is now: %s", node_name(w, i),
                             on ? "NodeNotSchedulable" : "NodeSchedulable");
            changed = true;
            break;
        }
        case KS_ACTION_LABEL:
            for (size_t l = 0; l < a->labels.n; l++)
                ks_cluster_node_set_label(c, i, a->labels.items[l].key, a->labels.items[l].value);
            changed = true;
            break;
        case KS_ACTION_TAINT:
            if (ks_cluster_node_add_taint(c, i, a->taint.key, a->taint.value, a->taint.effect) &&
                a->taint.effect == KS_NO_EXECUTE)
                ks_sim_after(w->sim, ks_world_watch(w), s->t_noexec_seen, i, 0);
            break;
        case KS_ACTION_UNTAINT:
            changed |= ks_cluster_node_remove_taint(c, i, a->taint.key, a->any_effect ? -1 : (int)a->taint.effect);
            break;
        case KS_ACTION_DRAIN:
            ks_cluster_incident(c, now);
            drain(w, i, now);
            break;
        default: break;
        }
    }
    if (changed) node_changed(w);
    ks_free(nodes);
}

/* ---------------------------------------------------------------- random failures */

static void fail_node(ks_world *w, uint32_t node, ks_fail_mode mode)
{
    ks_nlc *s = w->nlc;
    ks_time now = ks_sim_now(w->sim);
    ks_cluster_incident(&w->cluster, now);
    ks_kubelet_node_down(w, node, mode);
    s->stats.nodes_failed++;
    ks_grow(mem_nlc(), (void **)&s->fail, &s->cap_fail, s->nfail + 1, sizeof *s->fail);
    s->open[node] = (uint32_t)s->nfail;
    s->fail[s->nfail++] = (failure){node, (uint8_t)mode, now, KS_NEVER, KS_NEVER, KS_NEVER, 0};
}

static void recover_node(ks_world *w, uint32_t node)
{
    ks_nlc *s = w->nlc;
    ks_kubelet_node_up(w, node);
    s->stats.nodes_recovered++;
    if (s->open[node] != KS_NONE) s->fail[s->open[node]].recovered = ks_sim_now(w->sim);
    s->open[node] = KS_NONE;
}

/* A random failure process's node fails (ARG: the process), unless something else took it down. */
static void on_rf_fail(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    const ks_failure_process *f = &w->failure_procs[ev->arg];
    if (failed(w, ev->target)) { /* down already (a Scenario action): try again later */
        ks_sim_after(sim, ks_dist_sample_ns(&f->between, w->nlc->rng_failures), w->nlc->t_rf_fail, ev->target, ev->arg);
        return;
    }
    fail_node(w, ev->target, f->mode);
    ks_sim_after(sim, ks_dist_sample_ns(&f->repair, w->nlc->rng_failures), w->nlc->t_rf_repair, ev->target, ev->arg);
}

static void on_rf_repair(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    const ks_failure_process *f = &w->failure_procs[ev->arg];
    if (failed(w, ev->target)) recover_node(w, ev->target);
    ks_sim_after(sim, ks_dist_sample_ns(&f->between, w->nlc->rng_failures), w->nlc->t_rf_fail, ev->target, ev->arg);
}

/* ---------------------------------------------------------------- Node deletion and PodGC */

/* pkg/controller/podgc/gc_controller.go: gcCheckPeriod 20 s, quarantineTime 40 s. */
#define PODGC_PERIOD KS_SEC(20)
#define PODGC_QUARANTINE KS_SEC(40)

void ks_nodelifecycle_delete_node(ks_world *w, const char *name)
{
    ks_nlc *s = w->nlc;
    ks_cluster *c = &w->cluster;
    uint32_t node = 0;
    while (node < c->nodes.n && strcmp(c->nodes.spec[node].name, name)) node++;
    if (node == c->nodes.n || c->nodes.spec[node].deleted) return; /* NotFound */
    ks_time now = ks_sim_now(w->sim);
    if (!w->node_down[node]) ks_kubelet_node_down(w, node, KS_FAIL_POWER_OFF); /* its machine goes too */
    ks_cluster_node_delete(c, node);
    dequeue(s, node);
    s->zones[s->zone_of[node]].size--;
    s->deleted_at = s->deleted_at ? ks_realloc(s->deleted_at, (s->nnodes + 1) * sizeof *s->deleted_at)
                                  : ks_malloc(mem_nlc(), (s->nnodes + 1) * sizeof *s->deleted_at);
    for (size_t i = s->ndeleted_known; i < s->nnodes; i++) s->deleted_at[i] = KS_NEVER;
    s->ndeleted_known = s->nnodes;
    s->deleted_at[node] = now;
    /* node_lifecycle_controller.go on a Node delete: "RemovingNode" "Removing Node <n> from Controller". */
    ks_cluster_event(c, now, "Node", "", node_name(w, node), "Normal", "RemovingNode", "node-controller",
                     "Node %s event: Removing Node %s from Controller", node_name(w, node), node_name(w, node));
    node_changed(w);
    if (!s->podgc_running) { /* PodGC's loop (it runs from the start; nothing to do before this) */
        s->podgc_running = true;
        ks_sim_at(w->sim, (now / PODGC_PERIOD + 1) * PODGC_PERIOD, s->t_podgc, 0, 0);
    }
}

/* gcOrphaned: pods bound to a node deleted at least quarantineTime ago are marked Failed
 * (DisruptionTarget, DeletionByPodGC) and force-deleted (grace 0). */
static void on_podgc(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ev;
    ks_world *w = ctx;
    ks_nlc *s = w->nlc;
    ks_cluster *c = &w->cluster;
    ks_time now = ks_sim_now(sim);
    for (uint32_t node = 0; node < s->ndeleted_known && node < c->nodes.n; node++) {
        if (s->deleted_at[node] == KS_NEVER || now - s->deleted_at[node] < PODGC_QUARANTINE) continue;
        for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next)
            if (c->pods[q].deleted == KS_NEVER && !c->pods[q].podgc) {
                c->pods[q].podgc = 1;
                s->stats.podgc++;
                ks_api_call(&w->api, now, KS_CLIENT_NODE_LIFECYCLE, KS_VERB_PATCH, s->t_podgc_failed, q, 0);
            }
    }
    ks_sim_after(sim, PODGC_PERIOD, s->t_podgc, 0, 0);
}

static void on_podgc_failed(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    if (p->deleted != KS_NEVER) return;
    p->resource_version = ks_cluster_bump(c);
    ks_cluster_pod_ready(c, ev->target, false, ks_sim_now(sim));
    /* markFailedAndDeletePodWithCondition: phase Failed (its owner replaces it), then DELETE. */
    if (p->phase == KS_PHASE_PENDING || p->phase == KS_PHASE_RUNNING) {
        if (p->phase == KS_PHASE_RUNNING) c->pods_running--;
        else c->pods_pending--;
        p->phase = KS_PHASE_FAILED;
        if (p->finished == KS_NEVER) p->finished = ks_sim_now(sim);
        if (!p->terminating) ks_controllers_pod_inactive(w, ev->target);
    }
    /* The DELETE with grace 0: the object is gone when it commits. */
    ks_api_call(&w->api, ks_sim_now(sim), KS_CLIENT_NODE_LIFECYCLE, KS_VERB_DELETE, w->ev.pod_removed, ev->target, 0);
}

/* ---------------------------------------------------------------- set-up */

/* NODE's place in a zone (created on first use), growing the zone list. */
static void place_in_zone(ks_nlc *s, const ks_world *w, uint32_t node)
{
    const char *z = w->cluster.nodes.spec[node].zone ? w->cluster.nodes.spec[node].zone : "";
    size_t k = 0;
    while (k < s->nzones && strcmp(s->zones[k].name, z)) k++;
    if (k == s->nzones) {
        s->zones = s->nzones ? ks_realloc(s->zones, (s->nzones + 1) * sizeof *s->zones)
                             : ks_malloc(mem_nlc(), sizeof *s->zones);
        /* A new zone's limiter: the normal rate, full (NewRateLimitedTimedQueue). */
        s->zones[s->nzones++] =
            (zone){.name = ks_strdup(mem_nlc(), z), .state = ZONE_NORMAL, .qps = w->timings->node_eviction_rate};
    }
    s->zone_of[node] = (uint32_t)k;
    s->zones[k].size++;
}

void ks_nodelifecycle_node_added(ks_world *w, uint32_t node)
{
    ks_nlc *s = w->nlc;
    size_t n = node + 1;
#define GROW(a) s->a = ks_realloc(s->a, (n + 1) * sizeof *s->a)
    GROW(probe);
    GROW(seen_renew);
    GROW(cond);
    GROW(queued);
    GROW(noexec);
    GROW(zone_of);
    GROW(epoch);
    GROW(open);
#undef GROW
    ks_time now = ks_sim_now(w->sim);
    s->probe[node] = now;
    s->seen_renew[node] = w->cluster.nodes.lease_renewed[node];
    s->cond[node] = KS_COND_TRUE;
    s->queued[node] = s->noexec[node] = 0;
    s->epoch[node] = 0;
    s->open[node] = KS_NONE;
    place_in_zone(s, w, node);
    s->nnodes = n;
    /* node_lifecycle_controller.go: RecordNodeEvent(…, "RegisteredNode", "Registered Node <n> in
     * Controller"), formatted "Node <n> event: <message>". */
    ks_cluster_event(&w->cluster, now, "Node", "", node_name(w, node), "Normal", "RegisteredNode", "node-controller",
                     "Node %s event: Registered Node %s in Controller", node_name(w, node), node_name(w, node));
}

void ks_nodelifecycle_start(ks_world *w)
{
    ks_mem_id mem = mem_nlc();
    ks_nlc *s = ks_calloc(mem, 1, sizeof *s);
    w->nlc = s;
    size_t n = w->cluster.nodes.n;
    s->nnodes = n;
    s->probe = ks_calloc(mem, n + 1, sizeof *s->probe);
    s->seen_renew = ks_malloc(mem, (n + 1) * sizeof *s->seen_renew);
    s->cond = ks_calloc(mem, n + 1, 1);
    s->queued = ks_calloc(mem, n + 1, 1);
    s->noexec = ks_calloc(mem, n + 1, 1);
    s->zone_of = ks_malloc(mem, (n + 1) * sizeof *s->zone_of);
    s->epoch = ks_calloc(mem, n + 1, sizeof *s->epoch);
    s->open = ks_malloc(mem, (n + 1) * sizeof *s->open);
    for (size_t i = 0; i < n; i++) s->open[i] = KS_NONE;
    s->first_pass = true;
    s->rng = ks_rng_stream(w->rngs, "scenario");
    for (size_t i = 0; i < n; i++) {
        s->seen_renew[i] = w->cluster.nodes.lease_renewed[i];
        place_in_zone(s, w, (uint32_t)i);
    }
    s->t_monitor = ks_sim_register(w->sim, "nodelifecycle.monitor", on_monitor, w);
    s->t_poll = ks_sim_register(w->sim, "nodelifecycle.noexecute_pass", on_poll, w);
    s->t_status = ks_sim_register(w->sim, "nodelifecycle.status_committed", on_status, w);
    s->t_notready_seen = ks_sim_register(w->sim, "nodelifecycle.node_update", on_notready_seen, w);
    s->t_taint = ks_sim_register(w->sim, "nodelifecycle.taint_committed", on_taint, w);
    s->t_pod_status = ks_sim_register(w->sim, "nodelifecycle.pod_not_ready", on_pod_status, w);
    s->t_noexec_seen = ks_sim_register(w->sim, "tainteviction.node_seen", on_noexec_seen, w);
    s->t_evict_due = ks_sim_register(w->sim, "tainteviction.due", on_evict_due, w);
    s->t_evict_patched = ks_sim_register(w->sim, "tainteviction.condition_committed", on_evict_patched, w);
    s->t_evict_try = ks_sim_register(w->sim, "drain.evict", on_evict_try, w);
    s->t_evict_commit = ks_sim_register(w->sim, "drain.eviction_committed", on_evict_commit, w);
    /* wait.Until runs the first pass at once. The controller judges nodes by their Leases:
     * without heartbeats (nodeLeaseDurationSeconds 0, kubesim only) it would find every node
     * dead, so it does not monitor. */
    if (w->timings->node_lease_duration_s > 0) ks_sim_at(w->sim, 0, s->t_monitor, 0, 0);
    /* Random failures: each node of the pool draws its first failure. */
    s->rng_failures = ks_rng_stream(w->rngs, "failures");
    s->t_rf_fail = ks_sim_register(w->sim, "failures.fail", on_rf_fail, w);
    s->t_rf_repair = ks_sim_register(w->sim, "failures.repair", on_rf_repair, w);
    s->t_podgc = ks_sim_register(w->sim, "podgc.pass", on_podgc, w);
    s->t_podgc_failed = ks_sim_register(w->sim, "podgc.failed_committed", on_podgc_failed, w);
    for (size_t k = 0; k < w->nfailure_procs; k++)
        for (uint32_t i = 0; i < n; i++)
            if (!strcmp(w->cluster.nodes.spec[i].pool ? w->cluster.nodes.spec[i].pool : "", w->failure_procs[k].pool))
                ks_sim_at(w->sim, ks_dist_sample_ns(&w->failure_procs[k].between, s->rng_failures), s->t_rf_fail, i, k);
}

void ks_nodelifecycle_free(ks_world *w)
{
    ks_nlc *s = w->nlc;
    if (!s) return;
    for (size_t k = 0; k < s->nzones; k++) {
        ks_free(s->zones[k].name);
        ks_free(s->zones[k].queue);
    }
    void *cols[] = {s->zones, s->probe, s->seen_renew, s->cond,  s->queued, s->noexec,
                    s->zone_of, s->epoch, s->pend,       s->fail, s->open, s->deleted_at};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) ks_free(cols[i]);
    ks_free(s);
    w->nlc = NULL;
}
