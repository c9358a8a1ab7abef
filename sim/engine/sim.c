/* sim.c — see sim.h. */
#include "sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alloc.h"

typedef struct handler {
    ks_handler_fn fn;
    void *ctx;
    const char *name;
    uint64_t count;
    double wall_s;
} handler;

struct ks_sim {
    ks_queue *queue;
    ks_time now;
    uint64_t events_run;
    bool stop;
    bool profiling;
    volatile sig_atomic_t *interrupt;
    ks_progress_fn progress;
    void *progress_ctx;
    uint64_t progress_period;
    uint32_t ntypes;
    handler handlers[KS_MAX_EVENT_TYPES];
};

static volatile sig_atomic_t never_interrupted;

ks_sim *ks_sim_create(void)
{
    ks_sim *sim = ks_calloc(ks_mem_purpose("engine"), 1, sizeof *sim);
    sim->queue = ks_queue_create(4096);
    sim->interrupt = &never_interrupted;
    sim->progress_period = UINT64_MAX;
    return sim;
}

void ks_sim_destroy(ks_sim *sim)
{
    if (!sim) return;
    ks_queue_destroy(sim->queue);
    ks_free(sim);
}

uint32_t ks_sim_register(ks_sim *sim, const char *name, ks_handler_fn fn, void *ctx)
{
    if (sim->ntypes == KS_MAX_EVENT_TYPES) {
        fprintf(stderr, "kubesim: internal error: more than %d event types (adding %s)\n",
                KS_MAX_EVENT_TYPES, name);
        abort();
    }
    sim->handlers[sim->ntypes] = (handler){fn, ctx, name, 0, 0.0};
    return sim->ntypes++;
}

uint64_t ks_sim_at(ks_sim *sim, ks_time at, uint32_t type, uint32_t target, uint64_t arg)
{
    if (at < sim->now || type >= sim->ntypes) {
        fprintf(stderr,
                "kubesim: internal error: event %s scheduled at %" PRId64 " ns, before now %" PRId64
                " ns (target %" PRIu32 ")\n",
                type < sim->ntypes ? sim->handlers[type].name : "?", at, sim->now, target);
        abort();
    }
    return ks_queue_push(sim->queue, at, type, target, arg);
}

uint64_t ks_sim_after(ks_sim *sim, ks_time delay_ns, uint32_t type, uint32_t target, uint64_t arg)
{
    return ks_sim_at(sim, sim->now + delay_ns, type, target, arg);
}

bool ks_sim_cancel(ks_sim *sim, uint64_t handle) { return ks_queue_cancel(sim->queue, handle); }

void ks_sim_stop(ks_sim *sim) { sim->stop = true; }

void ks_sim_reserve(ks_sim *sim, size_t n) { ks_queue_reserve(sim->queue, n); }

void ks_sim_set_interrupt_flag(ks_sim *sim, volatile sig_atomic_t *flag)
{
    sim->interrupt = flag ? flag : &never_interrupted;
}

void ks_sim_set_progress(ks_sim *sim, ks_progress_fn fn, void *ctx, uint64_t period_events)
{
    sim->progress = fn;
    sim->progress_ctx = ctx;
    sim->progress_period = fn && period_events ? period_events : UINT64_MAX;
}

void ks_sim_set_profiling(ks_sim *sim, bool on) { sim->profiling = on; }

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The loop: peek, stop at the horizon, pop, dispatch, count. Interrupts and progress are checked
 * every progress period (and every 4096 events for interrupts), not every event. */
ks_run_result ks_sim_run(ks_sim *sim, ks_time until)
{
    sim->stop = false;
    uint64_t next_poll = sim->events_run + 4096;
    uint64_t next_progress = sim->progress_period == UINT64_MAX ? UINT64_MAX
                                                                : sim->events_run + sim->progress_period;
    ks_event ev;
    for (;;) {
        const ks_event *top = ks_queue_peek(sim->queue);
        if (!top) return KS_RUN_DRAINED;
        if (top->time > until) {
            sim->now = until;
            return KS_RUN_REACHED;
        }
        ev = *top;
        ks__queue_drop_top(sim->queue);
        sim->now = ev.time;
        handler *h = &sim->handlers[ev.type];
        if (sim->profiling) {
            double t0 = wall_now();
            h->fn(sim, h->ctx, &ev);
            h->wall_s += wall_now() - t0;
        } else {
            h->fn(sim, h->ctx, &ev);
        }
        h->count++;
        sim->events_run++;
        if (sim->stop) return KS_RUN_STOPPED;
        if (sim->events_run >= next_poll) {
            next_poll = sim->events_run + 4096;
            if (*sim->interrupt) return KS_RUN_INTERRUPTED;
        }
        if (sim->events_run >= next_progress) {
            next_progress = sim->events_run + sim->progress_period;
            sim->progress(sim, sim->progress_ctx);
        }
    }
}

ks_time ks_sim_now(const ks_sim *sim) { return sim->now; }
uint64_t ks_sim_events_run(const ks_sim *sim) { return sim->events_run; }
size_t ks_sim_pending(const ks_sim *sim) { return ks_queue_live(sim->queue); }
uint32_t ks_sim_type_count(const ks_sim *sim) { return sim->ntypes; }

ks_event_type_stat ks_sim_type_stat(const ks_sim *sim, uint32_t type)
{
    const handler *h = &sim->handlers[type];
    return (ks_event_type_stat){h->name, h->count, h->wall_s};
}
