/* test_compare.c — `kubesim compare` through the binary, and the placement metrics it tabulates
 * (nodes used, utilisation, fragmentation, unschedulable pods), on cases worked out by hand. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_placement_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
