/* The kernel: dispatch by type, clock, horizons, stop, cancel, interrupt, per-type counts. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "testutil.h"

typedef struct log_ctx {
    ks_time times[64];
    uint32_t targets[64];
    int n;
    uint32_t chain_type;
    int chain_left;
} log_ctx;

static void on_log(ks_sim *sim, void *ctx, const ks_event *ev)
{
    log_ctx *c = ctx;
    assert_int_equal(ks_sim_now(sim), ev->time);
    c->times[c->n] = ev->time;
    c->targets[c->n++] = ev->target;
}

static void on_chain(ks_sim *sim, void *ctx, const ks_event *ev)
{
    log_ctx *c = ctx;
    on_log(sim, ctx, ev);
    if (c->chain_left-- > 0) ks_sim_after(sim, KS_SEC(1), c->chain_type, ev->target + 1, 0);
}

static void on_stop(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ctx;
    (void)ev;
    ks_sim_stop(sim);
}

static void test_dispatch_order_and_counts(void **state)
{
    (void)state;
    ks_sim *sim = ks_sim_create();
    log_ctx a = {0}, b = {0};
    uint32_t ta = ks_sim_register(sim, "a", on_log, &a);
    uint32_t tb = ks_sim_register(sim, "b", on_log, &b);
    ks_sim_at(sim, KS_SEC(2), ta, 1, 0);
    ks_sim_at(sim, KS_SEC(1), tb, 2, 0);
    ks_sim_at(sim, KS_SEC(2), tb, 3, 0); /* same time as target 1, scheduled later: runs after */
    assert_int_equal(ks_sim_run(sim, KS_TIME_MAX), KS_RUN_DRAINED);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.targets[0], 2);
    assert_int_equal(b.targets[1], 3);
    assert_int_equal(ks_sim_now(sim), KS_SEC(2));
    assert_int_equal(ks_sim_events_run(sim), 3);
    assert_int_equal(ks_sim_type_stat(sim, ta).count, 1);
    assert_int_equal(ks_sim_type_stat(sim, tb).count, 2);
    assert_string_equal(ks_sim_type_stat(sim, tb).name, "b");
    ks_sim_destroy(sim);
}

static void test_run_until_horizon_then_resume(void **state)
{
    (void)state;
    ks_sim *sim = ks_sim_create();
    log_ctx c = {0};
    c.chain_type = ks_sim_register(sim, "chain", on_chain, &c);
    c.chain_left = 9;
    ks_sim_at(sim, 0, c.chain_type, 0, 0);
    assert_int_equal(ks_sim_run(sim, KS_MS(4500)), KS_RUN_REACHED);
    assert_int_equal(c.n, 5); /* t = 0,1,2,3,4 s */
    assert_int_equal(ks_sim_now(sim), KS_MS(4500));
    assert_int_equal(ks_sim_pending(sim), 1);
    assert_int_equal(ks_sim_run(sim, KS_TIME_MAX), KS_RUN_DRAINED);
    assert_int_equal(c.n, 10);
    assert_int_equal(c.times[9], KS_SEC(9));
    ks_sim_destroy(sim);
}

static void test_stop_and_cancel(void **state)
{
    (void)state;
    ks_sim *sim = ks_sim_create();
    log_ctx c = {0};
    uint32_t tl = ks_sim_register(sim, "log", on_log, &c);
    uint32_t ts = ks_sim_register(sim, "stop", on_stop, NULL);
    ks_sim_at(sim, 1, tl, 1, 0);
    uint64_t h = ks_sim_at(sim, 2, tl, 2, 0);
    ks_sim_at(sim, 3, ts, 0, 0);
    ks_sim_at(sim, 4, tl, 4, 0);
    assert_true(ks_sim_cancel(sim, h));
    assert_int_equal(ks_sim_run(sim, KS_TIME_MAX), KS_RUN_STOPPED);
    assert_int_equal(c.n, 1);
    assert_int_equal(ks_sim_now(sim), 3);
    assert_int_equal(ks_sim_run(sim, KS_TIME_MAX), KS_RUN_DRAINED);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.targets[1], 4);
    ks_sim_destroy(sim);
}

static volatile sig_atomic_t flag;

static void on_forever(ks_sim *sim, void *ctx, const ks_event *ev)
{
    uint64_t *n = ctx;
    if (++*n == 10000) flag = 1; /* as a SIGINT handler would */
    ks_sim_after(sim, 1, ev->type, 0, 0);
}

static void test_interrupt_flag_stops_the_loop(void **state)
{
    (void)state;
    ks_sim *sim = ks_sim_create();
    uint64_t n = 0;
    uint32_t t = ks_sim_register(sim, "forever", on_forever, &n);
    ks_sim_set_interrupt_flag(sim, &flag);
    ks_sim_at(sim, 0, t, 0, 0);
    assert_int_equal(ks_sim_run(sim, KS_TIME_MAX), KS_RUN_INTERRUPTED);
    assert_true(n >= 10000 && n < 10000 + 8192);
    ks_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_order_and_counts),
        cmocka_unit_test(test_run_until_horizon_then_resume),
        cmocka_unit_test(test_stop_and_cancel),
        cmocka_unit_test(test_interrupt_flag_stops_the_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
