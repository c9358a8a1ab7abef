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

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dist.h"
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

int64_t ks_score_fit(ks_fit_strategy strategy, int64_t req_cpu, int64_t cap_cpu, int64_t w_cpu,
                     int64_t req_mem, int64_t cap_mem, int64_t w_mem)
{
    int64_t (*one)(int64_t, int64_t) =
        strategy == KS_FIT_MOST_ALLOCATED ? ks_score_most_allocated : ks_score_least_allocated;
    int64_t score = 0, weights = 0;
    /* resource_allocation.go: a resource with allocatable 0 is skipped, weight included. */
    if (cap_cpu) {
        score += one(req_cpu, cap_cpu) * w_cpu;
        weights += w_cpu;
    }
    if (cap_mem) {
        score += one(req_mem, cap_mem) * w_mem;
        weights += w_mem;
    }
    return weights ? score / weights : 0;
}

int64_t ks_score_balanced(int64_t req_cpu, int64_t cap_cpu, int64_t req_mem, int64_t cap_mem)
{
    /* balanced_allocation.go balancedResourceScorer: fractions capped at 1; with two resources
     * the std is |f0 - f1| / 2; the score truncates (1 - std) * 100. */
    double f[2];
    int n = 0;
    if (cap_cpu) f[n++] = fmin((double)req_cpu / (double)cap_cpu, 1.0);
    if (cap_mem) f[n++] = fmin((double)req_mem / (double)cap_mem, 1.0);
    double std = n == 2 ? fabs((f[0] - f[1]) / 2) : 0.0;
    return (int64_t)((1 - std) * (double)MAX_NODE_SCORE);
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
    char text[96];
} reason_text;

static int cmp_str(const void *a, const void *b) { return strcmp(((const reason_text *)a)->text, ((const reason_text *)b)->text); }

void ks_fit_error_message(char *buf, size_t bufsize, uint32_t num_all_nodes, const char *const *reasons,
                          const uint32_t *counts, size_t nreasons)
{
    /* framework/types.go FitError.Error: "0/%d nodes are available:" then each "%d %s" entry,
     * sorted as strings (so "10 X" sorts before "2 Y"), joined by ", ", and a final ".". */
    reason_text items[16];
    size_t n = 0;
    for (size_t i = 0; i < nreasons && n < 16; i++)
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
    s->feasible = ks_malloc(mem_sched, n * sizeof *s->feasible);
    s->scores = ks_malloc(mem_sched, n * sizeof *s->scores);
    s->scratch_cap = n;
}

/* Reasons a node fails, as NodeUnschedulable and NodeResourcesFit word them
 * (nodeunschedulable/node_unschedulable.go, noderesources/fit.go). */
enum { R_UNSCHEDULABLE, R_PODS, R_CPU, R_MEM, R_EPH, R_COUNT };
static const char *const reason_text_of[R_COUNT] = {
    "node(s) were unschedulable", "Too many pods", "Insufficient cpu", "Insufficient memory",
    "Insufficient ephemeral-storage",
};

/* Runs the filters on node I; returns a bitmask of failed reasons (0 = feasible). Plugins run in
 * profile order and the first failing plugin decides, so an unschedulable node reports only that;
 * NodeResourcesFit reports every insufficient resource at once (fitsRequest). */
static unsigned filter_node(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, uint32_t i)
{
    const ks_nodes *n = &c->nodes;
    /* NodeUnschedulable: pod tolerations are not modelled yet, so no pod tolerates the
     * node.kubernetes.io/unschedulable taint. */
    if (n->spec[i].unschedulable) return 1u << R_UNSCHEDULABLE;
    if (!prof->fit_filter) return 0;
    unsigned r = 0;
    if (n->npods[i] + 1 > n->alloc_pods[i]) r |= 1u << R_PODS;
    if (ps->req_cpu_milli > 0 && ps->req_cpu_milli > n->alloc_cpu[i] - n->req_cpu[i]) r |= 1u << R_CPU;
    if (ps->req_mem_bytes > 0 && ps->req_mem_bytes > n->alloc_mem[i] - n->req_mem[i]) r |= 1u << R_MEM;
    if (ps->req_eph_bytes > 0 && ps->req_eph_bytes > n->alloc_eph[i] - n->req_eph[i]) r |= 1u << R_EPH;
    return r;
}

static int64_t score_node(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, uint32_t i)
{
    const ks_nodes *n = &c->nodes;
    int64_t total = 0;
    if (prof->fit_weight) /* non-zero requests: resource_allocation.go calculateResourceAllocatableRequest */
        total += prof->fit_weight * ks_score_fit(prof->fit_strategy, n->nz_cpu[i] + ps->nz_cpu_milli,
                                                 n->alloc_cpu[i], prof->fit_cpu_weight,
                                                 n->nz_mem[i] + ps->nz_mem_bytes, n->alloc_mem[i],
                                                 prof->fit_mem_weight);
    if (prof->balanced_weight) /* real requests (useRequested) */
        total += prof->balanced_weight * ks_score_balanced(n->req_cpu[i] + ps->req_cpu_milli, n->alloc_cpu[i],
                                                           n->req_mem[i] + ps->req_mem_bytes, n->alloc_mem[i]);
    return total;
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

    uint32_t nnodes = (uint32_t)c->nodes.n;
    scratch_reserve(s, nnodes ? nnodes : 1);
    int32_t pct = prof->percentage_of_nodes_to_score >= 0 ? prof->percentage_of_nodes_to_score
                                                          : s->cfg->percentage_of_nodes_to_score;
    uint32_t want = ks_num_feasible_nodes_to_find(pct, nnodes);
    uint32_t nfeasible = 0, processed = 0;
    uint32_t counts[R_COUNT] = {0};
    for (; processed < nnodes && nfeasible < want; processed++) {
        uint32_t i = (s->next_start_node + processed) % nnodes;
        unsigned r = filter_node(c, prof, ps, i);
        if (r == 0) {
            s->feasible[nfeasible++] = i;
        } else {
            for (int k = 0; k < R_COUNT; k++) counts[k] += (r >> k) & 1u;
        }
    }
    if (nnodes) s->next_start_node = (s->next_start_node + processed) % nnodes;

    uint32_t chosen = KS_NONE;
    if (nfeasible == 1) {
        chosen = s->feasible[0]; /* a single feasible node is taken without scoring */
    } else if (nfeasible > 1) {
        bool scoring = prof->fit_weight || prof->balanced_weight;
#pragma omp parallel for schedule(static) if (nfeasible >= 4096)
        for (uint32_t k = 0; k < nfeasible; k++)
            s->scores[k] = scoring ? score_node(c, prof, ps, s->feasible[k]) : 1;
        /* selectHost: the maximum total, ties broken uniformly at random by reservoir sampling. */
        int64_t best = INT64_MIN;
        uint64_t ties = 0;
        for (uint32_t k = 0; k < nfeasible; k++) {
            if (s->scores[k] > best) {
                best = s->scores[k];
                chosen = s->feasible[k];
                ties = 1;
            } else if (s->scores[k] == best && ks_rng_below(w->rng_sched, ++ties) == 0) {
                chosen = s->feasible[k];
            }
        }
    }

    const ks_timings *t = w->timings;
    ks_time cost = ks_dist_sample_ns(&t->sched_cycle_cost, w->rng_sched) +
                   (ks_time)(processed + (nfeasible > 1 ? nfeasible : 0)) *
                       ks_dist_sample_ns(&t->sched_node_cost, w->rng_sched);
    ks_time end = now + cost;

    if (chosen != KS_NONE) {
        /* Assume: the pod counts on the node at once; the binding's API write follows. */
        ks_cluster_assign(c, pod, chosen);
        p->scheduled = end;
        p->queue_state = KS_Q_DONE;
        s->bound++;
        /* DefaultBinder: POST pods/<name>/binding, a create, from the scheduler's client. */
        ks_api_call(&w->api, end, KS_CLIENT_SCHEDULER, KS_VERB_CREATE, w->ev.sched_bound, pod, 0);
    } else {
        char msg[1100];
        const char *reasons[R_COUNT];
        for (int k = 0; k < R_COUNT; k++) reasons[k] = reason_text_of[k];
        ks_fit_error_message(msg, sizeof msg, nnodes, reasons, counts, R_COUNT);
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
}

void ks_scheduler_free(ks_scheduler *s)
{
    ks_free(s->active.ids);
    ks_free(s->backoff.ids);
    ks_free(s->unschedulable);
    ks_free(s->unschedulable_since);
    ks_free(s->feasible);
    ks_free(s->scores);
    memset(s, 0, sizeof *s);
}
