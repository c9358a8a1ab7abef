/* commands.c — `kubesim run` and `kubesim validate`: option parsing and help. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "quantity.h"
#include "rng.h"
#include "sim.h"
#include "world.h"

static const char run_usage[] =
    "usage: kubesim run CONFIG... [-o FILE] [--seed N] [--threads N] [--until T] [-q] [--stats]\n"
    "\n"
    "Runs the experiment described by the CONFIG files (multi-document YAML: Experiment, NodePool,\n"
    "Node, Pod, Deployment, KubeSchedulerConfiguration, ControlPlane) and writes an HDF5 trace\n"
    "(docs/TRACE_FORMAT.md). The trace is written to a temporary name and renamed when complete;\n"
    "on SIGINT/SIGTERM it is closed with complete = 0.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   trace path (default: the Experiment's spec.output, or <name>.h5)\n"
    "      --seed N        experiment seed (default: the Experiment's spec.seed)\n"
    "      --threads N     OpenMP threads for the scheduler kernel (results do not depend on it)\n"
    "      --until T       simulated horizon: a Go duration like 10m, or seconds (default: spec.duration)\n"
    "  -q, --quiet         no progress line and no summary\n"
    "      --stats         also print peak memory by purpose and events by type\n"
    "  -h, --help          show this help\n"
    "\n"
    "exit status: 0 ok, 1 run failure, 2 bad input (no output file), 130 interrupted\n";

int ks_cmd_run(int argc, char **argv)
{
    enum { OPT_SEED = 256, OPT_THREADS, OPT_UNTIL, OPT_STATS };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS}, {"until", required_argument, NULL, OPT_UNTIL},
        {"quiet", no_argument, NULL, 'q'}, {"stats", no_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0},
    };
    ks_run_opts o = {.threads = -1, .until = -1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o.output = optarg; break;
        case 'q': o.quiet = true; break;
        case 'h': fputs(run_usage, stdout); return KS_EXIT_OK;
        case OPT_SEED:
            if (!ks_cli_parse_u64("run", "--seed", optarg, &o.seed)) return KS_EXIT_USAGE;
            o.has_seed = true;
            break;
        case OPT_THREADS:
            if (!ks_cli_parse_threads("run", optarg, &o.threads)) return KS_EXIT_USAGE;
            break;
        case OPT_UNTIL:
            if (!ks_cli_parse_duration("run", "--until", optarg, &o.until)) return KS_EXIT_USAGE;
            break;
        case OPT_STATS: o.stats = true; break;
        default: fputs(run_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kubesim run: no CONFIG given\n\n%s", run_usage);
        return KS_EXIT_USAGE;
    }
    o.configs = (const char *const *)argv + optind;
    o.nconfigs = (size_t)(argc - optind);
    o.progress = !o.quiet && isatty(STDERR_FILENO);
    return ks_run_experiment(&o, NULL);
}

static const char validate_usage[] =
    "usage: kubesim validate CONFIG...\n"
    "\n"
    "Checks the CONFIG files as `kubesim run` would — YAML syntax, kinds, fields, types, values,\n"
    "references between objects — without running. Errors name file:line:column and the field.\n"
    "Upstream fields kubesim does not model are listed once as ignored.\n"
    "\n"
    "exit status: 0 valid, 2 invalid\n";

int ks_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(validate_usage, stdout);
            return KS_EXIT_OK;
        }
        fputs(validate_usage, stderr);
        return KS_EXIT_USAGE;
    }
    if (optind >= argc) {
        fprintf(stderr, "kubesim validate: no CONFIG given\n\n%s", validate_usage);
        return KS_EXIT_USAGE;
    }
    ks_config cfg;
    int rc = ks_config_load(&cfg, (const char *const *)argv + optind, (size_t)(argc - optind), stderr);
    if (rc) return rc;
    if (!ks_cli_has_objects(&cfg, (const char *const *)argv + optind, (size_t)(argc - optind))) {
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    ks_config_print_ignored(&cfg, stderr);
    /* Build the cluster once, without a trace: references such as spec.nodeName are checked. */
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg.experiment.seed);
    ks_world_params params = ks_cli_world_params(&cfg);
    ks_world *w = ks_world_create(sim, rngs, &params);
    if (w) {
        int64_t replicas = 0;
        for (size_t i = 0; i < cfg.ndeployments; i++) replicas += cfg.deployments[i].replicas;
        printf("%s: valid — %zu nodes, %zu Pods, %zu Deployments (%" PRId64 " replicas), %zu Jobs, %zu Services, "
               "%zu PodDisruptionBudgets, %zu scheduler profile(s), %zu scenario actions, %zu Workloads\n",
               argc - optind == 1 ? argv[optind] : "configs", w->cluster.nodes.n, cfg.npods, cfg.ndeployments,
               replicas, cfg.njobs, cfg.nservices, cfg.npdbs, cfg.sched.nprofiles, cfg.nactions, cfg.nworkloads);
        if (w->nfgd)
            printf("  TraceReplay order fgd: %zu trace pods; with seed %" PRIu64 " %zu arrive (%zu clones), one every "
                   "%.3f s; %.0f GPUs\n",
                   cfg.fgd.npods, cfg.experiment.seed, w->nfgd, w->nfgd - w->nfgd_orig,
                   ks_time_to_sec(cfg.fgd.interval), (double)w->cluster.gpu.capacity_milli / 1000);
    } else {
        rc = KS_EXIT_USAGE;
    }
    ks_world_destroy(w);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);
    return rc;
}
