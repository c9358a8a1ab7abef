/* world.c — see world.h. */
#include "nodelifecycle.h"
#include "world.h"

#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include <string.h>

#include "alloc.h"
#include "job.h"
#include "endpointslice.h"
#include "kubeproxy.h"
#include "workload.h"

ks_time ks_world_watch(ks_world *w) { return ks_dist_sample_ns(&w->timings->watch_delay, w->rng_api); }

/* A watch stream delivers events in resourceVersion order (apiserver's watch cache), so the
 * scheduler's pod informer sees new pods in the order they were created: each delivery is drawn
 * as ks_world_watch, and not before the previous one. */
void ks_world_watch_new_pod(ks_world *w, uint32_t pod)
{
    ks_time at = ks_sim_now(w->sim) + ks_world_watch(w);
    if (at < w->pod_watch_last) at = w->pod_watch_last;
    w->pod_watch_last = at;
    ks_sim_at(w->sim, at, w->ev.sched_watch, pod, 0);
}

static char *dup(const char *s) { return ks_strdup(ks_mem_purpose("nodes"), s ? s : ""); }

static void labels_copy(ks_labels *dst, const ks_labels *src, size_t extra)
{
    dst->items = ks_malloc(ks_mem_purpose("nodes"), (src->n + extra + 1) * sizeof *dst->items);
    dst->n = src->n;
    for (size_t i = 0; i < src->n; i++) dst->items[i] = (ks_kv){dup(src->items[i].key), dup(src->items[i].value)};
}

static void labels_set(ks_labels *l, const char *key, const char *value)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0) {
            ks_free(l->items[i].value);
            l->items[i].value = dup(value);
            return;
        }
    l->items[l->n++] = (ks_kv){dup(key), dup(value)};
}

/* A deep copy of a node spec, with the name, pool and zone of the new node and the well-known
 * labels the kubelet and cloud provider set: kubernetes.io/hostname and topology.kubernetes.io/zone
 * (k8s.io/api/core/v1 well_known_labels.go). */
static ks_node_spec node_copy(const ks_node_spec *src, const char *name, const char *pool, const char *zone)
{
    ks_node_spec n = *src;
    n.name = dup(name);
    n.pool = dup(pool);
    n.zone = dup(zone);
    labels_copy(&n.labels, &src->labels, 2);
    labels_set(&n.labels, "kubernetes.io/hostname", name);
    if (zone && *zone) labels_set(&n.labels, "topology.kubernetes.io/zone", zone);
    n.taints = src->ntaints ? ks_malloc(ks_mem_purpose("nodes"), src->ntaints * sizeof *n.taints) : NULL;
    for (size_t i = 0; i < src->ntaints; i++)
        n.taints[i] = (ks_taint){dup(src->taints[i].key), dup(src->taints[i].value), src->taints[i].effect};
    for (uint8_t k = 0; k < src->next; k++) n.ext[k].name = dup(src->ext[k].name);
    n.images = src->nimages ? ks_malloc(ks_mem_purpose("nodes"), src->nimages * sizeof *n.images) : NULL;
    for (size_t i = 0; i < src->nimages; i++) n.images[i] = (ks_image){dup(src->images[i].name), src->images[i].bytes};
    return n;
}

static uint32_t find_node(const ks_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->nodes.n; i++)
        if (strcmp(c->nodes.spec[i].name, name) == 0) return (uint32_t)i;
    return KS_NONE;
}

typedef struct series_row {
    double time;
    int64_t pods, pending, running, nodes, cpu_requested_milli, cpu_allocatable_milli, mem_requested_bytes,
        mem_allocatable_bytes, sched_active, sched_backoff, sched_unschedulable, api_inflight, api_waiting,
        api_requests, etcd_writes, replicasets, deployments, pods_ready, nodes_not_ready, nodes_noexecute,
        pods_evicted;
} series_row;

#define SERIES_COL(name, type) KS_COLUMN(series_row, name, type)
static const ks_column series_columns[] = {
    SERIES_COL(time, KS_COL_F64),
    SERIES_COL(pods, KS_COL_I64),
    SERIES_COL(pending, KS_COL_I64),
    SERIES_COL(running, KS_COL_I64),
    SERIES_COL(nodes, KS_COL_I64),
    SERIES_COL(cpu_requested_milli, KS_COL_I64),
    SERIES_COL(cpu_allocatable_milli, KS_COL_I64),
    SERIES_COL(mem_requested_bytes, KS_COL_I64),
    SERIES_COL(mem_allocatable_bytes, KS_COL_I64),
    SERIES_COL(sched_active, KS_COL_I64),
    SERIES_COL(sched_backoff, KS_COL_I64),
    SERIES_COL(sched_unschedulable, KS_COL_I64),
    SERIES_COL(api_inflight, KS_COL_I64),
    SERIES_COL(api_waiting, KS_COL_I64),
    SERIES_COL(api_requests, KS_COL_I64),
    SERIES_COL(etcd_writes, KS_COL_I64),
    SERIES_COL(replicasets, KS_COL_I64),
    SERIES_COL(deployments, KS_COL_I64),
    SERIES_COL(pods_ready, KS_COL_I64),
    SERIES_COL(nodes_not_ready, KS_COL_I64),
    SERIES_COL(nodes_noexecute, KS_COL_I64),
    SERIES_COL(pods_evicted, KS_COL_I64),
};

/* Short strings from small sets are fixed-size columns (compressed away by gzip); names and
 * messages are variable-length. Widths follow upstream's limits: a namespace and a label value
 * are at most 63 bytes (k8s.io/apimachinery/pkg/util/validation), reasons and component names
 * are kubesim's own constants. */
#define EVENT_COL(name, type) KS_COLUMN(ks_event_row, name, type)
#define EVENT_FCOL(name, width) KS_FSTR_COLUMN(ks_event_row, name, width)
static const ks_column event_columns[] = {
    EVENT_COL(time, KS_COL_F64),    EVENT_FCOL(kind, 32),          EVENT_FCOL(namespace, 64),
    EVENT_COL(name, KS_COL_STR),    EVENT_FCOL(type, 8),           EVENT_FCOL(reason, 64),
    EVENT_COL(message, KS_COL_STR), EVENT_COL(count, KS_COL_U32),  EVENT_FCOL(source, 64),
};

static void on_sample(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    const ks_cluster *c = &w->cluster;
    series_row r = {
        .time = ks_time_to_sec(ks_sim_now(sim)),
        .pods = (int64_t)c->npods - c->pods_deleted,
        .pending = c->pods_pending,
        .running = c->pods_running,
        .nodes = (int64_t)(c->nodes.n - c->nodes.ndeleted),
        .cpu_requested_milli = c->cpu_requested,
        .cpu_allocatable_milli = c->cpu_allocatable,
        .mem_requested_bytes = c->mem_requested,
        .mem_allocatable_bytes = c->mem_allocatable,
        .sched_active = (int64_t)ks_scheduler_active_len(&w->sched),
        .sched_backoff = (int64_t)ks_scheduler_backoff_len(&w->sched),
        .sched_unschedulable = (int64_t)ks_scheduler_unschedulable_len(&w->sched),
        .api_inflight = w->api.inflight[0] + w->api.inflight[1],
        .api_waiting = w->api.waiting,
        .api_requests = (int64_t)w->api.requests,
        .etcd_writes = (int64_t)w->api.etcd_writes,
        .deployments = (int64_t)c->ndeployments,
        .pods_ready = c->pods_ready,
    };
    ks_nodelifecycle_sample(w, &r.nodes_not_ready, &r.nodes_noexecute, &r.pods_evicted);
    for (size_t i = 0; i < c->nrs; i++) r.replicasets += !c->rs[i].removed;
    ks_table_append(w->series, &r);
    ks_sim_after(sim, w->sample_interval, ev->type, 0, 0);
}

void ks_world_release_pod(ks_world *w, uint32_t pod)
{
    if (ks_cluster_release(&w->cluster, pod)) ks_sim_after(w->sim, ks_world_watch(w), w->ev.sched_move, 0, 0);
}

void ks_world_delete_pod(ks_world *w, uint32_t client, uint32_t pod)
{
    ks_api_call(&w->api, ks_sim_now(w->sim), client, KS_VERB_DELETE, w->ev.pod_deleting, pod, 0);
}

/* The pod object is gone from etcd: every component forgets it. */
static void on_pod_removed(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    if (p->deleted != KS_NEVER) return;
    p->deleted = ks_sim_now(sim);
    p->resource_version = ks_cluster_bump(c);
    ks_cluster_pod_ready(c, ev->target, false, p->deleted);
    c->pods_deleted++;
    if (p->phase == KS_PHASE_PENDING) c->pods_pending--;
    else if (p->phase == KS_PHASE_RUNNING) c->pods_running--;
    ks_world_release_pod(w, ev->target); /* the scheduler's cache drops it */
    ks_controllers_pod_changed(w, ev->target, false);
    ks_endpoints_pod_changed(w, ev->target);
}

/* The DELETE has committed. */
static void on_pod_deleting(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_pod *p = &w->cluster.pods[ev->target];
    if (p->deleted != KS_NEVER || p->terminating) return;
    p->deletion_requested = ks_sim_now(sim);
    ks_cluster_pod_ready(&w->cluster, ev->target, false, p->deletion_requested);
    if (p->deleted_by_owner) {
        const ks_replicaset *r = &w->cluster.rs[p->owner];
        ks_cluster_event(&w->cluster, ks_sim_now(sim), "ReplicaSet", r->namespace, r->name, "Normal", "SuccessfulDelete",
                         "replicaset-controller", "Deleted pod: %s", p->name);
    } else {
        ks_controllers_pod_inactive(w, ev->target);
    }
    if (p->node == KS_NONE) { /* never scheduled: no kubelet to wait for */
        on_pod_removed(sim, ctx, ev);
        return;
    }
    ks_cluster_set_terminating(&w->cluster, ev->target);
    p->resource_version = ks_cluster_bump(&w->cluster);
    ks_endpoints_pod_changed(w, ev->target);
    ks_kubelet_pod_deleting(w, ev->target);
}

void ks_world_add_nodes(ks_world *w, const char *pool_name, int64_t count)
{
    ks_cluster *c = &w->cluster;
    size_t k = 0;
    while (k < w->npools && strcmp(w->pools[k].name, pool_name)) k++;
    if (k == w->npools) return; /* the config loader checked the name */
    const ks_node_pool *pool = &w->pools[k];
    ks_time now = ks_sim_now(w->sim);
    gsl_rng *pleg = ks_rng_stream(w->rngs, "kubelet.pleg");
    char name[512];
    for (int64_t j = 0; j < count; j++) {
        int64_t index = w->pool_made[k]++;
        snprintf(name, sizeof name, "%s-%lld", pool->name, (long long)index);
        const char *zone = pool->nzones ? pool->zones[(size_t)index % pool->nzones] : pool->template.zone;
        ks_node_spec n = node_copy(&pool->template, name, pool->name, zone);
        uint32_t node = ks_cluster_add_node(c, &n, now);
        c->nodes.pleg_phase[node] = w->timings->pleg_relist_period
                                        ? (ks_time)ks_rng_below(pleg, (uint64_t)w->timings->pleg_relist_period)
                                        : 0;
        size_t added = node - w->initial_nodes;
        w->added_clients = w->added_clients ? ks_realloc(w->added_clients, (added + 1) * sizeof *w->added_clients)
                                            : ks_malloc(ks_mem_purpose("nodes"), sizeof *w->added_clients);
        w->added_clients[added] = ks_api_add_client(&w->api, &w->timings->kubelet, KS_COMP_KUBELET);
        w->node_down = ks_realloc(w->node_down, c->nodes.n + 1);
        w->node_down[node] = 0;
        w->runtime_down = ks_realloc(w->runtime_down, c->nodes.n + 1);
        w->runtime_down[node] = 0;
        ks_kubelet_start_node(w, node);
        ks_nodelifecycle_node_added(w, node);
        ks_kube_proxy_node_added(w, node);
    }
    ks_sim_after(w->sim, ks_world_watch(w), w->ev.sched_move, 0, 0); /* NodeAdd */
}

/* A Pod document's object (or a Workload's pod) is created at NOW (committed). */
static uint32_t create_pod(ks_world *w, const char *name, const ks_pod_spec *spec, ks_time now)
{
    ks_cluster *c = &w->cluster;
    uint32_t pod = ks_cluster_add_pod(c, name, spec, KS_NONE, now);
    uint32_t node = spec->node_name && *spec->node_name ? find_node(c, spec->node_name) : KS_NONE;
    if (node != KS_NONE) {
        ks_cluster_assign(c, pod, node);
        c->pods[pod].scheduled = c->pods[pod].bound = now;
        c->pods[pod].queue_state = KS_Q_DONE;
        ks_kubelet_watch_pod(w, pod);
    } else {
        ks_world_watch_new_pod(w, pod);
    }
    return pod;
}

static void create_pod_doc(ks_world *w, const ks_pod_doc *d, ks_time now) { create_pod(w, d->name, &d->spec, now); }

uint32_t ks_world_create_pod(ks_world *w, const char *name, const ks_pod_spec *spec)
{
    return create_pod(w, name, spec, ks_sim_now(w->sim));
}

/* A Scenario's create of a PodDisruptionBudget has committed: evictions and preemption see it. */
static void on_create_pdb(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.pdb_live[ev->target] = 1;
}

static void on_create_pod(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    create_pod_doc(w, &w->pod_docs[ev->target], ks_sim_now(sim));
}

/* The FGD workload's pod number ev->target arrives. */
static void on_fgd_pod(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    const ks_pod_doc *d = &w->fgd->pods[w->fgd_order[ev->target]];
    if (ev->target < w->nfgd_orig) {
        create_pod(w, d->name, &d->spec, ks_sim_now(sim));
        return;
    }
    char name[600]; /* artifact simulator.go tuneUpPods: "<name>-tuned-<i>" */
    snprintf(name, sizeof name, "%s-tuned-%zu", d->name, (size_t)ev->target - w->nfgd_orig);
    create_pod(w, name, &d->spec, ks_sim_now(sim));
}

static _Thread_local const ks_pod_doc *sort_docs; /* qsort's comparator context */

static int cmp_doc_name(const void *a, const void *b)
{
    return strcmp(sort_docs[*(const uint32_t *)a].name, sort_docs[*(const uint32_t *)b].name);
}

/* The FGD experiment's order for this run (fgd-experiment.md 2.2 steps 4-5; artifact
 * pkg/simulator/simulator.go TunePodsByNodeTotalResource): the pods sorted by name, shuffled;
 * then, below the target tune_ratio x GPU capacity, clones drawn uniformly (with replacement)
 * from the sorted pods until the next one would pass the target; above it, pods removed at
 * random until the total is at or below it. The artifact's tune-up test adds only a clone's
 * per-GPU milli, so a multi-GPU clone may overshoot; here the test adds its whole request, so
 * the total never passes the target. The pods then arrive one every INTERVAL from t = 0. */
static void fgd_schedule(ks_world *w, const ks_fgd_workload *f, uint32_t event)
{
    ks_mem_id mem = ks_mem_purpose("pods");
    gsl_rng *rng = ks_rng_stream(w->rngs, "trace.fgd");
    size_t n = f->npods;
    uint32_t *sorted = ks_malloc(mem, (n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++) sorted[i] = (uint32_t)i;
    sort_docs = f->pods;
    qsort(sorted, n, sizeof *sorted, cmp_doc_name);
    size_t cap = n + 16, len = n;
    uint32_t *order = ks_malloc(mem, cap * sizeof *order);
    memcpy(order, sorted, n * sizeof *order);
    gsl_ran_shuffle(rng, order, n, sizeof *order);
    const ks_cluster *c = &w->cluster;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        ks_gpu_pod gp = ks_gpu_pod_of(c, &f->pods[i].spec);
        total += (int64_t)gp.gpu_count * gp.gpu_milli;
    }
    double target = f->tune_ratio * (double)c->gpu.capacity_milli;
    size_t norig = n;
    if (total == 0 || c->gpu.capacity_milli == 0) {
        /* No GPU request or no GPU to tune against (the artifact panics on either: simulator.go
         * TunePodsByNodeTotalResource): the pods as they are, shuffled. */
    } else if ((double)total < target) {
        for (;;) {
            uint32_t pick = sorted[gsl_rng_uniform_int(rng, n)];
            ks_gpu_pod gp = ks_gpu_pod_of(c, &f->pods[pick].spec);
            int64_t milli = (int64_t)gp.gpu_count * gp.gpu_milli;
            if ((double)(total + milli) > target) break;
            total += milli;
            ks_grow(mem, (void **)&order, &cap, len + 1, sizeof *order);
            order[len++] = pick;
        }
    } else {
        while ((double)total > target && len) { /* simulator.go tuneDownPods */
            size_t at = gsl_rng_uniform_int(rng, len);
            ks_gpu_pod gp = ks_gpu_pod_of(c, &f->pods[order[at]].spec);
            total -= (int64_t)gp.gpu_count * gp.gpu_milli;
            memmove(order + at, order + at + 1, (len - at - 1) * sizeof *order);
            len--;
        }
        norig = len;
    }
    ks_free(sorted);
    w->fgd = f;
    w->fgd_order = order;
    w->nfgd = len;
    w->nfgd_orig = norig;
    for (size_t k = 0; k < len; k++) ks_sim_at(w->sim, (ks_time)k * f->interval, event, (uint32_t)k, 0);
}

/* The pod shape a Workload template makes, and how many pods of it per 1000 arrivals of its
 * Workload (its share of the weights; x replicas for a Deployment, x parallelism for a Job). */
static const ks_pod_spec *template_shape(const ks_workload_spec *wl, size_t t, size_t *per_1000)
{
    const ks_workload_template *tp = &wl->templates[t];
    double total = 0;
    for (size_t j = 0; j < wl->ntemplates; j++) total += wl->templates[j].weight;
    double share = total > 0 ? tp->weight / total : 0, pods = 1;
    const ks_pod_spec *ps = &tp->pod;
    if (tp->object == KS_WORKLOAD_DEPLOYMENT) {
        ps = &tp->deployment.template;
        pods = tp->deployment.replicas;
    } else if (tp->object == KS_WORKLOAD_JOB) {
        ps = &tp->job.template;
        pods = tp->job.parallelism;
    }
    double n = share * pods * 1000.0;
    *per_1000 = n < 1 ? 1 : (size_t)(n + 0.5);
    return ps;
}

/* FGD's typical pods (ks_gpu_set_typical) from the workload before any tuning: the FGD trace's
 * pods; else the Pod documents, each Deployment's template x its replicas, and each Workload's
 * templates by their share of 1000 arrivals (a rate-free stand-in for its mix). */
static void set_typical_pods(ks_world *w, const ks_world_params *p)
{
    ks_cluster *c = &w->cluster;
    if (c->gpu.capacity_milli <= 0) return;
    size_t n = p->fgd ? p->fgd->npods : p->npods, per = 0;
    for (size_t i = 0; !p->fgd && i < p->ndeployments; i++) n += (size_t)p->deployments[i].replicas;
    for (size_t i = 0; !p->fgd && i < p->nworkloads; i++)
        for (size_t t = 0; t < p->workloads[i].ntemplates; t++) {
            template_shape(&p->workloads[i], t, &per);
            n += per;
        }
    ks_gpu_pod *pods = ks_malloc(ks_mem_purpose("pods"), (n ? n : 1) * sizeof *pods);
    size_t k = 0;
    if (p->fgd) {
        for (size_t i = 0; i < p->fgd->npods; i++) pods[k++] = ks_gpu_pod_of(c, &p->fgd->pods[i].spec);
    } else {
        for (size_t i = 0; i < p->npods; i++) pods[k++] = ks_gpu_pod_of(c, &p->pods[i].spec);
        for (size_t i = 0; i < p->ndeployments; i++) {
            ks_gpu_pod gp = ks_gpu_pod_of(c, &p->deployments[i].template);
            for (int32_t r = 0; r < p->deployments[i].replicas; r++) pods[k++] = gp;
        }
        for (size_t i = 0; i < p->nworkloads; i++)
            for (size_t t = 0; t < p->workloads[i].ntemplates; t++) {
                ks_gpu_pod gp = ks_gpu_pod_of(c, template_shape(&p->workloads[i], t, &per));
                for (size_t r = 0; r < per; r++) pods[k++] = gp;
            }
    }
    ks_gpu_set_typical(c, pods, k);
    ks_free(pods);
}

/* A Scenario action's time has come; the user's write commits now. */
static void on_scenario_action(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    const ks_scenario_action *a = &w->actions[ev->target];
    ks_cluster *c = &w->cluster;
    if (a->kind == KS_ACTION_ADD_NODES) {
        ks_world_add_nodes(w, a->nodes.pool, a->nodes.count);
        return;
    }
    if (a->kind == KS_ACTION_DELETE && a->object_kind == 5) { /* kubectl delete pdb NAME */
        for (size_t i = 0; i < c->npdbs; i++)
            if (!strcmp(c->pdbs[i].name, a->deployment) && !strcmp(c->pdbs[i].namespace, a->namespace)) c->pdb_live[i] = 0;
        return;
    }
    if (a->kind == KS_ACTION_DELETE && a->object_kind == 4) { /* kubectl delete service NAME */
        ks_eps_delete_service(w->eps, a->deployment, a->namespace);
        return;
    }
    if (a->kind == KS_ACTION_DELETE && a->object_kind == 3) { /* kubectl delete job NAME */
        ks_jobs_delete(w, a->deployment, a->namespace, KS_CLIENT_USER);
        return;
    }
    if (a->kind == KS_ACTION_DELETE && a->object_kind == 2) { /* kubectl delete deployment NAME */
        for (size_t i = 0; i < c->ndeployments; i++)
            if (!strcmp(c->deployments[i].spec->name, a->deployment) &&
                !strcmp(c->deployments[i].spec->namespace, a->namespace))
                ks_controllers_delete_deployment(w, (uint32_t)i);
        return;
    }
    if (a->kind == KS_ACTION_DELETE && a->object_kind == 1) { /* kubectl delete node NAME */
        ks_nodelifecycle_delete_node(w, a->deployment);
        return;
    }
    if (a->kind == KS_ACTION_DELETE) { /* kubectl delete pod NAME -n NAMESPACE: O(1) by name */
        uint32_t pod = ks_cluster_find_pod(c, a->namespace, a->deployment);
        if (pod != KS_NONE) ks_world_delete_pod(w, KS_CLIENT_USER, pod);
        return;
    }
    if (a->kind != KS_ACTION_SCALE && a->kind != KS_ACTION_UPDATE) { /* the node actions */
        ks_nodelifecycle_action(w, a);
        return;
    }
    for (size_t i = 0; i < c->ndeployments; i++) {
        const ks_deployment_spec *d = c->deployments[i].spec;
        if (strcmp(d->name, a->deployment) || strcmp(d->namespace, a->namespace)) continue;
        if (a->kind == KS_ACTION_SCALE) {
            ks_controllers_scale(w, (uint32_t)i, a->replicas);
            continue;
        }
        /* update: a copy of the current template with the container's new image, and its hash —
         * FNV-1a of the previous hash and the change, in the pod-template-hash alphabet. */
        ks_mem_id mem = ks_mem_purpose("controllers");
        ks_pod_spec *t = ks_malloc(mem, sizeof *t);
        ks_pod_spec_copy(t, c->deployments[i].tmpl);
        size_t k = 0;
        while (a->container && k < t->ncontainers && strcmp(t->containers[k].name, a->container)) k++;
        if (k == t->ncontainers) k = 0;
        ks_free(t->containers[k].image);
        t->containers[k].image = ks_strdup(ks_mem_purpose("config"), a->image);
        uint32_t h = 2166136261u;
        for (const char *s = c->deployments[i].tmpl_hash; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
        for (const char *s = a->image; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        char digits[16], *hash = ks_malloc(mem, 11);
        snprintf(digits, sizeof digits, "%010u", h);
        for (int j = 0; j < 10; j++) hash[j] = alphabet[(unsigned char)digits[j] % (sizeof alphabet - 1)];
        hash[10] = 0;
        ks_grow(mem, (void **)&w->templates, &w->templates_cap, w->ntemplates + 1, sizeof *w->templates);
        ks_grow(mem, (void **)&w->template_hashes, &w->hashes_cap, w->ntemplates + 1, sizeof *w->template_hashes);
        w->templates[w->ntemplates] = t;
        w->template_hashes[w->ntemplates++] = hash;
        ks_controllers_update_template(w, (uint32_t)i, t, hash);
    }
}

ks_world *ks_world_create(ks_sim *sim, ks_rngs *rngs, const ks_world_params *p)
{
    ks_world *w = ks_calloc(ks_mem_purpose("engine"), 1, sizeof *w);
    w->sim = sim;
    w->rngs = rngs;
    w->rng_api = ks_rng_stream(rngs, "apiserver");
    w->rng_kubelet = ks_rng_stream(rngs, "kubelet");
    w->rng_names = ks_rng_stream(rngs, "names");
    w->rng_sched = ks_rng_stream(rngs, "scheduler");
    w->timings = p->timings;
    w->sample_interval = p->sample_interval;
    w->sched.cfg = p->sched;
    ks_cluster *c = &w->cluster;
    ks_cluster_init(c);
    c->pdbs = p->pdbs; /* after init, which clears the cluster */
    c->npdbs = p->npdbs;
    c->pdb_live = ks_calloc(ks_mem_purpose("controllers"), p->npdbs + 1, 1);
    for (size_t i = 0; i < p->npdbs; i++) c->pdb_live[i] = p->pdbs[i].at == 0;

    /* Nodes: pools first, in order, "<pool>-<index>" with zones round-robin; then Node documents. */
    char name[512];
    for (size_t i = 0; i < p->npools; i++) {
        const ks_node_pool *pool = &p->pools[i];
        for (int64_t k = 0; k < pool->count; k++) {
            snprintf(name, sizeof name, "%s-%lld", pool->name, (long long)k);
            const char *zone = pool->nzones ? pool->zones[(size_t)k % pool->nzones] : pool->template.zone;
            ks_node_spec n = node_copy(&pool->template, name, pool->name, zone);
            ks_cluster_add_node(c, &n, 0);
        }
    }
    for (size_t i = 0; i < p->nnodes; i++) {
        ks_node_spec n = node_copy(&p->nodes[i], p->nodes[i].name, "", p->nodes[i].zone);
        ks_cluster_add_node(c, &n, 0);
    }

    ks_apiserver_init(&w->api, sim, w->rng_api, p->timings, c->nodes.n);
    w->initial_nodes = c->nodes.n;
    w->pools = p->pools;
    w->npools = p->npools;
    w->pool_made = ks_calloc(ks_mem_purpose("nodes"), p->npools + 1, sizeof *w->pool_made);
    for (size_t i = 0; i < p->npools; i++) w->pool_made[i] = p->pools[i].count;
    /* Kubelets did not all start at the same instant: each node's PLEG relists at its own phase. */
    gsl_rng *pleg = ks_rng_stream(rngs, "kubelet.pleg");
    for (size_t i = 0; i < c->nodes.n; i++)
        c->nodes.pleg_phase[i] = p->timings->pleg_relist_period
                                     ? (ks_time)ks_rng_below(pleg, (uint64_t)p->timings->pleg_relist_period)
                                     : 0;
    ks_scheduler_init(w);
    ks_controllers_register(w);
    ks_kubelet_register(w);
    w->ev.pod_deleting = ks_sim_register(sim, "apiserver.pod_deleting", on_pod_deleting, w);
    w->ev.pod_removed = ks_sim_register(sim, "apiserver.pod_removed", on_pod_removed, w);
    w->ev.scenario_action = ks_sim_register(sim, "scenario.action", on_scenario_action, w);
    w->actions = p->actions;
    for (size_t i = 0; i < p->nactions; i++) ks_sim_at(sim, p->actions[i].at, w->ev.scenario_action, (uint32_t)i, 0);

    if (p->trace) {
        c->events = ks_trace_table(p->trace, "/events", event_columns, sizeof event_columns / sizeof *event_columns,
                                   sizeof(ks_event_row), 4096);
        w->series = ks_trace_table(p->trace, "/cluster_series", series_columns,
                                   sizeof series_columns / sizeof *series_columns, sizeof(series_row), 1024);
        uint32_t sample = ks_sim_register(sim, "sample", on_sample, w);
        w->ev.sample = sample;
        ks_sim_at(sim, 0, sample, 0, 0);
    }

    set_typical_pods(w, p);
    ks_gpu_series_start(w, p->trace);
    if (p->fgd) fgd_schedule(w, p->fgd, ks_sim_register(sim, "trace.fgd_pod", on_fgd_pod, w));

    /* Pod documents exist at t = 0; a Scenario's create makes one later. With spec.nodeName they
     * are bound from the start and go to the kubelet; otherwise the scheduler's informer
     * delivers them. */
    w->pod_docs = p->pods;
    w->ev.pod_doc = ks_sim_register(sim, "scenario.create_pod", on_create_pod, w);
    uint32_t pdb_created = ks_sim_register(sim, "scenario.create_pdb", on_create_pdb, w);
    for (size_t i = 0; i < c->npdbs; i++)
        if (c->pdbs[i].at > 0) ks_sim_at(sim, c->pdbs[i].at, pdb_created, (uint32_t)i, 0);
    for (size_t i = 0; i < p->npods; i++) {
        const ks_pod_doc *d = &p->pods[i];
        if (d->spec.node_name && *d->spec.node_name && find_node(c, d->spec.node_name) == KS_NONE) {
            fprintf(stderr, "kubesim: error: Pod \"%s\": spec.nodeName: node \"%s\" does not exist\n", d->name,
                    d->spec.node_name);
            ks_world_destroy(w);
            return NULL;
        }
        if (d->at > 0) ks_sim_at(sim, d->at, w->ev.pod_doc, (uint32_t)i, 0);
        else create_pod_doc(w, d, 0);
    }

    c->ndeployments = p->ndeployments;
    c->deployments = ks_calloc(ks_mem_purpose("controllers"), p->ndeployments ? p->ndeployments : 1,
                               sizeof *c->deployments);
    for (size_t i = 0; i < p->ndeployments; i++)
        c->deployments[i] = (ks_deployment){.spec = &p->deployments[i],
                                            .replicas = p->deployments[i].replicas,
                                            .tmpl = &p->deployments[i].template,
                                            .tmpl_hash = p->deployments[i].template_hash,
                                            .next_sync = KS_NEVER,
                                            .last_request = KS_NEVER,
                                            .rollout_started = KS_NEVER,
                                            .rollout_completed = KS_NEVER,
                                            .progress_at = KS_NEVER,
                                            .deadline_exceeded = KS_NEVER,
                                            .rs = KS_NONE,
                                            .back_at = KS_NEVER,
                                            .resource_version = ks_cluster_bump(c)};
    ks_controllers_start(w);
    w->jobs = ks_jobs_create(w, p->jobs, p->njobs);
    ks_kubelet_start(w);
    w->node_down = ks_calloc(ks_mem_purpose("nodes"), c->nodes.n + 1, 1);
    w->runtime_down = ks_calloc(ks_mem_purpose("nodes"), c->nodes.n + 1, 1);
    w->failure_procs = p->failure_procs;
    w->nfailure_procs = p->nfailure_procs;
    ks_nodelifecycle_start(w);
    w->eps = ks_eps_create(w, p->services, p->nservices);
    w->proxy = ks_proxy_create(w, p->trace, p->sample_interval);
    /* Workloads last: their first arrivals may create objects for every controller above. */
    w->workloads = ks_workloads_create(w, p->workloads, p->nworkloads);
    if (!w->workloads) {
        ks_world_destroy(w);
        return NULL;
    }
    return w;
}

void ks_world_destroy(ks_world *w)
{
    if (!w) return;
    ks_nodelifecycle_free(w);
    ks_free(w->node_down);
    ks_free(w->runtime_down);
    ks_free(w->added_clients);
    ks_free(w->pool_made);
    ks_free(w->cluster.pdb_live);
    ks_jobs_destroy(w->jobs);
    ks_proxy_destroy(w->proxy);
    ks_eps_destroy(w->eps);
    ks_scheduler_free(&w->sched);
    ks_apiserver_free(&w->api);
    ks_free(w->ctrs);
    for (size_t i = 0; i < w->ntemplates; i++) {
        ks_pod_spec_free(w->templates[i]);
        ks_free(w->templates[i]);
        ks_free(w->template_hashes[i]);
    }
    ks_free(w->templates);
    ks_free(w->template_hashes);
    ks_free(w->fgd_order);
    ks_gpu_series_free(&w->gpu_series);
    ks_cluster_free(&w->cluster);
    ks_workloads_destroy(w->workloads); /* after the cluster: its rows point into these specs */
    ks_free(w);
}

typedef struct pod_row {
    const char *name, *namespace, *owner, *node, *phase;
    int32_t priority;
    int64_t cpu_milli, mem_bytes;
    double created, scheduled, bound, kubelet_seen, pull_started, pulled, started, running, ready, finished,
        deletion_requested, deleted;
    uint32_t attempts, restarts;
} pod_row;

#define POD_COL(name, type) KS_COLUMN(pod_row, name, type)
static const ks_column pod_columns[] = {
    POD_COL(name, KS_COL_STR),      KS_FSTR_COLUMN(pod_row, namespace, 64),
    POD_COL(owner, KS_COL_STR),
    POD_COL(node, KS_COL_STR),      POD_COL(priority, KS_COL_I32),  POD_COL(cpu_milli, KS_COL_I64),
    POD_COL(mem_bytes, KS_COL_I64), POD_COL(created, KS_COL_F64),   POD_COL(scheduled, KS_COL_F64),
    POD_COL(bound, KS_COL_F64),     POD_COL(kubelet_seen, KS_COL_F64), POD_COL(pull_started, KS_COL_F64),
    POD_COL(pulled, KS_COL_F64),    POD_COL(started, KS_COL_F64),   POD_COL(running, KS_COL_F64),
    POD_COL(ready, KS_COL_F64),
    POD_COL(finished, KS_COL_F64),  POD_COL(deletion_requested, KS_COL_F64), POD_COL(deleted, KS_COL_F64),   POD_COL(attempts, KS_COL_U32),
    POD_COL(restarts, KS_COL_U32),  KS_FSTR_COLUMN(pod_row, phase, 16),
};

typedef struct node_row {
    const char *name, *pool, *zone;
    int64_t cpu_milli, mem_bytes, pods, cpu_requested_milli, mem_requested_bytes, pods_assigned;
    double created;
    int64_t gpus, gpu_used_milli; /* the GPU table's (0 for a node it does not track) */
    double gpu_frag_milli;        /* FGD's F_n over the typical pods */
} node_row;

#define NODE_COL(name, type) KS_COLUMN(node_row, name, type)
static const ks_column node_columns[] = {
    NODE_COL(name, KS_COL_STR),          NODE_COL(pool, KS_COL_STR),
    KS_FSTR_COLUMN(node_row, zone, 64),          NODE_COL(cpu_milli, KS_COL_I64),
    NODE_COL(mem_bytes, KS_COL_I64),     NODE_COL(pods, KS_COL_I64),
    NODE_COL(cpu_requested_milli, KS_COL_I64), NODE_COL(mem_requested_bytes, KS_COL_I64),
    NODE_COL(pods_assigned, KS_COL_I64), NODE_COL(created, KS_COL_F64),
    NODE_COL(gpus, KS_COL_I64),          NODE_COL(gpu_used_milli, KS_COL_I64),
    NODE_COL(gpu_frag_milli, KS_COL_F64),
};


typedef struct deployment_row {
    const char *name, *namespace, *strategy, *replicaset;
    int32_t replicas, replicasets;
    double rollout_started, rollout_completed, progress_deadline_exceeded;
    int32_t ready, min_ready;
    double back_at;
} deployment_row;

static const ks_column deployment_columns[] = {
    KS_COLUMN(deployment_row, name, KS_COL_STR),
    KS_FSTR_COLUMN(deployment_row, namespace, 64),
    KS_FSTR_COLUMN(deployment_row, strategy, 16),
    KS_COLUMN(deployment_row, replicas, KS_COL_I32),
    KS_COLUMN(deployment_row, replicaset, KS_COL_STR),
    KS_COLUMN(deployment_row, replicasets, KS_COL_I32),
    KS_COLUMN(deployment_row, rollout_started, KS_COL_F64),
    KS_COLUMN(deployment_row, rollout_completed, KS_COL_F64),
    KS_COLUMN(deployment_row, progress_deadline_exceeded, KS_COL_F64),
    KS_COLUMN(deployment_row, ready, KS_COL_I32),
    KS_COLUMN(deployment_row, min_ready, KS_COL_I32),
    KS_COLUMN(deployment_row, back_at, KS_COL_F64),
};

/* /deployments: one row per Deployment at the end of the run. */
static void write_deployments(const ks_world *w, ks_trace *t)
{
    const ks_cluster *c = &w->cluster;
    ks_table *tab = ks_trace_table(t, "/deployments", deployment_columns,
                                   sizeof deployment_columns / sizeof *deployment_columns, sizeof(deployment_row), 256);
    for (size_t i = 0; i < c->ndeployments; i++) {
        const ks_deployment *d = &c->deployments[i];
        int32_t alive = 0;
        for (size_t k = 0; k < c->nrs; k++) alive += c->rs[k].deployment == i && !c->rs[k].removed;
        deployment_row r = {
            .name = d->spec->name,
            .namespace = d->spec->namespace,
            .strategy = d->spec->strategy == KS_STRATEGY_RECREATE ? "Recreate" : "RollingUpdate",
            .replicaset = d->rs != KS_NONE ? c->rs[d->rs].name : "",
            .replicas = d->replicas,
            .replicasets = alive,
            .rollout_started = ks_when(d->rollout_started),
            .rollout_completed = ks_when(d->rollout_completed),
            .progress_deadline_exceeded = ks_when(d->deadline_exceeded),
            .ready = d->ready_now,
            .min_ready = c->incident_start == KS_NEVER ? -1 : d->min_ready,
            .back_at = ks_when(d->back_at),
        };
        ks_table_append(tab, &r);
    }
}

void ks_world_write_tables(ks_world *w, ks_trace *t)
{
    write_deployments(w, t);
    ks_gpu_series_write(w, t);
    ks_jobs_write_table(w->jobs, t);
    ks_workloads_write_table(w->workloads, t);
    ks_eps_write_tables(w->eps, t);
    ks_proxy_write_tables(w->proxy, t);
    const ks_cluster *c = &w->cluster;
    ks_table *pods = ks_trace_table(t, "/pods", pod_columns, sizeof pod_columns / sizeof *pod_columns,
                                    sizeof(pod_row), 4096);
    char owner[600];
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        const ks_job *job = ks_jobs_pod_owner(w->jobs, (uint32_t)i, NULL);
        if (p->owner != KS_NONE) snprintf(owner, sizeof owner, "ReplicaSet/%s", c->rs[p->owner].name);
        else if (job) snprintf(owner, sizeof owner, "Job/%s", job->spec->name);
        else owner[0] = 0;
        pod_row r = {
            .name = p->name,
            .namespace = p->spec->namespace,
            .owner = owner,
            .node = p->node != KS_NONE ? c->nodes.spec[p->node].name : "",
            .phase = ks_pod_phase_name(p->phase),
            .priority = p->spec->priority,
            .cpu_milli = p->spec->req_cpu_milli,
            .mem_bytes = p->spec->req_mem_bytes,
            .created = ks_when(p->created),
            .scheduled = ks_when(p->scheduled),
            .bound = ks_when(p->bound),
            .kubelet_seen = ks_when(p->kubelet_seen),
            .pull_started = ks_when(p->pull_started),
            .pulled = ks_when(p->pulled),
            .started = ks_when(p->started),
            .running = ks_when(p->running),
            .ready = ks_when(p->ready),
            .finished = ks_when(p->finished),
            .deletion_requested = ks_when(p->deletion_requested),
            .deleted = ks_when(p->deleted),
            .attempts = p->attempts,
            .restarts = p->restarts,
        };
        ks_table_append(pods, &r);
    }
    ks_table *nodes = ks_trace_table(t, "/nodes", node_columns, sizeof node_columns / sizeof *node_columns,
                                     sizeof(node_row), 1024);
    for (size_t i = 0; i < c->nodes.n; i++) {
        const ks_node_spec *s = &c->nodes.spec[i];
        const ks_gpu_node *g = &c->gpu.node[i];
        node_row r = {s->name, s->pool, s->zone, c->nodes.alloc_cpu[i], c->nodes.alloc_mem[i], c->nodes.alloc_pods[i],
                      c->nodes.req_cpu[i], c->nodes.req_mem[i], c->nodes.npods[i], 0.0, g->gpu_count,
                      (int64_t)g->gpu_count * KS_GPU_MILLI - ks_gpu_node_idle_milli(g), c->gpu.frag[i]};
        ks_table_append(nodes, &r);
    }
    ks_nodelifecycle_write_table(w, t);
}
