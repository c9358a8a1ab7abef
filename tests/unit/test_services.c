/* Services, the EndpointSlice controller and kube-proxy, end to end through the kubesim binary on
 * configs worked out by hand (tests/configs/services-*.yaml), and the SLI's streaming histogram
 * against the exact percentile. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kubeproxy.h"
#include "world.h"
#include "stats.h"
#include "testutil.h"
#include "tracecheck.h"

static void assert_close(double got, double want, const char *what)
{
    if (fabs(got - want) > 1e-9) fail_msg("%s: got %.9f, want %.9f", what, got, want);
}

static void run_ok(const char *config, const char *out)
{
    const char *argv[] = {"run", ks_test_source_path(config), "-o", out, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    if (r.status != 0) fail_msg("kubesim exited %d\nstderr:\n%s", r.status, r.err);
    ks_test_run_free(&r);
}

/* services-readiness.yaml: the Service's endpoints follow the pods' readiness. Sampled each
 * second: web-a and web-c are ready endpoints from 0.022 s (the slice's create committed), web-b
 * is an endpoint from then but ready only from 1.022 s, web-c leaves at 4.022 s. */
static void test_endpoints_follow_pod_readiness(void **state)
{
    (void)state;
    const char *out = ks_test_path("readiness.h5");
    run_ok("tests/configs/services-readiness.yaml", out);
    size_t n = 0;
    int64_t *ready = ks_tc_i64(out, "/network_series", "ready_endpoints", &n);
    int64_t *eps = ks_tc_i64(out, "/network_series", "endpoints", &n);
    double *time = ks_tc_f64(out, "/network_series", "time", &n);
    assert_int_equal(n, 9);
    const int64_t want_ready[9] = {0, 2, 3, 3, 3, 2, 2, 2, 2}, want_eps[9] = {0, 3, 3, 3, 3, 2, 2, 2, 2};
    for (size_t i = 0; i < n; i++) {
        assert_close(time[i], (double)i, "sample time");
        if (ready[i] != want_ready[i] || eps[i] != want_eps[i])
            fail_msg("t=%zu s: %lld ready of %lld endpoints, want %lld of %lld", i, (long long)ready[i],
                     (long long)eps[i], (long long)want_ready[i], (long long)want_eps[i]);
    }
    free(ready);
    free(eps);
    free(time);
    /* One slice: created, then updated twice, by the controller's own client. */
    char **svc = ks_tc_strings(out, "/endpointslices", "service", &n);
    assert_int_equal(n, 1);
    assert_string_equal(svc[0], "web");
    ks_tc_free_strings(svc, n);
    int64_t *creates = ks_tc_i64(out, "/services", "slice_creates", &n);
    int64_t *updates = ks_tc_i64(out, "/services", "slice_updates", &n);
    assert_int_equal(creates[0], 1);
    assert_int_equal(updates[0], 2);
    free(creates);
    free(updates);
    char **comp = ks_tc_strings(out, "/apiserver/requests", "component", &n);
    char **verb = ks_tc_strings(out, "/apiserver/requests", "verb", &n);
    int64_t *count = ks_tc_i64(out, "/apiserver/requests", "count", &n);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(comp[i], "endpointslice-controller") != 0) continue;
        found++;
        assert_int_equal(count[i], strcmp(verb[i], "create") == 0 ? 1 : 2);
    }
    assert_int_equal(found, 2);
    ks_tc_free_strings(comp, n);
    ks_tc_free_strings(verb, n);
    free(count);
}

/* services-readiness.yaml: every node's kube-proxy programs every change within (delivery,
 * delivery + minSyncPeriod + sync cost], and the SLI is the hand-computed one. */
static void test_every_kube_proxy_programs_each_change(void **state)
{
    (void)state;
    const char *out = ks_test_path("programming.h5");
    run_ok("tests/configs/services-readiness.yaml", out);
    size_t n = 0;
    double *last = ks_tc_f64(out, "/kube_proxy", "last_programmed", &n);
    int64_t *programmed = ks_tc_i64(out, "/kube_proxy", "changes_programmed", &n);
    int64_t *syncs = ks_tc_i64(out, "/kube_proxy", "syncs", &n);
    int64_t *full = ks_tc_i64(out, "/kube_proxy", "full_syncs", &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(programmed[i], 4);
        assert_int_equal(syncs[i], 3); /* 0.023, 1.523 (after minSyncPeriod), 4.023 */
        assert_int_equal(full[i], 0);  /* syncPeriod 1 h: no periodic resync in 8 s */
        /* The last change reached the proxies at 4.023 s; sync cost 10 ms + 2 endpoints. */
        assert_close(last[i], 4.035, "last change programmed");
        assert_true(last[i] > 4.023 && last[i] <= 4.023 + 1.5 + 0.012);
    }
    free(last);
    free(programmed);
    free(syncs);
    free(full);
    /* Per second: the pairs programmed in the interval and their latencies. The change of 1.011 s
     * reached the proxies at 1.023 s and waited for the runner's token (0.023 + 1.5 s). */
    double *p50 = ks_tc_f64(out, "/network_series", "latency_p50_s", &n);
    int64_t *pairs = ks_tc_i64(out, "/network_series", "programmed_pairs", &n);
    assert_int_equal(pairs[1], 6);
    assert_close(p50[1], 0.025, "0.011 s changes");
    assert_int_equal(pairs[2], 3);
    assert_close(p50[2], 0.525, "1.011 s change: programmed at 1.536 s");
    assert_true(1.011 + p50[2] > 1.023 && 1.011 + p50[2] <= 1.023 + 1.5 + 0.013);
    assert_int_equal(pairs[5], 3);
    assert_close(p50[5], 0.024, "4.011 s removal");
    free(p50);
    free(pairs);
    double v;
    int64_t k;
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "network_programming_pairs", &k), 0);
    assert_int_equal(k, 12);
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "endpoint_ready_changes", &k), 0);
    assert_int_equal(k, 4);
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "network_programming_p50_s", &v), 0);
    assert_close(v, 0.025, "p50 over 12 pairs");
    assert_int_equal(ks_tc_attr_f64(out, "/summary", "network_programming_p99_s", &v), 0);
    assert_close(v, 0.525, "p99 over 12 pairs");
}

/* services-slices.yaml: 250 endpoints make 3 slices (100, 100, 50) for each Service; the headless
 * one is never programmed, so each node programs the 250 changes of "web" alone. */
static void test_slices_split_at_100_and_headless_is_not_programmed(void **state)
{
    (void)state;
    const char *out = ks_test_path("slices-1.h5");
    run_ok("tests/configs/services-slices.yaml", out);
    size_t n = 0;
    char **svc = ks_tc_strings(out, "/endpointslices", "service", &n);
    int64_t *eps = ks_tc_i64(out, "/endpointslices", "endpoints", &n);
    int64_t *ready = ks_tc_i64(out, "/endpointslices", "ready", &n);
    assert_int_equal(n, 6);
    for (int s = 0; s < 2; s++) {
        const char *name = s ? "web-headless" : "web";
        int64_t sizes[3], k = 0, total = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(svc[i], name) != 0) continue;
            assert_true(k < 3);
            assert_int_equal(ready[i], eps[i]);
            sizes[k++] = eps[i];
            total += eps[i];
        }
        assert_int_equal(k, 3);
        assert_int_equal(total, 250);
        for (int i = 0; i < 3; i++) assert_true(sizes[i] == 100 || (sizes[i] == 50));
    }
    ks_tc_free_strings(svc, n);
    free(eps);
    free(ready);
    int64_t *programmed = ks_tc_i64(out, "/kube_proxy", "changes_programmed", &n);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) assert_int_equal(programmed[i], 250);
    free(programmed);
    int64_t k;
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "network_programming_pairs", &k), 0);
    assert_int_equal(k, 4 * 250);
    assert_int_equal(ks_tc_attr_i64(out, "/summary", "endpoint_ready_changes", &k), 0);
    assert_int_equal(k, 500);
    /* The Service alone made headless: nothing for any kube-proxy to program. */
    char *text = ks_test_read_file(ks_test_source_path("tests/configs/services-readiness.yaml"), NULL);
    assert_non_null(text);
    char *at = strstr(text, "  selector: {app: web}\n  ports:");
    assert_non_null(at);
    size_t head = (size_t)(at - text);
    char *headless = malloc(strlen(text) + 32);
    memcpy(headless, text, head);
    strcpy(headless + head, "  clusterIP: None\n");
    strcat(headless, at);
    const char *cfg = ks_test_write_file("headless.yaml", headless);
    free(text);
    free(headless);
    const char *hout = ks_test_path("headless.h5");
    const char *argv[] = {"run", cfg, "-o", hout, "-q", NULL};
    ks_test_run r = ks_test_kubesim(argv);
    assert_int_equal(r.status, 0);
    ks_test_run_free(&r);
    programmed = ks_tc_i64(hout, "/kube_proxy", "changes_programmed", &n);
    int64_t *syncs = ks_tc_i64(hout, "/kube_proxy", "syncs", &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(programmed[i], 0);
        assert_int_equal(syncs[i], 0);
    }
    free(programmed);
    free(syncs);
    int64_t *ready_h = ks_tc_i64(hout, "/services", "ready", &n);
    assert_int_equal(ready_h[0], 2); /* its slices exist all the same */
    free(ready_h);
    assert_int_equal(ks_tc_attr_i64(hout, "/summary", "network_programming_pairs", &k), 0);
    assert_int_equal(k, 0);
    /* Same seed, same bytes. */
    const char *again = ks_test_path("slices-2.h5");
    run_ok("tests/configs/services-slices.yaml", again);
    char why[512];
    if (ks_tc_compare_datasets(out, again, why, sizeof why) != 0) fail_msg("two runs differ: %s", why);
}

/* services-scale-down.yaml: the pods a scale-down deletes stay endpoints while they terminate
 * (serving, not ready) and leave when they are removed; their ready -> terminating transitions are
 * readiness changes that every node programs, their removal is not. */
static void test_terminating_pods_leave_ready_endpoints(void **state)
{
    (void)state;
    const char *out = ks_test_path("scale-down.h5");
    run_ok("tests/configs/services-scale-down.yaml", out);
    size_t n = 0;
    int64_t *ready = ks_tc_i64(out, "/network_series", "ready_endpoints", &n);
    int64_t *eps = ks_tc_i64(out, "/network_series", "endpoints", &n);
    assert_int_equal(n, 21);
    for (size_t i = 1; i < n; i++) {
        int64_t want_eps = i <= 15 ? 3 : 1, want_ready = i <= 10 ? 3 : 1;
        if (eps[i] != want_eps || ready[i] != want_ready)
            fail_msg("t=%zu s: %lld ready of %lld endpoints, want %lld of %lld", i, (long long)ready[i],
                     (long long)eps[i], (long long)want_ready, (long long)want_eps);
    }
    free(ready);
    free(eps);
    int64_t *programmed = ks_tc_i64(out, "/kube_proxy", "changes_programmed", &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) assert_int_equal(programmed[i], 5); /* 3 Ready, 2 terminating */
    free(programmed);
}

/* The streaming histogram gives numpy's linear percentile exactly when each bucket holds one
 * value (all values below 256 ns, or few distinct ones), and within a bucket's width (< 1 %)
 * otherwise. */
static void test_latency_histogram(void **state)
{
    (void)state;
    ks_lat_hist h;
    ks_lat_hist_init(&h);
    assert_true(isnan(ks_lat_hist_percentile(&h, 50)));
    double v[1000];
    unsigned x = 12345;
    for (int i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        v[i] = (double)((x >> 8) % 256);
        ks_lat_hist_add(&h, (int64_t)v[i], 1);
    }
    ks_sort_doubles(v, 1000);
    const double ps[] = {0, 1, 50, 90, 99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++)
        assert_close(ks_lat_hist_percentile(&h, ps[i]), ks_percentile_sorted(v, 1000, ps[i]), "small values");
    ks_lat_hist_clear(&h);
    for (int i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        v[i] = (double)(x % 2000000000u) + 1e6;
        ks_lat_hist_add(&h, (int64_t)v[i], 1);
    }
    ks_sort_doubles(v, 1000);
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        double want = ks_percentile_sorted(v, 1000, ps[i]), got = ks_lat_hist_percentile(&h, ps[i]);
        if (fabs(got - want) > 0.01 * want) fail_msg("p%g: got %.0f, want %.0f", ps[i], got, want);
    }
    /* Weights: the same value added for 3 nodes at once counts 3 times. */
    ks_lat_hist_clear(&h);
    ks_lat_hist_add(&h, 24000000, 3);
    ks_lat_hist_add(&h, 25000000, 6);
    ks_lat_hist_add(&h, 525000000, 3);
    assert_close(ks_lat_hist_percentile(&h, 50), 25000000, "weighted p50");
    assert_close(ks_lat_hist_percentile(&h, 99), 525000000, "weighted p99");
    ks_lat_hist_free(&h);
}

/* A node's kube-proxy that is down programs nothing; back, it resyncs in full and the change it
 * missed is not counted (services-readiness.yaml, driven through the world: n-2 down from 0.5 s
 * to 2 s misses the change of 1.011 s). */
static void test_kube_proxy_of_a_failed_node(void **state)
{
    (void)state;
    ks_config cfg;
    const char *path = ks_test_source_path("tests/configs/services-readiness.yaml");
    assert_int_equal(ks_config_load(&cfg, &path, 1, stderr), 0);
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg.experiment.seed);
    ks_world_params params = {
        .pools = cfg.pools, .npools = cfg.npools, .nodes = cfg.nodes, .nnodes = cfg.nnodes,
        .pods = cfg.pods, .npods = cfg.npods, .deployments = cfg.deployments,
        .ndeployments = cfg.ndeployments, .actions = cfg.actions, .nactions = cfg.nactions,
        .sched = &cfg.sched, .pdbs = cfg.pdbs, .npdbs = cfg.npdbs, .services = cfg.services,
        .nservices = cfg.nservices, .timings = &cfg.timings, .sample_interval = cfg.experiment.sample_interval,
    };
    ks_world *w = ks_world_create(sim, rngs, &params);
    assert_non_null(w);
    ks_sim_run(sim, KS_MS(500));
    ks_kube_proxy_node_changed(w, 2, false);
    ks_sim_run(sim, KS_SEC(2));
    ks_kube_proxy_node_changed(w, 2, true);
    ks_sim_run(sim, KS_SEC(8));
    const ks_proxy *p = w->proxy;
    assert_int_equal(p->programmed[0], 4);
    assert_int_equal(p->programmed[1], 4);
    assert_int_equal(p->programmed[2], 3);
    assert_int_equal(p->full_syncs[2], 1);
    assert_int_equal(p->last_programmed[2], KS_MS(4035));
    double p50, p99;
    uint64_t pairs;
    ks_proxy_latency(w->proxy, &p50, &p99, &pairs);
    assert_int_equal(pairs, 11);
    assert_close(p99, 0.525, "p99 over 11 pairs");
    ks_world_destroy(w);
    ks_rngs_destroy(rngs);
    ks_sim_destroy(sim);
    ks_config_free(&cfg);
}

/* The Service kind and the ControlPlane knobs, through the loader. */
static int load_text(const char *text, ks_config *cfg, char **err)
{
    const char *path = ks_test_write_file("svc.yaml", text);
    size_t len = 0;
    FILE *f = open_memstream(err, &len);
    int rc = ks_config_load(cfg, &path, 1, f);
    fclose(f);
    return rc;
}

static void test_service_kind_and_knobs(void **state)
{
    (void)state;
    ks_config cfg;
    char *err = NULL;
    int rc = load_text("apiVersion: kubesim.io/v1alpha1\n"
                       "kind: ControlPlane\n"
                       "metadata: {name: cp}\n"
                       "spec:\n"
                       "  endpointSliceController: {maxEndpointsPerSlice: 250, endpointUpdatesBatchPeriod: 500ms}\n"
                       "  kubeProxy: {minSyncPeriod: 2s, syncPeriod: 1m, burstSyncs: 3, syncCostBase: 1ms,\n"
                       "              syncCostPerService: 3us, syncCostPerEndpoint: 4us}\n"
                       "---\n"
                       "apiVersion: v1\n"
                       "kind: Service\n"
                       "metadata: {name: db, namespace: shop}\n"
                       "spec:\n"
                       "  type: NodePort\n"
                       "  clusterIP: None\n"
                       "  selector: {app: db, tier: data}\n"
                       "  ports: [{port: 5432, protocol: TCP}, {port: 9187, protocol: UDP}]\n"
                       "  sessionAffinity: ClientIP\n"
                       "---\n"
                       "apiVersion: v1\n"
                       "kind: Service\n"
                       "metadata: {name: ext}\n"
                       "spec: {type: ExternalName, externalName: db.example.com, selector: {}}\n",
                       &cfg, &err);
    if (rc != 0) fail_msg("load failed: %s", err);
    free(err);
    const ks_service_timings *t = &cfg.timings.services;
    assert_int_equal(t->max_endpoints_per_slice, 250);
    assert_int_equal(t->endpoint_updates_batch_period, KS_MS(500));
    assert_int_equal(t->proxy_min_sync_period, KS_SEC(2));
    assert_int_equal(t->proxy_sync_period, KS_SEC(60));
    assert_int_equal(t->proxy_burst_syncs, 3);
    assert_int_equal(t->proxy_sync_cost_base, KS_MS(1));
    assert_int_equal(t->proxy_sync_cost_per_service, KS_US(3));
    assert_int_equal(t->proxy_sync_cost_per_endpoint, KS_US(4));
    assert_int_equal(cfg.nservices, 2);
    const ks_service_spec *db = &cfg.services[0], *ext = &cfg.services[1];
    assert_string_equal(db->name, "db");
    assert_string_equal(db->namespace, "shop");
    assert_true(db->headless && db->has_selector && !db->external_name);
    assert_int_equal(db->selector.n, 2);
    assert_int_equal(db->nports, 2);
    assert_string_equal(ext->namespace, "default");
    assert_true(ext->external_name && !ext->has_selector && !ext->headless);
    bool nodeport = false, affinity = false;
    for (size_t i = 0; i < cfg.nignored; i++) {
        nodeport |= strcmp(cfg.ignored[i], "Service spec.type NodePort (modelled as ClusterIP)") == 0;
        affinity |= strcmp(cfg.ignored[i], "Service spec.sessionAffinity") == 0;
    }
    assert_true(nodeport && affinity);
    ks_config_free(&cfg);
    /* Out of range: upstream's own limits. */
    const char *bad[][2] = {
        {"apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\n"
         "spec: {endpointSliceController: {maxEndpointsPerSlice: 1001}}\n",
         "an integer in 1..1000"},
        {"apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec: {kubeProxy: {syncPeriod: 0s}}\n",
         "a positive duration"},
        {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 70000}]}\n", "1..65535"},
        {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{protocol: TCP}]}\n",
         "missing required field \"port\""},
        {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: Headless}\n", "one of ClusterIP, NodePort"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err = NULL;
        rc = load_text(bad[i][0], &cfg, &err);
        if (rc != 2 || !strstr(err, bad[i][1])) fail_msg("case %zu: rc %d, want 2 and \"%s\" in:\n%s", i, rc, bad[i][1], err);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints_follow_pod_readiness),
        cmocka_unit_test(test_every_kube_proxy_programs_each_change),
        cmocka_unit_test(test_slices_split_at_100_and_headless_is_not_programmed),
        cmocka_unit_test(test_terminating_pods_leave_ready_endpoints),
        cmocka_unit_test(test_latency_histogram),
        cmocka_unit_test(test_kube_proxy_of_a_failed_node),
        cmocka_unit_test(test_service_kind_and_knobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
