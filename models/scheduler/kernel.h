/* kernel.h — the scheduler's fast path: filter, score and select over the node table's columns
 * for the pods most workloads create (no nodeName, host ports, extended resources or inter-pod
 * filters; Fit strategy LeastAllocated or MostAllocated). scheduler.c's select_node() tries it
 * first and keeps filter_node()/score_node() for every other pod, and for the FitError reasons
 * when no node fits.
 *
 * What it computes is exactly what the general path computes (tests/unit/test_sched_random.c
 * holds both against reference.c): the same nodes filtered in round-robin order up to
 * numFeasibleNodesToFind, the same integer scores, the same selectHost draws.
 *
 * How: one branch-free `omp simd` loop over a range of nodes computes, per node, the
 * NodeResourcesFit filter (pods, cpu, memory, ephemeral-storage), the Fit score and
 * BalancedAllocation, in double precision on exact integers — every allocatable below 2^46, so
 * int64 division and the double quotient truncate alike (the cluster is checked once per node
 * spec change; above that the kernel declines). Per-pod facts that only some nodes have come in as
 * per-node columns written before the loop: tainted or unschedulable nodes get the pod's verdict
 * (filtered out, or the PreferNoSchedule count) per taint class, evaluated once per class; nodes
 * holding one of the pod's images get their ImageLocality score from an inverted image index;
 * a pod with node affinity reads its NodeAffinity verdict and raw score from a per-node column
 * cached per set of terms (a match bitmap with scores, dropped when node specs change).
 * Ranges are processed in blocks sized to the feasible nodes still wanted, so an adaptive
 * percentage does not score the whole cluster. A pod shape (the loop's inputs) seen before is
 * served from its per-node results, kept in node order and brought up to date through the
 * cluster's change log (ks_nodes.changes): only the nodes whose requests changed are computed
 * again. OpenMP threads split a block from the threshold
 * below (each node writes its own slot; the cut, the maximum and the tie draws run sequentially
 * in node order). The loops are compiled per instruction set (target_clones: AVX-512, AVX2,
 * SSE4.1, baseline) and picked at load time; docs/PERFORMANCE.md says which vectorise.
 *
 * Cost per pod: O(nodes processed) in the loop (O(nodes changed since) for a known shape, plus
 * vectorised passes over the processed nodes), plus O(tainted nodes + nodes with the pod's
 * images) scalar; rebuilding the per-node caches is O(nodes x taints) when the node specs
 * change and O(node images) when an image is pulled somewhere (both drop the shapes).
 */
#ifndef KS_KERNEL_H
#define KS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cluster.h"
#include "scheduler.h"

typedef struct ks_kernel ks_kernel;

/* What the kernel needs of one pod and profile, resolved by scheduler.c. */
typedef struct ks_kernel_pod {
    int64_t req_cpu, req_mem, req_eph; /* real requests: the filter and BalancedAllocation */
    int64_t nz_cpu, nz_mem;            /* non-zero requests: the Fit score */
    bool fit_filter, most_allocated;
    int64_t fit_w_cpu, fit_w_mem; /* 0: not in scoringStrategy.resources */
    bool bal_cpu, bal_mem;
    int64_t w_fit, w_balanced, w_taint, w_image; /* plugin weights, 0 when disabled */
    const uint32_t *images;                      /* the pod's image ids (KS_NONE: no node has it) */
    int nimages, ncontainers;
    /* A tainted or unschedulable node's verdict for this pod: -1 when NodeUnschedulable or
     * TaintToleration filters it out, else its untolerated PreferNoSchedule count. */
    double (*taint_verdict)(const void *ctx, const ks_node_spec *node);
    const void *ctx;
    /* Scoring plugins outside the loop (PodTopologySpread, InterPodAffinity: their normalisation
     * needs the whole feasible set). When EXTRA is set and more than one node is feasible, the
     * kernel writes the feasible nodes in round-robin order to FEASIBLE_OUT and their totals to
     * TOTALS_OUT (both sized to the node count), calls EXTRA(CTX, count) to add the other
     * plugins' weighted scores to TOTALS_OUT, then runs selectHost over them. */
    void (*extra)(const void *ctx, uint32_t nfeasible);
    /* NodeAffinity, for a pod with a nodeSelector or node affinity terms (else AFFINITY is NULL):
     * AFFINITY(CTX, node) is -1 where the filter rejects the node, else the summed weight of the
     * matching preferred terms (the raw score). The kernel keeps the per-node column of a key
     * (AFF_KEY, AFF_KEY_LEN bytes: the pod's terms and the profile's switches, serialised) until
     * the node specs change, so pods with the same terms evaluate them once. W_AFFINITY: the
     * weight, 0 when NodeAffinity does not score the pod. */
    double (*affinity)(const void *ctx, const ks_node_spec *node);
    const char *aff_key;
    size_t aff_key_len;
    int64_t w_affinity;
    uint32_t *feasible_out;
    double *totals_out;
    bool scoring; /* the profile has a score plugin (else every node scores 1: prioritizeNodes) */
} ks_kernel_pod;

ks_kernel *ks_kernel_create(void);
void ks_kernel_destroy(ks_kernel *k);

/* One cycle's node selection for KP on C from START, stopping at WANT feasible nodes; ties drawn
 * from RNG as ks_sched_select_host does. Fills *OUT (nnodes, processed, nfeasible, chosen) and
 * returns true; returns false without drawing when the cluster is outside the kernel's exact range
 * (then the caller takes the general path). */
bool ks_kernel_select(ks_kernel *k, const ks_cluster *c, const ks_kernel_pod *kp, uint32_t start, uint32_t want,
                      gsl_rng *rng, ks_select_result *out);

/* The node count from which the kernel splits a block over OpenMP threads; 0 restores the measured
 * default. Tests lower it so that two threads really run on small clusters. */
void ks_kernel_set_parallel_min_nodes(uint32_t n);

#endif
