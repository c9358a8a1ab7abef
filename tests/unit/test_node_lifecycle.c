/* Node failures end to end, against timings worked out by hand from upstream's rules
 * (shared/reference/control-plane.md, section 1 and timeline A): the node lifecycle controller's
 * 5 s monitor and 40 s grace period, the NoExecute taint one pass after Unknown, 0.1 nodes/s per
 * zone (0.01/s in PartialDisruption for zones over 50 nodes), no tainting when every zone is
 * down, the taint eviction controller's 300 s default toleration, and recovery.
 *
 * Every config has constant latencies: API writes commit 10 ms after they are sent, watches
 * deliver 1 ms after a commit. A node's pods are one per node (1 cpu pods on 1 cpu nodes). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tracecheck.h"

/* Runs kubesim on the config at PATH, writing OUT; fails the test when it does not succeed. */
static void run_ok(const char *path, const char *out)
{
    const char *argv[] = {"run", path, "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) fail_msg("kubesim exited %d:\n%s", r.status, r.err);
    ks_test_run_free(&r);
}

/* A cluster of POOLS (name:count:zone, …), one 1-cpu pod per node from a Deployment of REPLICAS,
 * and the scenario ACTIONS (YAML list items), run for DURATION; returns the trace path. */
static const char *run_cluster(const char *name, const char *pools, int replicas, const char *actions,
                               const char *duration)
{
    char cfg[8192], pool_docs[4096] = "";
    char list[512];
    snprintf(list, sizeof list, "%s", pools);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        char pname[64], zone[64];
        int count;
        if (sscanf(tok, "%63[^:]:%d:%63s", pname, &count, zone) != 3) fail_msg("bad pool spec %s", tok);
        size_t len = strlen(pool_docs);
        snprintf(pool_docs + len, sizeof pool_docs - len,
                 "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: %s}\n"
                 "spec: {count: %d, zones: [%s], template: {status: {allocatable: {cpu: \"1\", memory: 4Gi}}}}\n",
                 pname, count, zone);
    }
    snprintf(cfg, sizeof cfg,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: %s}\n"
             "spec: {duration: %s, seed: 7, sampleInterval: 10s}\n"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: constant}\n"
             "spec:\n  apiserver: {writeLatency: 10ms, watchLatency: 1ms}\n"
             "  kubelet: {plegRelistPeriod: 0s, imagePullLatency: 100ms, imagePullBandwidth: {constant: 1G},\n"
             "            containerCreateLatency: 10ms, containerStartLatency: 10ms}\n"
             "  controllerManager: {kubeAPIQPS: 1000, kubeAPIBurst: 1000}\n"
             "%s"
             "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
             "spec:\n  replicas: %d\n  selector: {matchLabels: {app: web}}\n"
             "  template:\n    metadata: {labels: {app: web}}\n"
             "    spec: {containers: [{name: c, image: \"web:1\", resources: {requests: {cpu: \"1\"}}}]}\n"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
             "spec:\n  actions:\n%s",
             name, duration, pool_docs, replicas, actions);
    char file[80];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *path = ks_test_write_file(file, cfg);
    snprintf(file, sizeof file, "%s.h5", name);
    const char *out = ks_test_path(file);
    run_ok(path, out);
    return out;
}

typedef struct events {
    double *time;
    char **reason, **name, **message;
    size_t n;
} events;

static events load_events(const char *out)
{
    events e;
    size_t n1, n2, n3;
    e.time = ks_tc_f64(out, "/events", "time", &e.n);
    e.reason = ks_tc_strings(out, "/events", "reason", &n1);
    e.name = ks_tc_strings(out, "/events", "name", &n2);
    e.message = ks_tc_strings(out, "/events", "message", &n3);
    assert_true(n1 == e.n && n2 == e.n && n3 == e.n);
    return e;
}

static void free_events(events *e)
{
    free(e->time);
    ks_tc_free_strings(e->reason, e->n);
    ks_tc_free_strings(e->name, e->n);
    ks_tc_free_strings(e->message, e->n);
}

/* Times of the events with REASON (and object NAME when not NULL), in order, into T. */
static size_t times_of(const events *e, const char *reason, const char *name, double *t, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < e->n && k < max; i++)
        if (!strcmp(e->reason[i], reason) && (!name || !strcmp(e->name[i], name))) t[k++] = e->time[i];
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool near(double a, double b) { return fabs(a - b) < 1e-6; }

/* One node of four powered off at t0 = 100 s. Its last Lease renewal committed in (90, 100] s;
 * the controller saw it at the next 5 s pass, so Ready goes Unknown at the first pass more than
 * 40 s later: in (130, 150] s, on the 5 s grid (NodeNotReady). The next pass (+5 s) queues the
 * node; the NoExecute tainting pass 100 ms later takes the zone's token and writes the taint
 * (+10 ms commit); the taint eviction controller sees it 1 ms later and deletes the pod at
 * +300 s (DefaultTolerationSeconds): TaintManagerEviction at T_unknown + 5.1 + 0.011 + 300.
 * The ReplicaSet replaces the pod at once; the replacement runs on another node; the old pod
 * stays Terminating, since no kubelet confirms. */
static void test_one_node_powered_off(void **state)
{
    (void)state;
    const char *out = run_cluster("one-node", "general:4:zone-a", 3,
                                  "  - at: 100s\n    failNodes: {names: [general-0]}\n", "20m");
    events e = load_events(out);
    double t[64];
    assert_int_equal(times_of(&e, "NodeNotReady", "general-0", t, 64), 1);
    double unknown = t[0];
    if (!(unknown > 130 && unknown <= 150)) fail_msg("NodeNotReady at %.3f s, want (130, 150]", unknown);
    assert_true(near(fmod(unknown, 5), 0));
    assert_int_equal(times_of(&e, "NodeNotReady", NULL, t, 64), 1); /* no other node */

    /* Which pod ran on general-0 (if any): the Deployment has 3 pods on 4 nodes. */
    size_t n, nn, nd, nr;
    char **pname = ks_tc_strings(out, "/pods", "name", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    char **phase = ks_tc_strings(out, "/pods", "phase", &nd);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &nr);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &nr);
    const char *victim = NULL;
    size_t vi = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(node[i], "general-0") && !isnan(requested[i])) victim = pname[i], vi = i;
    size_t nev = times_of(&e, "TaintManagerEviction", NULL, t, 64);
    if (victim) {
        assert_int_equal(nev, 1);
        if (!near(t[0], unknown + 5.1 + 0.011 + 300)) fail_msg("eviction at %.4f, want %.4f", t[0], unknown + 305.111);
        assert_true(near(requested[vi], t[0] + 0.020)); /* PATCH DisruptionTarget, then DELETE */
        assert_true(isnan(deleted[vi]));                  /* Terminating for good */
        assert_string_equal(phase[vi], "Running");
        /* A replacement: four pods in all, three of them Running off general-0. */
        assert_int_equal(n, 4);
        int running_elsewhere = 0;
        for (size_t i = 0; i < n; i++)
            running_elsewhere += strcmp(node[i], "general-0") && !strcmp(phase[i], "Running") && isnan(requested[i]);
        assert_int_equal(running_elsewhere, 3);
    } else {
        assert_int_equal(nev, 0);
        assert_int_equal(n, 3);
    }
    ks_tc_free_strings(pname, n);
    ks_tc_free_strings(node, nn);
    ks_tc_free_strings(phase, nd);
    free(deleted);
    free(requested);
    /* The failure's record and the summary: detected (NotReady) and tainted, from t0. */
    size_t nf;
    double *notready = ks_tc_f64(out, "/node_failures", "not_ready", &nf);
    double *tainted = ks_tc_f64(out, "/node_failures", "tainted", &nf);
    double *failed = ks_tc_f64(out, "/node_failures", "failed", &nf);
    assert_int_equal(nf, 1);
    assert_true(near(failed[0], 100) && near(notready[0], unknown) && near(tainted[0], unknown + 5.11));
    double detect, taint;
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "detect_p50_s", &detect), 0);
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "taint_p50_s", &taint), 0);
    assert_true(near(detect, unknown - 100) && near(taint, unknown + 5.11 - 100));
    free(notready);
    free(tainted);
    free(failed);
    free_events(&e);
}

/* N nodes went NotReady and N pods (one per node) were evicted, exactly 10 s apart: a Normal
 * zone's limiter (0.1 nodes/s, burst 1) on the 100 ms pass grid, kept 300 s later. */
static void assert_evictions_every_10s(const char *out, size_t n)
{
    events e = load_events(out);
    double t[128];
    assert_int_equal(times_of(&e, "NodeNotReady", NULL, t, 128), n);
    size_t nev = times_of(&e, "TaintManagerEviction", NULL, t, 128);
    assert_int_equal(nev, n);
    qsort(t, nev, sizeof *t, cmp_double);
    for (size_t i = 1; i < nev; i++)
        if (!near(t[i] - t[i - 1], 10)) fail_msg("evictions %zu and %zu are %.3f s apart, want 10", i - 1, i, t[i] - t[i - 1]);
    free_events(&e);
}

/* Ten nodes of a 30-node zone powered off together (a second zone of 30 stays up): the zone is
 * Normal (10/30 < 0.55), so its limiter (0.1 nodes/s, burst 1) spaces the NoExecute taints
 * exactly 10 s apart on the 100 ms pass grid, and the evictions 300 s later keep that spacing. */
static void test_ten_nodes_one_zone(void **state)
{
    (void)state;
    const char *out = run_cluster("ten-nodes", "a:30:zone-a,b:30:zone-b", 60,
                                  "  - at: 100s\n    failNodes: {pool: a, count: 10}\n", "15m");
    assert_evictions_every_10s(out, 10);
}

/* Every zone powered off: "master disruption" — no NoExecute taint, no eviction. */
static void test_every_zone_down(void **state)
{
    (void)state;
    const char *out = run_cluster("all-down", "a:4:zone-a,b:4:zone-b", 8,
                                  "  - at: 100s\n    failNodes: {fraction: 1}\n", "15m");
    events e = load_events(out);
    double t[64];
    assert_int_equal(times_of(&e, "NodeNotReady", NULL, t, 64), 8);
    assert_int_equal(times_of(&e, "TaintManagerEviction", NULL, t, 64), 0);
    free_events(&e);
}

/* 34 of a 60-node zone powered off (57 % >= 0.55, more than 2, zone over 50 nodes): once that
 * many are Unknown the zone is in PartialDisruption and its rate drops to 0.01 nodes/s — the new
 * limiter drained, since the old one was waiting — so the last taints come 100 s apart. Before
 * that, the ones taken at the normal rate were 10 s apart. */
static void test_partial_disruption(void **state)
{
    (void)state;
    const char *out = run_cluster("partial", "a:60:zone-a,b:10:zone-b", 70,
                                  "  - at: 100s\n    failNodes: {pool: a, count: 34}\n", "25m");
    events e = load_events(out);
    double t[128];
    assert_int_equal(times_of(&e, "NodeNotReady", NULL, t, 128), 34);
    size_t nev = times_of(&e, "TaintManagerEviction", NULL, t, 128);
    /* Within 25 minutes: a few at 10 s, then one per 100 s. */
    assert_true(nev >= 5 && nev < 34);
    qsort(t, nev, sizeof *t, cmp_double);
    size_t fast = 0, slow = 0;
    for (size_t i = 1; i < nev; i++) {
        double gap = t[i] - t[i - 1];
        if (near(gap, 10)) fast++;
        else if (near(gap, 100)) slow++;
        else if (!(gap > 10 && gap < 100)) fail_msg("gap %.3f s between evictions %zu and %zu", gap, i - 1, i);
    }
    assert_true(slow >= 5);
    assert_true(near(t[nev - 1] - t[nev - 2], 100));
    (void)fast;
    free_events(&e);
}

/* Half of a 60-node zone (30/60 = 0.5 < 0.55) is not a PartialDisruption: 10 s spacing. */
static void test_half_zone_is_normal(void **state)
{
    (void)state;
    const char *out = run_cluster("half", "a:60:zone-a,b:10:zone-b", 70,
                                  "  - at: 100s\n    failNodes: {pool: a, fraction: 0.5}\n", "20m");
    assert_evictions_every_10s(out, 30);
}

/* A node back before its pods' tolerations run out: NodeReady, the NoExecute taint goes, the
 * scheduled deletions are cancelled, nothing is evicted, and the pods run again. */
static void test_recovery_cancels_evictions(void **state)
{
    (void)state;
    const char *out = run_cluster("recover", "general:4:zone-a", 4,
                                  "  - at: 100s\n    failNodes: {names: [general-1]}\n"
                                  "  - at: 300s\n    recoverNodes: {names: [general-1]}\n",
                                  "15m");
    events e = load_events(out);
    double t[64];
    assert_int_equal(times_of(&e, "NodeNotReady", "general-1", t, 64), 1);
    assert_int_equal(times_of(&e, "NodeReady", "general-1", t, 64), 1);
    assert_true(near(t[0], 300.010)); /* the kubelet's status post commits */
    assert_int_equal(times_of(&e, "TaintManagerEviction", NULL, t, 64), 1);
    size_t n;
    char **msg = ks_tc_strings(out, "/events", "message", &n);
    int cancelled = 0;
    for (size_t i = 0; i < n; i++) cancelled += !strncmp(msg[i], "Cancelling deletion of Pod default/web-", 39);
    assert_int_equal(cancelled, 1);
    ks_tc_free_strings(msg, n);
    size_t np;
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &np);
    assert_int_equal(np, 4);
    for (size_t i = 0; i < np; i++) assert_true(isnan(requested[i]));
    free(requested);
    free_events(&e);
}

/* kubectl drain with a PodDisruptionBudget of minAvailable 3 over a Deployment of 4: two pods
 * on node a, two on b, and a spare node c cordoned until 50 s. Draining a at 60 s cordons it and
 * evicts both pods at once: the first is admitted (4 healthy, 3 required: one disruption), the
 * second gets 429 and kubectl retries every 5 s. The first is replaced on c; once the
 * replacement is Ready the budget allows one more, and the next retry (on the 5 s grid from
 * 60.01 s, the first answer) evicts the second. Ready pods never drop below 3. */
static void test_drain_honours_pdb(void **state)
{
    (void)state;
    const char *cfg =
        "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: drain}\n"
        "spec: {duration: 5m, seed: 3, sampleInterval: 1s}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: constant}\n"
        "spec:\n  apiserver: {writeLatency: 10ms, watchLatency: 1ms}\n"
        "  kubelet: {plegRelistPeriod: 0s, imagePullLatency: 2s, imagePullBandwidth: {constant: 1G},\n"
        "            containerCreateLatency: 10ms, containerStartLatency: 10ms}\n"
        "---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\nstatus: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
        "---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\nstatus: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
        "---\napiVersion: v1\nkind: Node\nmetadata: {name: c}\nspec: {unschedulable: true}\n"
        "status: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: c, image: \"web:1\", resources: {requests: {cpu: \"1\"}}}]}\n"
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
        "spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
        "spec:\n  actions:\n  - at: 50s\n    uncordon: {names: [c]}\n  - at: 60s\n    drain: {names: [a]}\n";
    const char *path = ks_test_write_file("drain.yaml", cfg);
    const char *out = ks_test_path("drain.h5");
    run_ok(path, out);
    size_t n, nn;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &n);
    double *ready = ks_tc_f64(out, "/pods", "ready", &n);
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    assert_int_equal(n, 6); /* 4, and 2 replacements */
    double evicted[2];
    size_t ne = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(requested[i])) {
            assert_string_equal(node[i], "a");
            evicted[ne++] = requested[i];
        }
    assert_int_equal(ne, 2);
    qsort(evicted, 2, sizeof *evicted, cmp_double);
    /* First: the eviction (60 -> 60.01) and the DELETE (60.02). */
    assert_true(near(evicted[0], 60.02));
    /* The replacement of the first: created after it, Ready on c. */
    double first_replacement_ready = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (created[i] > 60 && created[i] < evicted[1] && !strcmp(node[i], "c") && ready[i] < first_replacement_ready)
            first_replacement_ready = ready[i];
    assert_true(first_replacement_ready < evicted[1]);
    /* The second: at the first retry after that, on the 5 s grid from the first answer. */
    double k = ceil((first_replacement_ready - 60.01) / 5 - 1e-9);
    double retry = 60.01 + 5 * k;
    if (!near(evicted[1], retry + 0.02)) fail_msg("second eviction at %.3f, want %.3f", evicted[1], retry + 0.02);
    /* Never fewer than 3 Ready: count at each pod's eviction. */
    for (size_t e = 0; e < 2; e++) {
        int live = 0;
        for (size_t i = 0; i < n; i++)
            live += ready[i] <= evicted[e] && (isnan(requested[i]) || requested[i] >= evicted[e]);
        assert_true(live - 1 >= 3);
    }
    ks_tc_free_strings(node, nn);
    free(requested);
    free(ready);
    free(created);
}

/* A random failure process on a pool of 20: failures after exponential times (mean 1 h), each
 * repaired after exactly 10 minutes. Over 6 hours about 20 x 6 / (1 + 1/6) = 103 failures are
 * expected; every finished one lasts 600 s, and a node's failures never overlap. */
static void test_random_failures(void **state)
{
    (void)state;
    const char *cfg =
        "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: flaky}\n"
        "spec: {duration: 6h, seed: 11, sampleInterval: 1m}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: general}\n"
        "spec: {count: 20, template: {status: {allocatable: {cpu: \"4\", memory: 8Gi}}}}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: flaky}\n"
        "spec:\n  randomFailures:\n  - {pool: general, timeBetweenFailures: {exponential: {mean: 1h}}, timeToRepair: 10m}\n";
    const char *path = ks_test_write_file("flaky.yaml", cfg);
    const char *out = ks_test_path("flaky.h5");
    run_ok(path, out);
    size_t n, nn;
    double *failed = ks_tc_f64(out, "/node_failures", "failed", &n);
    double *recovered = ks_tc_f64(out, "/node_failures", "recovered", &n);
    char **node = ks_tc_strings(out, "/node_failures", "node", &nn);
    if (n < 70 || n > 140) fail_msg("%zu failures in 6 h, expected about 103", n);
    for (size_t i = 0; i < n; i++) {
        if (isnan(recovered[i])) assert_true(failed[i] > 6 * 3600 - 600);
        else assert_true(near(recovered[i] - failed[i], 600));
        for (size_t j = 0; j < i; j++)
            if (!strcmp(node[i], node[j]))
                assert_true(failed[i] >= recovered[j] || failed[j] >= recovered[i]);
    }
    free(failed);
    free(recovered);
    ks_tc_free_strings(node, nn);
}

/* The failure modes seen from the pods: one node of four fails at 100 s and comes back at 200 s,
 * before any eviction. After a power off its pod's container starts again (restart count 1);
 * after a kubelet hang or a partition the container ran on (restart count 0). Either way the
 * node went NotReady and came back Ready, and no pod was replaced. */
static void check_mode(const char *mode, uint32_t want_restarts)
{
    char name[64], actions[256];
    snprintf(name, sizeof name, "mode-%c%s", mode[0], mode[1] == 'o' ? "off" : mode[1] == 'u' ? "hang" : "part");
    snprintf(actions, sizeof actions,
             "  - at: 100s\n    failNodes: {names: [general-2], mode: %s}\n"
             "  - at: 200s\n    recoverNodes: {names: [general-2]}\n",
             mode);
    const char *out = run_cluster(name, "general:4:zone-a", 4, actions, "10m");
    events e = load_events(out);
    double t[8];
    assert_int_equal(times_of(&e, "NodeNotReady", "general-2", t, 8), 1);
    assert_int_equal(times_of(&e, "NodeReady", "general-2", t, 8), 1);
    assert_int_equal(times_of(&e, "TaintManagerEviction", NULL, t, 8), 1); /* scheduled, then cancelled */
    free_events(&e);
    size_t n, nn, nr;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    int64_t *restarts = ks_tc_i64(out, "/pods", "restarts", &nr);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &n);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_true(isnan(requested[i]));
        assert_int_equal(restarts[i], strcmp(node[i], "general-2") ? 0 : want_restarts);
    }
    int64_t ready_end = -1;
    size_t ns;
    int64_t *ready = ks_tc_i64(out, "/cluster_series", "pods_ready", &ns);
    ready_end = ready[ns - 1];
    assert_int_equal(ready_end, 4);
    free(ready);
    ks_tc_free_strings(node, nn);
    free(restarts);
    free(requested);
}

static void test_failure_modes(void **state)
{
    (void)state;
    check_mode("powerOff", 1);
    check_mode("kubeletHang", 0);
    check_mode("partition", 0);
}

/* Scenario addNodes: 6 one-cpu pods on 3 one-cpu nodes leave 3 Pending; 2 nodes join the pool at
 * 60 s (general-3, general-4: RegisteredNode), the scheduler moves the Pending pods (NodeAdd) and
 * places two, and the new nodes' kubelets keep their Leases fresh: no NodeNotReady in 10 min. */
static void test_add_nodes(void **state)
{
    (void)state;
    const char *out = run_cluster("add-nodes", "general:3:zone-a", 6, "  - at: 60s\n    addNodes: {pool: general, count: 2}\n",
                                  "10m");
    events e = load_events(out);
    double t[8];
    assert_int_equal(times_of(&e, "RegisteredNode", "general-3", t, 8), 1);
    assert_true(near(t[0], 60));
    assert_int_equal(times_of(&e, "RegisteredNode", "general-4", t, 8), 1);
    assert_int_equal(times_of(&e, "NodeNotReady", NULL, t, 8), 0);
    free_events(&e);
    size_t n, nn;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    double *scheduled = ks_tc_f64(out, "/pods", "scheduled", &n);
    int on_new = 0, pending = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(node[i], "general-3") || !strcmp(node[i], "general-4")) {
            on_new++;
            assert_true(scheduled[i] > 60);
        }
        pending += !node[i][0];
    }
    assert_int_equal(on_new, 2);
    assert_int_equal(pending, 1);
    size_t nnodes;
    char **names = ks_tc_strings(out, "/nodes", "name", &nnodes);
    assert_int_equal(nnodes, 5);
    ks_tc_free_strings(names, nnodes);
    ks_tc_free_strings(node, nn);
    free(scheduled);
}

/* Scenario create and delete: Pod "late" is created at 30 s (its created time) and runs; Pod
 * "early", Running since the start, gets its DELETE at 60 s and is gone shortly after; Deployment
 * "later", created at 90 s, has its two pods created after that, and deleted at 150 s takes them
 * with it (the garbage collector), none replaced; Job "batch", created at 160 s, completes; Job
 * "long" is deleted at 170 s and its pod with it. */
static void test_create_and_delete(void **state)
{
    (void)state;
    const char *out = ks_test_path("create-delete.h5");
    run_ok(ks_test_source_path("tests/configs/scenario-create-delete.yaml"), out);
    size_t n, nn, np;
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &n);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 6);
    int later = 0, batch = 0, lng = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(name[i], "later-", 6)) { /* the Deployment's pods, after its creation, gone with it */
            assert_true(created[i] > 90 && created[i] < 91);
            assert_true(requested[i] > 150 && requested[i] < 151);
            assert_true(deleted[i] > requested[i]);
            later++;
        } else if (!strncmp(name[i], "batch-", 6)) { /* the Job created at 160 s ran to completion */
            assert_true(created[i] > 160 && created[i] < 161);
            assert_string_equal(phase[i], "Succeeded");
            batch++;
        } else if (!strncmp(name[i], "long-", 5)) { /* Job "long", deleted at 170 s: its pod goes */
            assert_true(requested[i] > 170 && requested[i] < 171);
            lng++;
        } else if (!strcmp(name[i], "late")) {
            assert_true(near(created[i], 30));
            assert_string_equal(phase[i], "Running");
            assert_true(isnan(requested[i]));
        } else {
            assert_string_equal(name[i], "early");
            assert_true(requested[i] >= 60 && requested[i] < 61);
            assert_true(deleted[i] > requested[i] && deleted[i] < 65);
        }
    }
    assert_int_equal(later, 2);
    assert_int_equal(batch, 1);
    assert_int_equal(lng, 1);
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(phase, np);
    free(created);
    free(requested);
    free(deleted);
}

/* Random failure timelines: small clusters, Deployments with a PDB, and random sequences of every
 * node action (failures in all modes, recoveries, cordons, drains, taints, added and deleted nodes,
 * random failures). Each run must succeed, keep its series consistent (Ready pods never more than
 * pods, NotReady nodes never more than nodes, counts never negative) and be byte-identical when
 * run again with the same seed. */
static void test_random_timelines(void **state)
{
    (void)state;
    static const char *const modes[] = {"powerOff", "kubeletHang", "partition", "runtimeDown"};
    srand(12345);
    for (int run = 0; run < 12; run++) {
        char actions[4096] = "";
        int t = 20;
        for (int k = 0; k < 10; k++) {
            size_t len = strlen(actions);
            t += 10 + rand() % 120;
            int node = rand() % 8;
            switch (rand() % 11) {
            case 10:
                snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    delete: {kind: Service, name: web}\n", t);
                break;
            case 9:
                snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    delete: {kind: Node, name: p-%d}\n", t, node);
                break;
            case 0:
            case 1:
                snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    failNodes: {names: [p-%d], mode: %s}\n", t,
                         node, modes[rand() % 4]);
                break;
            case 2: snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    recoverNodes: {fraction: 1}\n", t); break;
            case 3: snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    cordon: {names: [p-%d]}\n", t, node); break;
            case 4: snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    uncordon: {zone: zone-a}\n", t); break;
            case 5: snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    drain: {names: [p-%d]}\n", t, node); break;
            case 6:
                snprintf(actions + len, sizeof actions - len,
                         "  - at: %ds\n    taint: {count: 2, key: dedicated, value: x, effect: %s}\n", t,
                         rand() % 2 ? "NoExecute" : "NoSchedule");
                break;
            case 7: snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    untaint: {fraction: 1, key: dedicated}\n", t); break;
            default:
                snprintf(actions + len, sizeof actions - len, "  - at: %ds\n    addNodes: {pool: p, count: 1}\n", t);
                break;
            }
        }
        char cfg[8192];
        snprintf(cfg, sizeof cfg,
                 "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: random}\n"
                 "spec: {duration: 30m, seed: %d, sampleInterval: 5s}\n"
                 "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\n"
                 "spec: {count: 8, zones: [zone-a, zone-b], template: {status: {allocatable: {cpu: \"4\", memory: 8Gi}}}}\n"
                 "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                 "spec:\n  replicas: %d\n  selector: {matchLabels: {app: web}}\n"
                 "  template:\n    metadata: {labels: {app: web}}\n"
                 "    spec: {containers: [{name: c, image: \"web:1\", resources: {requests: {cpu: \"1\"}}}]}\n"
                 "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
                 "spec: {minAvailable: 50%%, selector: {matchLabels: {app: web}}}\n"
                 "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                 "spec: {selector: {app: web}, ports: [{port: 80}]}\n"
                 "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
                 "spec:\n  randomFailures:\n  - {pool: p, timeBetweenFailures: {exponential: {mean: 2h}}, timeToRepair: 5m}\n"
                 "  actions:\n%s",
                 run + 1, 8 + rand() % 24, actions);
        const char *path = ks_test_write_file("random-timeline.yaml", cfg);
        const char *out[2] = {ks_test_path("random-a.h5"), ks_test_path("random-b.h5")};
        for (int k = 0; k < 2; k++) {
            const char *argv[] = {"run", path, "-o", out[k], "-q", NULL};
            ks_test_run r = ks_test_kubesim(argv);
            if (r.status != 0) fail_msg("run %d: kubesim exited %d:\n%s\n%s", run, r.status, r.err, cfg);
            ks_test_run_free(&r);
        }
        char why[512];
        if (ks_tc_compare_datasets(out[0], out[1], why, sizeof why) != 0) fail_msg("run %d: not reproducible: %s", run, why);
        size_t n;
        int64_t *pods = ks_tc_i64(out[0], "/cluster_series", "pods", &n);
        int64_t *ready = ks_tc_i64(out[0], "/cluster_series", "pods_ready", &n);
        int64_t *nodes = ks_tc_i64(out[0], "/cluster_series", "nodes", &n);
        int64_t *not_ready = ks_tc_i64(out[0], "/cluster_series", "nodes_not_ready", &n);
        int64_t *pending = ks_tc_i64(out[0], "/cluster_series", "pending", &n);
        for (size_t i = 0; i < n; i++)
            if (ready[i] < 0 || ready[i] > pods[i] || not_ready[i] < 0 || not_ready[i] > nodes[i] || pending[i] < 0)
                fail_msg("run %d sample %zu: pods %lld ready %lld nodes %lld not ready %lld pending %lld\n%s", run, i,
                         (long long)pods[i], (long long)ready[i], (long long)nodes[i], (long long)not_ready[i],
                         (long long)pending[i], cfg);
        free(pods);
        free(ready);
        free(nodes);
        free(not_ready);
        free(pending);
    }
}

/* A node added during the run gets a kube-proxy: it syncs in full when it joins and programs the
 * endpoint changes that come after (the Deployment scaled up at 120 s). */
static void test_added_node_kube_proxy(void **state)
{
    (void)state;
    const char *cfg =
        "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: proxy-add}\n"
        "spec: {duration: 5m, seed: 5, sampleInterval: 10s}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: p}\n"
        "spec: {count: 3, template: {status: {allocatable: {cpu: \"8\", memory: 16Gi}}}}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: c, image: \"web:1\", resources: {requests: {cpu: \"1\"}}}]}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"
        "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
        "spec:\n  actions:\n  - at: 60s\n    addNodes: {pool: p, count: 1}\n"
        "  - at: 120s\n    scale: {deployment: web, replicas: 6}\n";
    const char *path = ks_test_write_file("proxy-add.yaml", cfg);
    const char *out = ks_test_path("proxy-add.h5");
    run_ok(path, out);
    size_t n, nn;
    char **node = ks_tc_strings(out, "/kube_proxy", "node", &nn);
    int64_t *full = ks_tc_i64(out, "/kube_proxy", "full_syncs", &n);
    int64_t *programmed = ks_tc_i64(out, "/kube_proxy", "changes_programmed", &n);
    assert_int_equal(n, 4);
    assert_string_equal(node[3], "p-3");
    assert_true(full[3] >= 1);
    assert_true(programmed[3] >= 3);            /* the three new endpoints becoming ready */
    assert_true(programmed[3] < programmed[0]); /* not the first three, from before it joined */
    ks_tc_free_strings(node, nn);
    free(full);
    free(programmed);
}

/* A dead node's Node object deleted at 200 s (RemovingNode): PodGC, passing every 20 s, finds its
 * pod orphaned at 240 s (40 s of quarantine), marks it Failed and force-deletes it (10 ms each);
 * the ReplicaSet's replacement finds no room on the 3 nodes left — the scheduler no longer counts
 * the deleted one: "0/3 nodes are available". */
static void test_node_deleted_podgc(void **state)
{
    (void)state;
    const char *out = run_cluster("deleted", "general:4:zone-a", 4,
                                  "  - at: 100s\n    failNodes: {names: [general-0]}\n"
                                  "  - at: 200s\n    delete: {kind: Node, name: general-0}\n",
                                  "6m");
    events e = load_events(out);
    double t[8];
    assert_int_equal(times_of(&e, "RemovingNode", "general-0", t, 8), 1);
    assert_true(near(t[0], 200));
    assert_int_equal(times_of(&e, "TaintManagerEviction", NULL, t, 8), 0); /* PodGC came first */
    bool found = false;
    for (size_t i = 0; i < e.n; i++)
        found |= !strcmp(e.reason[i], "FailedScheduling") &&
                 !strcmp(e.message[i], "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
                                       "available: 3 No preemption victims found for incoming pod.");
    assert_true(found);
    free_events(&e);
    size_t n, nn;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 5);
    int gone = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(node[i], "general-0")) {
            assert_true(near(deleted[i], 240.02));
            gone++;
        }
    assert_int_equal(gone, 1);
    size_t ns;
    int64_t *nodes = ks_tc_i64(out, "/cluster_series", "nodes", &ns);
    assert_int_equal(nodes[ns - 1], 3);
    free(nodes);
    ks_tc_free_strings(node, nn);
    free(deleted);
}

/* A node's container runtime goes down at 100 s: the kubelet lives on, renews its Lease and at
 * its next status update (every 10 s) posts Ready=False — NodeNotReady from the kubelet, in
 * (100, 110.01] s. The node lifecycle controller taints it not-ready:NoSchedule, and at its next
 * pass queues it: not-ready:NoExecute 100 ms later (+10 ms commit), the pod's deletion 300 s
 * after the taint eviction controller sees it (+1 ms). The kubelet is alive, so the evicted pod
 * really goes, unlike on a dead node; there is never an Unknown. */
static void test_runtime_down(void **state)
{
    (void)state;
    const char *out = run_cluster("runtime-down", "general:4:zone-a", 4,
                                  "  - at: 100s\n    failNodes: {names: [general-1], mode: runtimeDown}\n", "10m");
    events e = load_events(out);
    size_t ns;
    char **source = ks_tc_strings(out, "/events", "source", &ns);
    double nr = -1, evict = -1;
    for (size_t i = 0; i < e.n; i++) {
        if (!strcmp(e.reason[i], "NodeNotReady")) {
            assert_string_equal(e.name[i], "general-1");
            assert_string_equal(source[i], "kubelet");
            assert_true(nr < 0);
            nr = e.time[i];
        }
        if (!strcmp(e.reason[i], "TaintManagerEviction")) evict = e.time[i];
    }
    if (!(nr > 100 && nr <= 110.01 + 1e-9)) fail_msg("NodeNotReady at %.3f", nr);
    double pass = ceil(nr / 5) * 5;
    if (!near(evict, pass + 0.111 + 300)) fail_msg("eviction at %.4f, want %.4f", evict, pass + 300.111);
    ks_tc_free_strings(source, ns);
    free_events(&e);
    size_t n, nn;
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 5);
    int gone = 0;
    for (size_t i = 0; i < n; i++) gone += !strcmp(node[i], "general-1") && !isnan(deleted[i]);
    assert_int_equal(gone, 1);
    ks_tc_free_strings(node, nn);
    free(deleted);
}

/* Scenario create and delete of a Service: created at 60 s, its EndpointSlice (one create) holds
 * the Deployment's 4 Ready pods within a second and every kube-proxy programs them; deleted at
 * 120 s, the slice goes (one delete). */
static void test_service_create_delete(void **state)
{
    (void)state;
    const char *out = ks_test_path("scenario-service.h5");
    run_ok(ks_test_source_path("tests/configs/scenario-service.yaml"), out);
    size_t n, nn;
    char **name = ks_tc_strings(out, "/services", "name", &nn);
    int64_t *creates = ks_tc_i64(out, "/services", "slice_creates", &n);
    int64_t *deletes = ks_tc_i64(out, "/services", "slice_deletes", &n);
    int64_t *endpoints = ks_tc_i64(out, "/services", "endpoints", &n);
    assert_int_equal(n, 2);
    assert_string_equal(name[1], "web");
    assert_int_equal(creates[1], 1);
    assert_int_equal(deletes[1], 1);
    assert_int_equal(endpoints[1], 0);
    size_t ns;
    double *t = ks_tc_f64(out, "/network_series", "time", &ns);
    int64_t *ready = ks_tc_i64(out, "/network_series", "ready_endpoints", &ns);
    for (size_t i = 0; i < ns; i++) {
        if (t[i] <= 60) assert_int_equal(ready[i], 0);
        else if (t[i] >= 65 && t[i] <= 120) assert_int_equal(ready[i], 4);
        else if (t[i] >= 125) assert_int_equal(ready[i], 0);
    }
    double p50;
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "network_programming_p50_s", &p50), 0);
    assert_true(p50 > 0 && p50 < 1.5);
    ks_tc_free_strings(name, nn);
    free(creates);
    free(deletes);
    free(endpoints);
    free(t);
    free(ready);
}

/* PodDisruptionBudgets created and deleted by a Scenario: the drain of the earlier test with the
 * PDB created at 55 s behaves the same (one eviction at once, the other after the replacement is
 * Ready); with the PDB deleted at 58 s both pods are evicted at once (60.02 s). */
static void drain_with(const char *name, const char *pdb_doc, const char *extra_actions, bool limited)
{
    char cfg[4096];
    snprintf(cfg, sizeof cfg,
             "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: %s}\n"
             "spec: {duration: 5m, seed: 3, sampleInterval: 1s}\n"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: constant}\n"
             "spec:\n  apiserver: {writeLatency: 10ms, watchLatency: 1ms}\n"
             "  kubelet: {plegRelistPeriod: 0s, imagePullLatency: 2s, imagePullBandwidth: {constant: 1G},\n"
             "            containerCreateLatency: 10ms, containerStartLatency: 10ms}\n"
             "---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\nstatus: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
             "---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\nstatus: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
             "---\napiVersion: v1\nkind: Node\nmetadata: {name: c}\nspec: {unschedulable: true}\n"
             "status: {allocatable: {cpu: \"2\", memory: 4Gi}}\n"
             "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
             "spec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n"
             "  template:\n    metadata: {labels: {app: web}}\n"
             "    spec: {containers: [{name: c, image: \"web:1\", resources: {requests: {cpu: \"1\"}}}]}\n"
             "%s"
             "---\napiVersion: kubesim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
             "spec:\n  actions:\n%s  - at: 50s\n    uncordon: {names: [c]}\n  - at: 60s\n    drain: {names: [a]}\n",
             name, pdb_doc, extra_actions);
    char file[64];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *path = ks_test_write_file(file, cfg);
    snprintf(file, sizeof file, "%s.h5", name);
    const char *out = ks_test_path(file);
    run_ok(path, out);
    size_t n;
    double *requested = ks_tc_f64(out, "/pods", "deletion_requested", &n);
    double evicted[2];
    size_t ne = 0;
    for (size_t i = 0; i < n && ne < 2; i++)
        if (!isnan(requested[i])) evicted[ne++] = requested[i];
    assert_int_equal(ne, 2);
    qsort(evicted, 2, sizeof *evicted, cmp_double);
    assert_true(near(evicted[0], 60.02));
    if (limited) assert_true(evicted[1] > 62);
    else assert_true(near(evicted[1], 60.02));
    free(requested);
}

static void test_pdb_create_and_delete(void **state)
{
    (void)state;
    static const char *const pdb = "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
                                   "spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}\n";
    drain_with("pdb-created", "",
               "  - at: 55s\n    create: {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: web}, "
               "spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}}\n",
               true);
    drain_with("pdb-deleted", pdb, "  - at: 58s\n    delete: {kind: PodDisruptionBudget, name: web}\n", false);
    drain_with("pdb-kept", pdb, "", true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_node_powered_off), cmocka_unit_test(test_ten_nodes_one_zone),
        cmocka_unit_test(test_every_zone_down),      cmocka_unit_test(test_partial_disruption),
        cmocka_unit_test(test_half_zone_is_normal),  cmocka_unit_test(test_recovery_cancels_evictions),
        cmocka_unit_test(test_drain_honours_pdb),    cmocka_unit_test(test_random_failures),
        cmocka_unit_test(test_failure_modes),        cmocka_unit_test(test_add_nodes),
        cmocka_unit_test(test_create_and_delete),     cmocka_unit_test(test_random_timelines),
        cmocka_unit_test(test_added_node_kube_proxy), cmocka_unit_test(test_node_deleted_podgc),
        cmocka_unit_test(test_runtime_down),         cmocka_unit_test(test_service_create_delete),
        cmocka_unit_test(test_pdb_create_and_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
