/* test_jobs.c — the Job controller end to end, through the kubesim binary, against times worked
 * out by hand from upstream's rules (pkg/controller/job/job_controller.go, backoff_utils.go,
 * pkg/controller/ttlafterfinished): pod-failure back-off and backoffLimit, completions with
 * parallelism, Indexed Jobs, activeDeadlineSeconds, ttlSecondsAfterFinished, and the bad inputs a
 * Job can have. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"
#include "tracecheck.h"

static void assert_close(double got, double want, const char *what)
{
    if (!(fabs(got - want) < 1e-6)) fail_msg("%s: got %.9f s, want %.9f s", what, got, want);
}

static void run_ok(const char *cfg, const char *out, const char *until)
{
    const char *argv[] = {"run", cfg, "-o", out, "-q", "--until", until, NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) print_message("kubesim exited %d\nstderr:\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
}

/* Constant latencies (API write 10 ms, watch 1 ms, instant runtime, PLEG off), one node with the
 * image, then the Job documents of the test. */
static const char *write_config(const char *name, const char *jobs)
{
    static const char head[] =
        "apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: constant}\nspec:\n"
        "  apiserver: {writeLatency: 10ms, watchLatency: 1ms}\n"
        "  kubelet: {containerCreateLatency: 0s, containerStartLatency: 0s, containerStopLatency: 100ms, "
        "plegRelistPeriod: 0s}\n"
        "  scheduler: {cycleCost: 100us, perNodeCost: 500ns, perScoredNodeCost: 500ns}\n"
        "---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
        "status: {allocatable: {cpu: \"8\", memory: 16Gi}, images: [{names: [\"w:1\"], sizeBytes: 1000000}]}\n";
    size_t len = strlen(head) + strlen(jobs) + 8;
    char *text = malloc(len);
    snprintf(text, len, "%s---\n%s", head, jobs);
    char file[128];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *path = ks_test_write_file(file, text);
    free(text);
    return path;
}

/* The Job events of the trace, in order: "Reason: message" strings (malloc'd array). */
static char **job_events(const char *out, size_t *n)
{
    size_t nk = 0, nr = 0, nm = 0;
    char **kind = ks_tc_strings(out, "/events", "kind", &nk);
    char **reason = ks_tc_strings(out, "/events", "reason", &nr);
    char **msg = ks_tc_strings(out, "/events", "message", &nm);
    char **ev = calloc(nk + 1, sizeof *ev);
    size_t k = 0;
    for (size_t i = 0; i < nk; i++) {
        if (strcmp(kind[i], "Job")) continue;
        size_t len = strlen(reason[i]) + strlen(msg[i]) + 3;
        ev[k] = malloc(len);
        snprintf(ev[k++], len, "%s: %s", reason[i], msg[i]);
    }
    ks_tc_free_strings(kind, nk);
    ks_tc_free_strings(reason, nr);
    ks_tc_free_strings(msg, nm);
    *n = k;
    return ev;
}

static size_t count_prefix(char **ev, size_t n, const char *prefix)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += strncmp(ev[i], prefix, strlen(prefix)) == 0;
    return k;
}

static void free_events(char **ev, size_t n)
{
    for (size_t i = 0; i < n; i++) free(ev[i]);
    free(ev);
}

/* The string column COL of /jobs row 0. */
static void assert_job_string(const char *out, const char *col, const char *want)
{
    size_t n = 0;
    char **v = ks_tc_strings(out, "/jobs", col, &n);
    assert_non_null(v);
    assert_true(n >= 1);
    assert_string_equal(v[0], want);
    ks_tc_free_strings(v, n);
}

static int64_t job_int(const char *out, const char *col)
{
    size_t n = 0;
    int64_t *v = ks_tc_i64(out, "/jobs", col, &n);
    assert_non_null(v);
    int64_t x = v[0];
    free(v);
    return x;
}

static double job_f64(const char *out, const char *col)
{
    size_t n = 0;
    double *v = ks_tc_f64(out, "/jobs", col, &n);
    assert_non_null(v);
    double x = v[0];
    free(v);
    return x;
}

/* Upstream's defaulting (pkg/apis/batch/v1/defaults.go SetDefaults_Job): completions and
 * parallelism 1 when both are unset, completions unset (a work queue) when only parallelism is
 * set, parallelism 1 when only completions is set; backoffLimit 6, NonIndexed, no deadline, no
 * TTL; the pod annotations give the template's run time and exit code; the template gets the
 * job-name and controller-uid labels (pkg/registry/batch/job/strategy.go generateSelector). */
static void test_job_defaults(void **state)
{
    (void)state;
    const char *path = ks_test_write_file("defaults.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: plain}\nspec:\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 30s, kubesim.io/exit-code: \"4\"}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n"
        "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: queue, namespace: q}\nspec:\n  parallelism: 4\n"
        "  template:\n    spec: {restartPolicy: OnFailure, containers: [{name: w, image: \"w:1\"}]}\n"
        "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: fixed}\nspec:\n  completions: 9\n"
        "  completionMode: Indexed\n  backoffLimit: 0\n  activeDeadlineSeconds: 100\n  ttlSecondsAfterFinished: 0\n"
        "  suspend: true\n  template:\n    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *paths[] = {path};
    ks_config cfg;
    assert_int_equal(ks_config_load(&cfg, paths, 1, stderr), 0);
    assert_int_equal(cfg.njobs, 3);
    const ks_job_spec *j = &cfg.jobs[0];
    assert_string_equal(j->name, "plain");
    assert_string_equal(j->namespace, "default");
    assert_int_equal(j->completions, 1);
    assert_int_equal(j->parallelism, 1);
    assert_int_equal(j->backoff_limit, 6);
    assert_int_equal(j->completion_mode, KS_COMPLETION_NON_INDEXED);
    assert_true(j->active_deadline_s == -1 && j->ttl_after_finished_s == -1 && !j->suspend);
    assert_false(j->template.runs_forever);
    assert_int_equal(j->template.exit_code, 4);
    assert_int_equal(j->template.restart_policy, KS_RESTART_NEVER);
    /* generateSelector's labels on the template */
    assert_string_equal(ks_labels_get(&j->template.labels, "job-name"), "plain");
    assert_string_equal(ks_labels_get(&j->template.labels, "batch.kubernetes.io/job-name"), "plain");
    const char *uid = ks_labels_get(&j->template.labels, "controller-uid");
    assert_non_null(uid);
    assert_int_equal(strlen(uid), 36);
    assert_string_equal(ks_labels_get(&j->template.labels, "batch.kubernetes.io/controller-uid"), uid);
    j = &cfg.jobs[1];
    assert_string_equal(j->namespace, "q");
    assert_int_equal(j->completions, -1);
    assert_int_equal(j->parallelism, 4);
    assert_true(j->template.runs_forever);
    j = &cfg.jobs[2];
    assert_int_equal(j->completions, 9);
    assert_int_equal(j->parallelism, 1);
    assert_int_equal(j->completion_mode, KS_COMPLETION_INDEXED);
    assert_int_equal(j->backoff_limit, 0);
    assert_true(j->active_deadline_s == 100 && j->ttl_after_finished_s == 0 && j->suspend);
    ks_config_free(&cfg);
}

/* tests/configs/job-backoff.yaml (the arithmetic is in its comment): the first pod commits at
 * 11 ms, every pod fails 5.0121005 s after its creation, each retry commits 10, 20, 40, 80, 160,
 * 320 s (+ the 10 ms write) after the previous failure, and the 7th failure fails the Job with
 * BackoffLimitExceeded 1.021 s later; no pod follows. */
static void test_backoff_limit_exceeded(void **state)
{
    (void)state;
    const char *out = ks_test_path("job-backoff.h5");
    run_ok(ks_test_source_path("tests/configs/job-backoff.yaml"), out, "15m");
    size_t n = 0, nf = 0, nn = 0, np = 0;
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *finished = ks_tc_f64(out, "/pods", "finished", &nf);
    char **name = ks_tc_strings(out, "/pods", "name", &nn);
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    assert_int_equal(n, 7);
    const double delay[] = {10, 20, 40, 80, 160, 320};
    double want_created = 0.011;
    for (size_t k = 0; k < n; k++) {
        char what[64];
        snprintf(what, sizeof what, "pod %zu created", k);
        assert_close(created[k], want_created, what);
        snprintf(what, sizeof what, "pod %zu finished", k);
        assert_close(finished[k], want_created + 5.0121005, what);
        assert_string_equal(phase[k], "Failed");
        /* generateName "<job>-" and 5 characters of upstream's alphabet */
        assert_int_equal(strlen(name[k]), strlen("flaky-") + 5);
        assert_memory_equal(name[k], "flaky-", 6);
        assert_true(strspn(name[k] + 6, "bcdfghjklmnpqrstvwxz2456789") == 5);
        if (k < 6) want_created = want_created + 5.0121005 + delay[k] + 0.010;
    }
    size_t ne = 0;
    char **ev = job_events(out, &ne);
    assert_int_equal(ne, 8);
    for (size_t k = 0; k < 7; k++) {
        char want[64];
        snprintf(want, sizeof want, "SuccessfulCreate: Created pod: %s", name[k]);
        assert_string_equal(ev[k], want);
    }
    assert_string_equal(ev[7], "BackoffLimitExceeded: Job has reached the specified backoff limit");
    /* the condition at the sync (F7 + 11 ms + 1 s), the event when its write commits (+10 ms) */
    assert_close(job_f64(out, "finished"), finished[6] + 1.011, "Failed condition");
    size_t nt = 0;
    double *t = ks_tc_f64(out, "/events", "time", &nt);
    assert_close(t[nt - 1], finished[6] + 1.021, "BackoffLimitExceeded event");
    free(t);
    assert_job_string(out, "condition", "Failed");
    assert_job_string(out, "reason", "BackoffLimitExceeded");
    assert_int_equal(job_int(out, "failed"), 7);
    assert_int_equal(job_int(out, "succeeded"), 0);
    assert_close(job_f64(out, "start_time"), 0.001, "startTime");
    assert_true(isnan(job_f64(out, "completion_time")));
    int64_t v = 0;
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "jobs_failed", &v), 0);
    assert_int_equal(v, 1);
    free_events(ev, ne);
    free(created);
    free(finished);
    ks_tc_free_strings(name, nn);
    ks_tc_free_strings(phase, np);
}

/* With backoffLimit 8 the 7th retry would wait 10 s x 2^6 = 640 s: MaxJobPodFailureBackOff caps
 * it at 600 s (pkg/controller/job/job_controller.go). */
static void test_backoff_cap(void **state)
{
    (void)state;
    const char *cfg = write_config("cap",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: capped}\n"
        "spec:\n  backoffLimit: 8\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 1s, kubesim.io/exit-code: \"1\"}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("cap.h5");
    run_ok(cfg, out, "40m");
    size_t n = 0, nf = 0;
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *finished = ks_tc_f64(out, "/pods", "finished", &nf);
    assert_int_equal(n, 9);
    const double delay[] = {10, 20, 40, 80, 160, 320, 600, 600};
    for (size_t k = 1; k < n; k++) {
        char what[64];
        snprintf(what, sizeof what, "retry %zu", k);
        assert_close(created[k] - finished[k - 1], delay[k - 1] + 0.010, what);
    }
    assert_job_string(out, "reason", "BackoffLimitExceeded");
    free(created);
    free(finished);
}

/* completions 5, parallelism 2, pods that succeed after 10 s: never more than 2 pods at once, 5
 * successes, Complete ("Completed: Job completed") and the completion time in the summary. */
static void test_completions_with_parallelism(void **state)
{
    (void)state;
    const char *cfg = write_config("parallel",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: batch}\n"
        "spec:\n  completions: 5\n  parallelism: 2\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 10s}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("parallel.h5");
    run_ok(cfg, out, "5m");
    size_t n = 0, nf = 0, np = 0;
    double *created = ks_tc_f64(out, "/pods", "created", &n);
    double *finished = ks_tc_f64(out, "/pods", "finished", &nf);
    char **phase = ks_tc_strings(out, "/pods", "phase", &np);
    assert_int_equal(n, 5);
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(phase[k], "Succeeded");
        int alive = 0; /* pods created and not finished when pod k was created */
        for (size_t i = 0; i < n; i++) alive += created[i] <= created[k] && finished[i] > created[k];
        assert_true(alive <= 2);
    }
    /* Slow start: the first pod at 11 ms, the second one batch later at 21 ms. */
    assert_close(created[0], 0.011, "first pod");
    assert_close(created[1], 0.021, "second pod");
    size_t ne = 0;
    char **ev = job_events(out, &ne);
    assert_int_equal(count_prefix(ev, ne, "SuccessfulCreate: Created pod: batch-"), 5);
    assert_string_equal(ev[ne - 1], "Completed: Job completed");
    free_events(ev, ne);
    assert_job_string(out, "condition", "Complete");
    assert_int_equal(job_int(out, "succeeded"), 5);
    assert_int_equal(job_int(out, "failed"), 0);
    double last = 0;
    for (size_t k = 0; k < n; k++) last = finished[k] > last ? finished[k] : last;
    double done = job_f64(out, "completion_time");
    /* last success reported (10 ms) and seen (1 ms), then the 1 s batch period */
    assert_close(done, last + 1.011, "completionTime");
    double p50 = 0;
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "job_completion_p50_s", &p50), 0);
    assert_close(p50, done - 0.001, "summary p50");
    free(created);
    free(finished);
    ks_tc_free_strings(phase, np);
}

/* An Indexed Job: each index 0..2 gets one pod named "<job>-<index>-<5 chars>"; a Job whose pods
 * fail retries the failed index itself. */
static void test_indexed_job(void **state)
{
    (void)state;
    const char *cfg = write_config("indexed",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: idx}\n"
        "spec:\n  completions: 3\n  parallelism: 2\n  completionMode: Indexed\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 10s}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n"
        "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: bad}\n"
        "spec:\n  completions: 2\n  parallelism: 1\n  backoffLimit: 1\n  completionMode: Indexed\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 1s, kubesim.io/exit-code: \"3\"}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("indexed.h5");
    run_ok(cfg, out, "5m");
    size_t n = 0, no = 0;
    char **name = ks_tc_strings(out, "/pods", "name", &n);
    char **owner = ks_tc_strings(out, "/pods", "owner", &no);
    int idx_seen[3] = {0}, bad = 0;
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(owner[k], "Job/idx")) {
            assert_true(!strncmp(name[k], "idx-", 4) && name[k][5] == '-' && strlen(name[k]) == 11);
            idx_seen[name[k][4] - '0']++;
        } else {
            assert_string_equal(owner[k], "Job/bad");
            assert_true(!strncmp(name[k], "bad-0-", 6)); /* index 0 failed and was retried */
            bad++;
        }
    }
    for (int i = 0; i < 3; i++) assert_int_equal(idx_seen[i], 1);
    assert_int_equal(bad, 2); /* backoffLimit 1: the second failure fails the Job */
    size_t nn = 0;
    char **jname = ks_tc_strings(out, "/jobs", "name", &nn);
    char **cond = ks_tc_strings(out, "/jobs", "condition", &nn);
    char **mode = ks_tc_strings(out, "/jobs", "completion_mode", &nn);
    assert_int_equal(nn, 2);
    assert_string_equal(jname[0], "idx");
    assert_string_equal(cond[0], "Complete");
    assert_string_equal(mode[0], "Indexed");
    assert_string_equal(cond[1], "Failed");
    ks_tc_free_strings(jname, nn);
    ks_tc_free_strings(cond, nn);
    ks_tc_free_strings(mode, nn);
    ks_tc_free_strings(name, n);
    ks_tc_free_strings(owner, no);
}

/* activeDeadlineSeconds 30 with pods that run forever: at startTime (1 ms) + 30 s the controller
 * deletes both active pods (SuccessfulDelete) and the Job fails with DeadlineExceeded (the event
 * when the status write commits, 10 ms later); the deleted pods count as failed. */
static void test_active_deadline(void **state)
{
    (void)state;
    const char *cfg = write_config("deadline",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: slow}\n"
        "spec:\n  parallelism: 2\n  completions: 4\n  activeDeadlineSeconds: 30\n  template:\n"
        "    spec: {restartPolicy: OnFailure, containers: [{name: w, image: \"w:1\"}]}\n"
        "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: paused}\n"
        "spec:\n  suspend: true\n  activeDeadlineSeconds: 5\n  template:\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("deadline.h5");
    run_ok(cfg, out, "2m");
    size_t ne = 0;
    char **ev = job_events(out, &ne);
    assert_int_equal(count_prefix(ev, ne, "SuccessfulCreate:"), 2);
    assert_int_equal(count_prefix(ev, ne, "SuccessfulDelete: Deleted pod: slow-"), 2);
    assert_string_equal(ev[ne - 1], "DeadlineExceeded: Job was active longer than specified deadline");
    /* A suspended Job: the Suspended condition, no startTime, no pod, no deadline. */
    assert_int_equal(count_prefix(ev, ne, "Suspended: Job suspended"), 1);
    free_events(ev, ne);
    size_t nj = 0;
    char **cond = ks_tc_strings(out, "/jobs", "condition", &nj);
    double *start = ks_tc_f64(out, "/jobs", "start_time", &nj);
    assert_int_equal(nj, 2);
    assert_string_equal(cond[1], "");
    assert_true(isnan(start[1]));
    ks_tc_free_strings(cond, nj);
    free(start);
    assert_job_string(out, "condition", "Failed");
    assert_job_string(out, "reason", "DeadlineExceeded");
    assert_close(job_f64(out, "finished"), 30.001, "Failed condition");
    assert_int_equal(job_int(out, "failed"), 2);
    size_t n = 0;
    double *deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 2);
    for (size_t k = 0; k < n; k++) assert_true(deleted[k] > 30.0 && deleted[k] < 31.0);
    free(deleted);
}

/* ttlSecondsAfterFinished 60: the Job completes (one pod of 5 s), the TTL-after-finished
 * controller deletes it 60 s after the Complete condition's time (+ its 10 ms DELETE), and the
 * garbage collector then deletes its pod. */
static void test_ttl_after_finished(void **state)
{
    (void)state;
    const char *cfg = write_config("ttl",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: short}\n"
        "spec:\n  ttlSecondsAfterFinished: 60\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 5s}}\n"
        "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("ttl.h5");
    run_ok(cfg, out, "5m");
    assert_job_string(out, "condition", "Complete");
    double finished = job_f64(out, "finished"), deleted = job_f64(out, "deleted");
    assert_close(deleted, finished + 60.010, "Job deleted");
    size_t n = 0;
    double *pod_deleted = ks_tc_f64(out, "/pods", "deleted", &n);
    assert_int_equal(n, 1);
    assert_true(pod_deleted[0] > deleted && pod_deleted[0] < deleted + 1);
    free(pod_deleted);
}

/* restartPolicy OnFailure: the container's restarts count toward backoffLimit
 * (pastBackoffLimitOnFailure: restartCounts of Pending and Running pods >= backoffLimit). */
static void test_on_failure_restarts_count(void **state)
{
    (void)state;
    const char *cfg = write_config("onfailure",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: crashy}\n"
        "spec:\n  backoffLimit: 2\n  template:\n"
        "    metadata: {annotations: {kubesim.io/run-for: 2s, kubesim.io/exit-code: \"1\"}}\n"
        "    spec: {restartPolicy: OnFailure, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *out = ks_test_path("onfailure.h5");
    run_ok(cfg, out, "5m");
    assert_job_string(out, "reason", "BackoffLimitExceeded");
    size_t n = 0;
    int64_t *restarts = ks_tc_i64(out, "/pods", "restarts", &n);
    assert_int_equal(n, 1);
    assert_int_equal(restarts[0], 2);
    free(restarts);
}

/* The generated job-name label is what a pod anti-affinity can select: 3 pods that must not share
 * a node, 2 nodes, so one stays Pending. */
static void test_job_name_label_selects_pods(void **state)
{
    (void)state;
    const char *cfg = write_config("antiaffinity",
        "apiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus: {allocatable: {cpu: \"8\", memory: 16Gi}}\n"
        "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: spread}\n"
        "spec:\n  parallelism: 3\n  completions: 3\n  template:\n"
        "    spec:\n      restartPolicy: Never\n      containers: [{name: w, image: \"w:1\"}]\n"
        "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "          - labelSelector: {matchLabels: {job-name: spread}}\n"
        "            topologyKey: kubernetes.io/hostname\n");
    const char *out = ks_test_path("antiaffinity.h5");
    run_ok(cfg, out, "1m");
    size_t n = 0, nn = 0;
    char **phase = ks_tc_strings(out, "/pods", "phase", &n);
    char **node = ks_tc_strings(out, "/pods", "node", &nn);
    assert_int_equal(n, 3);
    int pending = 0;
    for (size_t k = 0; k < n; k++) pending += !strcmp(phase[k], "Pending") && !strcmp(node[k], "");
    assert_int_equal(pending, 1);
    ks_tc_free_strings(phase, n);
    ks_tc_free_strings(node, nn);
}

/* Bad Jobs exit 2 with the position and upstream's words. */
static void test_bad_jobs(void **state)
{
    (void)state;
    const struct {
        const char *yaml, *want;
    } cases[] = {
        {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n"
         "    spec: {containers: [{name: w, image: \"w:1\"}]}\n",
         "Job \"j\": spec.template.spec.restartPolicy: Unsupported value: \"Always\""},
        {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completionMode: Indexed\n  template:\n"
         "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n",
         "5:19: error: Job \"j\": spec.completions: Required value: when completion mode is Indexed"},
        {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backoffLimits: 3\n  template:\n"
         "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n",
         "5:3: error: Job \"j\": spec: unknown field \"backoffLimits\""},
        {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  activeDeadlineSeconds: 0\n  template:\n"
         "    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n",
         "spec.activeDeadlineSeconds: expected a positive integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = ks_test_write_file("badjob.yaml", cases[i].yaml);
        const char *argv[] = {"validate", path, NULL};
        ks_test_run r = ks_test_kubesim(argv);
        if (r.status != 2 || !strstr(r.err, cases[i].want))
            fail_msg("case %zu: exit %d, stderr:\n%s\nwant: %s", i, r.status, r.err, cases[i].want);
        ks_test_run_free(&r);
    }
    /* Upstream fields kubesim does not model are accepted and listed as ignored. */
    const char *path = ks_test_write_file("ignoredjob.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  podFailurePolicy: {rules: []}\n"
        "  template:\n    spec: {restartPolicy: Never, containers: [{name: w, image: \"w:1\"}]}\n");
    const char *argv[] = {"validate", path, NULL};
    ks_test_run r = ks_test_kubesim(argv);
    assert_int_equal(r.status, 0);
    if (!strstr(r.out, "Job spec.podFailurePolicy") && !strstr(r.err, "Job spec.podFailurePolicy"))
        fail_msg("podFailurePolicy not listed as ignored:\n%s\n%s", r.out, r.err);
    ks_test_run_free(&r);
}

/* Same seed, same bytes: the Job's random pod names come from the names stream. */
static void test_deterministic(void **state)
{
    (void)state;
    const char *a = ks_test_path("det-a.h5");
    char keep[512];
    snprintf(keep, sizeof keep, "%s", a);
    const char *b = ks_test_path("det-b.h5");
    run_ok(ks_test_source_path("configs/batch-jobs.yaml"), keep, "20m");
    run_ok(ks_test_source_path("configs/batch-jobs.yaml"), b, "20m");
    char why[512];
    if (ks_tc_compare_datasets(keep, b, why, sizeof why)) fail_msg("%s", why);
    assert_true(ks_tc_rows(keep, "/jobs") >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_defaults),
        cmocka_unit_test(test_backoff_limit_exceeded),
        cmocka_unit_test(test_backoff_cap),
        cmocka_unit_test(test_completions_with_parallelism),
        cmocka_unit_test(test_indexed_job),
        cmocka_unit_test(test_active_deadline),
        cmocka_unit_test(test_ttl_after_finished),
        cmocka_unit_test(test_on_failure_restarts_count),
        cmocka_unit_test(test_job_name_label_selects_pods),
        cmocka_unit_test(test_bad_jobs),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
