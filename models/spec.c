/* spec.c — see spec.h. */
#include "spec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

void ks_labels_free(ks_labels *l)
{
    for (size_t i = 0; i < l->n; i++) {
        ks_free(l->items[i].key);
        ks_free(l->items[i].value);
    }
    ks_free(l->items);
    l->items = NULL;
    l->n = 0;
}

const char *ks_labels_get(const ks_labels *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0) return l->items[i].value;
    return NULL;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Effective requests, per resource and on their own:
 *   max(sum over app containers, max over init containers) + overhead
 * (pkg/api/v1/resource/helpers.go PodRequests, v1.31; restartable "sidecar" init containers are
 * not modelled yet). The non-zero variant applies the 100m / 200Mi defaults per container whose
 * request key is absent — an explicit 0 stays 0 — before the sum and the max
 * (pkg/scheduler/framework/types.go calculateResource, pkg/scheduler/util/pod_resources.go). */
void ks_pod_spec_finalize(ks_pod_spec *s)
{
    int64_t cpu = 0, mem = 0, eph = 0, nzcpu = 0, nzmem = 0;
    for (size_t i = 0; i < s->ncontainers; i++) {
        const ks_container *c = &s->containers[i];
        cpu += c->cpu_milli;
        mem += c->mem_bytes;
        eph += c->eph_bytes;
        nzcpu += c->cpu_set ? c->cpu_milli : KS_DEFAULT_MILLI_CPU_REQUEST;
        nzmem += c->mem_set ? c->mem_bytes : KS_DEFAULT_MEMORY_REQUEST;
    }
    for (size_t i = 0; i < s->ninit; i++) {
        const ks_container *c = &s->init_containers[i];
        cpu = max64(cpu, c->cpu_milli);
        mem = max64(mem, c->mem_bytes);
        eph = max64(eph, c->eph_bytes);
        nzcpu = max64(nzcpu, c->cpu_set ? c->cpu_milli : KS_DEFAULT_MILLI_CPU_REQUEST);
        nzmem = max64(nzmem, c->mem_set ? c->mem_bytes : KS_DEFAULT_MEMORY_REQUEST);
    }
    /* Extended resources: the same max(sum of app containers, max of init containers) rule per
     * resource name (they have no non-zero default). */
    s->next_req = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass ? s->ninit : s->ncontainers;
        const ks_container *cs = pass ? s->init_containers : s->containers;
        for (size_t i = 0; i < n; i++)
            for (uint8_t k = 0; k < cs[i].next; k++) {
                uint8_t j = 0;
                while (j < s->next_req && strcmp(s->ext_req[j].name, cs[i].ext[k].name)) j++;
                if (j == s->next_req) {
                    if (j == 2 * KS_MAX_EXT) continue;
                    s->ext_req[s->next_req++] = (ks_ext){cs[i].ext[k].name, 0};
                }
                if (pass == 0) s->ext_req[j].value += cs[i].ext[k].value;
                else if (cs[i].ext[k].value > s->ext_req[j].value) s->ext_req[j].value = cs[i].ext[k].value;
            }
    }
    s->req_cpu_milli = cpu + s->overhead_cpu_milli;
    s->req_mem_bytes = mem + s->overhead_mem_bytes;
    s->req_eph_bytes = eph;
    s->has_probes = false;
    for (size_t i = 0; i < s->ncontainers; i++)
        s->has_probes |= s->containers[i].startup.set || s->containers[i].readiness.set;
    s->nz_cpu_milli = nzcpu + s->overhead_cpu_milli;
    s->nz_mem_bytes = nzmem + s->overhead_mem_bytes;
}

static char *sdup(const char *s) { return s ? ks_strdup(ks_mem_purpose("config"), s) : NULL; }

static void term_free(ks_node_term *t)
{
    for (size_t i = 0; i < t->n; i++) {
        ks_free(t->reqs[i].key);
        for (size_t k = 0; k < t->reqs[i].nvalues; k++) ks_free(t->reqs[i].values[k]);
        ks_free(t->reqs[i].values);
    }
    ks_free(t->reqs);
}

static void term_copy(ks_node_term *dst, const ks_node_term *src)
{
    dst->n = src->n;
    dst->reqs = src->n ? ks_malloc(ks_mem_purpose("config"), src->n * sizeof *dst->reqs) : NULL;
    for (size_t i = 0; i < src->n; i++) {
        const ks_node_requirement *r = &src->reqs[i];
        dst->reqs[i] = *r;
        dst->reqs[i].key = sdup(r->key);
        dst->reqs[i].values = r->nvalues ? ks_malloc(ks_mem_purpose("config"), r->nvalues * sizeof(char *)) : NULL;
        for (size_t k = 0; k < r->nvalues; k++) dst->reqs[i].values[k] = sdup(r->values[k]);
    }
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) ks_free(v[i]);
    ks_free(v);
}

static char **strs_copy(char *const *v, size_t n)
{
    char **out = n ? ks_malloc(ks_mem_purpose("config"), n * sizeof *out) : NULL;
    for (size_t i = 0; i < n; i++) out[i] = sdup(v[i]);
    return out;
}

void ks_label_selector_free(ks_label_selector *s)
{
    ks_node_term t = {s->reqs, s->n};
    term_free(&t);
    memset(s, 0, sizeof *s);
}

static void selector_copy(ks_label_selector *dst, const ks_label_selector *src)
{
    ks_node_term t;
    term_copy(&t, &(ks_node_term){src->reqs, src->n});
    *dst = (ks_label_selector){t.reqs, t.n, src->set};
}

void ks_spread_constraint_free(ks_spread_constraint *c)
{
    ks_free(c->topology_key);
    ks_label_selector_free(&c->selector);
    strs_free(c->match_label_keys, c->nmatch_label_keys);
    memset(c, 0, sizeof *c);
}

static void spread_copy(ks_spread_constraint *dst, const ks_spread_constraint *src)
{
    *dst = *src;
    dst->topology_key = sdup(src->topology_key);
    selector_copy(&dst->selector, &src->selector);
    dst->match_label_keys = strs_copy(src->match_label_keys, src->nmatch_label_keys);
}

void ks_pod_affinity_term_free(ks_pod_affinity_term *t)
{
    ks_label_selector_free(&t->selector);
    ks_label_selector_free(&t->ns_selector);
    strs_free(t->namespaces, t->nnamespaces);
    ks_free(t->topology_key);
    strs_free(t->match_label_keys, t->nmatch_label_keys);
    strs_free(t->mismatch_label_keys, t->nmismatch_label_keys);
    memset(t, 0, sizeof *t);
}

static void affinity_term_copy(ks_pod_affinity_term *dst, const ks_pod_affinity_term *src)
{
    *dst = *src;
    selector_copy(&dst->selector, &src->selector);
    selector_copy(&dst->ns_selector, &src->ns_selector);
    dst->namespaces = strs_copy(src->namespaces, src->nnamespaces);
    dst->topology_key = sdup(src->topology_key);
    dst->match_label_keys = strs_copy(src->match_label_keys, src->nmatch_label_keys);
    dst->mismatch_label_keys = strs_copy(src->mismatch_label_keys, src->nmismatch_label_keys);
}

static ks_container *containers_copy(const ks_container *src, size_t n)
{
    if (!n) return NULL;
    ks_container *c = ks_malloc(ks_mem_purpose("config"), n * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i] = src[i];
        c[i].name = sdup(src[i].name);
        c[i].image = sdup(src[i].image);
        for (uint8_t k = 0; k < src[i].next; k++) c[i].ext[k].name = sdup(src[i].ext[k].name);
        if (src[i].nhost_ports) {
            c[i].host_ports = ks_malloc(ks_mem_purpose("config"), src[i].nhost_ports * sizeof *c[i].host_ports);
            memcpy(c[i].host_ports, src[i].host_ports, src[i].nhost_ports * sizeof *c[i].host_ports);
        }
    }
    return c;
}

void ks_pod_spec_copy(ks_pod_spec *dst, const ks_pod_spec *src)
{
    *dst = *src;
    dst->namespace = sdup(src->namespace);
    dst->labels.items = src->labels.n ? ks_malloc(ks_mem_purpose("config"), src->labels.n * sizeof *dst->labels.items) : NULL;
    for (size_t i = 0; i < src->labels.n; i++)
        dst->labels.items[i] = (ks_kv){sdup(src->labels.items[i].key), sdup(src->labels.items[i].value)};
    dst->containers = containers_copy(src->containers, src->ncontainers);
    dst->init_containers = containers_copy(src->init_containers, src->ninit);
    dst->scheduler_name = sdup(src->scheduler_name);
    dst->priority_class = sdup(src->priority_class);
    dst->node_name = sdup(src->node_name);
    dst->run_for = ks_dist_copy(&src->run_for);
    ks_pod_spec_finalize(dst); /* the extended request names now borrow from the copies */
    dst->tolerations = src->ntolerations ? ks_malloc(ks_mem_purpose("config"), src->ntolerations * sizeof *dst->tolerations) : NULL;
    for (size_t i = 0; i < src->ntolerations; i++) {
        dst->tolerations[i] = src->tolerations[i];
        dst->tolerations[i].key = sdup(src->tolerations[i].key);
        dst->tolerations[i].value = sdup(src->tolerations[i].value);
    }
    dst->node_selector.items = src->node_selector.n ? ks_malloc(ks_mem_purpose("config"), src->node_selector.n * sizeof(ks_kv)) : NULL;
    for (size_t i = 0; i < src->node_selector.n; i++)
        dst->node_selector.items[i] = (ks_kv){sdup(src->node_selector.items[i].key), sdup(src->node_selector.items[i].value)};
    dst->required_terms = src->nrequired ? ks_malloc(ks_mem_purpose("config"), src->nrequired * sizeof *dst->required_terms) : NULL;
    for (size_t i = 0; i < src->nrequired; i++) term_copy(&dst->required_terms[i], &src->required_terms[i]);
    dst->preferred = src->npreferred ? ks_malloc(ks_mem_purpose("config"), src->npreferred * sizeof *dst->preferred) : NULL;
    for (size_t i = 0; i < src->npreferred; i++) {
        dst->preferred[i].weight = src->preferred[i].weight;
        term_copy(&dst->preferred[i].term, &src->preferred[i].term);
    }
    dst->ready_after = ks_dist_copy(&src->ready_after);
    dst->spread = src->nspread ? ks_malloc(ks_mem_purpose("config"), src->nspread * sizeof *dst->spread) : NULL;
    for (size_t i = 0; i < src->nspread; i++) spread_copy(&dst->spread[i], &src->spread[i]);
    for (int l = 0; l < KS_AFF_LISTS; l++) {
        size_t n = src->npod_aff[l];
        dst->pod_aff[l] = n ? ks_malloc(ks_mem_purpose("config"), n * sizeof *dst->pod_aff[l]) : NULL;
        for (size_t i = 0; i < n; i++) affinity_term_copy(&dst->pod_aff[l][i], &src->pod_aff[l][i]);
    }
}

static void containers_free(ks_container *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ks_free(c[i].name);
        ks_free(c[i].image);
        for (uint8_t k = 0; k < c[i].next; k++) ks_free(c[i].ext[k].name);
        ks_free(c[i].host_ports);
    }
    ks_free(c);
}

void ks_pod_spec_free(ks_pod_spec *s)
{
    for (size_t i = 0; i < s->ntolerations; i++) {
        ks_free(s->tolerations[i].key);
        ks_free(s->tolerations[i].value);
    }
    ks_free(s->tolerations);
    ks_labels_free(&s->node_selector);
    for (size_t i = 0; i < s->nrequired; i++) term_free(&s->required_terms[i]);
    ks_free(s->required_terms);
    for (size_t i = 0; i < s->npreferred; i++) term_free(&s->preferred[i].term);
    ks_free(s->preferred);
    for (size_t i = 0; i < s->nspread; i++) ks_spread_constraint_free(&s->spread[i]);
    ks_free(s->spread);
    for (int l = 0; l < KS_AFF_LISTS; l++) {
        for (size_t i = 0; i < s->npod_aff[l]; i++) ks_pod_affinity_term_free(&s->pod_aff[l][i]);
        ks_free(s->pod_aff[l]);
    }
    ks_free(s->namespace);
    ks_labels_free(&s->labels);
    containers_free(s->containers, s->ncontainers);
    containers_free(s->init_containers, s->ninit);
    ks_free(s->scheduler_name);
    ks_free(s->priority_class);
    ks_free(s->node_name);
    ks_dist_free(&s->run_for);
    ks_dist_free(&s->ready_after);
    memset(s, 0, sizeof *s);
}

void ks_node_spec_free(ks_node_spec *s)
{
    ks_free(s->name);
    ks_free(s->pool);
    ks_free(s->zone);
    ks_labels_free(&s->labels);
    for (size_t i = 0; i < s->ntaints; i++) {
        ks_free(s->taints[i].key);
        ks_free(s->taints[i].value);
    }
    ks_free(s->taints);
    for (size_t i = 0; i < s->nimages; i++) ks_free(s->images[i].name);
    ks_free(s->images);
    for (uint8_t k = 0; k < s->next; k++) ks_free(s->ext[k].name);
    memset(s, 0, sizeof *s);
}

void ks_deployment_spec_free(ks_deployment_spec *d)
{
    ks_free(d->name);
    ks_free(d->namespace);
    ks_labels_free(&d->selector);
    ks_pod_spec_free(&d->template);
    ks_free(d->template_hash);
    memset(d, 0, sizeof *d);
}

void ks_job_spec_free(ks_job_spec *j)
{
    ks_free(j->name);
    ks_free(j->namespace);
    ks_pod_spec_free(&j->template);
    memset(j, 0, sizeof *j);
}

void ks_node_pool_free(ks_node_pool *p)
{
    ks_free(p->name);
    for (size_t i = 0; i < p->nzones; i++) ks_free(p->zones[i]);
    ks_free(p->zones);
    ks_node_spec_free(&p->template);
    memset(p, 0, sizeof *p);
}

/* The default profile "default-scheduler": NodeResourcesFit (LeastAllocated, cpu:1 memory:1)
 * with score weight 1 and NodeResourcesBalancedAllocation with weight 1
 * (pkg/scheduler/apis/config/v1/default_plugins.go: TaintToleration 3, NodeAffinity 2 and the
 * filters NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit; SetDefaults_NodeResourcesFitArgs in
 * pkg/scheduler/apis/config/v1/defaults.go). Backoff 1 s doubling to 10 s (same file). */
const char *const ks_gpu_policy_plugins[KS_GPU_POLICY_COUNT] = {
    NULL, "RandomScore", "DotProductScore", "GpuClusteringScore", "GpuPackingScore", "BestFitScore", "FGDScore"};

static ks_sched_profile default_profile(void)
{
    return (ks_sched_profile){
        .scheduler_name = ks_strdup(ks_mem_purpose("config"), "default-scheduler"),
        .fit_strategy = KS_FIT_LEAST_ALLOCATED,
        .fit_cpu_weight = 1,
        .fit_mem_weight = 1,
        .bal_cpu = true,
        .bal_mem = true,
        .fit_weight = 1,
        .balanced_weight = 1,
        .taint_weight = 3,
        .affinity_weight = 2,
        .image_weight = 1,
        .fit_filter = true,
        .taint_filter = true,
        .affinity_filter = true,
        .unschedulable_filter = true,
        .ports_filter = true,
        .node_name_filter = true,
        /* PodTopologySpread and InterPodAffinity: weight 2 each; PodTopologySpreadArgs
         * defaultingType System; InterPodAffinityArgs hardPodAffinityWeight 1
         * (pkg/scheduler/apis/config/v1/defaults.go). DefaultPreemption at postFilter. */
        .spread_weight = 2,
        .interpod_weight = 2,
        .spread_filter = true,
        .interpod_filter = true,
        .spread_system_defaulted = true,
        .hard_pod_affinity_weight = 1,
        .preemption = true,
        .gpu_filter = true,
        .percentage_of_nodes_to_score = -1,
    };
}

void ks_sched_config_default(ks_sched_config *c)
{
    memset(c, 0, sizeof *c);
    c->profiles = ks_malloc(ks_mem_purpose("config"), sizeof *c->profiles);
    c->profiles[0] = default_profile();
    c->nprofiles = 1;
    c->percentage_of_nodes_to_score = 0;
    c->pod_initial_backoff = KS_SEC(1);
    c->pod_max_backoff = KS_SEC(10);
}

void ks_service_spec_free(ks_service_spec *s)
{
    ks_free(s->name);
    ks_free(s->namespace);
    ks_labels_free(&s->selector);
    memset(s, 0, sizeof *s);
}

void ks_pdb_spec_free(ks_pdb_spec *p)
{
    ks_free(p->name);
    ks_free(p->namespace);
    ks_label_selector_free(&p->selector);
    memset(p, 0, sizeof *p);
}

void ks_sched_profile_free(ks_sched_profile *p)
{
    ks_free(p->scheduler_name);
    for (size_t k = 0; k < p->nspread_defaults; k++) ks_spread_constraint_free(&p->spread_defaults[k]);
    ks_free(p->spread_defaults);
    ks_free(p->fit_ignored);
    ks_free(p->fit_ignored_groups);
    p->fit_ignored = p->fit_ignored_groups = NULL;
    p->nfit_ignored = p->nfit_ignored_groups = 0;
    p->scheduler_name = NULL;
    p->spread_defaults = NULL;
    p->nspread_defaults = 0;
}

void ks_sched_config_free(ks_sched_config *c)
{
    for (size_t i = 0; i < c->nprofiles; i++) ks_sched_profile_free(&c->profiles[i]);
    ks_free(c->profiles);
    memset(c, 0, sizeof *c);
}

const ks_sched_profile *ks_sched_config_profile(const ks_sched_config *c, const char *scheduler_name)
{
    if (c->force_profile) scheduler_name = c->force_profile;
    for (size_t i = 0; i < c->nprofiles; i++)
        if (strcmp(c->profiles[i].scheduler_name, scheduler_name) == 0) return &c->profiles[i];
    return NULL;
}

char *ks_image_ref(const char *image, char *buf, size_t bufsize)
{
    /* A tag is a ':' after the last '/'; a digest ("@sha256:…") counts as pinned. This is the
     * normalisation of pkg/scheduler/framework/plugins/imagelocality (normalizedImageName). */
    const char *slash = strrchr(image, '/');
    const char *colon = strrchr(image, ':');
    bool tagged = strchr(image, '@') || (colon && (!slash || colon > slash));
    snprintf(buf, bufsize, tagged ? "%s" : "%s:latest", image);
    return buf;
}

/* Latency defaults. Upstream publishes SLOs, not distributions; these are chosen to sit inside
 * them and are documented in docs/ARCHITECTURE.md ("Timing defaults"):
 * - API write (apiserver + etcd commit): lognormal median 5 ms, p99 25 ms — the etcd guidance
 *   is a p99 commit under 25 ms on good disks (etcd-io/website docs/op-guide/hardware.md).
 * - watch delivery: lognormal median 2 ms, p99 20 ms.
 * - image pull: 200 ms median / 1 s p99 of registry round trips, then size / bandwidth with
 *   bandwidth uniform 50-150 MB/s; default image size 100 MiB when a container does not say.
 * - container create / start (containerd): median 100 ms p99 500 ms / median 50 ms p99 300 ms.
 * - scheduler: 100 µs per cycle plus 0.5 µs per node evaluated — ~10,000 pods/s on 100 nodes and
 *   ~350 pods/s on 5,000 nodes, bracketing the 100-300 pods/s that upstream's scheduler_perf
 *   reports on 5,000-node clusters once API binding is included. */
void ks_timings_default(ks_timings *t)
{
    memset(t, 0, sizeof *t);
    t->api_write = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 5e6, .b = 25e6};
    t->watch_delay = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 2e6, .b = 20e6};
    t->image_pull_latency = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 200e6, .b = 1e9};
    t->image_pull_bandwidth = (ks_dist){.kind = KS_DIST_UNIFORM, .a = 50e6, .b = 150e6};
    t->default_image_bytes = 100LL * 1024 * 1024;
    /* Generic PLEG relist period (pkg/kubelet/kubelet.go plegRelistPeriod = time.Second). */
    t->pleg_relist_period = KS_SEC(1);
    /* KubeletConfiguration defaults (pkg/kubelet/apis/config/v1beta1/defaults.go):
     * nodeLeaseDurationSeconds 40, renewed every 0.25 x 40 = 10 s (pkg/kubelet/kubelet.go
     * nodeLeaseRenewIntervalFraction); nodeStatusUpdateFrequency 10 s; nodeStatusReportFrequency
     * 5 min. */
    t->node_lease_duration_s = 40;
    t->node_status_update_frequency = KS_SEC(10);
    t->node_status_report_frequency = KS_MIN(5);
    t->container_create = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 100e6, .b = 500e6};
    t->container_start = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 50e6, .b = 300e6};
    /* Apps that handle SIGTERM stop within a second or two; kubesim's choice, documented with
     * the others. terminationGracePeriodSeconds caps it. */
    t->container_stop = (ks_dist){.kind = KS_DIST_LOGNORMAL, .a = 200e6, .b = 2e9};
    t->sched_cycle_cost = ks_dist_constant(100e3);
    t->sched_node_cost = ks_dist_constant(500);
    t->sched_score_cost = ks_dist_constant(500);
    /* kube-controller-manager node lifecycle (pkg/controller/nodelifecycle/config/v1alpha1/
     * defaults.go, cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go):
     * --node-monitor-period 5 s, --node-monitor-grace-period 40 s (v1.31; 50 s from v1.32),
     * --node-eviction-rate 0.1, --secondary-node-eviction-rate 0.01,
     * --large-cluster-size-threshold 50, --unhealthy-zone-threshold 0.55. kube-apiserver
     * --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds 300
     * (plugin/pkg/admission/defaulttolerationseconds/admission.go). */
    t->node_monitor_period = KS_SEC(5);
    t->node_monitor_grace_period = KS_SEC(40);
    t->node_eviction_rate = 0.1;
    t->secondary_node_eviction_rate = 0.01;
    t->large_cluster_size_threshold = 50;
    t->unhealthy_zone_threshold = 0.55;
    t->default_not_ready_toleration_s = 300;
    t->default_unreachable_toleration_s = 300;
    /* kube-apiserver --max-requests-inflight / --max-mutating-requests-inflight
     * (staging/src/k8s.io/apiserver/pkg/server/config.go NewConfig: 400 / 200). */
    t->max_requests_inflight = 400;
    t->max_mutating_requests_inflight = 200;
    /* kube-controller-manager --kube-api-qps/--kube-api-burst 20/30
     * (pkg/controller/apis/config/v1alpha1/defaults.go); each controller builds its own client,
     * hence its own bucket. kube-scheduler clientConnection 50/100
     * (pkg/scheduler/apis/config/v1/defaults.go). kubelet kubeAPIQPS/kubeAPIBurst 50/100 since
     * v1.27 (pkg/kubelet/apis/config/v1beta1/defaults.go). */
    t->controller_manager = (ks_client_limits){20, 30};
    t->scheduler = (ks_client_limits){50, 100};
    t->kubelet = (ks_client_limits){50, 100};
    /* EndpointSlice controller: --max-endpoints-per-slice 100 (valid 1..1000) and
     * --endpointslice-updates-batch-period 0 (cmd/kube-controller-manager/app/options/
     * endpointslicecontroller.go; pkg/controller/endpointslice/config/v1alpha1/defaults.go). */
    t->services.max_endpoints_per_slice = 100;
    t->services.endpoint_updates_batch_period = 0;
    /* kube-proxy iptables mode: minSyncPeriod 1 s, syncPeriod 30 s
     * (pkg/proxy/apis/config/v1alpha1/defaults.go); the sync runner allows burstSyncs = 2 runs
     * back to back (pkg/proxy/iptables/proxier.go NewProxier, pkg/util/async/bounded_frequency_runner.go).
     * The sync cost is kubesim's model (docs/ARCHITECTURE.md): 2 ms per sync, 20 us per Service
     * and 10 us per endpoint rewritten, so a full sync of 10,000 Services with 100,000 endpoints
     * takes about 1.2 s, the order of what KEP-3453 (minimize iptables-restore) reports for
     * large clusters before partial syncs. */
    t->services.proxy_min_sync_period = KS_SEC(1);
    t->services.proxy_sync_period = KS_SEC(30);
    t->services.proxy_burst_syncs = 2;
    t->services.proxy_sync_cost_base = KS_MS(2);
    t->services.proxy_sync_cost_per_service = KS_US(20);
    t->services.proxy_sync_cost_per_endpoint = KS_US(10);
}

void ks_timings_free(ks_timings *t)
{
    ks_dist *all[] = {&t->api_write,        &t->watch_delay,     &t->image_pull_latency,
                      &t->image_pull_bandwidth, &t->container_create, &t->container_start, &t->container_stop,
                      &t->sched_cycle_cost, &t->sched_node_cost, &t->sched_score_cost};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) ks_dist_free(all[i]);
}

void ks_scenario_action_free(ks_scenario_action *a)
{
    ks_free(a->deployment);
    ks_free(a->namespace);
    ks_free(a->container);
    ks_free(a->image);
    for (size_t i = 0; i < a->nodes.nnames; i++) ks_free(a->nodes.names[i]);
    ks_free(a->nodes.names);
    ks_label_selector_free(&a->nodes.selector);
    ks_free(a->nodes.zone);
    ks_free(a->nodes.pool);
    ks_labels_free(&a->labels);
    ks_free(a->taint.key);
    ks_free(a->taint.value);
    memset(a, 0, sizeof *a);
}

void ks_workload_template_free(ks_workload_template *t)
{
    if (t->object == KS_WORKLOAD_POD) ks_pod_spec_free(&t->pod);
    else if (t->object == KS_WORKLOAD_JOB) ks_job_spec_free(&t->job);
    else ks_deployment_spec_free(&t->deployment);
    ks_dist_free(&t->lifetime);
    memset(t, 0, sizeof *t);
}

void ks_workload_spec_free(ks_workload_spec *w)
{
    ks_free(w->name);
    ks_free(w->namespace);
    ks_free(w->arrivals.times);
    for (size_t i = 0; i < w->ntemplates; i++) ks_workload_template_free(&w->templates[i]);
    ks_free(w->templates);
    memset(w, 0, sizeof *w);
}

/* kubesim derives the Job's UID from its namespace and name (FNV-1a 64, twice), as it does for
 * pods, so that a run is a function of its config and seed. */
void ks_job_spec_add_labels(ks_job_spec *j)
{
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;
    for (const char *s = j->namespace; *s; s++) h1 = (h1 ^ (unsigned char)*s) * 0x100000001b3ull;
    for (const char *s = j->name; *s; s++) h2 = (h2 ^ (unsigned char)*s) * 0x100000001b3ull;
    h2 ^= h1 * 0x9E3779B97F4A7C15ull;
    char uid[40];
    snprintf(uid, sizeof uid, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-a%03" PRIx64 "-%012" PRIx64, h1 >> 32,
             (h1 >> 16) & 0xffff, h1 & 0xfff, (h2 >> 48) & 0xfff, h2 & (uint64_t)0xffffffffffffull);
    const char *keys[] = {"job-name", "batch.kubernetes.io/job-name", "controller-uid", "batch.kubernetes.io/controller-uid"};
    const char *values[] = {j->name, j->name, uid, uid};
    ks_labels *l = &j->template.labels;
    ks_mem_id mem = ks_mem_purpose("config");
    ks_kv *items = ks_malloc(mem, (l->n + 4) * sizeof *items);
    if (l->n) memcpy(items, l->items, l->n * sizeof *items);
    ks_free(l->items);
    l->items = items;
    for (int k = 0; k < 4; k++)
        if (!ks_labels_get(l, keys[k])) l->items[l->n++] = (ks_kv){ks_strdup(mem, keys[k]), ks_strdup(mem, values[k])};
}
