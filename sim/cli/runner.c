/* runner.c — one experiment end to end: config -> world -> run -> trace -> summary.
 *
 * Order matters for the bad-input contract: everything that can reject the input (config
 * validation, building the world) happens before the trace file is created, so exit status 2
 * never leaves an output file behind.
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
#include "config.h"
#include "rng.h"
#include "sim.h"
#include "stats.h"
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
    fprintf(stderr, "\r\033[Kkubesim: simulated %s / %s (%.0f%%)  %.2fM events/s  ETA %.1fs", t, h, frac * 100,
            rate / 1e6, eta);
    fflush(stderr);
    pr->last = now;
    pr->last_events = events;
    pr->drawn = true;
}

typedef struct summary {
    int64_t created, scheduled, running, pending;
    double sli[3], ready[3]; /* p50, p90, p99 */
    size_t started, readied;
    uint64_t attempts, unschedulable_attempts, events, k8s_events, api_requests, etcd_writes;
    double api_p50, api_p99, etcd_writes_per_s;
    double wall_s, events_per_s;
    size_t peak_rss, peak_counted;
} summary;

static summary summarize(const ks_world *w, const ks_sim *sim, double wall_s)
{
    const ks_cluster *c = &w->cluster;
    summary s = {0};
    size_t cap = c->npods ? c->npods : 1;
    double *sli = ks_malloc(ks_mem_purpose("summary"), cap * sizeof *sli);
    double *ready = ks_malloc(ks_mem_purpose("summary"), cap * sizeof *ready);
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        s.created++;
        if (p->bound != KS_NEVER) s.scheduled++;
        if (p->deleted == KS_NEVER && p->phase == KS_PHASE_RUNNING) s.running++;
        if (p->deleted == KS_NEVER && p->phase == KS_PHASE_PENDING) s.pending++;
        /* Upstream's pod startup SLI: creation to all containers reported started (Running), image
         * pulls excluded (kubernetes/community sig-scalability/slos/pod_startup_latency.md). */
        if (p->running != KS_NEVER) sli[s.started++] = ks_time_to_sec(p->running - p->created - p->pull_total);
        if (p->ready != KS_NEVER) ready[s.readied++] = ks_time_to_sec(p->ready - p->created);
    }
    ks_sort_doubles(sli, s.started);
    ks_sort_doubles(ready, s.readied);
    static const double pct[3] = {50, 90, 99};
    for (int k = 0; k < 3; k++) {
        s.sli[k] = ks_percentile_sorted(sli, s.started, pct[k]);
        s.ready[k] = ks_percentile_sorted(ready, s.readied, pct[k]);
    }
    ks_free(sli);
    ks_free(ready);
    s.attempts = w->sched.attempts;
    s.unschedulable_attempts = w->sched.unschedulable_attempts;
    s.events = ks_sim_events_run(sim);
    s.k8s_events = c->events_emitted;
    s.api_requests = w->api.requests;
    s.etcd_writes = w->api.etcd_writes;
    s.api_p50 = ks_apiserver_latency(&w->api, 50);
    s.api_p99 = ks_apiserver_latency(&w->api, 99);
    double simulated = ks_time_to_sec(ks_sim_now(sim));
    s.etcd_writes_per_s = simulated > 0 ? (double)s.etcd_writes / simulated : 0.0;
    s.wall_s = wall_s;
    s.events_per_s = wall_s > 0 ? (double)s.events / wall_s : 0.0;
    s.peak_rss = ks_mem_peak_rss();
    s.peak_counted = ks_mem_peak_total();
    return s;
}

static void print_summary(FILE *out, const ks_config *cfg, const summary *s, ks_time simulated, const char *trace,
                          bool complete)
{
    char d[32];
    ks_duration_format(simulated, d, sizeof d);
    fprintf(out, "kubesim %s — experiment \"%s\", seed %" PRIu64 "%s\n", KS_VERSION, cfg->experiment.name,
            cfg->experiment.seed, complete ? "" : " (INTERRUPTED: trace marked incomplete)");
    fprintf(out, "  simulated    %s in %.3f s of wall time (%" PRIu64 " events, %.0f events/s)\n", d, s->wall_s,
            s->events, s->events_per_s);
    fprintf(out, "  pods         %" PRId64 " created, %" PRId64 " scheduled, %" PRId64 " running, %" PRId64
                 " pending\n",
            s->created, s->scheduled, s->running, s->pending);
    if (s->started) {
        /* The SLO: p99 <= 5 s for stateless pods (same document as the SLI). */
        fprintf(out, "  pod startup  p50 %.3f s, p90 %.3f s, p99 %.3f s (upstream SLI: created -> Running, image "
                     "pulls excluded; %zu pods; 5 s p99 SLO %s)\n",
                s->sli[0], s->sli[1], s->sli[2], s->started, s->sli[2] <= 5.0 ? "met" : "MISSED");
        fprintf(out, "               created -> Ready: p50 %.3f s, p90 %.3f s, p99 %.3f s\n", s->ready[0], s->ready[1],
                s->ready[2]);
    } else {
        fprintf(out, "  pod startup  no pod started\n");
    }
    fprintf(out, "  scheduling   %" PRIu64 " attempts, %" PRIu64 " unschedulable\n", s->attempts,
            s->unschedulable_attempts);
    /* Upstream's API call latency SLO: p99 of mutating single-object calls <= 1 s
     * (kubernetes/community sig-scalability/slos/api_call_latency.md). */
    fprintf(out, "  API server   %" PRIu64 " requests, %" PRIu64 " etcd writes (%.1f/s); latency p50 %.1f ms, p99 %.1f ms%s\n",
            s->api_requests, s->etcd_writes, s->etcd_writes_per_s, s->api_p50 * 1e3, s->api_p99 * 1e3,
            s->api_p99 > 1.0 ? " (over the 1 s SLO)" : "");
    fprintf(out, "  events       %" PRIu64 " Kubernetes events recorded\n", s->k8s_events);
    fprintf(out, "  memory       peak RSS %.1f MiB (%.1f MiB counted by purpose)\n", (double)s->peak_rss / 1048576.0,
            (double)s->peak_counted / 1048576.0);
    fprintf(out, "  trace        %s\n", trace);
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

static void write_summary(ks_trace *t, const summary *s)
{
    ks_trace_attr_i64(t, "/summary", "pods_created", s->created);
    ks_trace_attr_i64(t, "/summary", "pods_scheduled", s->scheduled);
    ks_trace_attr_i64(t, "/summary", "pods_running", s->running);
    ks_trace_attr_i64(t, "/summary", "pods_pending", s->pending);
    ks_trace_attr_f64(t, "/summary", "startup_p50_s", s->sli[0]);
    ks_trace_attr_f64(t, "/summary", "startup_p90_s", s->sli[1]);
    ks_trace_attr_f64(t, "/summary", "startup_p99_s", s->sli[2]);
    ks_trace_attr_i64(t, "/summary", "startup_slo_met", s->started && s->sli[2] <= 5.0);
    ks_trace_attr_f64(t, "/summary", "ready_p50_s", s->ready[0]);
    ks_trace_attr_f64(t, "/summary", "ready_p90_s", s->ready[1]);
    ks_trace_attr_f64(t, "/summary", "ready_p99_s", s->ready[2]);
    ks_trace_attr_i64(t, "/summary", "sched_attempts", (int64_t)s->attempts);
    ks_trace_attr_i64(t, "/summary", "sched_unschedulable", (int64_t)s->unschedulable_attempts);
    ks_trace_attr_i64(t, "/summary", "k8s_events", (int64_t)s->k8s_events);
    ks_trace_attr_i64(t, "/summary", "api_requests", (int64_t)s->api_requests);
    ks_trace_attr_i64(t, "/summary", "etcd_writes", (int64_t)s->etcd_writes);
    ks_trace_attr_f64(t, "/summary", "etcd_writes_per_s", s->etcd_writes_per_s);
    ks_trace_attr_f64(t, "/summary", "api_latency_p50_s", s->api_p50);
    ks_trace_attr_f64(t, "/summary", "api_latency_p99_s", s->api_p99);
    ks_trace_attr_i64(t, "/summary", "events", (int64_t)s->events);
    /* Wall-clock figures vary from run to run; they live in /summary attributes only, never in a
     * dataset, so that datasets stay byte-identical for a seed. */
    ks_trace_attr_f64(t, "/summary", "events_per_s", s->events_per_s);
    ks_trace_attr_f64(t, "/summary", "wall_s", s->wall_s);
    ks_trace_attr_i64(t, "/summary", "peak_rss_bytes", (int64_t)s->peak_rss);
}

int ks_run_experiment(const ks_run_opts *o, ks_run_report *report)
{
    ks_config cfg;
    int rc = ks_config_load(&cfg, o->configs, o->nconfigs, stderr);
    if (rc) return rc;
    if (!ks_cli_has_objects(&cfg, o->configs, o->nconfigs)) {
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    ks_config_print_ignored(&cfg, stderr);
    if (o->has_seed) cfg.experiment.seed = o->seed;
    ks_time horizon = o->until >= 0 ? o->until : cfg.experiment.duration;
    int threads = o->threads >= 0 ? o->threads : cfg.experiment.threads;
    if (threads > 0) omp_set_num_threads(threads);
    const char *output = o->output ? o->output : cfg.experiment.output;

    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg.experiment.seed);
    ks_world_params params = ks_cli_world_params(&cfg);
    /* A dry build catches what only the assembled cluster can reject (a nodeName that names no
     * node) before any file exists. */
    ks_world *probe = ks_world_create(sim, rngs, &params);
    if (!probe) {
        rc = KS_EXIT_USAGE;
        goto out_sim;
    }
    ks_world_destroy(probe);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    sim = ks_sim_create();
    rngs = ks_rngs_create(cfg.experiment.seed);

    ks_trace *trace = ks_trace_create(output);
    if (!trace) {
        rc = KS_EXIT_FAILURE;
        goto out_sim;
    }
    ks_trace_attr_i64(trace, "/", "schema_version", SCHEMA_VERSION);
    ks_trace_attr_str(trace, "/", "kubesim_version", KS_VERSION);
    ks_trace_attr_i64(trace, "/", "seed", (int64_t)cfg.experiment.seed);
    ks_trace_attr_str(trace, "/", "experiment", cfg.experiment.name);
    ks_trace_attr_str(trace, "/", "config", cfg.text);
    ks_trace_attr_f64(trace, "/", "duration_s", ks_time_to_sec(horizon));
    ks_trace_attr_f64(trace, "/", "sample_interval_s", ks_time_to_sec(cfg.experiment.sample_interval));
    ks_trace_attr_i64(trace, "/", "complete", 0);

    params.trace = trace;
    ks_world *w = ks_world_create(sim, rngs, &params);

    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    ks_sim_set_interrupt_flag(sim, &interrupted);
    ks_sim_set_profiling(sim, o->stats);
    progress pr = {.horizon = horizon};
    pr.start = pr.last = ks_cli_wall();
    if (o->progress) ks_sim_set_progress(sim, draw_progress, &pr, 16384);

    double t0 = ks_cli_wall();
    ks_run_result res = ks_sim_run(sim, horizon);
    double wall = ks_cli_wall() - t0;
    bool complete = res != KS_RUN_INTERRUPTED && !interrupted;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (pr.drawn) fputs("\r\033[K", stderr);

    summary s = summarize(w, sim, wall);
    ks_world_write_tables(w, trace);
    ks_apiserver_write_table(&w->api, trace);
    write_engine_tables(trace, sim);
    write_summary(trace, &s);
    ks_trace_attr_f64(trace, "/", "simulated_s", ks_time_to_sec(complete ? horizon : ks_sim_now(sim)));
    if (ks_trace_close(trace, complete) != 0) {
        rc = KS_EXIT_FAILURE;
    } else {
        rc = complete ? KS_EXIT_OK : KS_EXIT_INTERRUPTED;
        if (!o->quiet) print_summary(stdout, &cfg, &s, complete ? horizon : ks_sim_now(sim), output, complete);
        if (o->stats) print_stats(stdout, sim);
    }
    if (report) *report = (ks_run_report){wall, s.events, s.events_per_s, s.peak_rss, s.created, s.running, !complete};
    ks_world_destroy(w);
out_sim:
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);
    return rc;
}
