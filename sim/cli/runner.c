/* runner.c — one experiment end to end: config -> world -> run -> trace -> summary. The steps are
 * in runner.h, shared with `kubesim compare`; ks_run_experiment strings them together for `kubesim
 * run`.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "runner.h"
#include "config.h"
#include "rng.h"
#include "sim.h"
#include "trace.h"
#include "world.h"

#define SCHEMA_VERSION 1

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct progress {
    double start, last;
    uint64_t last_events;
    ks_time horizon;
    const char *label; /* e.g. "most-allocated seed 43 (2/6): "; "" for a single run */
    bool drawn;
} progress;

static void draw_progress(ks_sim *sim, void *ctx)
{
    progress *pr = ctx;
    double now = ks_cli_wall();
    if (now - pr->last < 0.25) return;
    uint64_t events = ks_sim_events_run(sim);
    double rate = (double)(events - pr->last_events) / (now - pr->last);
    double frac = pr->horizon > 0 ? (double)ks_sim_now(sim) / (double)pr->horizon : 0.0;
    double eta = frac > 0 ? (now - pr->start) * (1 - frac) / frac : 0.0;
    char t[32], h[32];
    ks_duration_format(ks_sim_now(sim) / 1000000000 * 1000000000, t, sizeof t);
    ks_duration_format(pr->horizon, h, sizeof h);
    fprintf(stderr, "\r\033[Kkubesim: %ssimulated %s / %s (%.0f%%)  %.2fM events/s  ETA %.1fs", pr->label, t, h,
            frac * 100, rate / 1e6, eta);
    fflush(stderr);
    pr->last = now;
    pr->last_events = events;
    pr->drawn = true;
}

static void print_stats(FILE *out, const ks_sim *sim)
{
    ks_mem_stat st[KS_MEM_MAX_PURPOSES];
    int n = ks_mem_stats(st, KS_MEM_MAX_PURPOSES);
    fprintf(out, "memory by purpose (peak bytes, allocations):\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "  %-16s %14zu %12zu\n", st[i].name, st[i].peak_bytes, st[i].allocations);
    fprintf(out, "events by type (count, handler wall s):\n");
    for (uint32_t t = 0; t < ks_sim_type_count(sim); t++) {
        ks_event_type_stat e = ks_sim_type_stat(sim, t);
        fprintf(out, "  %-32s %12" PRIu64 " %10.4f\n", e.name, e.count, e.wall_s);
    }
}

/* Handler wall times (--stats) are printed, never written: datasets must not depend on the
 * machine, so a seed gives byte-identical datasets. */
typedef struct type_row {
    const char *name;
    int64_t count;
} type_row;

typedef struct mem_row {
    const char *purpose;
    int64_t peak_bytes, allocations;
} mem_row;

static void write_engine_tables(ks_trace *t, const ks_sim *sim)
{
    static const ks_column type_cols[] = {KS_COLUMN(type_row, name, KS_COL_STR),
                                          KS_COLUMN(type_row, count, KS_COL_I64)};
    ks_table *types = ks_trace_table(t, "/engine/event_types", type_cols, 2, sizeof(type_row), 256);
    for (uint32_t i = 0; i < ks_sim_type_count(sim); i++) {
        ks_event_type_stat e = ks_sim_type_stat(sim, i);
        type_row r = {e.name, (int64_t)e.count};
        ks_table_append(types, &r);
    }
    static const ks_column mem_cols[] = {KS_COLUMN(mem_row, purpose, KS_COL_STR),
                                         KS_COLUMN(mem_row, peak_bytes, KS_COL_I64),
                                         KS_COLUMN(mem_row, allocations, KS_COL_I64)};
    ks_table *mem = ks_trace_table(t, "/engine/memory", mem_cols, 3, sizeof(mem_row), 64);
    ks_mem_stat st[KS_MEM_MAX_PURPOSES];
    int n = ks_mem_stats(st, KS_MEM_MAX_PURPOSES);
    for (int i = 0; i < n; i++) {
        mem_row r = {st[i].name, (int64_t)st[i].peak_bytes, (int64_t)st[i].allocations};
        ks_table_append(mem, &r);
    }
}

int ks_runner_load(const ks_run_opts *o, ks_config *cfg)
{
    int rc = ks_config_load(cfg, o->configs, o->nconfigs, stderr);
    if (rc) return rc;
    if (!ks_cli_has_objects(cfg, o->configs, o->nconfigs)) {
        ks_config_free(cfg);
        return KS_EXIT_USAGE;
    }
    ks_config_print_ignored(cfg, stderr);
    if (o->has_seed) cfg->experiment.seed = o->seed;
    int threads = o->threads >= 0 ? o->threads : cfg->experiment.threads;
    if (threads > 0) omp_set_num_threads(threads);
    return KS_EXIT_OK;
}

bool ks_runner_check_world(const ks_config *cfg)
{
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg->experiment.seed);
    ks_world_params params = ks_cli_world_params(cfg);
    ks_world *probe = ks_world_create(sim, rngs, &params);
    ks_world_destroy(probe);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    return probe != NULL;
}

void ks_runner_write_header(ks_trace *t, const ks_config *cfg, ks_time horizon)
{
    ks_trace_attr_i64(t, "/", "schema_version", SCHEMA_VERSION);
    ks_trace_attr_str(t, "/", "kubesim_version", KS_VERSION);
    ks_trace_attr_i64(t, "/", "seed", (int64_t)cfg->experiment.seed);
    ks_trace_attr_str(t, "/", "experiment", cfg->experiment.name);
    ks_trace_attr_str(t, "/", "config", cfg->text);
    ks_trace_attr_f64(t, "/", "duration_s", ks_time_to_sec(horizon));
    ks_trace_attr_f64(t, "/", "sample_interval_s", ks_time_to_sec(cfg->experiment.sample_interval));
    ks_trace_attr_i64(t, "/", "complete", 0);
}

static struct sigaction old_int, old_term;

void ks_runner_catch_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

void ks_runner_restore_signals(void)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

void ks_runner_start(ks_runner *r, const ks_config *cfg, uint64_t seed, ks_trace *trace, ks_time horizon)
{
    *r = (ks_runner){.trace = trace, .horizon = horizon};
    r->sim = ks_sim_create();
    r->rngs = ks_rngs_create(seed);
    ks_world_params params = ks_cli_world_params(cfg);
    params.trace = trace;
    /* ks_runner_check_world has built this world once already: it cannot fail now. */
    r->world = ks_world_create(r->sim, r->rngs, &params);
    /* The FGD order's arrivals past the horizon would be lost without a word. */
    const ks_world *w = r->world;
    static bool warned;
    if (w->nfgd && (ks_time)(w->nfgd - 1) * w->fgd->interval > horizon && !warned) {
        size_t late = w->nfgd - (size_t)(horizon / w->fgd->interval) - 1;
        char d[32];
        ks_duration_format(horizon, d, sizeof d);
        fprintf(stderr,
                "kubesim: warning: TraceReplay order fgd: %zu of the %zu pods of this run arrive after the end "
                "(%s); lengthen spec.duration or shorten spec.interval\n",
                late, w->nfgd, d);
        warned = true;
    }
}

void ks_runner_simulate(ks_runner *r, bool progress_line, const char *label, bool stats)
{
    ks_sim_set_interrupt_flag(r->sim, &interrupted);
    ks_sim_set_profiling(r->sim, stats);
    progress pr = {.horizon = r->horizon, .label = label ? label : ""};
    pr.start = pr.last = ks_cli_wall();
    if (progress_line) ks_sim_set_progress(r->sim, draw_progress, &pr, 16384);
    double t0 = ks_cli_wall();
    ks_run_result res = ks_sim_run(r->sim, r->horizon);
    r->wall_s = ks_cli_wall() - t0;
    r->complete = res != KS_RUN_INTERRUPTED && !interrupted;
    r->reached = r->complete ? r->horizon : ks_sim_now(r->sim);
    if (pr.drawn) fputs("\r\033[K", stderr);
    ks_sim_set_progress(r->sim, NULL, NULL, 0);
}

ks_summary ks_runner_finish(ks_runner *r, bool wall_figures)
{
    ks_summary s = ks_summarize(r->world, r->sim, r->wall_s);
    ks_world_write_tables(r->world, r->trace);
    ks_apiserver_write_table(&r->world->api, r->trace);
    write_engine_tables(r->trace, r->sim);
    ks_summary_write(r->trace, &s, wall_figures);
    ks_trace_attr_f64(r->trace, "/", "simulated_s", ks_time_to_sec(r->reached));
    return s;
}

void ks_runner_end(ks_runner *r)
{
    ks_world_destroy(r->world);
    ks_sim_destroy(r->sim);
    ks_rngs_destroy(r->rngs);
    *r = (ks_runner){0};
}

int ks_run_experiment(const ks_run_opts *o, ks_run_report *report)
{
    ks_config cfg;
    int rc = ks_runner_load(o, &cfg);
    if (rc) return rc;
    ks_time horizon = o->until >= 0 ? o->until : cfg.experiment.duration;
    const char *output = o->output ? o->output : cfg.experiment.output;
    if (!ks_runner_check_world(&cfg)) {
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    ks_trace *trace = ks_trace_create(output);
    if (!trace) {
        ks_config_free(&cfg);
        return KS_EXIT_FAILURE;
    }
    ks_runner_write_header(trace, &cfg, horizon);

    ks_runner r;
    ks_runner_start(&r, &cfg, cfg.experiment.seed, trace, horizon);
    ks_runner_catch_signals();
    ks_runner_simulate(&r, o->progress, NULL, o->stats);
    ks_runner_restore_signals();
    ks_summary s = ks_runner_finish(&r, true);
    if (ks_trace_close(trace, r.complete) != 0) {
        rc = KS_EXIT_FAILURE;
    } else {
        rc = r.complete ? KS_EXIT_OK : KS_EXIT_INTERRUPTED;
        if (!o->quiet) ks_summary_print(stdout, &cfg, &s, r.reached, output, r.complete);
        if (o->stats) print_stats(stdout, r.sim);
    }
    if (report)
        *report = (ks_run_report){r.wall_s, s.events, s.events_per_s, s.peak_rss, s.created, s.running, !r.complete};
    ks_runner_end(&r);
    ks_config_free(&cfg);
    return rc;
}
