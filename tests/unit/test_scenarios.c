/* End-to-end scenarios through the kubesim binary: a case worked out by hand, determinism across
 * seeds and thread counts, every class of bad input, SIGINT, and the CLI's help. */
#include <dirent.h>
#include <stdbool.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tracecheck.h"

static void assert_steps_ordered(const char *out);

static ks_test_run run(const char *const *argv)
{
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) print_message("kubesim exited %d\nstderr:\n%s\n", r.status, r.err);
    return r;
}

/* 3 nodes x 4 cpu, a Deployment of 13 pods x 1 cpu: exactly 12 Running, 1 Pending, and the
 * Pending pod's FailedScheduling message is upstream's. */
static void test_three_nodes_thirteen_pods(void **state)
{
    (void)state;
    const char *out = ks_test_path("three.h5");
    const char *argv[] = {"run", ks_test_source_path("tests/configs/three-nodes-13-pods.yaml"), "-o", out, "-q", NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    assert_steps_ordered(out);

    size_t n = 0, nn = 0;
    char **phase = ks_tc_strings(out, "/pods", "phase", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    assert_int_equal(n, 13);
    int running = 0, pending = 0, per_node[3] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(phase[i], "Running")) {
            running++;
            assert_true(strncmp(node[i], "small-", 6) == 0);
            per_node[node[i][6] - '0']++;
        } else if (!strcmp(phase[i], "Pending")) {
            pending++;
            assert_string_equal(node[i], "");
        }
    }
    assert_int_equal(running, 12);
    assert_int_equal(pending, 1);
    for (int k = 0; k < 3; k++) assert_int_equal(per_node[k], 4);
    ks_tc_free_strings(phase, n);
    ks_tc_free_strings(node, nn);

    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **msg = ks_tc_strings(out, "/events", "message", &nn);
    int failed = 0, scheduled = 0, started = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(reason[i], "FailedScheduling")) {
            /* Every pod has priority 0: preemption finds no lower-priority victim anywhere. */
            assert_string_equal(msg[i], "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
                                        "available: 3 No preemption victims found for incoming pod.");
            failed++;
        }
        scheduled += !strcmp(reason[i], "Scheduled");
        started += !strcmp(reason[i], "Started");
    }
    /* One failure at first, then one retry per 5-minute unschedulable flush within 10 minutes. */
    assert_true(failed >= 1 && failed <= 3);
    assert_int_equal(scheduled, 12);
    assert_int_equal(started, 12);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, nn);

    int64_t complete = -1, pods_pending = -1;
    assert_int_equal(ks_tc_attr_i64(out, "/", "complete", &complete), 0);
    assert_int_equal(complete, 1);
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "pods_pending", &pods_pending), 0);
    assert_int_equal(pods_pending, 1);

    /* Every step of a running pod's life is ordered; the pending one has NaN where it stopped. */
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *sched = ks_tc_f64(out, "/pods", "scheduled", &n);
    double *start = ks_tc_f64(out, "/pods", "started", &n);
    double *ready = ks_tc_f64(out, "/pods", "ready", &n);
    int nan_sched = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(sched[i])) {
            nan_sched++;
            assert_true(isnan(start[i]) && isnan(ready[i]));
            continue;
        }
        assert_true(created[i] <= sched[i] && sched[i] <= start[i] && start[i] <= ready[i]);
    }
    assert_int_equal(nan_sched, 1);
    free(created);
    free(sched);
    free(start);
    free(ready);
}

static void test_same_seed_same_datasets_any_thread_count(void **state)
{
    (void)state;
    const char *cfg = ks_test_source_path("configs/quickstart.yaml");
    const char *a = ks_test_path("det-a.h5"), *b = ks_test_path("det-b.h5"), *c = ks_test_path("det-c.h5"),
               *d = ks_test_path("det-d.h5");
    const char *va[] = {"run", cfg, "-o", a, "-q", "--until", "10m", "--threads", "1", NULL};
    const char *vb[] = {"run", cfg, "-o", b, "-q", "--until", "10m", "--threads", "1", NULL};
    const char *vc[] = {"run", cfg, "-o", c, "-q", "--until", "10m", "--threads", "2", NULL};
    const char *vd[] = {"run", cfg, "-o", d, "-q", "--until", "10m", "--seed", "43", NULL};
    const char *const *all[] = {va, vb, vc, vd};
    for (int i = 0; i < 4; i++) {
        ks_test_run r = run(all[i]);
        assert_int_equal(r.status, 0);
        ks_test_run_free(&r);
    }
    char why[512] = "";
    assert_steps_ordered(a);
    assert_steps_ordered(d);
    if (ks_tc_compare_datasets(a, b, why, sizeof why)) fail_msg("same seed twice: %s", why);
    if (ks_tc_compare_datasets(a, c, why, sizeof why)) fail_msg("--threads 1 vs 2: %s", why);
    /* The comparison can fail: another seed changes pod names and timings. */
    assert_int_not_equal(ks_tc_compare_datasets(a, d, why, sizeof why), 0);
    assert_null(strstr(why, "cannot open"));
    print_message("seed 42 vs 43: %s\n", why);
    /* The OpenMP score loop itself: 5,000 nodes scored per cycle, 1 thread against 2. */
    const char *cfg2 = ks_test_source_path("tests/configs/parallel-scoring.yaml");
    const char *e = ks_test_path("par-1.h5"), *f = ks_test_path("par-2.h5");
    const char *ve[] = {"run", cfg2, "-o", e, "-q", "--threads", "1", NULL};
    const char *vf[] = {"run", cfg2, "-o", f, "-q", "--threads", "2", NULL};
    const char *const *par[] = {ve, vf};
    for (int i = 0; i < 2; i++) {
        ks_test_run r = run(par[i]);
        assert_int_equal(r.status, 0);
        ks_test_run_free(&r);
    }
    if (ks_tc_compare_datasets(e, f, why, sizeof why)) fail_msg("parallel scoring, --threads 1 vs 2: %s", why);
}

/* Every pod's steps happen in order: created <= scheduled <= bound <= kubelet_seen <= pull_started
 * <= pulled <= started <= running <= ready, skipping the steps that did not happen (NaN). */
static void assert_steps_ordered(const char *out)
{
    static const char *steps[] = {"created", "scheduled",  "bound",   "kubelet_seen", "pull_started",
                                  "pulled",  "started",    "running", "ready"};
    enum { NSTEPS = sizeof steps / sizeof *steps };
    double *col[NSTEPS];
    size_t n = 0;
    for (int k = 0; k < NSTEPS; k++) {
        col[k] = ks_tc_f64(out, "/pods", steps[k], &n);
        assert_non_null(col[k]);
    }
    for (size_t i = 0; i < n; i++) {
        double last = -1;
        int last_k = -1;
        for (int k = 0; k < NSTEPS; k++) {
            if (isnan(col[k][i])) continue;
            if (col[k][i] < last)
                fail_msg("%s: pod %zu: %s %.9f before %s %.9f", out, i, steps[k], col[k][i], steps[last_k], last);
            last = col[k][i];
            last_k = k;
        }
    }
    for (int k = 0; k < NSTEPS; k++) free(col[k]);
}

static void run_ok(const char *cfg, const char *out)
{
    const char *argv[] = {"run", ks_test_source_path(cfg), "-o", out, "-q", NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    assert_steps_ordered(out);
}

/* Writes YAML as NAME.yaml, runs it until UNTIL, checks it succeeded with every pod's steps in
 * order, and returns the trace's path. */
static const char *run_inline(const char *name, const char *yaml, const char *until)
{
    char file[128];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *cfg = ks_test_write_file(file, yaml);
    snprintf(file, sizeof file, "%s.h5", name);
    const char *out = ks_test_path(file);
    const char *argv[] = {"run", cfg, "-o", out, "-q", "--until", until, NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    assert_steps_ordered(out);
    return out;
}

/* Every FailedScheduling event of the trace OUT carries message WANT, and there is at least one. */
static void assert_failed_scheduling(const char *out, const char *want)
{
    size_t n = 0, nn = 0;
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **msg = ks_tc_strings(out, "/events", "message", &nn);
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(reason[i], "FailedScheduling")) {
            assert_string_equal(msg[i], want);
            failed++;
        }
    assert_true(failed >= 1);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, nn);
}


/* With the default 1 s PLEG relist, a node's kubelet observes started containers on its own relist
 * grid: every pod on the node reaches Running (minus the constant 10 ms status write) at the same
 * phase of the second, within a second of its start. */
static void test_pleg_relist_grid(void **state)
{
    (void)state;
    const char *out = run_inline("pleg",
        "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: c}\n"
        "spec: {apiserver: {writeLatency: 10ms, watchLatency: 1ms}}\n---\n"
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"64\", memory: 64Gi}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 20\n"
        "  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n"
        "    spec: {containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: 100m}}}]}\n", "2m");
    size_t n = 0;
    double *started = ks_tc_f64(out, "/pods", "started", &n);
    double *running = ks_tc_f64(out, "/pods", "running", &n);
    assert_int_equal(n, 20);
    double phase0 = fmod(running[0] - 0.010, 1.0);
    for (size_t i = 0; i < n; i++) {
        double seen = running[i] - 0.010;
        assert_true(seen > started[i] && seen <= started[i] + 1.0 + 1e-9);
        double ph = fmod(seen, 1.0);
        if (fabs(ph - phase0) > 1e-6 && fabs(fabs(ph - phase0) - 1.0) > 1e-6)
            fail_msg("pod %zu observed at phase %.9f, pod 0 at %.9f", i, ph, phase0);
    }
    free(started);
    free(running);
}

static void assert_close(double got, double want, const char *what)
{
    if (!(fabs(got - want) < 1e-9)) fail_msg("%s: got %.9f s, want %.9f s", what, got, want);
}

/* The pod start flow step by step with constant latencies, against the timeline worked out in
 * the config's comment; the second pod's pull waits behind the first and then finds the image. */
static void test_pod_timeline_with_constant_latencies(void **state)
{
    (void)state;
    const char *out = ks_test_path("timeline.h5");
    run_ok("tests/configs/timeline-one-pod.yaml", out);
    size_t n = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &n);
    assert_int_equal(n, 2);
    assert_string_equal(name[0], "first");
    ks_tc_free_strings(name, n);
    const char *cols[] = {"created", "scheduled", "bound", "kubelet_seen", "pull_started",
                          "pulled",  "started",   "running", "ready"};
    const double want[2][9] = {
        {0, 0.0011005, 0.0111005, 0.0121005, 0.0121005, 1.2121005, 1.3621005, 1.3721005, 1.3721005},
        {0, 0.0012010, 0.0112010, 0.0122010, 0.0122010, 1.4121005, 1.5621005, 1.5721005, 1.5721005}};
    for (int c = 0; c < 9; c++) {
        double *v = ks_tc_f64(out, "/pods", cols[c], &n);
        assert_non_null(v);
        for (int p = 0; p < 2; p++) {
            char what[64];
            snprintf(what, sizeof what, "pod %d %s", p, cols[c]);
            assert_close(v[p], want[p][c], what);
        }
        free(v);
    }
    char **msg = ks_tc_strings(out, "/events", "message", &n);
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    const char *expect[][2] = {
        {"Scheduled", "Successfully assigned default/first to n1"},
        {"Scheduled", "Successfully assigned default/second to n1"},
        {"Pulling", "Pulling image \"app:1\""},
        {"Pulling", "Pulling image \"app:1\""},
        {"Pulled", "Successfully pulled image \"app:1\" in 1.2s (1.2s including waiting). Image size: 100000000 bytes."},
        {"Created", "Created container app"},
        {"Started", "Started container app"},
        {"Pulled", "Successfully pulled image \"app:1\" in 200ms (1.399s including waiting). Image size: 100000000 bytes."},
        {"Created", "Created container app"},
        {"Started", "Started container app"},
    };
    assert_int_equal(n, sizeof expect / sizeof *expect);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(reason[i], expect[i][0]);
        assert_string_equal(msg[i], expect[i][1]);
    }
    ks_tc_free_strings(msg, n);
    ks_tc_free_strings(reason, n);
}

/* ReplicaSet slow start: batches of 1, 2, 4, 6 one API round trip apart. */
static void test_replicaset_slow_start_batches(void **state)
{
    (void)state;
    const char *out = ks_test_path("slow-start.h5");
    run_ok("tests/configs/slow-start.yaml", out);
    size_t n = 0;
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    assert_int_equal(n, 13);
    const double batch_at[] = {0.022, 0.032, 0.042, 0.052};
    const int batch_size[] = {1, 2, 4, 6};
    size_t k = 0;
    for (int b = 0; b < 4; b++)
        for (int i = 0; i < batch_size[b]; i++, k++) assert_close(created[k], batch_at[b], "pod created");
    free(created);
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **msg = ks_tc_strings(out, "/events", "message", &n);
    double *t = ks_tc_f64(out, "/events", "time", &n);
    assert_string_equal(reason[0], "ScalingReplicaSet");
    assert_close(t[0], 0.011, "ScalingReplicaSet");
    assert_true(strncmp(msg[0], "Scaled up replica set web-", 26) == 0);
    assert_non_null(strstr(msg[0], " to 13"));
    int creates = 0;
    for (size_t i = 0; i < n; i++) creates += !strcmp(reason[i], "SuccessfulCreate");
    assert_int_equal(creates, 13);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, n);
    free(t);
}

/* Slow start under the controller-manager's token bucket, against the table worked out in the
 * config's comment. */
static void test_replicaset_creates_follow_the_token_bucket(void **state)
{
    (void)state;
    const char *out = ks_test_path("rs-qps.h5");
    run_ok("tests/configs/replicaset-qps.yaml", out);
    double want[100];
    int k = 0;
    const struct { double at_ms; int n; } runs[] = {{22, 1}, {32, 2}, {42, 4}, {52, 8}, {62, 15}, {72, 1}};
    for (size_t r = 0; r < sizeof runs / sizeof *runs; r++)
        for (int i = 0; i < runs[r].n; i++) want[k++] = runs[r].at_ms;
    for (int i = 1; i <= 32; i++) want[k++] = 72 + 50.0 * i;
    for (int i = 1; i <= 37; i++) want[k++] = 1672 + 50.0 * i;
    assert_int_equal(k, 100);
    size_t n = 0;
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    assert_int_equal(n, 100);
    for (int i = 0; i < 100; i++)
        if (fabs(created[i] * 1e3 - want[i]) > 1e-3)
            fail_msg("pod %d created at %.6f ms, want %.3f ms", i, created[i] * 1e3, want[i]);
    free(created);
}

/* Heartbeats over 10 minutes on one node: a Lease UPDATE every 10 s (60, whatever the node's
 * phase in [0, 10 s)), node status PATCHed once when the pulled image changed status.images and
 * once more 5 minutes later (nodeStatusReportFrequency), plus the pod's own status PATCH. */
static void test_node_heartbeats(void **state)
{
    (void)state;
    const char *out = run_inline("heartbeat",
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"4\", memory: 8Gi}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: \"i:1\"}]}\n", "10m");
    size_t n = 0, nv = 0, nc = 0;
    char **comp = ks_tc_strings(out, "/apiserver/requests", "component", &nc);
    char **verb = ks_tc_strings(out, "/apiserver/requests", "verb", &nv);
    int64_t *count = ks_tc_i64(out, "/apiserver/requests", "count", &n);
    int64_t updates = -1, patches = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(comp[i], "kubelet") != 0) continue;
        if (!strcmp(verb[i], "update")) updates = count[i];
        if (!strcmp(verb[i], "patch")) patches = count[i];
    }
    assert_int_equal(updates, 60);
    assert_int_equal(patches, 3);
    ks_tc_free_strings(comp, nc);
    ks_tc_free_strings(verb, nv);
    free(count);
}

/* Start times of POD's container, from its "Started" events. */
static size_t started_times(const char *out, const char *pod, double *t, size_t max)
{
    size_t n = 0, nn = 0, nt = 0, k = 0;
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **name = ks_tc_strings(out, "/events", "name", &nn);
    double *time = ks_tc_f64(out, "/events", "time", &nt);
    for (size_t i = 0; i < n && k < max; i++)
        if (!strcmp(reason[i], "Started") && !strcmp(name[i], pod)) t[k++] = time[i];
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(name, nn);
    free(time);
    return k;
}

/* CrashLoopBackOff against the delays worked out in the config's comment. */
static void test_crash_loop_backoff(void **state)
{
    (void)state;
    const char *out = ks_test_path("crash-loop.h5");
    run_ok("tests/configs/crash-loop.yaml", out);
    double t[64];
    size_t n = started_times(out, "crasher", t, 64);
    const double delay[] = {0, 10, 20, 40, 80, 160, 300, 300};
    assert_true(n >= 9);
    for (size_t k = 1; k < 9; k++) {
        double exited = t[k - 1] + 5;
        if (fabs(t[k] - exited - delay[k - 1]) > 1e-6)
            fail_msg("restart %zu at %.6f s: %.6f s after the exit, want %.0f s", k, t[k], t[k] - exited, delay[k - 1]);
    }
    n = started_times(out, "long-runner", t, 64);
    assert_int_equal(n, 4); /* starts at ~0, 660, 1320, 1980 s: every restart immediate */
    for (size_t k = 1; k < n; k++) assert_true(fabs(t[k] - t[k - 1] - 660) < 1e-6);
    size_t np = 0;
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    int64_t *restarts = ks_tc_i64(out, "/pods", "restarts", &np);
    assert_string_equal(phase[0], "Running"); /* restartPolicy Always keeps the pod Running */
    assert_true(restarts[0] >= 8);
    ks_tc_free_strings(phase, np);
    free(restarts);
}

/* restartPolicy OnFailure and Never: a container that exits 0 ends the pod Succeeded; one that
 * exits 1 under Never ends it Failed; under OnFailure it is restarted. */
static void test_restart_policies_and_pod_phase(void **state)
{
    (void)state;
    const char *out = run_inline("policies",
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"4\", memory: 8Gi}}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok-never, annotations: {kubesim.io/run-for: 20s}}\n"
        "spec: {restartPolicy: Never, containers: [{name: c, image: \"i:1\"}]}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok-onfailure, annotations: {kubesim.io/run-for: 20s}}\n"
        "spec: {restartPolicy: OnFailure, containers: [{name: c, image: \"i:1\"}]}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: fail-never, annotations: {kubesim.io/run-for: 20s, "
        "kubesim.io/exit-code: \"2\"}}\nspec: {restartPolicy: Never, containers: [{name: c, image: \"i:1\"}]}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: fail-onfailure, annotations: {kubesim.io/run-for: 20s, "
        "kubesim.io/exit-code: \"2\"}}\nspec: {restartPolicy: OnFailure, containers: [{name: c, image: \"i:1\"}]}\n", "5m");
    size_t n = 0, nn = 0, nr = 0, nf = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **phase = ks_tc_strings(out, "/pods", "phase", &n);
    int64_t *restarts = ks_tc_i64(out, "/pods", "restarts", &nr);
    double *finished = ks_tc_f64(out, "/pods", "finished", &nf);
    const char *want[][2] = {{"ok-never", "Succeeded"}, {"ok-onfailure", "Succeeded"}, {"fail-never", "Failed"},
                             {"fail-onfailure", "Running"}};
    assert_int_equal(n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(name[i], want[i][0]);
        assert_string_equal(phase[i], want[i][1]);
        if (i < 3) assert_true(restarts[i] == 0 && !isnan(finished[i]));
        else assert_true(restarts[i] >= 3 && isnan(finished[i]));
    }
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(phase, n);
    free(restarts);
    free(finished);
}

/* Startup and readiness probes against the timeline worked out in the config's comment. */
static void test_probes(void **state)
{
    (void)state;
    const char *out = ks_test_path("probes.h5");
    run_ok("tests/configs/probes.yaml", out);
    double t[64];
    size_t n = started_times(out, "readiness", t, 64);
    assert_int_equal(n, 1);
    double s0 = t[0];
    size_t np = 0;
    double *ready = ks_tc_f64(out, "/pods", "ready", &np);
    double *running = ks_tc_f64(out, "/pods", "running", &np);
    assert_int_equal(np, 2);
    assert_close(running[0], s0 + 0.010, "readiness: running");
    assert_close(ready[0], s0 + 25.010, "readiness: ready");
    assert_true(isnan(ready[1]));
    free(ready);
    free(running);
    n = started_times(out, "slow-start", t, 64);
    assert_true(n >= 3);
    assert_close(t[1] - t[0], 10, "slow-start: killed after three failed startup probes, restarted at once");
    assert_close(t[2] - t[1], 20, "slow-start: killed again 10 s later, restarted after 10 s of back-off");
    size_t ne = 0, nr = 0, nm = 0;
    char **reason = ks_tc_strings(out, "/events", "reason", &nr);
    char **msg = ks_tc_strings(out, "/events", "message", &nm);
    double *time = ks_tc_f64(out, "/events", "time", &ne);
    int kills = 0;
    for (size_t i = 0; i < ne; i++) {
        if (strcmp(reason[i], "Killing") != 0) continue;
        assert_string_equal(msg[i], "Container app failed startup probe, will be restarted");
        if (kills == 0) assert_close(time[i], t[0] + 10, "first Killing");
        kills++;
    }
    assert_true(kills >= 2);
    ks_tc_free_strings(reason, nr);
    ks_tc_free_strings(msg, nm);
    free(time);
}

/* Kubelet admission: two pods bound by spec.nodeName to a 2-cpu node, 1.5 + 1 cpu. With equal
 * watch latencies the first is admitted; the second is rejected OutOfcpu and ends Failed. */
static void test_kubelet_admission_rejects_out_of_cpu(void **state)
{
    (void)state;
    const char *out = run_inline("admission",
        "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: c}\n"
        "spec: {apiserver: {writeLatency: 10ms, watchLatency: 1ms}}\n---\n"
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"2\", memory: 4Gi}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
        "spec: {nodeName: n1, containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: 1500m}}}]}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n"
        "spec: {nodeName: n1, containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: \"1\"}}}]}\n", "1m");
    size_t n = 0, nm = 0, nn = 0;
    char **phase = ks_tc_strings(out, "/pods", "phase", &n);
    assert_string_equal(phase[0], "Running");
    assert_string_equal(phase[1], "Failed");
    ks_tc_free_strings(phase, n);
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **msg = ks_tc_strings(out, "/events", "message", &nm);
    char **name = ks_tc_strings(out, "/events", "name", &nn);
    int rejected = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(reason[i], "OutOfcpu")) {
            assert_string_equal(name[i], "b");
            assert_string_equal(msg[i], "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000");
            rejected++;
        }
    assert_int_equal(rejected, 1);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, nm);
    ks_tc_free_strings(name, nn);
}

/* A Scenario scales a Deployment down and up (see the config's comment). */
static void test_scenario_scale_down_and_up(void **state)
{
    (void)state;
    const char *out = ks_test_path("scale.h5");
    run_ok("tests/configs/scale.yaml", out);
    size_t n = 0, nn = 0, np = 0, nd = 0, nf = 0;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &nd);
    double *finished = ks_tc_f64(out, "/pods", "finished", &nf);
    assert_int_equal(nn, 12);
    int unscheduled_deleted = 0, scheduled_deleted = 0, alive = 0;
    for (size_t i = 0; i < nn; i++) {
        if (isnan(deleted[i])) {
            assert_string_equal(phase[i], "Running");
            alive++;
            continue;
        }
        assert_true(deleted[i] >= 60);
        if (!*node[i]) {
            unscheduled_deleted++;
            assert_true(deleted[i] < 60.1); /* never scheduled: gone at once */
        } else {
            scheduled_deleted++;
            /* graceful: stopped within the 30 s grace period, then removed */
            assert_true(finished[i] >= 60 && finished[i] <= deleted[i] && deleted[i] < 91);
        }
    }
    assert_int_equal(unscheduled_deleted, 2);
    assert_int_equal(scheduled_deleted, 4);
    assert_int_equal(alive, 6);
    ks_tc_free_strings(node, nn);
    ks_tc_free_strings(phase, np);
    free(deleted);
    free(finished);
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    char **msg = ks_tc_strings(out, "/events", "message", &nn);
    int deletes = 0, down = 0, up = 0, killing = 0;
    for (size_t i = 0; i < n; i++) {
        deletes += !strcmp(reason[i], "SuccessfulDelete");
        killing += !strcmp(reason[i], "Killing") && !strcmp(msg[i], "Stopping container web");
        if (!strcmp(reason[i], "ScalingReplicaSet")) {
            down += strstr(msg[i], "Scaled down replica set web-") && strstr(msg[i], " to 4 from 10");
            up += strstr(msg[i], "Scaled up replica set web-") && strstr(msg[i], " to 6 from 4");
        }
    }
    assert_int_equal(deletes, 6);
    assert_int_equal(killing, 4);
    assert_int_equal(down, 1);
    assert_int_equal(up, 1);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, nn);
}

/* configs/rollout.yaml: a rolling update of 10 replicas (maxSurge 3, maxUnavailable 2,
 * minReadySeconds 5). At every second between the first full rollout and the scale-down at 8 min,
 * non-terminating pods <= 13 and available pods >= 8; it ends with 10 pods of the new template. */
static void test_rolling_update_respects_surge_and_unavailability(void **state)
{
    (void)state;
    const char *out = ks_test_path("rollout.h5");
    run_ok("configs/rollout.yaml", out);
    size_t n = 0, no = 0;
    char **owner = ks_tc_strings(out, "/pods", "owner", &no);
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *ready = ks_tc_f64(out, "/pods", "ready", &n);
    double *deleting = ks_tc_f64(out, "/pods", "deletion_requested", &n);
    const char *new_rs = NULL;
    for (size_t i = 0; i < n; i++) /* the new ReplicaSet is the owner of the last web pod created */
        if (strstr(owner[i], "ReplicaSet/web-")) new_rs = owner[i];
    assert_non_null(new_rs);
    for (int t = 60; t < 480; t++) {
        int total = 0, available = 0;
        for (size_t i = 0; i < n; i++) {
            if (!strstr(owner[i], "ReplicaSet/web-")) continue;
            bool alive = created[i] <= t && (isnan(deleting[i]) || deleting[i] > t);
            total += alive;
            available += alive && !isnan(ready[i]) && ready[i] + 5 <= t;
        }
        if (total > 13 || available < 8) fail_msg("t = %d s: %d pods (max 13), %d available (min 8)", t, total, available);
    }
    int new_alive = 0;
    for (size_t i = 0; i < n; i++)
        new_alive += !strcmp(owner[i], new_rs) && (isnan(deleting[i]) || deleting[i] > 479) && ready[i] + 5 <= 479;
    assert_int_equal(new_alive, 10);
    ks_tc_free_strings(owner, no);
    free(created);
    free(ready);
    free(deleting);
}

/* Recreate: every old pod is gone before the first new one is created. */
static void test_recreate_rollout(void **state)
{
    (void)state;
    const char *out = run_inline("recreate",
        "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: n}\n"
        "spec: {count: 2, template: {status: {allocatable: {cpu: \"8\", memory: 16Gi}}}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  replicas: 4\n"
        "  strategy: {type: Recreate}\n  selector: {matchLabels: {app: db}}\n  template:\n"
        "    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: \"db:1\"}]}\n---\n"
        "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
        "spec: {actions: [{at: 1m, update: {deployment: db, image: \"db:2\"}}]}\n", "3m");
    size_t n = 0, no = 0;
    char **owner = ks_tc_strings(out, "/pods", "owner", &no);
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 8);
    double last_old_gone = 0, first_new = 1e9;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(owner[i], owner[0])) {
            assert_false(isnan(deleted[i]));
            if (deleted[i] > last_old_gone) last_old_gone = deleted[i];
        } else if (created[i] < first_new) {
            first_new = created[i];
        }
    }
    assert_true(last_old_gone >= 60 && last_old_gone < first_new);
    ks_tc_free_strings(owner, no);
    free(created);
    free(deleted);
}

/* Serialized image pulls: three pods on one node pulling different images pull one after
 * another (each pull starts when the previous one ends); a fourth whose image the node already
 * has pulls nothing. */
static void test_serialized_image_pulls(void **state)
{
    (void)state;
    char cfg_text[4096];
    int len = snprintf(cfg_text, sizeof cfg_text,
                       "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: c}\n"
                       "spec: {kubelet: {imagePullLatency: 100ms, imagePullBandwidth: {constant: 100M}}}\n---\n"
                       "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n"
                       "  allocatable: {cpu: \"8\", memory: 8Gi}\n  images: [{names: [\"cached:1\"], sizeBytes: 1000}]\n");
    const char *images[] = {"a:1", "b:1", "c:1", "cached:1"};
    for (int i = 0; i < 4; i++)
        len += snprintf(cfg_text + len, sizeof cfg_text - (size_t)len,
                        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, annotations: {kubesim.io/image-size: 200M}}\n"
                        "spec: {containers: [{name: c, image: \"%s\"}]}\n",
                        i, images[i]);
    const char *out = run_inline("pulls", cfg_text, "1m");
    size_t n = 0;
    double *pulled = ks_tc_f64(out, "/pods", "pulled", &n);
    double *requested = ks_tc_f64(out, "/pods", "pull_started", &n);
    assert_int_equal(n, 4);
    assert_true(isnan(pulled[3]) && isnan(requested[3])); /* cached: no pull */
    /* Each pull takes 100 ms + 200 MB / 100 MB/s = 2.1 s; in whatever order the kubelet saw the
     * pods, sorted by end time they end 2.1 s apart, the first 2.1 s after its request. */
    double end[3] = {pulled[0], pulled[1], pulled[2]};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (end[j] > end[j + 1]) {
                double t = end[j];
                end[j] = end[j + 1];
                end[j + 1] = t;
            }
    double first_request = fmin(requested[0], fmin(requested[1], requested[2]));
    assert_close(end[0] - first_request, 2.1, "first pull");
    assert_close(end[1] - end[0], 2.1, "second pull, after the first");
    assert_close(end[2] - end[1], 2.1, "third pull, after the second");
    free(pulled);
    free(requested);
}

/* revisionHistoryLimit keeps at most that many old ReplicaSets; progressDeadlineSeconds marks a
 * rollout that stops making progress (its new pods can never start: imagePullPolicy Never and an
 * image the nodes do not have). */
static void test_revision_history_and_progress_deadline(void **state)
{
    (void)state;
    const char *out = run_inline("history",
        "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: n}\n"
        "spec: {count: 2, template: {status: {allocatable: {cpu: \"8\", memory: 16Gi},"
        " images: [{names: [\"app:1\"], sizeBytes: 1000}]}}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kept}\nspec:\n  replicas: 2\n"
        "  revisionHistoryLimit: 1\n  selector: {matchLabels: {app: kept}}\n  template:\n"
        "    metadata: {labels: {app: kept}}\n    spec: {containers: [{name: c, image: \"app:1\"}]}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stuck}\nspec:\n  replicas: 4\n"
        "  progressDeadlineSeconds: 60\n  selector: {matchLabels: {app: stuck}}\n  template:\n"
        "    metadata: {labels: {app: stuck}}\n"
        "    spec: {containers: [{name: c, image: \"app:1\", imagePullPolicy: Never}]}\n---\n"
        "apiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  actions:\n"
        "  - {at: 1m, update: {deployment: kept, image: \"app:2\"}}\n"
        "  - {at: 2m, update: {deployment: kept, image: \"app:3\"}}\n"
        "  - {at: 3m, update: {deployment: kept, image: \"app:4\"}}\n"
        "  - {at: 1m, update: {deployment: stuck, image: \"app:2\"}}\n", "5m");
    size_t n = 0;
    int64_t *rss = ks_tc_i64(out, "/deployments", "replicasets", &n);
    double *done = ks_tc_f64(out, "/deployments", "rollout_completed", &n);
    double *exceeded = ks_tc_f64(out, "/deployments", "progress_deadline_exceeded", &n);
    assert_int_equal(n, 2);
    assert_int_equal(rss[0], 2); /* the newest and one old of four */
    assert_true(done[0] > 180 && isnan(exceeded[0]));
    assert_true(isnan(done[1]));
    /* the last progress is a few seconds after the update at 60 s; the deadline 60 s after it */
    assert_true(exceeded[1] >= 120 && exceeded[1] < 130);
    free(rss);
    free(done);
    free(exceeded);
    size_t nr = 0, nm = 0;
    char **reason = ks_tc_strings(out, "/events", "reason", &nr);
    char **msg = ks_tc_strings(out, "/events", "message", &nm);
    int never = 0, failed = 0;
    for (size_t i = 0; i < nr; i++) {
        never += !strcmp(reason[i], "ErrImageNeverPull") &&
                 !strcmp(msg[i], "Container image \"app:2\" is not present with pull policy of Never");
        failed += !strcmp(reason[i], "Failed") && !strcmp(msg[i], "Error: ErrImageNeverPull");
    }
    assert_true(never >= 1 && failed == never);
    ks_tc_free_strings(reason, nr);
    ks_tc_free_strings(msg, nm);
}

/* TaintToleration, NodeAffinity and NodeUnschedulable against the placements worked out in the
 * config's comment, and the FailedScheduling message with mixed reasons. */
static void test_taints_tolerations_and_node_affinity(void **state)
{
    (void)state;
    const char *out = ks_test_path("placement.h5");
    run_ok("tests/configs/placement-constraints.yaml", out);
    size_t n = 0, nn = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **node = ks_tc_strings(out, "/pods", "node", &n);
    const char *want[][2] = {{"plain", "n5"}, {"batch", "n1"}, {"anywhere", "n2"}, {"zone-b", "n4"}, {"nowhere", ""}};
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(name[i], want[i][0]);
        if (strcmp(node[i], want[i][1]) != 0) fail_msg("%s on \"%s\", want \"%s\"", name[i], node[i], want[i][1]);
    }
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(node, n);
    assert_failed_scheduling(out, "0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: batch}, "
                             "1 node(s) had untolerated taint {gpu: true}, 1 node(s) were unschedulable, "
                             "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are "
                             "available: 5 Preemption is not helpful for scheduling.");
}

/* Extended resources in NodeResourcesFit's and BalancedAllocation's resource lists: the cases
 * worked by hand at the top of tests/configs/gpu-scoring.yaml. */
static void test_explain_extended_resource_scores(void **state)
{
    (void)state;
    const char *cfg = ks_test_source_path("tests/configs/gpu-scoring.yaml");
    static const struct {
        const char *pod, *want[3];
    } cases[] = {
        {"trainer",
         {"\"selected\": \"n-b\"", "\"name\": \"n-a\", \"feasible\": true, \"reasons\": [], \"scores\": "
          "{\"TaintToleration\": {\"raw\": 0, \"normalized\": 100, \"weight\": 3}, \"NodeResourcesFit\": {\"raw\": 25,",
          "\"NodeResourcesFit\": {\"raw\": 73,"}},
        {"cpu-only", {"\"selected\": \"n-a\"", "\"NodeResourcesFit\": {\"raw\": 25,", "\"NodeResourcesFit\": {\"raw\": 6,"}},
        {"balanced-trainer",
         {"\"selected\": \"n-a\"", "\"NodeResourcesBalancedAllocation\": {\"raw\": 100,",
          "\"NodeResourcesBalancedAllocation\": {\"raw\": 55,"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[] = {"explain", cfg, "--pod", cases[i].pod, "-o", "json", NULL};
        ks_test_run r = run(argv);
        assert_int_equal(r.status, 0);
        for (size_t k = 0; k < 3; k++)
            if (!strstr(r.out, cases[i].want[k]))
                fail_msg("%s: explain output lacks\n%s\ngot\n%s", cases[i].pod, cases[i].want[k], r.out);
        ks_test_run_free(&r);
    }
}

/* kubesim explain: the JSON contract of DESIGN.md on the placement config, worked by hand:
 * LeastAllocated (8000-100)*100/8000 = 98 and (16Gi-200Mi)/16Gi -> 98, so Fit 98; Balanced
 * |0.0125 - 0| / 2 -> 99; TaintToleration: n4's untolerated PreferNoSchedule taint gives raw 1,
 * normalised 0, n5 100; totals 3*0+98+99 = 197 and 3*100+98+99 = 497. */
static void test_explain_json(void **state)
{
    (void)state;
    const char *cfg = ks_test_source_path("tests/configs/placement-constraints.yaml");
    const char *a1[] = {"explain", cfg, "--pod", "plain", "-o", "json", NULL};
    ks_test_run r = run(a1);
    assert_int_equal(r.status, 0);
    const char *want[] = {
        "{\"pod\": \"plain\", \"namespace\": \"default\", \"profile\": \"default-scheduler\", \"selected\": \"n5\"",
        "{\"name\": \"n1\", \"feasible\": false, \"reasons\": [\"node(s) had untolerated taint {dedicated: batch}\"], "
        "\"scores\": {}, \"total\": 0}",
        "{\"name\": \"n3\", \"feasible\": false, \"reasons\": [\"node(s) were unschedulable\"]",
        "{\"name\": \"n4\", \"feasible\": true, \"reasons\": [], \"scores\": {\"TaintToleration\": {\"raw\": 1, "
        "\"normalized\": 0, \"weight\": 3}, \"NodeResourcesFit\": {\"raw\": 98, \"normalized\": 98, \"weight\": 1}, "
        "\"NodeResourcesBalancedAllocation\": {\"raw\": 99, \"normalized\": 99, \"weight\": 1}, "
        "\"ImageLocality\": {\"raw\": 0, \"normalized\": 0, \"weight\": 1}}, \"total\": 197}",
        "\"total\": 497}]}",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(r.out, want[i])) fail_msg("explain output lacks\n%s\ngot\n%s", want[i], r.out);
    ks_test_run_free(&r);
    const char *a2[] = {"explain", cfg, "--pod", "nowhere", "-o", "json", NULL};
    r = run(a2);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"selected\": null"));
    assert_non_null(strstr(r.out, "\"reasons\": [\"node(s) didn't match Pod's node affinity/selector\"]"));
    ks_test_run_free(&r);
    const char *a3[] = {"explain", cfg, "--pod", "no-such-pod", NULL};
    r = ks_test_kubesim(a3);
    assert_int_equal(r.status, 2);
    ks_test_run_free(&r);
}

/* DefaultPreemption, worked by hand in tests/configs/preemption.yaml: minimal victims, the PDB
 * deciding between two nodes, the nomination honoured once the victim is gone, and
 * preemptionPolicy Never. */
static void test_preemption(void **state)
{
    (void)state;
    const char *out = ks_test_path("preemption.h5");
    run_ok("tests/configs/preemption.yaml", out);
    size_t n = 0, nn = 0, nr = 0;
    char **name = ks_tc_strings(out, "/events", "name", &n);
    char **reason = ks_tc_strings(out, "/events", "reason", &nr);
    char **msg = ks_tc_strings(out, "/events", "message", &nn);
    int preempted = 0, urgent_failed = 0, never_failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(reason[i], "Preempted")) {
            assert_string_equal(name[i], "low-c"); /* the only victim */
            assert_non_null(strstr(msg[i], "Preempted by pod "));
            assert_non_null(strstr(msg[i], " on node n2"));
            preempted++;
        }
        if (!strcmp(reason[i], "FailedScheduling") && !strcmp(name[i], "urgent")) {
            assert_string_equal(msg[i], "0/2 nodes are available: 2 Insufficient cpu."); /* nominated: no suffix */
            urgent_failed++;
        }
        if (!strcmp(reason[i], "FailedScheduling") && !strcmp(name[i], "never")) {
            assert_string_equal(msg[i], "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due "
                                        "to preemptionPolicy=Never.");
            never_failed++;
        }
    }
    assert_int_equal(preempted, 1);
    assert_int_equal(urgent_failed, 1);
    assert_true(never_failed >= 1);
    ks_tc_free_strings(name, n);
    ks_tc_free_strings(reason, nr);
    ks_tc_free_strings(msg, nn);
    char **pod = ks_tc_strings(out, "/pods", "name", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    static const char *const want[][2] = {{"low-a", "n1"}, {"low-b", "n1"}, {"mid", "n2"}, {"urgent", "n2"}, {"never", ""}};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        size_t i = 0;
        while (i < n && strcmp(pod[i], want[k][0])) i++;
        assert_true(i < n);
        if (strcmp(node[i], want[k][1])) fail_msg("%s on \"%s\", want \"%s\"", pod[i], node[i], want[k][1]);
    }
    ks_tc_free_strings(pod, n);
    ks_tc_free_strings(node, nn);
}

/* pickOneNodeForPreemption's second criterion before the count of victims: n1 would lose one pod
 * of priority 200, n2 one of 100, n3 two of 50 (2 cpu each: the 3-cpu pod needs both gone). The
 * lowest highest-victim priority wins, so n3 loses two pods. */
static void test_preemption_prefers_lowest_priority_victims(void **state)
{
    (void)state;
    char yaml[4096] = "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: pick}\nspec: {duration: 1m, seed: 3}\n";
    static const char *const pcs[][2] = {{"p50", "50"}, {"p100", "100"}, {"p200", "200"}, {"top", "1000"}};
    for (int i = 0; i < 4; i++)
        snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
                 "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: %s}\nvalue: %s\n", pcs[i][0],
                 pcs[i][1]);
    for (int i = 1; i <= 3; i++)
        snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
                 "---\napiVersion: v1\nkind: Node\nmetadata: {name: n%d}\nstatus: {allocatable: {cpu: \"4\", memory: 16Gi}}\n", i);
    static const char *const pods[][4] = {{"a200", "n1", "p200", "3"}, {"b100", "n2", "p100", "3"},
                                          {"c50", "n3", "p50", "2"},    {"d50", "n3", "p50", "2"},
                                          {"urgent", "", "top", "3"}};
    for (int i = 0; i < 5; i++)
        snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
                 "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec: {%s%s%spriorityClassName: %s, containers: "
                 "[{name: c, image: \"i:1\", resources: {requests: {cpu: \"%s\"}}}]}\n",
                 pods[i][0], *pods[i][1] ? "nodeName: " : "", pods[i][1], *pods[i][1] ? ", " : "", pods[i][2], pods[i][3]);
    const char *out = run_inline("preemption-pick", yaml, "1m");
    size_t n = 0, nn = 0, nr = 0;
    char **name = ks_tc_strings(out, "/events", "name", &n);
    char **reason = ks_tc_strings(out, "/events", "reason", &nr);
    char **msg = ks_tc_strings(out, "/events", "message", &nn);
    int victims = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(reason[i], "Preempted")) continue;
        if (strcmp(name[i], "c50") && strcmp(name[i], "d50")) fail_msg("%s was preempted", name[i]);
        assert_non_null(strstr(msg[i], " on node n3"));
        victims++;
    }
    assert_int_equal(victims, 2);
    ks_tc_free_strings(name, n);
    ks_tc_free_strings(reason, nr);
    ks_tc_free_strings(msg, nn);
}

/* PriorityClasses: the globalDefault, a named class, a built-in system class; PrioritySort pops the
 * highest priority first (see the config's comment). */
static void test_priority_classes(void **state)
{
    (void)state;
    const char *out = ks_test_path("priority.h5");
    run_ok("tests/configs/priority.yaml", out);
    size_t n = 0, nn = 0;
    int64_t *prio = ks_tc_i64(out, "/pods", "priority", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    assert_int_equal(n, 3);
    assert_int_equal(prio[0], 100);
    assert_int_equal(prio[1], 1000);
    assert_int_equal(prio[2], 2000001000);
    assert_string_equal(node[0], "");
    assert_string_equal(node[1], "");
    assert_string_equal(node[2], "n1");
    free(prio);
    ks_tc_free_strings(node, nn);
}

/* ImageLocality through explain, against upstream's image_locality_test.go table (v1.28+
 * thresholds), worked out in the config's comment. */
static void test_image_locality(void **state)
{
    (void)state;
    const char *cfg = ks_test_source_path("tests/configs/image-locality.yaml");
    const struct { const char *pod; int m1, m2; } cases[] = {{"pod-40-250", 0, 5}, {"pod-40-300", 7, 0}, {"pod-2000-10", 49, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *argv[] = {"explain", cfg, "--pod", cases[i].pod, "-o", "json", NULL};
        ks_test_run r = run(argv);
        assert_int_equal(r.status, 0);
        char want[2][160];
        snprintf(want[0], sizeof want[0], "\"ImageLocality\": {\"raw\": %d, \"normalized\": %d, \"weight\": 1}",
                 cases[i].m1, cases[i].m1);
        snprintf(want[1], sizeof want[1], "\"ImageLocality\": {\"raw\": %d, \"normalized\": %d, \"weight\": 1}",
                 cases[i].m2, cases[i].m2);
        const char *m1 = strstr(r.out, "{\"name\": \"machine1\""), *m2 = strstr(r.out, "{\"name\": \"machine2\"");
        assert_non_null(m1);
        assert_non_null(m2);
        const char *f1 = strstr(m1, want[0]), *f2 = strstr(m2, want[1]);
        if (!f1 || f1 > m2 || !f2) fail_msg("%s: want machine1 %s, machine2 %s in\n%s", cases[i].pod, want[0], want[1], r.out);
        ks_test_run_free(&r);
    }
}

/* Extended resources in NodeResourcesFit (see the config's comment). */
static void test_extended_resources(void **state)
{
    (void)state;
    const char *out = ks_test_path("gpus.h5");
    run_ok("tests/configs/gpus.yaml", out);
    size_t n = 0, nn = 0, np = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **node = ks_tc_strings(out, "/pods", "node", &n);
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    int per_node[2] = {0, 0}, pending = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(name[i], "train-", 6) != 0) continue;
        if (!strcmp(phase[i], "Pending")) pending++;
        else if (!strcmp(node[i], "gpu-0")) per_node[0]++;
        else if (!strcmp(node[i], "gpu-1")) per_node[1]++;
        else fail_msg("%s on %s: not a GPU node", name[i], node[i]);
    }
    assert_int_equal(per_node[0], 2);
    assert_int_equal(per_node[1], 2);
    assert_int_equal(pending, 1);
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(node, n);
    ks_tc_free_strings(phase, np);
    assert_failed_scheduling(out, "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are "
                                  "available: 3 No preemption victims found for incoming pod.");
}

/* NodePorts: three replicas asking for TCP host port 8080 on two nodes: two run, one per node;
 * the third finds both ports taken. A pod asking for UDP 8080 still fits. */
static void test_node_ports(void **state)
{
    (void)state;
    const char *out = run_inline("ports",
        "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: n}\n"
        "spec: {count: 2, template: {status: {allocatable: {cpu: \"8\", memory: 16Gi}}}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: lb}\nspec:\n  replicas: 3\n"
        "  selector: {matchLabels: {app: lb}}\n  template:\n    metadata: {labels: {app: lb}}\n"
        "    spec: {containers: [{name: c, image: \"i:1\", ports: [{containerPort: 80, hostPort: 8080}]}]}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: udp}\n"
        "spec: {containers: [{name: c, image: \"i:1\", ports: [{containerPort: 53, hostPort: 8080, protocol: UDP}]}]}\n",
        "2m");
    size_t n = 0, nn = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **node = ks_tc_strings(out, "/pods", "node", &n);
    int lb_n0 = 0, lb_n1 = 0, lb_pending = 0, udp = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(name[i], "udp")) udp = *node[i] != 0;
        else if (!strcmp(node[i], "n-0")) lb_n0++;
        else if (!strcmp(node[i], "n-1")) lb_n1++;
        else lb_pending++;
    }
    assert_int_equal(lb_n0, 1);
    assert_int_equal(lb_n1, 1);
    assert_int_equal(lb_pending, 1);
    assert_int_equal(udp, 1);
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(node, n);
    assert_failed_scheduling(out, "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod "
                                  "ports. preemption: 0/2 nodes are available: 2 No preemption victims found for "
                                  "incoming pod.");
}

/* The scheduling queue's unschedulable pool: a pod that never fits is retried when the 30 s
 * flush finds it parked for more than 5 minutes (flushUnschedulablePodsLeftover): failures at
 * f1 ~ 0, then the first flush tick (multiples of 30 s) more than 300 s later — 330, 660, 990 s. */
static void test_unschedulable_pool_flush_timing(void **state)
{
    (void)state;
    const char *out = run_inline("flush",
        "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: c}\n"
        "spec: {apiserver: {writeLatency: 10ms, watchLatency: 1ms}}\n---\n"
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"1\", memory: 1Gi}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\n"
        "spec: {containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: \"2\"}}}]}\n",
        "20m");
    size_t n = 0, nt = 0;
    char **reason = ks_tc_strings(out, "/events", "reason", &n);
    double *t = ks_tc_f64(out, "/events", "time", &nt);
    const double want[] = {0, 330, 660, 990};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(reason[i], "FailedScheduling") != 0) continue;
        assert_true(k < 4);
        if (fabs(t[i] - want[k]) > 0.01) fail_msg("attempt %zu failed at %.6f s, want %.0f s", k + 1, t[i], want[k]);
        k++;
    }
    assert_int_equal(k, 4);
    ks_tc_free_strings(reason, n);
    free(t);
    int64_t *attempts = ks_tc_i64(out, "/pods", "attempts", &n);
    assert_int_equal(attempts[0], 4);
    free(attempts);
}

/* The scoring strategy decides placement: 3 pods of 1 cpu / 2Gi on 2 nodes of 4 cpu / 8Gi (cpu and
 * memory fractions stay equal, so BalancedAllocation scores 100 everywhere). LeastAllocated
 * spreads them 2 + 1; MostAllocated packs all 3 onto one node, whichever the tie-break chose
 * first — once PodTopologySpread is disabled. With it (SPREAD), the system default constraints
 * win for the second pod: on the node with one pod, hostname weight ln(2 + 2) gives
 * round(1.386 + 2) = 3 against 2, normalised 100 * (3 + 2 - 3) / 3 = 66 against 100, so x2 the
 * empty node leads 200 + 25 (Fit) against 132 + 50; the third pod then ties. */
static int max_pods_on_one_node(const char *strategy, bool spread)
{
    char cfg[2048], name[64];
    snprintf(cfg, sizeof cfg,
             "apiVersion: kubescheduler.config.k8s.io/v1\n"
             "kind: KubeSchedulerConfiguration\n"
             "profiles:\n"
             "- plugins: {multiPoint: {disabled: [{name: %s}]}}\n"
             "  pluginConfig:\n"
             "  - name: NodeResourcesFit\n"
             "    args: {scoringStrategy: {type: %s}}\n"
             "---\n"
             "apiVersion: kubesim.io/v1alpha1\n"
             "kind: NodePool\n"
             "metadata: {name: n}\n"
             "spec: {count: 2, template: {status: {allocatable: {cpu: \"4\", memory: 8Gi}}}}\n"
             "---\n"
             "apiVersion: apps/v1\n"
             "kind: Deployment\n"
             "metadata: {name: d}\n"
             "spec:\n"
             "  replicas: 3\n"
             "  selector: {matchLabels: {app: d}}\n"
             "  template:\n"
             "    metadata: {labels: {app: d}}\n"
             "    spec: {containers: [{name: c, image: \"i:1\", resources: {requests: {cpu: \"1\", memory: 2Gi}}}]}\n",
             spread ? "VolumeZone" : "PodTopologySpread", strategy);
    snprintf(name, sizeof name, "%s-%d.yaml", strategy, spread);
    const char *path = ks_test_write_file(name, cfg);
    snprintf(name, sizeof name, "%s-%d.h5", strategy, spread);
    const char *out = ks_test_path(name);
    const char *argv[] = {"run", path, "-o", out, "-q", "--until", "1m", NULL};
    ks_test_run r = run(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    size_t n = 0;
    char **node = ks_tc_strings(out, "/pods", "node", &n);
    assert_int_equal(n, 3);
    int on0 = 0;
    for (size_t i = 0; i < n; i++) on0 += !strcmp(node[i], "n-0");
    ks_tc_free_strings(node, n);
    return on0 > 3 - on0 ? on0 : 3 - on0;
}

static void test_scoring_strategy_decides_placement(void **state)
{
    (void)state;
    assert_int_equal(max_pods_on_one_node("LeastAllocated", false), 2);
    assert_int_equal(max_pods_on_one_node("MostAllocated", false), 3);
    assert_int_equal(max_pods_on_one_node("MostAllocated", true), 2);
}

/* Each YAML file in tests/configs/bad starts with "# expect: LINE:COL SUBSTRING". */
static void test_bad_inputs_exit_2_with_position_and_no_output(void **state)
{
    (void)state;
    const char *dir = ks_test_source_path("tests/configs/bad");
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *de;
    int cases = 0;
    while ((de = readdir(dp))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *text = ks_test_read_file(path, NULL);
        assert_non_null(text);
        int line = 0, col = 0;
        char expect[256] = "";
        if (sscanf(text, "# expect: %d:%d %255[^\n]", &line, &col, expect) != 3)
            fail_msg("%s: first line must be \"# expect: LINE:COL SUBSTRING\"", path);
        free(text);
        const char *out = ks_test_path("bad.h5");
        for (int validate = 0; validate < 2; validate++) {
            const char *argv_run[] = {"run", path, "-o", out, "-q", NULL};
            const char *argv_val[] = {"validate", path, NULL};
            ks_test_run r = ks_test_kubesim(validate ? argv_val : argv_run);
            char pos[1100];
            snprintf(pos, sizeof pos, "%s:%d:%d:", path, line, col);
            if (r.status != 2 || !strstr(r.err, pos) || !strstr(r.err, expect))
                fail_msg("%s (%s): status %d, want 2 and \"%s\" and \"%s\" in stderr:\n%s", de->d_name,
                         validate ? "validate" : "run", r.status, pos, expect, r.err);
            assert_false(ks_test_file_exists(out));
            ks_test_run_free(&r);
        }
        cases++;
    }
    closedir(dp);
    print_message("%d bad configs checked\n", cases);
    assert_true(cases >= 10);
}

static void test_missing_file_and_bad_flags(void **state)
{
    (void)state;
    const char *a1[] = {"run", "/nonexistent/kubesim.yaml", "-q", NULL};
    ks_test_run r = ks_test_kubesim(a1);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/nonexistent/kubesim.yaml"));
    ks_test_run_free(&r);
    const char *a2[] = {"run", ks_test_source_path("configs/quickstart.yaml"), "--seed", "abc", NULL};
    r = ks_test_kubesim(a2);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--seed"));
    ks_test_run_free(&r);
    /* An empty file, or one with no node and no workload, has nothing to simulate. */
    const char *empty = ks_test_write_file("empty.yaml", "");
    const char *out = ks_test_path("empty.h5");
    const char *a4[] = {"run", empty, "-o", out, NULL};
    r = ks_test_kubesim(a4);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "empty.yaml:1:1: error: no NodePool, Node, Pod or Deployment"));
    assert_false(ks_test_file_exists(out));
    ks_test_run_free(&r);
    const char *a3[] = {"frobnicate", NULL};
    r = ks_test_kubesim(a3);
    assert_int_equal(r.status, 2);
    ks_test_run_free(&r);
}

static void test_help_and_version(void **state)
{
    (void)state;
    const char *cmds[][3] = {{"--help", NULL, NULL}, {"run", "--help", NULL}, {"validate", "--help", NULL},
                             {"bench", "--help", NULL}, {"bench", "engine", "--help"}, {"explain", "--help", NULL},
                             {"--version", NULL, NULL}};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        const char *argv[] = {cmds[i][0], cmds[i][1], cmds[i][2], NULL};
        ks_test_run r = ks_test_kubesim(argv);
        assert_int_equal(r.status, 0);
        assert_true(strstr(r.out, "usage:") || strstr(r.out, "kubesim "));
        ks_test_run_free(&r);
    }
}

/* SIGINT: the run stops, the trace is renamed to its final path, readable, and complete = 0. */
static void test_sigint_leaves_readable_incomplete_trace(void **state)
{
    (void)state;
    const char *out = ks_test_path("interrupted.h5");
    /* A horizon of 100,000 hours keeps the periodic loops busy for minutes of wall time. */
    const char *argv[] = {"run", ks_test_source_path("configs/quickstart.yaml"), "-o", out, "-q", "--until", "100000h",
                          NULL};
    assert_int_equal(ks_test_kubesim_interrupted(argv, out), 130);
    int64_t complete = -1;
    assert_int_equal(ks_tc_attr_i64(out, "/", "complete", &complete), 0);
    assert_int_equal(complete, 0);
    assert_true(ks_tc_rows(out, "/pods") > 0);
    assert_true(ks_tc_rows(out, "/events") > 0);
    assert_true(ks_tc_rows(out, "/cluster_series") > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_nodes_thirteen_pods),
        cmocka_unit_test(test_pod_timeline_with_constant_latencies),
        cmocka_unit_test(test_replicaset_slow_start_batches),
        cmocka_unit_test(test_pleg_relist_grid),
        cmocka_unit_test(test_node_heartbeats),
        cmocka_unit_test(test_crash_loop_backoff),
        cmocka_unit_test(test_restart_policies_and_pod_phase),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_kubelet_admission_rejects_out_of_cpu),
        cmocka_unit_test(test_scenario_scale_down_and_up),
        cmocka_unit_test(test_rolling_update_respects_surge_and_unavailability),
        cmocka_unit_test(test_recreate_rollout),
        cmocka_unit_test(test_serialized_image_pulls),
        cmocka_unit_test(test_revision_history_and_progress_deadline),
        cmocka_unit_test(test_replicaset_creates_follow_the_token_bucket),
        cmocka_unit_test(test_scoring_strategy_decides_placement),
        cmocka_unit_test(test_taints_tolerations_and_node_affinity),
        cmocka_unit_test(test_explain_json),
        cmocka_unit_test(test_explain_extended_resource_scores),
        cmocka_unit_test(test_priority_classes),
        cmocka_unit_test(test_preemption),
        cmocka_unit_test(test_preemption_prefers_lowest_priority_victims),
        cmocka_unit_test(test_image_locality),
        cmocka_unit_test(test_extended_resources),
        cmocka_unit_test(test_node_ports),
        cmocka_unit_test(test_unschedulable_pool_flush_timing),
        cmocka_unit_test(test_same_seed_same_datasets_any_thread_count),
        cmocka_unit_test(test_bad_inputs_exit_2_with_position_and_no_output),
        cmocka_unit_test(test_missing_file_and_bad_flags),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_sigint_leaves_readable_incomplete_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
