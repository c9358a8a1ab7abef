/* scheduler.h — kube-scheduler: scheduling queue, the NodeResourcesFit filter, the
 * NodeResourcesFit and NodeResourcesBalancedAllocation scores with upstream integer arithmetic,
 * node selection, binding and FailedScheduling messages.
 *
 * One cycle pops the best pod from activeQ, evaluates nodes starting at the round-robin index
 * until numFeasibleNodesToFind feasible nodes are found, scores them, picks the highest total
 * (reservoir sampling among ties, from the "scheduler" RNG stream), assumes the pod on the node and
 * starts the binding, whose API write runs while the next cycle starts. The cycle's cost in
 * simulated time comes from ks_timings (per cycle + per node evaluated).
 */
#ifndef KS_SCHEDULER_H
#define KS_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "interpod.h"
#include "ks_time.h"
#include "spec.h"

struct ks_world;
struct ks_cluster;

/* Where a pod is in the scheduling queue (ks_pod.queue_state). */
enum { KS_Q_NONE, KS_Q_ACTIVE, KS_Q_BACKOFF, KS_Q_UNSCHEDULABLE, KS_Q_IN_FLIGHT, KS_Q_DONE };

/* The scores of one feasible node before normalisation. */
typedef struct ks_raw_scores {
    int64_t fit, balanced;
    int64_t taint;    /* PreferNoSchedule taints not tolerated */
    int64_t affinity; /* sum of the weights of the matching preferred terms */
    int64_t image;    /* ImageLocality's score (no normalisation step) */
    int64_t spread;   /* PodTopologySpread: matching pods, weighted by domain counts */
    int64_t interpod; /* InterPodAffinity: sum of matching terms' weights (may be negative) */
    int64_t gpu;      /* the profile's GPU-sharing policy (gpushare.h), 0..100 before BestFit's min-max */
} ks_raw_scores;

typedef struct ks_pod_heap {
    uint32_t *ids;
    size_t n, cap;
} ks_pod_heap;

typedef struct ks_scheduler {
    const ks_sched_config *cfg;
    ks_pod_heap active, backoff;
    uint32_t *unschedulable; /* pods parked after an unschedulable attempt, in arrival order */
    ks_time *unschedulable_since;
    size_t nunschedulable, unschedulable_cap;
    bool busy;                /* a cycle is in progress (its end event is pending) */
    uint32_t next_start_node; /* upstream nextStartNodeIndex */
    uint64_t attempts, bound, unschedulable_attempts, preemptions, victims;
    /* Scratch per cycle, sized to the node count. */
    uint32_t *feasible;
    double *scores; /* totals (exact integers in doubles, as selectHost compares them) */
    ks_raw_scores *raw; /* per feasible node, before normalisation */
    int64_t *norm_a, *norm_b; /* per feasible node: raw and normalised scores of one plugin */
    uint8_t *unresolvable;    /* per node, after a failed cycle: its failure is UnschedulableAndUnresolvable */
    size_t scratch_cap;
    ks_interpod ip; /* PodTopologySpread / InterPodAffinity cycle state */
    struct ks_kernel *kernel; /* the fast path's per-node caches (kernel.h), created on first use */
    /* ControlPlane scheduler.tieBreak nodeOrder: every node's rank (a random permutation drawn
     * once per run; nodes added later rank after, in order); NULL for upstream's random pick. */
    uint32_t *node_rank;
    size_t nranked;
    /* FGD scores per node and pod shape, valid while the node's GPU version is unchanged
     * (KS_GPU_MEMO entries per node, direct-mapped by shape). */
    struct ks_gpu_memo *gpu_memo;
    size_t gpu_memo_nodes;
} ks_scheduler;

void ks_scheduler_init(struct ks_world *w);
void ks_scheduler_free(ks_scheduler *s);
/* The scheduler's informer saw an unbound pod: queue it. */
void ks_scheduler_add_pod(struct ks_world *w, uint32_t pod);
size_t ks_scheduler_active_len(const ks_scheduler *s);
size_t ks_scheduler_backoff_len(const ks_scheduler *s);
size_t ks_scheduler_unschedulable_len(const ks_scheduler *s);

/* One node's verdict for `kubesim explain`: the reasons of the first failing filter, or each score
 * plugin's raw and normalised score (-1 where the plugin does not score this pod) and the
 * weighted total. */
/* Score plugins in upstream's order (default_plugins.go). */
enum {
    KS_PLUGIN_TAINT,
    KS_PLUGIN_AFFINITY,
    KS_PLUGIN_FIT,
    KS_PLUGIN_SPREAD,
    KS_PLUGIN_INTERPOD,
    KS_PLUGIN_BALANCED,
    KS_PLUGIN_IMAGE,
    KS_PLUGIN_GPU, /* the profile's GPU-sharing policy, if any (ks_gpu_policy_plugins) */
    KS_PLUGIN_COUNT
};

typedef struct ks_explain_node {
    uint32_t node;
    bool feasible;
    bool unresolvable; /* the failure is UnschedulableAndUnresolvable: preemption cannot help */
    char reasons[8][160];
    int nreasons;
    int64_t raw[KS_PLUGIN_COUNT], normalized[KS_PLUGIN_COUNT], total; /* KS_PLUGIN_* order */
    int32_t weight[KS_PLUGIN_COUNT]; /* the weight applied; 0: the plugin does not score this pod */
} ks_explain_node;

extern const char *const ks_plugin_names[KS_PLUGIN_COUNT];
/* The name of score plugin PLUGIN in PROF: ks_plugin_names, but the policy's own name for
 * KS_PLUGIN_GPU. */
const char *ks_plugin_name(const ks_sched_profile *prof, int plugin);
/* The plugin's weight in PROF for pod PS (0: disabled, or it does not score this pod:
 * NodeAffinity's PreScore skips pods without preferred terms). PodTopologySpread and
 * InterPodAffinity decide in PreScore; use ks_sched_explain's raw -1 for those. */
int32_t ks_plugin_weight(const ks_sched_profile *prof, const ks_pod_spec *ps, int plugin);

/* Evaluates PS against every node of the world's cluster as it is now, as one scheduling cycle
 * with percentageOfNodesToScore 100 would: OUT has one entry per node (cluster order). Returns the
 * index of the chosen node (the first of the best totals), or -1 when no node is feasible. */
int ks_sched_explain(struct ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps,
                     ks_explain_node *out);
/* The same for a pod with an owner (PodTopologySpread's default constraints spread it). */
int ks_sched_explain_pod(struct ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *pod,
                         ks_explain_node *out);
/* Runs every filter for SP on NODE as the cluster is now — with REFRESH, the inter-pod PreFilter
 * state is recomputed first (pods were added or removed; needed only when the last cycle's
 * PreFilter found inter-pod constraints) — and fills OUT (may be NULL) with the verdict and
 * reasons. Returns whether the node fits. */
bool ks_sched_filter_one(struct ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *sp, uint32_t node,
                         bool refresh, ks_explain_node *out);
/* DefaultPreemption's PostFilter for pod SP after a cycle found no node (w->sched.unresolvable
 * holds each node's status): selects victims, deletes them and nominates a node. Writes the
 * message to append to the FailedScheduling event ("preemption: …", "" when a node was
 * nominated) into MSG. Returns whether a node was nominated. */
/* PodDisruptionBudgets (preemption.c): whether B selects POD, and B's disruptionsAllowed now. */
bool ks_pdb_matches(const struct ks_cluster *c, const ks_pdb_spec *b, uint32_t pod);
int64_t ks_pdb_disruptions_allowed(const struct ks_cluster *c, const ks_pdb_spec *b);
bool ks_preempt(struct ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *sp, char *msg, size_t msgsize);
/* The ks_sched_pod of pod POD of the cluster. */
ks_sched_pod ks_sched_pod_of(const struct ks_world *w, uint32_t pod);
/* NodeAffinity's filter (spec.nodeSelector and required node affinity), and TaintToleration's
 * (every NoSchedule / NoExecute taint tolerated), for other plugins' node inclusion policies. */
bool ks_node_affinity_matches(const ks_pod_spec *ps, const ks_node_spec *n);
bool ks_node_taints_tolerated(const ks_node_spec *n, const ks_pod_spec *ps);

/* One cycle's node selection for PS against the world's cluster as it is now — filters from the
 * round-robin start index until numFeasibleNodesToFind feasible nodes are found, scores, picks
 * the best (ties from the scheduler's RNG stream) — without the queue, events or assuming the
 * pod. Advances the start index as the cycle does. chosen is KS_NONE when no node fits;
 * processed counts the nodes filtered, nfeasible those that passed (and were scored when > 1). */
typedef struct ks_select_result {
    uint32_t chosen, processed, nfeasible, nnodes;
} ks_select_result;
ks_select_result ks_sched_select(struct ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps);
ks_select_result ks_sched_select_pod(struct ks_world *w, const ks_sched_profile *prof, const ks_sched_pod *pod);

/* selectHost (schedule_one.go): the index of the chosen entry of TOTALS[0..N), N >= 1 — the
 * maximum, ties broken by reservoir sampling over the tied entries in order, one draw from RNG
 * per tie after the first (rand.Intn(count) == 0 replaces the choice). Totals are integers held
 * in doubles (exact below 2^53), so kernel.c can hand over its vectors; entries below every real
 * total (kernel.c writes -1 for infeasible nodes) are never chosen. */
uint32_t ks_sched_select_host(const double *totals, uint32_t n, gsl_rng *rng);
/* Turns kernel.c's fast path off (false) or back on, for every world: the tests hold the fast
 * path to the general one on the same cluster. */
void ks_sched_set_fast_path(bool on);
/* Its pieces, for kernel.c's totals in two segments: how many of V[0..N) equal X; which tie of
 * NTIES wins (1-based; its draws from RNG); the index of the NTH (1-based) entry equal to X. */
uint64_t ks__count_equal(const double *v, uint32_t n, double x);
uint64_t ks__select_host_pick(uint64_t nties, gsl_rng *rng);
uint32_t ks__nth_equal(const double *v, uint32_t n, double x, uint64_t nth);

/* ImageLocality pieces shared with kernel.c (imagelocality/image_locality.go): one image's
 * scaledImageScore, and calculatePriority of the sum for a pod of NCONTAINERS containers. */
int64_t ks__image_scaled(int64_t bytes, uint32_t nodes_with_image, size_t total_nodes);
int64_t ks__image_locality_score(int64_t sum, int ncontainers);

/* Upstream arithmetic, exposed for the tests (pkg/scheduler/framework/plugins/noderesources). */
int64_t ks_score_least_allocated(int64_t requested, int64_t capacity);
int64_t ks_score_most_allocated(int64_t requested, int64_t capacity);
/* The resources one scorer looks at on one node (resource_allocation.go score): for each, the
 * node's requests plus the pod's, the allocatable, and the weight. A resource with allocatable 0
 * (the node lacks it, or it is an extended resource the pod does not request) is skipped. */
#define KS_MAX_SCORE_RES (2 + KS_MAX_SCORE_EXT)
typedef struct ks_res_row {
    int n;
    int64_t req[KS_MAX_SCORE_RES], cap[KS_MAX_SCORE_RES], w[KS_MAX_SCORE_RES];
} ks_res_row;

/* Weighted node score: sum(s_i * w_i) / sum(w_i), integer division, skipped resources left out of
 * both sums (least_allocated.go, most_allocated.go). */
int64_t ks_score_fit_row(ks_fit_strategy strategy, const ks_res_row *r);
/* RequestedToCapacityRatio with the profile's shape (scores 0..10, scaled x10): broken-linear per
 * resource, resources scoring 0 dropped, math.Round of the weighted mean
 * (requested_to_capacity_ratio.go, plugins/helper/shape_score.go). */
int64_t ks_score_rtcr_row(const ks_sched_profile *prof, const ks_res_row *r);
/* balanced_allocation.go balancedResourceScorer: (1 - std of the capped fractions) x 100,
 * truncated; weights unused. */
int64_t ks_score_balanced_row(const ks_res_row *r);
/* The same over cpu and memory only. */
int64_t ks_score_fit(ks_fit_strategy strategy, int64_t req_cpu, int64_t cap_cpu, int64_t w_cpu,
                     int64_t req_mem, int64_t cap_mem, int64_t w_mem);
int64_t ks_score_rtcr(const ks_sched_profile *prof, int64_t req_cpu, int64_t cap_cpu, int64_t req_mem, int64_t cap_mem);
int64_t ks_score_balanced(int64_t req_cpu, int64_t cap_cpu, int64_t req_mem, int64_t cap_mem);
/* pkg/scheduler/schedule_one.go numFeasibleNodesToFind. */
uint32_t ks_num_feasible_nodes_to_find(int32_t percentage, uint32_t num_all_nodes);
/* Builds the FitError message "0/N nodes are available: <counts sorted>." into BUF. REASONS are
 * NREASONS (reason string, node count) pairs. */
void ks_fit_error_message(char *buf, size_t bufsize, uint32_t num_all_nodes, const char *const *reasons,
                          const uint32_t *counts, size_t nreasons);

#endif
