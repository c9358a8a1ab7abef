/* RNG streams and distributions. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "dist.h"
#include "rng.h"
#include "stats.h"
#include "testutil.h"

static void test_streams_depend_on_seed_and_role_only(void **state)
{
    (void)state;
    ks_rngs *a = ks_rngs_create(42), *b = ks_rngs_create(42), *c = ks_rngs_create(43);
    /* b creates an extra stream first: "kubelet" must not change. */
    gsl_rng_get(ks_rng_stream(b, "arrivals"));
    unsigned long x = gsl_rng_get(ks_rng_stream(a, "kubelet"));
    unsigned long y = gsl_rng_get(ks_rng_stream(b, "kubelet"));
    unsigned long z = gsl_rng_get(ks_rng_stream(c, "kubelet"));
    assert_int_equal(x, y);
    assert_int_not_equal(x, z);
    assert_int_not_equal(ks_rng_role_seed(42, "kubelet"), ks_rng_role_seed(42, "scheduler"));
    assert_ptr_equal(ks_rng_stream(a, "kubelet"), ks_rng_stream(a, "kubelet"));
    ks_rngs_destroy(a);
    ks_rngs_destroy(b);
    ks_rngs_destroy(c);
}

static double *draw(const ks_dist *d, gsl_rng *g, size_t n)
{
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = ks_dist_sample(d, g);
    ks_sort_doubles(v, n);
    return v;
}

static void test_distribution_shapes(void **state)
{
    (void)state;
    enum { N = 200000 };
    ks_rngs *r = ks_rngs_create(7);
    gsl_rng *g = ks_rng_stream(r, "test");

    ks_dist c = ks_dist_constant(5e8);
    assert_int_equal(ks_dist_sample_ns(&c, g), 500000000);

    ks_dist u = {.kind = KS_DIST_UNIFORM, .a = 1, .b = 3};
    double *v = draw(&u, g, N);
    assert_true(v[0] >= 1 && v[N - 1] <= 3);
    assert_true(fabs(ks_percentile_sorted(v, N, 50) - 2) < 0.02);
    free(v);

    ks_dist e = {.kind = KS_DIST_EXPONENTIAL, .a = 2};
    v = draw(&e, g, N);
    assert_true(fabs(ks_percentile_sorted(v, N, 50) - 2 * log(2)) < 0.03);
    free(v);

    ks_dist ln = {.kind = KS_DIST_LOGNORMAL, .a = 1.0, .b = 5.0};
    v = draw(&ln, g, N);
    double p50 = ks_percentile_sorted(v, N, 50), p99 = ks_percentile_sorted(v, N, 99);
    print_message("lognormal(median 1, p99 5): p50 %.4f p99 %.4f\n", p50, p99);
    assert_true(fabs(p50 - 1.0) < 0.02);
    assert_true(fabs(p99 - 5.0) < 0.25);
    free(v);

    ks_dist nrm = {.kind = KS_DIST_NORMAL, .a = 1.0, .b = 2.0};
    v = draw(&nrm, g, N);
    assert_true(v[0] == 0.0); /* negative draws clamp to 0 */
    free(v);

    double vals[] = {1, 2, 10};
    ks_dist emp = {.kind = KS_DIST_EMPIRICAL, .values = vals, .n = 3};
    int seen[11] = {0};
    for (int i = 0; i < 3000; i++) {
        double x = ks_dist_sample(&emp, g);
        assert_true(x == 1 || x == 2 || x == 10);
        seen[(int)x]++;
    }
    assert_true(seen[1] > 900 && seen[2] > 900 && seen[10] > 900);
    ks_rngs_destroy(r);
}

static void test_parameter_checks(void **state)
{
    (void)state;
    ks_dist bad_ln = {.kind = KS_DIST_LOGNORMAL, .a = 2, .b = 1};
    assert_non_null(ks_dist_check(&bad_ln));
    ks_dist bad_u = {.kind = KS_DIST_UNIFORM, .a = 3, .b = 1};
    assert_non_null(ks_dist_check(&bad_u));
    ks_dist ok = {.kind = KS_DIST_LOGNORMAL, .a = 1, .b = 2};
    assert_null(ks_dist_check(&ok));
    assert_true(fabs(ks_dist_lognormal_sigma(1, exp(2.3263478740408408)) - 1.0) < 1e-12);
}

static void test_percentile_linear(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4};
    assert_true(ks_percentile_sorted(v, 4, 50) == 2.5);
    assert_true(ks_percentile_sorted(v, 4, 100) == 4);
    assert_true(ks_percentile_sorted(v, 4, 0) == 1);
    assert_true(isnan(ks_percentile_sorted(v, 0, 50)));
}

/* Reservoir sampling with skips picks uniformly among N items (chi-square, fixed seed), and its
 * skip law is P(next > j) = seen / j; it needs about ln(N) draws, not N - 1. */
static uint64_t reservoir_pick(gsl_rng *g, uint64_t n, uint64_t *draws)
{
    uint64_t pick = 1;
    while (pick < n) {
        uint64_t next = ks_rng_reservoir_next(g, pick);
        ++*draws;
        if (next > n) break;
        pick = next;
    }
    return pick;
}

static void test_reservoir_skips_are_uniform(void **state)
{
    (void)state;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    static const uint64_t sizes[] = {2, 3, 7, 40};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        uint64_t n = sizes[s], counts[40] = {0}, draws = 0;
        const int trials = 40000;
        for (int t = 0; t < trials; t++) counts[reservoir_pick(g, n, &draws) - 1]++;
        double chi = 0, expect = (double)trials / (double)n;
        for (uint64_t k = 0; k < n; k++) chi += ((double)counts[k] - expect) * ((double)counts[k] - expect) / expect;
        assert_true(gsl_cdf_chisq_Q(chi, (double)(n - 1)) > 1e-4);
        /* Expected draws: sum over j = 2..n of 1/j replacements, plus the final overshoot. */
        double h = 0;
        for (uint64_t j = 2; j <= n; j++) h += 1.0 / (double)j;
        assert_true(fabs((double)draws / trials - h - 1 + 1.0 / (double)n) < 0.05 * (h + 1));
    }
    int beyond = 0;
    for (int t = 0; t < 100000; t++) beyond += ks_rng_reservoir_next(g, 5) > 12;
    assert_true(fabs(beyond / 100000.0 - 5.0 / 12.0) < 0.01);
    for (int t = 0; t < 1000; t++) assert_true(ks_rng_reservoir_next(g, 9) > 9);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_depend_on_seed_and_role_only),
        cmocka_unit_test(test_distribution_shapes),
        cmocka_unit_test(test_parameter_checks),
        cmocka_unit_test(test_percentile_linear),
        cmocka_unit_test(test_reservoir_skips_are_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
