/* GPU sharing (models/scheduler/gpushare.c): the FGD filter, the GPU-selection rules, the six
 * policies' node scores, typical pods and the fragmentation measure, each on small hand-built
 * nodes and pods whose values are worked out by hand from the formulas of the FGD artifact
 * (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin/ *_score.go, pkg/utils/frag.go) as
 * /work/shared/reference/fgd-experiment.md section 2.3 states them. The arithmetic is in the
 * comments. Deterministic: the one random test uses a fixed seed. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "gpushare.h"
#include "testutil.h"

/* A node with NGPU GPUs whose free milli are FREE[], CPU_LEFT cpu milli and GPU model MODEL. */
static ks_gpu_node node(int ngpu, const int32_t *free_milli, int64_t cpu_left, int32_t model)
{
    ks_gpu_node n;
    memset(&n, 0, sizeof n);
    n.gpu_count = ngpu;
    for (int i = 0; i < ngpu; i++) n.free_milli[i] = free_milli[i];
    n.cpu_left_milli = cpu_left;
    n.model = model;
    return n;
}

/* ------------------------------------------------------------------ filter */

static void test_fits(void **state)
{
    (void)state;
    ks_gpu_node n = node(4, (int32_t[]){1000, 300, 600, 1000}, 10000, 2);
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 500, 0}));    /* GPUs 0, 2, 3 have >= 500 */
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 300, 0}));    /* free >= request, not > */
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 2, 1000, 0}));   /* GPUs 0 and 3 */
    assert_false(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 3, 1000, 0}));  /* only 2 fully free */
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 700, 0}));    /* GPUs 0 and 3 */
    assert_false(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 1001, 0}));  /* no GPU has 1001 */
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){10000, 1, 1000, 0}));  /* cpu exactly left */
    assert_false(ks_gpu_fits(&n, &(ks_gpu_pod){10001, 1, 100, 0}));  /* cpu short by 1 */
    /* gpu_spec: model 2 must be in the mask. */
    assert_false(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 500, 1u << 3}));
    assert_true(ks_gpu_fits(&n, &(ks_gpu_pod){1000, 1, 500, (1u << 2) | (1u << 5)}));
    /* A CPU node: CPU-only pods fit, GPU pods and typed pods do not. */
    ks_gpu_node cpu = node(0, NULL, 4000, KS_GPU_MODEL_NONE);
    assert_true(ks_gpu_fits(&cpu, &(ks_gpu_pod){4000, 0, 0, 0}));
    assert_false(ks_gpu_fits(&cpu, &(ks_gpu_pod){1000, 1, 100, 0}));
    assert_false(ks_gpu_node_accessible(&cpu, &(ks_gpu_pod){1000, 1, 100, 1u}));
    assert_int_equal(ks_gpu_node_idle_milli(&n), 2900);
    assert_int_equal(ks_gpu_node_fully_free(&n), 2);
}

/* ------------------------------------------------------------------ GPU selection */

static void test_pick_best_fit(void **state)
{
    (void)state;
    ks_gpu_node n = node(4, (int32_t[]){1000, 300, 600, 1000}, 10000, 0);
    /* 500 milli: GPUs 0 (1000), 2 (600), 3 (1000) fit; the least free that fits is GPU 2. */
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){0, 1, 500, 0}), 1u << 2);
    /* 200 milli: every GPU fits; the least free is GPU 1 (300). */
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){0, 1, 200, 0}), 1u << 1);
    /* 2 whole GPUs: order 1 (300), 2 (600), 0 (1000), 3 (1000): the fitting ones are 0 and 3. */
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){0, 2, 1000, 0}), (1u << 0) | (1u << 3));
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){0, 3, 1000, 0}), 0);
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){1000, 0, 0, 0}), 0);
    /* Ties on free milli go to the lower index: GPUs 0 and 1 both have 800. */
    ks_gpu_node t = node(3, (int32_t[]){800, 800, 1000}, 10000, 0);
    assert_int_equal(ks_gpu_pick_best_fit(&t, &(ks_gpu_pod){0, 1, 700, 0}), 1u << 0);
}

static void test_pick_exclusive(void **state)
{
    (void)state;
    ks_gpu_node n = node(4, (int32_t[]){600, 1000, 300, 1000}, 10000, 0);
    /* Whole-GPU pods take the lowest-index fully free GPUs: 1, then 1 and 3. */
    assert_int_equal(ks_gpu_pick_exclusive(&n, &(ks_gpu_pod){0, 1, 1000, 0}), 1u << 1);
    assert_int_equal(ks_gpu_pick_exclusive(&n, &(ks_gpu_pod){0, 2, 1000, 0}), (1u << 1) | (1u << 3));
    assert_int_equal(ks_gpu_pick_exclusive(&n, &(ks_gpu_pod){0, 3, 1000, 0}), 0);
    /* A 200-milli pod: the lowest-index GPU that fits is 0 (600); best fit would take 2 (300). */
    assert_int_equal(ks_gpu_pick_exclusive(&n, &(ks_gpu_pod){0, 1, 200, 0}), 1u << 0);
    assert_int_equal(ks_gpu_pick_best_fit(&n, &(ks_gpu_pod){0, 1, 200, 0}), 1u << 2);
}

static void test_pick_random(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    ks_gpu_node n = node(4, (int32_t[]){1000, 300, 600, 1000}, 10000, 0);
    ks_gpu_pod share = {0, 1, 500, 0};
    /* GPUs 0, 2, 3 fit; each should come up about 1/3 of 30000 draws, GPU 1 never. The bounds are
     * 10000 +- 500, about 6 standard deviations (sd = sqrt(30000 x 1/3 x 2/3) = 82). */
    int count[4] = {0};
    for (int k = 0; k < 30000; k++) {
        uint32_t m = ks_gpu_pick_random(&n, &share, rng);
        assert_int_equal(__builtin_popcount(m), 1);
        count[__builtin_ctz(m)]++;
    }
    assert_int_equal(count[1], 0);
    for (int i = 0; i < 4; i += (i == 0 ? 2 : 1)) {
        assert_in_range(count[i], 9500, 10500);
    }
    /* Whole-GPU pods do not draw: the lowest-index fully free GPUs. */
    gsl_rng_set(rng, 7);
    assert_int_equal(ks_gpu_pick_random(&n, &(ks_gpu_pod){0, 2, 1000, 0}, rng), (1u << 0) | (1u << 3));
    gsl_rng *fresh = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(fresh, 7);
    assert_int_equal(gsl_rng_get(rng), gsl_rng_get(fresh)); /* no draw was made */
    /* A pod that fits nowhere gets no GPU. */
    assert_int_equal(ks_gpu_pick_random(&n, &(ks_gpu_pod){0, 1, 1001, 0}, rng), 0);
    /* The same seed gives the same choices. */
    gsl_rng_set(rng, 3);
    gsl_rng_set(fresh, 3);
    for (int k = 0; k < 100; k++)
        assert_int_equal(ks_gpu_pick_random(&n, &share, rng), ks_gpu_pick_random(&n, &share, fresh));
    gsl_rng_free(fresh);
    gsl_rng_free(rng);
    /* The Random policy's node draw stays in range. */
    gsl_rng *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    for (int k = 0; k < 1000; k++) assert_true(ks_gpu_random_node(r2, 5) < 5);
    assert_int_equal(ks_gpu_random_node(r2, 1), 0);
    gsl_rng_free(r2);
}

static void test_assume_release(void **state)
{
    (void)state;
    ks_gpu_node n = node(4, (int32_t[]){1000, 300, 600, 1000}, 10000, 0);
    ks_gpu_node orig = n;
    ks_gpu_pod share = {1000, 1, 500, 0}, whole = {4000, 2, 1000, 0};
    uint32_t m1 = ks_gpu_pick_best_fit(&n, &share); /* GPU 2: 600 -> 100 */
    ks_gpu_node_assume(&n, &share, m1);
    uint32_t m2 = ks_gpu_pick_exclusive(&n, &whole); /* GPUs 0 and 3 */
    ks_gpu_node_assume(&n, &whole, m2);
    assert_int_equal(n.free_milli[0], 0);
    assert_int_equal(n.free_milli[1], 300);
    assert_int_equal(n.free_milli[2], 100);
    assert_int_equal(n.free_milli[3], 0);
    assert_int_equal(n.cpu_left_milli, 5000);
    assert_int_equal(n.tag_pods[KS_GPU_TAG_SHARE], 1);
    assert_int_equal(n.tag_pods[2], 1);
    ks_gpu_node_release(&n, &share, m1);
    ks_gpu_node_release(&n, &whole, m2);
    assert_memory_equal(&n, &orig, sizeof n);
}

/* ------------------------------------------------------------------ scores */

static void test_score_dotprod(void **state)
{
    (void)state;
    ks_gpu_pod p = {32000, 1, 500, 0};
    /* node [64000/128000, 4000/8000] = [0.5, 0.5], pod [32000/128000, 500/8000] = [0.25, 0.0625]:
     * dot = 0.125 + 0.03125 = 0.15625, / 2 = 0.078125, 100 x (1 - 0.078125) = 92.1875 -> 92. */
    ks_gpu_node a = node(4, (int32_t[]){1000, 1000, 1000, 1000}, 64000, 0);
    assert_int_equal(ks_gpu_score_dotprod(&a, &p), 92);
    /* node [1, 1]: dot = 0.25 + 0.0625 = 0.3125, / 2 = 0.15625, 100 x 0.84375 = 84.375 -> 84. */
    ks_gpu_node b = node(8, (int32_t[]){1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 128000, 0);
    assert_int_equal(ks_gpu_score_dotprod(&b, &p), 84);
    /* 2 whole GPUs count 2000: pod [0.25, 0.25], node b: (0.25 + 0.25) / 2 = 0.25 -> 75. */
    assert_int_equal(ks_gpu_score_dotprod(&b, &(ks_gpu_pod){32000, 2, 1000, 0}), 75);
}

static void test_score_clustering(void **state)
{
    (void)state;
    ks_gpu_pod share = {1000, 1, 500, 0};
    /* 8 GPUs with 6000 milli left: b = 25 x (8000 - 6000) / 8000 = 50000 / 8000 = 6 (int). */
    ks_gpu_node c = node(8, (int32_t[]){500, 500, 1000, 1000, 1000, 1000, 1000, 0}, 64000, 0);
    c.tag_pods[KS_GPU_TAG_SHARE] = 2;               /* only sharing pods: 75 + 6 = 81 */
    assert_int_equal(ks_gpu_score_clustering(&c, &share), 81);
    c.tag_pods[1] = 1;                              /* mixed, including share-gpu: 50 + 6 = 56 */
    assert_int_equal(ks_gpu_score_clustering(&c, &share), 56);
    c.tag_pods[KS_GPU_TAG_SHARE] = 0;               /* only 1-gpu pods, other tag: 0 + 6 = 6 */
    assert_int_equal(ks_gpu_score_clustering(&c, &share), 6);
    /* ... while a 1-GPU pod sees its own tag only: 75 + 6 = 81. */
    assert_int_equal(ks_gpu_score_clustering(&c, &(ks_gpu_pod){0, 1, 1000, 0}), 81);
    /* An empty 8-GPU node: b = 0, 25 + 0 = 25. */
    ks_gpu_node e = node(8, (int32_t[]){1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 64000, 0);
    assert_int_equal(ks_gpu_score_clustering(&e, &share), 25);
    /* An empty 4-GPU node has 4000 left against MaxSpecGpu 8000: b = 25 x 4000 / 8000 = 12 (12.5),
     * 25 + 12 = 37 — the artifact's quirk that smaller nodes look fuller. */
    ks_gpu_node e4 = node(4, (int32_t[]){1000, 1000, 1000, 1000}, 64000, 0);
    assert_int_equal(ks_gpu_score_clustering(&e4, &share), 37);
    /* A CPU-only pod scores 0 everywhere. */
    assert_int_equal(ks_gpu_score_clustering(&c, &(ks_gpu_pod){1000, 0, 0, 0}), 0);
}

static void test_score_packing(void **state)
{
    (void)state;
    ks_gpu_pod share300 = {0, 1, 300, 0};
    /* All GPUs free: max(33 - n_free, n_free): 8 GPUs -> max(25, 8) = 25, 2 GPUs -> 31. */
    ks_gpu_node e8 = node(8, (int32_t[]){1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 64000, 0);
    ks_gpu_node e2 = node(2, (int32_t[]){1000, 1000}, 64000, 0);
    assert_int_equal(ks_gpu_score_packing(&e8, &share300), 25);
    assert_int_equal(ks_gpu_score_packing(&e2, &share300), 31);
    /* Least free first: GPU 2 (400), then 0, 1, 3 (1000). */
    ks_gpu_node n = node(4, (int32_t[]){1000, 1000, 400, 1000}, 64000, 0);
    /* 300 milli fits on shared GPU 2: 400 x 100 / 1000 = 40 %, 100 - 40 / 10 = 96. */
    assert_int_equal(ks_gpu_score_packing(&n, &share300), 96);
    /* 500 milli does not fit GPU 2 and takes fully free GPU 0: max(50 - 1, 33) = 49. */
    assert_int_equal(ks_gpu_score_packing(&n, &(ks_gpu_pod){0, 1, 500, 0}), 49);
    /* 2 whole GPUs: 0 and 1, both fully free: 50 - 2 = 48. */
    assert_int_equal(ks_gpu_score_packing(&n, &(ks_gpu_pod){0, 2, 1000, 0}), 48);
    /* A shared GPU with 950 free and a 100-milli pod: 95 %, 95 / 10 = 9 (int), 100 - 9 = 91. */
    ks_gpu_node s = node(2, (int32_t[]){950, 1000}, 64000, 0);
    assert_int_equal(ks_gpu_score_packing(&s, &(ks_gpu_pod){0, 1, 100, 0}), 91);
    /* Does not fit: the artifact's error path, 0. CPU-only: 0. */
    assert_int_equal(ks_gpu_score_packing(&n, &(ks_gpu_pod){0, 4, 1000, 0}), 0);
    assert_int_equal(ks_gpu_score_packing(&n, &(ks_gpu_pod){1000, 0, 0, 0}), 0);
}

static void test_score_bestfit(void **state)
{
    (void)state;
    ks_gpu_pod p = {16000, 1, 500, 0};
    int64_t s[3];
    /* cpu 64000, gpu 4000: 0.5 x 48000/128000 + 0.5 x 3500/8000 = 0.1875 + 0.21875 = 0.40625,
     * (1 - 0.40625) x 100 = 59.375 -> 59. */
    ks_gpu_node b1 = node(4, (int32_t[]){1000, 1000, 1000, 1000}, 64000, 0);
    s[0] = ks_gpu_score_bestfit_raw(&b1, &p);
    assert_int_equal(s[0], 59);
    /* cpu 16000, gpu 500: nothing left afterwards, 0 -> 100. */
    ks_gpu_node b2 = node(2, (int32_t[]){500, 0}, 16000, 0);
    s[1] = ks_gpu_score_bestfit_raw(&b2, &p);
    assert_int_equal(s[1], 100);
    /* cpu 128000, gpu 8000: 0.5 x 0.875 + 0.5 x 0.9375 = 0.90625 -> 9.375 -> 9. */
    ks_gpu_node b3 = node(8, (int32_t[]){1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 128000, 0);
    s[2] = ks_gpu_score_bestfit_raw(&b3, &p);
    assert_int_equal(s[2], 9);
    /* Min-max over the feasible nodes: lo 9, hi 100, range 91:
     * (59 - 9) x 100 / 91 = 5000 / 91 = 54 (int), 100 -> 100, 9 -> 0. */
    ks_gpu_normalize_scores(s, 3);
    assert_int_equal(s[0], 54);
    assert_int_equal(s[1], 100);
    assert_int_equal(s[2], 0);
    /* Equal scores all become 0. */
    int64_t eq[2] = {7, 7};
    ks_gpu_normalize_scores(eq, 2);
    assert_int_equal(eq[0], 0);
    assert_int_equal(eq[1], 0);
    /* A node short of cpu: -1. */
    ks_gpu_node b4 = node(4, (int32_t[]){1000, 1000, 1000, 1000}, 8000, 0);
    assert_int_equal(ks_gpu_score_bestfit_raw(&b4, &p), -1);
}

/* ------------------------------------------------------------------ typical pods, fragmentation */

static void test_typical_pods(void **state)
{
    (void)state;
    /* 20 pods: A (4000, 1 x 500) x 10, B (8000, 1 x 1000) x 6, C (2000, 2 x 1000) x 3,
     * D (1000, 1 x 250) x 1, in an interleaved order. */
    ks_gpu_pod pods[20];
    const ks_gpu_pod A = {4000, 1, 500, 0}, B = {8000, 1, 1000, 0}, C = {2000, 2, 1000, 0},
                     D = {1000, 1, 250, 0};
    size_t k = 0;
    pods[k++] = D;
    for (int i = 0; i < 3; i++) pods[k++] = C;
    for (int i = 0; i < 6; i++) { pods[k++] = A; pods[k++] = B; }
    for (int i = 0; i < 4; i++) pods[k++] = A;
    assert_int_equal(k, 20);
    /* 95 %: target 95 x 20 / 100 = 19 pods; A (10) < 19, +B = 16 < 19, +C = 19, stop: D dropped.
     * Renormalised: 10/19, 6/19, 3/19. */
    size_t n = 0;
    ks_gpu_typical *m = ks_gpu_typical_pods(pods, 20, 95, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(&m[0].spec, &A, sizeof A);
    assert_memory_equal(&m[1].spec, &B, sizeof B);
    assert_memory_equal(&m[2].spec, &C, sizeof C);
    assert_true(fabs(m[0].freq - 10.0 / 19) < 1e-12);
    assert_true(fabs(m[1].freq - 6.0 / 19) < 1e-12);
    assert_true(fabs(m[2].freq - 3.0 / 19) < 1e-12);
    ks_free(m);
    /* 96 %: target 19.2, so D (1 pod) joins: 10/20, 6/20, 3/20, 1/20. */
    m = ks_gpu_typical_pods(pods, 20, 96, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(&m[3].spec, &D, sizeof D);
    assert_true(fabs(m[3].freq - 0.05) < 1e-12);
    ks_free(m);
    /* The model mask is part of the key; equal counts are ordered by key (cpu first). */
    ks_gpu_pod t[4] = {{4000, 1, 500, 2}, {4000, 1, 500, 0}, {4000, 1, 500, 2}, {4000, 1, 500, 0}};
    m = ks_gpu_typical_pods(t, 4, 95, &n);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].spec.model_mask, 0);
    assert_int_equal(m[1].spec.model_mask, 2);
    assert_true(fabs(m[0].freq - 0.5) < 1e-12);
    ks_free(m);
    assert_null(ks_gpu_typical_pods(t, 0, 95, &n));
    assert_int_equal(n, 0);
}

static void test_fragmentation(void **state)
{
    (void)state;
    /* 4 GPUs free 1000, 200, 600, 0 (idle 1800), cpu 8000, model 1. */
    ks_gpu_node f = node(4, (int32_t[]){1000, 200, 600, 0}, 8000, 1);
    ks_gpu_typical m[4] = {
        {{1000, 1, 500, 0}, 0.5},  /* fits (GPUs 0, 2): frag = GPUs < 500 = 200 + 0 = 200 */
        {{2000, 1, 1000, 0}, 0.3}, /* fits (GPU 0): frag = 200 + 600 + 0 = 800 */
        {{1000, 2, 1000, 0}, 0.1}, /* one fully free GPU only: lacks GPU, all idle 1800 */
        {{0, 0, 0, 0}, 0.1},       /* CPU-only: all idle 1800 */
    };
    assert_int_equal(ks_gpu_frag_milli(&f, &m[0].spec), 200);
    assert_int_equal(ks_gpu_frag_milli(&f, &m[1].spec), 800);
    assert_int_equal(ks_gpu_frag_milli(&f, &m[2].spec), 1800);
    assert_int_equal(ks_gpu_frag_milli(&f, &m[3].spec), 1800);
    /* Model not allowed, or cpu short: all idle. */
    assert_int_equal(ks_gpu_frag_milli(&f, &(ks_gpu_pod){1000, 1, 500, 1u << 2}), 1800);
    assert_int_equal(ks_gpu_frag_milli(&f, &(ks_gpu_pod){1000, 1, 500, 1u << 1}), 200);
    assert_int_equal(ks_gpu_frag_milli(&f, &(ks_gpu_pod){9000, 1, 500, 0}), 1800);
    /* F = 0.5 x 200 + 0.3 x 800 + 0.1 x 1800 + 0.1 x 1800 = 100 + 240 + 180 + 180 = 700. */
    assert_true(fabs(ks_gpu_node_frag(&f, m, 4) - 700) < 1e-9);
    /* Cluster: f (F 700, idle 1800); a full node (F 0, idle 0); an empty 2-GPU node where every
     * GPU pod fits without fragment and only the CPU-only pod counts: 0.1 x 2000 = 200.
     * Amount 900, idle 3800, ratio 900 / 3800. */
    ks_gpu_node nodes[3] = {f, node(2, (int32_t[]){0, 0}, 8000, 1),
                            node(2, (int32_t[]){1000, 1000}, 8000, 1)};
    ks_gpu_cluster_frag c = ks_gpu_cluster_fragmentation(nodes, 3, m, 4);
    assert_true(fabs(c.frag_milli - 900) < 1e-9);
    assert_int_equal(c.idle_milli, 3800);
    assert_true(fabs(c.ratio - 900.0 / 3800) < 1e-12);
    c = ks_gpu_cluster_fragmentation(&nodes[1], 1, m, 4);
    assert_true(c.ratio == 0 && c.idle_milli == 0);
}

static void test_score_fgd(void **state)
{
    (void)state;
    /* M = {m1 = (1000, 1 x 500) p 0.5, m2 = (2000, 1 x 1000) p 0.5}. */
    ks_gpu_typical m[2] = {{{1000, 1, 500, 0}, 0.5}, {{2000, 1, 1000, 0}, 0.5}};
    uint32_t mask = 0xff;
    /* Node G: GPUs 1000, 600, cpu 8000. Before: m1 fits, no GPU < 500: 0; m2 fits (GPU 0), GPU 1
     * (600 < 1000) is fragment: 600. F_before = 0.5 x 0 + 0.5 x 600 = 300. */
    ks_gpu_node g = node(2, (int32_t[]){1000, 600}, 8000, 0);
    assert_true(fabs(ks_gpu_node_frag(&g, m, 2) - 300) < 1e-9);
    /* A 500-milli pod (cpu 1000):
     *   on GPU 0 -> {500, 600}: m1 fits, 0; m2 lacks a whole GPU, 1100. F = 550, delta = -250,
     *     100 x sigmoid(-0.25) = 100 / (1 + e^0.25) = 100 / 2.2840 = 43.78 -> 43;
     *   on GPU 1 -> {1000, 100}: m1 frag 100; m2 frag 100. F = 100, delta = 200,
     *     100 x sigmoid(0.2) = 100 / (1 + e^-0.2) = 100 / 1.8187 = 54.98 -> 54.
     * Best: GPU 1 with 54. */
    assert_int_equal(ks_gpu_score_fgd(&g, &(ks_gpu_pod){1000, 1, 500, 0}, m, 2, &mask), 54);
    assert_int_equal(mask, 1u << 1);
    /* A whole GPU (cpu 2000) -> {0, 600}: m1 fits on GPU 1, GPU 0 has 0: 0; m2 lacks, 600.
     * F = 300, delta 0, sigmoid(0) = 0.5 -> 50; GPU 0. */
    assert_int_equal(ks_gpu_score_fgd(&g, &(ks_gpu_pod){2000, 1, 1000, 0}, m, 2, &mask), 50);
    assert_int_equal(mask, 1u << 0);
    /* A CPU-only pod leaves F at 300: 50, no GPU. */
    assert_int_equal(ks_gpu_score_fgd(&g, &(ks_gpu_pod){1000, 0, 0, 0}, m, 2, &mask), 50);
    assert_int_equal(mask, 0);
    /* A pod asking nothing: 100. */
    assert_int_equal(ks_gpu_score_fgd(&g, &(ks_gpu_pod){0, 0, 0, 0}, m, 2, NULL), 100);
    /* Node H: GPUs 1000, 1000: F_before = 0. A 500-milli pod on either GPU -> {500, 1000}: m1 0,
     * m2 500, F = 250, delta -250 -> 43 both; the tie keeps the first, GPU 0. */
    ks_gpu_node h = node(2, (int32_t[]){1000, 1000}, 8000, 0);
    assert_int_equal(ks_gpu_score_fgd(&h, &(ks_gpu_pod){1000, 1, 500, 0}, m, 2, &mask), 43);
    assert_int_equal(mask, 1u << 0);
    /* A typed m2 (model 3 only) never fits H (model 0): it contributes all idle milli. Before:
     * 0.5 x 0 + 0.5 x 2000 = 1000; a whole GPU -> {0, 1000}: 0.5 x 0 + 0.5 x 1000 = 500;
     * delta 500, 100 x sigmoid(0.5) = 100 / (1 + e^-0.5) = 100 / 1.6065 = 62.25 -> 62. */
    m[1].spec.model_mask = 1u << 3;
    assert_int_equal(ks_gpu_score_fgd(&h, &(ks_gpu_pod){2000, 1, 1000, 0}, m, 2, &mask), 62);
    assert_int_equal(mask, 1u << 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_pick_best_fit),
        cmocka_unit_test(test_pick_exclusive),
        cmocka_unit_test(test_pick_random),
        cmocka_unit_test(test_assume_release),
        cmocka_unit_test(test_score_dotprod),
        cmocka_unit_test(test_score_clustering),
        cmocka_unit_test(test_score_packing),
        cmocka_unit_test(test_score_bestfit),
        cmocka_unit_test(test_typical_pods),
        cmocka_unit_test(test_fragmentation),
        cmocka_unit_test(test_score_fgd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
