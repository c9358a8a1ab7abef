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
        drain_evictions, evictions_refused;
} ks_nlc_stats;

/* Registers the handlers and starts the monitor loop (after the nodes exist). */
void ks_nodelifecycle_start(struct ks_world *w);
void ks_nodelifecycle_free(struct ks_world *w);

/* A Scenario node action has come (kubectl's write, or the failure itself). */
void ks_nodelifecycle_action(struct ks_world *w, const ks_scenario_action *a);

/* The kubelet's node status (Ready) has committed: the node is healthy again if it was not. */
void ks_nodelifecycle_kubelet_ready(struct ks_world *w, uint32_t node);

/* The node's Ready condition (KS_COND_*). */
int ks_nodelifecycle_condition(const struct ks_world *w, uint32_t node);
const ks_nlc_stats *ks_nodelifecycle_stats(const struct ks_world *w);

#endif
