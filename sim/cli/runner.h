/* runner.h — the pieces of one experiment that `kubesim run` and `kubesim compare` share.
 *
 * run:      ks_runner_load -> ks_runner_check_world -> trace -> ks_runner_write_header ->
 *           ks_runner_catch_signals -> ks_runner_start / ks_runner_simulate / ks_runner_finish /
 *           ks_runner_end -> ks_runner_restore_signals -> close the trace.
 * compare:  the same, with the start ... end block once per profile and seed, each run's tables
 *           in its own group of one trace (ks_trace_set_group).
 *
 * Order matters for the bad-input contract: everything that can reject the input (config
 * validation, building the world) happens before the trace file is created, so exit status 2
 * never leaves an output file behind.
 */
#ifndef KS_RUNNER_H
#define KS_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "summary.h"

struct ks_config;
struct ks_trace;
struct ks_sim;
struct ks_rngs;
struct ks_world;

/* Loads O's CONFIG files into CFG, lists ignored fields, rejects a config with nothing to
 * simulate, and applies --seed. Returns an exit status; on KS_EXIT_OK the caller frees CFG. */
int ks_runner_load(const ks_run_opts *o, struct ks_config *cfg);
/* Builds the world once without a trace, to catch what only the assembled cluster can reject (a
 * nodeName that names no node). False after an error message. */
bool ks_runner_check_world(const struct ks_config *cfg);
/* The root attributes of a trace (schema, version, seed, experiment, config text, horizon,
 * complete = 0 until the close). */
void ks_runner_write_header(struct ks_trace *t, const struct ks_config *cfg, ks_time horizon);

/* SIGINT and SIGTERM set a flag that stops the current run (ks_runner_simulate returns with
 * complete false, and so does every later run until restore) instead of killing the process;
 * restore puts back the previous handlers. */
void ks_runner_catch_signals(void);
void ks_runner_restore_signals(void);

/* One run: owns its sim, RNG streams and world. */
typedef struct ks_runner {
    struct ks_sim *sim;
    struct ks_rngs *rngs;
    struct ks_world *world;
    struct ks_trace *trace;
    ks_time horizon, reached; /* reached: simulated time at the end (the horizon if complete) */
    double wall_s;
    bool complete;
} ks_runner;

/* A fresh sim and RNG streams from SEED, the world of CFG wired to TRACE (its series tables under
 * the trace's current group). CFG must outlive the runner. */
void ks_runner_start(ks_runner *r, const struct ks_config *cfg, uint64_t seed, struct ks_trace *trace,
                     ks_time horizon);
/* Runs to the horizon or until interrupted, drawing a progress line on stderr when PROGRESS,
 * prefixed by LABEL (may be NULL). STATS turns on per-handler wall time. */
void ks_runner_simulate(ks_runner *r, bool progress, const char *label, bool stats);
/* Writes the run's tables and /summary (under the trace's current group) and returns the
 * summary. WALL_FIGURES as for ks_summary_write. */
ks_summary ks_runner_finish(ks_runner *r, bool wall_figures);
void ks_runner_end(ks_runner *r);

#endif
