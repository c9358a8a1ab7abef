/* cli.h — the kubesim program: subcommands and the experiment runner they share.
 *
 * Exit status everywhere: 0 ok, 1 run failure (e.g. the trace cannot be written), 2 bad input
 * (usage or config errors; no output file is left), 130 interrupted (SIGINT/SIGTERM: the trace is
 * written and marked complete = 0).
 */
#ifndef KS_CLI_H
#define KS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ks_time.h"

enum { KS_EXIT_OK = 0, KS_EXIT_FAILURE = 1, KS_EXIT_USAGE = 2, KS_EXIT_INTERRUPTED = 130 };

typedef struct ks_run_opts {
    const char *const *configs;
    size_t nconfigs;
    const char *output;  /* -o; NULL: the Experiment's output or "<name>.h5" */
    bool has_seed;
    uint64_t seed;
    int threads;         /* -1: the Experiment's value */
    ks_time until;       /* -1: the Experiment's duration */
    bool quiet;          /* no progress line, no summary */
    bool stats;          /* memory by purpose and events by type after the summary */
    bool progress;       /* draw the progress line (a terminal and not quiet) */
} ks_run_opts;

typedef struct ks_run_report {
    double wall_s;
    uint64_t events;
    double events_per_s;
    size_t peak_rss_bytes;
    int64_t pods_created, pods_running;
    bool interrupted;
} ks_run_report;

/* Loads, runs and writes one experiment. Returns an exit status. */
int ks_run_experiment(const ks_run_opts *o, ks_run_report *report);

int ks_cmd_run(int argc, char **argv);
int ks_cmd_validate(int argc, char **argv);
int ks_cmd_bench(int argc, char **argv);
int ks_cmd_explain(int argc, char **argv);
int ks_cmd_compare(int argc, char **argv);

/* Small shared parsing helpers; each prints "kubesim CMD: …" and returns false on bad input. */
bool ks_cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out);
bool ks_cli_parse_duration(const char *cmd, const char *flag, const char *s, ks_time *out);
/* --threads: 0 to 1024 (0: OpenMP's default). */
bool ks_cli_parse_threads(const char *cmd, const char *s, int *out);
double ks_cli_wall(void);
/* S as a JSON string literal, quotes included. */
void ks_cli_json_str(FILE *f, const char *s);
struct ks_config;
/* What the world is built from: the loaded config's specs (no trace yet). */
struct ks_world_params ks_cli_world_params(const struct ks_config *cfg);
/* False (after an error message) when the configs hold no node and no workload. */
bool ks_cli_has_objects(const struct ks_config *cfg, const char *const *paths, size_t npaths);

#endif
