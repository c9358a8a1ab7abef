/* test_workload.c — the Workload kind (kubesim.io/v1alpha1): its arrival processes held to their
 * laws (models/workload.h, drawn directly from ks_arrivals_next with the run's own RNG streams),
 * its template mix, and whole runs through the kubesim binary against times worked out by hand
 * (constant latencies: an API write commits 10 ms after it is sent, a watch delivers 1 ms after a
 * commit; a Workload's pod is committed at its arrival, as a Scenario create). The bad inputs are
 * in tests/configs/bad/workload-*.yaml (checked by test_config and test_scenarios).
 *
 * The statistical checks use fixed seeds, so they pass or fail deterministically; their bounds
 * (4 sigma, or a KS statistic at the 0.1 % level) are loose enough for any seed and tight
 * enough that a wrong rate, a wrong hour or a wrong weight fails them. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"
#include "rng.h"
#include "sim.h"
#include "testutil.h"
#include "tracecheck.h"
#include "workload.h"
#include "world.h"

#define SEC 1e9

/* Loads an Experiment of DURATION and the Workload "w" whose spec is SPEC (YAML lines indented
 * by two spaces), plus EXTRA documents; fails the test on a config error. */
static void load(ks_config *cfg, const char *duration, const char *spec, const char *extra)
{
    static int n;
    size_t len = strlen(spec) + strlen(extra) + 512;
    char *text = malloc(len);
    snprintf(text, len,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: t}\nspec: {duration: %s, seed: 11}\n"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n%s%s",
             duration, spec, extra);
    char name[64];
    snprintf(name, sizeof name, "load-%d.yaml", n++);
    const char *path = ks_test_write_file(name, text);
    free(text);
    const char *paths[] = {path};
    assert_int_equal(ks_config_load(cfg, paths, 1, stderr), 0);
    assert_int_equal(cfg->nworkloads, 1);
}

#define POD_TEMPLATE "  templates:\n  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n"

/* Every arrival of the Workload of CFG, drawn with the run's stream for SEED; *N gets the count
 * (malloc'd array). */
static ks_time *draw_all(const ks_config *cfg, uint64_t seed, size_t *n)
{
    const ks_workload_spec *w = &cfg->workloads[0];
    ks_rngs *rngs = ks_rngs_create(seed);
    gsl_rng *g = ks_rng_stream(rngs, "workload.w");
    ks_arrivals a;
    ks_arrivals_init(&a, w);
    size_t cap = 1024, k = 0;
    ks_time *t = malloc(cap * sizeof *t);
    for (ks_time x; (x = ks_arrivals_next(&a, w, g)) != -1;) {
        if (k == cap) t = realloc(t, (cap *= 2) * sizeof *t);
        if (k && x < t[k - 1]) fail_msg("arrival %zu at %lld ns before the previous one", k, (long long)x);
        t[k++] = x;
    }
    assert_int_equal(ks_arrivals_next(&a, w, g), -1); /* stays done */
    ks_rngs_destroy(rngs);
    *n = k;
    return t;
}

static void assert_within_sigmas(double got, double want, double sigma, const char *what)
{
    if (!(fabs(got - want) <= 4 * sigma)) fail_msg("%s: got %.6g, want %.6g +- 4 x %.4g", what, got, want, sigma);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The Kolmogorov-Smirnov statistic of X[0..n) (sorted here) against the CDF F. */
static double ks_statistic(double *x, size_t n, double (*F)(double, double), double param)
{
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = F(x[i], param);
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    return d;
}

static double exp_cdf(double x, double mean) { return x <= 0 ? 0 : 1 - exp(-x / mean); }
static double uniform_cdf(double x, double width) { return x <= 0 ? 0 : x >= width ? 1 : x / width; }

/* KS at the 0.1 % level: D > 1.95 / sqrt(n) rejects. */
static void assert_ks(double d, size_t n, const char *what)
{
    if (!(d < 1.95 / sqrt((double)n))) fail_msg("%s: KS statistic %.5f over %zu values, limit %.5f", what, d, n, 1.95 / sqrt((double)n));
}

/* ---------------------------------------------------------------------------------------------
 * The arrival processes
 * ------------------------------------------------------------------------------------------- */

/* fixed.times: the listed times (sorted), nothing else; fixed.interval: start, start + i, ... up
 * to but excluding end. */
static void test_fixed(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "10m", "  arrivals: {fixed: {times: [1m, 10s, 20s, 20s]}}\n" POD_TEMPLATE, "");
    size_t n;
    ks_time *t = draw_all(&cfg, 1, &n);
    assert_int_equal(n, 4);
    assert_int_equal(t[0], KS_SEC(10));
    assert_int_equal(t[1], KS_SEC(20));
    assert_int_equal(t[2], KS_SEC(20));
    assert_int_equal(t[3], KS_SEC(60));
    free(t);
    ks_config_free(&cfg);

    load(&cfg, "10m", "  start: 5s\n  end: 65s\n  arrivals: {fixed: {interval: 10s}}\n" POD_TEMPLATE, "");
    t = draw_all(&cfg, 1, &n);
    assert_int_equal(n, 6); /* 5, 15, ..., 55 */
    for (size_t i = 0; i < n; i++) assert_int_equal(t[i], KS_SEC(5) + (ks_time)i * KS_SEC(10));
    free(t);
    ks_config_free(&cfg);

    /* end defaults to the experiment's duration, exclusive: 0, 30 s, ..., 9m30s. */
    load(&cfg, "10m", "  arrivals: {fixed: {interval: 30s}}\n" POD_TEMPLATE, "");
    assert_int_equal(cfg.workloads[0].end, KS_SEC(600));
    t = draw_all(&cfg, 1, &n);
    assert_int_equal(n, 20);
    assert_int_equal(t[19], KS_SEC(570));
    free(t);
    ks_config_free(&cfg);
}

/* poisson: over 20,000 s at 2.5/s the count is within 4 sigma of 50,000 (sigma = sqrt(50,000)),
 * the mean gap within 4 standard errors of 0.4 s, the gaps' variance near mean^2 (an exponential's)
 * and their distribution passes a KS test against Exp(mean 0.4 s). The first gap starts at
 * spec.start. */
static void test_poisson(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "6h", "  start: 100s\n  end: 20100s\n  arrivals: {poisson: {rate: 2.5}}\n" POD_TEMPLATE, "");
    size_t n;
    ks_time *t = draw_all(&cfg, 42, &n);
    assert_within_sigmas((double)n, 50000, sqrt(50000), "arrivals in 20,000 s at 2.5/s");
    double *gap = malloc(n * sizeof *gap), sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        gap[i] = (double)(t[i] - (i ? t[i - 1] : KS_SEC(100))) / SEC;
        sum += gap[i];
        sq += gap[i] * gap[i];
    }
    double mean = sum / (double)n, var = sq / (double)n - mean * mean;
    assert_within_sigmas(mean, 0.4, 0.4 / sqrt((double)n), "mean gap");
    /* The sample variance of an exponential has standard error ~ sqrt(8) mean^2 / sqrt(n). */
    assert_within_sigmas(var, 0.16, sqrt(8.0) * 0.16 / sqrt((double)n), "variance of the gaps");
    assert_ks(ks_statistic(gap, n, exp_cdf, 0.4), n, "gaps against Exp(0.4 s)");
    assert_true(t[0] >= KS_SEC(100) && t[n - 1] < KS_SEC(20100));
    free(gap);
    free(t);
    ks_config_free(&cfg);
}

/* diurnal: 30 days of a profile with a quiet night (rate 0 from 0h to 5h), a peak at 12h and a
 * ramp, piecewise constant per hour. Each hour of the day gets within 4 sigma of rate x 3600 x 30
 * arrivals (none in the quiet hours), the chi-square over the busy hours stays under its
 * df + 4 sqrt(2 df), and within one hour the arrivals are uniform (KS). With offset 6h, simulated
 * time 0 is 6 o'clock: the same counts, shifted. */
static void check_diurnal(const char *offset, int shift_h)
{
    static const double rates[24] = {0,    0,    0,    0,    0,    0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.12,
                                     0.15, 0.12, 0.1,  0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01};
    char spec[1024];
    int len = snprintf(spec, sizeof spec, "  arrivals:\n    diurnal:\n      offset: %s\n      rates: [", offset);
    for (int h = 0; h < 24; h++) len += snprintf(spec + len, sizeof spec - (size_t)len, "%s%g", h ? ", " : "", rates[h]);
    snprintf(spec + len, sizeof spec - (size_t)len, "]\n" POD_TEMPLATE);
    ks_config cfg;
    load(&cfg, "720h", spec, "");
    size_t n;
    ks_time *t = draw_all(&cfg, 7, &n);
    double count[24] = {0};
    double *in_noon = malloc(n * sizeof *in_noon);
    size_t nnoon = 0;
    for (size_t i = 0; i < n; i++) {
        ks_time tod = (t[i] + KS_SEC(3600) * shift_h) % KS_SEC(86400);
        int h = (int)(tod / KS_SEC(3600));
        count[h]++;
        if (h == 12) in_noon[nnoon++] = (double)(tod % KS_SEC(3600)) / SEC;
    }
    double chi2 = 0;
    int df = 0;
    for (int h = 0; h < 24; h++) {
        double want = rates[h] * 3600 * 30;
        char what[64];
        snprintf(what, sizeof what, "arrivals in hour %d (offset %s)", h, offset);
        if (want == 0) {
            if (count[h] != 0) fail_msg("%s: got %.0f, want none", what, count[h]);
            continue;
        }
        assert_within_sigmas(count[h], want, sqrt(want), what);
        chi2 += (count[h] - want) * (count[h] - want) / want;
        df++;
    }
    if (!(chi2 < df + 4 * sqrt(2.0 * df))) fail_msg("chi-square %.1f over %d hours", chi2, df);
    assert_ks(ks_statistic(in_noon, nnoon, uniform_cdf, 3600), nnoon, "arrival times within 12h-13h");
    free(in_noon);
    free(t);
    ks_config_free(&cfg);
}

static void test_diurnal(void **state)
{
    (void)state;
    check_diurnal("0s", 0);
    check_diurnal("6h", 6);
}

/* bursts: spread 0 puts each burst's SIZE arrivals exactly on start + k x every; with a spread they
 * fall in [open, open + spread), SIZE per burst, uniform over the window (KS); a jitter moves the
 * window's opening within [k x every, k x every + jitter). */
static void test_bursts(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "1h", "  start: 1m\n  arrivals: {bursts: {every: 10m, size: 20}}\n" POD_TEMPLATE, "");
    size_t n;
    ks_time *t = draw_all(&cfg, 3, &n);
    assert_int_equal(n, 6 * 20); /* bursts at 1m, 11m, ..., 51m */
    for (size_t i = 0; i < n; i++) assert_int_equal(t[i], KS_SEC(60) + (ks_time)(i / 20) * KS_SEC(600));
    free(t);
    ks_config_free(&cfg);

    load(&cfg, "100h", "  arrivals: {bursts: {every: 10m, size: 50, spread: 5s}}\n" POD_TEMPLATE, "");
    t = draw_all(&cfg, 3, &n);
    assert_int_equal(n, 600 * 50);
    double *pos = malloc(n * sizeof *pos);
    for (size_t i = 0; i < n; i++) {
        ks_time open = (ks_time)(i / 50) * KS_SEC(600);
        if (t[i] < open || t[i] >= open + KS_SEC(5)) fail_msg("arrival %zu at %lld ns, outside its burst", i, (long long)t[i]);
        pos[i] = (double)(t[i] - open) / SEC;
    }
    assert_ks(ks_statistic(pos, n, uniform_cdf, 5), n, "positions within a burst's spread");
    free(pos);
    free(t);
    ks_config_free(&cfg);

    load(&cfg, "100h", "  arrivals: {bursts: {every: 10m, size: 3, jitter: 1m}}\n" POD_TEMPLATE, "");
    t = draw_all(&cfg, 3, &n);
    assert_int_equal(n, 600 * 3);
    double *open = malloc(600 * sizeof *open);
    for (size_t k = 0; k < 600; k++) {
        assert_int_equal(t[3 * k], t[3 * k + 2]); /* no spread: one instant per burst */
        open[k] = (double)(t[3 * k] - (ks_time)k * KS_SEC(600)) / SEC;
        if (open[k] < 0 || open[k] >= 60) fail_msg("burst %zu opens %.3f s after its slot", k, open[k]);
    }
    assert_ks(ks_statistic(open, 600, uniform_cdf, 60), 600, "burst jitter");
    free(open);
    free(t);
    ks_config_free(&cfg);
}

/* maxArrivals caps any process; 0 turns the Workload off. */
static void test_max_arrivals(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "1h", "  maxArrivals: 37\n  arrivals: {poisson: {rate: 10}}\n" POD_TEMPLATE, "");
    size_t n;
    ks_time *t = draw_all(&cfg, 5, &n);
    assert_int_equal(n, 37);
    free(t);
    ks_config_free(&cfg);
    load(&cfg, "1h", "  maxArrivals: 0\n  arrivals: {fixed: {interval: 1s}}\n" POD_TEMPLATE, "");
    t = draw_all(&cfg, 5, &n);
    assert_int_equal(n, 0);
    free(t);
    ks_config_free(&cfg);
}

/* Template weights 3 : 1 : 0.5: over 200,000 picks each share is within 4 sigma of its weight's
 * share (binomial). One template draws nothing. */
static void test_template_weights(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "1h",
         "  arrivals: {poisson: {rate: 1}}\n  templates:\n"
         "  - {weight: 3, pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}}\n"
         "  - {weight: 1, pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}}\n"
         "  - {weight: 0.5, pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}}\n",
         "");
    const ks_workload_spec *w = &cfg.workloads[0];
    assert_int_equal(w->ntemplates, 3);
    ks_rngs *rngs = ks_rngs_create(9);
    gsl_rng *g = ks_rng_stream(rngs, "workload.w/template");
    size_t count[3] = {0}, picks = 200000;
    for (size_t i = 0; i < picks; i++) count[ks_workload_pick(w, g)]++;
    static const double share[3] = {3 / 4.5, 1 / 4.5, 0.5 / 4.5};
    for (int k = 0; k < 3; k++) {
        char what[32];
        snprintf(what, sizeof what, "template %d", k);
        assert_within_sigmas((double)count[k], share[k] * (double)picks, sqrt(share[k] * (1 - share[k]) * (double)picks), what);
    }
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);

    load(&cfg, "1h", "  arrivals: {poisson: {rate: 1}}\n" POD_TEMPLATE, "");
    rngs = ks_rngs_create(9);
    g = ks_rng_stream(rngs, "workload.w/template");
    unsigned long before = gsl_rng_get(g);
    ks_rngs_destroy(rngs);
    rngs = ks_rngs_create(9);
    g = ks_rng_stream(rngs, "workload.w/template");
    assert_int_equal(ks_workload_pick(&cfg.workloads[0], g), 0);
    assert_int_equal(gsl_rng_get(g), before);
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);
}

/* Parsing: defaults, what each field becomes, the templates' specs. */
static void test_parse(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "2h",
         "  namespace: batch\n  start: 1m\n  end: 1h\n  maxArrivals: 5000\n"
         "  arrivals: {bursts: {every: 10m, size: 20, spread: 5s, jitter: 30s}}\n  templates:\n"
         "  - weight: 2\n    pod:\n      metadata: {labels: {app: a}}\n"
         "      spec: {priorityClassName: high, containers: [{name: c, image: \"w:1\", resources: {requests: {cpu: 250m}}}]}\n"
         "    lifetime: {exponential: {mean: 90s}}\n"
         "  - job:\n      completions: 3\n      parallelism: 2\n"
         "      template: {spec: {restartPolicy: Never, containers: [{name: c, image: \"w:1\"}]}}\n"
         "  - deployment:\n      replicas: 4\n      selector: {matchLabels: {app: d}}\n"
         "      template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: \"w:1\"}]}}\n"
         "    lifetime: 10m\n",
         "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n");
    const ks_workload_spec *w = &cfg.workloads[0];
    assert_string_equal(w->name, "w");
    assert_string_equal(w->namespace, "batch");
    assert_int_equal(w->start, KS_SEC(60));
    assert_int_equal(w->end, KS_SEC(3600));
    assert_int_equal(w->max_arrivals, 5000);
    assert_int_equal(w->arrivals.kind, KS_ARRIVAL_BURSTS);
    assert_int_equal(w->arrivals.every, KS_SEC(600));
    assert_int_equal(w->arrivals.size, 20);
    assert_int_equal(w->arrivals.spread, KS_SEC(5));
    assert_int_equal(w->arrivals.jitter, KS_SEC(30));
    assert_int_equal(w->ntemplates, 3);
    const ks_workload_template *p = &w->templates[0], *j = &w->templates[1], *d = &w->templates[2];
    assert_true(p->object == KS_WORKLOAD_POD && p->weight == 2 && p->has_lifetime);
    assert_int_equal(p->lifetime.kind, KS_DIST_EXPONENTIAL);
    assert_true(p->lifetime.a == 90 * SEC);
    assert_string_equal(p->pod.namespace, "batch");
    assert_string_equal(ks_labels_get(&p->pod.labels, "app"), "a");
    assert_int_equal(p->pod.req_cpu_milli, 250);
    assert_int_equal(p->pod.priority, 1000); /* the PriorityClass, resolved at load */
    assert_true(j->object == KS_WORKLOAD_JOB && j->weight == 1 && !j->has_lifetime);
    assert_null(j->job.name);
    assert_string_equal(j->job.namespace, "batch");
    assert_int_equal(j->job.completions, 3);
    assert_int_equal(j->job.parallelism, 2);
    assert_null(ks_labels_get(&j->job.template.labels, "job-name")); /* each Job adds its own */
    assert_true(d->object == KS_WORKLOAD_DEPLOYMENT && d->has_lifetime);
    assert_int_equal(d->lifetime.kind, KS_DIST_CONSTANT);
    assert_true(d->lifetime.a == 600 * SEC);
    assert_int_equal(d->deployment.replicas, 4);
    assert_string_equal(d->deployment.template.namespace, "batch");
    assert_int_equal(strlen(d->deployment.template_hash), 10);
    ks_config_free(&cfg);

    /* Diurnal defaults and the Poisson rate. */
    load(&cfg, "1h", "  arrivals: {poisson: {rate: 2.5}}\n" POD_TEMPLATE, "");
    w = &cfg.workloads[0];
    assert_string_equal(w->namespace, "default");
    assert_int_equal(w->start, 0);
    assert_int_equal(w->end, KS_SEC(3600));
    assert_int_equal(w->max_arrivals, -1);
    assert_true(w->arrivals.rate == 2.5);
    assert_true(w->templates[0].weight == 1);
    ks_config_free(&cfg);
}

/* Errors beyond the samples of tests/configs/bad: each at its line and column. */
#define WL "Workload \"w\": "
static int error_mismatches;

static void expect_error(const char *spec, const char *extra, const char *pos, const char *want)
{
    static int n;
    size_t len = strlen(spec) + strlen(extra) + 512;
    char *text = malloc(len);
    snprintf(text, len,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: t}\nspec: {duration: 1h}\n"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n%s%s",
             spec, extra);
    char name[64];
    snprintf(name, sizeof name, "bad-%d.yaml", n++);
    const char *path = ks_test_write_file(name, text);
    free(text);
    char *buf = NULL;
    size_t size = 0;
    FILE *err = open_memstream(&buf, &size);
    ks_config cfg;
    const char *paths[] = {path};
    int rc = ks_config_load(&cfg, paths, 1, err);
    fclose(err);
    char where[1200];
    snprintf(where, sizeof where, "%s:%s: error: %s", path, pos, want);
    if (rc != 2 || !strstr(buf, where)) {
        print_message("want status 2 and\n  %s\ngot %d:\n%s", where, rc, buf);
        error_mismatches++;
    }
    free(buf);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("  arrivals: {diurnal: {rates: [1, 2, 3]}}\n" POD_TEMPLATE, "", "10:31",
                 WL "spec.arrivals.diurnal.rates: expected 24 rates");
    expect_error("  arrivals: {diurnal: {rates: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,-1]}}\n" POD_TEMPLATE, "",
                 "10:78", WL "spec.arrivals.diurnal.rates[23]: expected a rate of 0 or more");
    expect_error("  arrivals: {bursts: {every: 10s, size: 5, spread: 8s, jitter: 3s}}\n" POD_TEMPLATE, "", "10:22",
                 WL "spec.arrivals.bursts: expected spread + jitter to be at most every");
    expect_error("  arrivals: {bursts: {every: 10s, size: 0}}\n" POD_TEMPLATE, "", "10:41",
                 WL "spec.arrivals.bursts.size: expected a positive integer");
    expect_error("  arrivals: {fixed: {times: [1s], interval: 2s}}\n" POD_TEMPLATE, "", "10:21",
                 WL "spec.arrivals.fixed: expected exactly one of times or interval");
    expect_error("  arrivals: {fixed: {interval: 0s}}\n" POD_TEMPLATE, "", "10:32",
                 WL "spec.arrivals.fixed.interval: expected a duration greater than 0");
    expect_error("  start: 5m\n  arrivals: {fixed: {times: [1m]}}\n" POD_TEMPLATE, "", "11:30",
                 WL "spec.arrivals.fixed.times[0]: expected a time at or after spec.start (5m0s)");
    expect_error("  start: 2h\n  arrivals: {poisson: {rate: 1}}\n" POD_TEMPLATE, "", "10:10",
                 WL "spec.start: expected a time before the experiment's end (1h0m0s)");
    expect_error("  maxArrivals: -1\n  arrivals: {poisson: {rate: 1}}\n" POD_TEMPLATE, "", "10:16",
                 WL "spec.maxArrivals: expected a non-negative integer");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n  - {}\n", "", "12:5",
                 WL "spec.templates[0]: expected one of pod, job or deployment");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n"
                 "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n"
                 "    deployment: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: \"w:1\"}]}}}\n",
                 "", "13:17", WL "spec.templates[0].deployment: expected only one of pod, job or deployment");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n"
                 "  - job: {template: {spec: {containers: [{name: c, image: \"w:1\"}]}}}\n",
                 "", "12:21", WL "spec.templates[0].job.template.spec.restartPolicy: Unsupported value: \"Always\"");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n"
                 "  - pod: {metadata: {name: x}, spec: {containers: [{name: c, image: \"w:1\"}]}}\n",
                 "", "12:28", WL "spec.templates[0].pod.metadata.name: not allowed in a Workload's template");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n"
                 "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n    lifetime: {weibull: {k: 1}}\n",
                 "", "13:16", WL "spec.templates[0].lifetime: expected a distribution");
    expect_error("  arrivals: {poisson: {rate: 1}}\n  templates:\n"
                 "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n    extra: 1\n",
                 "", "13:5", WL "spec.templates[0]: unknown field \"extra\"");
    expect_error("  arrivals: {poisson: {rate: 1}}\n" POD_TEMPLATE,
                 "---\napiVersion: v1\nkind: Pod\nmetadata: {name: w-12, namespace: default}\n"
                 "spec: {containers: [{name: c, image: \"w:1\"}]}\n",
                 "16:18", "Pod \"w-12\": metadata.name: duplicate name: Workload \"w\" (");
    assert_int_equal(error_mismatches, 0);
    /* A Pod of another namespace, a Job and a Deployment named like its pods, and a name with a
     * leading zero take no name the Workload's pods will have. */
    ks_config cfg;
    load(&cfg, "1h", "  arrivals: {poisson: {rate: 1}}\n" POD_TEMPLATE,
         "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: w-0}\n"
         "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: \"w:1\"}]}}}\n"
         "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w-1}\n"
         "spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: \"w:1\"}]}}}\n"
         "---\napiVersion: v1\nkind: Pod\nmetadata: {name: w-01}\nspec: {containers: [{name: c, image: \"w:1\"}]}\n"
         "---\napiVersion: v1\nkind: Pod\nmetadata: {name: w-2, namespace: other}\nspec: {containers: [{name: c, image: \"w:1\"}]}\n");
    ks_config_free(&cfg);
}

/* ---------------------------------------------------------------------------------------------
 * Whole runs
 * ------------------------------------------------------------------------------------------- */

/* Constant latencies, nodes that take every pod, then the Workload "w" (spec SPEC) and EXTRA. */
static const char *write_run_config(const char *name, uint64_t seed, const char *spec, const char *extra)
{
    char *text = malloc(strlen(spec) + strlen(extra) + 4096);
    sprintf(text,
            "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: %s}\nspec: {duration: 10m, seed: %llu}\n"
            "---\napiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: constant}\nspec:\n"
            "  apiserver: {writeLatency: 10ms, watchLatency: 1ms}\n"
            "  kubelet: {containerCreateLatency: 0s, containerStartLatency: 0s, containerStopLatency: 100ms, "
            "plegRelistPeriod: 0s}\n"
            "  controllerManager: {kubeAPIQPS: 1000, kubeAPIBurst: 1000}\n"
            "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\n"
            "spec: {count: 4, template: {status: {allocatable: {cpu: \"64\", memory: 256Gi, pods: \"500\"}, "
            "images: [{names: [\"w:1\"], sizeBytes: 1000000}]}}}\n"
            "---\napiVersion: kubesim.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n%s%s",
            name, (unsigned long long)seed, spec, extra);
    char file[128];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *path = ks_test_write_file(file, text);
    free(text);
    return path;
}

static const char *run(const char *name, uint64_t seed, const char *spec, const char *extra)
{
    static char out[16][512];
    static int slot;
    const char *cfg = write_run_config(name, seed, spec, extra);
    char file[128];
    snprintf(file, sizeof file, "%s.h5", name);
    char *o = out[slot++ % 16];
    snprintf(o, 512, "%s", ks_test_path(file));
    const char *argv[] = {"run", cfg, "-o", o, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) fail_msg("kubesim exited %d:\n%s", r.status, r.err);
    ks_test_run_free(&r);
    return o;
}

static int64_t workload_col(const char *out, const char *col)
{
    size_t n = 0;
    int64_t *v = ks_tc_i64(out, "/workloads", col, &n);
    assert_non_null(v);
    assert_int_equal(n, 1);
    int64_t x = v[0];
    free(v);
    return x;
}

static void assert_near(double got, double want, const char *what)
{
    if (!(fabs(got - want) < 1e-6)) fail_msg("%s: got %.9f, want %.9f", what, got, want);
}

/* Pods at fixed times are created exactly then (committed at the arrival, like a Scenario
 * create), named w-0, w-1, w-2; a constant lifetime of 30 s sends the DELETE at creation + 30 s,
 * which commits one API write (10 ms) later; /workloads counts them. */
static void test_run_fixed_with_lifetime(void **state)
{
    (void)state;
    const char *out = run("fixed-lifetime", 1,
                          "  arrivals: {fixed: {times: [10s, 20s, 1m]}}\n  templates:\n"
                          "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n    lifetime: 30s\n",
                          "");
    size_t n = 0, nn = 0, nd = 0, nr = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *deleting = ks_tc_f64(out, "/pods", "deletion_requested", &nd);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &nr);
    assert_int_equal(n, 3);
    static const double at[3] = {10, 20, 60};
    for (size_t i = 0; i < 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "w-%zu", i);
        assert_string_equal(name[i], want);
        assert_near(created[i], at[i], "created");
        assert_near(deleting[i], at[i] + 30.010, "deletion_requested");
        assert_true(deleted[i] > deleting[i]); /* graceful: the kubelet stops it first */
    }
    assert_int_equal(workload_col(out, "arrivals"), 3);
    assert_int_equal(workload_col(out, "pods"), 3);
    assert_int_equal(workload_col(out, "jobs"), 0);
    assert_int_equal(workload_col(out, "deleted"), 3);
    size_t nf = 0;
    double *first = ks_tc_f64(out, "/workloads", "first_arrival", &nf);
    double *last = ks_tc_f64(out, "/workloads", "last_arrival", &nf);
    assert_near(first[0], 10, "first_arrival");
    assert_near(last[0], 60, "last_arrival");
    char **kind = ks_tc_strings(out, "/workloads", "arrivals_kind", &nf);
    assert_string_equal(kind[0], "fixed");
    int64_t total = 0;
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "workload_deleted", &total), 0);
    assert_int_equal(total, 3);
    ks_tc_free_strings(kind, nf);
    free(first);
    free(last);
    ks_tc_free_strings(name, nn);
    free(created);
    free(deleting);
    free(deleted);
}

/* Same seed: byte-identical datasets; another seed: other arrival times. A different template
 * mix with the same seed keeps the arrival times (their own stream). */
static void test_run_seeds(void **state)
{
    (void)state;
    static const char spec[] = "  arrivals: {poisson: {rate: 0.5}}\n  templates:\n"
                               "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n    lifetime: {exponential: {mean: 1m}}\n";
    const char *a = run("seed-a", 5, spec, "");
    const char *b = run("seed-b", 5, spec, "");
    const char *c = run("seed-c", 6, spec, "");
    char why[512];
    if (ks_tc_compare_datasets(a, b, why, sizeof why)) fail_msg("same seed twice: %s", why);
    size_t na = 0, nc = 0;
    double *ta = ks_tc_f64(a, "/pods", "created", &na);
    double *tc = ks_tc_f64(c, "/pods", "created", &nc);
    assert_true(na > 200 && nc > 200); /* ~300 over 10 minutes */
    bool differ = na != nc;
    for (size_t i = 0; i < na && i < nc && !differ; i++) differ = ta[i] != tc[i];
    assert_true(differ);
    /* Two templates now, one of them a Job: the pods' creation times are drawn from the same
     * arrival stream, so the first arrivals are at the same instants. */
    const char *d = run("seed-d", 5,
                        "  arrivals: {poisson: {rate: 0.5}}\n  templates:\n"
                        "  - pod: {spec: {containers: [{name: c, image: \"w:1\"}]}}\n"
                        "  - job: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: \"w:1\"}]}}}\n",
                        "");
    size_t nd = 0, nn = 0;
    double *td = ks_tc_f64(d, "/pods", "created", &nd);
    char **name = ks_tc_strings(d, "/pods", "name", &nn);
    size_t matched = 0;
    for (size_t i = 0; i < nd; i++) {
        long index;
        char rest[64];
        if (sscanf(name[i], "w-%ld%63s", &index, rest) != 1) continue; /* a Job's pod */
        assert_near(td[i], ta[index], "a pod's arrival with another mix");
        matched++;
    }
    assert_true(matched > 50);
    assert_int_equal((int64_t)workload_col(d, "arrivals"), (int64_t)na);
    ks_tc_free_strings(name, nn);
    free(ta);
    free(tc);
    free(td);
}

/* Jobs and Deployments: each arrival creates "w-<index>" through its controller (synced one
 * watch later); the Job's pods carry its job-name; a Deployment's lifetime deletes it and the
 * garbage collector its pods. maxArrivals stops the Workload. */
static void test_run_jobs_and_deployments(void **state)
{
    (void)state;
    const char *out = run("objects", 2,
                          "  maxArrivals: 4\n  arrivals: {fixed: {interval: 1m}}\n  templates:\n"
                          "  - job:\n      completions: 2\n      parallelism: 2\n"
                          "      template:\n        metadata: {annotations: {kubesim.io/run-for: 10s}}\n"
                          "        spec: {restartPolicy: Never, containers: [{name: c, image: \"w:1\"}]}\n"
                          "  - deployment:\n      replicas: 3\n      selector: {matchLabels: {app: d}}\n"
                          "      template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: \"w:1\"}]}}\n"
                          "    lifetime: 90s\n",
                          "");
    int64_t jobs = workload_col(out, "jobs"), deps = workload_col(out, "deployments");
    assert_int_equal(workload_col(out, "arrivals"), 4);
    assert_int_equal(jobs + deps, 4);
    assert_true(jobs > 0 && deps > 0); /* seed 2 draws both kinds */
    assert_int_equal(workload_col(out, "deleted"), deps);
    size_t nj = 0, nc = 0, ns = 0;
    char **jname = ks_tc_strings(out, "/jobs", "name", &nj);
    char **cond = ks_tc_strings(out, "/jobs", "condition", &nc);
    double *start = ks_tc_f64(out, "/jobs", "start_time", &ns);
    assert_int_equal((int64_t)nj, jobs);
    for (size_t i = 0; i < nj; i++) {
        long index;
        assert_int_equal(sscanf(jname[i], "w-%ld", &index), 1);
        assert_near(start[i], 60.0 * (double)index + 0.001, "Job startTime: arrival + one watch");
        assert_string_equal(cond[i], "Complete");
    }
    size_t nd = 0;
    char **dname = ks_tc_strings(out, "/deployments", "name", &nd);
    assert_int_equal((int64_t)nd, deps);
    size_t np = 0, no = 0, nx = 0;
    char **pname = ks_tc_strings(out, "/pods", "name", &np);
    char **owner = ks_tc_strings(out, "/pods", "owner", &no);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &nx);
    int64_t job_pods = 0, dep_pods = 0;
    for (size_t i = 0; i < np; i++) {
        if (!strncmp(owner[i], "Job/w-", 6)) {
            job_pods++;
            assert_true(!strncmp(pname[i], owner[i] + 4, strlen(owner[i] + 4))); /* <job>-<5 chars> */
        } else if (!strncmp(owner[i], "ReplicaSet/w-", 13)) {
            dep_pods++;
            assert_false(isnan(deleted[i])); /* the Deployment went at creation + 90 s */
        } else {
            fail_msg("pod %s owned by \"%s\"", pname[i], owner[i]);
        }
    }
    assert_int_equal(job_pods, 2 * jobs);
    assert_int_equal(dep_pods, 3 * deps);
    ks_tc_free_strings(jname, nj);
    ks_tc_free_strings(cond, nc);
    free(start);
    ks_tc_free_strings(dname, nd);
    ks_tc_free_strings(pname, np);
    ks_tc_free_strings(owner, no);
    free(deleted);
}

/* A Job's lifetime deletes it whatever its state: a Job whose pod would run 10 minutes, arriving
 * at 5 s with a lifetime of 30 s, is deleted by a DELETE sent at 35 s that commits 10 ms later;
 * the garbage collector sees it one watch later (35.011 s) and deletes the pod, whose DELETE
 * commits at 35.021 s. */
static void test_run_job_lifetime(void **state)
{
    (void)state;
    const char *out = run("job-lifetime", 1,
                          "  arrivals: {fixed: {times: [5s]}}\n  templates:\n"
                          "  - job:\n      template:\n        metadata: {annotations: {kubesim.io/run-for: 10m}}\n"
                          "        spec: {restartPolicy: Never, containers: [{name: c, image: \"w:1\"}]}\n"
                          "    lifetime: 30s\n",
                          "");
    size_t nj = 0, np = 0, no = 0;
    double *deleted = ks_tc_f64(out, "/jobs", "deleted", &nj);
    assert_int_equal(nj, 1);
    assert_near(deleted[0], 35.010, "the Job's DELETE committed");
    double *deleting = ks_tc_f64(out, "/pods", "deletion_requested", &np);
    char **owner = ks_tc_strings(out, "/pods", "owner", &no);
    assert_int_equal(np, 1);
    assert_string_equal(owner[0], "Job/w-0");
    assert_near(deleting[0], 35.021, "its pod's DELETE by the garbage collector");
    assert_int_equal(workload_col(out, "jobs"), 1);
    assert_int_equal(workload_col(out, "deleted"), 1);
    free(deleted);
    free(deleting);
    ks_tc_free_strings(owner, no);
}

/* Lazy generation: a Workload of 3.6 million arrivals has one pending event before the run, and
 * its state costs no memory per arrival; after 10 simulated seconds of 1000 arrivals/s, the pods
 * exist and one arrival is still pending. */
static void test_lazy(void **state)
{
    (void)state;
    ks_config cfg;
    load(&cfg, "1h", "  arrivals: {poisson: {rate: 1000}}\n" POD_TEMPLATE,
         "---\napiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: \"1000\", memory: 1Ti, pods: \"100000\"}}\n");
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg.experiment.seed);
    ks_world_params params = {.nodes = cfg.nodes, .nnodes = cfg.nnodes, .sched = &cfg.sched, .timings = &cfg.timings,
                              .sample_interval = cfg.experiment.sample_interval, .workloads = cfg.workloads,
                              .nworkloads = cfg.nworkloads};
    size_t before = ks_sim_pending(sim);
    ks_world *w = ks_world_create(sim, rngs, &params);
    assert_non_null(w);
    size_t pending = ks_sim_pending(sim) - before;
    ks_mem_stat mem[KS_MEM_MAX_PURPOSES];
    int nmem = ks_mem_stats(mem, KS_MEM_MAX_PURPOSES);
    for (int i = 0; i < nmem; i++)
        if (!strcmp(mem[i].name, "workloads") && mem[i].live_bytes > 4096)
            fail_msg("the Workload holds %zu bytes before its first arrival", mem[i].live_bytes);
    ks_world_destroy(w);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    /* The same world without the Workload: exactly one event fewer. */
    sim = ks_sim_create();
    rngs = ks_rngs_create(cfg.experiment.seed);
    params.nworkloads = 0;
    w = ks_world_create(sim, rngs, &params);
    assert_int_equal(pending, ks_sim_pending(sim) + 1);
    ks_world_destroy(w);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);

    sim = ks_sim_create();
    rngs = ks_rngs_create(cfg.experiment.seed);
    params.nworkloads = 1;
    w = ks_world_create(sim, rngs, &params);
    ks_sim_run(sim, KS_SEC(10));
    const ks_workload_stats *st = ks_workloads_stats(w->workloads, 0);
    assert_within_sigmas((double)st->arrivals, 10000, 100, "arrivals in 10 s at 1000/s");
    assert_int_equal((int64_t)w->cluster.npods, st->arrivals);
    assert_string_equal(w->cluster.pods[0].name, "w-0");
    ks_world_destroy(w);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_diurnal),
        cmocka_unit_test(test_bursts),
        cmocka_unit_test(test_max_arrivals),
        cmocka_unit_test(test_template_weights),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_run_fixed_with_lifetime),
        cmocka_unit_test(test_run_seeds),
        cmocka_unit_test(test_run_jobs_and_deployments),
        cmocka_unit_test(test_run_job_lifetime),
        cmocka_unit_test(test_lazy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
