/* test_compare.c — `kubesim compare` through the binary, and the placement metrics it tabulates
 * (nodes used, utilisation, fragmentation, unschedulable pods), on cases worked out by hand. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tracecheck.h"

static ks_test_run run(const char *const *argv)
{
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) print_message("kubesim exited %d\nstderr:\n%s\n", r.status, r.err);
    return r;
}

static double attr_f64(const char *file, const char *obj, const char *name)
{
    double v = -1;
    if (ks_tc_attr_f64(file, obj, name, &v) != 0) fail_msg("%s: no attribute %s of %s", file, name, obj);
    return v;
}

static int64_t attr_i64(const char *file, const char *obj, const char *name)
{
    int64_t v = -1;
    if (ks_tc_attr_i64(file, obj, name, &v) != 0) fail_msg("%s: no attribute %s of %s", file, name, obj);
    return v;
}

static void assert_near(double got, double want, const char *what)
{
    if (fabs(got - want) > 1e-12) fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* ---- the placement metrics of `kubesim run` ------------------------------------------------- */

/* 2 nodes of 4 cpu / 8Gi / 110 pods and REPLICAS pods of 1500m / 1Gi, whatever the policy:
 * the first two pods go one per node (LeastAllocated) or together (MostAllocated: 3000m used, so
 * the third cannot join them), and in both cases the third lands where 2500m is free, giving
 * 3000m + 1500m; a fourth fits only on the 1500m node (3000m + 3000m), a fifth nowhere. */
static const char *placement_config(int replicas)
{
    char yaml[2048], name[64];
    snprintf(yaml, sizeof yaml,
             "apiVersion: kubesim.io/v1alpha1\n"
             "kind: NodePool\n"
             "metadata: {name: n}\n"
             "spec: {count: 2, template: {status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}}}\n"
             "---\n"
             "apiVersion: apps/v1\n"
             "kind: Deployment\n"
             "metadata: {name: d}\n"
             "spec:\n"
             "  replicas: %d\n"
             "  selector: {matchLabels: {app: d}}\n"
             "  template:\n"
             "    metadata: {labels: {app: d}, annotations: {kubesim.io/image-size: 1Mi}}\n"
             "    spec: {containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: 1500m, memory: 1Gi}}}]}\n",
             replicas);
    snprintf(name, sizeof name, "placement-%d.yaml", replicas);
    return ks_test_write_file(name, yaml);
}

/* Three pods: 3000m and 1500m of 4000m used. Utilisation over the two used nodes: cpu 0.75 and
 * 0.375 (mean 0.5625; p99 by linear interpolation 0.375 + 0.99 * 0.375 = 0.74625), memory 0.25
 * and 0.125 (mean 0.1875, p99 0.24875). Free cpu: 1000m where a 1500m pod does not fit, 2500m
 * where it does, so 1000 / 3500 = 2/7 of the free cpu is fragmented.
 * Five pods: 3000m + 3000m, the fifth Pending after FailedScheduling; 1000m free on each node
 * and no pod of the workload fits there: fragmentation 1. */
static void test_run_placement_metrics(void **state)
{
    (void)state;
    const char *out = ks_test_path("placement-3.h5");
    const char *a3[] = {"run", placement_config(3), "-o", out, "-q", "--until", "1m", NULL};
    ks_test_run r = run(a3);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    assert_int_equal(attr_i64(out, "/summary", "nodes_used"), 2);
    assert_int_equal(attr_i64(out, "/summary", "pods_unschedulable"), 0);
    assert_near(attr_f64(out, "/summary", "cpu_util_mean"), 0.5625, "cpu_util_mean");
    assert_near(attr_f64(out, "/summary", "cpu_util_p99"), 0.74625, "cpu_util_p99");
    assert_near(attr_f64(out, "/summary", "mem_util_mean"), 0.1875, "mem_util_mean");
    assert_near(attr_f64(out, "/summary", "mem_util_p99"), 0.24875, "mem_util_p99");
    assert_near(attr_f64(out, "/summary", "cpu_fragmentation"), 1000.0 / 3500.0, "cpu_fragmentation");
    double sched_p99 = attr_f64(out, "/summary", "sched_latency_p99_s");
    assert_true(sched_p99 > 0 && sched_p99 < 1);

    out = ks_test_path("placement-5.h5");
    const char *a5[] = {"run", placement_config(5), "-o", out, "--until", "1m", NULL};
    r = run(a5);
    assert_int_equal(r.status, 0);
    /* The terminal summary says it too. */
    assert_non_null(strstr(r.out, "1 pending (1 unschedulable)"));
    assert_non_null(strstr(r.out, "2 nodes used"));
    assert_non_null(strstr(r.out, "free cpu fragmented 100.0%"));
    ks_test_run_free(&r);
    assert_int_equal(attr_i64(out, "/summary", "pods_scheduled"), 4);
    assert_int_equal(attr_i64(out, "/summary", "pods_pending"), 1);
    assert_int_equal(attr_i64(out, "/summary", "pods_unschedulable"), 1);
    assert_near(attr_f64(out, "/summary", "cpu_util_mean"), 0.75, "cpu_util_mean");
    assert_near(attr_f64(out, "/summary", "cpu_fragmentation"), 1.0, "cpu_fragmentation");
}

/* ---- kubesim compare ------------------------------------------------------------------------ */

/* 4 nodes of 4 cpu / 8Gi and 4 pods of 1 cpu / 2Gi (cpu and memory fractions stay equal, so
 * BalancedAllocation scores 100 everywhere; 1Mi images stay under ImageLocality's threshold, so it
 * scores 0). LeastAllocated: a node with k pods scores (4-k-1)/4*100, so each pod goes to an empty
 * node: 4 nodes used, each 25%. MostAllocated: the loaded node always scores highest and the
 * fourth pod fills it exactly: 1 node used, at 100%. PodTopologySpread is disabled in both
 * profiles: its system default constraints would pull the Deployment's pods apart. The pods name
 * "most" as their schedulerName; under profile "least" they must still spread. */
static const char compare_yaml[] =
    "apiVersion: kubesim.io/v1alpha1\n"
    "kind: Experiment\n"
    "metadata: {name: least-vs-most}\n"
    "spec: {duration: 1m, seed: 7, output: ignored.h5, sampleInterval: 10s}\n"
    "---\n"
    "apiVersion: kubescheduler.config.k8s.io/v1\n"
    "kind: KubeSchedulerConfiguration\n"
    "profiles:\n"
    "- schedulerName: least\n"
    "  plugins: {multiPoint: {disabled: [{name: PodTopologySpread}]}}\n"
    "- schedulerName: most\n"
    "  plugins: {multiPoint: {disabled: [{name: PodTopologySpread}]}}\n"
    "  pluginConfig:\n"
    "  - name: NodeResourcesFit\n"
    "    args: {scoringStrategy: {type: MostAllocated}}\n"
    "---\n"
    "apiVersion: kubesim.io/v1alpha1\n"
    "kind: NodePool\n"
    "metadata: {name: n}\n"
    "spec: {count: 4, template: {status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}}}\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: d}\n"
    "spec:\n"
    "  replicas: 4\n"
    "  selector: {matchLabels: {app: d}}\n"
    "  template:\n"
    "    metadata: {labels: {app: d}, annotations: {kubesim.io/image-size: 1Mi}}\n"
    "    spec:\n"
    "      schedulerName: most\n"
    "      containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: \"1\", memory: 2Gi}}}]\n";

static const char *compare_config(void)
{
    return ks_test_write_file("least-vs-most.yaml", compare_yaml);
}

/* Runs `kubesim compare CONFIG --seeds 2 -o OUT [EXTRA]` and checks it succeeded. */
static ks_test_run compare_ok(const char *cfg, const char *out, const char *extra)
{
    const char *argv[] = {"compare", cfg, "--seeds", "2", "-o", out, extra, NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    return r;
}

static const char *const metric_names[] = {
    "pods_scheduled", "pods_pending", "pods_unschedulable", "nodes_used", "cpu_util_mean", "cpu_util_p99",
    "mem_util_mean", "mem_util_p99", "cpu_fragmentation", "sched_latency_p99_s", "startup_p99_s",
};
#define NMETRIC_NAMES (sizeof metric_names / sizeof *metric_names)

/* The /compare value of METRIC in row I (counts are int64 columns, the rest float64). */
static double compare_value(const char *file, const char *metric, size_t i)
{
    size_t n = 0;
    double *f = ks_tc_f64(file, "/compare", metric, &n);
    double v;
    if (f) {
        assert_true(i < n);
        v = f[i];
        free(f);
        return v;
    }
    int64_t *iv = ks_tc_i64(file, "/compare", metric, &n);
    if (!iv) fail_msg("%s: /compare has no column %s", file, metric);
    assert_true(i < n);
    v = (double)iv[i];
    free(iv);
    return v;
}

static void test_compare_groups_table_and_policies(void **state)
{
    (void)state;
    const char *cfg = compare_config();
    const char *out = ks_test_path("cmp.h5");
    ks_test_run r = compare_ok(cfg, out, NULL);
    /* The terminal table: a column per profile, in the config's order. */
    assert_non_null(strstr(r.out, "least  "));
    assert_non_null(strstr(r.out, "nodes used"));
    ks_test_run_free(&r);

    int64_t complete = -1;
    assert_int_equal(ks_tc_attr_i64(out, "/", "complete", &complete), 0);
    assert_int_equal(complete, 1);
    static const char *const profiles[] = {"least", "most"};
    static const int64_t want_nodes[] = {4, 1};
    static const double want_cpu_mean[] = {0.25, 1.0};
    char path[256];
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 2; k++) {
            /* A group per run, with that run's usual tables and summary. */
            snprintf(path, sizeof path, "/runs/%s/seed-%d", profiles[p], 7 + k);
            assert_int_equal(attr_i64(out, path, "seed"), 7 + k);
            assert_int_equal(attr_i64(out, path, "complete"), 1);
            static const char *const tables[] = {"pods", "nodes", "events", "cluster_series"};
            for (int t = 0; t < 4; t++) {
                snprintf(path, sizeof path, "/runs/%s/seed-%d/%s", profiles[p], 7 + k, tables[t]);
                if (ks_tc_rows(out, path) <= 0) fail_msg("%s: no rows in %s", out, path);
            }
            snprintf(path, sizeof path, "/runs/%s/seed-%d/summary", profiles[p], 7 + k);
            assert_int_equal(attr_i64(out, path, "nodes_used"), want_nodes[p]);
            assert_near(attr_f64(out, path, "cpu_util_mean"), want_cpu_mean[p], "cpu_util_mean");
            /* Machine-dependent figures stay out of a compare file. */
            double wall;
            assert_int_not_equal(ks_tc_attr_f64(out, path, "wall_s", &wall), 0);
            /* Every pod went where the forced profile put it, though each names "most". */
            snprintf(path, sizeof path, "/runs/%s/seed-%d/pods", profiles[p], 7 + k);
            size_t n = 0;
            char **node = ks_tc_strings(out, path, "node", &n);
            assert_int_equal(n, 4);
            int distinct = 0;
            for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++) seen |= !strcmp(node[i], node[j]);
                distinct += !seen;
            }
            ks_tc_free_strings(node, n);
            assert_int_equal(distinct, want_nodes[p]);
        }
    }
    /* The summary table: one row per run, profile-major, seeds in order. */
    assert_int_equal(ks_tc_rows(out, "/compare"), 4);
    size_t n = 0;
    char **prof = ks_tc_strings(out, "/compare", "profile", &n);
    int64_t *seed = ks_tc_i64(out, "/compare", "seed", &n);
    assert_non_null(prof);
    assert_non_null(seed);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(prof[i], profiles[i / 2]);
        assert_int_equal(seed[i], 7 + (int64_t)(i % 2));
        assert_int_equal((int64_t)compare_value(out, "nodes_used", i), want_nodes[i / 2]);
        assert_int_equal((int64_t)compare_value(out, "pods_scheduled", i), 4);
        assert_int_equal((int64_t)compare_value(out, "complete", i), 1);
    }
    /* MostAllocated needs fewer nodes than LeastAllocated on every seed. */
    assert_true(compare_value(out, "nodes_used", 2) < compare_value(out, "nodes_used", 0));
    assert_true(compare_value(out, "nodes_used", 3) < compare_value(out, "nodes_used", 1));
    ks_tc_free_strings(prof, n);
    free(seed);
}

/* configs/policy-comparison.yaml, worked by hand in its header: nodes used 24 / 19 / 22 and the 8
 * batch pods unschedulable under spread only. */
static void test_policy_comparison_example(void **state)
{
    (void)state;
    const char *out = ks_test_path("policy-comparison.h5");
    const char *argv[] = {"compare", ks_test_source_path("configs/policy-comparison.yaml"), "-o", out, "-q", NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    static const char *const profiles[] = {"spread", "pack", "pack-to-75"};
    static const int64_t nodes[] = {24, 19, 22}, unschedulable[] = {8, 0, 0};
    assert_int_equal(ks_tc_rows(out, "/compare"), 3);
    for (size_t i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "/runs/%s/seed-42/summary", profiles[i]);
        assert_int_equal(attr_i64(out, path, "nodes_used"), nodes[i]);
        assert_int_equal(attr_i64(out, path, "pods_unschedulable"), unschedulable[i]);
        assert_int_equal((int64_t)compare_value(out, "nodes_used", i), nodes[i]);
    }
    /* Under spread every node keeps 9 cpu free and only the 8 batch pods (of 164) do not fit. */
    assert_near(compare_value(out, "cpu_fragmentation", 0), 8.0 / 164.0, "spread cpu_fragmentation");
}

/* ---- a small JSON checker: RFC 8259's grammar, no values kept -------------------------------- */

static const char *json_value(const char *s);

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    return s;
}

static const char *json_string(const char *s)
{
    if (*s != '"') return NULL;
    for (s++; *s && *s != '"'; s++) {
        if ((unsigned char)*s < 0x20) return NULL;
        if (*s != '\\') continue;
        s++;
        if (*s == 'u') {
            for (int i = 1; i <= 4; i++)
                if (!isxdigit((unsigned char)s[i])) return NULL;
            s += 4;
        } else if (!*s || !strchr("\"\\/bfnrt", *s)) {
            return NULL;
        }
    }
    return *s == '"' ? s + 1 : NULL;
}

static const char *json_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (isdigit((unsigned char)*s)) while (isdigit((unsigned char)*s)) s++;
    else return NULL;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s)) return NULL;
        while (isdigit((unsigned char)*s)) s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!isdigit((unsigned char)*s)) return NULL;
        while (isdigit((unsigned char)*s)) s++;
    }
    return s;
}

static const char *json_items(const char *s, char close, bool keyed)
{
    s = json_ws(s + 1);
    if (*s == close) return s + 1;
    for (;;) {
        if (keyed) {
            if (!(s = json_string(s))) return NULL;
            s = json_ws(s);
            if (*s++ != ':') return NULL;
        }
        if (!(s = json_value(json_ws(s)))) return NULL;
        s = json_ws(s);
        if (*s == close) return s + 1;
        if (*s++ != ',') return NULL;
        s = json_ws(s);
    }
}

static const char *json_value(const char *s)
{
    if (*s == '{') return json_items(s, '}', true);
    if (*s == '[') return json_items(s, ']', false);
    if (*s == '"') return json_string(s);
    if (!strncmp(s, "true", 4)) return s + 4;
    if (!strncmp(s, "false", 5)) return s + 5;
    if (!strncmp(s, "null", 4)) return s + 4;
    return json_number(s);
}

static bool json_valid(const char *text)
{
    const char *end = json_value(json_ws(text));
    return end && !*json_ws(end);
}

/* The number after "KEY": in the run object that starts at RUN; NaN for null. */
static double json_run_number(const char *run, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *end = strchr(run, '}');
    const char *at = strstr(run, pat);
    if (!at || !end || at > end) fail_msg("no %s in the run object %.200s", key, run);
    at += strlen(pat);
    if (!strncmp(at, "null", 4)) return NAN;
    return strtod(at, NULL);
}

/* --json: valid JSON on stdout and nothing else, with the numbers of the /compare table. */
static void test_compare_json(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"], \"b\": {}}"));
    assert_false(json_valid("{\"a\": [1, 2,]}"));
    assert_false(json_valid("{\"a\": nan}"));

    const char *cfg = compare_config();
    const char *out = ks_test_path("cmp-json.h5");
    ks_test_run r = compare_ok(cfg, out, "--json");
    if (!json_valid(r.out)) fail_msg("not valid JSON:\n%s", r.out);
    assert_null(strstr(r.out, "metric  ")); /* no table */
    static const char *const profiles[] = {"least", "most"};
    char pat[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(pat, sizeof pat, "{\"profile\": \"%s\", \"seed\": %d,", profiles[i / 2], 7 + (int)(i % 2));
        const char *obj = strstr(r.out, pat);
        if (!obj) fail_msg("no run %s in\n%s", pat, r.out);
        for (size_t m = 0; m < NMETRIC_NAMES; m++) {
            double want = compare_value(out, metric_names[m], i), got = json_run_number(obj, metric_names[m]);
            if (!(got == want || (isnan(got) && isnan(want))))
                fail_msg("run %s %s: JSON %.17g, /compare %.17g", pat, metric_names[m], got, want);
        }
    }
    /* The medians across the two seeds: nodes used 4 and 1 whatever the seed. */
    assert_non_null(strstr(r.out, "\"nodes_used\": {\"median\": 4, \"ci95\": [4, 4], \"iqr\": [4, 4], \"n\": 2}"));
    assert_non_null(strstr(r.out, "\"nodes_used\": {\"median\": 1, \"ci95\": [1, 1], \"iqr\": [1, 1], \"n\": 2}"));
    ks_test_run_free(&r);
}

/* Two runs of the same config and seeds give the same bytes. */
static void test_compare_is_deterministic(void **state)
{
    (void)state;
    const char *cfg = compare_config();
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", ks_test_path("det-a.h5"));
    snprintf(b, sizeof b, "%s", ks_test_path("det-b.h5"));
    ks_test_run r = compare_ok(cfg, a, "-q");
    assert_string_equal(r.out, "");
    ks_test_run_free(&r);
    r = compare_ok(cfg, b, "--threads=2");
    ks_test_run_free(&r);
    size_t na = 0, nb = 0;
    char *da = ks_test_read_file(a, &na), *db = ks_test_read_file(b, &nb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);
}

/* Whether any file in the test directory starts with PREFIX (the output or its temporary). */
static bool any_file_starting(const char *prefix)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", ks_test_path("x"));
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    assert_non_null(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d));) found |= !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return found;
}

/* Bad input: exit 2, a message that names the problem, and no file. */
static void test_compare_bad_input(void **state)
{
    (void)state;
    const char *cfg = compare_config();
    const char *out = ks_test_path("bad-compare.h5");
    static const struct {
        const char *flag, *value, *says;
    } cases[] = {
        {"--profiles", "least,nope", "no scheduler profile \"nope\""},
        {"--profiles", "most,most", "listed twice"},
        {"--seeds", "0", "--seeds"},
        {"--seed", "-1", "--seed"},
        {"--until", "soon", "--until"},
        {"--bogus", "1", "usage:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[] = {"compare", cfg, "-o", out, cases[i].flag, cases[i].value, NULL};
        ks_test_run r = ks_test_kubesim(argv);
        if (r.status != 2 || !strstr(r.err, cases[i].says))
            fail_msg("%s %s: exit %d, stderr:\n%s", cases[i].flag, cases[i].value, r.status, r.err);
        ks_test_run_free(&r);
        assert_false(any_file_starting("bad-compare.h5"));
    }
    /* A bad config: the loader's file:line:column message. */
    const char *bad = ks_test_write_file("bad-compare.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\n"
                                                              "metadata: {name: n}\nspec: {count: many}\n");
    const char *argv[] = {"compare", bad, "-o", out, NULL};
    ks_test_run r = ks_test_kubesim(argv);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "bad-compare.yaml:4:"));
    ks_test_run_free(&r);
    assert_false(any_file_starting("bad-compare.h5"));
    /* --help. */
    const char *help[] = {"compare", "--help", NULL};
    r = ks_test_kubesim(help);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: kubesim compare"));
    ks_test_run_free(&r);
}

/* SIGINT: exit 130, the file at its final path with complete = 0, the interrupted run's group and
 * its /compare row marked incomplete, the runs not started absent. */
static void test_compare_sigint(void **state)
{
    (void)state;
    const char *out = ks_test_path("cmp-interrupted.h5");
    /* 100,000 hours of node heartbeats keep the first run busy for minutes. */
    const char *argv[] = {"compare", compare_config(), "-o", out, "-q", "--until", "100000h", NULL};
    assert_int_equal(ks_test_kubesim_interrupted(argv, out), 130);
    assert_int_equal(attr_i64(out, "/", "complete"), 0);
    assert_int_equal(attr_i64(out, "/runs/least/seed-7", "complete"), 0);
    assert_true(ks_tc_rows(out, "/runs/least/seed-7/pods") > 0);
    assert_int_equal(ks_tc_rows(out, "/compare"), 1);
    assert_int_equal((int64_t)compare_value(out, "complete", 0), 0);
    assert_int_equal(ks_tc_rows(out, "/runs/most/seed-7/pods"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_placement_metrics),
        cmocka_unit_test(test_compare_groups_table_and_policies),
        cmocka_unit_test(test_compare_json),
        cmocka_unit_test(test_policy_comparison_example),
        cmocka_unit_test(test_compare_is_deterministic),
        cmocka_unit_test(test_compare_bad_input),
        cmocka_unit_test(test_compare_sigint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
