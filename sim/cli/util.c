/* util.c — small helpers shared by the subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "quantity.h"
#include "world.h"

bool ks_cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+') goto bad;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) goto bad;
    *out = v;
    return true;
bad:
    fprintf(stderr, "kubesim %s: %s: expected a non-negative integer, got \"%s\"\n", cmd, flag, s);
    return false;
}

bool ks_cli_parse_threads(const char *cmd, const char *s, int *out)
{
    uint64_t v;
    if (!ks_cli_parse_u64(cmd, "--threads", s, &v)) return false;
    if (v > 1024) {
        fprintf(stderr, "kubesim %s: --threads: at most 1024\n", cmd);
        return false;
    }
    *out = (int)v;
    return true;
}

bool ks_cli_parse_duration(const char *cmd, const char *flag, const char *s, ks_time *out)
{
    int64_t ns;
    if (ks_duration_parse(s, &ns) == KS_QTY_OK && ns >= 0) {
        *out = ns;
        return true;
    }
    /* A bare number is taken as seconds ("--until 600"), as a convenience on the command line. */
    char *end;
    errno = 0;
    double sec = strtod(s, &end);
    if (*s && !*end && !errno && sec >= 0 && sec < 9.2e9) {
        *out = ks_time_from_sec(sec);
        return true;
    }
    fprintf(stderr, "kubesim %s: %s: expected a non-negative duration like 90s, 1h30m or 600 (seconds), got \"%s\"\n",
            cmd, flag, s);
    return false;
}

void ks_cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

double ks_cli_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


ks_world_params ks_cli_world_params(const ks_config *cfg)
{
    return (ks_world_params){
        .pools = cfg->pools,
        .npools = cfg->npools,
        .nodes = cfg->nodes,
        .nnodes = cfg->nnodes,
        .pods = cfg->pods,
        .npods = cfg->npods,
        .fgd = cfg->fgd.npods ? &cfg->fgd : NULL,
        .deployments = cfg->deployments,
        .ndeployments = cfg->ndeployments,
        .actions = cfg->actions,
        .nactions = cfg->nactions,
        .sched = &cfg->sched,
        .failure_procs = cfg->failure_procs,
        .nfailure_procs = cfg->nfailure_procs,
        .pdbs = cfg->pdbs,
        .npdbs = cfg->npdbs,
        .jobs = cfg->jobs,
        .njobs = cfg->njobs,
        .services = cfg->services,
        .nservices = cfg->nservices,
        .timings = &cfg->timings,
        .sample_interval = cfg->experiment.sample_interval,
        .trace = NULL,
        .workloads = cfg->workloads,
        .nworkloads = cfg->nworkloads,
    };
}

bool ks_cli_has_objects(const ks_config *cfg, const char *const *paths, size_t npaths)
{
    /* Nothing to simulate is almost always a forgotten or empty file: say so instead of writing an
     * empty trace. (The loader accepts such fragments: a file may hold only a
     * KubeSchedulerConfiguration, to be combined with others on the command line.) */
    if (cfg->npools || cfg->nnodes || cfg->npods || cfg->ndeployments || cfg->njobs) return true;
    fprintf(stderr, "%s:1:1: error: no NodePool, Node, Pod or Deployment in %s: nothing to simulate\n",
            npaths ? paths[0] : "?", npaths == 1 ? "this file" : "these files");
    return false;
}
