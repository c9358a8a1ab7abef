/* kubelet.c — the node agent and its container runtime, one per node.
 *
 * A pod bound to the node reaches the kubelet through its watch. For each container in order
 * (the runtime's SyncPod, pkg/kubelet/kuberuntime/kuberuntime_manager.go): ensure the image
 * (pkg/kubelet/images/image_manager.go: IfNotPresent uses the node's image cache, Always pulls,
 * Never fails if absent; pulls are serialized per node as with the default serializeImagePulls
 * = true), create the container, start it. When every container has started, the status manager
 * writes the pod's status (Running, Ready — probes come with the control-plane issue) through the
 * API server.
 *
 * Events and their messages as the kubelet records them (pkg/kubelet/events/event.go reasons):
 *   Pulling  "Pulling image \"<image>\""
 *   Pulled   "Successfully pulled image \"<image>\" in <d> (<d> including waiting). Image size: <n> bytes."
 *            or "Container image \"<image>\" already present on machine"
 *   Created  "Created container <name>"
 *   Started  "Started container <name>"
 *   ErrImageNeverPull "Container image \"<image>\" is not present with pull policy of Never"
 */
#include <stdio.h>
#include <string.h>

#include "world.h"

static void start_next_container(ks_world *w, uint32_t pod);
static void start_pull(ks_world *w, uint32_t pod);

static const ks_container *current(const ks_world *w, uint32_t pod)
{
    const ks_pod *p = &w->cluster.pods[pod];
    return &p->spec->containers[p->next_container];
}

static int64_t image_bytes(const ks_world *w, const ks_container *ct)
{
    return ct->image_bytes > 0 ? ct->image_bytes : w->timings->default_image_bytes;
}

void ks_kubelet_watch_pod(ks_world *w, uint32_t pod)
{
    ks_sim_after(w->sim, ks_world_watch(w), w->ev.kubelet_pod, pod, 0);
}

static void on_pod(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.pods[ev->target].kubelet_seen = ks_sim_now(sim);
    w->cluster.pods[ev->target].next_container = 0;
    start_next_container(w, ev->target);
}

/* Records an event on POD from the kubelet, at the current time. */
#define POD_EVENT(w, pod, type, reason, ...)                                                            \
    ks_cluster_event(&(w)->cluster, ks_sim_now((w)->sim), "Pod", (w)->cluster.pods[pod].spec->namespace, \
                     (w)->cluster.pods[pod].name, type, reason, "kubelet", __VA_ARGS__)

/* The first relist of NODE's PLEG strictly after T (T itself when relisting is off). */
static ks_time next_relist(const ks_world *w, uint32_t node, ks_time t)
{
    ks_time period = w->timings->pleg_relist_period;
    if (period <= 0) return t;
    ks_time phase = w->cluster.nodes.pleg_phase[node];
    ks_time k = t < phase ? 0 : (t - phase) / period + 1;
    return phase + k * period;
}

static void start_next_container(ks_world *w, uint32_t pod)
{
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[pod];
    if (p->next_container == p->spec->ncontainers) {
        p->started = ks_sim_now(w->sim);
        /* The kubelet learns that the containers run at its PLEG's next relist, then the status
         * manager PATCHes pods/<name>/status through the node's own client. */
        ks_api_call(&w->api, next_relist(w, p->node, p->started), KS_CLIENT_KUBELET0 + p->node, KS_VERB_PATCH,
                    w->ev.kubelet_status, pod, 0);
        return;
    }
    const ks_container *ct = current(w, pod);
    char ref[512];
    uint32_t image = ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref));
    bool present = ks_node_has_image(c, p->node, image);
    if (ct->pull == KS_PULL_NEVER && !present) {
        /* The pod waits in ErrImageNeverPull for ever, as upstream's does. */
        POD_EVENT(w, pod, "Warning", "ErrImageNeverPull",
                  "Container image \"%s\" is not present with pull policy of Never", ct->image);
        return;
    }
    if (present && ct->pull != KS_PULL_ALWAYS) {
        POD_EVENT(w, pod, "Normal", "Pulled", "Container image \"%s\" already present on machine", ct->image);
        ks_sim_after(w->sim, ks_dist_sample_ns(&w->timings->container_create, w->rng_kubelet), w->ev.kubelet_created,
                     pod, 0);
        return;
    }
    /* Serialized pulls: the request waits behind the node's earlier pulls, FIFO. "Pulling" is
     * recorded when the request is made, before the wait, and "including waiting" counts from
     * here (pkg/kubelet/images/image_manager.go EnsureImageExists). */
    POD_EVENT(w, pod, "Normal", "Pulling", "Pulling image \"%s\"", ct->image);
    p->pull_requested = ks_sim_now(w->sim);
    if (p->pull_started == KS_NEVER) p->pull_started = p->pull_requested;
    p->pull_next = KS_NONE;
    ks_nodes *n = &c->nodes;
    if (n->pull_tail[p->node] == KS_NONE) {
        n->pull_tail[p->node] = pod;
        start_pull(w, pod);
    } else {
        c->pods[n->pull_tail[p->node]].pull_next = pod;
        n->pull_tail[p->node] = pod;
    }
}

/* The puller takes the request at the head of the node's queue. Presence is checked again now:
 * an image that an earlier pull brought in costs only the registry round trips (the runtime
 * finds every layer present), which is what makes the second pod's "Pulled" quick in a real
 * cluster. */
static void start_pull(ks_world *w, uint32_t pod)
{
    ks_cluster *c = &w->cluster;
    const ks_pod *p = &c->pods[pod];
    const ks_container *ct = current(w, pod);
    const ks_timings *t = w->timings;
    char ref[512];
    bool present = ks_node_has_image(c, p->node, ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref)));
    ks_time transfer = 0;
    if (!present) {
        double bandwidth = ks_dist_sample(&t->image_pull_bandwidth, w->rng_kubelet);
        transfer = bandwidth > 0 ? ks_time_from_sec((double)image_bytes(w, ct) / bandwidth) : 0;
    }
    ks_time duration = ks_dist_sample_ns(&t->image_pull_latency, w->rng_kubelet) + transfer;
    ks_sim_after(w->sim, duration, w->ev.kubelet_pulled, pod, (uint64_t)duration);
}

static void on_pulled(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    const ks_container *ct = current(w, ev->target);
    char ref[512], took[32], waited[32];
    uint32_t image = ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref));
    if (!ks_node_has_image(c, p->node, image)) {
        ks_node_add_image(c, p->node, image);
        c->nodes.status_dirty[p->node] = 1; /* status.images changed */
    }
    p->pulled = ks_sim_now(sim);
    p->pull_total += p->pulled - p->pull_requested;
    /* Durations truncated to milliseconds and printed like Go's time.Duration. */
    ks_duration_format((int64_t)ev->arg / 1000000 * 1000000, took, sizeof took);
    ks_duration_format((p->pulled - p->pull_requested) / 1000000 * 1000000, waited, sizeof waited);
    POD_EVENT(w, ev->target, "Normal", "Pulled",
              "Successfully pulled image \"%s\" in %s (%s including waiting). Image size: %lld bytes.", ct->image,
              took, waited, (long long)image_bytes(w, ct));
    /* The puller moves on to the next request of this node. */
    ks_nodes *n = &c->nodes;
    if (p->pull_next == KS_NONE) n->pull_tail[p->node] = KS_NONE;
    else start_pull(w, p->pull_next);
    ks_sim_after(sim, ks_dist_sample_ns(&w->timings->container_create, w->rng_kubelet), w->ev.kubelet_created,
                 ev->target, 0);
}

static void on_created(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    POD_EVENT(w, ev->target, "Normal", "Created", "Created container %s", current(w, ev->target)->name);
    ks_sim_after(sim, ks_dist_sample_ns(&w->timings->container_start, w->rng_kubelet), w->ev.kubelet_started,
                 ev->target, 0);
}

static void on_started(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    POD_EVENT(w, ev->target, "Normal", "Started", "Started container %s", current(w, ev->target)->name);
    w->cluster.pods[ev->target].next_container++;
    start_next_container(w, ev->target);
}

/* The status manager's write has committed: the API shows the pod Running and Ready. */
static void on_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    p->running = p->ready = ks_sim_now(sim);
    p->phase = KS_PHASE_RUNNING;
    p->resource_version = ks_cluster_bump(c);
    c->pods_pending--;
    c->pods_running++;
}

/* The node's heartbeats, every nodeStatusUpdateFrequency (10 s; the Lease's renew interval is a
 * quarter of its 40 s duration, also 10 s): renew the Lease (an UPDATE of
 * kube-node-lease/<node>), and post node status if it changed or nodeStatusReportFrequency
 * (5 min) has passed (pkg/kubelet/kubelet_node_status.go). One event does both; each node ticks at
 * its own phase, as kubelets start at different times. */
static void on_node_tick(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    uint32_t node = ev->target;
    ks_time now = ks_sim_now(sim);
    ks_nodes *n = &w->cluster.nodes;
    ks_api_call(&w->api, now, KS_CLIENT_KUBELET0 + node, KS_VERB_UPDATE, w->ev.kubelet_lease_renewed, node, 0);
    if (n->status_dirty[node] || now - n->status_posted[node] >= w->timings->node_status_report_frequency) {
        n->status_dirty[node] = 0;
        n->status_posted[node] = now;
        ks_api_call(&w->api, now, KS_CLIENT_KUBELET0 + node, KS_VERB_PATCH, w->ev.kubelet_node_status, node, 0);
    }
    ks_sim_after(sim, (ks_time)ev->arg, ev->type, node, ev->arg);
}

static void on_lease_renewed(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    w->cluster.nodes.lease_renewed[ev->target] = ks_sim_now(sim);
    ks_cluster_bump(&w->cluster);
}

static void on_node_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.nodes.resource_version[ev->target] = ks_cluster_bump(&w->cluster);
}

void ks_kubelet_start(ks_world *w)
{
    const ks_timings *t = w->timings;
    /* The heartbeat period: the faster of the lease renewal and the status computation. */
    ks_time lease = KS_SEC(t->node_lease_duration_s) / 4, status = t->node_status_update_frequency;
    ks_time period = lease < status ? lease : status;
    if (period <= 0) return;
    gsl_rng *g = ks_rng_stream(w->rngs, "kubelet.heartbeat");
    for (size_t i = 0; i < w->cluster.nodes.n; i++)
        ks_sim_at(w->sim, (ks_time)ks_rng_below(g, (uint64_t)period), w->ev.kubelet_node_tick, (uint32_t)i,
                  (uint64_t)period);
}

void ks_kubelet_register(ks_world *w)
{
    w->ev.kubelet_node_tick = ks_sim_register(w->sim, "kubelet.heartbeat", on_node_tick, w);
    w->ev.kubelet_lease_renewed = ks_sim_register(w->sim, "kubelet.lease_renewed", on_lease_renewed, w);
    w->ev.kubelet_node_status = ks_sim_register(w->sim, "kubelet.node_status", on_node_status, w);
    w->ev.kubelet_pod = ks_sim_register(w->sim, "kubelet.pod_added", on_pod, w);
    w->ev.kubelet_pulled = ks_sim_register(w->sim, "kubelet.pulled", on_pulled, w);
    w->ev.kubelet_created = ks_sim_register(w->sim, "runtime.created", on_created, w);
    w->ev.kubelet_started = ks_sim_register(w->sim, "runtime.started", on_started, w);
    w->ev.kubelet_status = ks_sim_register(w->sim, "kubelet.status", on_status, w);
}
