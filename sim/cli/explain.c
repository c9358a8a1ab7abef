/* explain.c — `kubesim explain`: why a pod goes where it goes, or stays Pending.
 *
 * For one pod, every node's filter verdict with upstream's reason strings, each score plugin's
 * raw and normalised score and weight, the total, and the chosen node — the contract of
 * DESIGN.md. The cluster is the one the config describes at time T (default 0: the nodes and the
 * pods pre-bound with spec.nodeName; with --at the experiment runs until T first). Every node is
 * evaluated, as with percentageOfNodesToScore 100; the chosen node is the first of the best totals
 * (the scheduler itself breaks ties at random).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "rng.h"
#include "sim.h"
#include "world.h"

static const char explain_usage[] =
    "usage: kubesim explain CONFIG... --pod NAME [--at T] [-o json|table]\n"
    "\n"
    "Shows, for one pod, every node's filter verdict (upstream's reason strings), each score\n"
    "plugin's raw and normalised score and weight, the total, and the chosen node.\n"
    "\n"
    "  --pod NAME       a Pod of the config ([namespace/]name), or Deployment/NAME for a\n"
    "                   Deployment's pod template\n"
    "  --at T           evaluate the cluster as the experiment left it at time T (default 0:\n"
    "                   the nodes and the pods pre-bound with spec.nodeName)\n"
    "  -o, --output F   json (one object) or table (default)\n"
    "\n"
    "exit status: 0 ok, 2 bad input or no such pod\n";

/* The spec to explain: a Pod document, or a Deployment's template ("Deployment/NAME"; *DEPLOY
 * receives its index, -1 for a Pod). */
static const ks_pod_spec *find_pod(const ks_config *cfg, const char *arg, const char **name, int *deploy)
{
    *deploy = -1;
    const char *slash = strchr(arg, '/');
    if (slash && !strncmp(arg, "Deployment/", 11)) {
        const char *rest = arg + 11, *s2 = strchr(rest, '/');
        for (size_t i = 0; i < cfg->ndeployments; i++) {
            const ks_deployment_spec *d = &cfg->deployments[i];
            bool match = s2 ? (!strncmp(d->namespace, rest, (size_t)(s2 - rest)) && !d->namespace[s2 - rest] &&
                               !strcmp(d->name, s2 + 1))
                            : !strcmp(d->name, rest);
            if (match) {
                *name = d->name;
                *deploy = (int)i;
                return &d->template;
            }
        }
        return NULL;
    }
    for (size_t i = 0; i < cfg->npods; i++) {
        const ks_pod_doc *p = &cfg->pods[i];
        bool match = slash ? (!strncmp(p->spec.namespace, arg, (size_t)(slash - arg)) &&
                              !p->spec.namespace[slash - arg] && !strcmp(p->name, slash + 1))
                           : !strcmp(p->name, arg);
        if (match) {
            *name = p->name;
            return &p->spec;
        }
    }
    return NULL;
}

/* The weights the score plugins got for this pod (the same on every feasible node); NULL when no
 * node is feasible. */
static const int32_t *plugin_weights(const ks_world *w, const ks_explain_node *e)
{
    for (size_t i = 0; i < w->cluster.nodes.n; i++)
        if (e[i].feasible) return e[i].weight;
    return NULL;
}

static void print_json(const ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps, const char *pod,
                       const ks_explain_node *e, int best)
{
    const ks_cluster *c = &w->cluster;
    printf("{\"pod\": ");
    ks_cli_json_str(stdout, pod);
    printf(", \"namespace\": ");
    ks_cli_json_str(stdout, ps->namespace);
    printf(", \"profile\": ");
    ks_cli_json_str(stdout, prof->scheduler_name);
    printf(", \"selected\": ");
    if (best < 0) printf("null");
    else ks_cli_json_str(stdout, c->nodes.spec[best].name);
    printf(", \"nodes\": [");
    for (size_t i = 0; i < c->nodes.n; i++) {
        printf("%s{\"name\": ", i ? ", " : "");
        ks_cli_json_str(stdout, c->nodes.spec[i].name);
        printf(", \"feasible\": %s, \"reasons\": [", e[i].feasible ? "true" : "false");
        for (int r = 0; r < e[i].nreasons; r++) {
            if (r) printf(", ");
            ks_cli_json_str(stdout, e[i].reasons[r]);
        }
        printf("], \"scores\": {");
        int shown = 0;
        for (int k = 0; e[i].feasible && k < KS_PLUGIN_COUNT; k++) {
            int32_t weight = e[i].weight[k];
            if (!weight) continue;
            printf("%s\"%s\": {\"raw\": %" PRId64 ", \"normalized\": %" PRId64 ", \"weight\": %d}", shown++ ? ", " : "",
                   ks_plugin_name(prof, k), e[i].raw[k], e[i].normalized[k], weight);
        }
        printf("}, \"total\": %" PRId64 "}", e[i].total);
    }
    printf("]}\n");
}

static void print_table(const ks_world *w, const ks_sched_profile *prof, const ks_pod_spec *ps, const char *pod,
                        const ks_explain_node *e, int best, ks_time at)
{
    const ks_cluster *c = &w->cluster;
    char t[32];
    ks_duration_format(at, t, sizeof t);
    printf("pod %s/%s, profile %s, cluster at %s: ", ps->namespace, pod, prof->scheduler_name, t);
    if (best < 0) printf("no feasible node (it stays Pending)\n\n");
    else printf("selected %s\n\n", c->nodes.spec[best].name);
    printf("%-24s %-10s", "NODE", "TOTAL");
    const int32_t *weights = plugin_weights(w, e);
    for (int k = 0; weights && k < KS_PLUGIN_COUNT; k++)
        if (weights[k]) printf(" %-20s", ks_plugin_name(prof, k));
    printf("\n");
    for (size_t i = 0; i < c->nodes.n; i++) {
        printf("%-24s ", c->nodes.spec[i].name);
        if (!e[i].feasible) {
            printf("%-10s", "-");
            for (int r = 0; r < e[i].nreasons; r++) printf("%s%s", r ? ", " : " ", e[i].reasons[r]);
            printf("\n");
            continue;
        }
        printf("%-10" PRId64, e[i].total);
        for (int k = 0; k < KS_PLUGIN_COUNT; k++) {
            int32_t weight = e[i].weight[k];
            if (!weight) continue;
            char cell[64];
            if (e[i].raw[k] == e[i].normalized[k])
                snprintf(cell, sizeof cell, "%" PRId64 " x%d", e[i].normalized[k], weight);
            else
                snprintf(cell, sizeof cell, "%" PRId64 " (raw %" PRId64 ") x%d", e[i].normalized[k], e[i].raw[k], weight);
            printf(" %-20s", cell);
        }
        printf("%s\n", (int)i == best ? "  <- selected" : "");
    }
}

int ks_cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {{"pod", required_argument, NULL, 'p'},
                                         {"at", required_argument, NULL, 'a'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *pod_arg = NULL, *format = "table";
    ks_time at = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pod_arg = optarg; break;
        case 'a':
            if (!ks_cli_parse_duration("explain", "--at", optarg, &at)) return KS_EXIT_USAGE;
            break;
        case 'o': format = optarg; break;
        case 'h': fputs(explain_usage, stdout); return KS_EXIT_OK;
        default: fputs(explain_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    if (strcmp(format, "json") && strcmp(format, "table")) {
        fprintf(stderr, "kubesim explain: -o: expected json or table, got \"%s\"\n", format);
        return KS_EXIT_USAGE;
    }
    if (!pod_arg || optind >= argc) {
        fprintf(stderr, "kubesim explain: needs CONFIG... and --pod NAME\n\n%s", explain_usage);
        return KS_EXIT_USAGE;
    }
    ks_config cfg;
    int rc = ks_config_load(&cfg, (const char *const *)argv + optind, (size_t)(argc - optind), stderr);
    if (rc) return rc;
    const char *name = NULL;
    int deploy;
    const ks_pod_spec *ps = find_pod(&cfg, pod_arg, &name, &deploy);
    const ks_sched_profile *prof = ps ? ks_sched_config_profile(&cfg.sched, ps->scheduler_name) : NULL;
    if (!ps || !prof) {
        fprintf(stderr, ps ? "kubesim explain: pod \"%s\" names no scheduler profile of the config\n"
                           : "kubesim explain: no Pod \"%s\" in the config (and no Deployment/NAME)\n",
                pod_arg);
        ks_config_free(&cfg);
        return KS_EXIT_USAGE;
    }
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(cfg.experiment.seed);
    ks_world_params params = ks_cli_world_params(&cfg);
    ks_world *w = ks_world_create(sim, rngs, &params);
    if (!w) {
        rc = KS_EXIT_USAGE;
    } else {
        if (at > 0) ks_sim_run(sim, at);
        ks_explain_node *e = calloc(w->cluster.nodes.n ? w->cluster.nodes.n : 1, sizeof *e);
        if (!e) {
            perror("kubesim explain");
            rc = KS_EXIT_FAILURE;
        } else {
            /* A Deployment's pod as its current ReplicaSet would create it now. */
            ks_sched_pod pod = {.spec = ps};
            if (deploy >= 0) {
                const ks_deployment *d = &w->cluster.deployments[deploy];
                pod = (ks_sched_pod){.spec = d->tmpl, .template_hash = d->tmpl_hash, .owner_selector = &d->spec->selector};
                ps = d->tmpl;
            }
            int best = ks_sched_explain_pod(w, prof, &pod, e);
            if (!strcmp(format, "json")) print_json(w, prof, ps, name, e, best);
            else print_table(w, prof, ps, name, e, best, at);
            free(e);
        }
    }
    ks_world_destroy(w);
    ks_sim_destroy(sim);
    ks_rngs_destroy(rngs);
    ks_config_free(&cfg);
    return rc;
}
