/* test_gpu_sched.c — GPU sharing in the scheduler, end to end through the kubesim binary: the
 * Open-Gpu-Share filter and its FitError, GPUs given back when a pod goes, each FGD-experiment
 * policy's node and GPU on a hand-built cluster, the node-order tie-break, TraceReplay order fgd
 * (the order is a permutation of the trace, the inflation reaches and does not pass its target,
 * the deflation), the binning of /gpu_binned worked by hand, and the same seed giving the same
 * order and placements. Scores of the policies themselves are worked by hand in test_gpushare. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tracecheck.h"

/* Runs `kubesim run CONFIG -q -o OUT [--seed S]` and fails on a non-zero exit. */
static void run_ok(const char *config, const char *out, const char *seed)
{
    const char *argv[] = {"run", config, "-q", "-o", out, seed ? "--seed" : NULL, seed, NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) fail_msg("kubesim run %s: status %d\n%s", config, r.status, r.err);
    ks_test_run_free(&r);
}

/* The node of pod NAME in OUT's /pods ("" while unbound). */
static char *pod_node(const char *out, const char *name)
{
    size_t n = 0, m = 0;
    char **names = ks_tc_strings(out, "/pods", "name", &n);
    char **nodes = ks_tc_strings(out, "/pods", "node", &m);
    assert_non_null(names);
    char *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name)) found = strdup(nodes[i]);
    ks_tc_free_strings(names, n);
    ks_tc_free_strings(nodes, m);
    if (!found) fail_msg("no pod %s in %s", name, out);
    return found;
}

static bool has_event(const char *out, const char *reason, const char *text)
{
    size_t n = 0, m = 0;
    char **reasons = ks_tc_strings(out, "/events", "reason", &n);
    char **msgs = ks_tc_strings(out, "/events", "message", &m);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) found = !strcmp(reasons[i], reason) && strstr(msgs[i], text);
    ks_tc_free_strings(reasons, n);
    ks_tc_free_strings(msgs, m);
    return found;
}

static const char node_pool[] =
    "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: g}\n"
    "spec:\n  count: 1\n  template:\n    metadata: {labels: {alibabacloud.com/gpu-card-model: T4}}\n"
    "    status: {allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\", nvidia.com/gpu: \"1\"}}\n";

/* One GPU, two pods of 600 milli: the second fails with Open-Gpu-Share's reason, and is placed
 * once the first is deleted (its GPU given back). */
static void test_share_filter_and_release(void **state)
{
    (void)state;
    char cfg[4096];
    snprintf(cfg, sizeof cfg,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: share}\n"
             "spec: {duration: 2m, seed: 1}\n---\n%s---\n"
             "apiVersion: v1\nkind: Pod\nmetadata: {name: a, annotations: {alibabacloud.com/gpu-milli: \"600\"}}\n"
             "spec: {containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]}\n---\n"
             "apiVersion: v1\nkind: Pod\nmetadata: {name: b, annotations: {alibabacloud.com/gpu-milli: \"600\"}}\n"
             "spec: {containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]}\n---\n"
             "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
             "spec: {actions: [{at: 30s, delete: {kind: Pod, name: a}}]}\n",
             node_pool);
    const char *path = ks_test_write_file("share.yaml", cfg), *out = ks_test_path("share.h5");
    run_ok(path, out, NULL);
    assert_true(has_event(out, "FailedScheduling",
                          "0/1 nodes are available: 1 node(s) didn't have free GPUs for the requested GPU milli."));
    char *b = pod_node(out, "b");
    assert_string_equal(b, "g-0");
    free(b);
    size_t n = 0;
    double *sched = ks_tc_f64(out, "/pods", "scheduled", &n);
    char **names = ks_tc_strings(out, "/pods", "name", &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], "b")) assert_true(sched[i] > 30.0);
    free(sched);
    ks_tc_free_strings(names, n);
    /* Both held the GPU in turn: 600 of 1000 milli at the end. */
    int64_t used = -1;
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "gpu_used_milli", &used), 0);
    assert_int_equal(used, 600);
}

/* Three nodes of 8 GPUs (T4) and 16 cpu: n0 has a pod on 500 milli of GPU 0, n2 a pod of 6 whole
 * GPUs; n1 is empty (a CPU pod). Every pod asks 1 cpu, so every node has 15000 cpu left. A pod of
 * 400 milli and 1 cpu, worked by hand per policy (fgd-experiment.md 2.3):
 * - BestFit: raw 100 (1 - [0.5 (15000 - 1000) / 128000 + 0.5 (gpu_left - 400) / 8000]):
 *   n2 84 (gpu_left 2000), n0 50 (7500), n1 47 (8000): n2.
 * - DotProd: int(100 (1 - (15000 x 1000 / 128000^2 + gpu_left x 400 / 8000^2) / 2)):
 *   n2 99, n0 97, n1 97: n2.
 * - GpuPacking: n0 takes it on its shared GPU (max(100 - 50 / 10, 50) = 95); n2 on a free GPU of
 *   a used node (max(50 - 1, 33) = 49); n1 is empty (max(33 - 8, 8) = 25): n0.
 * - GpuClustering: b = 25 (8000 - gpu_left) / 8000; n0 holds only share-gpu pods (75 + 1),
 *   n2 only 6-gpu pods (18), n1 none (25 + 0): n0. */
static void test_policies_by_hand(void **state)
{
    (void)state;
    static const struct {
        const char *plugin, *node;
    } want[] = {{"BestFitScore", "n2"}, {"DotProductScore", "n2"}, {"GpuPackingScore", "n0"}, {"GpuClusteringScore", "n0"}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        char cfg[8192];
        int len = snprintf(cfg, sizeof cfg,
                           "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: pol}\n"
                           "spec: {duration: 1m, seed: 3}\n---\n"
                           "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                           "percentageOfNodesToScore: 100\nprofiles:\n- schedulerName: default-scheduler\n"
                           "  plugins: {score: {disabled: [{name: \"*\"}], enabled: [{name: %s, weight: 1000}]}}\n",
                           want[k].plugin);
        for (int i = 0; i < 3; i++)
            len += snprintf(cfg + len, sizeof cfg - (size_t)len,
                            "---\napiVersion: v1\nkind: Node\nmetadata: {name: n%d, labels: {alibabacloud.com/gpu-card-model: T4}}\n"
                            "status: {allocatable: {cpu: \"16\", memory: 64Gi, pods: \"110\", nvidia.com/gpu: \"8\"}}\n",
                            i);
        len += snprintf(cfg + len, sizeof cfg - (size_t)len,
                        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: half, annotations: {alibabacloud.com/gpu-milli: \"500\"}}\n"
                        "spec: {nodeName: n0, containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]}\n"
                        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: whole}\n"
                        "spec: {nodeName: n2, containers: [{name: c, image: x, resources: {requests: {cpu: \"1\", nvidia.com/gpu: \"6\"}}}]}\n"
                        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: n1-filler}\n"
                        "spec: {nodeName: n1, containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]}\n"
                        "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
                        "spec: {actions: [{at: 10s, create: {apiVersion: v1, kind: Pod, metadata: {name: new, annotations: "
                        "{alibabacloud.com/gpu-milli: \"400\"}}, spec: {containers: [{name: c, image: x, resources: "
                        "{requests: {cpu: \"1\"}}}]}}}]}\n");
        assert_true((size_t)len < sizeof cfg);
        const char *path = ks_test_write_file("policy.yaml", cfg), *out = ks_test_path("policy.h5");
        run_ok(path, out, NULL);
        char *node = pod_node(out, "new");
        if (strcmp(node, want[k].node)) fail_msg("%s put the pod on %s, want %s", want[k].plugin, node, want[k].node);
        free(node);
    }
}

/* A trace of 2 nodes x 4 GPUs (8000 milli) and 5 pods: 500, 1000, 2 x 1000, 250 milli and a
 * CPU-only pod, 3750 milli in all. */
static const char trace_nodes[] = "sn,cpu_milli,memory_mib,gpu,model\nna,64000,262144,4,T4\nnb,64000,262144,4,T4\n";
static const char trace_pods[] =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
    "p-a,1000,1024,1,500\np-b,2000,2048,1,1000\np-c,4000,4096,2,1000\np-d,500,512,1,250\np-e,1000,1024,0,0\n";

static const char *fgd_config(const char *name, const char *ratio, const char *tie_break)
{
    ks_test_write_file("fgd-nodes.csv", trace_nodes);
    ks_test_write_file("fgd-pods.csv", trace_pods);
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: fgd}\nspec: {duration: 2m, seed: 42}\n---\n"
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
             "spec: {nodes: fgd-nodes.csv, pods: fgd-pods.csv, order: fgd, tuneRatio: %s, interval: 1s}\n---\n"
             "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec: {scheduler: {tieBreak: %s}}\n",
             ratio, tie_break);
    return ks_test_write_file(name, cfg);
}

/* Milli of the pods by name, as the trace and its clones ask. */
static int64_t pod_milli(const char *name)
{
    static const struct {
        const char *name;
        int64_t milli;
    } m[] = {{"p-a", 500}, {"p-b", 1000}, {"p-c", 2000}, {"p-d", 250}, {"p-e", 0}};
    for (size_t i = 0; i < 5; i++)
        if (!strncmp(name, m[i].name, 3)) return m[i].milli;
    fail_msg("unknown pod %s", name);
    return 0;
}

/* Pod names in creation order. */
static char **created_order(const char *out, size_t *n)
{
    double *created = ks_tc_f64(out, "/pods", "created", n);
    char **names = ks_tc_strings(out, "/pods", "name", n);
    assert_non_null(created);
    for (size_t i = 1; i < *n; i++) /* insertion sort by creation time */
        for (size_t j = i; j > 0 && created[j] < created[j - 1]; j--) {
            double t = created[j];
            created[j] = created[j - 1];
            created[j - 1] = t;
            char *s = names[j];
            names[j] = names[j - 1];
            names[j - 1] = s;
        }
    free(created);
    return names;
}

/* Inflation to 1.3 x 8000 = 10400 milli: the originals first, each once, then clones named
 * <name>-tuned-<i>; the total reaches the target within one pod and never passes it. */
static void test_fgd_inflation(void **state)
{
    (void)state;
    const char *path = fgd_config("fgd-up.yaml", "1.3", "nodeOrder"), *out = ks_test_path("fgd-up.h5");
    run_ok(path, out, NULL);
    size_t n = 0;
    char **names = created_order(out, &n);
    assert_true(n > 5);
    bool seen[5] = {false};
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += pod_milli(names[i]);
        if (i < 5) {
            assert_null(strstr(names[i], "-tuned-"));
            int k = names[i][2] - 'a';
            assert_false(seen[k]);
            seen[k] = true;
        } else {
            char want[32];
            snprintf(want, sizeof want, "-tuned-%zu", i - 5);
            assert_non_null(strstr(names[i], want));
        }
    }
    assert_true(total <= 10400);
    assert_true(total > 10400 - 2000); /* the next draw would have passed it: at most one pod short */
    /* /gpu_events: one row per arrival, the arrived milli ending at the total. */
    size_t ne = 0;
    int64_t *arrived = ks_tc_i64(out, "/gpu_events", "arrived_milli", &ne);
    assert_int_equal(ne, n);
    assert_int_equal(arrived[ne - 1], total);
    free(arrived);
    ks_tc_free_strings(names, n);
}

/* Deflation to 0.2 x 8000 = 1600 milli: originals removed at random until at or below it, no
 * clones. */
static void test_fgd_deflation(void **state)
{
    (void)state;
    const char *path = fgd_config("fgd-down.yaml", "0.2", "nodeOrder"), *out = ks_test_path("fgd-down.h5");
    run_ok(path, out, NULL);
    size_t n = 0;
    char **names = created_order(out, &n);
    assert_true(n < 5);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(names[i], "-tuned-"));
        total += pod_milli(names[i]);
    }
    assert_true(total <= 1600);
    ks_tc_free_strings(names, n);
}

/* The same seed gives the same order and placements (the same bytes); another seed another order. */
static void test_fgd_same_seed(void **state)
{
    (void)state;
    const char *path = fgd_config("fgd-seed.yaml", "1.3", "nodeOrder");
    const char *a = ks_test_path("fgd-seed-a.h5"), *b = ks_test_path("fgd-seed-b.h5"), *c = ks_test_path("fgd-seed-c.h5");
    run_ok(path, a, "7");
    run_ok(path, b, "7");
    char why[512];
    if (ks_tc_compare_datasets(a, b, why, sizeof why)) fail_msg("seed 7 twice: %s", why);
    /* Another seed: the order of 5 originals plus clones differs for at least one of 5 seeds. */
    size_t na = 0;
    char **order_a = created_order(a, &na);
    char *nodes_a = pod_node(a, order_a[0]);
    bool differs = false;
    for (int s = 8; s < 13 && !differs; s++) {
        char seed[8];
        snprintf(seed, sizeof seed, "%d", s);
        run_ok(path, c, seed);
        size_t nc = 0;
        char **order_c = created_order(c, &nc);
        differs = nc != na;
        for (size_t i = 0; i < na && !differs; i++) differs = strcmp(order_a[i], order_c[i]) != 0;
        ks_tc_free_strings(order_c, nc);
    }
    assert_true(differs);
    free(nodes_a);
    ks_tc_free_strings(order_a, na);
}

/* The node-order tie-break: with every score plugin disabled all nodes tie, so every pod goes to
 * the one node of lowest rank while it fits; which node that is depends on the seed. */
static void test_node_order_tie_break(void **state)
{
    (void)state;
    const char cfg[] =
        "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: tie}\nspec: {duration: 1m}\n---\n"
        "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec: {scheduler: {tieBreak: nodeOrder}}\n---\n"
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 100\n"
        "profiles:\n- schedulerName: default-scheduler\n  plugins: {score: {disabled: [{name: \"*\"}]}}\n---\n"
        "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: w}\n"
        "spec: {count: 8, template: {status: {allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\"}}}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec: {replicas: 4, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, "
        "spec: {containers: [{name: c, image: x, resources: {requests: {cpu: \"1\"}}}]}}}\n";
    const char *path = ks_test_write_file("tie.yaml", cfg), *out = ks_test_path("tie.h5");
    char first[64] = "";
    bool other = false;
    for (int s = 1; s <= 6; s++) {
        char seed[8];
        snprintf(seed, sizeof seed, "%d", s);
        run_ok(path, out, seed);
        size_t n = 0;
        char **nodes = ks_tc_strings(out, "/pods", "node", &n);
        assert_int_equal(n, 4);
        for (size_t i = 1; i < n; i++) assert_string_equal(nodes[i], nodes[0]);
        if (s == 1) snprintf(first, sizeof first, "%s", nodes[0]);
        else other |= strcmp(first, nodes[0]) != 0;
        ks_tc_free_strings(nodes, n);
    }
    assert_true(other);
}

/* /gpu_binned by hand: 2 nodes of 1 GPU (2000 milli), five pods of 500 milli (2500 < 1.3 x 2000
 * = 2600; a clone would make 3000: none). Arrivals at 25, 50, 75, 100 and 125 %; four fit, the
 * fifth fails. Allocation 25, 50, 75, 100, 100 %; an empty bin takes its neighbours k-1..k+1 (24
 * and 26 from 25) or is NaN (27); typical pods are all 500 milli, which fits wherever 500 is
 * free, so nothing is fragmented. */
static void test_binning_by_hand(void **state)
{
    (void)state;
    ks_test_write_file("bin-nodes.csv", "sn,cpu_milli,memory_mib,gpu,model\nna,8000,16384,1,T4\nnb,8000,16384,1,T4\n");
    ks_test_write_file("bin-pods.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
                                       "q1,100,64,1,500\nq2,100,64,1,500\nq3,100,64,1,500\nq4,100,64,1,500\nq5,100,64,1,500\n");
    const char *path = ks_test_write_file(
        "bin.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: bin}\nspec: {duration: 1m}\n---\n"
                    "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
                    "spec: {nodes: bin-nodes.csv, pods: bin-pods.csv, order: fgd}\n");
    const char *out = ks_test_path("bin.h5");
    run_ok(path, out, NULL);
    size_t n = 0;
    int64_t *k = ks_tc_i64(out, "/gpu_binned", "arrive_pct", &n);
    double *alloc = ks_tc_f64(out, "/gpu_binned", "alloc_pct", &n);
    double *frag = ks_tc_f64(out, "/gpu_binned", "frag_pct", &n);
    int64_t *events = ks_tc_i64(out, "/gpu_binned", "events", &n);
    assert_int_equal(n, 131);
    for (size_t i = 0; i < n; i++) assert_int_equal(k[i], (int64_t)i);
    static const struct {
        int bin;
        double alloc;
        int64_t events;
    } want[] = {{0, NAN, 0},   {24, 25, 1},  {25, 25, 1},   {26, 25, 1},   {27, NAN, 0},  {50, 50, 1},
                {75, 75, 1},   {99, 100, 1}, {100, 100, 1}, {124, 100, 1}, {125, 100, 1}, {130, NAN, 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        double got = alloc[want[i].bin];
        if (isnan(want[i].alloc) ? !isnan(got) : got != want[i].alloc)
            fail_msg("bin %d: alloc %.17g, want %.17g", want[i].bin, got, want[i].alloc);
        assert_int_equal(events[want[i].bin], want[i].events);
        if (!isnan(want[i].alloc)) assert_true(frag[want[i].bin] == 0);
    }
    double unalloc = NAN, fail = NAN;
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "gpu_unallocated_pct_at_100", &unalloc), 0);
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "gpu_first_failure_arrived_pct", &fail), 0);
    assert_true(unalloc == 0);
    assert_true(fail == 125);
    free(k);
    free(alloc);
    free(frag);
    free(events);
}

/* configs/fgd-openb.yaml works for every pod list of the trace folder (gpushare*, multigpu*,
 * gpuspec*, cpu*, default): each loads, inflates or deflates, and records the series. Skipped
 * when the trace is absent. */
static void test_every_pod_list(void **state)
{
    (void)state;
    static const char *const lists[] = {
        "default",     "cpu050",      "cpu100",      "cpu200",      "cpu250",     "gpushare20",
        "gpushare40",  "gpushare60",  "gpushare80",  "gpushare100", "gpuspec10",  "gpuspec20",
        "gpuspec25",   "gpuspec33",   "multigpu20",  "multigpu30",  "multigpu40", "multigpu50"};
    char dir[512];
    snprintf(dir, sizeof dir, "%s", KS_SOURCE_DIR "/../shared/traces/alibaba-gpu-2023/csv");
    char probe[600];
    snprintf(probe, sizeof probe, "%s/openb_node_list_gpu_node.csv", dir);
    if (!ks_test_file_exists(probe)) {
        print_message("skipped: %s is absent\n", probe);
        skip();
    }
    size_t len = 0;
    char *cfg = ks_test_read_file(ks_test_source_path("configs/fgd-openb.yaml"), &len);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        /* The example with absolute trace paths and another pod list. */
        char *text = malloc(len + 4096), *o = text;
        for (const char *p = cfg; *p;) {
            if (!strncmp(p, "../../shared/traces/alibaba-gpu-2023/csv", 40)) {
                o += sprintf(o, "%s", dir);
                p += 40;
            } else if (!strncmp(p, "openb_pod_list_default.csv", 26)) {
                o += sprintf(o, "openb_pod_list_%s.csv", lists[i]);
                p += 26;
            } else {
                *o++ = *p++;
            }
        }
        *o = 0;
        const char *path = ks_test_write_file("fgd-list.yaml", text), *out = ks_test_path("fgd-list.h5");
        free(text);
        const char *argv[] = {"run", path, "-q", "-o", out, "--until", "20s", NULL};
        ks_test_run r = ks_test_kubesim(argv);
        if (r.status != 0) fail_msg("pod list %s: status %d\n%s", lists[i], r.status, r.err);
        ks_test_run_free(&r);
        long rows = ks_tc_rows(out, "/gpu_events");
        if (rows < 900) fail_msg("pod list %s: %ld arrivals in 20 s, want ~1000 (one per 20 ms)", lists[i], rows);
        int64_t cap = 0;
        assert_int_equal(ks_tc_attr_i64(out, "/summary", "gpu_capacity_milli", &cap), 0);
        assert_int_equal(cap, 6212000);
    }
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_filter_and_release),
        cmocka_unit_test(test_policies_by_hand),
        cmocka_unit_test(test_fgd_inflation),
        cmocka_unit_test(test_fgd_deflation),
        cmocka_unit_test(test_fgd_same_seed),
        cmocka_unit_test(test_node_order_tie_break),
        cmocka_unit_test(test_binning_by_hand),
        cmocka_unit_test(test_every_pod_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
