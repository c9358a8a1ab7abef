/* gpushare.h — GPU sharing as the FGD paper's simulator models it: one node's GPUs in milli-GPU
 * (1000 per GPU), the GPU filter, the GPU-selection rules, the six scoring policies of the FGD
 * experiment (Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD) and the fragmentation
 * measure. docs/reference: /work/shared/reference/fgd-experiment.md section 2.3.
 *
 * The authoritative source is the FGD artifact, hkust-adsl/kubernetes-scheduler-simulator (Go);
 * every function below names the artifact file it mirrors so that the next engineer can re-check
 * it. No code is taken from it: the facts (formulas, rounding, tie rules) are re-implemented.
 *
 * Everything here is a pure function over small values (a ks_gpu_node is 64 bytes of state): no
 * scheduler, no node table. The scheduler wiring (per-node state updated on bind and on leave,
 * profile plugin names) is a later step. The only allocation is ks_gpu_typical_pods' result.
 *
 * Conventions. A "sharing" pod asks one GPU with gpu_milli < 1000; a "whole-GPU" pod asks
 * gpu_count >= 1 GPUs with gpu_milli == 1000; a CPU-only pod has gpu_milli == 0. GPU choices are
 * returned as a bit mask over GPU indices (bit i: GPU i), 0 when the pod does not fit or asks no
 * GPU.
 */
#ifndef KS_GPUSHARE_H
#define KS_GPUSHARE_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The node label that carries the GPU model (artifact: open-gpu-share/utils ModelName); a pod's
 * required node affinity on it (gpu_spec in the trace) limits the models it may use. */
#define KS_GPU_MODEL_LABEL "alibabacloud.com/gpu-card-model"
#define KS_GPU_MILLI 1000 /* milli per GPU (artifact: open-gpu-share/utils MILLI) */
#define KS_GPU_MAX 8      /* GPUs per node at most */
/* Normalisers of DotProd and BestFit, the largest node of the Alibaba cluster (artifact:
 * open-gpu-share/utils MaxSpecCpu, MaxSpecGpu). */
#define KS_GPU_MAX_SPEC_CPU_MILLI 128000
#define KS_GPU_MAX_SPEC_GPU_MILLI 8000
#define KS_GPU_MAX_SCORE 100 /* framework.MaxNodeScore */
/* GpuClustering's affinity tags: KS_GPU_TAG_SHARE for sharing pods, n for n-GPU pods (1..8). */
#define KS_GPU_TAG_SHARE 0
#define KS_GPU_NTAGS (KS_GPU_MAX + 1)
#define KS_GPU_MODEL_NONE (-1) /* a node without GPUs */
#define KS_GPU_MODEL_UNKNOWN 63 /* model id of a model no node has (a pod's mask only) */

/* One node's GPU state. */
typedef struct ks_gpu_node {
    int32_t gpu_count;                   /* 0..KS_GPU_MAX */
    int32_t free_milli[KS_GPU_MAX];      /* free milli of GPU i, 0..1000 (i < gpu_count) */
    int64_t cpu_left_milli;              /* allocatable cpu minus requested */
    int32_t model;                       /* GPU model id (0..63), KS_GPU_MODEL_NONE without GPUs */
    int32_t tag_pods[KS_GPU_NTAGS];      /* GPU pods bound here per affinity tag (GpuClustering) */
} ks_gpu_node;

/* A pod's request as the policies see it (artifact: pkg/type PodResource; memory is not used). */
typedef struct ks_gpu_pod {
    int64_t cpu_milli;
    int32_t gpu_count; /* GPUs asked; 0 for CPU-only pods */
    int32_t gpu_milli; /* per GPU, 1..1000; 0 for CPU-only pods */
    uint64_t model_mask; /* allowed GPU models (bit = model id); 0: any model (no gpu_spec) */
} ks_gpu_pod;

/* ---------------------------------------------------------------- node state */

int64_t ks_gpu_node_idle_milli(const ks_gpu_node *n);        /* Σ free milli */
int32_t ks_gpu_node_fully_free(const ks_gpu_node *n);        /* GPUs with 1000 free */
/* IsNodeAccessibleToPod (artifact: pkg/utils/utils.go): a pod without gpu_spec may use any node;
 * a pod with one only a GPU node of an allowed model. */
bool ks_gpu_node_accessible(const ks_gpu_node *n, const ks_gpu_pod *p);
/* Affinity tag of a GPU pod (share-gpu or <n>-gpu); -1 for a CPU-only pod. */
int ks_gpu_pod_tag(const ks_gpu_pod *p);
/* Takes the pod's cpu, the milli of the GPUs in MASK from each, and counts its tag; the inverse
 * ks_gpu_node_release gives them back (a pod leaving). MASK must come from a pick below. */
void ks_gpu_node_assume(ks_gpu_node *n, const ks_gpu_pod *p, uint32_t mask);
void ks_gpu_node_release(ks_gpu_node *n, const ks_gpu_pod *p, uint32_t mask);

/* ---------------------------------------------------------------- filter */

/* The FGD filter: cpu left >= request and, for a GPU pod, an allowed model and gpu_count GPUs
 * each with free >= gpu_milli (artifact: pkg/utils CanNodeHostPodOnGpuMemory). */
bool ks_gpu_fits(const ks_gpu_node *n, const ks_gpu_pod *p);

/* ---------------------------------------------------------------- GPU selection */

/* Best fit (artifact: pkg/type NodeResource.Sub): GPUs sorted by free milli ascending, ties by
 * index, the first gpu_count that fit. A sharing pod gets the GPU with the least free milli that
 * still fits; a whole-GPU pod the lowest-index fully free GPUs. */
uint32_t ks_gpu_pick_best_fit(const ks_gpu_node *n, const ks_gpu_pod *p);
/* AllocateExclusiveGpuId (artifact: pkg/type): the lowest-index GPUs with free >= gpu_milli —
 * for a whole-GPU pod, the lowest-index fully free GPUs. */
uint32_t ks_gpu_pick_exclusive(const ks_gpu_node *n, const ks_gpu_pod *p);
/* The Random policy's rule: a sharing pod gets one of the GPUs that fit, uniformly, by reservoir
 * sampling in index order (one draw per fitting GPU after the first); others as exclusive. */
uint32_t ks_gpu_pick_random(const ks_gpu_node *n, const ks_gpu_pod *p, gsl_rng *rng);

/* ---------------------------------------------------------------- typical pods, fragmentation */

/* A pod spec of the typical set M with its renormalised frequency p_m. */
typedef struct ks_gpu_typical {
    ks_gpu_pod spec;
    double freq;
} ks_gpu_typical;

/* GetTypicalPods (artifact: pkg/utils/frag.go): groups PODS by (cpu_milli, gpu_milli, gpu_count,
 * model_mask), sorts the groups by count descending (ties: by key ascending — the artifact's tie
 * order is Go map order, i.e. unspecified), keeps groups while the cumulative count is below
 * COVERAGE_PCT % of all pods (the group that crosses it is kept) and renormalises the kept
 * frequencies to sum to 1. Returns a ks_malloc'd array of *N_OUT entries; the caller ks_frees it.
 * O(n log n). */
ks_gpu_typical *ks_gpu_typical_pods(const ks_gpu_pod *pods, size_t npods, double coverage_pct,
                                    size_t *n_out);

/* f(n, m) of one typical pod (artifact: pkg/utils/frag.go NodeGpuShareFragAmount, the sum except
 * Q3): the free milli of GPUs whose free < m.gpu_milli if m fits the node (GPUs and cpu), all
 * idle milli otherwise (m CPU-only, model not allowed, lacks GPU or cpu). */
int64_t ks_gpu_frag_milli(const ks_gpu_node *n, const ks_gpu_pod *m);
/* F_n = Σ_m p_m f(n, m) (artifact: NodeGpuShareFragAmountScore). */
double ks_gpu_node_frag(const ks_gpu_node *n, const ks_gpu_typical *m, size_t nm);

typedef struct ks_gpu_cluster_frag {
    double frag_milli; /* Σ_n F_n */
    int64_t idle_milli; /* Σ_n idle */
    double ratio;       /* frag / idle; 0 when nothing is idle */
} ks_gpu_cluster_frag;
/* Cluster fragmentation (artifact: plugin_utils.go PreFilterFragGpuRatio). O(nodes x |M|). */
ks_gpu_cluster_frag ks_gpu_cluster_fragmentation(const ks_gpu_node *nodes, size_t nnodes,
                                                 const ks_gpu_typical *m, size_t nm);

/* ---------------------------------------------------------------- scores (0..100) */

/* Random (artifact: random_score.go): the index, among NFEASIBLE feasible nodes, of the one that
 * scores 100 (all others score 0); one gsl_rng_uniform_int draw. NFEASIBLE > 0. */
size_t ks_gpu_random_node(gsl_rng *rng, size_t nfeasible);
/* DotProd (artifact: dot_product_score.go, -dimext merge -norm max):
 * int(100 (1 - (cpu_left cpu_req / 128000^2 + gpu_left gpu_req / 8000^2) / 2)). */
int64_t ks_gpu_score_dotprod(const ks_gpu_node *n, const ks_gpu_pod *p);
/* GpuClustering (artifact: gpu_clustering_score.go). */
int64_t ks_gpu_score_clustering(const ks_gpu_node *n, const ks_gpu_pod *p);
/* GpuPacking (artifact: gpu_packing_score.go). */
int64_t ks_gpu_score_packing(const ks_gpu_node *n, const ks_gpu_pod *p);
/* BestFit's raw score before normalisation (artifact: best_fit_score.go getBestFitScore);
 * -1 where the node lacks cpu or GPU milli in total. */
int64_t ks_gpu_score_bestfit_raw(const ks_gpu_node *n, const ks_gpu_pod *p);
/* NormalizeScore (artifact: plugin_utils.go): min-max over the N scores, in place, integer:
 * (s - lo) * 100 / (hi - lo); all 0 when hi == lo. */
void ks_gpu_normalize_scores(int64_t *scores, size_t n);
/* FGD (artifact: fgd_score.go calculateGpuShareFragExtendScore): for a sharing pod every GPU that
 * fits is tried in index order and the first best int(100 sigmoid((F_before - F_after) / 1000))
 * wins; others take the best-fit GPUs (Sub). *MASK_OUT (may be NULL) gets the GPU choice. A pod
 * asking nothing (no cpu, no GPU) scores 100. */
int64_t ks_gpu_score_fgd(const ks_gpu_node *n, const ks_gpu_pod *p, const ks_gpu_typical *m,
                         size_t nm, uint32_t *mask_out);

#endif
