/* sim.h — the simulation kernel: clock, event queue, dispatch, per-type counters.
 *
 * Models register one handler per event type, then schedule events; ks_sim_run pops the earliest
 * event, advances the clock to its time, calls its handler and counts it. That is the whole loop.
 * The kernel knows nothing of Kubernetes. Handlers may schedule, cancel and stop; they must not
 * schedule in the past (an invariant checked on every schedule: time running backwards aborts the
 * run with the values involved).
 *
 * Ownership: ks_sim owns its queue and counters. Handler contexts belong to the models.
 */
#ifndef KS_SIM_H
#define KS_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "queue.h"

typedef struct ks_sim ks_sim;

typedef void (*ks_handler_fn)(ks_sim *sim, void *ctx, const ks_event *ev);

#define KS_MAX_EVENT_TYPES 128

typedef struct ks_event_type_stat {
    const char *name;
    uint64_t count;
    double wall_s; /* time spent in the handler; only measured with ks_sim_set_profiling */
} ks_event_type_stat;

typedef enum ks_run_result {
    KS_RUN_DRAINED,     /* no event left */
    KS_RUN_REACHED,     /* the next event lies beyond the horizon */
    KS_RUN_STOPPED,     /* a handler called ks_sim_stop */
    KS_RUN_INTERRUPTED  /* the interrupt flag (SIGINT/SIGTERM) was raised */
} ks_run_result;

ks_sim *ks_sim_create(void);
void ks_sim_destroy(ks_sim *sim);

/* Registers a handler and returns its event type. NAME must outlive the sim (a literal). */
uint32_t ks_sim_register(ks_sim *sim, const char *name, ks_handler_fn fn, void *ctx);

/* Schedules an event DELAY_NS after now / at absolute time AT. Returns the cancellation handle. */
uint64_t ks_sim_after(ks_sim *sim, ks_time delay_ns, uint32_t type, uint32_t target, uint64_t arg);
uint64_t ks_sim_at(ks_sim *sim, ks_time at, uint32_t type, uint32_t target, uint64_t arg);
bool ks_sim_cancel(ks_sim *sim, uint64_t handle);

/* Runs events with time <= UNTIL (KS_TIME_MAX: until empty). The clock ends at the time of the
 * last event run, or at UNTIL when the horizon was reached. */
ks_run_result ks_sim_run(ks_sim *sim, ks_time until);
void ks_sim_stop(ks_sim *sim);
/* Sizes the event queue for N pending events up front (optional). */
void ks_sim_reserve(ks_sim *sim, size_t n);

/* The flag the run loop polls; a signal handler sets it to 1 (volatile sig_atomic_t). */
void ks_sim_set_interrupt_flag(ks_sim *sim, volatile sig_atomic_t *flag);

/* Called every PERIOD events from the run loop, e.g. to draw a progress line. */
typedef void (*ks_progress_fn)(ks_sim *sim, void *ctx);
void ks_sim_set_progress(ks_sim *sim, ks_progress_fn fn, void *ctx, uint64_t period_events);

void ks_sim_set_profiling(ks_sim *sim, bool on);

ks_time ks_sim_now(const ks_sim *sim);
uint64_t ks_sim_events_run(const ks_sim *sim);
size_t ks_sim_pending(const ks_sim *sim);
uint32_t ks_sim_type_count(const ks_sim *sim);
ks_event_type_stat ks_sim_type_stat(const ks_sim *sim, uint32_t type);

#endif
