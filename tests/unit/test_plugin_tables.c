/* The score and filter plugins through the explain path, against upstream's own test
 * tables (kubernetes v1.31, pkg/scheduler/framework/plugins/: podtopologyspread/{filtering,
 * scoring}_test.go, interpodaffinity/{filtering,scoring}_test.go, tainttoleration/
 * taint_toleration_test.go, nodeaffinity/node_affinity_test.go, noderesources/fit_test.go; each
 * case names its upstream test; ImageLocality's table is in test_scenarios.c). Upstream's "failedNodes" (nodes that failed another filter) are tainted here, so that
 * TaintToleration rejects them before these plugins run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "rng.h"
#include "sim.h"
#include "testutil.h"
#include "world.h"

/* A node: NAME with LABELS (YAML flow mapping body); FAILED nodes carry an untolerated taint. */
static void add_node(char *buf, size_t cap, const char *name, const char *labels, bool failed)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "---\napiVersion: v1\nkind: Node\nmetadata: {name: %s, labels: {%s}}\n%s"
             "status: {allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}}\n",
             name, labels, failed ? "spec: {taints: [{key: failed, effect: NoSchedule}]}\n" : "");
}

/* A pod NAME in NAMESPACE with LABELS, on NODE (NULL: unscheduled), with EXTRA spec fields. */
static void add_pod(char *buf, size_t cap, const char *name, const char *ns, const char *labels, const char *node,
                    const char *extra)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s, labels: {%s}}\n"
             "spec:\n  containers: [{name: c, image: \"i:1\"}]\n%s%s%s%s",
             name, ns, labels, node ? "  nodeName: " : "", node ? node : "", node ? "\n" : "", extra ? extra : "");
}

/* The owning ReplicaSet's selector for the next explain (NULL: a bare pod). */
static const ks_labels *g_owner;

typedef struct explained {
    ks_config cfg;
    ks_sim *sim;
    ks_rngs *rngs;
    ks_world *w;
    ks_explain_node *e;
    int best;
} explained;

/* Loads YAML (plus PROFILE_YAML, a KubeSchedulerConfiguration, if any) and explains pod POD. */
static void explain(explained *x, const char *yaml, const char *pod)
{
    static int seq;
    char name[64];
    snprintf(name, sizeof name, "interpod-%d.yaml", seq++);
    const char *path = ks_test_write_file(name, yaml);
    const char *paths[] = {path};
    assert_int_equal(ks_config_load(&x->cfg, paths, 1, stderr), 0);
    x->sim = ks_sim_create();
    x->rngs = ks_rngs_create(1);
    ks_world_params p = {
        .nodes = x->cfg.nodes,
        .nnodes = x->cfg.nnodes,
        .pods = x->cfg.pods,
        .npods = x->cfg.npods,
        .sched = &x->cfg.sched,
        .timings = &x->cfg.timings,
        .sample_interval = x->cfg.experiment.sample_interval,
    };
    x->w = ks_world_create(x->sim, x->rngs, &p);
    assert_non_null(x->w);
    const ks_pod_spec *ps = NULL;
    for (size_t i = 0; i < x->cfg.npods; i++)
        if (!strcmp(x->cfg.pods[i].name, pod)) ps = &x->cfg.pods[i].spec;
    assert_non_null(ps);
    x->e = calloc(x->w->cluster.nodes.n, sizeof *x->e);
    ks_sched_pod sp = {.spec = ps, .owner_selector = g_owner};
    x->best = ks_sched_explain_pod(x->w, &x->cfg.sched.profiles[0], &sp, x->e);
}

static void explained_free(explained *x)
{
    free(x->e);
    ks_world_destroy(x->w);
    ks_sim_destroy(x->sim);
    ks_rngs_destroy(x->rngs);
    ks_config_free(&x->cfg);
}

static const ks_explain_node *node_named(const explained *x, const char *name)
{
    for (size_t i = 0; i < x->w->cluster.nodes.n; i++)
        if (!strcmp(x->w->cluster.nodes.spec[i].name, name)) return &x->e[i];
    fail_msg("no node %s", name);
    return NULL;
}

/* Checks one plugin's normalised score on each named node ("node-a=20,node-b=60"), "+" for a node
 * that must pass the filters, or "-" plus a reason substring for a node that must fail
 * ("node-y=-didn't match pod topology"). */
static void expect(const explained *x, int plugin, const char *spec)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        assert_non_null(eq);
        *eq = 0;
        const ks_explain_node *e = node_named(x, tok);
        if (eq[1] == '-') {
            if (e->feasible) fail_msg("%s: feasible, want a failure with \"%s\"", tok, eq + 2);
            bool found = false;
            for (int r = 0; r < e->nreasons; r++) found |= strstr(e->reasons[r], eq + 2) != NULL;
            if (!found) fail_msg("%s: reasons lack \"%s\" (first: \"%s\")", tok, eq + 2, e->nreasons ? e->reasons[0] : "");
            continue;
        }
        if (!e->feasible) fail_msg("%s: infeasible (%s), want a score", tok, e->nreasons ? e->reasons[0] : "");
        if (eq[1] == '+') continue;
        long want = strtol(eq + 1, NULL, 10);
        if (e->normalized[plugin] != want)
            fail_msg("%s: %s normalised %lld, want %ld (raw %lld)", tok, ks_plugin_names[plugin],
                     (long long)e->normalized[plugin], want, (long long)e->raw[plugin]);
    }
}

#define CFG_CAP 16384
#define FOO_HOST_ANYWAY                                                                                     \
    "  topologySpreadConstraints:\n"                                                                        \
    "  - {maxSkew: %d, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,\n"            \
    "     labelSelector: {matchExpressions: [{key: foo, operator: Exists}]}}\n"

/* Existing pods "name@node[@ns]" with label foo. */
static void add_foo_pods(char *cfg, const char *list)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *at = strchr(tok, '@'), *ns = at ? strchr(at + 1, '@') : NULL;
        *at = 0;
        if (ns) *ns++ = 0;
        add_pod(cfg, CFG_CAP, tok, ns ? ns : "default", "foo: \"\"", at + 1, NULL);
    }
}

/* scoring_test.go TestPodTopologySpreadScore: "one constraint on node, all 4 nodes are
 * candidates" (2/1/0/3 -> 20/60/100/0), maxSkew=2 (33/66/100/16), maxSkew=3 with 4/3/2/1
 * (44/66/77/100). */
static void test_spread_score_one_constraint_on_node(void **state)
{
    (void)state;
    static const struct {
        int skew;
        const char *pods, *want;
    } cases[] = {
        {1, "p-a1@node-a p-a2@node-a p-b1@node-b p-d1@node-d p-d2@node-d p-d3@node-d",
         "node-a=20,node-b=60,node-c=100,node-d=0"},
        {2, "p-a1@node-a p-a2@node-a p-b1@node-b p-d1@node-d p-d2@node-d p-d3@node-d",
         "node-a=33,node-b=66,node-c=100,node-d=16"},
        {3,
         "p-a1@node-a p-a2@node-a p-a3@node-a p-a4@node-a p-b1@node-b p-b2@node-b p-b3@node-b p-c1@node-c "
         "p-c2@node-c p-d1@node-d",
         "node-a=44,node-b=66,node-c=77,node-d=100"},
        {1, "", "node-a=100,node-b=100,node-c=100,node-d=100"}, /* "no existing pods" */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *cfg = calloc(1, CFG_CAP), extra[512];
        for (const char *n = "abcd"; *n; n++) {
            char name[16];
            snprintf(name, sizeof name, "node-%c", *n);
            add_node(cfg, CFG_CAP, name, "", false);
        }
        add_foo_pods(cfg, cases[k].pods);
        snprintf(extra, sizeof extra, FOO_HOST_ANYWAY, cases[k].skew);
        add_pod(cfg, CFG_CAP, "p", "default", "foo: \"\"", NULL, extra);
        explained x;
        explain(&x, cfg, "p");
        expect(&x, KS_PLUGIN_SPREAD, cases[k].want);
        explained_free(&x);
        free(cfg);
    }
}

/* TestPodTopologySpreadScore: "one constraint on node, 3 out of 4 nodes are candidates"
 * (4/2/1/~3~ -> 33/83/100), "existing pods in a different namespace do not count" (100/33). */
static void test_spread_score_candidates_and_namespaces(void **state)
{
    (void)state;
    char *cfg = calloc(1, CFG_CAP), extra[512];
    add_node(cfg, CFG_CAP, "node-a", "", false);
    add_node(cfg, CFG_CAP, "node-b", "", false);
    add_node(cfg, CFG_CAP, "node-x", "", false);
    add_node(cfg, CFG_CAP, "node-y", "", true);
    add_foo_pods(cfg, "p-a1@node-a p-a2@node-a p-a3@node-a p-a4@node-a p-b1@node-b p-b2@node-b p-x1@node-x "
                      "p-y1@node-y p-y2@node-y p-y3@node-y");
    snprintf(extra, sizeof extra, FOO_HOST_ANYWAY, 1);
    add_pod(cfg, CFG_CAP, "p", "default", "foo: \"\"", NULL, extra);
    explained x;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, "node-a=33,node-b=83,node-x=100,node-y=-untolerated taint");
    explained_free(&x);

    cfg[0] = 0;
    add_node(cfg, CFG_CAP, "node-a", "", false);
    add_node(cfg, CFG_CAP, "node-b", "", false);
    add_foo_pods(cfg, "p-a1@node-a@ns1 p-a2@node-a p-b1@node-b p-b2@node-b");
    add_pod(cfg, CFG_CAP, "p", "default", "foo: \"\"", NULL, extra);
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, "node-a=100,node-b=33");
    explained_free(&x);
    free(cfg);
}

/* TestPodTopologySpreadScore: "one constraint on zone, 3 out of 4 nodes are candidates"
 * (75/75/100) and "two Constraints on zone and node, with different labelSelectors" (60/20/100/60),
 * "..., some nodes have 0 pods" (100/60/40/0), "..., 3 out of 4 nodes are candidates"
 * (50/25/100). */
static void test_spread_score_zone_and_node(void **state)
{
    (void)state;
    char *cfg = calloc(1, CFG_CAP);
    static const char *zones[] = {"node-a", "zone1", "node-b", "zone1", "node-x", "zone2", "node-y", "zone2"};
    for (int i = 0; i < 4; i++) {
        char l[64];
        snprintf(l, sizeof l, "zone: %s", zones[2 * i + 1]);
        add_node(cfg, CFG_CAP, zones[2 * i], l, i == 3);
    }
    add_foo_pods(cfg, "p-a1@node-a p-a2@node-a p-a3@node-a p-a4@node-a p-b1@node-b p-b2@node-b p-x1@node-x "
                      "p-y1@node-y p-y2@node-y p-y3@node-y");
    add_pod(cfg, CFG_CAP, "p", "default", "foo: \"\"", NULL,
            "  topologySpreadConstraints:\n"
            "  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway,\n"
            "     labelSelector: {matchExpressions: [{key: foo, operator: Exists}]}}\n");
    explained x;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, "node-a=75,node-b=75,node-x=100");
    explained_free(&x);

    static const struct {
        const char *pods;
        bool y_failed;
        const char *want;
    } cases[] = {
        {"p-a1@node-a:foo p-b1@node-b:foo,bar p-y1@node-y:foo p-y2@node-y:bar", false,
         "node-a=60,node-b=20,node-x=100,node-y=60"},
        {"p-b1@node-b:bar p-x1@node-x:foo p-y1@node-y:foo,bar", false, "node-a=100,node-b=60,node-x=40,node-y=0"},
        {"p-a1@node-a:foo p-b1@node-b:foo,bar p-y1@node-y:foo p-y2@node-y:bar", true, "node-a=50,node-b=25,node-x=100"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        cfg[0] = 0;
        for (int i = 0; i < 4; i++) {
            char l[64];
            snprintf(l, sizeof l, "zone: %s", zones[2 * i + 1]);
            add_node(cfg, CFG_CAP, zones[2 * i], l, i == 3 && cases[k].y_failed);
        }
        char buf[256];
        snprintf(buf, sizeof buf, "%s", cases[k].pods);
        for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            char *at = strchr(tok, '@'), *colon = strchr(tok, ':'), labels[64] = "";
            *at = *colon = 0;
            for (char *l = strtok(colon + 1, ","); l; l = strtok(NULL, ","))
                snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%s: \"\"", *labels ? ", " : "", l);
            add_pod(cfg, CFG_CAP, tok, "default", labels, at + 1, NULL);
        }
        add_pod(cfg, CFG_CAP, "p", "default", "foo: \"\", bar: \"\"", NULL,
                "  topologySpreadConstraints:\n"
                "  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway,\n"
                "     labelSelector: {matchExpressions: [{key: foo, operator: Exists}]}}\n"
                "  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,\n"
                "     labelSelector: {matchExpressions: [{key: bar, operator: Exists}]}}\n");
        explain(&x, cfg, "p");
        expect(&x, KS_PLUGIN_SPREAD, cases[k].want);
        explained_free(&x);
    }
    free(cfg);
}

/* filtering_test.go TestSingleConstraint. Nodes node-a, node-b (zone1), node-x, node-y (zone2),
 * each with a "node" label of its name. */
static void single_constraint_case(const char *pods, const char *constraint, const char *pod_labels,
                                   const char *extra_spec, const char *want)
{
    char *cfg = calloc(1, CFG_CAP), spec[1024];
    static const char *nodes[] = {"node-a", "zone1", "node-b", "zone1", "node-x", "zone2", "node-y", "zone2"};
    for (int i = 0; i < 4; i++) {
        char l[64];
        snprintf(l, sizeof l, "zone: %s, node: %s", nodes[2 * i + 1], nodes[2 * i]);
        add_node(cfg, CFG_CAP, nodes[2 * i], l, false);
    }
    add_foo_pods(cfg, pods);
    snprintf(spec, sizeof spec, "  topologySpreadConstraints:\n  - %s\n%s", constraint, extra_spec ? extra_spec : "");
    add_pod(cfg, CFG_CAP, "p", "default", pod_labels, NULL, spec);
    explained x;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, want);
    explained_free(&x);
    free(cfg);
}

#define FOO_SEL "labelSelector: {matchExpressions: [{key: foo, operator: Exists}]}"
#define SKEW "didn't match pod topology spread constraints"

static void test_spread_filter_single_constraint(void **state)
{
    (void)state;
    /* "no existing pods" */
    single_constraint_case("", "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=+,node-b=+,node-x=+,node-y=+");
    /* "existing pods in a different namespace do not count" */
    single_constraint_case("p-a1@node-a@ns1 p-b1@node-b@ns2 p-x1@node-x p-y1@node-y p-y2@node-y",
                           "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=+,node-b=+,node-x=-" SKEW ",node-y=-" SKEW);
    /* "pods spread across zones as 3/3, all nodes fit" */
    single_constraint_case("p-a1@node-a p-b1@node-b p-b2@node-b p-x1@node-x p-y1@node-y p-y2@node-y",
                           "{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=+,node-b=+,node-x=+,node-y=+");
    /* "pod cannot be scheduled as all nodes don't have label 'rack'" */
    single_constraint_case("p-a1@node-a", "{maxSkew: 1, topologyKey: rack, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL,
                           "node-a=-(missing required label),node-b=-(missing required label),"
                           "node-x=-(missing required label),node-y=-(missing required label)");
    /* "pods spread across nodes as 2/1/0/3, only node-x fits" */
    single_constraint_case("p-a1@node-a p-a2@node-a p-b1@node-b p-y1@node-y p-y2@node-y p-y3@node-y",
                           "{maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=-" SKEW ",node-b=-" SKEW ",node-x=+,node-y=-" SKEW);
    /* "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit" */
    single_constraint_case("p-a1@node-a p-a2@node-a p-b1@node-b p-y1@node-y p-y2@node-y p-y3@node-y",
                           "{maxSkew: 2, topologyKey: node, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=-" SKEW ",node-b=+,node-x=+,node-y=-" SKEW);
    /* "pods spread across nodes as 2/1/0/3, but pod doesn't match itself" */
    single_constraint_case("p-a1@node-a p-a2@node-a p-b1@node-b p-y1@node-y p-y2@node-y p-y3@node-y",
                           "{maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "bar: \"\"", NULL, "node-a=-" SKEW ",node-b=+,node-x=+,node-y=-" SKEW);
    /* "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits" (here node-b
     * and node-x fail NodeAffinity first) */
    single_constraint_case(
        "p-a1@node-a p-a2@node-a p-b1@node-b p-y1@node-y p-y2@node-y p-y3@node-y",
        "{maxSkew: 1, topologyKey: node, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}", "foo: \"\"",
        "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:\n"
        "    [{matchExpressions: [{key: node, operator: In, values: [node-a, node-y]}]}]}}}\n",
        "node-a=+,node-b=-node affinity,node-x=-node affinity,node-y=-" SKEW);
    /* TestSingleConstraint "pods spread across zone as 2/1 ... minDomains 3": zone1 has 2, zone2 1;
     * with minDomains 3 > 2 domains the global minimum is 0: 2+1-0 > 1 everywhere in zone1, 1+1 =
     * 2 > 1 in zone2. */
    single_constraint_case("p-a1@node-a p-b1@node-b p-x1@node-x",
                           "{maxSkew: 1, minDomains: 3, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, " FOO_SEL "}",
                           "foo: \"\"", NULL, "node-a=-" SKEW ",node-b=-" SKEW ",node-x=-" SKEW ",node-y=-" SKEW);
}

/* System default constraints (PodTopologySpreadArgs defaultingType System): hostname maxSkew 3
 * and zone maxSkew 5, for pods a ReplicaSet owns, by the ReplicaSet's selector; a bare pod gets
 * none. Worked from scoring.go: nodes n1, n2 in zone z1 and n3 in z2, with 2/0/1 pods app=web;
 * hostname weight ln(3 + 2) = 1.609, zone weight ln(2 + 2) = 1.386 (z1 holds 2, z2 1):
 * n1 = round(2 * 1.609 + 2 + 2 * 1.386 + 4) = round(11.99) = 12, n2 = round(0 + 2 + 2.773 + 4) =
 * round(8.77) = 9, n3 = round(1.609 + 2 + 1.386 + 4) = round(8.996) = 9; normalised
 * 100 * (12 + 9 - s) / 12: 75, 100, 100. A node without a zone still gets hostname spreading
 * (n4: round(0 + 2) = 2 with the hostname weight now ln(4 + 2)). */
static void test_spread_system_defaults(void **state)
{
    (void)state;
    char *cfg = calloc(1, CFG_CAP);
    add_node(cfg, CFG_CAP, "n1", "topology.kubernetes.io/zone: z1", false);
    add_node(cfg, CFG_CAP, "n2", "topology.kubernetes.io/zone: z1", false);
    add_node(cfg, CFG_CAP, "n3", "topology.kubernetes.io/zone: z2", false);
    add_pod(cfg, CFG_CAP, "w1", "default", "app: web", "n1", NULL);
    add_pod(cfg, CFG_CAP, "w2", "default", "app: web", "n1", NULL);
    add_pod(cfg, CFG_CAP, "w3", "default", "app: web", "n3", NULL);
    add_pod(cfg, CFG_CAP, "other", "default", "app: db", "n2", NULL);
    add_pod(cfg, CFG_CAP, "p", "default", "app: web", NULL, NULL);
    ks_kv sel_kv = {(char *)"app", (char *)"web"};
    ks_labels sel = {&sel_kv, 1};
    explained x;
    g_owner = &sel;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, "n1=75,n2=100,n3=100");
    explained_free(&x);
    /* Without an owner there are no default constraints: the plugin does not score. */
    g_owner = NULL;
    explain(&x, cfg, "p");
    assert_int_equal(node_named(&x, "n1")->weight[KS_PLUGIN_SPREAD], 0);
    explained_free(&x);
    /* n4 has no zone: hostname weight ln(4 + 2) = 1.792, and the zone constraint now sees three
     * domains, z1, z2 and "" (initPreScoreState reads the missing label as ""), weight ln(5) =
     * 1.609: n1 = round(3.58 + 2 + 3.22 + 4) = 13, n2 = round(2 + 3.22 + 4) = 9, n3 = round(1.79 +
     * 2 + 1.61 + 4) = 9, n4 = round(0 + 2) = 2 (Score skips the zone it lacks); max 13, min 2:
     * 100 * (15 - s) / 13 = 15, 46, 46, 100. */
    add_node(cfg, CFG_CAP, "n4", "", false);
    g_owner = &sel;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_SPREAD, "n1=15,n2=46,n3=46,n4=100");
    explained_free(&x);
    g_owner = NULL;
    free(cfg);
}

/* interpodaffinity/filtering_test.go TestRequiredAffinitySingleNode and
 * TestRequiredAffinityMultipleNodes, the cases a simulator meets most. */
static void test_interpod_filter(void **state)
{
    (void)state;
    char *cfg = calloc(1, CFG_CAP);
    explained x;
    /* "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In
     * operator that matches the existing pod" / "does not satisfy ... anti-affinity": zones. */
    add_node(cfg, CFG_CAP, "n1", "zone: z1", false);
    add_node(cfg, CFG_CAP, "n2", "zone: z1", false);
    add_node(cfg, CFG_CAP, "n3", "zone: z2", false);
    add_node(cfg, CFG_CAP, "n4", "rack: r1", false);
    add_pod(cfg, CFG_CAP, "db", "default", "service: securityscan", "n1", NULL);
    add_pod(cfg, CFG_CAP, "p", "default", "", NULL,
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchExpressions: [{key: service, operator: In, values: [securityscan, value2]}]}\n"
            "        topologyKey: zone\n");
    add_pod(cfg, CFG_CAP, "anti", "default", "", NULL,
            "  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {service: securityscan}}\n        topologyKey: zone\n");
    /* The existing pod's namespace must match: a term in another namespace sees nothing. */
    add_pod(cfg, CFG_CAP, "other-ns", "other", "", NULL,
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {service: securityscan}}\n        topologyKey: zone\n");
    /* namespaceSelector {} matches every namespace. */
    add_pod(cfg, CFG_CAP, "all-ns", "other", "", NULL,
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {service: securityscan}}\n        topologyKey: zone\n"
            "        namespaceSelector: {}\n");
    /* The first pod of a self-affine group may go anywhere with the key. */
    add_pod(cfg, CFG_CAP, "self", "default", "app: self", NULL,
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {app: self}}\n        topologyKey: zone\n");
    const char *aff = "didn't match pod affinity rules", *anti = "didn't match pod anti-affinity rules";
    explain(&x, cfg, "p");
    char want[512];
    snprintf(want, sizeof want, "n1=0,n2=0,n3=-%s,n4=-%s", aff, aff);
    expect(&x, KS_PLUGIN_INTERPOD, want);
    explained_free(&x);
    explain(&x, cfg, "anti");
    snprintf(want, sizeof want, "n1=-%s,n2=-%s,n3=0,n4=0", anti, anti);
    expect(&x, KS_PLUGIN_INTERPOD, want);
    explained_free(&x);
    explain(&x, cfg, "other-ns");
    snprintf(want, sizeof want, "n1=-%s,n2=-%s,n3=-%s,n4=-%s", aff, aff, aff, aff);
    expect(&x, KS_PLUGIN_INTERPOD, want);
    explained_free(&x);
    explain(&x, cfg, "all-ns");
    snprintf(want, sizeof want, "n1=0,n2=0,n3=-%s,n4=-%s", aff, aff);
    expect(&x, KS_PLUGIN_INTERPOD, want);
    explained_free(&x);
    explain(&x, cfg, "self");
    snprintf(want, sizeof want, "n1=0,n2=0,n3=0,n4=-%s", aff);
    expect(&x, KS_PLUGIN_INTERPOD, want);
    explained_free(&x);

    /* An existing pod's required anti-affinity keeps matching pods out of its zone:
     * "didn't satisfy existing pods anti-affinity rules". */
    cfg[0] = 0;
    add_node(cfg, CFG_CAP, "n1", "zone: z1", false);
    add_node(cfg, CFG_CAP, "n2", "zone: z1", false);
    add_node(cfg, CFG_CAP, "n3", "zone: z2", false);
    add_pod(cfg, CFG_CAP, "loner", "default", "app: loner", "n1",
            "  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {team: a}}\n        topologyKey: zone\n");
    add_pod(cfg, CFG_CAP, "p", "default", "team: a", NULL, NULL);
    add_pod(cfg, CFG_CAP, "q", "default", "team: b", NULL, NULL);
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_INTERPOD, "n1=-existing pods anti-affinity,n2=-existing pods anti-affinity,n3=0");
    explained_free(&x);
    explain(&x, cfg, "q");
    assert_true(node_named(&x, "n1")->feasible && node_named(&x, "n2")->feasible);
    explained_free(&x);
    free(cfg);
}

/* interpodaffinity/scoring_test.go TestPreferredAffinity: "Affinity: pod that matches topology
 * key & pods in nodes will get high score comparing to others which doesn't match either pods in
 * nodes or in topology key" — machine1 (region China) runs a pod of security S1, machine2 (region
 * India) one of S2, machine3 (region China) none; the pod prefers S1 pods in its region, weight
 * 5: raw 5 / 0 / 5 -> 100 / 0 / 100. And anti-affinity: "Anti Affinity: pod that does not match
 * existing pods in node will get high score" — the same with podAntiAffinity: 0 / 100 / 0. */
static void test_interpod_score(void **state)
{
    (void)state;
    char *cfg = calloc(1, CFG_CAP);
    add_node(cfg, CFG_CAP, "machine1", "region: China", false);
    add_node(cfg, CFG_CAP, "machine2", "region: India", false);
    add_node(cfg, CFG_CAP, "machine3", "region: China", false);
    add_pod(cfg, CFG_CAP, "e1", "default", "security: S1", "machine1", NULL);
    add_pod(cfg, CFG_CAP, "e2", "default", "security: S2", "machine2", NULL);
    const char *term = "      - weight: 5\n        podAffinityTerm:\n"
                       "          labelSelector: {matchExpressions: [{key: security, operator: In, values: [S1]}]}\n"
                       "          topologyKey: region\n";
    char extra[1024];
    snprintf(extra, sizeof extra, "  affinity:\n    podAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n%s",
             term);
    add_pod(cfg, CFG_CAP, "p", "default", "security: S1", NULL, extra);
    snprintf(extra, sizeof extra,
             "  affinity:\n    podAntiAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n%s", term);
    add_pod(cfg, CFG_CAP, "q", "default", "security: S1", NULL, extra);
    /* An existing pod's required affinity term that the pod matches adds hardPodAffinityWeight
     * (1) to the existing pod's region: TestPreferredAffinityWithHardPodAffinitySymmetricWeight
     * ("with weight 1: 100 / 0 / 100" pattern). */
    add_pod(cfg, CFG_CAP, "r", "default", "app: r", NULL, NULL);
    explained x;
    explain(&x, cfg, "p");
    expect(&x, KS_PLUGIN_INTERPOD, "machine1=100,machine2=0,machine3=100");
    explained_free(&x);
    explain(&x, cfg, "q");
    expect(&x, KS_PLUGIN_INTERPOD, "machine1=0,machine2=100,machine3=0");
    explained_free(&x);
    /* No term anywhere matches r: InterPodAffinity does not score it (weight 0). */
    explain(&x, cfg, "r");
    assert_int_equal(node_named(&x, "machine1")->weight[KS_PLUGIN_INTERPOD], 0);
    explained_free(&x);

    cfg[0] = 0;
    add_node(cfg, CFG_CAP, "machine1", "region: China", false);
    add_node(cfg, CFG_CAP, "machine2", "region: India", false);
    add_node(cfg, CFG_CAP, "machine3", "region: China", false);
    add_pod(cfg, CFG_CAP, "e1", "default", "security: S1", "machine2",
            "  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      - labelSelector: {matchLabels: {app: r}}\n        topologyKey: region\n");
    add_pod(cfg, CFG_CAP, "r", "default", "app: r", NULL, NULL);
    explain(&x, cfg, "r");
    expect(&x, KS_PLUGIN_INTERPOD, "machine1=0,machine2=100,machine3=0");
    explained_free(&x);
    free(cfg);
}

/* A node NAME with LABELS and TAINTS (a YAML flow list body). */
static void add_tainted_node(char *buf, size_t cap, const char *name, const char *labels, const char *taints)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n,
             "---\napiVersion: v1\nkind: Node\nmetadata: {name: %s, labels: {%s}}\nspec: {taints: [%s]}\n"
             "status: {allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}}\n",
             name, labels, taints);
}

/* tainttoleration/taint_toleration_test.go TestTaintTolerationScore (the v1.31 cases). */
static void test_taint_toleration_score_table(void **state)
{
    (void)state;
    static const struct {
        const char *name, *tolerations, *taints[3], *want;
    } cases[] = {
        {"node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
         "[{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]",
         {"{key: foo, value: bar, effect: PreferNoSchedule}", "{key: foo, value: blah, effect: PreferNoSchedule}", NULL},
         "node-a=100,node-b=0"},
        {"the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many "
         "tolerable taints a node has",
         "[{key: cpu-type, operator: Equal, value: arm64, effect: PreferNoSchedule}, "
         "{key: disk-type, operator: Equal, value: ssd, effect: PreferNoSchedule}]",
         {"", "{key: cpu-type, value: arm64, effect: PreferNoSchedule}",
          "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}"},
         "node-a=100,node-b=100,node-c=100"},
        {"the more intolerable taints a node has, the lower score it gets.",
         "[{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]",
         {"", "{key: cpu-type, value: arm64, effect: PreferNoSchedule}",
          "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}"},
         "node-a=100,node-b=50,node-c=0"},
        {"only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority "
         "function",
         "[{key: cpu-type, operator: Equal, value: arm64, effect: NoSchedule}, "
         "{key: disk-type, operator: Equal, value: ssd, effect: NoSchedule}]",
         {"", "{key: cpu-type, value: arm64, effect: NoSchedule}",
          "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, {key: disk-type, value: ssd, effect: PreferNoSchedule}"},
         "node-a=100,node-b=100,node-c=0"},
        {"Default behaviour No taints and tolerations, lands on node with no taints", "[]",
         {"", "{key: cpu-type, value: arm64, effect: PreferNoSchedule}", NULL}, "node-a=100,node-b=0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *cfg = calloc(1, CFG_CAP), extra[512], name[8];
        for (int i = 0; i < 3 && cases[k].taints[i]; i++) {
            snprintf(name, sizeof name, "node-%c", 'a' + i);
            add_tainted_node(cfg, CFG_CAP, name, "", cases[k].taints[i]);
        }
        snprintf(extra, sizeof extra, "  tolerations: %s\n", cases[k].tolerations);
        add_pod(cfg, CFG_CAP, "pod1", "default", "", NULL, extra);
        explained x;
        explain(&x, cfg, "pod1");
        expect(&x, KS_PLUGIN_TAINT, cases[k].want);
        explained_free(&x);
        free(cfg);
    }
}

/* tainttoleration TestTaintTolerationFilter (v1.31 cases; nodeA is node-a here, Node names being
 * RFC 1123): the reason names the first taint not tolerated. */
static void test_taint_toleration_filter_table(void **state)
{
    (void)state;
    static const struct {
        const char *tolerations, *taints;
        bool fits;
    } cases[] = {
        {"[]", "{key: dedicated, value: user1, effect: NoSchedule}", false},
        {"[{key: dedicated, value: user1, effect: NoSchedule}]", "{key: dedicated, value: user1, effect: NoSchedule}", true},
        {"[{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}]",
         "{key: dedicated, value: user1, effect: NoSchedule}", false},
        {"[{key: foo, operator: Exists, effect: NoSchedule}]", "{key: foo, value: bar, effect: NoSchedule}", true},
        {"[{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}, {key: foo, operator: Exists, effect: "
         "NoSchedule}]",
         "{key: dedicated, value: user2, effect: NoSchedule}, {key: foo, value: bar, effect: NoSchedule}", true},
        {"[{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}]", "{key: foo, value: bar, effect: NoSchedule}",
         false},
        {"[{key: foo, operator: Equal, value: bar}]", "{key: foo, value: bar, effect: NoSchedule}", true},
        {"[{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}]",
         "{key: dedicated, value: user1, effect: PreferNoSchedule}", true},
        {"[]", "{key: dedicated, value: user1, effect: PreferNoSchedule}", true},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *cfg = calloc(1, CFG_CAP), extra[512];
        add_tainted_node(cfg, CFG_CAP, "node-a", "", cases[k].taints);
        snprintf(extra, sizeof extra, "  tolerations: %s\n", cases[k].tolerations);
        add_pod(cfg, CFG_CAP, "pod1", "default", "", NULL, extra);
        explained x;
        explain(&x, cfg, "pod1");
        expect(&x, KS_PLUGIN_TAINT, cases[k].fits ? "node-a=+" : "node-a=-node(s) had untolerated taint {");
        explained_free(&x);
        free(cfg);
    }
}

/* nodeaffinity/node_affinity_test.go TestNodeAffinityPriority: affinity1 prefers foo=bar
 * (weight 2); affinity2 adds key=value (4) and all three of foo, key, az (5). */
static void test_node_affinity_score_table(void **state)
{
    (void)state;
    static const char *const label1 = "foo: bar", *const label2 = "key: value", *const label3 = "az: az1",
                             *const label4 = "abc: az11, def: az22", *const label5 = "foo: bar, key: value, az: az1";
    static const char *const affinity1 =
        "  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [\n"
        "    {weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}]}}\n";
    static const char *const affinity2 =
        "  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [\n"
        "    {weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}},\n"
        "    {weight: 4, preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}},\n"
        "    {weight: 5, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]},\n"
        "      {key: key, operator: In, values: [value]}, {key: az, operator: In, values: [az1]}]}}]}}\n";
    static const struct {
        const char *name, *affinity, *labels[3], *want;
    } cases[] = {
        {"no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
         affinity1, {label4, label2, label3}, "machine1=0,machine2=0,machine3=0"},
        {"only machine1 matches the preferred scheduling requirements of pod", affinity1, {label1, label2, label3},
         "machine1=100,machine2=0,machine3=0"},
        {"all machines matches the preferred scheduling requirements of pod but with different priorities ",
         affinity2, {label1, label5, label2}, "machine1=18,machine2=100,machine3=36"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char *cfg = calloc(1, CFG_CAP), name[16];
        for (int i = 0; i < 3; i++) {
            snprintf(name, sizeof name, "machine%d", i + 1);
            add_node(cfg, CFG_CAP, name, cases[k].labels[i], false);
        }
        add_pod(cfg, CFG_CAP, "p", "default", "", NULL, cases[k].affinity);
        explained x;
        explain(&x, cfg, "p");
        expect(&x, KS_PLUGIN_AFFINITY, cases[k].want);
        explained_free(&x);
        free(cfg);
    }
}

/* NodeResourcesFitArgs ignoredResources / ignoredResourceGroups (noderesources/fit_test.go
 * "skip checking ignored extended resource" and "skip checking resource request with quantity
 * zero / ignored resource group"): the Fit filter does not check them. */
static void test_fit_ignored_resources(void **state)
{
    (void)state;
    static const char *const args[] = {"", "{ignoredResources: [example.com/dongle]}",
                                       "{ignoredResourceGroups: [example.com]}"};
    for (int k = 0; k < 3; k++) {
        char *cfg = calloc(1, CFG_CAP);
        snprintf(cfg, CFG_CAP,
                 "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                 "profiles:\n- pluginConfig:%s\n",
                 k ? "" : " []");
        if (k) snprintf(cfg + strlen(cfg), CFG_CAP - strlen(cfg), "  - {name: NodeResourcesFit, args: %s}\n", args[k]);
        add_node(cfg, CFG_CAP, "n1", "", false);
        add_pod(cfg, CFG_CAP, "p", "default", "", NULL, NULL);
        /* The request goes in the container: rewrite the pod's container line. */
        char *ctr = strstr(cfg, "containers: [{name: c, image: \"i:1\"}]");
        assert_non_null(ctr);
        const char *with = "containers: [{name: c, image: \"i:1\", resources: {requests: {example.com/dongle: 1}, "
                           "limits: {example.com/dongle: 1}}}]";
        char *rest = strdup(ctr + strlen("containers: [{name: c, image: \"i:1\"}]"));
        snprintf(ctr, CFG_CAP - (size_t)(ctr - cfg), "%s%s", with, rest);
        free(rest);
        explained x;
        explain(&x, cfg, "p");
        if (k == 0) expect(&x, KS_PLUGIN_FIT, "n1=-Insufficient example.com/dongle");
        else expect(&x, KS_PLUGIN_FIT, "n1=+");
        explained_free(&x);
        free(cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_score_one_constraint_on_node),
        cmocka_unit_test(test_spread_score_candidates_and_namespaces),
        cmocka_unit_test(test_spread_score_zone_and_node),
        cmocka_unit_test(test_spread_filter_single_constraint),
        cmocka_unit_test(test_spread_system_defaults),
        cmocka_unit_test(test_interpod_filter),
        cmocka_unit_test(test_interpod_score),
        cmocka_unit_test(test_fit_ignored_resources),
        cmocka_unit_test(test_taint_toleration_score_table),
        cmocka_unit_test(test_taint_toleration_filter_table),
        cmocka_unit_test(test_node_affinity_score_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
