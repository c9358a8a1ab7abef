/* tracereplay.h — reading the Alibaba GPU cluster trace 2023 ("openb", cluster-trace-gpu-v2023) into
 * node specs and pod documents, for the TraceReplay kind (workloads/config.c). spec.format picks
 * the reader: this one (alibaba-gpu-2023, the default) or the DLRM trace of 2025
 * (alibaba-gpu-2025-dlrm: tracedlrm.h, which fills the same ks_trace_result without nodes).
 *
 * The format is the one of alibaba/clusterdata cluster-trace-gpu-v2023/csv, released with
 * Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation
 * Gradient Descent", USENIX ATC 2023; the columns are described in
 * shared/traces/alibaba-gpu-2023/README.md:
 *   node list: sn,cpu_milli,memory_mib,gpu,model
 *   pod list:  name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,
 *              creation_time,deletion_time,scheduled_time]
 * A pod list's header names its columns (the multigpu* lists have only the first five); columns
 * may come in any order, but every one must be known and appear once.
 *
 * Mapping (documented in docs/ARCHITECTURE.md, TraceReplay):
 *   node: name = sn; allocatable cpu = cpu_milli, memory = memory_mib MiB, pods = 1001 (as the
 *   FGD simulator's node YAML), nvidia.com/gpu = gpu when > 0; label
 *   KS_TRACE_GPU_MODEL_LABEL = model when not empty.
 *   pod: one container "main" requesting cpu_milli and memory_mib MiB; gpu_count = num_gpu and
 *   gpu_milli = gpu_milli in the pod spec; nvidia.com/gpu = num_gpu only when gpu_milli is 1000
 *   (whole GPUs; a GPU-sharing pod requests no extended resource yet); gpu_spec "A|B" becomes a
 *   required node affinity KS_TRACE_GPU_MODEL_LABEL In (A, B); creation_time x time_scale is the pod's `at`,
 *   deletion_time x time_scale its deletion (delete_at). qos, pod_phase and scheduled_time are validated and
 *   not used.
 *
 * Errors are bad user input: each is printed to ERR as "file:LINE:COLUMN: error: ..." where
 * COLUMN is the 1-based character position of the field in its line; at most MAX_ERRORS are
 * printed. Cost: one read of each file and one pass over it; per row only what the specs keep is
 * allocated (names, one container, the affinity of a constrained pod).
 */
#ifndef KS_TRACEREPLAY_H
#define KS_TRACEREPLAY_H

#include <stdio.h>

#include "gpushare.h"
#include "spec.h"

/* The node label that carries the GPU model. The FGD simulator (hkust-adsl/
 * kubernetes-scheduler-simulator) and Alibaba's ACK use this key for the card model. */
#define KS_TRACE_GPU_MODEL_LABEL KS_GPU_MODEL_LABEL
/* Allocatable pods of a trace node: the FGD simulator's node YAML sets 1001, so the pod count
 * never binds (shared/traces/alibaba-gpu-2023/README.md). */
#define KS_TRACE_NODE_PODS 1001

/* spec.order: in which order and at which times the pods are created: at the trace's own times
 * (and deleted at theirs), or as the FGD experiment orders them (ks_fgd_workload: shuffled per
 * run, inflated to spec.tuneRatio of the GPU capacity, one every spec.interval, no deletions). */
typedef enum ks_trace_order { KS_TRACE_ORDER_TRACE, KS_TRACE_ORDER_FGD } ks_trace_order;

/* spec.format: which trace's CSV layout the files have (the zero value is the 2023 trace). */
typedef enum ks_trace_format { KS_TRACE_ALIBABA_GPU_2023, KS_TRACE_ALIBABA_GPU_2025_DLRM } ks_trace_format;

typedef struct ks_trace_request {
    const char *nodes_path; /* NULL: no node list */
    const char *pods_path;  /* NULL: no pod list */
    const char *namespace;
    ks_trace_order order;
    int64_t limit; /* at most this many pods (the first in file order); -1: all */
    double time_scale; /* simulated seconds per trace second, in (0, 1]; 1: the trace's own times */
    ks_trace_format format; /* KS_TRACE_ALIBABA_GPU_2025_DLRM: pods_path only (no node list) */
} ks_trace_request;

/* What a replay loads. Owned by the caller after ks_trace_load; every string and array is
 * allocated under the purpose "config" like the rest of the config. delete_at[i] is pod i's
 * deletion time, -1 for none. */
typedef struct ks_trace_result {
    ks_node_spec *nodes;
    size_t nnodes;
    ks_pod_doc *pods;
    size_t npods;
    ks_time *delete_at;
} ks_trace_result;

/* Loads the files of REQ into *OUT. Returns the number of errors printed (0 on success; *OUT is
 * then filled, else it is empty). */
int ks_trace_load(const ks_trace_request *req, ks_trace_result *out, FILE *err, int max_errors);
void ks_trace_result_free(ks_trace_result *r);

#endif
