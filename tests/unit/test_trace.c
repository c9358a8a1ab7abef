/* test_trace.c — the TraceReplay kind: every column of the Alibaba GPU 2023 trace format on a
 * hand-written fixture (tests/data/trace-*.csv), bad rows with their file:line:column, a replay
 * end to end (creations and deletions at the trace's times), and the real trace in
 * shared/traces/alibaba-gpu-2023 (counts from its README; skipped when the folder is absent). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "testutil.h"
#include "configtest.h"
#include "tracecheck.h"
#include "tracereplay.h"

#define MIB (1024LL * 1024)
#define TRACE_DIR KS_SOURCE_DIR "/../shared/traces/alibaba-gpu-2023/csv"

/* Every column of the fixture, value by value. */
static void test_fixture_columns(void **state)
{
    (void)state;
    ks_config cfg;
    loaded l = load(&cfg, ks_test_source_path("tests/configs/trace-replay.yaml"));
    assert_int_equal(l.rc, 0);
    free(l.err);

    assert_int_equal(cfg.nnodes, 3);
    const ks_node_spec *a = &cfg.nodes[0], *b = &cfg.nodes[1], *c = &cfg.nodes[2];
    assert_string_equal(a->name, "node-a");
    assert_int_equal(a->cpu_milli, 16000);
    assert_int_equal(a->mem_bytes, 65536 * MIB);
    assert_int_equal(a->pods, 1001);
    assert_int_equal(a->next, 1);
    assert_string_equal(a->ext[0].name, "nvidia.com/gpu");
    assert_int_equal(a->ext[0].value, 2);
    assert_string_equal(ks_labels_get(&a->labels, "alibabacloud.com/gpu-card-model"), "T4");
    assert_string_equal(b->name, "node-b");
    assert_int_equal(b->cpu_milli, 8000);
    assert_int_equal(b->mem_bytes, 32768 * MIB);
    assert_int_equal(b->next, 0);
    assert_int_equal(b->labels.n, 0);
    assert_string_equal(c->name, "node-c");
    assert_int_equal(c->ext[0].value, 8);
    assert_string_equal(ks_labels_get(&c->labels, KS_TRACE_GPU_MODEL_LABEL), "V100M32");

    assert_int_equal(cfg.npods, 5);
    const ks_pod_doc *p0 = find_pod(&cfg, "pod-0");
    assert_string_equal(p0->spec.namespace, "gpu");
    assert_int_equal(p0->at, 0);
    assert_int_equal(p0->spec.req_cpu_milli, 4000);
    assert_int_equal(p0->spec.req_mem_bytes, 8192 * MIB);
    assert_int_equal(p0->spec.gpu_count, 1);
    assert_int_equal(p0->spec.gpu_milli, 1000);
    assert_int_equal(ext_req(&p0->spec, "nvidia.com/gpu"), 1);
    assert_false(p0->spec.has_required);

    const ks_pod_doc *p1 = find_pod(&cfg, "pod-1"); /* GPU-sharing: no extended request */
    assert_int_equal(p1->at, KS_SEC(10));
    assert_int_equal(p1->spec.gpu_count, 1);
    assert_int_equal(p1->spec.gpu_milli, 500);
    assert_int_equal(p1->spec.next_req, 0);

    const ks_pod_doc *p2 = find_pod(&cfg, "pod-2");
    assert_int_equal(p2->at, KS_SEC(20));
    assert_int_equal(p2->spec.req_cpu_milli, 8000);
    assert_int_equal(ext_req(&p2->spec, "nvidia.com/gpu"), 4);
    assert_true(p2->spec.has_required);
    assert_int_equal(p2->spec.nrequired, 1);
    const ks_node_requirement *r = &p2->spec.required_terms[0].reqs[0];
    assert_string_equal(r->key, KS_TRACE_GPU_MODEL_LABEL);
    assert_int_equal(r->op, KS_SEL_IN);
    assert_int_equal(r->nvalues, 2); /* the repeated V100M32 kept once */
    assert_string_equal(r->values[0], "V100M32");
    assert_string_equal(r->values[1], "V100M16");

    const ks_pod_doc *p3 = find_pod(&cfg, "pod-3"); /* CPU-only, no memory, no deletion */
    assert_int_equal(p3->at, KS_SEC(40));
    assert_int_equal(p3->spec.req_mem_bytes, 0);
    assert_int_equal(p3->spec.gpu_count, 0);
    assert_int_equal(p3->spec.gpu_milli, 0);
    assert_int_equal(p3->spec.next_req, 0);

    const ks_pod_doc *p4 = find_pod(&cfg, "pod-4");
    assert_int_equal(p4->at, KS_SEC(5));
    assert_int_equal(ext_req(&p4->spec, "nvidia.com/gpu"), 2);
    assert_string_equal(p4->spec.required_terms[0].reqs[0].values[0], "T4");

    /* Deletions: every pod with a deletion_time, in file order; pod-4's zero lifetime is 1 ns. */
    const char *names[] = {"pod-0", "pod-1", "pod-2", "pod-4"};
    const ks_time at[] = {KS_SEC(100), KS_SEC(50), KS_SEC(30), KS_SEC(5) + 1};
    assert_pod_deletes(&cfg, names, at, 4, "gpu");
    ks_config_free(&cfg);
}

/* spec.limit keeps the first pods; spec.namespace defaults to "default"; paths are relative to
 * the config file. */
static void test_limit_and_defaults(void **state)
{
    (void)state;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
             "spec: {pods: %s, limit: 2}\n",
             ks_test_source_path("tests/data/trace-pods.csv"));
    ks_config cfg;
    loaded l = load(&cfg, ks_test_write_file("limit.yaml", yaml));
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.nnodes, 0);
    assert_int_equal(cfg.npods, 2);
    assert_string_equal(cfg.pods[1].name, "pod-1");
    assert_string_equal(cfg.pods[0].spec.namespace, "default");
    assert_int_equal(cfg.nactions, 2);
    ks_config_free(&cfg);
}

/* One bad file: its CSV text, which list it is, and the error expected at LINE:COL. */
typedef struct bad_case {
    bool nodes;
    const char *csv;
    const char *pos, *want;
} bad_case;

#define NODE_HEADER "sn,cpu_milli,memory_mib,gpu,model\n"
#define POD_HEADER "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"

static void test_bad_rows(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {true, NODE_HEADER "n-0,1000,1024,0,\nn-1,x00,1024,0,\n", "3:5", "cpu_milli: expected a non-negative integer, got \"x00\""},
        {true, NODE_HEADER "n-0,1000,-5,0,\n", "2:10", "memory_mib: expected a non-negative integer, got negative"},
        {true, NODE_HEADER "n-0,1000,1024,2\n", "2:1", "expected 5 fields, got 4"},
        {true, NODE_HEADER "n-0,1000,1024,2,\n", "2:17", "expected the GPU model of a node with 2 GPUs"},
        {true, NODE_HEADER "n-0,1000,1024,1,V100 M16\n", "2:17", "model: expected a GPU model"},
        {true, NODE_HEADER "n-0,1000,1024,0,T4\n", "2:17", "expected an empty field for a node without GPUs"},
        {true, NODE_HEADER "n-0,1,1,0,\nn-1,1,1,0,\nn-0,1,1,0,\n", "4:1", "duplicate node name \"n-0\" (first on line 2)"},
        {true, NODE_HEADER "Node_0,1,1,0,\n", "2:1", "sn: expected a node name"},
        {true, "sn,cpu_milli,memory_mib,gpus,model\n", "1:25", "header: expected a column of sn,cpu_milli"},
        {true, "sn,cpu_milli,memory_mib,model\n", "1:1", "missing required column \"gpu\""},
        {false, POD_HEADER "p-0,1000,1024,1,1000,,LS,Running,0,10,\np-1,1000,,0,0,,LS,Running,0,10,\n", "3:10",
         "memory_mib: expected a non-negative integer, got an empty field"},
        {false, POD_HEADER "p-0,1000,1024,2,500,,LS,Running,0,10,0\n", "2:17", "gpu_milli: expected 1000 for a pod with 2 GPUs"},
        {false, POD_HEADER "p-0,1000,1024,1,1001,,LS,Running,0,10,0\n", "2:17", "gpu_milli: expected an integer at most 1000"},
        {false, POD_HEADER "p-0,1000,1024,0,500,,LS,Running,0,10,0\n", "2:17", "expected 0 for a pod without GPUs"},
        {false, POD_HEADER "p-0,1000,1024,1,1000,T4||A10,LS,Running,0,10,0\n", "2:25", "gpu_spec: expected GPU models separated by '|'"},
        {false, POD_HEADER "p-0,1000,1024,1,1000,,XX,Running,0,10,0\n", "2:23", "qos: expected LS, BE, Burstable or Guaranteed"},
        {false, POD_HEADER "p-0,1000,1024,1,1000,,LS,Done,0,10,0\n", "2:26", "pod_phase: expected Running"},
        {false, POD_HEADER "p-0,1000,1024,1,1000,,LS,Running,20,10,0\n", "2:37", "deletion_time: expected a time at or after creation_time (20 s)"},
        {false, POD_HEADER "p-0,1000,1024,1,1000,,LS,Running,1.5,10,0\n", "2:34", "creation_time: expected a non-negative integer, got \"1.5\""},
        {false, POD_HEADER "p-0,1,1,0,0,,LS,Running,0,1,0\np-0,1,1,0,0,,LS,Running,0,1,0\n", "3:1", "duplicate pod name \"p-0\""},
        {false, "name,cpu_milli,memory_mib,num_gpu,gpu_milli,deletion_time\n", "1:1", "\"deletion_time\" needs \"creation_time\""},
        {false, "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_milli\n", "1:45", "column \"gpu_milli\" appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad_case *bc = &cases[i];
        char csv_path[1024];
        snprintf(csv_path, sizeof csv_path, "%s", ks_test_write_file("bad.csv", bc->csv));
        char yaml[256];
        snprintf(yaml, sizeof yaml, "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\nspec: {%s: bad.csv}\n",
                 bc->nodes ? "nodes" : "pods");
        ks_config cfg;
        size_t len = 0;
        char *err = NULL;
        FILE *f = open_memstream(&err, &len);
        const char *paths[] = {ks_test_write_file("bad.yaml", yaml)};
        int rc = ks_config_load(&cfg, paths, 1, f);
        fclose(f);
        char prefix[1200];
        snprintf(prefix, sizeof prefix, "%s:%s: error: ", csv_path, bc->pos);
        const char *hit = strstr(err, prefix);
        bool found = hit && strstr(hit, bc->want) && strstr(hit, bc->want) < (strchr(hit, '\n') ? strchr(hit, '\n') : hit + strlen(hit));
        if (!found || rc != 2) print_message("case %zu: want %s ... %s\ngot:\n%s\n", i, prefix, bc->want, err);
        free(err);
        assert_int_equal(rc, 2);
        assert_true(found);
    }
}

/* Through the CLI: a bad row exits with status 2 and writes no output; a missing file and a
 * spec without files are errors too. */
static void test_cli_errors(void **state)
{
    (void)state;
    char csv[1024];
    snprintf(csv, sizeof csv, "%s", ks_test_write_file("cli.csv", NODE_HEADER "n-0,1000,-1,0,\n"));
    const char *yaml = ks_test_write_file("cli.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\n"
                                                      "metadata: {name: t}\nspec: {nodes: cli.csv}\n");
    const char *out = ks_test_path("cli.h5");
    const char *argv[] = {"run", yaml, "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    char want[1200];
    snprintf(want, sizeof want, "%s:2:10: error: memory_mib: expected a non-negative integer, got negative \"-1\"", csv);
    if (!strstr(r.err, want)) print_message("want %s\ngot:\n%s\n", want, r.err);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, want));
    assert_false(ks_test_file_exists(out));
    ks_test_run_free(&r);

    ks_config cfg;
    const char *missing = ks_test_write_file("missing.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\n"
                                                              "metadata: {name: t}\nspec: {pods: no-such.csv}\n");
    loaded l = load(&cfg, missing);
    assert_int_equal(l.rc, 2);
    assert_non_null(strstr(l.err, "no-such.csv: error: cannot read: No such file or directory"));
    free(l.err);
    const char *empty = ks_test_write_file("empty.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\n"
                                                          "metadata: {name: t}\nspec: {namespace: x}\n");
    l = load(&cfg, empty);
    assert_int_equal(l.rc, 2);
    assert_non_null(strstr(l.err, "empty.yaml:4:7: error: TraceReplay \"t\": spec: expected spec.nodes, spec.pods or both"));
    free(l.err);
}

/* A trace's node or pod name that another document also uses is an error, either way round. */
static void test_duplicate_across_documents(void **state)
{
    (void)state;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "apiVersion: v1\nkind: Node\nmetadata: {name: node-b}\nstatus: {allocatable: {cpu: \"1\", memory: 1Gi}}\n---\n"
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
             "spec: {namespace: gpu, nodes: %s, pods: %s}\n---\n"
             "apiVersion: v1\nkind: Pod\nmetadata: {name: pod-3, namespace: gpu}\n"
             "spec: {containers: [{name: c, image: x}]}\n",
             ks_test_source_path("tests/data/trace-nodes.csv"), ks_test_source_path("tests/data/trace-pods.csv"));
    const char *path = ks_test_write_file("dup.yaml", yaml);
    ks_config cfg;
    loaded l = load(&cfg, path);
    assert_int_equal(l.rc, 2);
    char want[1200];
    snprintf(want, sizeof want,
             "%s:9:31: error: TraceReplay \"t\": spec.nodes: duplicate name: the trace's Node \"node-b\" is already defined at %s:3:18",
             path, path);
    assert_non_null(strstr(l.err, want));
    snprintf(want, sizeof want, "%s:13:18: error: Pod \"pod-3\": metadata.name: duplicate name: Pod \"pod-3\" in namespace \"gpu\" is already defined at %s:9:",
             path, path);
    assert_non_null(strstr(l.err, want));
    free(l.err);
}

/* The fixture replayed through the binary: each pod is created at its creation_time, scheduled
 * where its GPUs and model fit, and its deletion requested at its deletion_time (the user's write
 * commits after the API server's latency, well under 0.1 s). */
static void test_replay_end_to_end(void **state)
{
    (void)state;
    const char *out = ks_test_path("trace.h5");
    const char *argv[] = {"run", ks_test_source_path("tests/configs/trace-replay.yaml"), "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status) print_message("stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    size_t n = 0, nn = 0, nc = 0, nd = 0, ns = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    double *created = ks_tc_f64(out, "/pods", "created", &nc);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &nd);
    double *scheduled = ks_tc_f64(out, "/pods", "scheduled", &ns);
    assert_int_equal(n, 5);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        print_message("%s node=%s created=%g scheduled=%g deletion_requested=%g\n", name[i], node[i], created[i],
                      scheduled[i], requested[i]);
        if (!strcmp(name[i], "pod-0")) { /* 1 whole GPU: node-a or node-c */
            assert_true(created[i] == 0 && requested[i] >= 100 && requested[i] < 100.1);
            assert_true(!strcmp(node[i], "node-a") || !strcmp(node[i], "node-c"));
        } else if (!strcmp(name[i], "pod-1")) { /* GPU-sharing: no GPU request yet, any node */
            assert_true(fabs(created[i] - 10) < 1e-9 && requested[i] >= 50 && requested[i] < 50.1);
            assert_true(*node[i]);
        } else if (!strcmp(name[i], "pod-2")) { /* 4 GPUs, V100M32 or V100M16: only node-c */
            assert_true(fabs(created[i] - 20) < 1e-9 && requested[i] >= 30 && requested[i] < 30.1);
            assert_string_equal(node[i], "node-c");
            assert_true(scheduled[i] >= 20 && scheduled[i] < 30);
        } else if (!strcmp(name[i], "pod-3")) { /* never deleted */
            assert_true(fabs(created[i] - 40) < 1e-9 && isnan(requested[i]));
            assert_true(*node[i]);
        } else if (!strcmp(name[i], "pod-4")) { /* deleted 1 ns after its creation (the write commits later) */
            assert_true(fabs(created[i] - 5) < 1e-9 && requested[i] > 5 && requested[i] < 5.1);
        } else {
            fail_msg("unexpected pod %s", name[i]);
        }
        seen++;
    }
    assert_int_equal(seen, 5);
    ks_tc_free_strings(name, n);
    ks_tc_free_strings(node, nn);
    free(created);
    free(requested);
    free(scheduled);
}

static bool trace_present(void)
{
    struct stat st;
    if (stat(TRACE_DIR, &st) == 0 && S_ISDIR(st.st_mode)) return true;
    print_message("skipped: the Alibaba GPU 2023 trace is not at %s\n", TRACE_DIR);
    return false;
}

static void load_real(ks_config *cfg, const char *nodes, const char *pods, const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sapiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: openb}\n"
             "spec: {nodes: %s/%s, pods: %s/%s, order: trace}\n",
             extra, TRACE_DIR, nodes, TRACE_DIR, pods);
    loaded l = load(cfg, ks_test_write_file("real.yaml", yaml));
    assert_int_equal(l.rc, 0);
    free(l.err);
}

/* The figures of shared/traces/alibaba-gpu-2023/README.md. */
static void test_real_trace_counts(void **state)
{
    (void)state;
    if (!trace_present()) {
        skip();
        return;
    }
    ks_config cfg;
    load_real(&cfg, "openb_node_list_gpu_node.csv", "openb_pod_list_default.csv", "");
    assert_int_equal(cfg.nnodes, 1213);
    int64_t gpus = 0, cpu = 0, mem = 0;
    for (size_t i = 0; i < cfg.nnodes; i++) {
        gpus += cfg.nodes[i].next ? cfg.nodes[i].ext[0].value : 0;
        cpu += cfg.nodes[i].cpu_milli;
        mem += cfg.nodes[i].mem_bytes / MIB;
    }
    assert_int_equal(gpus, 6212);
    assert_int_equal(cpu, 107018 * 1000LL);
    assert_int_equal(mem, 503828480LL);
    assert_int_equal(cfg.npods, 8152);
    int cpu_only = 0, share = 0, multi = 0;
    int64_t gpu_milli = 0;
    for (size_t i = 0; i < cfg.npods; i++) {
        const ks_pod_spec *s = &cfg.pods[i].spec;
        cpu_only += s->gpu_count == 0;
        share += s->gpu_count == 1 && s->gpu_milli < 1000;
        multi += s->gpu_count > 1;
        gpu_milli += (int64_t)s->gpu_count * s->gpu_milli;
    }
    assert_int_equal(cpu_only, 1088);
    assert_int_equal(share, 3078);
    assert_int_equal(multi, 75);
    assert_int_equal(gpu_milli, 6086800);
    assert_int_equal(cfg.nactions, 8152); /* deletion_time is always present */
    ks_config_free(&cfg);

    load_real(&cfg, "openb_node_list_all_node.csv", "openb_pod_list_multigpu20.csv", "");
    assert_int_equal(cfg.nnodes, 1523);
    assert_int_equal(cfg.npods, 8324);
    assert_int_equal(cfg.nactions, 0); /* only 5 columns: no times */
    ks_config_free(&cfg);

    load_real(&cfg, "openb_node_list_gpu_node.csv", "openb_pod_list_gpuspec33.csv", "");
    size_t constrained = 0;
    for (size_t i = 0; i < cfg.npods; i++) constrained += cfg.pods[i].spec.has_required;
    assert_int_equal(constrained, 8152 - 5764); /* the rows with a gpu_spec */
    ks_config_free(&cfg);
}

/* kubesim runs the real default trace, its times scaled by 0.001, for 3 simulated hours: every
 * pod created by trace second 10,800,000 appears (2,208 of the 8,152: the trace is back-loaded,
 * 8,135 pods are created after day 104), and pods are bound. */
static void test_real_trace_runs(void **state)
{
    (void)state;
    if (!trace_present()) {
        skip();
        return;
    }
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: openb}\nspec: {duration: 3h, seed: 1}\n---\n"
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: openb}\n"
             "spec: {nodes: %s/openb_node_list_gpu_node.csv, pods: %s/openb_pod_list_default.csv, timeScale: 0.001}\n",
             TRACE_DIR, TRACE_DIR);
    const char *cfg = ks_test_write_file("real-run.yaml", yaml);
    const char *out = ks_test_path("real.h5");
    const char *argv[] = {"run", cfg, "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status) print_message("stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    size_t n = 0, nc = 0, nd = 0;
    char **node = ks_tc_strings(out, "/pods", "node", &n);
    double *created = ks_tc_f64(out, "/pods", "created", &nc);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &nd);
    size_t bound = 0, deleted = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(created[i] <= 10800);
        bound += *node[i] != 0;
        deleted += !isnan(requested[i]);
    }
    print_message("%zu pods created in 3 h, %zu bound, %zu deleted\n", n, bound, deleted);
    assert_int_equal(n, 2208);
    assert_true(bound > 0 && deleted > 0);
    ks_tc_free_strings(node, n);
    free(created);
    free(requested);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_columns),
        cmocka_unit_test(test_limit_and_defaults),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_duplicate_across_documents),
        cmocka_unit_test(test_replay_end_to_end),
        cmocka_unit_test(test_real_trace_counts),
        cmocka_unit_test(test_real_trace_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
