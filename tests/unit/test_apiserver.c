/* The API server model: client-go's token bucket (golang.org/x/time/rate semantics) and the
 * in-flight limit with FIFO waiting, on a bare kernel with constant latencies. */
#include <math.h>

#include "apiserver.h"
#include "rng.h"
#include "testutil.h"

typedef struct done_log {
    ks_time t[128];
    uint32_t target[128];
    int n;
} done_log;

static void on_done(ks_sim *sim, void *ctx, const ks_event *ev)
{
    done_log *d = ctx;
    d->t[d->n] = ks_sim_now(sim);
    d->target[d->n++] = ev->target;
}

static void test_token_bucket_reserve(void **state)
{
    (void)state;
    ks_api_client c = {.tokens = 30, .last = 0, .qps = 20, .burst = 30};
    for (int i = 0; i < 30; i++) assert_int_equal(ks_api_client_reserve(&c, 0), 0);
    /* The 31st and 32nd wait one and two refill periods (1/20 s). */
    assert_int_equal(ks_api_client_reserve(&c, 0), KS_MS(50));
    assert_int_equal(ks_api_client_reserve(&c, 0), KS_MS(100));
    /* 100 ms later the reservations are paid back: the bucket is at 0, the next waits 50 ms. */
    assert_int_equal(ks_api_client_reserve(&c, KS_MS(100)), KS_MS(50));
    /* A long idle period refills to burst, never above. */
    for (int i = 0; i < 30; i++) assert_int_equal(ks_api_client_reserve(&c, KS_SEC(100)), 0);
    assert_int_equal(ks_api_client_reserve(&c, KS_SEC(100)), KS_MS(50));
}

typedef struct fixture {
    ks_sim *sim;
    ks_rngs *rngs;
    ks_timings t;
    ks_apiserver api;
    done_log log;
    uint32_t done;
} fixture;

static void setup(fixture *f, int64_t max_mutating)
{
    f->sim = ks_sim_create();
    f->rngs = ks_rngs_create(1);
    ks_timings_default(&f->t);
    f->t.api_write = ks_dist_constant(10e6); /* 10 ms */
    f->t.max_mutating_requests_inflight = max_mutating;
    ks_apiserver_init(&f->api, f->sim, ks_rng_stream(f->rngs, "apiserver"), &f->t, 0);
    f->log.n = 0;
    f->done = ks_sim_register(f->sim, "done", on_done, &f->log);
}

static void teardown(fixture *f)
{
    ks_apiserver_free(&f->api);
    ks_timings_free(&f->t);
    ks_rngs_destroy(f->rngs);
    ks_sim_destroy(f->sim);
}

static void test_inflight_limit_queues_fifo(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 2);
    for (uint32_t i = 0; i < 5; i++) ks_api_call(&f.api, 0, KS_CLIENT_REPLICASET, KS_VERB_CREATE, f.done, i, 0);
    assert_int_equal(f.api.inflight[1], 2);
    assert_int_equal(f.api.waiting, 3);
    ks_sim_run(f.sim, KS_TIME_MAX);
    const ks_time want[] = {KS_MS(10), KS_MS(10), KS_MS(20), KS_MS(20), KS_MS(30)};
    assert_int_equal(f.log.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(f.log.t[i], want[i]);
        assert_int_equal(f.log.target[i], (uint32_t)i); /* first come, first served */
    }
    assert_int_equal(f.api.inflight[1], 0);
    assert_int_equal(f.api.etcd_writes, 5);
    /* Server-side latency includes the wait for a slot: 10, 10, 20, 20, 30 ms. */
    double p50;
    ks_apiserver_latencies(&f.api, (const double[]){50}, 1, &p50);
    assert_true(fabs(p50 - 0.020) < 1e-6);
    teardown(&f);
}

static void test_client_throttling_spaces_requests(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 0); /* no in-flight limit */
    /* 40 creates at t = 0 from the controller-manager client (20 QPS, burst 30). */
    for (uint32_t i = 0; i < 40; i++) ks_api_call(&f.api, 0, KS_CLIENT_REPLICASET, KS_VERB_CREATE, f.done, i, 0);
    ks_sim_run(f.sim, KS_TIME_MAX);
    assert_int_equal(f.log.n, 40);
    for (int i = 0; i < 30; i++) assert_int_equal(f.log.t[i], KS_MS(10));
    for (int k = 1; k <= 10; k++) assert_int_equal(f.log.t[29 + k], KS_MS(10) + k * KS_MS(50));
    /* Each client has its own bucket: the scheduler's is untouched. */
    assert_true(f.api.clients[KS_CLIENT_SCHEDULER].tokens == 100);
    assert_int_equal(f.api.count[KS_COMP_REPLICASET][KS_VERB_CREATE], 40);
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_bucket_reserve),
        cmocka_unit_test(test_inflight_limit_queues_fifo),
        cmocka_unit_test(test_client_throttling_spaces_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
