/* compare.c — `kubesim compare`: one workload under several scheduler profiles and seeds.
 *
 * Every run is an ordinary `kubesim run` (runner.h) of the same config, with every pod scheduled by
 * one profile (ks_sched_config.force_profile) and the RNG streams seeded from one seed. Runs go
 * one after another into one HDF5 file, each in its own group (/runs/<profile>/seed-<n>/…), and a
 * /compare table holds each run's metrics; docs/TRACE_FORMAT.md describes the layout. The
 * terminal gets a table with one column per profile, each cell the median across seeds and the
 * interval between the 2.5th and 97.5th percentiles (GSL's quantile of the sorted values: linear
 * interpolation between ranks, as numpy's default), so with 40 seeds or more the cell holds 95%
 * of the runs.
 *
 * Nothing wall-clock goes into the file (the per-run /summary omits wall_s and the like), so a
 * config and seed give the same bytes every time.
 *
 * Memory: each run's tables are closed when it ends (ks_trace_close_tables); the metrics of all
 * runs are kept, profiles x seeds x metrics doubles.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "alloc.h"
#include "cli.h"
#include "config.h"
#include "runner.h"
#include "trace.h"

static const char compare_usage[] =
    "usage: kubesim compare CONFIG... [--profiles A,B,...] [--seeds N] [--seed S] [--json]\n"
    "                       [-o FILE.h5] [--until T] [--threads N] [-q]\n"
    "\n"
    "Runs the experiment of the CONFIG files (loaded as `kubesim run` loads them) once per scheduler\n"
    "profile and seed. Under profile A every pod is scheduled by A, whatever its schedulerName.\n"
    "Prints a table with one column per profile: per metric the median across seeds and, with more\n"
    "than one seed, the interval between the 2.5th and 97.5th percentiles across seeds. Every run's\n"
    "trace goes into one HDF5 file, under /runs/<profile>/seed-<n>/, with a /compare table of the\n"
    "metrics of each run (docs/TRACE_FORMAT.md).\n"
    "\n"
    "metrics (at the end of each run): pods scheduled, pending and unschedulable (a FailedScheduling\n"
    "and still no node); nodes used (holding a pod); requested/allocatable cpu and memory, mean and\n"
    "p99 over the nodes used; the share of free cpu fragmented (that a pod of the workload's mix\n"
    "could not use there, after FGD, USENIX ATC '23); p99 of created -> scheduled; p99 pod startup\n"
    "(upstream's SLI, as `kubesim run` reports it). With GPUs, the FGD experiment's numbers, shown as\n"
    "median [25th, 75th percentile]: unallocated GPU % and fragmentation ratio % when the arrived GPU\n"
    "request reaches 100% of capacity, and the arrived % at the first pod that fitted nowhere.\n"
    "\n"
    "options:\n"
    "      --profiles A,B  the KubeSchedulerConfiguration profiles (schedulerName) to compare, in\n"
    "                      this order (default: every profile of the config)\n"
    "      --seeds N       seeds per profile: S, S+1, ..., S+N-1 (default 1)\n"
    "      --seed S        first seed (default: the Experiment's spec.seed)\n"
    "      --json          print the table as one JSON object on stdout instead (every run too)\n"
    "  -o, --output FILE   the HDF5 file (default: compare.h5)\n"
    "      --until T       simulated horizon of each run (default: spec.duration)\n"
    "      --threads N     OpenMP threads for the scheduler kernel (results do not depend on it)\n"
    "  -q, --quiet         no progress line and no table\n"
    "  -h, --help          show this help\n"
    "\n"
    "exit status: 0 ok, 1 run failure, 2 bad input (no output file), 130 interrupted (the file is\n"
    "written with the runs done so far and complete = 0)\n";

#define MAX_SEEDS 100000

/* ---- metrics ----------------------------------------------------------------------------------- */

typedef enum metric_kind { M_COUNT, M_SHARE, M_SECONDS, M_PERCENT } metric_kind;

typedef struct metric {
    const char *name;  /* /compare column, JSON key, and the /summary attribute it comes from */
    const char *label; /* terminal row */
    metric_kind kind;
    bool iqr; /* the terminal shows the interquartile range (the FGD paper's), not the 95 % one; a
               * row of such metrics is left out when no run has a value (no GPUs) */
} metric;

enum {
    M_PODS_SCHEDULED, M_PODS_PENDING, M_PODS_UNSCHEDULABLE, M_NODES_USED, M_CPU_MEAN, M_CPU_P99, M_MEM_MEAN,
    M_MEM_P99, M_FRAGMENTATION, M_SCHED_P99, M_STARTUP_P99, M_GPU_UNALLOC, M_GPU_FRAG, M_GPU_FAIL, NMETRICS
};

static const metric metrics[NMETRICS] = {
    [M_PODS_SCHEDULED] = {"pods_scheduled", "pods scheduled", M_COUNT},
    [M_PODS_PENDING] = {"pods_pending", "pods pending", M_COUNT},
    [M_PODS_UNSCHEDULABLE] = {"pods_unschedulable", "pods unschedulable", M_COUNT},
    [M_NODES_USED] = {"nodes_used", "nodes used", M_COUNT},
    [M_CPU_MEAN] = {"cpu_util_mean", "cpu requested/allocatable mean (%)", M_SHARE},
    [M_CPU_P99] = {"cpu_util_p99", "cpu requested/allocatable p99 (%)", M_SHARE},
    [M_MEM_MEAN] = {"mem_util_mean", "memory requested/allocatable mean (%)", M_SHARE},
    [M_MEM_P99] = {"mem_util_p99", "memory requested/allocatable p99 (%)", M_SHARE},
    [M_FRAGMENTATION] = {"cpu_fragmentation", "free cpu fragmented (%)", M_SHARE},
    [M_SCHED_P99] = {"sched_latency_p99_s", "scheduling latency p99 (s)", M_SECONDS},
    [M_STARTUP_P99] = {"startup_p99_s", "pod startup p99, SLI (s)", M_SECONDS},
    /* The FGD experiment's (gpuseries.h). */
    [M_GPU_UNALLOC] = {"gpu_unallocated_pct_at_100", "unallocated GPU % at arrived 100%", M_PERCENT, true},
    [M_GPU_FRAG] = {"gpu_frag_ratio_pct_at_100", "GPU fragmentation ratio % at arrived 100%", M_PERCENT, true},
    [M_GPU_FAIL] = {"gpu_first_failure_arrived_pct", "arrived GPU % at the first failed pod", M_PERCENT, true},
};

static void metric_values(const ks_summary *s, double v[NMETRICS])
{
    v[M_PODS_SCHEDULED] = (double)s->scheduled;
    v[M_PODS_PENDING] = (double)s->pending;
    v[M_PODS_UNSCHEDULABLE] = (double)s->unschedulable;
    v[M_NODES_USED] = (double)s->nodes_used;
    v[M_CPU_MEAN] = s->cpu_util_mean;
    v[M_CPU_P99] = s->cpu_util_p99;
    v[M_MEM_MEAN] = s->mem_util_mean;
    v[M_MEM_P99] = s->mem_util_p99;
    v[M_FRAGMENTATION] = s->cpu_fragmentation;
    v[M_SCHED_P99] = s->sched_latency[1];
    v[M_STARTUP_P99] = s->sli[2];
    v[M_GPU_UNALLOC] = s->gpu_unalloc_at_100;
    v[M_GPU_FRAG] = s->gpu_frag_ratio_at_100;
    v[M_GPU_FAIL] = s->gpu_fail_arrived_pct;
}

/* ---- the experiment matrix --------------------------------------------------------------------- */

typedef struct cmp_run {
    double value[NMETRICS];
    bool done;     /* it ran (possibly interrupted) */
    bool complete; /* it reached the horizon */
} cmp_run;

/* Across the seeds of one profile: median, the 2.5th / 97.5th percentiles and the quartiles. */
typedef struct cmp_stat {
    double median, lo, hi, q1, q3;
    size_t n; /* complete runs with a value (NaN: the metric had none, e.g. no pod started) */
} cmp_stat;

typedef struct cmp {
    const ks_config *cfg;
    const char **profiles;
    size_t nprofiles;
    uint64_t first_seed;
    size_t nseeds;
    cmp_run *runs;            /* [profile * nseeds + seed] */
    cmp_stat *stats;          /* [profile * NMETRICS + metric] */
    const char *output;
    bool interrupted;
} cmp;

static cmp_run *run_at(const cmp *c, size_t p, size_t k)
{
    return &c->runs[p * c->nseeds + k];
}

/* Quantile F of SORTED[0..n), n > 0, by GSL: linear interpolation between the ranks around
 * (n - 1) F. GSL computes (1 - d) a + d b, which is not exactly a when a == b (4 seeds of 24 nodes
 * give 23.999999999999996), so equal neighbours are returned as they are. */
static double quantile(const double *sorted, size_t n, double f)
{
    size_t i = (size_t)floor((double)(n - 1) * f);
    if (i + 1 >= n || sorted[i] == sorted[i + 1]) return sorted[i < n ? i : n - 1];
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, f);
}

static void compute_stats(cmp *c)
{
    double *v = ks_malloc(ks_mem_purpose("summary"), c->nseeds * sizeof *v);
    for (size_t p = 0; p < c->nprofiles; p++) {
        for (int m = 0; m < NMETRICS; m++) {
            size_t n = 0;
            for (size_t k = 0; k < c->nseeds; k++) {
                const cmp_run *r = run_at(c, p, k);
                if (r->complete && !isnan(r->value[m])) v[n++] = r->value[m];
            }
            cmp_stat *st = &c->stats[p * NMETRICS + (size_t)m];
            *st = (cmp_stat){NAN, NAN, NAN, NAN, NAN, n};
            if (n == 0) continue;
            gsl_sort(v, 1, n);
            st->median = quantile(v, n, 0.5);
            st->lo = quantile(v, n, 0.025);
            st->hi = quantile(v, n, 0.975);
            st->q1 = quantile(v, n, 0.25);
            st->q3 = quantile(v, n, 0.75);
        }
    }
    ks_free(v);
}

/* ---- the /compare table ------------------------------------------------------------------------ */

typedef struct compare_row {
    const char *profile;
    int64_t seed, complete;
    int64_t count[NMETRICS]; /* M_COUNT metrics */
    double value[NMETRICS];  /* the others */
} compare_row;

static void write_compare_table(const cmp *c, ks_trace *t)
{
    ks_column cols[3 + NMETRICS] = {
        KS_COLUMN(compare_row, profile, KS_COL_STR),
        KS_COLUMN(compare_row, seed, KS_COL_I64),
        KS_COLUMN(compare_row, complete, KS_COL_I64),
    };
    for (int m = 0; m < NMETRICS; m++) {
        bool count = metrics[m].kind == M_COUNT;
        cols[3 + m] = (ks_column){metrics[m].name, count ? KS_COL_I64 : KS_COL_F64,
                                  count ? offsetof(compare_row, count) + (size_t)m * sizeof(int64_t)
                                        : offsetof(compare_row, value) + (size_t)m * sizeof(double),
                                  0};
    }
    ks_table *tab = ks_trace_table(t, "/compare", cols, 3 + NMETRICS, sizeof(compare_row), 1024);
    for (size_t p = 0; p < c->nprofiles; p++) {
        for (size_t k = 0; k < c->nseeds; k++) {
            const cmp_run *r = run_at(c, p, k);
            if (!r->done) continue;
            compare_row row = {.profile = c->profiles[p], .seed = (int64_t)(c->first_seed + k),
                               .complete = r->complete};
            for (int m = 0; m < NMETRICS; m++) {
                row.value[m] = r->value[m];
                if (metrics[m].kind == M_COUNT) row.count[m] = (int64_t)r->value[m];
            }
            ks_table_append(tab, &row);
        }
    }
}

/* ---- output ------------------------------------------------------------------------------------ */

/* A number as JSON: integers for counts, shortest exact form otherwise, null for NaN. */
static void json_num(FILE *f, double v, metric_kind kind)
{
    if (isnan(v) || isinf(v)) fputs("null", f);
    else if (kind == M_COUNT && v == floor(v)) fprintf(f, "%.0f", v);
    else fprintf(f, "%.17g", v);
}

static void print_json(const cmp *c, FILE *f)
{
    fputs("{\"experiment\": ", f);
    ks_cli_json_str(f, c->cfg->experiment.name);
    fprintf(f, ", \"complete\": %s, \"output\": ", c->interrupted ? "false" : "true");
    ks_cli_json_str(f, c->output);
    fputs(",\n \"profiles\": [", f);
    for (size_t p = 0; p < c->nprofiles; p++) {
        if (p) fputs(", ", f);
        ks_cli_json_str(f, c->profiles[p]);
    }
    fputs("],\n \"seeds\": [", f);
    for (size_t k = 0; k < c->nseeds; k++) fprintf(f, "%s%" PRIu64, k ? ", " : "", c->first_seed + k);
    fputs("],\n \"runs\": [", f);
    bool first = true;
    for (size_t p = 0; p < c->nprofiles; p++) {
        for (size_t k = 0; k < c->nseeds; k++) {
            const cmp_run *r = run_at(c, p, k);
            if (!r->done) continue;
            fputs(first ? "\n  {\"profile\": " : ",\n  {\"profile\": ", f);
            first = false;
            ks_cli_json_str(f, c->profiles[p]);
            fprintf(f, ", \"seed\": %" PRIu64 ", \"complete\": %s", c->first_seed + k, r->complete ? "true" : "false");
            for (int m = 0; m < NMETRICS; m++) {
                fprintf(f, ", \"%s\": ", metrics[m].name);
                json_num(f, r->value[m], metrics[m].kind);
            }
            fputc('}', f);
        }
    }
    fputs("],\n \"summary\": {", f);
    for (size_t p = 0; p < c->nprofiles; p++) {
        fputs(p ? ",\n  " : "\n  ", f);
        ks_cli_json_str(f, c->profiles[p]);
        fputs(": {", f);
        for (int m = 0; m < NMETRICS; m++) {
            const cmp_stat *st = &c->stats[p * NMETRICS + (size_t)m];
            fprintf(f, "%s\"%s\": {\"median\": ", m ? ",\n    " : "\n    ", metrics[m].name);
            json_num(f, st->median, M_SECONDS);
            fputs(", \"ci95\": [", f);
            json_num(f, st->lo, M_SECONDS);
            fputs(", ", f);
            json_num(f, st->hi, M_SECONDS);
            fputs("], \"iqr\": [", f);
            json_num(f, st->q1, M_SECONDS);
            fputs(", ", f);
            json_num(f, st->q3, M_SECONDS);
            fprintf(f, "], \"n\": %zu}", st->n);
        }
        fputc('}', f);
    }
    fputs("}}\n", f);
}

static void fmt_num(char *buf, size_t size, double v, metric_kind kind)
{
    if (isnan(v)) snprintf(buf, size, "-");
    else if (kind == M_SHARE) snprintf(buf, size, "%.1f", v * 100);
    else if (kind == M_SECONDS) snprintf(buf, size, "%.3f", v);
    else if (kind == M_PERCENT) snprintf(buf, size, "%.2f", v);
    else if (v == floor(v)) snprintf(buf, size, "%.0f", v);
    else snprintf(buf, size, "%.1f", v);
}

static void fmt_cell(char *buf, size_t size, const cmp_stat *st, const metric *mt, bool interval)
{
    char m[32], lo[32], hi[32];
    metric_kind kind = mt->kind;
    fmt_num(m, sizeof m, st->median, kind);
    if (!interval || st->n < 2) {
        snprintf(buf, size, "%s", m);
        return;
    }
    fmt_num(lo, sizeof lo, mt->iqr ? st->q1 : st->lo, kind);
    fmt_num(hi, sizeof hi, mt->iqr ? st->q3 : st->hi, kind);
    snprintf(buf, size, "%s [%s, %s]", m, lo, hi);
}

static void print_table(const cmp *c, FILE *f)
{
    size_t complete = 0;
    for (size_t i = 0; i < c->nprofiles * c->nseeds; i++) complete += c->runs[i].complete;
    fprintf(f, "kubesim %s compare — experiment \"%s\", %zu profile(s) x %zu seed(s)", KS_VERSION,
            c->cfg->experiment.name, c->nprofiles, c->nseeds);
    if (c->nseeds > 1)
        fprintf(f, " (%" PRIu64 "..%" PRIu64 "); cells: median [2.5th, 97.5th percentile] across seeds, GPU rows "
                   "median [25th, 75th]",
                c->first_seed, c->first_seed + c->nseeds - 1);
    else
        fprintf(f, " (seed %" PRIu64 ")", c->first_seed);
    fputc('\n', f);
    if (c->interrupted)
        fprintf(f, "INTERRUPTED: %zu of %zu runs complete; the table holds those, the file is marked incomplete\n",
                complete, c->nprofiles * c->nseeds);
    /* Rows of IQR metrics without any value (a cluster without GPUs) are left out. */
    bool shown[NMETRICS];
    for (int m = 0; m < NMETRICS; m++) {
        shown[m] = !metrics[m].iqr;
        for (size_t p = 0; p < c->nprofiles && !shown[m]; p++) shown[m] = c->stats[p * NMETRICS + (size_t)m].n > 0;
    }
    size_t label_w = strlen("metric");
    for (int m = 0; m < NMETRICS; m++)
        if (shown[m] && strlen(metrics[m].label) > label_w) label_w = strlen(metrics[m].label);
    /* Each column as wide as its widest cell. */
    char cell[64];
    size_t *w = ks_malloc(ks_mem_purpose("summary"), c->nprofiles * sizeof *w);
    for (size_t p = 0; p < c->nprofiles; p++) {
        w[p] = strlen(c->profiles[p]);
        for (int m = 0; m < NMETRICS; m++) {
            if (!shown[m]) continue;
            fmt_cell(cell, sizeof cell, &c->stats[p * NMETRICS + (size_t)m], &metrics[m], c->nseeds > 1);
            if (strlen(cell) > w[p]) w[p] = strlen(cell);
        }
    }
    /* The last column is not padded: no trailing blanks. */
    fprintf(f, "  %-*s", (int)label_w, "metric");
    for (size_t p = 0; p < c->nprofiles; p++)
        fprintf(f, "  %-*s", p + 1 < c->nprofiles ? (int)w[p] : 0, c->profiles[p]);
    fputc('\n', f);
    for (int m = 0; m < NMETRICS; m++) {
        if (!shown[m]) continue;
        fprintf(f, "  %-*s", (int)label_w, metrics[m].label);
        for (size_t p = 0; p < c->nprofiles; p++) {
            fmt_cell(cell, sizeof cell, &c->stats[p * NMETRICS + (size_t)m], &metrics[m], c->nseeds > 1);
            fprintf(f, "  %-*s", p + 1 < c->nprofiles ? (int)w[p] : 0, cell);
        }
        fputc('\n', f);
    }
    fprintf(f, "  trace: %s\n", c->output);
    ks_free(w);
}

/* ---- profiles ---------------------------------------------------------------------------------- */

/* The profile names to compare: LIST (comma-separated) checked against the config, or every
 * profile of the config. Names point into CFG. False after a message. */
static bool pick_profiles(const ks_config *cfg, const char *list, const char ***out, size_t *n)
{
    const ks_sched_config *sc = &cfg->sched;
    const char **names = ks_malloc(ks_mem_purpose("config"), (sc->nprofiles + 1) * sizeof *names);
    size_t count = 0;
    if (!list) {
        for (size_t i = 0; i < sc->nprofiles; i++) names[count++] = sc->profiles[i].scheduler_name;
    } else {
        const char *s = list;
        for (;;) {
            size_t len = strcspn(s, ",");
            const char *found = NULL;
            for (size_t i = 0; i < sc->nprofiles && !found; i++)
                if (strlen(sc->profiles[i].scheduler_name) == len && !strncmp(sc->profiles[i].scheduler_name, s, len))
                    found = sc->profiles[i].scheduler_name;
            bool dup = false;
            for (size_t i = 0; i < count && found; i++) dup |= names[i] == found;
            if (!found || dup || count == sc->nprofiles) {
                if (dup) {
                    fprintf(stderr, "kubesim compare: --profiles: \"%.*s\" is listed twice\n", (int)len, s);
                } else {
                    fprintf(stderr, "kubesim compare: --profiles: no scheduler profile \"%.*s\" in the config; it has ",
                            (int)len, s);
                    for (size_t i = 0; i < sc->nprofiles; i++)
                        fprintf(stderr, "%s\"%s\"", i ? ", " : "", sc->profiles[i].scheduler_name);
                    fputc('\n', stderr);
                }
                ks_free(names);
                return false;
            }
            names[count++] = found;
            if (!s[len]) break;
            s += len + 1;
        }
    }
    /* A profile becomes an HDF5 group name: '/' would nest it, and "." names the parent. */
    for (size_t i = 0; i < count; i++) {
        if (strchr(names[i], '/') || !strcmp(names[i], ".") || !names[i][0]) {
            fprintf(stderr, "kubesim compare: scheduler profile \"%s\" cannot name a group of the HDF5 file\n",
                    names[i]);
            ks_free(names);
            return false;
        }
    }
    *out = names;
    *n = count;
    return true;
}

/* ---- the command ------------------------------------------------------------------------------- */

typedef struct compare_opts {
    ks_run_opts run;
    const char *profiles; /* --profiles, NULL: all */
    uint64_t nseeds;
    bool json;
} compare_opts;

/* Parses argv into O. Returns -1 to go on, else the exit status to return at once. */
static int parse_args(int argc, char **argv, compare_opts *o)
{
    enum { OPT_SEED = 256, OPT_SEEDS, OPT_PROFILES, OPT_JSON, OPT_UNTIL, OPT_THREADS };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},        {"seed", required_argument, NULL, OPT_SEED},
        {"seeds", required_argument, NULL, OPT_SEEDS},   {"profiles", required_argument, NULL, OPT_PROFILES},
        {"json", no_argument, NULL, OPT_JSON},           {"until", required_argument, NULL, OPT_UNTIL},
        {"threads", required_argument, NULL, OPT_THREADS}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},                {0, 0, 0, 0},
    };
    *o = (compare_opts){.run = {.threads = -1, .until = -1}, .nseeds = 1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->run.output = optarg; break;
        case 'q': o->run.quiet = true; break;
        case 'h': fputs(compare_usage, stdout); return KS_EXIT_OK;
        case OPT_SEED:
            if (!ks_cli_parse_u64("compare", "--seed", optarg, &o->run.seed)) return KS_EXIT_USAGE;
            o->run.has_seed = true;
            break;
        case OPT_SEEDS:
            if (!ks_cli_parse_u64("compare", "--seeds", optarg, &o->nseeds)) return KS_EXIT_USAGE;
            if (o->nseeds < 1 || o->nseeds > MAX_SEEDS) {
                fprintf(stderr, "kubesim compare: --seeds: expected 1 to %d, got \"%s\"\n", MAX_SEEDS, optarg);
                return KS_EXIT_USAGE;
            }
            break;
        case OPT_PROFILES:
            if (!optarg[0]) {
                fprintf(stderr, "kubesim compare: --profiles: expected a comma-separated list of schedulerNames\n");
                return KS_EXIT_USAGE;
            }
            o->profiles = optarg;
            break;
        case OPT_JSON: o->json = true; break;
        case OPT_UNTIL:
            if (!ks_cli_parse_duration("compare", "--until", optarg, &o->run.until)) return KS_EXIT_USAGE;
            break;
        case OPT_THREADS:
            if (!ks_cli_parse_threads("compare", optarg, &o->run.threads)) return KS_EXIT_USAGE;
            break;
        default: fputs(compare_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kubesim compare: no CONFIG given\n\n%s", compare_usage);
        return KS_EXIT_USAGE;
    }
    o->run.configs = (const char *const *)argv + optind;
    o->run.nconfigs = (size_t)(argc - optind);
    o->run.progress = !o->run.quiet && !o->json && isatty(STDERR_FILENO);
    if (!o->run.output) o->run.output = "compare.h5";
    return -1;
}

/* Runs every profile x seed into T. */
static void run_matrix(cmp *c, ks_config *cfg, ks_trace *t, ks_time horizon, bool progress)
{
    char group[512], label[320];
    size_t total = c->nprofiles * c->nseeds, i = 0;
    ks_runner_catch_signals();
    for (size_t p = 0; p < c->nprofiles && !c->interrupted; p++) {
        cfg->sched.force_profile = c->profiles[p];
        for (size_t k = 0; k < c->nseeds && !c->interrupted; k++) {
            uint64_t seed = c->first_seed + k;
            snprintf(group, sizeof group, "/runs/%s/seed-%" PRIu64, c->profiles[p], seed);
            snprintf(label, sizeof label, "%s seed %" PRIu64 " (%zu/%zu): ", c->profiles[p], seed, ++i, total);
            ks_trace_set_group(t, group);
            ks_trace_attr_str(t, "/", "profile", c->profiles[p]);
            ks_trace_attr_i64(t, "/", "seed", (int64_t)seed);
            ks_runner r;
            ks_runner_start(&r, cfg, seed, t, horizon);
            ks_runner_simulate(&r, progress, label, false);
            ks_summary s = ks_runner_finish(&r, false);
            ks_trace_attr_i64(t, "/", "complete", r.complete);
            cmp_run *run = run_at(c, p, k);
            metric_values(&s, run->value);
            run->done = true;
            run->complete = r.complete;
            c->interrupted = !r.complete;
            ks_runner_end(&r);
            ks_trace_close_tables(t);
        }
    }
    ks_runner_restore_signals();
    cfg->sched.force_profile = NULL;
    ks_trace_set_group(t, "/");
}

int ks_cmd_compare(int argc, char **argv)
{
    compare_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    ks_config cfg;
    rc = ks_runner_load(&o.run, &cfg);
    if (rc) return rc;
    cmp c = {.cfg = &cfg, .first_seed = cfg.experiment.seed, .nseeds = (size_t)o.nseeds, .output = o.run.output};
    if (c.first_seed > UINT64_MAX - c.nseeds) {
        fprintf(stderr, "kubesim compare: --seeds: seed %" PRIu64 " + %zu overflows\n", c.first_seed, c.nseeds);
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    if (!pick_profiles(&cfg, o.profiles, &c.profiles, &c.nprofiles) || !ks_runner_check_world(&cfg)) {
        ks_free(c.profiles);
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    ks_time horizon = o.run.until >= 0 ? o.run.until : cfg.experiment.duration;
    ks_trace *t = ks_trace_create(o.run.output);
    if (!t) {
        ks_free(c.profiles);
        ks_config_free(&cfg);
        return KS_EXIT_FAILURE;
    }
    ks_runner_write_header(t, &cfg, horizon);
    ks_trace_attr_str(t, "/", "kind", "compare");
    ks_trace_attr_i64(t, "/", "seeds", (int64_t)c.nseeds);
    ks_trace_attr_i64(t, "/", "profiles", (int64_t)c.nprofiles);

    c.runs = ks_calloc(ks_mem_purpose("summary"), c.nprofiles * c.nseeds, sizeof *c.runs);
    c.stats = ks_calloc(ks_mem_purpose("summary"), c.nprofiles * NMETRICS, sizeof *c.stats);
    run_matrix(&c, &cfg, t, horizon, o.run.progress);
    compute_stats(&c);
    write_compare_table(&c, t);
    if (ks_trace_close(t, !c.interrupted) != 0) {
        rc = KS_EXIT_FAILURE;
    } else {
        rc = c.interrupted ? KS_EXIT_INTERRUPTED : KS_EXIT_OK;
        if (o.json) print_json(&c, stdout);
        else if (!o.run.quiet) print_table(&c, stdout);
    }
    ks_free(c.stats);
    ks_free(c.runs);
    ks_free(c.profiles);
    ks_config_free(&cfg);
    return rc;
}
