/* summary.h — the figures of one run, as `kubesim run` prints them and writes them to /summary,
 * and as `kubesim compare` tabulates them across profiles and seeds.
 *
 * Everything here is computed from the world at the end of a run; nothing is kept between runs.
 * The placement figures (nodes used, utilisation, fragmentation) describe the cluster state at
 * the end of the run; docs/TRACE_FORMAT.md defines each one.
 */
#ifndef KS_SUMMARY_H
#define KS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ks_time.h"
#include "nodelifecycle.h"

struct ks_world;
struct ks_sim;
struct ks_config;
struct ks_trace;

#define KS_SUMMARY_WORKLOADS 8 /* Workloads listed one by one in the printed summary */

typedef struct ks_summary {
    int64_t created, scheduled, running, pending;
    /* Pods that exist, are not assigned to a node and failed at least one scheduling attempt
     * (each failure records a FailedScheduling event). */
    int64_t unschedulable;
    double sli[3], ready[3]; /* p50, p90, p99 */
    size_t started, readied;
    /* created -> scheduled over the pods the scheduler placed (pre-bound pods excluded). */
    double sched_latency[2]; /* p50, p99 */
    size_t sched_placed;
    /* Placement at the end of the run. Utilisation is requested / allocatable per node, over the
     * nodes with at least one pod; NaN when no node has one. */
    int64_t nodes_used;
    double cpu_util_mean, cpu_util_p99, mem_util_mean, mem_util_p99;
    double cpu_fragmentation; /* see ks_summary_fragmentation */
    uint64_t attempts, unschedulable_attempts, preemptions, victims, events, k8s_events, api_requests, etcd_writes;
    double api_p50, api_p99, etcd_writes_per_s;
    /* Services: the network programming latency SLI over every (endpoint readiness change, node)
     * pair programmed (kubeproxy.h), p50 and p99 in seconds (NaN without any). */
    int64_t services;
    uint64_t net_changes, net_pairs;
    double net_latency[2];
    double wall_s, events_per_s;
    size_t peak_rss, peak_counted;
    bool incident; /* a node failed or was drained: NODES holds what happened */
    ks_nlc_summary nodes;
    /* Jobs: how many, how many ended Complete / Failed, and completionTime - startTime over the
     * Complete ones (p50, p99; NaN when none). */
    int64_t jobs, jobs_complete, jobs_failed;
    double job_completion[2];
    /* GPUs (gpuseries.h), when the cluster has any: capacity and use in milli-GPU at the end; the
     * FGD experiment's headline numbers, NaN when nothing was recorded: unallocated GPU % when
     * arrivals reach 100 % of capacity, the fragmentation ratio % there, and the arrived % at the
     * first pod that fitted nowhere. */
    int64_t gpu_capacity_milli, gpu_used_milli;
    double gpu_unalloc_at_100, gpu_frag_ratio_at_100, gpu_fail_arrived_pct;
    /* Workloads (models/workload.h): how many, their totals, and the first KS_SUMMARY_WORKLOADS
     * one by one (name borrowed from the config, which must outlive the summary's printing). */
    int64_t workloads, wl_arrivals, wl_objects, wl_deleted;
    struct ks_summary_workload {
        const char *name;
        int64_t arrivals, pods, jobs, deployments, deleted;
    } wl[KS_SUMMARY_WORKLOADS];
} ks_summary;

/* The summary of the world W run by SIM, which took WALL_S seconds of wall time. O(pods log pods
 * + nodes x distinct pod shapes); allocates scratch arrays under the "summary" purpose. */
ks_summary ks_summarize(const struct ks_world *w, const struct ks_sim *sim, double wall_s);

/* The fragmentation of the cluster's free CPU at the end of the run, after FGD's fragment measure
 * (Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation
 * Gradient Descent", USENIX ATC 2023, section 3), taken to CPU: the share of the free CPU of the
 * schedulable nodes that a pod drawn from the workload could not use because that pod does not fit
 * on the node where the CPU is free (its cpu, memory or a pod slot missing there). The workload is
 * the request shapes of the pods that exist at the end of the run, each pod weighing one:
 *
 *     F = sum_n free_cpu(n) * P(pod does not fit on n)  /  sum_n free_cpu(n)
 *
 * 0 = every free core can take a typical pod; 1 = none can. 0 when no CPU is free; NaN when no pod
 * exists. Requests only: taints, affinity and ports are not considered, as in FGD. */
double ks_summary_fragmentation(const struct ks_world *w);

/* The terminal summary of `kubesim run`. */
void ks_summary_print(FILE *out, const struct ks_config *cfg, const ks_summary *s, ks_time simulated,
                      const char *trace, bool complete);
/* The /summary attributes (under the trace's current group). WALL_FIGURES adds the
 * machine-dependent wall_s, events_per_s and peak_rss_bytes; without them two runs of a seed give
 * byte-identical files. */
void ks_summary_write(struct ks_trace *t, const ks_summary *s, bool wall_figures);

#endif
