/* kernel.c — see kernel.h. Upstream rules restated here (kubernetes v1.31):
 *   noderesources/fit.go fitsRequest                 the resource filter
 *   noderesources/{least,most}_allocated.go          Fit scores, int64 truncating division
 *   noderesources/balanced_allocation.go             |f0 - f1| / 2, truncated (1 - std) x 100
 *   plugins/helper/normalize_score.go                TaintToleration's reversed normalisation
 *   schedule_one.go findNodesThatPassFilters / selectHost (through ks__select_host_ties)
 */
#include "kernel.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#include "alloc.h"

/* Below 2^46 every allocatable x 100 is exact in a double and a double quotient of two such
 * integers truncates to the int64 quotient (the distance of a non-integral quotient from the
 * next integer, at least 1/den > 2^-46, exceeds half an ulp of any value below 128). */
#define EXACT_LIMIT ((int64_t)1 << 46)
/* Measured with `kubesim bench scheduler --threads 2 --parallel-min-nodes M` (docs/PERFORMANCE.md):
 * at 5,000 and 15,000 nodes splitting made no difference beyond the noise of the shared VM; at
 * 50,000 it helped (~2,000-2,400 pods/s against ~1,760 unsplit). Only the loop splits; the cut,
 * the totals and selectHost's draws stay on one thread. */
#define DEFAULT_PARALLEL_MIN_NODES 16384u

static uint32_t parallel_min_nodes;

void ks_kernel_set_parallel_min_nodes(uint32_t n) { parallel_min_nodes = n; }

enum { IMAGE_COLUMNS = 8 };
typedef struct image_column {
    uint32_t id;
    int ncontainers;
    double *score;
} image_column;

/* The pod's scalars as the loop reads them (hoisted out of the loop). All doubles: compared
 * bytewise as a cache key. */
typedef struct loop_pod {
    double cpu_cmp, mem_cmp, eph_cmp, pods_cmp; /* -inf where the check does not apply */
    double req_cpu, req_mem, nz_cpu, nz_mem;
    double fit_w_cpu, fit_w_mem, bal_cpu, bal_mem, w_fit, w_bal, w_img, w_taint;
    double keep, one; /* 1, 0 when some plugin scores; 0, 1 when none does */
    double most; /* 1: MostAllocated, 0: LeastAllocated */
    double inv_cm, inv_c, inv_m; /* 1 / the Fit weight sums (0 for an empty sum) */
} loop_pod;

enum { SHAPES = 8 };
typedef struct shape {
    bool used, filled;
    loop_pod lp;
    uint64_t aff_gen; /* the NodeAffinity column (0: none) */
    uint32_t img_id; /* KS_NONE: no ImageLocality column (all zero) */
    int img_ncontainers;
    double *class_val; /* the taint verdict per taint class */
    uint64_t log_pos;  /* the change-log position the results are current to */
    uint64_t last_use;
    double *ok, *total; /* per node, as the loop writes them */
} shape;

/* A NodeAffinity column: per node, -1 (filtered out) or the raw preferred score, for one key. */
enum { AFF_COLUMNS = 8 };
typedef struct aff_column {
    char *key;
    size_t len;
    uint64_t gen, last_use;
    double *val;
} aff_column;

struct ks_kernel {
    size_t nnodes; /* the node count the per-node caches were built for */
    bool exact;    /* every allocatable below EXACT_LIMIT */
    /* Tainted or unschedulable nodes, grouped by identical (taints, unschedulable): each class is
     * judged once per pod, on its first node. taint_val holds the pod's verdict per node (-1
     * filtered out, else the PreferNoSchedule count); plain nodes stay 0. */
    uint32_t *special, *special_class, *class_rep;
    size_t nspecial, nclasses;
    double *class_val, *taint_val;
    /* This pod's special nodes with an untolerated PreferNoSchedule count (> 0), in node order,
     * and the largest count: the only nodes TaintToleration's normalisation corrects. */
    uint32_t *pref;
    size_t npref;
    double pref_max;
    /* Inverted image index (CSR by image id: the nodes that have it, with their sizes), rebuilt
     * when the (node, image) pairs change; img_val holds the pod's ImageLocality score on the
     * nodes that have one of its images, 0 elsewhere (reset after every pod). */
    uint64_t index_pairs;
    size_t index_images;
    uint32_t *img_first, *img_node;
    int64_t *img_bytes, *img_sum;
    uint8_t *img_mark;
    double *img_val;
    uint32_t *touched;
    size_t ntouched;
    /* Pods with one image (most): its ImageLocality score for every node as a column, kept per
     * (image, container count) until the index changes, so such a pod scatters nothing. */
    image_column cols[IMAGE_COLUMNS];
    size_t ncols, next_col;
    const double *img_src; /* the column the loop reads for the current pod */
    /* Per position in round-robin order (0 = the start node): feasible (1), not (0) or outside
     * the exact range (2); the total (-1 where infeasible), written by the loop with
     * TaintToleration's normalised score at 100 and corrected on the tainted nodes afterwards. */
    double *ok, *total;
    /* Per pod shape (the loop's inputs: requests, profile, taint verdicts, image column), the
     * loop's results for every node in node order, kept current through the cluster's change log
     * (only nodes whose requests changed are recomputed). A shape is filled the second time it is
     * seen; the least recently used one is replaced. Dropped when the node specs or the image
     * index change. */
    shape shapes[SHAPES];
    uint64_t clock;
    /* NodeAffinity columns, and the current pod's (ZEROS when it has no node affinity). */
    aff_column affs[AFF_COLUMNS];
    uint64_t aff_gen;
    double *zeros;
    const double *aff_src;
    uint64_t aff_src_gen;
    uint64_t spec_epoch;
};

static ks_mem_id mem_kernel(void) { return ks_mem_purpose("scheduler"); }

ks_kernel *ks_kernel_create(void) { return ks_calloc(mem_kernel(), 1, sizeof(ks_kernel)); }

static void drop_shapes(ks_kernel *k)
{
    for (size_t i = 0; i < SHAPES; i++) {
        shape *sh = &k->shapes[i];
        ks_free(sh->class_val);
        ks_free(sh->ok);
        ks_free(sh->total);
        memset(sh, 0, sizeof *sh);
    }
}

static void drop_affinity(ks_kernel *k)
{
    for (size_t i = 0; i < AFF_COLUMNS; i++) {
        ks_free(k->affs[i].key);
        ks_free(k->affs[i].val);
        memset(&k->affs[i], 0, sizeof k->affs[i]);
    }
}

static void free_node_caches(ks_kernel *k)
{
    drop_shapes(k);
    drop_affinity(k);
    void *cols[] = {k->zeros, k->special, k->pref, k->special_class, k->class_rep, k->class_val, k->taint_val, k->img_sum,
                    k->img_mark, k->img_val, k->touched, k->ok, k->total};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) ks_free(cols[i]);
}

static void free_index(ks_kernel *k)
{
    drop_shapes(k);
    for (size_t c = 0; c < k->ncols; c++) {
        ks_free(k->cols[c].score);
        k->cols[c].score = NULL;
    }
    k->ncols = k->next_col = 0;
    ks_free(k->img_first);
    ks_free(k->img_node);
    ks_free(k->img_bytes);
    k->img_first = k->img_node = NULL;
    k->img_bytes = NULL;
}

void ks_kernel_destroy(ks_kernel *k)
{
    if (!k) return;
    free_node_caches(k);
    free_index(k);
    ks_free(k);
}

static bool same_taints(const ks_node_spec *a, const ks_node_spec *b)
{
    if (a->unschedulable != b->unschedulable || a->deleted != b->deleted || a->ntaints != b->ntaints) return false;
    for (size_t t = 0; t < a->ntaints; t++)
        if (a->taints[t].effect != b->taints[t].effect || strcmp(a->taints[t].key, b->taints[t].key) ||
            strcmp(a->taints[t].value, b->taints[t].value))
            return false;
    return true;
}

/* The taint classes and the exactness check, rebuilt when the node specs change (spec_epoch). */
static void rebuild_nodes(ks_kernel *k, const ks_cluster *c)
{
    const ks_nodes *nd = &c->nodes;
    size_t n = nd->n;
    free_node_caches(k);
    ks_mem_id mem = mem_kernel();
    k->zeros = ks_calloc(mem, n + 1, sizeof *k->zeros);
    k->special = ks_malloc(mem, (n + 1) * sizeof *k->special);
    k->pref = ks_malloc(mem, (n + 1) * sizeof *k->pref);
    k->special_class = ks_malloc(mem, (n + 1) * sizeof *k->special_class);
    k->class_rep = ks_malloc(mem, (n + 1) * sizeof *k->class_rep);
    k->class_val = ks_malloc(mem, (n + 1) * sizeof *k->class_val);
    k->taint_val = ks_calloc(mem, n + 1, sizeof *k->taint_val);
    k->img_sum = ks_calloc(mem, n + 1, sizeof *k->img_sum);
    k->img_mark = ks_calloc(mem, n + 1, sizeof *k->img_mark);
    k->img_val = ks_calloc(mem, n + 1, sizeof *k->img_val);
    k->touched = ks_malloc(mem, (n + 1) * sizeof *k->touched);
    k->ok = ks_malloc(mem, (n + 1) * sizeof *k->ok);
    k->total = ks_malloc(mem, (n + 1) * sizeof *k->total);
    k->nspecial = k->nclasses = k->ntouched = 0;
    k->exact = true;
    for (size_t i = 0; i < n; i++) {
        const int64_t a[] = {nd->alloc_cpu[i], nd->alloc_mem[i], nd->alloc_eph[i], nd->alloc_pods[i]};
        for (int r = 0; r < 4; r++) k->exact = k->exact && a[r] >= 0 && a[r] < EXACT_LIMIT;
        const ks_node_spec *s = &nd->spec[i];
        if (!s->unschedulable && s->ntaints == 0 && !s->deleted) continue;
        size_t cl = 0;
        while (cl < k->nclasses && !same_taints(&nd->spec[k->class_rep[cl]], s)) cl++;
        if (cl == k->nclasses) k->class_rep[k->nclasses++] = (uint32_t)i;
        k->special_class[k->nspecial] = (uint32_t)cl;
        k->special[k->nspecial++] = (uint32_t)i;
    }
    k->nnodes = n;
    k->spec_epoch = nd->spec_epoch;
    k->index_pairs = UINT64_MAX; /* force an index rebuild */
}

static uint64_t image_pairs(const ks_cluster *c)
{
    uint64_t pairs = 0;
    for (size_t m = 0; m < c->nimages; m++) pairs += c->image_nodes[m];
    return pairs;
}

/* Images are only ever added to nodes, so the count of (node, image) pairs tells whether the
 * index is current. */
static void rebuild_index(ks_kernel *k, const ks_cluster *c, uint64_t pairs)
{
    free_index(k);
    ks_mem_id mem = mem_kernel();
    size_t m = c->nimages;
    k->img_first = ks_calloc(mem, m + 1, sizeof *k->img_first);
    k->img_node = ks_malloc(mem, (pairs + 1) * sizeof *k->img_node);
    k->img_bytes = ks_malloc(mem, (pairs + 1) * sizeof *k->img_bytes);
    for (size_t i = 0; i < c->nodes.n; i++)
        for (uint32_t j = 0; j < c->nodes.nimages[i]; j++) k->img_first[c->nodes.images[i][j] + 1]++;
    for (size_t id = 0; id < m; id++) k->img_first[id + 1] += k->img_first[id];
    uint32_t *fill = ks_malloc(mem, (m + 1) * sizeof *fill);
    memcpy(fill, k->img_first, (m + 1) * sizeof *fill);
    for (size_t i = 0; i < c->nodes.n; i++)
        for (uint32_t j = 0; j < c->nodes.nimages[i]; j++) {
            uint32_t at = fill[c->nodes.images[i][j]]++;
            k->img_node[at] = (uint32_t)i;
            k->img_bytes[at] = c->nodes.image_sizes[i][j];
        }
    ks_free(fill);
    k->index_pairs = pairs;
    k->index_images = m;
}

/* The ImageLocality column of a one-image pod: calculatePriority(scaledImageScore) on the nodes
 * that have the image, 0 elsewhere. */
static const double *image_column_for(ks_kernel *k, const ks_cluster *c, uint32_t id, int ncontainers)
{
    for (size_t m = 0; m < k->ncols; m++)
        if (k->cols[m].id == id && k->cols[m].ncontainers == ncontainers) return k->cols[m].score;
    image_column *col = &k->cols[k->ncols < IMAGE_COLUMNS ? k->ncols++ : k->next_col++ % IMAGE_COLUMNS];
    ks_free(col->score);
    *col = (image_column){id, ncontainers, ks_calloc(mem_kernel(), c->nodes.n + 1, sizeof(double))};
    int64_t last_bytes = -1, last_score = 0;
    for (uint32_t e = k->img_first[id]; e < k->img_first[id + 1]; e++) {
        if (k->img_bytes[e] != last_bytes) {
            last_bytes = k->img_bytes[e];
            last_score = ks__image_locality_score(ks__image_scaled(last_bytes, c->image_nodes[id], c->nodes.n), ncontainers);
        }
        col->score[k->img_node[e]] = (double)last_score;
    }
    return col->score;
}

/* The NodeAffinity column of KP's key: cached, or evaluated on every node (replacing the least
 * recently used one). */
static const aff_column *affinity_column(ks_kernel *k, const ks_cluster *c, const ks_kernel_pod *kp)
{
    aff_column *victim = &k->affs[0];
    for (size_t i = 0; i < AFF_COLUMNS; i++) {
        aff_column *a = &k->affs[i];
        if (a->val && a->len == kp->aff_key_len && !memcmp(a->key, kp->aff_key, a->len)) {
            a->last_use = ++k->clock;
            return a;
        }
        if (!a->val || (victim->val && a->last_use < victim->last_use)) victim = a;
    }
    ks_mem_id mem = mem_kernel();
    ks_free(victim->key);
    if (!victim->val) victim->val = ks_malloc(mem, (k->nnodes + 1) * sizeof *victim->val);
    victim->key = ks_malloc(mem, kp->aff_key_len + 1);
    memcpy(victim->key, kp->aff_key, kp->aff_key_len);
    victim->len = kp->aff_key_len;
    victim->gen = ++k->aff_gen;
    victim->last_use = ++k->clock;
    for (size_t i = 0; i < k->nnodes; i++) victim->val[i] = kp->affinity(kp->ctx, &c->nodes.spec[i]);
    return victim;
}

/* The pod's per-node columns: taint verdicts on the special nodes, ImageLocality where one of its
 * images is. */
static void prepare_pod(ks_kernel *k, const ks_cluster *c, const ks_kernel_pod *kp)
{
    for (size_t cl = 0; cl < k->nclasses; cl++)
        k->class_val[cl] = kp->taint_verdict(kp->ctx, &c->nodes.spec[k->class_rep[cl]]);
    k->npref = 0;
    k->pref_max = 0;
    for (size_t s = 0; s < k->nspecial; s++) {
        double v = k->class_val[k->special_class[s]];
        k->taint_val[k->special[s]] = v;
        if (v > 0) k->pref[k->npref++] = k->special[s];
        if (v > k->pref_max) k->pref_max = v;
    }
    k->aff_src = k->zeros;
    k->aff_src_gen = 0;
    if (kp->affinity) {
        const aff_column *col = affinity_column(k, c, kp);
        k->aff_src = col->val;
        k->aff_src_gen = col->gen;
    }
    k->img_src = k->img_val;
    if (!kp->w_image) return;
    if (kp->nimages == 1 && kp->images[0] != KS_NONE && kp->images[0] < k->index_images) {
        k->img_src = image_column_for(k, c, kp->images[0], kp->ncontainers);
        return;
    }
    for (int m = 0; m < kp->nimages; m++) { /* every container's image counts, repeats too */
        uint32_t id = kp->images[m];
        if (id == KS_NONE || id >= k->index_images) continue;
        int64_t last_bytes = -1, last_scaled = 0;
        for (uint32_t e = k->img_first[id]; e < k->img_first[id + 1]; e++) {
            uint32_t node = k->img_node[e];
            if (!k->img_mark[node]) {
                k->img_mark[node] = 1;
                k->touched[k->ntouched++] = node;
            }
            /* Most nodes hold an image at the same size: remember the last one's scaled score. */
            if (k->img_bytes[e] != last_bytes) {
                last_bytes = k->img_bytes[e];
                last_scaled = ks__image_scaled(last_bytes, c->image_nodes[id], c->nodes.n);
            }
            k->img_sum[node] += last_scaled;
        }
    }
    int64_t last_sum = -1, last_score = 0;
    for (size_t t = 0; t < k->ntouched; t++) {
        int64_t sum = k->img_sum[k->touched[t]];
        if (sum != last_sum) {
            last_sum = sum;
            last_score = ks__image_locality_score(sum, kp->ncontainers);
        }
        k->img_val[k->touched[t]] = (double)last_score;
    }
}

static void finish_pod(ks_kernel *k)
{
    for (size_t t = 0; t < k->ntouched; t++) {
        uint32_t node = k->touched[t];
        k->img_val[node] = 0;
        k->img_sum[node] = 0;
        k->img_mark[node] = 0;
    }
    k->ntouched = 0;
}

/* int64 <-> double without a conversion instruction (SSE2 and AVX2 have none for 64-bit
 * integers): adding 1.5 x 2^52 puts an integer |x| < 2^51 in the mantissa, so both directions are
 * an integer add and a float subtract, which vectorise everywhere. */
#define MAGIC_BITS 0x4338000000000000ULL
#define MAGIC 6755399441055744.0

typedef union bits64 {
    uint64_t u;
    double d;
} bits64;

static inline double i2d(int64_t x)
{
    bits64 b = {.u = (uint64_t)x + MAGIC_BITS};
    return b.d - MAGIC;
}

static inline int64_t d2i(double x)
{
    bits64 b = {.d = x + MAGIC};
    return (int64_t)(b.u - MAGIC_BITS);
}

/* Truncation of the non-negative quotients below (scores, averages): floor, which SSE4.1 and
 * later round in vectors. A conversion through int32 would also vectorise on SSE2, but gcc 12
 * keeps the branch around a conversion under a ?: with AVX, and the loop stays scalar. */
static inline double trunc_pos(double x) { return floor(x); }


/* Filter and scores for nodes [LO, HI), written to OK_OUT and TOTAL_OUT at BASE + (i - LO). A node whose
 * request sums are outside the exact range of the int64 -> double conversion (|x| >= 2^51; NaN
 * where the bits wrapped) gets ok = 2, which the caller turns into a fall-back. The loop has no
 * reduction: gcc 12 does not vectorise an `omp simd` reduction next to these stores. */
/* Compiled for AVX-512, AVX2 and SSE4.1, picked at load time (glibc ifunc); the "default" clone
 * (SSE2 only: no vector floor) stays scalar. The loop is bound by its four double divisions
 * per node, and wider vectors divide more nodes at once. */
__attribute__((target_clones("avx512f", "avx2", "sse4.1", "default"))) static void range_body(const ks_kernel *k, const ks_nodes *nd, const loop_pod *lp, uint32_t lo, uint32_t hi, uint32_t base,
                                                                                                   double *ok_out, double *total_out)
{
    const int64_t *restrict acpu_c = nd->alloc_cpu, *restrict amem_c = nd->alloc_mem, *restrict aeph_c = nd->alloc_eph,
                  *restrict apods_c = nd->alloc_pods, *restrict rcpu_c = nd->req_cpu, *restrict rmem_c = nd->req_mem,
                  *restrict reph_c = nd->req_eph, *restrict zcpu_c = nd->nz_cpu, *restrict zmem_c = nd->nz_mem,
                  *restrict npods_c = nd->npods;
    const double *restrict taint_val = k->taint_val, *restrict img_val = k->img_src, *restrict aff_val = k->aff_src;
    double *restrict ok_o = ok_out + base - lo, *restrict total_o = total_out + base - lo;
    const loop_pod p = *lp;
    const double limit = 2251799813685248.0; /* 2^51 */
#pragma omp simd
    for (uint32_t i = lo; i < hi; i++) {
        double acpu = i2d(acpu_c[i]), amem = i2d(amem_c[i]), aeph = i2d(aeph_c[i]), apods = i2d(apods_c[i]);
        double rcpu = i2d(rcpu_c[i]), rmem = i2d(rmem_c[i]), reph = i2d(reph_c[i]);
        double zcpu0 = i2d(zcpu_c[i]), zmem0 = i2d(zmem_c[i]), npods = i2d(npods_c[i]);
        bool exact = (fabs(rcpu) < limit) & (fabs(rmem) < limit) & (fabs(reph) < limit) & (fabs(zcpu0) < limit) &
                     (fabs(zmem0) < limit) & (fabs(npods) < limit);
        double zcpu = zcpu0 + p.nz_cpu, zmem = zmem0 + p.nz_mem;
        double tv = taint_val[i];
        /* NodeResourcesFit filter (fitsRequest) and the taint / unschedulable verdict. */
        bool fits = (npods + p.pods_cmp <= apods) & (p.cpu_cmp <= acpu - rcpu) & (p.mem_cmp <= amem - rmem) &
                    (p.eph_cmp <= aeph - reph) & (tv >= 0) & (aff_val[i] >= 0);
        /* Fit score over cpu and memory with non-zero requests; allocatable 0 leaves a resource
         * out of both sums. */
        double cpu_den = acpu > 0 ? acpu : 1, mem_den = amem > 0 ? amem : 1;
        double hc = acpu > 0 ? 1 : 0, hm = amem > 0 ? 1 : 0; /* 0/1 factors, as for the strategy */
        /* Least: (cap - req) x 100 / cap, 0 when req > cap; Most: min(req, cap) x 100 / cap. The
         * strategy is picked by 0/1 factors (a loop-invariant condition in a ?: stops gcc 12),
         * before the one division per resource. */
        double num_cpu = p.most * (zcpu > acpu ? acpu : zcpu) + (1 - p.most) * (zcpu > acpu ? 0 : acpu - zcpu);
        double num_mem = p.most * (zmem > amem ? amem : zmem) + (1 - p.most) * (zmem > amem ? 0 : amem - zmem);
        double s_cpu = trunc_pos(num_cpu * 100 / cpu_den), s_mem = trunc_pos(num_mem * 100 / mem_den);
        double wc = hc * p.fit_w_cpu, wm = hm * p.fit_w_mem;
        /* The weighted mean divides by one of three loop-invariant sums; multiplying by its
         * reciprocal is within 2^-53 x 20,000 of the quotient, and a non-integral quotient is at
         * least 1 / sum (>= 1/200) from the next integer, so the nudge of 1e-9 makes floor exact. */
        double inv = hc * hm * p.inv_cm + hc * (1 - hm) * p.inv_c + (1 - hc) * hm * p.inv_m;
        double fit = trunc_pos((s_cpu * wc + s_mem * wm) * inv + 1e-9);
        /* BalancedAllocation over cpu and memory with real requests: |f0 - f1| / 2 when both
         * count, else std 0. */
        double fc = (rcpu + p.req_cpu) / cpu_den, fm = (rmem + p.req_mem) / mem_den;
        fc = fc > 1 ? 1 : fc; /* capped at 1; fmin would not vectorise (its NaN rules) */
        fm = fm > 1 ? 1 : fm;
        bool both = (p.bal_cpu > 0) & (acpu > 0) & (p.bal_mem > 0) & (amem > 0);
        double std = both ? fabs((fc - fm) / 2) : 0;
        double bal = trunc_pos((1 - std) * 100);
        double okv = exact ? (fits ? 1.0 : 0.0) : 2.0;
        ok_o[i] = okv;
        /* TaintToleration counts as 100 here, which it is on every node without an untolerated
         * PreferNoSchedule taint (100 - 100 x 0 / max); fix_taints corrects the others. With no
         * score plugin every node scores 1 (prioritizeNodes). */
        double total = p.keep * (p.w_fit * fit + p.w_bal * bal + p.w_img * img_val[i] + p.w_taint * 100) + p.one;
        total_o[i] = okv == 1 ? total : -1;
    }
}

/* Splits [LO, HI) over the OpenMP threads in equal contiguous chunks when it is long enough;
 * every node writes its own slots, so the result does not depend on the thread count. */
static void run_range(const ks_kernel *k, const ks_nodes *nd, const loop_pod *lp, uint32_t lo, uint32_t hi,
                      uint32_t base, double *ok, double *total)
{
    uint32_t min_par = parallel_min_nodes ? parallel_min_nodes : DEFAULT_PARALLEL_MIN_NODES;
    if (hi - lo < min_par || omp_get_max_threads() < 2 || omp_in_parallel()) {
        range_body(k, nd, lp, lo, hi, base, ok, total);
        return;
    }
#pragma omp parallel
    {
        uint32_t t = (uint32_t)omp_get_thread_num(), nt = (uint32_t)omp_get_num_threads(), len = hi - lo;
        uint32_t from = lo + (uint32_t)((uint64_t)len * t / nt), to = lo + (uint32_t)((uint64_t)len * (t + 1) / nt);
        range_body(k, nd, lp, from, to, base + (from - lo), ok, total);
    }
}

/* Runs positions [FROM, FROM + LEN) of the round-robin order starting at START, wrapping, into
 * the position-indexed k->ok and k->total. */
static void run_positions(ks_kernel *k, const ks_nodes *nd, const loop_pod *lp, uint32_t start, uint32_t from,
                          uint32_t len)
{
    uint32_t n = (uint32_t)nd->n, lo = (uint32_t)(((uint64_t)start + from) % n);
    uint32_t first = len < n - lo ? len : n - lo;
    run_range(k, nd, lp, lo, lo + first, from, k->ok, k->total);
    if (first < len) run_range(k, nd, lp, 0, len - first, from + first, k->ok, k->total);
}

typedef struct block_count {
    double feasible, bad;
} block_count;

/* Feasible nodes (ok 1) and out-of-range ones (ok 2) among LEN entries: two sums, no stores. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static block_count count_block(const double *restrict ok,
                                                                                             uint32_t len)
{
    double feasible = 0, bad = 0;
#pragma omp simd reduction(+ : feasible, bad)
    for (uint32_t p = 0; p < len; p++) {
        feasible += ok[p] == 1 ? 1 : 0;
        bad += ok[p] > 1 ? 1 : 0;
    }
    return (block_count){feasible, bad};
}

/* selectHost's maximum, as a vectorised reduction (kernel.c's totals are >= 0, -1 infeasible). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static double max_total(const double *restrict total,
                                                                                    uint32_t len)
{
    double top = -1;
#pragma omp simd reduction(max : top)
    for (uint32_t p = 0; p < len; p++) top = total[p] > top ? total[p] : top;
    return top;
}

/* The largest V[j] among the feasible entries (OK[j] == 1), 0 when none is larger. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static double feasible_max(const double *restrict ok,
                                                                                       const double *restrict v,
                                                                                       uint32_t len)
{
    double top = 0;
#pragma omp simd reduction(max : top)
    for (uint32_t j = 0; j < len; j++) top = ok[j] == 1 && v[j] > top ? v[j] : top;
    return top;
}

/* DefaultNormalizeScore (plugins/helper/normalize_score.go) of V over the feasible entries,
 * weighted: TOTAL[j] += SIGN x W x floor(100 x V[j] / MAX), an int64 division of exact integers. */
__attribute__((target_clones("avx512f", "avx2", "sse4.1", "default"))) static void add_normalized(
    const double *restrict ok, const double *restrict v, double *restrict total, uint32_t len, double w, double max,
    double sign)
{
#pragma omp simd
    for (uint32_t j = 0; j < len; j++) total[j] += ok[j] == 1 ? sign * w * floor(100 * v[j] / max) : 0;
}

/* The processed nodes as two runs in round-robin order: run 0 is nodes START, START + 1, ... and
 * run 1 continues from node 0 after the wrap. Each run's entries are OK[j] and TOTAL[j] for node
 * NODE0 + j. */
typedef struct run {
    double *ok, *total;
    uint32_t len, node0;
} run;

/* Entry of position P (< runs[0].len + runs[1].len). */
static inline double *total_at(const run *runs, uint32_t p)
{
    return p < runs[0].len ? &runs[0].total[p] : &runs[1].total[p - runs[0].len];
}

static inline bool feasible_at(const run *runs, uint32_t p)
{
    return (p < runs[0].len ? runs[0].ok[p] : runs[1].ok[p - runs[0].len]) == 1;
}

/* TaintToleration's NormalizeScore over the feasible processed nodes, reversed: 100 - 100 x
 * count / max (all 100 when the maximum is 0). Only tainted nodes can have a count, so only they
 * are corrected: SIGN -1 applies the correction to totals written with 100, +1 takes it back
 * (cached totals stay as the loop wrote them). Returns the maximum, 0 when nothing changed. */
static double fix_taints(const ks_kernel *k, const run *runs, uint32_t start, uint32_t processed, int64_t w_taint,
                         double tmax, int sign)
{
    uint32_t n = (uint32_t)k->nnodes;
    if (tmax < 0) { /* the largest count on a feasible processed node; no node has more than pref_max */
        tmax = 0;
        for (size_t s = 0; s < k->npref && tmax < k->pref_max; s++) {
            uint32_t node = k->pref[s], p = node >= start ? node - start : node + (n - start);
            double count = k->taint_val[node];
            if (count > tmax && p < processed && feasible_at(runs, p)) tmax = count;
        }
    }
    if (tmax == 0) return 0;
    for (size_t s = 0; s < k->npref; s++) {
        uint32_t node = k->pref[s], p = node >= start ? node - start : node + (n - start);
        if (p < processed && feasible_at(runs, p))
            *total_at(runs, p) += sign * (double)(w_taint * (100 * (int64_t)k->taint_val[node] / (int64_t)tmax));
    }
    return tmax;
}

/* The shape of this pod, or NULL when its ImageLocality column is scattered (several images);
 * *SEEN tells whether it was known before this cycle. */
static shape *find_shape(ks_kernel *k, const loop_pod *lp, bool *seen)
{
    *seen = false;
    if (k->ntouched) return NULL;
    uint32_t img_id = KS_NONE;
    int img_ncontainers = 0;
    for (size_t c = 0; c < k->ncols; c++)
        if (k->img_src == k->cols[c].score) img_id = k->cols[c].id, img_ncontainers = k->cols[c].ncontainers;
    shape *victim = &k->shapes[0];
    for (size_t i = 0; i < SHAPES; i++) {
        shape *sh = &k->shapes[i];
        if (sh->used && sh->img_id == img_id && sh->img_ncontainers == img_ncontainers && sh->aff_gen == k->aff_src_gen &&
            !memcmp(&sh->lp, lp, sizeof *lp) &&
            (k->nclasses == 0 || !memcmp(sh->class_val, k->class_val, k->nclasses * sizeof *k->class_val))) {
            sh->last_use = ++k->clock;
            *seen = true;
            return sh;
        }
        if (!sh->used || (victim->used && sh->last_use < victim->last_use)) victim = sh;
    }
    /* First sight: remember the key only. */
    ks_mem_id mem = mem_kernel();
    ks_free(victim->ok);
    ks_free(victim->total);
    ks_free(victim->class_val);
    *victim = (shape){.used = true, .lp = *lp, .aff_gen = k->aff_src_gen, .img_id = img_id, .img_ncontainers = img_ncontainers,
                      .last_use = ++k->clock};
    victim->class_val = ks_malloc(mem, (k->nclasses + 1) * sizeof *victim->class_val);
    memcpy(victim->class_val, k->class_val, k->nclasses * sizeof *k->class_val);
    return victim;
}

/* Brings a shape's per-node results up to date: the nodes in the change log since its position,
 * or every node when it is new, has missed entries or more than an eighth of the nodes changed. */
static void refresh_shape(ks_kernel *k, const ks_nodes *nd, shape *sh)
{
    uint32_t n = (uint32_t)nd->n;
    uint64_t end = nd->changes_base + nd->nchanges;
    if (!sh->filled || sh->log_pos < nd->changes_base || end - sh->log_pos > n / 8) {
        if (!sh->ok) {
            sh->ok = ks_malloc(mem_kernel(), (n + 1) * sizeof *sh->ok);
            sh->total = ks_malloc(mem_kernel(), (n + 1) * sizeof *sh->total);
        }
        run_range(k, nd, &sh->lp, 0, n, 0, sh->ok, sh->total);
        sh->filled = true;
    } else {
        for (uint64_t e = sh->log_pos - nd->changes_base; e < nd->nchanges; e++) {
            uint32_t node = nd->changes[e];
            range_body(k, nd, &sh->lp, node, node + 1, node, sh->ok, sh->total);
        }
    }
    sh->log_pos = end;
}

/* findNodesThatPassFilters over a filled shape: positions in round-robin order from START up to
 * the WANT-th feasible node. Whole runs and chunks are counted in vectors, the last chunk
 * scanned. Returns false when a processed node is outside the exact range. */
static bool cut_shape(const shape *sh, uint32_t n, uint32_t start, uint32_t want, uint32_t *processed,
                      uint32_t *found)
{
    enum { CHUNK = 256 };
    const uint32_t lo[2] = {start, 0}, len[2] = {n - start, start};
    *processed = *found = 0;
    for (int r = 0; r < 2 && *found < want; r++) {
        const double *ok = sh->ok + lo[r];
        uint32_t pos = 0;
        while (pos < len[r] && *found < want) {
            uint32_t m = len[r] - pos < CHUNK ? len[r] - pos : CHUNK;
            block_count c = count_block(ok + pos, m);
            if (*found + c.feasible < want) {
                if (c.bad > 0) return false;
                *found += (uint32_t)c.feasible;
                pos += m;
                continue;
            }
            for (; *found < want; pos++) {
                if (ok[pos] > 1) return false;
                *found += ok[pos] == 1;
            }
        }
        *processed += pos;
    }
    return true;
}

bool ks_kernel_select(ks_kernel *k, const ks_cluster *c, const ks_kernel_pod *kp, uint32_t start, uint32_t want,
                      gsl_rng *rng, ks_select_result *out)
{
    const ks_nodes *nd = &c->nodes;
    uint32_t n = (uint32_t)nd->n;
    *out = (ks_select_result){KS_NONE, 0, 0, n};
    if (n == 0) return true;
    if (k->nnodes != n || k->spec_epoch != nd->spec_epoch) rebuild_nodes(k, c);
    if (!k->exact) return false;
    uint64_t pairs = image_pairs(c);
    if (pairs != k->index_pairs || c->nimages != k->index_images) rebuild_index(k, c, pairs);
    prepare_pod(k, c, kp);

    bool scoring = kp->scoring;
    loop_pod lp = {
        .cpu_cmp = kp->fit_filter && kp->req_cpu > 0 ? (double)kp->req_cpu : -INFINITY,
        .mem_cmp = kp->fit_filter && kp->req_mem > 0 ? (double)kp->req_mem : -INFINITY,
        .eph_cmp = kp->fit_filter && kp->req_eph > 0 ? (double)kp->req_eph : -INFINITY,
        .pods_cmp = kp->fit_filter ? 1.0 : -INFINITY,
        .req_cpu = (double)kp->req_cpu, .req_mem = (double)kp->req_mem,
        .nz_cpu = (double)kp->nz_cpu, .nz_mem = (double)kp->nz_mem,
        .fit_w_cpu = (double)kp->fit_w_cpu, .fit_w_mem = (double)kp->fit_w_mem,
        .bal_cpu = kp->bal_cpu, .bal_mem = kp->bal_mem,
        .w_fit = (double)kp->w_fit, .w_bal = (double)kp->w_balanced, .w_img = (double)kp->w_image,
        .w_taint = (double)kp->w_taint,
        .keep = scoring ? 1 : 0, .one = scoring ? 0 : 1,
        .most = kp->most_allocated ? 1 : 0,
        .inv_cm = kp->fit_w_cpu + kp->fit_w_mem ? 1.0 / (double)(kp->fit_w_cpu + kp->fit_w_mem) : 0,
        .inv_c = kp->fit_w_cpu ? 1.0 / (double)kp->fit_w_cpu : 0,
        .inv_m = kp->fit_w_mem ? 1.0 / (double)kp->fit_w_mem : 0,
    };

    uint32_t processed = 0, found = 0;
    run runs[2];
    /* A shape seen before is served from its per-node results; one seen for the first time
     * takes the block path (a one-off pod with an adaptive percentage filters a tenth of the
     * nodes, not all of them). */
    bool cached = false;
    shape *sh = find_shape(k, &lp, &cached);
    if (cached) {
        refresh_shape(k, nd, sh);
        if (!cut_shape(sh, n, start, want, &processed, &found)) {
            finish_pod(k);
            return false;
        }
        uint32_t first = processed < n - start ? processed : n - start;
        runs[0] = (run){sh->ok + start, sh->total + start, first, start};
        runs[1] = (run){sh->ok, sh->total, processed - first, 0};
    } else {
        /* findNodesThatPassFilters: blocks sized to the feasible nodes still wanted (plus an
         * eighth), cut exactly at the want-th feasible node. */
        bool bad = false;
        while (processed < n && found < want) {
            uint32_t need = want - found, len = need + need / 8 + 32;
            if (len > n - processed) len = n - processed;
            run_positions(k, nd, &lp, start, processed, len);
            block_count count = count_block(k->ok + processed, len);
            bad = bad || count.bad > 0;
            if (found + count.feasible < want) { /* no cut in this block */
                found += (uint32_t)count.feasible;
                processed += len;
                continue;
            }
            /* The want-th feasible node is in this block: processed ends just after it. */
            uint32_t end = processed + len;
            if (found + count.feasible == want) {
                while (!(k->ok[end - 1] == 1)) end--;
                processed = end;
                found = want;
                continue;
            }
            for (; found < want; processed++) found += k->ok[processed] == 1;
        }
        if (bad) {
            finish_pod(k);
            return false;
        }
        uint32_t first = processed < n - start ? processed : n - start;
        runs[0] = (run){k->ok, k->total, first, start};
        runs[1] = (run){k->ok + first, k->total + first, processed - first, 0};
    }
    out->processed = processed;
    out->nfeasible = found;
    if (found == 1) { /* a single feasible node is taken without scoring */
        uint32_t p = 0;
        while (!feasible_at(runs, p)) p++;
        out->chosen = p < runs[0].len ? runs[0].node0 + p : p - runs[0].len;
    } else if (found > 1) {
        /* TaintToleration's NormalizeScore over the feasible nodes, reversed; then the other
         * plugins (EXTRA) or straight to selectHost over the two runs. */
        double tmax = scoring && kp->w_taint ? fix_taints(k, runs, start, processed, kp->w_taint, -1, -1) : 0;
        /* NodeAffinity's preferred terms, normalised by their maximum over the feasible nodes. */
        double amax = 0;
        if (scoring && kp->w_affinity) {
            for (int r = 0; r < 2; r++) {
                double m = feasible_max(runs[r].ok, k->aff_src + runs[r].node0, runs[r].len);
                amax = m > amax ? m : amax;
            }
            for (int r = 0; r < 2 && amax > 0; r++)
                add_normalized(runs[r].ok, k->aff_src + runs[r].node0, runs[r].total, runs[r].len, (double)kp->w_affinity,
                               amax, 1);
        }
        if (kp->extra) { /* the feasible nodes in order, their totals, the other plugins' scores */
            uint32_t j = 0;
            for (int r = 0; r < 2; r++)
                for (uint32_t q = 0; q < runs[r].len; q++) {
                    if (!(runs[r].ok[q] == 1)) continue;
                    kp->feasible_out[j] = runs[r].node0 + q;
                    kp->totals_out[j++] = runs[r].total[q];
                }
            kp->extra(kp->ctx, j);
            out->chosen = kp->feasible_out[ks_sched_select_host(kp->totals_out, j, rng)];
        } else {
            double top0 = max_total(runs[0].total, runs[0].len), top1 = max_total(runs[1].total, runs[1].len);
            double top = top0 > top1 ? top0 : top1;
            uint64_t ties0 = ks__count_equal(runs[0].total, runs[0].len, top);
            uint64_t pick = ks__select_host_pick(ties0 + ks__count_equal(runs[1].total, runs[1].len, top), rng);
            out->chosen = pick <= ties0 ? runs[0].node0 + ks__nth_equal(runs[0].total, runs[0].len, top, pick)
                                        : ks__nth_equal(runs[1].total, runs[1].len, top, pick - ties0);
        }
        if (cached && tmax > 0) fix_taints(k, runs, start, processed, kp->w_taint, tmax, +1);
        for (int r = 0; cached && r < 2 && amax > 0; r++)
            add_normalized(runs[r].ok, k->aff_src + runs[r].node0, runs[r].total, runs[r].len, (double)kp->w_affinity,
                           amax, -1);
    }
    finish_pod(k);
    return true;
}
