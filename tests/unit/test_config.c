/* test_config.c — the config loader: parsed values of every kind, and one case per class of bad
 * input with the exact file:line:column and field path of the message. Runs under ASan's leak
 * checker in the sanitizer build, so every path through ks_config_load must free what it took. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct loaded {
    int rc;
    char *err; /* everything written to the error stream (malloc'd) */
    const char *path;
} loaded;

static loaded load_paths(ks_config *cfg, const char *const *paths, size_t n)
{
    loaded l = {0};
    size_t len = 0;
    FILE *err = open_memstream(&l.err, &len);
    assert_non_null(err);
    l.rc = ks_config_load(cfg, paths, n, err);
    fclose(err);
    l.path = paths[0];
    return l;
}

static loaded load_text(ks_config *cfg, const char *yaml)
{
    const char *path = ks_test_write_file("c.yaml", yaml);
    return load_paths(cfg, &path, 1);
}

/* Whether ERR has a line starting "PATH:POS: error: " that contains WANT. */
static bool has_error_line(const char *err, const char *path, const char *pos, const char *want)
{
    char prefix[1200];
    snprintf(prefix, sizeof prefix, "%s:%s: error: ", path, pos);
    for (const char *line = strstr(err, prefix); line; line = strstr(line + 1, prefix)) {
        const char *eol = strchr(line, '\n');
        const char *hit = strstr(line, want);
        if (hit && (!eol || hit < eol)) return true;
    }
    fprintf(stderr, "expected \"%s\" ... \"%s\"; got:\n%s", prefix, want, err);
    return false;
}

/* Asserts that loading YAML fails with status 2 and that one error line starts at POS
 * ("line:col") and contains WANT. */
static void expect_error(const char *yaml, const char *pos, const char *want)
{
    ks_config cfg;
    loaded l = load_text(&cfg, yaml);
    bool found = has_error_line(l.err, l.path, pos, want);
    free(l.err);
    assert_int_equal(l.rc, 2);
    assert_true(found);
    /* A failed load leaves nothing behind. */
    assert_null(cfg.pods);
    assert_null(cfg.text);
    assert_int_equal(cfg.nignored, 0);
}

static ks_config load_ok(const char *yaml)
{
    ks_config cfg;
    loaded l = load_text(&cfg, yaml);
    if (l.rc != 0) fprintf(stderr, "unexpected errors:\n%s", l.err);
    bool quiet = l.err[0] == 0;
    free(l.err);
    assert_int_equal(l.rc, 0);
    assert_true(quiet);
    return cfg;
}

static bool has_ignored(const ks_config *cfg, const char *s)
{
    size_t count = 0;
    for (size_t i = 0; i < cfg->nignored; i++) count += strcmp(cfg->ignored[i], s) == 0;
    assert_true(count <= 1);
    return count == 1;
}

static void assert_dist(const ks_dist *d, ks_dist_kind kind, double a, double b)
{
    assert_int_equal(d->kind, kind);
    assert_true(d->a == a);
    assert_true(d->b == b);
}

#define MI (1024LL * 1024)
#define GI (1024LL * MI)

/* ---- a full valid config ------------------------------------------------------------------ */

static const char full_yaml[] =
    "apiVersion: kubesim.io/v1alpha1\n"
    "kind: Experiment\n"
    "metadata: {name: full}\n"
    "spec: {duration: 1h, seed: 18446744073709551615, sampleInterval: 5s, threads: 4}\n"
    "---\n"
    "apiVersion: kubesim.io/v1alpha1\n"
    "kind: NodePool\n"
    "metadata: {name: general}\n"
    "spec:\n"
    "  count: 3\n"
    "  zones: [zone-a, zone-b]\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: {node.kubernetes.io/instance-type: m5.4xlarge}\n"
    "    spec:\n"
    "      taints:\n"
    "      - {key: dedicated, value: batch, effect: NoSchedule}\n"
    "      - {key: spot, effect: PreferNoSchedule}\n"
    "    status:\n"
    "      capacity: {cpu: \"16\", memory: 64Gi}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Node\n"
    "metadata:\n"
    "  name: big-0\n"
    "  labels: {topology.kubernetes.io/zone: zone-c}\n"
    "spec:\n"
    "  unschedulable: true\n"
    "  taints: [{key: gpu, value: \"true\", effect: NoExecute, timeAdded: \"2024-01-01T00:00:00Z\"}]\n"
    "status:\n"
    "  allocatable: {cpu: 7910m, memory: 30Gi, ephemeral-storage: 100Gi, pods: 58, nvidia.com/gpu: 4}\n"
    "  capacity: {cpu: \"8\", memory: 32Gi}\n"
    "  images:\n"
    "  - names: [docker.io/library/nginx:1.25, nginx]\n"
    "    sizeBytes: 187000000\n"
    "  conditions: []\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: batch-1\n"
    "  namespace: jobs\n"
    "  labels: {app: batch}\n"
    "  annotations: {kubesim.io/image-size: 500Mi, kubesim.io/image-size.sidecar: \"10Mi\", note: hi}\n"
    "spec:\n"
    "  schedulerName: bin-packing\n"
    "  priority: 1000\n"
    "  nodeName: big-0\n"
    "  terminationGracePeriodSeconds: 5\n"
    "  overhead: {cpu: 10m, memory: 1Mi}\n"
    "  initContainers:\n"
    "  - name: init\n"
    "    image: busybox:1.36\n"
    "    resources: {requests: {cpu: \"2\", memory: 64Mi}}\n"
    "  containers:\n"
    "  - name: main\n"
    "    image: registry.example.com/batch@sha256:abcd\n"
    "    resources:\n"
    "      limits: {cpu: 500m, memory: 1Gi}\n"
    "  - name: sidecar\n"
    "    image: envoy:latest\n"
    "    imagePullPolicy: Never\n"
    "    resources: {requests: {memory: 32Mi}}\n"
    "  volumes: []\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: plain}\n"
    "spec:\n"
    "  containers: [{name: c, image: \"nginx\", volumeMounts: []}]\n"
    "  volumes: [{name: x, emptyDir: {}}]\n"
    "status: {phase: Pending}\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: web, namespace: prod}\n"
    "spec:\n"
    "  replicas: 0\n"
    "  selector: {matchLabels: {app: web}}\n"
    "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}\n"
    "  template:\n"
    "    metadata: {labels: {app: web, tier: fe}}\n"
    "    spec:\n"
    "      containers:\n"
    "      - {name: web, image: \"nginx:1.25\", resources: {requests: {cpu: 100m, memory: 128Mi, "
    "ephemeral-storage: 1Gi}}}\n"
    "---\n"
    "apiVersion: kubescheduler.config.k8s.io/v1\n"
    "kind: KubeSchedulerConfiguration\n"
    "percentageOfNodesToScore: 50\n"
    "podInitialBackoffSeconds: 2\n"
    "podMaxBackoffSeconds: 20\n"
    "parallelism: 16\n"
    "profiles:\n"
    "- schedulerName: default-scheduler\n"
    "- schedulerName: bin-packing\n"
    "  percentageOfNodesToScore: 100\n"
    "  plugins:\n"
    "    score:\n"
    "      enabled: [{name: NodeResourcesFit, weight: 5}]\n"
    "      disabled: [{name: NodeResourcesBalancedAllocation}, {name: ImageLocality}]\n"
    "  pluginConfig:\n"
    "  - name: NodeResourcesFit\n"
    "    args:\n"
    "      scoringStrategy:\n"
    "        type: MostAllocated\n"
    "        resources: [{name: cpu, weight: 3}, {name: memory}, {name: nvidia.com/gpu, weight: 2},\n"
    "                    {name: ephemeral-storage}]\n"
    "- schedulerName: no-fit\n"
    "  plugins:\n"
    "    multiPoint:\n"
    "      disabled: [{name: NodeResourcesFit}]\n"
    "  pluginConfig:\n"
    "  - name: NodeResourcesBalancedAllocation\n"
    "    args: {resources: [{name: cpu}, {name: example.com/fpga}]}\n"
    "---\n"
    "apiVersion: kubesim.io/v1alpha1\n"
    "kind: ControlPlane\n"
    "metadata: {name: cp}\n"
    "spec:\n"
    "  apiserver:\n"
    "    writeLatency: 5ms\n"
    "    watchLatency: {uniform: {low: 1ms, high: 3ms}}\n"
    "    maxRequestsInflight: 0\n"
    "    maxMutatingRequestsInflight: 50\n"
    "  controllerManager: {kubeAPIQPS: 2.5, kubeAPIBurst: 3}\n"
    "  kubelet:\n"
    "    kubeAPIQPS: 5\n"
    "    kubeAPIBurst: 10\n"
    "    imagePullLatency: {exponential: {mean: 200ms}}\n"
    "    imagePullBandwidth: {normal: {mean: 100M, stddev: 10M}}\n"
    "    defaultImageSize: 50Mi\n"
    "    containerCreateLatency: {lognormal: {median: 100ms, p99: 1s}}\n"
    "    containerStartLatency: {empirical: [10ms, 20ms, 30ms]}\n"
    "  scheduler:\n"
    "    cycleCost: {constant: 100us}\n"
    "    perNodeCost: 0\n"
    "    perScoredNodeCost: 2us\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata: {name: cm}\n"
    "data: {a: b}\n"
    "---\n";

static void check_experiment_and_pool(const ks_config *cfg)
{
    assert_true(cfg->has_experiment);
    assert_string_equal(cfg->experiment.name, "full");
    assert_string_equal(cfg->experiment.output, "full.h5");
    assert_int_equal(cfg->experiment.duration, KS_MIN(60));
    assert_true(cfg->experiment.seed == UINT64_MAX);
    assert_int_equal(cfg->experiment.sample_interval, KS_SEC(5));
    assert_int_equal(cfg->experiment.threads, 4);

    assert_int_equal(cfg->npools, 1);
    const ks_node_pool *p = &cfg->pools[0];
    assert_string_equal(p->name, "general");
    assert_int_equal(p->count, 3);
    assert_int_equal(p->nzones, 2);
    assert_string_equal(p->zones[0], "zone-a");
    assert_string_equal(p->zones[1], "zone-b");
    const ks_node_spec *t = &p->template;
    assert_string_equal(t->pool, "general");
    assert_string_equal(t->zone, "");
    assert_string_equal(ks_labels_get(&t->labels, "node.kubernetes.io/instance-type"), "m5.4xlarge");
    /* capacity stands in for the absent allocatable; pods defaults to the kubelet's 110. */
    assert_int_equal(t->cpu_milli, 16000);
    assert_int_equal(t->mem_bytes, 64 * GI);
    assert_int_equal(t->pods, 110);
    assert_int_equal(t->ntaints, 2);
    assert_string_equal(t->taints[0].key, "dedicated");
    assert_string_equal(t->taints[0].value, "batch");
    assert_int_equal(t->taints[0].effect, KS_NO_SCHEDULE);
    assert_string_equal(t->taints[1].key, "spot");
    assert_string_equal(t->taints[1].value, "");
    assert_int_equal(t->taints[1].effect, KS_PREFER_NO_SCHEDULE);
    assert_false(t->unschedulable);
}

static void check_node(const ks_config *cfg)
{
    assert_int_equal(cfg->nnodes, 1);
    const ks_node_spec *n = &cfg->nodes[0];
    assert_string_equal(n->name, "big-0");
    assert_string_equal(n->pool, "");
    assert_string_equal(n->zone, "zone-c");
    assert_true(n->unschedulable);
    assert_int_equal(n->ntaints, 1);
    assert_string_equal(n->taints[0].value, "true");
    assert_int_equal(n->taints[0].effect, KS_NO_EXECUTE);
    /* allocatable wins over capacity when both are given. */
    assert_int_equal(n->cpu_milli, 7910);
    assert_int_equal(n->mem_bytes, 30 * GI);
    assert_int_equal(n->eph_bytes, 100 * GI);
    assert_int_equal(n->pods, 58);
    assert_int_equal(n->nimages, 2);
    assert_string_equal(n->images[0].name, "docker.io/library/nginx:1.25");
    assert_string_equal(n->images[1].name, "nginx:latest");
    assert_int_equal(n->images[1].bytes, 187000000);
}

static void check_batch_pod(const ks_pod_doc *d)
{
    const ks_pod_spec *s = &d->spec;
    assert_string_equal(d->name, "batch-1");
    assert_string_equal(s->namespace, "jobs");
    assert_string_equal(ks_labels_get(&s->labels, "app"), "batch");
    assert_string_equal(s->scheduler_name, "bin-packing");
    assert_int_equal(s->priority, 1000);
    assert_string_equal(s->node_name, "big-0");
    assert_int_equal(s->termination_grace_ns, KS_SEC(5));
    assert_int_equal(s->overhead_cpu_milli, 10);
    assert_int_equal(s->overhead_mem_bytes, 1 * MI);
    assert_int_equal(s->ninit, 1);
    assert_int_equal(s->ncontainers, 2);
    const ks_container *init = &s->init_containers[0], *main_c = &s->containers[0], *side = &s->containers[1];
    assert_int_equal(init->cpu_milli, 2000);
    assert_int_equal(init->pull, KS_PULL_IF_NOT_PRESENT);
    assert_int_equal(init->image_bytes, 500 * MI);
    /* Requests default to limits (SetDefaults_Pod). A digest pins the image: IfNotPresent. */
    assert_true(main_c->cpu_set && main_c->mem_set);
    assert_int_equal(main_c->cpu_milli, 500);
    assert_int_equal(main_c->mem_bytes, 1 * GI);
    assert_int_equal(main_c->pull, KS_PULL_IF_NOT_PRESENT);
    assert_int_equal(main_c->image_bytes, 500 * MI);
    /* The explicit policy wins over the :latest default; the per-container size wins. */
    assert_false(side->cpu_set);
    assert_true(side->mem_set);
    assert_int_equal(side->mem_bytes, 32 * MI);
    assert_int_equal(side->pull, KS_PULL_NEVER);
    assert_int_equal(side->image_bytes, 10 * MI);
    /* cpu: the init container's 2 cores beat the 500m sum; memory: the sum beats 64Mi. The
     * non-zero cpu adds 100m for the sidecar that requests none. Overhead on top of both. */
    assert_int_equal(s->req_cpu_milli, 2000 + 10);
    assert_int_equal(s->req_mem_bytes, 1 * GI + 32 * MI + 1 * MI);
    assert_int_equal(s->nz_cpu_milli, 2000 + 10);
    assert_int_equal(s->nz_mem_bytes, 1 * GI + 32 * MI + 1 * MI);
}

static void check_plain_pod(const ks_pod_doc *d)
{
    const ks_pod_spec *s = &d->spec;
    assert_string_equal(d->name, "plain");
    assert_string_equal(s->namespace, "default");
    assert_string_equal(s->scheduler_name, "default-scheduler");
    assert_string_equal(s->node_name, "");
    assert_int_equal(s->termination_grace_ns, KS_SEC(30));
    assert_int_equal(s->containers[0].pull, KS_PULL_ALWAYS); /* no tag means :latest */
    assert_int_equal(s->containers[0].image_bytes, 0);
    assert_false(s->containers[0].cpu_set);
    assert_int_equal(s->req_cpu_milli, 0);
    assert_int_equal(s->req_mem_bytes, 0);
    assert_int_equal(s->nz_cpu_milli, KS_DEFAULT_MILLI_CPU_REQUEST);
    assert_int_equal(s->nz_mem_bytes, KS_DEFAULT_MEMORY_REQUEST);
}

static void check_deployment(const ks_config *cfg)
{
    assert_int_equal(cfg->ndeployments, 1);
    const ks_deployment_spec *d = &cfg->deployments[0];
    assert_string_equal(d->name, "web");
    assert_string_equal(d->namespace, "prod");
    assert_int_equal(d->replicas, 0);
    assert_int_equal(d->selector.n, 1);
    assert_string_equal(ks_labels_get(&d->selector, "app"), "web");
    assert_string_equal(d->template.namespace, "prod");
    assert_int_equal(d->template.labels.n, 2);
    assert_int_equal(d->template.containers[0].pull, KS_PULL_IF_NOT_PRESENT);
    assert_int_equal(d->template.req_cpu_milli, 100);
    assert_int_equal(d->template.req_mem_bytes, 128 * MI);
    assert_int_equal(d->template.req_eph_bytes, 1 * GI);
    assert_int_equal(strlen(d->template_hash), 10);
    assert_int_equal(strspn(d->template_hash, "bcdfghjklmnpqrstvwxz2456789"), 10);
}

static void check_sched(const ks_sched_config *sc)
{
    assert_int_equal(sc->percentage_of_nodes_to_score, 50);
    assert_int_equal(sc->pod_initial_backoff, KS_SEC(2));
    assert_int_equal(sc->pod_max_backoff, KS_SEC(20));
    assert_int_equal(sc->nprofiles, 3);
    const ks_sched_profile *def = ks_sched_config_profile(sc, "default-scheduler");
    const ks_sched_profile *bin = ks_sched_config_profile(sc, "bin-packing");
    const ks_sched_profile *nofit = ks_sched_config_profile(sc, "no-fit");
    assert_non_null(def);
    assert_non_null(bin);
    assert_non_null(nofit);
    assert_int_equal(def->fit_strategy, KS_FIT_LEAST_ALLOCATED);
    assert_int_equal(def->fit_weight, 1);
    assert_int_equal(def->balanced_weight, 1);
    assert_int_equal(def->fit_cpu_weight, 1);
    assert_int_equal(def->fit_mem_weight, 1);
    assert_true(def->fit_filter);
    assert_int_equal(def->percentage_of_nodes_to_score, -1);
    assert_int_equal(bin->fit_strategy, KS_FIT_MOST_ALLOCATED);
    assert_int_equal(bin->fit_weight, 5);
    assert_int_equal(bin->balanced_weight, 0);
    assert_int_equal(bin->image_weight, 0); /* disabled at score */
    assert_int_equal(def->image_weight, 1);
    assert_int_equal(def->taint_weight, 3);
    assert_int_equal(def->affinity_weight, 2);
    assert_int_equal(bin->fit_cpu_weight, 3);
    assert_int_equal(bin->fit_mem_weight, 1); /* weight 0 (absent) means 1 */
    assert_int_equal(bin->nfit_ext, 1);
    assert_string_equal(bin->fit_ext[0].name, "nvidia.com/gpu");
    assert_int_equal(bin->fit_ext[0].weight, 2);
    assert_true(def->bal_cpu && def->bal_mem); /* the default cpu and memory */
    assert_int_equal(def->nfit_ext + def->nbal_ext, 0);
    assert_true(nofit->bal_cpu);
    assert_false(nofit->bal_mem); /* a list replaces the default */
    assert_int_equal(nofit->nbal_ext, 1);
    assert_string_equal(nofit->bal_ext[0].name, "example.com/fpga");
    assert_int_equal(bin->percentage_of_nodes_to_score, 100);
    assert_int_equal(nofit->fit_weight, 0);
    assert_false(nofit->fit_filter);
    assert_int_equal(nofit->balanced_weight, 1);
    /* kubesim compare's override: the loader leaves it off; set, every name gets that profile. */
    assert_null(sc->force_profile);
    ks_sched_config forced = *sc;
    forced.force_profile = "no-fit";
    assert_ptr_equal(ks_sched_config_profile(&forced, "default-scheduler"), nofit);
    assert_ptr_equal(ks_sched_config_profile(&forced, "no-such-profile"), nofit);
}

static void check_timings(const ks_timings *t)
{
    assert_dist(&t->api_write, KS_DIST_CONSTANT, 5e6, 0);
    assert_dist(&t->watch_delay, KS_DIST_UNIFORM, 1e6, 3e6);
    assert_dist(&t->image_pull_latency, KS_DIST_EXPONENTIAL, 200e6, 0);
    assert_dist(&t->image_pull_bandwidth, KS_DIST_NORMAL, 100e6, 10e6);
    assert_int_equal(t->default_image_bytes, 50 * MI);
    assert_dist(&t->container_create, KS_DIST_LOGNORMAL, 100e6, 1e9);
    assert_int_equal(t->container_start.kind, KS_DIST_EMPIRICAL);
    assert_int_equal(t->container_start.n, 3);
    assert_true(t->container_start.values[0] == 10e6 && t->container_start.values[2] == 30e6);
    assert_dist(&t->sched_cycle_cost, KS_DIST_CONSTANT, 100e3, 0);
    assert_dist(&t->sched_node_cost, KS_DIST_CONSTANT, 0, 0);
    assert_dist(&t->sched_score_cost, KS_DIST_CONSTANT, 2e3, 0);
    assert_int_equal(t->max_requests_inflight, 0);
    assert_int_equal(t->max_mutating_requests_inflight, 50);
    assert_true(t->controller_manager.qps == 2.5);
    assert_int_equal(t->controller_manager.burst, 3);
    assert_true(t->kubelet.qps == 5);
    assert_int_equal(t->kubelet.burst, 10);
    assert_true(t->scheduler.qps == 50); /* upstream default kept */
    assert_int_equal(t->scheduler.burst, 100);
}

static void check_ignored(const ks_config *cfg)
{
    /* Two pods with volumes: one entry. */
    assert_true(has_ignored(cfg, "Pod spec.volumes"));
    assert_true(has_ignored(cfg, "Pod spec.containers.volumeMounts"));
    assert_true(has_ignored(cfg, "Pod status"));
    assert_false(has_ignored(cfg, "Node status.allocatable.nvidia.com/gpu")); /* an extended resource */
    assert_int_equal(cfg->nodes[0].next, 1);
    assert_string_equal(cfg->nodes[0].ext[0].name, "nvidia.com/gpu");
    assert_int_equal(cfg->nodes[0].ext[0].value, 4);
    assert_true(has_ignored(cfg, "Node status.conditions"));
    assert_true(has_ignored(cfg, "Node spec.taints.timeAdded"));
    assert_false(has_ignored(cfg, "Deployment spec.strategy")); /* modelled: rolling updates */
    const ks_deployment_spec *dep = &cfg->deployments[0];
    assert_int_equal(dep->strategy, KS_STRATEGY_ROLLING_UPDATE);
    assert_true(dep->max_surge.percent && dep->max_surge.value == 25);
    assert_true(!dep->max_unavailable.percent && dep->max_unavailable.value == 0);
    assert_true(has_ignored(cfg, "KubeSchedulerConfiguration parallelism"));
    assert_false(has_ignored(cfg, "KubeSchedulerConfiguration plugin ImageLocality (not modelled)"));
    assert_true(has_ignored(cfg, "kind ConfigMap"));
    assert_false(has_ignored(cfg, "Pod metadata.annotations"));
}

static void test_full_config(void **state)
{
    (void)state;
    ks_config cfg = load_ok(full_yaml);
    check_experiment_and_pool(&cfg);
    check_node(&cfg);
    assert_int_equal(cfg.npods, 2);
    check_batch_pod(&cfg.pods[0]);
    check_plain_pod(&cfg.pods[1]);
    check_deployment(&cfg);
    check_sched(&cfg.sched);
    assert_true(has_ignored(&cfg, "KubeSchedulerConfiguration NodeResourcesFit resource ephemeral-storage (not modelled)"));
    check_timings(&cfg.timings);
    check_ignored(&cfg);
    assert_non_null(strstr(cfg.text, "# kubesim: file "));
    assert_non_null(strstr(cfg.text, "kind: ControlPlane"));
    ks_config_free(&cfg);
    assert_null(cfg.pods);
}

static void test_defaults_without_experiment(void **state)
{
    (void)state;
    ks_config cfg = load_ok("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i:1}]}\n");
    assert_false(cfg.has_experiment);
    assert_string_equal(cfg.experiment.name, "kubesim");
    assert_string_equal(cfg.experiment.output, "kubesim.h5");
    assert_int_equal(cfg.experiment.duration, KS_MIN(30));
    assert_true(cfg.experiment.seed == 1);
    assert_int_equal(cfg.experiment.sample_interval, KS_SEC(10));
    assert_int_equal(cfg.sched.nprofiles, 1);
    assert_string_equal(cfg.sched.profiles[0].scheduler_name, "default-scheduler");
    assert_int_equal(cfg.nignored, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ks_config_print_ignored(&cfg, out);
    fclose(out);
    assert_string_equal(buf, "");
    free(buf);
    ks_config_free(&cfg);
}

static void test_print_ignored(void **state)
{
    (void)state;
    ks_config cfg = load_ok("apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: x}\n"
                            "spec: {containers: [{name: c, image: i:1}], volumes: []}\n"
                            "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ks_config_print_ignored(&cfg, out);
    fclose(out);
    assert_string_equal(buf, "kubesim: note: accepted but not modelled, so ignored (3):\n  Pod metadata.uid\n  Pod spec.volumes\n  kind Secret\n");
    free(buf);
    ks_config_free(&cfg);
}

/* Files are concatenated in order, each under its own header line. */
static void test_multiple_files_and_text(void **state)
{
    (void)state;
    const char *paths[2];
    paths[0] = ks_test_write_file("one.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
                                              "status: {allocatable: {cpu: 1, memory: 1Gi}}");
    paths[1] = ks_test_write_file("two.yaml", "---\n# empty documents are skipped\n---\n");
    ks_config cfg;
    loaded l = load_paths(&cfg, paths, 2);
    assert_int_equal(l.rc, 0);
    free(l.err);
    char want[2048];
    snprintf(want, sizeof want,
             "# kubesim: file %s\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
             "status: {allocatable: {cpu: 1, memory: 1Gi}}\n"
             "# kubesim: file %s\n---\n# empty documents are skipped\n---\n",
             paths[0], paths[1]);
    assert_string_equal(cfg.text, want);
    assert_int_equal(cfg.nnodes, 1);
    assert_int_equal(cfg.nodes[0].cpu_milli, 1000);
    ks_config_free(&cfg);
}

/* `kubectl get -o yaml` output: a List whose items are objects. */
static void test_list_kind(void **state)
{
    (void)state;
    ks_config cfg = load_ok("apiVersion: v1\nkind: List\nmetadata: {resourceVersion: \"\"}\nitems:\n"
                            "- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n"
                            "  status: {allocatable: {cpu: 2, memory: 4Gi}}\n"
                            "- apiVersion: v1\n  kind: Node\n  metadata: {name: b}\n"
                            "  status: {allocatable: {cpu: 4, memory: 8Gi}}\n");
    assert_int_equal(cfg.nnodes, 2);
    assert_string_equal(cfg.nodes[1].name, "b");
    assert_int_equal(cfg.nodes[1].mem_bytes, 8 * GI);
    ks_config_free(&cfg);
}

/* The pod-template-hash depends on the template's content, not on how it is written. */
static void test_template_hash(void **state)
{
    (void)state;
    ks_config cfg = load_ok(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
        "spec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n"
        "    spec:\n      containers:\n      - name: c   # a comment\n        image: nginx:1\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n"
        "spec: {selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, "
        "spec: {containers: [{name: c, image: nginx:1}]}}}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n"
        "spec: {selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, "
        "spec: {containers: [{name: c, image: nginx:2}]}}}\n");
    assert_int_equal(cfg.ndeployments, 3);
    assert_int_equal(cfg.deployments[0].replicas, 1); /* upstream default */
    assert_string_equal(cfg.deployments[0].template_hash, cfg.deployments[1].template_hash);
    assert_string_not_equal(cfg.deployments[0].template_hash, cfg.deployments[2].template_hash);
    ks_config_free(&cfg);
}

/* Profile defaults: "*" disabled at score, then re-enabling one plugin; an unnamed profile. */
static void test_sched_plugins(void **state)
{
    (void)state;
    ks_config cfg = load_ok("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                            "profiles:\n"
                            "- plugins:\n"
                            "    score:\n"
                            "      enabled: [{name: NodeResourcesBalancedAllocation, weight: 0}]\n"
                            "      disabled: [{name: \"*\"}]\n"
                            "    filter: {disabled: [{name: NodeResourcesFit}]}\n");
    assert_int_equal(cfg.sched.nprofiles, 1);
    const ks_sched_profile *p = &cfg.sched.profiles[0];
    assert_string_equal(p->scheduler_name, "default-scheduler");
    assert_int_equal(p->fit_weight, 0);
    assert_int_equal(p->balanced_weight, 1);
    assert_false(p->fit_filter);
    assert_int_equal(cfg.sched.pod_initial_backoff, KS_SEC(1));
    assert_int_equal(cfg.sched.pod_max_backoff, KS_SEC(10));
    ks_config_free(&cfg);
}

/* ---- bad input: one case per class ----------------------------------------------------------- */

static void test_yaml_errors(void **state)
{
    (void)state;
    expect_error("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: {}\n", "5:10",
                 "YAML syntax: mapping values are not allowed in this context");
    expect_error("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n", "5:3", "duplicate key \"name\"");
    expect_error("x: &a {b: 1}\ny: *a\n", "2:4", "aliases (*a) are not supported");
    expect_error("- a\n- b\n", "1:1", "expected a Kubernetes object");
    expect_error("kind: Pod\nmetadata: {name: a}\n", "1:1", "missing required field \"apiVersion\"");
}

static void test_unreadable_file(void **state)
{
    (void)state;
    const char *path = ks_test_path("does-not-exist.yaml");
    ks_config cfg;
    loaded l = load_paths(&cfg, &path, 1);
    assert_int_equal(l.rc, 2);
    char want[700];
    snprintf(want, sizeof want, "%s: error: cannot read: No such file or directory\n", path);
    assert_string_equal(l.err, want);
    free(l.err);
}

static void test_kind_errors(void **state)
{
    (void)state;
    expect_error("apiVersion: v1\nkind: Foo\nmetadata: {name: a}\n", "2:7", "kind: unknown kind \"Foo\"");
    expect_error("apiVersion: v1\nkind: Deployment\nmetadata: {name: web}\n", "1:13",
                 "Deployment \"web\": apiVersion: expected \"apps/v1\" for kind Deployment, got \"v1\"");
    expect_error("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: pi}\n", "2:7",
                 "CronJob \"pi\": kind CronJob is not supported by this version of kubesim");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: a}\n---\n"
                 "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: b}\n",
                 "5:1", "only one Experiment is allowed");
}

static const char pod_head[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";

static void expect_pod_error(const char *spec, const char *pos, const char *want)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s%s", pod_head, spec);
    expect_error(yaml, pos, want);
}

static void test_field_errors(void **state)
{
    (void)state;
    /* Unknown field at depth: reported at the key, under its parent's path. */
    expect_pod_error("  containers:\n  - name: c\n    image: i\n    resources:\n      requets: {cpu: 1}\n", "9:7",
                     "Pod \"p\": spec.containers[0].resources: unknown field \"requets\"");
    /* Wrong types. */
    expect_pod_error("  containers: [{name: c, image: {a: b}}]\n", "5:33",
                     "spec.containers[0].image: expected a string, got a mapping");
    expect_pod_error("  priority: \"3\"\n  containers: [{name: c, image: i}]\n", "5:13",
                     "spec.priority: expected a 32-bit integer, got the string \"3\"");
    expect_pod_error("  priority: high\n  containers: [{name: c, image: i}]\n", "5:13",
                     "spec.priority: expected a 32-bit integer, got \"high\"");
    expect_pod_error("  containers: [{name: c, image: 3}]\n", "5:33", "expected a string, got \"3\"");
    /* Missing required fields. */
    expect_pod_error("  priority: 1\n", "5:3", "Pod \"p\": spec: missing required field \"containers\"");
    expect_pod_error("  containers: [{name: c}]\n", "5:16", "spec.containers[0]: missing required field \"image\"");
    expect_pod_error("  containers: []\n", "5:15", "spec.containers: expected at least one container");
    /* Bad enums and names. */
    expect_pod_error("  containers: [{name: c, image: i, imagePullPolicy: Sometimes}]\n", "5:53",
                     "expected one of IfNotPresent, Always, Never, got \"Sometimes\"");
    expect_pod_error("  containers: [{name: C_1, image: i}]\n", "5:23",
                     "spec.containers[0].name: expected a lowercase RFC 1123 label");
    expect_pod_error("  containers: [{name: c, image: i}, {name: c, image: j}]\n", "5:44",
                     "spec.containers[1].name: duplicate container name \"c\"");
    expect_error("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "1:1", "missing required field \"spec\"");
    expect_error("apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: b}}\nspec: {containers: [{name: c, image: i}]}\n",
                 "3:11", "Pod: metadata: missing required field \"name\"");
    expect_error("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: 1.5}}\n"
                 "spec: {containers: [{name: c, image: i}]}\n",
                 "3:33", "metadata.labels.a: expected a string, got \"1.5\"");
}

static void test_quantity_errors(void **state)
{
    (void)state;
    expect_pod_error("  containers: [{name: c, image: i, resources: {requests: {cpu: -1}}}]\n", "5:64",
                     "spec.containers[0].resources.requests.cpu: expected a non-negative quantity, got \"-1\"");
    expect_pod_error("  containers: [{name: c, image: i, resources: {requests: {memory: 12XB}}}]\n", "5:67",
                     "resources.requests.memory: expected a quantity such as \"500m\" or \"1.5Gi\", got \"12XB\"");
    expect_pod_error("  containers: [{name: c, image: i, resources: {requests: {cpus: 1}}}]\n", "5:59",
                     "resources.requests: expected a resource name");
    expect_pod_error("  containers: [{name: c, image: i, resources: {requests: {cpu: 2}, limits: {cpu: 1}}}]\n",
                     "5:64", "resources.requests.cpu: expected at most the cpu limit (1), got \"2\"");
    expect_error("apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: 1}}\n", "4:23",
                 "Node \"n\": status.allocatable: expected allocatable cpu and memory");
}

static const char dep_fmt[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                              "  replicas: %s\n"
                              "  selector: {matchLabels: {app: web}}\n"
                              "  template:\n"
                              "    metadata: {labels: {app: %s}}\n"
                              "    spec: {containers: [{name: c, image: i}]}\n";

static void test_deployment_errors(void **state)
{
    (void)state;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, dep_fmt, "-3", "web");
    expect_error(yaml, "5:13", "Deployment \"web\": spec.replicas: expected a non-negative integer, got \"-3\"");
    snprintf(yaml, sizeof yaml, dep_fmt, "\"3\"", "web");
    expect_error(yaml, "5:13", "spec.replicas: expected a non-negative integer, got the string \"3\"");
    snprintf(yaml, sizeof yaml, dep_fmt, "2", "db");
    expect_error(yaml, "8:24", "spec.template.metadata.labels: selector does not match template labels");
}

static void test_duplicates(void **state)
{
    (void)state;
    expect_error("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n---\n"
                 "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n",
                 "8:18", "metadata.name: duplicate name: Pod \"p\" in namespace \"default\" is already defined at");
    /* Same name in another namespace is fine. */
    ks_config cfg = load_ok("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n"
                            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
                            "spec: {containers: [{name: c, image: i}]}\n");
    assert_int_equal(cfg.npods, 2);
    ks_config_free(&cfg);
    /* A plain Node named like a pool's node, whichever comes first. */
    expect_error("apiVersion: v1\nkind: Node\nmetadata: {name: a-1}\nstatus: {allocatable: {cpu: 1, memory: 1Gi}}\n"
                 "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: a}\n"
                 "spec: {count: 3, template: {status: {allocatable: {cpu: 1, memory: 1Gi}}}}\n",
                 "3:18", "Node \"a-1\": metadata.name: duplicate node name: NodePool \"a\"");
    /* "a-3" is outside count 3 and "a-01" is never generated. */
    cfg = load_ok("apiVersion: v1\nkind: Node\nmetadata: {name: a-3}\nstatus: {allocatable: {cpu: 1, memory: 1Gi}}\n"
                  "---\napiVersion: v1\nkind: Node\nmetadata: {name: a-01}\nstatus: {allocatable: {cpu: 1, memory: 1Gi}}\n"
                  "---\napiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: a}\n"
                  "spec: {count: 3, template: {status: {allocatable: {cpu: 1, memory: 1Gi}}}}\n");
    assert_int_equal(cfg.nnodes, 2);
    assert_int_equal(cfg.npools, 1);
    ks_config_free(&cfg);
}

static void test_node_errors(void **state)
{
    (void)state;
    expect_error("apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"
                 "spec: {taints: [{key: k, effect: Sometimes}]}\nstatus: {allocatable: {cpu: 1, memory: 1Gi}}\n",
                 "4:34", "spec.taints[0].effect: expected one of NoSchedule, PreferNoSchedule, NoExecute, got \"Sometimes\"");
    expect_error("apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"
                 "spec: {unschedulable: \"true\"}\nstatus: {allocatable: {cpu: 1, memory: 1Gi}}\n",
                 "4:23", "spec.unschedulable: expected true or false, got the string \"true\"");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: g}\n"
                 "spec: {template: {status: {allocatable: {cpu: 1, memory: 1Gi}}}}\n",
                 "4:7", "NodePool \"g\": spec: missing required field \"count\"");
}

static void test_experiment_and_timing_errors(void **state)
{
    (void)state;
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: e}\n"
                 "spec: {duration: 5 minutes}\n",
                 "4:18", "Experiment \"e\": spec.duration: expected a duration such as \"300ms\"");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: e}\nspec: {seed: -1}\n",
                 "4:14", "spec.seed: expected a non-negative integer, got \"-1\"");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec:\n"
                 "  apiserver:\n    writeLatency: {lognormal: {median: 10ms, p99: 5ms}}\n",
                 "6:31", "spec.apiserver.writeLatency.lognormal: invalid lognormal distribution: p99 must be >= median");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec:\n"
                 "  kubelet:\n    containerStartLatency: {gamma: {k: 1}}\n",
                 "6:29", "spec.kubelet.containerStartLatency: expected a distribution");
    expect_error("apiVersion: kubesim.io/v1alpha1\nkind: ControlPlane\nmetadata: {name: cp}\nspec:\n"
                 "  kubelet:\n    containerStartLatency: {uniform: {low: 1s}}\n",
                 "6:38", "missing required field \"high\"");
}

static const char ksc_head[] = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

static void expect_ksc_error(const char *body, const char *pos, const char *want)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s%s", ksc_head, body);
    expect_error(yaml, pos, want);
}

static void test_sched_errors(void **state)
{
    (void)state;
    expect_ksc_error("profiles:\n- plugins:\n    score:\n      enabled: [{name: NodeResourcesFitt}]\n", "6:24",
                     "KubeSchedulerConfiguration: profiles[0].plugins.score.enabled[0].name: unknown plugin "
                     "\"NodeResourcesFitt\"");
    expect_ksc_error("profiles:\n- pluginConfig:\n  - name: Foo\n    args: {}\n", "5:11",
                     "profiles[0].pluginConfig[0].name: unknown plugin \"Foo\"");
    expect_ksc_error("profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n"
                     "    args: {scoringStrategy: {type: RequestedToCapacityRatio}}\n",
                     "6:29", "scoringStrategy: requestedToCapacityRatio.shape: at least one point must be specified");
    expect_ksc_error("profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n"
                     "    args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: "
                     "{shape: [{utilization: 50, score: 5}, {utilization: 40, score: 1}]}}}\n",
                     "6:126", "utilization values must be sorted in increasing order");
    expect_ksc_error("profiles:\n- schedulerName: a\n- schedulerName: a\n", "5:18",
                     "profiles[1].schedulerName: duplicate schedulerName \"a\"");
    expect_ksc_error("podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n", "4:23",
                     "podMaxBackoffSeconds: expected at least podInitialBackoffSeconds (5), got \"2\"");
    expect_ksc_error("percentageOfNodesToScore: 101\n", "3:27", "expected an integer from 0 to 100, got \"101\"");
    /* A pod naming a profile that does not exist, whichever document comes first. */
    expect_error("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                 "spec: {schedulerName: bin-packing, containers: [{name: c, image: i}]}\n---\n"
                 "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                 "profiles: [{schedulerName: default-scheduler}, {schedulerName: spread}]\n",
                 "4:23",
                 "Pod \"p\": spec.schedulerName: expected the schedulerName of a scheduler profile "
                 "(\"default-scheduler\", \"spread\"), got \"bin-packing\"");
}

/* At most 20 errors are printed, then loading stops. */
static void test_error_limit(void **state)
{
    (void)state;
    char yaml[8192] = "";
    for (int i = 0; i < 30; i++) {
        char doc[200];
        snprintf(doc, sizeof doc, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {bogus%d: 1}\n", i, i);
        strcat(yaml, doc);
    }
    ks_config cfg;
    loaded l = load_text(&cfg, yaml);
    assert_int_equal(l.rc, 2);
    int lines = 0;
    for (const char *p = l.err; (p = strstr(p, "c.yaml:")); p++) lines++;
    assert_int_equal(lines, 20);
    assert_non_null(strstr(l.err, "too many errors"));
    free(l.err);
}

/* Every .yaml file in tests/configs/bad starts with "# expect: LINE:COL SUBSTRING", which the CLI tests
 * rely on too; each file must fail exactly there. */
static void test_bad_config_samples(void **state)
{
    (void)state;
    const char *dir = ks_test_source_path("tests/configs/bad");
    DIR *d = opendir(dir);
    assert_non_null(d);
    int checked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = ks_test_read_file(path, NULL);
        assert_non_null(text);
        char pos[32] = "", want[512] = "";
        int fields = sscanf(text, "# expect: %31s %511[^\n]", pos, want);
        free(text);
        if (fields != 2) fprintf(stderr, "%s: first line is not \"# expect: LINE:COL SUBSTRING\"\n", path);
        assert_int_equal(fields, 2);
        ks_config cfg;
        const char *paths[] = {path};
        loaded l = load_paths(&cfg, paths, 1);
        bool found = has_error_line(l.err, path, pos, want);
        free(l.err);
        assert_int_equal(l.rc, 2);
        assert_true(found);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults_without_experiment),
        cmocka_unit_test(test_print_ignored),
        cmocka_unit_test(test_multiple_files_and_text),
        cmocka_unit_test(test_list_kind),
        cmocka_unit_test(test_template_hash),
        cmocka_unit_test(test_sched_plugins),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_kind_errors),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_quantity_errors),
        cmocka_unit_test(test_deployment_errors),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_node_errors),
        cmocka_unit_test(test_experiment_and_timing_errors),
        cmocka_unit_test(test_sched_errors),
        cmocka_unit_test(test_error_limit),
        cmocka_unit_test(test_bad_config_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
