/* gpushare.c — GPU sharing policies of the FGD experiment; see gpushare.h. Paths in comments are
 * files of hkust-adsl/kubernetes-scheduler-simulator. */
#include "gpushare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* ---------------------------------------------------------------- node state */

int64_t ks_gpu_node_idle_milli(const ks_gpu_node *n)
{
    int64_t sum = 0;
    for (int i = 0; i < n->gpu_count; i++) sum += n->free_milli[i];
    return sum;
}

int32_t ks_gpu_node_fully_free(const ks_gpu_node *n)
{
    int32_t k = 0;
    for (int i = 0; i < n->gpu_count; i++) k += n->free_milli[i] == KS_GPU_MILLI;
    return k;
}

/* pkg/utils/utils.go IsNodeAccessibleToPodByType: an empty pod type matches every node, an empty
 * node type (a CPU node) matches no typed pod, otherwise the node type must be in the pod's list. */
bool ks_gpu_node_accessible(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    if (p->model_mask == 0) return true;
    if (n->model < 0 || n->model >= 64) return false;
    return (p->model_mask >> n->model) & 1u;
}

/* pkg/type/open-gpu-share/utils GetGpuAffinityFromPodAnnotation, as fgd-experiment.md 2.3 states
 * it: share-gpu for a pod on part of one GPU, <n>-gpu for n whole GPUs. */
int ks_gpu_pod_tag(const ks_gpu_pod *p)
{
    if (p->gpu_milli <= 0 || p->gpu_count <= 0) return -1;
    if (p->gpu_milli < KS_GPU_MILLI) return KS_GPU_TAG_SHARE;
    return p->gpu_count < KS_GPU_NTAGS ? p->gpu_count : KS_GPU_MAX;
}

void ks_gpu_node_assume(ks_gpu_node *n, const ks_gpu_pod *p, uint32_t mask)
{
    n->cpu_left_milli -= p->cpu_milli;
    for (int i = 0; i < n->gpu_count; i++)
        if (mask & (1u << i)) n->free_milli[i] -= p->gpu_milli;
    int tag = ks_gpu_pod_tag(p);
    if (tag >= 0) n->tag_pods[tag]++;
}

void ks_gpu_node_release(ks_gpu_node *n, const ks_gpu_pod *p, uint32_t mask)
{
    n->cpu_left_milli += p->cpu_milli;
    for (int i = 0; i < n->gpu_count; i++)
        if (mask & (1u << i)) n->free_milli[i] += p->gpu_milli;
    int tag = ks_gpu_pod_tag(p);
    if (tag >= 0) n->tag_pods[tag]--;
}

/* ---------------------------------------------------------------- filter */

/* pkg/utils CanNodeHostPodOnGpuMemory: at least gpu_count GPUs with free >= gpu_milli. */
static bool gpus_fit(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    int32_t k = 0;
    for (int i = 0; i < n->gpu_count; i++) k += n->free_milli[i] >= p->gpu_milli;
    return k >= p->gpu_count;
}

bool ks_gpu_fits(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    if (n->cpu_left_milli < p->cpu_milli) return false;
    if (p->gpu_milli <= 0 || p->gpu_count <= 0) return true;
    return ks_gpu_node_accessible(n, p) && gpus_fit(n, p);
}

/* ---------------------------------------------------------------- GPU selection */

/* GPU indices sorted by free milli ascending, ties by index (pkg/type NodeResource
 * SortedMilliGpuLeftIndexList(true)); insertion sort, at most 8 entries. */
static void sorted_least_free_first(const ks_gpu_node *n, int idx[KS_GPU_MAX])
{
    for (int i = 0; i < n->gpu_count; i++) {
        int j = i;
        while (j > 0 && n->free_milli[idx[j - 1]] > n->free_milli[i]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
}

uint32_t ks_gpu_pick_best_fit(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    if (p->gpu_milli <= 0 || p->gpu_count <= 0 || !gpus_fit(n, p)) return 0;
    int idx[KS_GPU_MAX];
    sorted_least_free_first(n, idx);
    uint32_t mask = 0;
    int32_t want = p->gpu_count;
    for (int k = 0; k < n->gpu_count && want > 0; k++)
        if (n->free_milli[idx[k]] >= p->gpu_milli) {
            mask |= 1u << idx[k];
            want--;
        }
    return mask;
}

uint32_t ks_gpu_pick_exclusive(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    if (p->gpu_milli <= 0 || p->gpu_count <= 0 || !gpus_fit(n, p)) return 0;
    uint32_t mask = 0;
    int32_t want = p->gpu_count;
    for (int i = 0; i < n->gpu_count && want > 0; i++)
        if (n->free_milli[i] >= p->gpu_milli) {
            mask |= 1u << i;
            want--;
        }
    return mask;
}

uint32_t ks_gpu_pick_random(const ks_gpu_node *n, const ks_gpu_pod *p, gsl_rng *rng)
{
    if (p->gpu_count != 1 || p->gpu_milli <= 0 || p->gpu_milli >= KS_GPU_MILLI)
        return ks_gpu_pick_exclusive(n, p);
    /* Reservoir sampling of size 1: the k-th fitting GPU replaces the choice with probability 1/k. */
    int chosen = -1;
    unsigned long seen = 0;
    for (int i = 0; i < n->gpu_count; i++) {
        if (n->free_milli[i] < p->gpu_milli) continue;
        seen++;
        if (seen == 1 || gsl_rng_uniform_int(rng, seen) == 0) chosen = i;
    }
    return chosen < 0 ? 0 : 1u << chosen;
}

/* ---------------------------------------------------------------- typical pods */

static int spec_cmp(const ks_gpu_pod *a, const ks_gpu_pod *b)
{
    if (a->cpu_milli != b->cpu_milli) return a->cpu_milli < b->cpu_milli ? -1 : 1;
    if (a->gpu_milli != b->gpu_milli) return a->gpu_milli < b->gpu_milli ? -1 : 1;
    if (a->gpu_count != b->gpu_count) return a->gpu_count < b->gpu_count ? -1 : 1;
    if (a->model_mask != b->model_mask) return a->model_mask < b->model_mask ? -1 : 1;
    return 0;
}

static int pod_qcmp(const void *a, const void *b) { return spec_cmp(a, b); }

/* Count descending, then key ascending; freq holds the count while grouping. */
static int group_qcmp(const void *a, const void *b)
{
    const ks_gpu_typical *x = a, *y = b;
    if (x->freq != y->freq) return x->freq > y->freq ? -1 : 1;
    return spec_cmp(&x->spec, &y->spec);
}

ks_gpu_typical *ks_gpu_typical_pods(const ks_gpu_pod *pods, size_t npods, double coverage_pct,
                                    size_t *n_out)
{
    ks_mem_id mem = ks_mem_purpose("gpushare");
    *n_out = 0;
    if (npods == 0) return NULL;
    ks_gpu_pod *sorted = ks_malloc(mem, npods * sizeof *sorted);
    memcpy(sorted, pods, npods * sizeof *sorted);
    qsort(sorted, npods, sizeof *sorted, pod_qcmp);
    ks_gpu_typical *g = ks_malloc(mem, npods * sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < npods; i++) {
        if (ng > 0 && spec_cmp(&g[ng - 1].spec, &sorted[i]) == 0) {
            g[ng - 1].freq += 1;
        } else {
            g[ng].spec = sorted[i];
            g[ng].freq = 1;
            ng++;
        }
    }
    ks_free(sorted);
    qsort(g, ng, sizeof *g, group_qcmp);
    /* pkg/utils/frag.go GetTypicalPods with PodIncreaseStep 1: add groups while the cumulative
     * count is below threshold x total / 100, each normalised by the total; then renormalise the
     * kept ones by their cumulative share. */
    double total = (double)npods;
    double expected = coverage_pct * total / 100.0;
    double cum = 0;
    size_t k = 0;
    while (cum < expected && k < ng) cum += g[k++].freq;
    for (size_t i = 0; i < k; i++) g[i].freq = (g[i].freq / total) / (cum / total);
    *n_out = k;
    return g;
}

/* ---------------------------------------------------------------- fragmentation */

int64_t ks_gpu_frag_milli(const ks_gpu_node *n, const ks_gpu_pod *m)
{
    int64_t idle = ks_gpu_node_idle_milli(n);
    /* pkg/utils GetNodePodFrag: CPU-only pods are XL/XR, not-accessible NoAccess, lacking GPU or
     * cpu Q1/Q2/Q4 — all of the idle GPU milli counts as fragment. Only Q3 (fits) splits. */
    if (m->gpu_milli <= 0 || !ks_gpu_node_accessible(n, m) || !gpus_fit(n, m) ||
        n->cpu_left_milli < m->cpu_milli)
        return idle;
    /* GetGpuFragMilliByNodeResAndPodRes: GPUs too small for m. */
    int64_t frag = 0;
    for (int i = 0; i < n->gpu_count; i++)
        if (n->free_milli[i] < m->gpu_milli) frag += n->free_milli[i];
    return frag;
}

double ks_gpu_node_frag(const ks_gpu_node *n, const ks_gpu_typical *m, size_t nm)
{
    double f = 0;
    for (size_t i = 0; i < nm; i++) f += m[i].freq * (double)ks_gpu_frag_milli(n, &m[i].spec);
    return f;
}

ks_gpu_cluster_frag ks_gpu_cluster_fragmentation(const ks_gpu_node *nodes, size_t nnodes,
                                                 const ks_gpu_typical *m, size_t nm)
{
    ks_gpu_cluster_frag c = {0, 0, 0};
    for (size_t i = 0; i < nnodes; i++) {
        c.frag_milli += ks_gpu_node_frag(&nodes[i], m, nm);
        c.idle_milli += ks_gpu_node_idle_milli(&nodes[i]);
    }
    /* The artifact divides without a guard (NaN on a full cluster); 0 reads better in a dataset. */
    c.ratio = c.idle_milli > 0 ? c.frag_milli / (double)c.idle_milli : 0;
    return c;
}

/* ---------------------------------------------------------------- scores */

size_t ks_gpu_random_node(gsl_rng *rng, size_t nfeasible)
{
    return (size_t)gsl_rng_uniform_int(rng, nfeasible);
}

static int64_t pod_gpu_total(const ks_gpu_pod *p)
{
    return p->gpu_milli > 0 && p->gpu_count > 0 ? (int64_t)p->gpu_count * p->gpu_milli : 0;
}

int64_t ks_gpu_score_dotprod(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    /* dot_product_score.go calculateDotProductScore with -dimext merge -norm max: one match group
     * of 2-dimensional vectors, each entry divided by its max spec; the dot product is divided by
     * the vector length (2), subtracted from 1 and scaled by 100, truncated. */
    double node_cpu = (double)n->cpu_left_milli / KS_GPU_MAX_SPEC_CPU_MILLI;
    double node_gpu = (double)ks_gpu_node_idle_milli(n) / KS_GPU_MAX_SPEC_GPU_MILLI;
    double pod_cpu = (double)p->cpu_milli / KS_GPU_MAX_SPEC_CPU_MILLI;
    double pod_gpu = (double)pod_gpu_total(p) / KS_GPU_MAX_SPEC_GPU_MILLI;
    double dot = (node_cpu * pod_cpu + node_gpu * pod_gpu) / 2.0;
    return (int64_t)(KS_GPU_MAX_SCORE * (1.0 - dot));
}

int64_t ks_gpu_score_clustering(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    int tag = ks_gpu_pod_tag(p);
    if (tag < 0) return 0; /* a CPU-only pod: MinNodeScore everywhere */
    /* gpu_clustering_score.go: MaxNodeScore/4 * (MaxSpecGpu - left) / MaxSpecGpu in int64,
     * evaluated left to right, plus 75, 50, 25 or 0 by the node's affinity tags. */
    int64_t b = (KS_GPU_MAX_SCORE / 4) * (KS_GPU_MAX_SPEC_GPU_MILLI - ks_gpu_node_idle_milli(n)) /
                KS_GPU_MAX_SPEC_GPU_MILLI;
    int ntags = 0;
    for (int t = 0; t < KS_GPU_NTAGS; t++) ntags += n->tag_pods[t] > 0;
    if (n->tag_pods[tag] > 0)
        return b + (ntags == 1 ? KS_GPU_MAX_SCORE * 3 / 4 : KS_GPU_MAX_SCORE * 2 / 4);
    return b + (ntags == 0 ? KS_GPU_MAX_SCORE / 4 : 0);
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

int64_t ks_gpu_score_packing(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    if (p->gpu_milli <= 0) return 0;
    int32_t fully_free = ks_gpu_node_fully_free(n);
    /* case 3 of gpu_packing_score.go getPackingScore: every GPU of the node is free. */
    if (fully_free == n->gpu_count)
        return max64(KS_GPU_MAX_SCORE / 3 - fully_free, fully_free);
    int idx[KS_GPU_MAX];
    sorted_least_free_first(n, idx);
    int32_t want = p->gpu_count, fully_free_used = 0;
    int64_t free_pct_used = 0;
    for (int k = 0; k < n->gpu_count && want > 0; k++) {
        int32_t left = n->free_milli[idx[k]];
        if (p->gpu_milli > left) continue;
        want--;
        fully_free_used += left == KS_GPU_MILLI;
        free_pct_used += (int64_t)left * 100 / KS_GPU_MILLI;
    }
    if (want != 0) return 0; /* the artifact's error path: MinNodeScore */
    /* case 2: fully free GPUs have to be used. */
    if (fully_free_used > 0) return max64(KS_GPU_MAX_SCORE / 2 - fully_free_used, KS_GPU_MAX_SCORE / 3);
    /* case 1: only shared GPUs. */
    return max64(KS_GPU_MAX_SCORE - free_pct_used / 10, KS_GPU_MAX_SCORE / 2);
}

int64_t ks_gpu_score_bestfit_raw(const ks_gpu_node *n, const ks_gpu_pod *p)
{
    /* best_fit_score.go getBestFitScore: Σ_i 0.5 (free_i - req_i) / maxSpec_i over (cpu, total
     * GPU milli), lower is better, then (1 - s) x 100 truncated. */
    double free_v[2] = {(double)n->cpu_left_milli, (double)ks_gpu_node_idle_milli(n)};
    double req_v[2] = {(double)p->cpu_milli, (double)pod_gpu_total(p)};
    double max_v[2] = {KS_GPU_MAX_SPEC_CPU_MILLI, KS_GPU_MAX_SPEC_GPU_MILLI};
    double s = 0;
    for (int i = 0; i < 2; i++) {
        if (free_v[i] < req_v[i]) return -1;
        s += (free_v[i] - req_v[i]) / max_v[i] * 0.5;
    }
    return (int64_t)((1.0 - s) * KS_GPU_MAX_SCORE);
}

void ks_gpu_normalize_scores(int64_t *scores, size_t n)
{
    if (n == 0) return;
    int64_t hi = scores[0], lo = scores[0];
    for (size_t i = 1; i < n; i++) {
        if (scores[i] > hi) hi = scores[i];
        if (scores[i] < lo) lo = scores[i];
    }
    int64_t range = hi - lo;
    for (size_t i = 0; i < n; i++)
        scores[i] = range == 0 ? 0 : (scores[i] - lo) * KS_GPU_MAX_SCORE / range;
}

static int64_t fgd_score_of(double before, double after)
{
    /* plugin_utils.go sigmoid and fgd_score.go: int64(sigmoid((before - after) / 1000) x 100). */
    double x = (before - after) / 1000.0;
    return (int64_t)(1.0 / (1.0 + exp(-x)) * KS_GPU_MAX_SCORE);
}

int64_t ks_gpu_score_fgd(const ks_gpu_node *n, const ks_gpu_pod *p, const ks_gpu_typical *m,
                         size_t nm, uint32_t *mask_out)
{
    uint32_t mask = 0;
    int64_t score;
    if (p->cpu_milli == 0 && pod_gpu_total(p) == 0) {
        score = KS_GPU_MAX_SCORE; /* no requests at all: MaxNodeScore */
    } else if (p->gpu_count == 1 && p->gpu_milli > 0 && p->gpu_milli < KS_GPU_MILLI) {
        /* A sharing pod: try every GPU that fits, keep the first strictly best. */
        double before = ks_gpu_node_frag(n, m, nm);
        score = 0;
        int best = -1;
        for (int i = 0; i < n->gpu_count; i++) {
            if (n->free_milli[i] < p->gpu_milli) continue;
            /* F_n depends on the free milli of the GPUs as a multiset: an earlier GPU with the
             * same free milli scored the same, and the first of equals wins. */
            bool seen = false;
            for (int j = 0; j < i && !seen; j++) seen = n->free_milli[j] == n->free_milli[i];
            if (seen) continue;
            ks_gpu_node after = *n;
            after.cpu_left_milli -= p->cpu_milli;
            after.free_milli[i] -= p->gpu_milli;
            int64_t s = fgd_score_of(before, ks_gpu_node_frag(&after, m, nm));
            if (best < 0 || s > score) {
                score = s;
                best = i;
            }
        }
        mask = best < 0 ? 0 : 1u << best;
    } else {
        /* CPU-only and whole-GPU pods: the "after" state is NodeResource.Sub (best-fit order), the
         * GPUs reported are AllocateExclusiveGpuId's; for whole-GPU pods both are the lowest-index
         * fully free GPUs. */
        double before = ks_gpu_node_frag(n, m, nm);
        ks_gpu_node after = *n;
        after.cpu_left_milli -= p->cpu_milli;
        uint32_t sub = ks_gpu_pick_best_fit(n, p);
        for (int i = 0; i < n->gpu_count; i++)
            if (sub & (1u << i)) after.free_milli[i] -= p->gpu_milli;
        score = fgd_score_of(before, ks_gpu_node_frag(&after, m, nm));
        mask = ks_gpu_pick_exclusive(n, p);
    }
    if (mask_out) *mask_out = mask;
    return score;
}
