/* tracedlrm.h — reading the Alibaba GPU-disaggregated DLRM inference trace (alibaba/clusterdata
 * cluster-trace-gpu-v2025, disaggregated_DLRM_trace.csv) into pod documents and their deletion
 * times, for the TraceReplay kind with spec.format alibaba-gpu-2025-dlrm (workloads/config.c).
 *
 * The trace comes with Yang et al., "GPU-Disaggregated Serving for Deep Learning Recommendation
 * Models at Scale" (Prism), USENIX NSDI 2025; its columns are described in
 * shared/traces/alibaba-gpu-2025-dlrm/README.md:
 *   instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,
 *   memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,
 *   scheduled_time,deletion_time
 * in any order, each exactly once. There is no node list: the cluster is the config's NodePools
 * and Nodes.
 *
 * Mapping, one pod per row (documented in docs/ARCHITECTURE.md, TraceReplay):
 *   name = instance_sn with '_' made '-' (instance_7185 -> instance-7185: object names are DNS
 *   subdomains); labels KS_APP_LABEL ("app") = app_name and KS_DLRM_ROLE_LABEL = role (CN: an
 *   instance on a CPU node, HN: on a heterogeneous GPU node);
 *   one container "main" requesting cpu = cpu_request vCPU, memory = memory_request GiB,
 *   ephemeral-storage = disk_request GiB, nvidia.com/gpu = gpu_request when > 0 (gpu_count /
 *   gpu_milli 1 / 1000: a whole GPU) and KS_DLRM_RDMA_RESOURCE = rdma_request (percent of one RDMA
 *   NIC) when > 0 — a node must offer both as extended resources for such a pod to fit;
 *   a pod with a GPU tolerates nvidia.com/gpu:NoSchedule (Exists), as upstream's
 *   ExtendedResourceToleration admission plugin would add, so GPU nodes tainted that way keep
 *   the CN pods off;
 *   max_instance_per_node = n > 0 becomes max_per_node (kubesim.io/max-per-node, the scheduler's
 *   MaxPerNode filter over pods with the same app label); -1 is no cap;
 *   creation_time x time_scale is the pod's `at` (empty: it existed before the trace began, so
 *   it is created at 0); deletion_time x time_scale its deletion (delete_at; empty: never).
 * Limits are validated (cpu, memory and disk limit >= request; the GPU and RDMA limits equal their
 * requests, as upstream requires of extended resources) but not used: kubesim models requests
 * only. scheduled_time is validated (empty exactly when creation_time is, not before it) and not
 * used. gpu_request is 0 or 1, 0 for CN and 1 for HN (README; true of all 23,871 rows);
 * rdma_request 0..100.
 *
 * Errors are bad user input, printed as "file:LINE:COLUMN: error: ..." (COLUMN: the 1-based
 * character position of the field), at most MAX_ERRORS of them, as tracereplay.h's. Cost: one
 * read of the file and one pass over it; per row only what the pod spec keeps is allocated.
 */
#ifndef KS_TRACEDLRM_H
#define KS_TRACEDLRM_H

#include <stdio.h>

#include "tracereplay.h"

/* The extended resource of a pod's RDMA share, in percent of one NIC: a node with one NIC offers
 * 100, with two 200. The name follows the RDMA shared device plugin's "rdma/hca..." resources;
 * kubesim's percent unit is the trace's (README: "percent of one RDMA NIC's bandwidth"). */
#define KS_DLRM_RDMA_RESOURCE "rdma/hca"
/* The label that carries an instance's role, CN or HN. */
#define KS_DLRM_ROLE_LABEL "kubesim.io/role"

/* Loads REQ->pods_path (REQ->nodes_path must be NULL) into *OUT: pods and delete_at, no nodes.
 * Returns the number of errors printed (0 on success; *OUT is then filled, else empty). */
int ks_trace_load_dlrm(const ks_trace_request *req, ks_trace_result *out, FILE *err, int max_errors);

#endif
