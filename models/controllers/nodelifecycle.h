/* nodelifecycle.h — node failures and what the control plane does about them: the node lifecycle
 * controller (node health from Leases, conditions, NoSchedule and rate-limited NoExecute taints
 * per zone, zone disruption states), the taint eviction controller (with the tolerations that
 * DefaultTolerationSeconds admission adds), and the Scenario node actions that cause it all
 * (failNodes, recoverNodes, cordon, uncordon, label, taint, untaint).
 *
 * Upstream (kubernetes v1.31): pkg/controller/nodelifecycle/node_lifecycle_controller.go,
 * pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go,
 * pkg/controller/tainteviction/taint_eviction.go,
 * plugin/pkg/admission/defaulttolerationseconds/admission.go; facts and timelines in
 * shared/reference/control-plane.md (section 1, timeline A).
 */
#ifndef KS_NODELIFECYCLE_H
#define KS_NODELIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"

struct ks_world;

/* A node's Ready condition as the API server has it. */
enum { KS_COND_TRUE, KS_COND_FALSE, KS_COND_UNKNOWN };

/* Per-run counts for the summary. */
typedef struct ks_nlc_stats {
    uint64_t nodes_failed, nodes_recovered, not_ready_transitions, noexecute_taints, evictions, evictions_cancelled,
        drain_evictions, evictions_refused, podgc;
} ks_nlc_stats;

/* Registers the handlers and starts the monitor loop (after the nodes exist). */
void ks_nodelifecycle_start(struct ks_world *w);
void ks_nodelifecycle_free(struct ks_world *w);

/* NODE has just joined (Scenario addNodes): the controller registers it (RegisteredNode). */
void ks_nodelifecycle_node_added(struct ks_world *w, uint32_t node);

/* The Node object NAME is deleted (Scenario delete): the node's kubelet and kube-proxy are gone
 * with it (as after a power off), the controllers stop watching it, and PodGC force-deletes the
 * pods still bound to it once they have been orphans for its 40 s quarantine. */
void ks_nodelifecycle_delete_node(struct ks_world *w, const char *name);

/* A Scenario node action has come (kubectl's write, or the failure itself). */
void ks_nodelifecycle_action(struct ks_world *w, const ks_scenario_action *a);

/* The kubelet's node status (Ready) has committed: the node is healthy again if it was not. */
void ks_nodelifecycle_kubelet_ready(struct ks_world *w, uint32_t node);
/* The kubelet's node status with Ready=False has committed (its container runtime is down). */
void ks_nodelifecycle_kubelet_not_ready(struct ks_world *w, uint32_t node);

/* For /cluster_series: nodes whose Ready is not True, nodes with a NoExecute taint, and pods
 * evicted so far (taint eviction and drain). */
void ks_nodelifecycle_sample(const struct ks_world *w, int64_t *not_ready, int64_t *noexecute, int64_t *evicted);
/* /node_failures: one row per failure of a node (docs/TRACE_FORMAT.md). */
struct ks_trace;
void ks_nodelifecycle_write_table(const struct ks_world *w, struct ks_trace *t);

/* The node's Ready condition (KS_COND_*). */
int ks_nodelifecycle_condition(const struct ks_world *w, uint32_t node);
const ks_nlc_stats *ks_nodelifecycle_stats(const struct ks_world *w);

/* What the run's failures did, for the summary: counts (ks_nlc_stats), time to detect (failed ->
 * NotReady) and to taint (failed -> NoExecute) p50 / p99 over the failures that got there (NaN
 * when none), and over the Deployments: the lowest share of spec.replicas Ready since the first
 * failure or drain, and how long after it the last one was back at spec.replicas (NaN: some never
 * came back; 0: none dropped). */
typedef struct ks_nlc_summary {
    ks_nlc_stats stats;
    size_t failures;
    double detect[2], taint[2];
    double min_ready_share;
    double back_after_s;
    const char *worst; /* the Deployment with the lowest share (NULL: none) */
    int32_t worst_min, worst_replicas;
} ks_nlc_summary;
bool ks_nodelifecycle_summary(const struct ks_world *w, ks_nlc_summary *out);

#endif
