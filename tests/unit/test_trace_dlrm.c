/* test_trace_dlrm.c — TraceReplay with format alibaba-gpu-2025-dlrm (workloads/tracedlrm.c) and
 * the MaxPerNode filter it brings (kubesim.io/max-per-node): every column of a hand-written
 * fixture (tests/data/trace-dlrm.csv), limit and timeScale, bad rows with their file:line:column,
 * the config's own errors, the per-app cap on a small cluster (through the trace and through Pod
 * annotations, in the run and in `kubesim explain`), a replay end to end with its deletions, and
 * the real trace in shared/traces/alibaba-gpu-2025-dlrm (counts from its README and a replayed
 * slice; skipped when the file is absent). */
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
#include "tracedlrm.h"

#define GIB (1024LL * 1024 * 1024)
#define TRACE_FILE KS_SOURCE_DIR "/../shared/traces/alibaba-gpu-2025-dlrm/disaggregated_DLRM_trace.csv"
#define HEADER                                                                                                      \
    "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request," \
    "memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n"
#define CAP_REASON "node(s) had the maximum pods of the app (kubesim.io/max-per-node)"

/* A config with one TraceReplay of CSV (written next to it) and SPEC_EXTRA in its spec. */
static const char *dlrm_config(const char *csv, const char *spec_extra)
{
    ks_test_write_file("dlrm.csv", csv);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
             "spec: {format: alibaba-gpu-2025-dlrm, pods: dlrm.csv%s}\n",
             spec_extra);
    return ks_test_write_file("dlrm.yaml", yaml);
}

/* ------------------------------------------------------------------ the fixture */

/* Every column of the fixture, value by value. */
static void test_fixture_columns(void **state)
{
    (void)state;
    ks_config cfg;
    loaded l = load(&cfg, ks_test_source_path("tests/configs/trace-dlrm.yaml"));
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.nnodes, 0); /* no node list: the cluster is the NodePools */
    assert_int_equal(cfg.npools, 2);
    assert_int_equal(cfg.npods, 5);

    const ks_pod_doc *p0 = find_pod(&cfg, "instance-0"); /* instance_0: '_' made '-' */
    const ks_pod_spec *s = &p0->spec;
    assert_string_equal(s->namespace, "dlrm");
    assert_string_equal(ks_labels_get(&s->labels, "app"), "app_0");
    assert_string_equal(ks_labels_get(&s->labels, KS_DLRM_ROLE_LABEL), "HN");
    assert_int_equal(s->ncontainers, 1);
    assert_int_equal(s->req_cpu_milli, 12000);
    assert_int_equal(s->req_mem_bytes, 120 * GIB);
    assert_int_equal(s->req_eph_bytes, 640 * GIB); /* disk_request, not the 800 GiB limit */
    assert_int_equal(ext_req(s, "nvidia.com/gpu"), 1);
    assert_int_equal(ext_req(s, "rdma/hca"), 25);
    assert_int_equal(s->gpu_count, 1);
    assert_int_equal(s->gpu_milli, 1000);
    assert_int_equal(s->ntolerations, 1); /* ExtendedResourceToleration's */
    assert_string_equal(s->tolerations[0].key, "nvidia.com/gpu");
    assert_int_equal(s->tolerations[0].op, KS_TOL_EXISTS);
    assert_int_equal(s->tolerations[0].effect, KS_NO_SCHEDULE);
    assert_int_equal(s->max_per_node, 8);
    assert_true(s->runs_forever);
    assert_int_equal(p0->at, 0); /* no creation_time: older than the trace */

    s = &find_pod(&cfg, "instance-1")->spec;
    assert_string_equal(ks_labels_get(&s->labels, KS_DLRM_ROLE_LABEL), "CN");
    assert_int_equal(s->req_cpu_milli, 64000);
    assert_int_equal(s->req_mem_bytes, 320 * GIB);
    assert_int_equal(s->req_eph_bytes, 255 * GIB);
    assert_int_equal(ext_req(s, "nvidia.com/gpu"), 0);
    assert_int_equal(ext_req(s, "rdma/hca"), 1);
    assert_int_equal(s->gpu_count, 0);
    assert_int_equal(s->ntolerations, 0);
    assert_int_equal(s->max_per_node, 0); /* -1: no cap */
    assert_int_equal(find_pod(&cfg, "instance-1")->at, 0);

    const ks_pod_doc *p2 = find_pod(&cfg, "instance-2");
    s = &p2->spec;
    assert_int_equal(s->req_cpu_milli, 500);
    assert_int_equal(s->req_mem_bytes, 1006632960000LL); /* 937.5 GiB */
    assert_int_equal(s->req_eph_bytes, 1258296442880LL); /* 1171.8798828125 GiB */
    assert_int_equal(s->next_req, 0);                    /* rdma 0: no extended request */
    assert_int_equal(s->max_per_node, 2);
    assert_int_equal(p2->at, KS_MS(10250));

    const ks_pod_doc *p3 = find_pod(&cfg, "instance-3");
    assert_int_equal(ext_req(&p3->spec, "rdma/hca"), 100);
    assert_int_equal(p3->spec.max_per_node, 0);
    assert_int_equal(p3->at, KS_SEC(20));

    const ks_pod_doc *p4 = find_pod(&cfg, "instance-4");
    assert_string_equal(ks_labels_get(&p4->spec.labels, "app"), "app-x.y");
    assert_int_equal(p4->spec.req_cpu_milli, 192000);
    assert_int_equal(ext_req(&p4->spec, "rdma/hca"), 51);
    assert_int_equal(p4->spec.max_per_node, 16);
    assert_int_equal(p4->at, KS_SEC(30));

    /* Deletions, in file order; instance_3 is deleted at its creation instant, so 1 ns later. */
    const char *names[] = {"instance-1", "instance-2", "instance-3"};
    const ks_time at[] = {KS_MS(90500), KS_SEC(40), KS_SEC(20) + 1};
    assert_pod_deletes(&cfg, names, at, 3, "dlrm");
    ks_config_free(&cfg);
}

/* spec.limit keeps the first rows and spec.timeScale scales creations and deletions; columns come
 * in any order. */
static void test_limit_time_scale_and_column_order(void **state)
{
    (void)state;
    char *csv = ks_test_read_file(ks_test_source_path("tests/data/trace-dlrm.csv"), NULL);
    assert_non_null(csv);
    ks_config cfg;
    loaded l = load(&cfg, dlrm_config(csv, ", limit: 3, timeScale: 0.5"));
    free(csv);
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.npods, 3);
    assert_string_equal(cfg.pods[2].name, "instance-2");
    assert_string_equal(cfg.pods[2].spec.namespace, "default");
    assert_int_equal(cfg.pods[2].at, KS_MS(5125));
    assert_int_equal(cfg.nactions, 2);
    assert_int_equal(cfg.actions[0].at, KS_MS(45250));
    assert_int_equal(cfg.actions[1].at, KS_SEC(20));
    ks_config_free(&cfg);

    /* The same row with the columns reversed. */
    const char *reversed =
        "deletion_time,scheduled_time,creation_time,max_instance_per_node,disk_limit,disk_request,memory_limit,"
        "memory_request,rdma_limit,rdma_request,gpu_limit,gpu_request,cpu_limit,cpu_request,app_name,role,instance_sn\n"
        "40.0,12.0,10.25,2,1171.8798828125,1171.8798828125,1000.0,937.5,0,0,0,0,2,0.5,app_1,CN,instance_2\n";
    l = load(&cfg, dlrm_config(reversed, ""));
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.npods, 1);
    const ks_pod_spec *s = &cfg.pods[0].spec;
    assert_string_equal(cfg.pods[0].name, "instance-2");
    assert_int_equal(s->req_cpu_milli, 500);
    assert_int_equal(s->req_mem_bytes, 1006632960000LL);
    assert_int_equal(s->max_per_node, 2);
    assert_int_equal(cfg.pods[0].at, KS_MS(10250));
    assert_int_equal(cfg.actions[0].at, KS_SEC(40));
    ks_config_free(&cfg);
}

/* ------------------------------------------------------------------ bad input */

typedef struct bad_case {
    const char *csv; /* after the header, unless it starts with "instance_sn" or "!" (a header of its own) */
    const char *pos, *want;
} bad_case;

/* A good row to vary: CN, 64 vCPU, RDMA 1 %, 320 GiB, no cap, created at 10. Its field columns:
 * instance_sn 1, role 5, app_name 8, cpu_request 14, cpu_limit 17, gpu_request 20, gpu_limit 22,
 * rdma_request 24, rdma_limit 26, memory_request 28, memory_limit 34, disk_request 40,
 * disk_limit 46, max_instance_per_node 52, creation_time 55, scheduled_time 60, deletion_time 65
 * (later ones move with the width of the fields before them). */
#define GOOD "i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n"

static void test_bad_rows(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {GOOD "Inst_1,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "3:1",
         "instance_sn: expected an instance name that is a DNS subdomain once '_' becomes '-'"},
        {"i_0,GN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:5", "role: expected CN or HN, got \"GN\""},
        {"i_0,CN,-app,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:8", "app_name: expected an app name that is a label value"},
        {"i_0,CN,app_1,6x4,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:14",
         "cpu_request: expected a non-negative number (digits, an optional decimal point), got \"6x4\""},
        {"i_0,CN,app_1,64,32,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:17",
         "cpu_limit: expected at least the request (64 vCPU), got \"32\""},
        {"i_0,CN,app_1,64,64,1,1,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:20",
         "gpu_request: expected 0 for a CN (CPU node) instance, got 1"},
        {"i_0,HN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:20",
         "gpu_request: expected 1 for an HN (GPU node) instance, got 0"},
        {"i_0,HN,app_1,64,64,2,2,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:20",
         "gpu_request: expected an integer at most 1, got \"2\""},
        {"i_0,HN,app_1,64,64,1,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:22",
         "gpu_limit: expected the request (1): an extended resource's limit equals its request, got 0"},
        {"i_0,CN,app_1,64,64,0,0,101,101,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:24",
         "rdma_request: expected an integer at most 100, got \"101\""},
        {"i_0,CN,app_1,64,64,0,0,1,2,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:26", "rdma_limit: expected the request (1)"},
        {"i_0,CN,app_1,64,64,0,0,1,1,-3.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:28",
         "memory_request: expected a non-negative number, got negative \"-3.0\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,319.5,255.0,300.0,-1,10.0,10.0,99.0\n", "2:34",
         "memory_limit: expected at least the request (320 GiB), got \"319.5\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,,300.0,-1,10.0,10.0,99.0\n", "2:40",
         "disk_request: expected a non-negative number, got an empty field"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,200,-1,10.0,10.0,99.0\n", "2:46",
         "disk_limit: expected at least the request (255 GiB)"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,0,10.0,10.0,99.0\n", "2:52",
         "max_instance_per_node: expected -1 (no limit) or a positive count, got 0"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-2,10.0,10.0,99.0\n", "2:52",
         "max_instance_per_node: expected -1 (no limit) or a positive count, got \"-2\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,1e3,1e3,99.0\n", "2:55",
         "creation_time: expected a non-negative number (digits, an optional decimal point), got \"1e3\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,,99.0\n", "2:60",
         "scheduled_time: expected a time for an instance with a creation_time, got an empty field"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,,10.0,99.0\n", "2:56",
         "scheduled_time: expected an empty field when creation_time is empty"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,9.5,99.0\n", "2:60",
         "scheduled_time: expected a time at or after creation_time (10 s), got \"9.5\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,100.0,100.0,99.0\n", "2:67",
         "deletion_time: expected a time at or after creation_time (100 s), got \"99.0\""},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,5000000000,5000000000,\n", "2:55",
         "creation_time: expected a number at most 4294967296"},
        {"i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0\n", "2:1", "expected 17 fields, got 16"},
        {"i_0,CN,app_1,1.,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "2:14", "cpu_request: expected a non-negative number"},
        {GOOD "i-0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,10.0,10.0,99.0\n", "3:1",
         "instance_sn: duplicate pod name \"i-0\" (first on line 2)"},
        {"!instance_sn,role,app,cpu_request\n", "1:18", "header: expected a column of the DLRM trace (instance_sn,role,app_name,...), got \"app\""},
        {"!instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,"
         "memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time\n",
         "1:1", "header: missing column \"deletion_time\""},
        {"!instance_sn,role,role\n", "1:18", "header: column \"role\" appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad_case *bc = &cases[i];
        char csv[2048];
        snprintf(csv, sizeof csv, "%s%s", bc->csv[0] == '!' ? "" : HEADER, bc->csv + (bc->csv[0] == '!'));
        const char *yaml = dlrm_config(csv, "");
        char csv_path[1024];
        snprintf(csv_path, sizeof csv_path, "%s", ks_test_path("dlrm.csv"));
        ks_config cfg;
        size_t len = 0;
        char *err = NULL;
        FILE *f = open_memstream(&err, &len);
        const char *paths[] = {yaml};
        int rc = ks_config_load(&cfg, paths, 1, f);
        fclose(f);
        char prefix[1200];
        snprintf(prefix, sizeof prefix, "%s:%s: error: ", csv_path, bc->pos);
        const char *hit = strstr(err, prefix);
        const char *eol = hit ? strchr(hit, '\n') : NULL;
        bool found = hit && strstr(hit, bc->want) && strstr(hit, bc->want) < (eol ? eol : hit + strlen(hit));
        if (!found || rc != 2) print_message("case %zu: want %s ... %s\ngot:\n%s\n", i, prefix, bc->want, err);
        free(err);
        assert_int_equal(rc, 2);
        assert_true(found);
    }
}

/* Through the CLI: a bad row exits with status 2 and writes no output. */
static void test_cli_bad_row(void **state)
{
    (void)state;
    const char *yaml = dlrm_config(HEADER "i_0,CN,app_1,64,64,0,0,1,1,320.0,320.0,255.0,300.0,-1,100.0,100.0,99.0\n", "");
    char want[1200];
    snprintf(want, sizeof want, "%s:2:67: error: deletion_time: expected a time at or after creation_time (100 s)",
             ks_test_path("dlrm.csv"));
    const char *out = ks_test_path("bad.h5");
    const char *argv[] = {"run", yaml, "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (!strstr(r.err, want)) print_message("want %s\ngot:\n%s\n", want, r.err);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, want));
    assert_false(ks_test_file_exists(out));
    ks_test_run_free(&r);
}

/* The config's side: no node list with this format, a known format name, and the annotation. */
static void test_config_errors(void **state)
{
    (void)state;
    ks_config cfg;
    ks_test_write_file("dlrm.csv", HEADER);
    const char *nodes = ks_test_write_file(
        "nodes.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
                      "spec:\n  format: alibaba-gpu-2025-dlrm\n  nodes: n.csv\n  pods: dlrm.csv\n");
    loaded l = load(&cfg, nodes);
    assert_int_equal(l.rc, 2);
    char want[1200];
    snprintf(want, sizeof want,
             "%s:6:10: error: TraceReplay \"t\": spec.nodes: the alibaba-gpu-2025-dlrm format has no node list", nodes);
    assert_non_null(strstr(l.err, want));
    free(l.err);

    const char *format = ks_test_write_file("format.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\n"
                                                           "metadata: {name: t}\nspec: {format: dlrm, pods: dlrm.csv}\n");
    l = load(&cfg, format);
    assert_int_equal(l.rc, 2);
    assert_non_null(strstr(l.err, "format.yaml:4:16: error: TraceReplay \"t\": spec.format: expected one of alibaba-gpu-2023, alibaba-gpu-2025-dlrm"));
    free(l.err);

    /* The DLRM format reads an empty pod list (header only) as no pods. */
    l = load(&cfg, dlrm_config(HEADER, ""));
    assert_int_equal(l.rc, 0);
    assert_int_equal(cfg.npods, 0);
    free(l.err);
    ks_config_free(&cfg);

    const char *no_app = ks_test_write_file(
        "noapp.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {team: a}\n"
                      "  annotations: {kubesim.io/max-per-node: \"2\"}\nspec: {containers: [{name: c, image: i}]}\n");
    l = load(&cfg, no_app);
    assert_int_equal(l.rc, 2);
    assert_non_null(strstr(l.err, "noapp.yaml:6:42: error: Pod \"p\": metadata.annotations.kubesim.io/max-per-node: needs the label \"app\""));
    free(l.err);
    const char *zero = ks_test_write_file(
        "zero.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: a}\n"
                     "  annotations: {kubesim.io/max-per-node: \"0\"}\nspec: {containers: [{name: c, image: i}]}\n");
    l = load(&cfg, zero);
    assert_int_equal(l.rc, 2);
    assert_non_null(strstr(l.err, "zero.yaml:6:42: error: Pod \"p\": metadata.annotations.kubesim.io/max-per-node: expected a positive count of pods as a string"));
    free(l.err);
    /* A Deployment's template carries it to every replica. */
    const char *deploy = ks_test_write_file(
        "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3\n"
                       "  selector: {matchLabels: {app: web}}\n  template:\n"
                       "    metadata: {labels: {app: web}, annotations: {kubesim.io/max-per-node: \"1\"}}\n"
                       "    spec: {containers: [{name: c, image: i}]}\n");
    l = load(&cfg, deploy);
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.deployments[0].template.max_per_node, 1);
    ks_config_free(&cfg);
}

/* ------------------------------------------------------------------ the per-app cap */

typedef struct run_out {
    size_t n;
    char **name, **node;
    double *created, *scheduled, *requested;
} run_out;

static void run_config(const char *config, const char *out, run_out *o)
{
    const char *argv[] = {"run", config, "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status) print_message("stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
    o->name = ks_tc_strings(out, "/pods", "name", &o->n);
    o->node = ks_tc_strings(out, "/pods", "node", &n1);
    o->created = ks_tc_f64(out, "/pods", "created", &n2);
    o->scheduled = ks_tc_f64(out, "/pods", "scheduled", &n3);
    o->requested = ks_tc_f64(out, "/pods", "deletion_requested", &n4);
    assert_true(o->name && o->node && o->created && o->scheduled && o->requested);
}

static void run_out_free(run_out *o)
{
    ks_tc_free_strings(o->name, o->n);
    ks_tc_free_strings(o->node, o->n);
    free(o->created);
    free(o->scheduled);
    free(o->requested);
}

static size_t pod_index(const run_out *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->name[i], name)) return i;
    fail_msg("no pod %s", name);
    return 0;
}

/* The FailedScheduling messages of pod NAME, joined by newlines (malloc'd). */
static char *failed_scheduling(const char *out, const char *name)
{
    size_t n = 0, n2 = 0, n3 = 0;
    char **obj = ks_tc_strings(out, "/events", "name", &n);
    char **reason = ks_tc_strings(out, "/events", "reason", &n2);
    char **msg = ks_tc_strings(out, "/events", "message", &n3);
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(obj[i], name) && !strcmp(reason[i], "FailedScheduling")) cap += strlen(msg[i]) + 1;
    char *all = calloc(cap, 1);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(obj[i], name) && !strcmp(reason[i], "FailedScheduling")) len += (size_t)sprintf(all + len, "%s\n", msg[i]);
    ks_tc_free_strings(obj, n);
    ks_tc_free_strings(reason, n2);
    ks_tc_free_strings(msg, n3);
    return all;
}

/* Seven instances of an app capped at 2 per node on 3 nodes: six fit, two on each node; the
 * seventh (created at 10 s) fails with the cap's reason on all three nodes, and takes the place
 * of the instance deleted at 50 s once it is gone. An instance of another app, uncapped, is not
 * held back by the six. */
static void test_cap_through_the_trace(void **state)
{
    (void)state;
    ks_test_write_file("cap.csv", HEADER
                       "x_0,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,\n"
                       "x_1,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,\n"
                       "x_2,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,\n"
                       "x_3,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,\n"
                       "x_4,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,\n"
                       "x_5,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,,,50.0\n"
                       "x_6,CN,capped,4,4,0,0,1,1,8.0,8.0,10.0,10.0,2,10.0,10.0,\n"
                       "y_0,CN,free,4,4,0,0,1,1,8.0,8.0,10.0,10.0,-1,20.0,20.0,\n");
    const char *config = ks_test_write_file(
        "cap.yaml", "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: cap}\nspec: {duration: 90s, seed: 3}\n---\n"
                    "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: cn}\n"
                    "spec: {count: 3, template: {status: {allocatable: {cpu: \"64\", memory: 256Gi, "
                    "ephemeral-storage: 1Ti, pods: \"110\", rdma/hca: \"100\"}}}}\n---\n"
                    "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: t}\n"
                    "spec: {format: alibaba-gpu-2025-dlrm, pods: cap.csv}\n");
    char out[1024];
    snprintf(out, sizeof out, "%s", ks_test_path("cap.h5"));
    run_out o;
    run_config(config, out, &o);
    assert_int_equal(o.n, 8);
    int per_node[3] = {0};
    for (int k = 0; k <= 5; k++) {
        char name[16];
        snprintf(name, sizeof name, "x-%d", k);
        size_t i = pod_index(&o, name);
        print_message("%s node=%s scheduled=%g\n", name, o.node[i], o.scheduled[i]);
        assert_true(o.scheduled[i] < 5);
        assert_int_equal(strncmp(o.node[i], "cn-", 3), 0);
        per_node[o.node[i][3] - '0']++;
    }
    assert_int_equal(per_node[0], 2);
    assert_int_equal(per_node[1], 2);
    assert_int_equal(per_node[2], 2);
    size_t x5 = pod_index(&o, "x-5"), x6 = pod_index(&o, "x-6"), y0 = pod_index(&o, "y-0");
    print_message("x-6 node=%s scheduled=%g; x-5 deletion requested %g; y-0 scheduled %g\n", o.node[x6], o.scheduled[x6],
                  o.requested[x5], o.scheduled[y0]);
    assert_true(o.requested[x5] >= 50 && o.requested[x5] < 50.1);
    assert_true(o.scheduled[x6] > 50 && o.scheduled[x6] < 70); /* after x-5 is gone (grace, back-off) */
    assert_string_equal(o.node[x6], o.node[x5]);
    assert_true(o.scheduled[y0] >= 20 && o.scheduled[y0] < 21);
    char *msgs = failed_scheduling(out, "x-6");
    print_message("x-6 FailedScheduling:\n%s", msgs);
    assert_non_null(strstr(msgs, "0/3 nodes are available: 3 " CAP_REASON "."));
    free(msgs);
    run_out_free(&o);
}

/* The same cap written as Pod annotations: 7 pods of app web capped at 2 on 3 nodes at t = 0 —
 * exactly 6 scheduled; the 7th FailedScheduling with the reason, counted on each node, while a
 * pod of another app still fits. `kubesim explain` shows the reason per node, as the reference
 * scheduler does. */
static void test_cap_through_annotations_and_explain(void **state)
{
    (void)state;
    char yaml[8192] = "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: cap}\nspec: {duration: 60s, seed: 5}\n";
    size_t len = strlen(yaml);
    for (int k = 0; k < 3; k++)
        len += (size_t)snprintf(yaml + len, sizeof yaml - len,
                                "---\napiVersion: v1\nkind: Node\nmetadata: {name: n%d}\n"
                                "status: {allocatable: {cpu: \"16\", memory: 64Gi, pods: \"110\"}}\n", k);
    for (int k = 0; k < 8; k++)
        len += (size_t)snprintf(yaml + len, sizeof yaml - len,
                                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-%d\n  labels: {app: %s}\n"
                                "  annotations: {kubesim.io/max-per-node: \"2\"}\n"
                                "spec: {containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}\n",
                                k < 7 ? "web" : "db", k, k < 7 ? "web" : "db");
    const char *config = ks_test_write_file("annot.yaml", yaml);
    char out[1024];
    snprintf(out, sizeof out, "%s", ks_test_path("annot.h5"));
    run_out o;
    run_config(config, out, &o);
    int scheduled = 0, per_node[3] = {0};
    const char *unscheduled = NULL;
    for (size_t i = 0; i < o.n; i++) {
        if (strncmp(o.name[i], "web-", 4)) continue;
        if (!o.node[i][0]) {
            unscheduled = o.name[i];
            continue;
        }
        scheduled++;
        per_node[o.node[i][1] - '0']++;
    }
    assert_int_equal(scheduled, 6);
    assert_true(per_node[0] == 2 && per_node[1] == 2 && per_node[2] == 2);
    assert_non_null(unscheduled);
    assert_true(o.node[pod_index(&o, "db-7")][0]);
    char *msgs = failed_scheduling(out, unscheduled);
    print_message("%s FailedScheduling:\n%s", unscheduled, msgs);
    assert_non_null(strstr(msgs, "0/3 nodes are available: 3 " CAP_REASON ". preemption: "));
    free(msgs);
    run_out_free(&o);

    /* explain: two pods already bound on n0 (spec.nodeName), one on n1. */
    char ex[4096] = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: \"16\", memory: 64Gi, pods: \"110\"}}\n"
                    "---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"16\", memory: 64Gi, pods: \"110\"}}\n";
    len = strlen(ex);
    const char *where[] = {"n0", "n0", "n1", NULL};
    for (int k = 0; k < 4; k++)
        len += (size_t)snprintf(ex + len, sizeof ex - len,
                                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-%d\n  labels: {app: web}\n"
                                "  annotations: {kubesim.io/max-per-node: \"2\"}\n"
                                "spec: {%s%s%scontainers: [{name: c, image: i}]}\n",
                                k, where[k] ? "nodeName: " : "", where[k] ? where[k] : "", where[k] ? ", " : "");
    const char *argv[] = {"explain", ks_test_write_file("explain.yaml", ex), "--pod", "web-3", "-o", "json", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status) print_message("stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    print_message("%s", r.out);
    assert_non_null(strstr(r.out, "\"selected\": \"n1\""));
    assert_non_null(strstr(r.out, "{\"name\": \"n0\", \"feasible\": false, \"reasons\": [\"" CAP_REASON "\"]"));
    assert_non_null(strstr(r.out, "{\"name\": \"n1\", \"feasible\": true"));
    ks_test_run_free(&r);
}

/* MaxPerNode is not UnschedulableAndUnresolvable: a higher-priority pod of an app at its cap on
 * the only node preempts a lower-priority pod of the app (the what-if without the victim counts
 * one pod fewer) and takes its place. */
static void test_cap_and_preemption(void **state)
{
    (void)state;
    char yaml[4096] = "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: pre}\nspec: {duration: 60s, seed: 1}\n"
                      "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n"
                      "---\napiVersion: v1\nkind: Node\nmetadata: {name: n0}\n"
                      "status: {allocatable: {cpu: \"16\", memory: 64Gi, pods: \"110\"}}\n";
    size_t len = strlen(yaml);
    for (int k = 0; k < 3; k++)
        len += (size_t)snprintf(yaml + len, sizeof yaml - len,
                                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {app: web}, "
                                "annotations: {kubesim.io/max-per-node: \"2\"}}\n"
                                "spec: {%s, containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}\n",
                                k < 2 ? (k ? "low-1" : "low-0") : "high", k < 2 ? "nodeName: n0" : "priorityClassName: high");
    char out[1024];
    snprintf(out, sizeof out, "%s", ks_test_path("preempt.h5"));
    run_out o;
    run_config(ks_test_write_file("preempt.yaml", yaml), out, &o);
    size_t high = pod_index(&o, "high"), l0 = pod_index(&o, "low-0"), l1 = pod_index(&o, "low-1");
    print_message("high node=%s scheduled=%g; low-0 deleted? %d, low-1 %d\n", o.node[high], o.scheduled[high],
                  !isnan(o.requested[l0]), !isnan(o.requested[l1]));
    assert_string_equal(o.node[high], "n0");
    assert_true(isnan(o.requested[l0]) != isnan(o.requested[l1])); /* exactly one victim */
    char *msgs = failed_scheduling(out, "high");
    assert_non_null(strstr(msgs, "0/1 nodes are available: 1 " CAP_REASON "."));
    assert_null(strstr(msgs, "Preemption is not helpful"));
    free(msgs);
    run_out_free(&o);
}

/* ------------------------------------------------------------------ end to end */

/* The fixture replayed: the HN instances land on the GPU node (the only one with GPUs, its
 * taint tolerated), the CN ones on the CPU nodes; deletions are requested at deletion_time (the
 * user's write commits within 0.1 s); instance_4 (192 vCPU, 1000 GiB) waits for a whole CPU node
 * and gets instance_2's once that is deleted at 40 s. */
static void test_replay_end_to_end(void **state)
{
    (void)state;
    char out[1024];
    snprintf(out, sizeof out, "%s", ks_test_path("fixture.h5"));
    run_out o;
    run_config(ks_test_source_path("tests/configs/trace-dlrm.yaml"), out, &o);
    assert_int_equal(o.n, 5);
    for (size_t i = 0; i < o.n; i++)
        print_message("%s node=%s created=%g scheduled=%g deletion_requested=%g\n", o.name[i], o.node[i], o.created[i],
                      o.scheduled[i], o.requested[i]);
    size_t p0 = pod_index(&o, "instance-0"), p1 = pod_index(&o, "instance-1"), p2 = pod_index(&o, "instance-2"),
           p3 = pod_index(&o, "instance-3"), p4 = pod_index(&o, "instance-4");
    assert_string_equal(o.node[p0], "hn-0");
    assert_true(o.created[p0] == 0 && isnan(o.requested[p0]));
    assert_int_equal(strncmp(o.node[p1], "cn-", 3), 0);
    assert_true(o.created[p1] == 0 && o.requested[p1] >= 90.5 && o.requested[p1] < 90.6);
    assert_int_equal(strncmp(o.node[p2], "cn-", 3), 0);
    assert_string_not_equal(o.node[p1], o.node[p2]); /* 320 + 937.5 GiB do not fit in 1000 */
    assert_true(fabs(o.created[p2] - 10.25) < 1e-9 && o.requested[p2] >= 40 && o.requested[p2] < 40.1);
    assert_true(fabs(o.created[p3] - 20) < 1e-9 && o.requested[p3] > 20 && o.requested[p3] < 20.1);
    assert_true(fabs(o.created[p4] - 30) < 1e-9 && isnan(o.requested[p4]));
    assert_string_equal(o.node[p4], o.node[p2]);
    assert_true(o.scheduled[p4] > 40 && o.scheduled[p4] < 60);
    run_out_free(&o);
}

/* ------------------------------------------------------------------ the real trace */

static bool trace_present(void)
{
    struct stat st;
    if (stat(TRACE_FILE, &st) == 0 && S_ISREG(st.st_mode)) return true;
    print_message("skipped: the DLRM trace is not at %s\n", TRACE_FILE);
    return false;
}

/* The figures of shared/traces/alibaba-gpu-2025-dlrm/README.md, and a few of the file's own. */
static void test_real_trace_counts(void **state)
{
    (void)state;
    if (!trace_present()) {
        skip();
        return;
    }
    ks_config cfg;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "apiVersion: kubesim.io/v1alpha1\nkind: TraceReplay\nmetadata: {name: dlrm}\n"
             "spec: {format: alibaba-gpu-2025-dlrm, pods: %s}\n",
             TRACE_FILE);
    loaded l = load(&cfg, ks_test_write_file("real.yaml", yaml));
    assert_int_equal(l.rc, 0);
    free(l.err);
    assert_int_equal(cfg.npods, 23871);
    size_t cn = 0, hn = 0, at_zero = 0, uncapped = 0, gpus = 0;
    for (size_t i = 0; i < cfg.npods; i++) {
        const ks_pod_spec *s = &cfg.pods[i].spec;
        const char *role = ks_labels_get(&s->labels, KS_DLRM_ROLE_LABEL);
        cn += !strcmp(role, "CN");
        hn += !strcmp(role, "HN");
        at_zero += cfg.pods[i].at == 0;
        uncapped += s->max_per_node == 0;
        gpus += (size_t)ext_req(s, "nvidia.com/gpu");
    }
    assert_int_equal(cn, 16485);
    assert_int_equal(hn, 7386);
    assert_int_equal(gpus, 7386);   /* one GPU per HN instance */
    assert_int_equal(at_zero, 7280); /* no creation_time: created at 0 */
    assert_int_equal(uncapped, 12248);
    assert_int_equal(cfg.nactions, 23871 - 8878); /* 8,878 without deletion_time */
    ks_config_free(&cfg);
}

/* configs/dlrm-replay.yaml (the file's first 3,000 instances, timeScale 0.01, one hour): every
 * pod is created at 0, and exactly those whose deletion_time falls within 360,000 trace seconds
 * have their deletion requested, at deletion_time / 100 — within the API write's latency, or
 * seconds later where many deletes come together: they go through kubectl's client (client-go's
 * default 5 QPS, burst 10), and the slice has 65 within 26 trace seconds (0.26 s here). */
static void test_real_trace_slice_replay(void **state)
{
    (void)state;
    if (!trace_present()) {
        skip();
        return;
    }
    /* The expected deletions, from the file itself. */
    char *text = ks_test_read_file(TRACE_FILE, NULL);
    assert_non_null(text);
    double *want = calloc(3000, sizeof *want);
    char **names = calloc(3000, sizeof *names);
    char *line = strchr(text, '\n') + 1; /* the header's columns are checked by the loader */
    for (int k = 0; k < 3000; k++) {
        char *eol = strchr(line, '\n');
        *eol = 0;
        char *sn_end = strchr(line, ',');
        names[k] = strndup(line, (size_t)(sn_end - line));
        for (char *c = names[k]; *c; c++) *c = *c == '_' ? '-' : *c;
        char *last = strrchr(line, ','); /* deletion_time is the last column */
        want[k] = last[1] ? strtod(last + 1, NULL) : NAN;
        line = eol + 1;
    }
    free(text);
    char out[1024];
    snprintf(out, sizeof out, "%s", ks_test_path("slice.h5"));
    run_out o;
    run_config(ks_test_source_path("configs/dlrm-replay.yaml"), out, &o);
    assert_int_equal(o.n, 3000);
    size_t deleted = 0, prompt = 0;
    for (int k = 0; k < 3000; k++) {
        size_t i = pod_index(&o, names[k]);
        assert_true(o.created[i] == 0);
        bool due = !isnan(want[k]) && want[k] <= 360000;
        if (!due) {
            if (!isnan(o.requested[i])) fail_msg("%s: deletion requested at %g, not due", names[k], o.requested[i]);
            continue;
        }
        double at = want[k] / 100;
        if (!(o.requested[i] >= at && o.requested[i] < at + 15))
            fail_msg("%s: deletion requested at %g, want %g", names[k], o.requested[i], at);
        deleted++;
        prompt += o.requested[i] < at + 0.1;
        free(names[k]);
        names[k] = NULL;
    }
    for (int k = 0; k < 3000; k++) free(names[k]);
    print_message("%zu of the first 3000 instances deleted within 100 trace hours, %zu within 0.1 s\n", deleted, prompt);
    assert_int_equal(deleted, 514);
    assert_true(prompt >= 400); /* 451 in this version */
    free(names);
    free(want);
    run_out_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_columns),
        cmocka_unit_test(test_limit_time_scale_and_column_order),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_cli_bad_row),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_cap_through_the_trace),
        cmocka_unit_test(test_cap_through_annotations_and_explain),
        cmocka_unit_test(test_cap_and_preemption),
        cmocka_unit_test(test_replay_end_to_end),
        cmocka_unit_test(test_real_trace_counts),
        cmocka_unit_test(test_real_trace_slice_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
