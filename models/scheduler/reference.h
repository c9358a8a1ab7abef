/* reference.h — a plain scalar statement of every filter and score plugin kubesim implements,
 * written from upstream's rules (kubernetes v1.31, pkg/scheduler/framework/plugins/...) without
 * sharing code with scheduler.c or kernel.c. It is the yardstick they are held against
 * (tests/unit/test_sched_random.c) and the baseline of `kubesim bench scheduler`.
 *
 * Plain means: one node at a time, strings compared where upstream compares strings, the pod's
 * requests recomputed from its containers on every call, the image spread counted by scanning
 * every node. O(nodes x (taints + tolerations + images + terms)) per call and one allocation per
 * select; nothing here is tuned, and nothing should be.
 *
 * The node side (allocatable, the sums of the assigned pods' requests, used host ports, images)
 * is read from the cluster's node table, which plays the part of upstream's NodeInfo cache.
 */
#ifndef KS_REFERENCE_H
#define KS_REFERENCE_H

#include <gsl/gsl_rng.h>

#include "cluster.h"
#include "scheduler.h"

/* Evaluates PS against every node of C, as ks_sched_explain does: OUT has one entry per node, in
 * cluster order, with the reasons of the first failing filter or each scoring plugin's raw and
 * normalised score (0 for plugins that do not score this pod) and the weighted total. Returns the
 * first node with the best total, or -1 when none is feasible. */
int ks_ref_explain(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, ks_explain_node *out);

/* One cycle's node selection as schedule_one.go runs it (findNodesThatFitPod from *NEXT_START
 * until numFeasibleNodesToFind feasible nodes, prioritizeNodes, selectHost with reservoir draws
 * from RNG), with percentageOfNodesToScore PCT (0: adaptive). Advances *NEXT_START. */
ks_select_result ks_ref_select(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, int32_t pct,
                               uint32_t *next_start, gsl_rng *rng);

#endif
