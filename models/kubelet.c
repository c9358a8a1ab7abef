/* kubelet.c — the node agent and its container runtime, one per node.
 *
 * A pod bound to the node reaches the kubelet through its watch. For each app container in order
 * (the runtime's SyncPod, pkg/kubelet/kuberuntime/kuberuntime_manager.go): ensure the image
 * (pkg/kubelet/images/image_manager.go: IfNotPresent uses the node's image cache, Always pulls,
 * Never fails if absent; pulls are serialized per node as with the default serializeImagePulls
 * = true), create the container, start it. The kubelet learns what its containers do at its
 * PLEG's next relist (every second) and the status manager PATCHes the pod's status through the
 * node's API client.
 *
 * What a container does comes from the pod's kubesim.io/run-for and kubesim.io/exit-code
 * annotations (spec.h): run until deleted, or run for a drawn time and exit with a code. An
 * exited container is restarted as restartPolicy says (Always; OnFailure if the code is not 0;
 * Never), after upstream's CrashLoopBackOff: client-go flowcontrol.Backoff keyed per container,
 * 10 s initial, doubling, 300 s maximum (pkg/kubelet/kubelet.go containerBackOffPeriod,
 * MaxContainerBackOff), measured from the container's FinishedAt; the first restart is immediate
 * because the backoff entry only exists from then on; an entry older than 2 x 300 s has expired and
 * the cycle starts again (kuberuntime_manager.go doBackOff, flowcontrol IsInBackOffSince/Next).
 * When no container will run again the pod is Succeeded (all exited 0) or Failed.
 *
 * Events and their messages as the kubelet records them (pkg/kubelet/events/event.go reasons):
 *   Pulling  "Pulling image \"<image>\""
 *   Pulled   "Successfully pulled image \"<image>\" in <d> (<d> including waiting). Image size: <n> bytes."
 *            or "Container image \"<image>\" already present on machine"
 *   Created  "Created container <name>"
 *   Started  "Started container <name>"
 *   BackOff  "Back-off restarting failed container <name> in pod <name>_<namespace>(<uid>)"
 *   Killing  "Container <name> failed startup probe, will be restarted"
 *   ErrImageNeverPull "Container image \"<image>\" is not present with pull policy of Never"
 *   Failed   "Error: ErrImageNeverPull"
 *   OutOfcpu, OutOfmemory, OutOfpods, OutOfephemeral-storage (admission)
 *            "Node didn't have enough resource: cpu, requested: <n>, used: <n>, capacity: <n>"
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "job.h"
#include "nodelifecycle.h"
#include "world.h"

/* client-go flowcontrol.Backoff as the kubelet configures it (pkg/kubelet/kubelet.go). */
#define BACKOFF_INITIAL KS_SEC(10)
#define BACKOFF_MAX KS_SEC(300)

/* Event args of the container pipeline: the container index, whether this is a restart, and for
 * exits and kills the run's generation (upper 32 bits). */
#define ARG_RESTART (1ull << 32)
#define ARG_OFF_QUEUE (1ull << 33) /* a pull outside the node's queue (restarts) */
#define ARG_CTR(arg) ((uint32_t)((arg) & 0xffffffffu))

/* Records an event on POD from the kubelet, at the current time. */
#define POD_EVENT(w, pod, type, reason, ...)                                                            \
    ks_cluster_event(&(w)->cluster, ks_sim_now((w)->sim), "Pod", (w)->cluster.pods[pod].spec->namespace, \
                     (w)->cluster.pods[pod].name, type, reason, "kubelet", __VA_ARGS__)

static void start_next_container(ks_world *w, uint32_t pod);
static void ensure_image(ks_world *w, uint32_t pod, uint32_t ctr, bool restart);
static void start_pull(ks_world *w, uint32_t pod);
static void schedule_probes(ks_world *w, uint32_t pod, uint32_t ctr, uint64_t gen);

static const ks_container *container(const ks_world *w, uint32_t pod, uint32_t ctr)
{
    return &w->cluster.pods[pod].spec->containers[ctr];
}

static int64_t image_bytes(const ks_world *w, const ks_container *ct)
{
    return ct->image_bytes > 0 ? ct->image_bytes : w->timings->default_image_bytes;
}

/* The runtime state of a pod's containers, for pods whose containers exit (kubesim.io/run-for);
 * pods that run for ever need none. */
static ks_ctr_state *ctr_state(ks_world *w, uint32_t pod, uint32_t ctr)
{
    ks_pod *p = &w->cluster.pods[pod];
    if (p->ctr_base == KS_NONE) {
        size_t n = p->spec->ncontainers;
        ks_grow(ks_mem_purpose("kubelet"), (void **)&w->ctrs, &w->ctrs_cap, w->nctrs + n, sizeof *w->ctrs);
        p->ctr_base = (uint32_t)w->nctrs;
        memset(&w->ctrs[w->nctrs], 0, n * sizeof *w->ctrs);
        w->nctrs += n;
    }
    return &w->ctrs[p->ctr_base + ctr];
}

/* Whether POD's node is failed (a Scenario's failNodes): its kubelet neither sees watch events
 * nor acts on its containers until the node recovers (ks_kubelet_node_up). */
static bool node_down(const ks_world *w, uint32_t pod)
{
    uint32_t node = w->cluster.pods[pod].node;
    return node != KS_NONE && w->node_down && w->node_down[node];
}

void ks_kubelet_watch_pod(ks_world *w, uint32_t pod)
{
    ks_sim_after(w->sim, ks_world_watch(w), w->ev.kubelet_pod, pod, 0);
}

/* Admission (pkg/kubelet/lifecycle/predicate.go, GeneralPredicates over the pods this kubelet has
 * already admitted): the first resource that does not fit rejects the pod, checked in
 * noderesources.fitsRequest's order — pods, cpu, memory, ephemeral-storage. A rejected pod is
 * Failed with reason OutOf<resource>; the kubelet records the same reason as a Warning event. A
 * scheduled pod always fits (the scheduler saw the same pods); a pod given spec.nodeName is not
 * checked by any scheduler and can be rejected here. */
static bool admit(ks_world *w, uint32_t pod)
{
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[pod];
    const ks_pod_spec *s = p->spec;
    ks_nodes *n = &c->nodes;
    uint32_t node = p->node;
    struct {
        const char *name;
        int64_t requested, used, capacity;
    } r[] = {
        {"pods", 1, n->adm_pods[node], n->alloc_pods[node]},
        {"cpu", s->req_cpu_milli, n->adm_cpu[node], n->alloc_cpu[node]},
        {"memory", s->req_mem_bytes, n->adm_mem[node], n->alloc_mem[node]},
        {"ephemeral-storage", s->req_eph_bytes, n->adm_eph[node], n->alloc_eph[node]},
    };
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
        if (r[i].requested == 0 || r[i].used + r[i].requested <= r[i].capacity) continue;
        char reason[64];
        snprintf(reason, sizeof reason, "OutOf%s", r[i].name);
        POD_EVENT(w, pod, "Warning", reason, "Node didn't have enough resource: %s, requested: %lld, used: %lld, capacity: %lld",
                  r[i].name, (long long)r[i].requested, (long long)r[i].used, (long long)r[i].capacity);
        return false;
    }
    for (uint8_t k = 0; k < s->next_req; k++) { /* extended resources, after the standard ones */
        int id = ks_cluster_find_ext(c, s->ext_req[k].name);
        size_t at = (size_t)node * KS_MAX_EXT_CLUSTER + (size_t)(id < 0 ? 0 : id);
        int64_t cap = id < 0 ? 0 : n->ext_alloc[at], used = id < 0 ? 0 : n->ext_adm[at];
        if (s->ext_req[k].value == 0 || used + s->ext_req[k].value <= cap) continue;
        char reason[300];
        snprintf(reason, sizeof reason, "OutOf%s", s->ext_req[k].name);
        POD_EVENT(w, pod, "Warning", reason, "Node didn't have enough resource: %s, requested: %lld, used: %lld, capacity: %lld",
                  s->ext_req[k].name, (long long)s->ext_req[k].value, (long long)used, (long long)cap);
        return false;
    }
    for (uint8_t k = 0; k < s->next_req; k++) {
        int id = ks_cluster_find_ext(c, s->ext_req[k].name);
        if (id >= 0) n->ext_adm[(size_t)node * KS_MAX_EXT_CLUSTER + (size_t)id] += s->ext_req[k].value;
    }
    n->adm_pods[node] += 1;
    n->adm_cpu[node] += s->req_cpu_milli;
    n->adm_mem[node] += s->req_mem_bytes;
    n->adm_eph[node] += s->req_eph_bytes;
    p->admitted = 1;
    return true;
}

/* The pod has terminated on the node: the kubelet and the scheduler stop counting it. */
static void forget(ks_world *w, uint32_t pod)
{
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[pod];
    if (p->admitted) {
        ks_nodes *n = &c->nodes;
        n->adm_pods[p->node] -= 1;
        n->adm_cpu[p->node] -= p->spec->req_cpu_milli;
        n->adm_mem[p->node] -= p->spec->req_mem_bytes;
        n->adm_eph[p->node] -= p->spec->req_eph_bytes;
        for (uint8_t k = 0; k < p->spec->next_req; k++) {
            int id = ks_cluster_find_ext(c, p->spec->ext_req[k].name);
            if (id >= 0) n->ext_adm[(size_t)p->node * KS_MAX_EXT_CLUSTER + (size_t)id] -= p->spec->ext_req[k].value;
        }
        p->admitted = 0;
    }
    ks_world_release_pod(w, pod);
}

static void on_pod(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    ks_pod *p = &w->cluster.pods[ev->target];
    if (p->terminating) return; /* its deletion reached the kubelet first */
    p->kubelet_seen = ks_sim_now(sim);
    if (!admit(w, ev->target)) { /* the status manager reports the pod Failed */
        ks_api_call(&w->api, ks_sim_now(sim), ks_kubelet_client(w, p->node), KS_VERB_PATCH, w->ev.kubelet_pod_finished,
                    ev->target, 0);
        return;
    }
    p->next_container = 0;
    p->unready = (uint32_t)p->spec->ncontainers;
    start_next_container(w, ev->target);
}

/* The first relist of NODE's PLEG strictly after T (T itself when relisting is off). */
static ks_time next_relist(const ks_world *w, uint32_t node, ks_time t)
{
    ks_time period = w->timings->pleg_relist_period;
    if (period <= 0) return t;
    ks_time phase = w->cluster.nodes.pleg_phase[node];
    ks_time k = t < phase ? 0 : (t - phase) / period + 1;
    return phase + k * period;
}

/* The status manager's PATCH of pods/<name>/status, through the node's client, once the PLEG has
 * seen the change that happened at T. DONE fires when it has committed. */
static void patch_status(ks_world *w, uint32_t pod, ks_time t, uint32_t done)
{
    const ks_pod *p = &w->cluster.pods[pod];
    ks_api_call(&w->api, next_relist(w, p->node, t), ks_kubelet_client(w, p->node), KS_VERB_PATCH, done, pod, 0);
}

static void start_next_container(ks_world *w, uint32_t pod)
{
    ks_pod *p = &w->cluster.pods[pod];
    if (p->next_container == p->spec->ncontainers) {
        p->started = ks_sim_now(w->sim);
        patch_status(w, pod, p->started, w->ev.kubelet_status);
        return;
    }
    ensure_image(w, pod, p->next_container, false);
}

static void create_container(ks_world *w, uint32_t pod, uint64_t arg)
{
    ks_sim_after(w->sim, ks_dist_sample_ns(&w->timings->container_create, w->rng_kubelet), w->ev.kubelet_created,
                 pod, arg);
}

/* EnsureImageExists for one container. A restart with pull policy Always asks the registry
 * again; the image is on the node, so only the round trips count, and it does not queue behind
 * other pods' pulls (kubesim keeps one pull per pod in the node's queue). */
static void ensure_image(ks_world *w, uint32_t pod, uint32_t ctr, bool restart)
{
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[pod];
    const ks_container *ct = container(w, pod, ctr);
    uint64_t arg = ctr | (restart ? ARG_RESTART : 0);
    char ref[512];
    uint32_t image = ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref));
    bool present = ks_node_has_image(c, p->node, image);
    if (ct->pull == KS_PULL_NEVER && !present) {
        /* The pod waits in ErrImageNeverPull for ever, as upstream's does. */
        POD_EVENT(w, pod, "Warning", "ErrImageNeverPull",
                  "Container image \"%s\" is not present with pull policy of Never", ct->image);
        /* startContainer then fails with the image manager's error (kuberuntime_container.go:
         * events.FailedToCreateContainer, "Error: %v"). */
        POD_EVENT(w, pod, "Warning", "Failed", "Error: ErrImageNeverPull");
        return;
    }
    if (present && ct->pull != KS_PULL_ALWAYS) {
        POD_EVENT(w, pod, "Normal", "Pulled", "Container image \"%s\" already present on machine", ct->image);
        create_container(w, pod, arg);
        return;
    }
    /* Serialized pulls: the request waits behind the node's earlier pulls, FIFO. "Pulling" is
     * recorded when the request is made, before the wait, and "including waiting" counts from
     * here (pkg/kubelet/images/image_manager.go EnsureImageExists). */
    POD_EVENT(w, pod, "Normal", "Pulling", "Pulling image \"%s\"", ct->image);
    p->pull_requested = ks_sim_now(w->sim);
    if (p->pull_started == KS_NEVER) p->pull_started = p->pull_requested;
    if (restart) {
        p->pull_began = p->pull_requested;
        ks_time d = ks_dist_sample_ns(&w->timings->image_pull_latency, w->rng_kubelet);
        ks_sim_after(w->sim, d, w->ev.kubelet_pulled, pod, arg | ARG_OFF_QUEUE);
        return;
    }
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
    ks_pod *p = &c->pods[pod];
    p->pull_began = ks_sim_now(w->sim);
    const ks_container *ct = container(w, pod, p->next_container);
    const ks_timings *t = w->timings;
    char ref[512];
    bool present = ks_node_has_image(c, p->node, ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref)));
    ks_time transfer = 0;
    if (!present) {
        double bandwidth = ks_dist_sample(&t->image_pull_bandwidth, w->rng_kubelet);
        transfer = bandwidth > 0 ? ks_time_from_sec((double)image_bytes(w, ct) / bandwidth) : 0;
    }
    ks_time duration = ks_dist_sample_ns(&t->image_pull_latency, w->rng_kubelet) + transfer;
    ks_sim_after(w->sim, duration, w->ev.kubelet_pulled, pod, p->next_container);
}

static void on_pulled(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    uint32_t ctr = ARG_CTR(ev->arg);
    bool off_queue = ev->arg & ARG_OFF_QUEUE;
    const ks_container *ct = container(w, ev->target, ctr);
    char ref[512], took[32], waited[32];
    uint32_t image = ks_cluster_image_id(c, ks_image_ref(ct->image, ref, sizeof ref));
    if (!ks_node_has_image(c, p->node, image)) {
        ks_node_add_image(c, p->node, image, image_bytes(w, ct));
        c->nodes.status_dirty[p->node] = 1; /* status.images changed */
    }
    ks_time now = ks_sim_now(sim);
    if (!(ev->arg & ARG_RESTART)) { /* the pod's startup: what the SLI subtracts */
        p->pulled = now;
        p->pull_total += now - p->pull_requested;
    }
    /* Durations truncated to milliseconds and printed like Go's time.Duration: the pull itself
     * (from when the puller took it) and the whole request, waiting included. */
    ks_duration_format((now - p->pull_began) / 1000000 * 1000000, took, sizeof took);
    ks_duration_format((now - p->pull_requested) / 1000000 * 1000000, waited, sizeof waited);
    POD_EVENT(w, ev->target, "Normal", "Pulled",
              "Successfully pulled image \"%s\" in %s (%s including waiting). Image size: %lld bytes.", ct->image,
              took, waited, (long long)image_bytes(w, ct));
    if (!off_queue) { /* the puller moves on to the next request of this node */
        ks_nodes *n = &c->nodes;
        if (p->pull_next == KS_NONE) n->pull_tail[p->node] = KS_NONE;
        else start_pull(w, p->pull_next);
    }
    if (p->terminating) return; /* deleted meanwhile: nothing more to start */
    create_container(w, ev->target, ev->arg & ~ARG_OFF_QUEUE);
}

static void on_created(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    if (w->cluster.pods[ev->target].terminating) return;
    POD_EVENT(w, ev->target, "Normal", "Created", "Created container %s", container(w, ev->target, ARG_CTR(ev->arg))->name);
    ks_sim_after(sim, ks_dist_sample_ns(&w->timings->container_start, w->rng_kubelet), w->ev.kubelet_started,
                 ev->target, ev->arg);
}

static void on_started(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    uint32_t pod = ev->target, ctr = ARG_CTR(ev->arg);
    ks_pod *p = &w->cluster.pods[pod];
    if (p->terminating) return;
    POD_EVENT(w, pod, "Normal", "Started", "Started container %s", container(w, pod, ctr)->name);
    uint64_t gen = 0;
    if (!p->spec->runs_forever || p->spec->has_probes) {
        ks_ctr_state *cs = ctr_state(w, pod, ctr);
        cs->running = 1;
        gen = (uint64_t)++cs->gen << 32;
    }
    if (!p->spec->runs_forever)
        ks_sim_after(sim, ks_dist_sample_ns(&p->spec->run_for, w->rng_kubelet), w->ev.kubelet_exited, pod, ctr | gen);
    if (p->spec->has_probes) schedule_probes(w, pod, ctr, gen);
    if (ev->arg & ARG_RESTART) { /* running again: the PLEG sees it, the status says so */
        patch_status(w, pod, ks_sim_now(sim), w->ev.kubelet_ctr_status);
        return;
    }
    p->next_container++;
    start_next_container(w, pod);
}

/* "name_namespace(uid)", as the kubelet's format.Pod prints a pod. kubesim has no UIDs; it
 * derives a stable one from the pod's name and namespace (FNV-1a 64, twice). */
static void format_pod(const ks_pod *p, char *buf, size_t size)
{
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;
    for (const char *s = p->name; *s; s++) h1 = (h1 ^ (unsigned char)*s) * 0x100000001b3ull;
    for (const char *s = p->spec->namespace; *s; s++) h2 = (h2 ^ (unsigned char)*s) * 0x100000001b3ull;
    h2 ^= h1 * 0x9E3779B97F4A7C15ull;
    snprintf(buf, size, "%s_%s(%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-a%03" PRIx64 "-%012" PRIx64 ")", p->name,
             p->spec->namespace, h1 >> 32, (h1 >> 16) & 0xffff, h1 & 0xfff, (h2 >> 48) & 0xfff,
             h2 & (uint64_t)0xffffffffffffull);
}

/* The container's process ends with CODE (if the run GEN in ARG is still current). The kubelet
 * sees it at the next PLEG relist. */
static void container_exit(ks_world *w, uint32_t pod, uint64_t arg, int32_t code)
{
    ks_ctr_state *cs = ctr_state(w, pod, ARG_CTR(arg));
    if (!cs->running || cs->gen != (uint32_t)(arg >> 32)) return; /* a stale event of an older run */
    cs->running = 0;
    cs->exit_code = code;
    if (cs->ready) { /* a container that stops is no longer ready */
        cs->ready = 0;
        w->cluster.pods[pod].unready++;
    }
    cs->finished = ks_sim_now(w->sim);
    ks_time seen = next_relist(w, w->cluster.pods[pod].node, cs->finished);
    ks_sim_at(w->sim, seen, w->ev.kubelet_exit_seen, pod, ARG_CTR(arg));
}

static void on_exited(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    container_exit(w, ev->target, ev->arg, w->cluster.pods[ev->target].spec->exit_code);
}

/* The startup probe failed failureThreshold times: the kubelet kills the container, which ends
 * with 137 (SIGKILL after the grace period; the model does not wait for it). */
static void on_killed(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    ks_ctr_state *cs = ctr_state(w, ev->target, ARG_CTR(ev->arg));
    if (!cs->running || cs->gen != (uint32_t)(ev->arg >> 32)) return;
    POD_EVENT(w, ev->target, "Normal", "Killing", "Container %s failed startup probe, will be restarted",
              container(w, ev->target, ARG_CTR(ev->arg))->name);
    container_exit(w, ev->target, ev->arg, 137);
}

/* The first tick of probe P at or after T, for a container started at START: the prober runs at
 * START + initialDelaySeconds + k x periodSeconds, k >= 0 (pkg/kubelet/prober/worker.go, without
 * the start-up jitter a restarted kubelet adds). K receives k. */
static ks_time probe_tick(const ks_probe *p, ks_time start, ks_time t, int64_t *k)
{
    ks_time t0 = start + KS_SEC(p->initial_delay_s), period = KS_SEC(p->period_s);
    *k = t <= t0 ? 0 : (t - t0 + period - 1) / period;
    return t0 + *k * period;
}

/* When a just-started container passes its probes. The app answers from
 * start + kubesim.io/ready-after. A startup probe gates the others; if it has failed
 * failureThreshold times first, the container is killed instead. A readiness probe then needs
 * successThreshold consecutive successes. Without probes a container is ready once started. */
static void schedule_probes(ks_world *w, uint32_t pod, uint32_t ctr, uint64_t gen)
{
    const ks_pod *p = &w->cluster.pods[pod];
    const ks_container *ct = container(w, pod, ctr);
    ks_time start = ks_sim_now(w->sim), up = start + ks_dist_sample_ns(&p->spec->ready_after, w->rng_kubelet);
    ks_time gate = start, ready;
    int64_t k;
    if (ct->startup.set) {
        gate = probe_tick(&ct->startup, start, up, &k);
        if (k >= ct->startup.failure_threshold) {
            ks_time kill = start + KS_SEC(ct->startup.initial_delay_s) +
                           (ks_time)(ct->startup.failure_threshold - 1) * KS_SEC(ct->startup.period_s);
            ks_sim_at(w->sim, kill, w->ev.kubelet_killed, pod, ctr | gen);
            return;
        }
    }
    ready = gate;
    if (ct->readiness.set)
        ready = probe_tick(&ct->readiness, start, up > gate ? up : gate, &k) +
                (ks_time)(ct->readiness.success_threshold - 1) * KS_SEC(ct->readiness.period_s);
    ks_sim_at(w->sim, ready, w->ev.kubelet_ctr_ready, pod, ctr | gen);
}

/* A container passed its probes; when the last one has, the status manager reports the pod
 * Ready (probe results reach it directly, without waiting for the PLEG). */
static void on_ctr_ready(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    ks_ctr_state *cs = ctr_state(w, ev->target, ARG_CTR(ev->arg));
    ks_pod *p = &w->cluster.pods[ev->target];
    if (!cs->running || cs->gen != (uint32_t)(ev->arg >> 32) || cs->ready) return;
    cs->ready = 1;
    if (--p->unready == 0)
        ks_api_call(&w->api, ks_sim_now(sim), ks_kubelet_client(w, p->node), KS_VERB_PATCH, w->ev.kubelet_pod_ready,
                    ev->target, 0);
}

static void on_pod_ready(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    if (p->phase == KS_PHASE_PENDING) {
        /* The sync that the probe result triggered reads the runtime's state itself, so this
         * status reports Running too, ahead of the PLEG's relist. A pod is never Ready before it
         * is Running. */
        p->running = ks_sim_now(sim);
        p->phase = KS_PHASE_RUNNING;
        c->pods_pending--;
        c->pods_running++;
    }
    if (p->ready == KS_NEVER) p->ready = ks_sim_now(sim);
    p->marked_not_ready = 0;
    if (!p->terminating) ks_cluster_pod_ready(c, ev->target, true, ks_sim_now(sim));
    p->resource_version = ks_cluster_bump(c);
    ks_controllers_pod_changed(w, ev->target, true);
    ks_endpoints_pod_ready_changed(w, ev->target, true);
}

static bool will_restart(const ks_pod_spec *s, int32_t exit_code)
{
    return s->restart_policy == KS_RESTART_ALWAYS || (s->restart_policy == KS_RESTART_ON_FAILURE && exit_code != 0);
}

/* The kubelet's sync after the PLEG reported the exit: restart now, after the back-off, or not
 * at all; and report the container's termination in the pod's status. */
static void on_exit_seen(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    uint32_t pod = ev->target, ctr = (uint32_t)ev->arg;
    ks_pod *p = &w->cluster.pods[pod];
    ks_ctr_state *cs = ctr_state(w, pod, ctr);
    ks_time now = ks_sim_now(sim);
    if (p->terminating) return; /* the deletion's own stop path reports the pod */
    if (!will_restart(p->spec, cs->exit_code)) {
        cs->done = 1;
        bool all_done = true;
        for (uint32_t i = 0; i < p->spec->ncontainers; i++) all_done &= ctr_state(w, pod, i)->done;
        if (all_done) p->finished = cs->finished;
        patch_status(w, pod, now, all_done ? w->ev.kubelet_pod_finished : w->ev.kubelet_ctr_status);
        return;
    }
    /* flowcontrol.Backoff: an entry older than 2 x max has expired (hasExpired); while in back-off
     * (now - FinishedAt < backoff) the sync fails with CrashLoopBackOff and retries. */
    bool expired = cs->backoff == 0 || cs->finished - cs->backoff_updated > 2 * BACKOFF_MAX;
    ks_time restart_at = now;
    if (!expired && now - cs->finished < cs->backoff) {
        char who[600];
        format_pod(p, who, sizeof who);
        POD_EVENT(w, pod, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s",
                  container(w, pod, ctr)->name, who);
        restart_at = cs->finished + cs->backoff;
    }
    patch_status(w, pod, now, w->ev.kubelet_ctr_status); /* Terminated / Waiting, restartCount */
    ks_sim_at(sim, restart_at, w->ev.kubelet_restart, pod, ctr);
}

static void on_restart(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    uint32_t pod = ev->target, ctr = (uint32_t)ev->arg;
    if (w->cluster.pods[pod].terminating) return;
    ks_ctr_state *cs = ctr_state(w, pod, ctr);
    /* flowcontrol.Backoff.Next(key, FinishedAt): the initial period for a new or expired entry,
     * else double, capped. */
    bool expired = cs->backoff == 0 || cs->finished - cs->backoff_updated > 2 * BACKOFF_MAX;
    cs->backoff = expired ? BACKOFF_INITIAL : (2 * cs->backoff < BACKOFF_MAX ? 2 * cs->backoff : BACKOFF_MAX);
    cs->backoff_updated = cs->finished;
    w->cluster.pods[pod].restarts++;
    ensure_image(w, pod, ctr, true);
}

/* The status manager's write has committed: the API shows the pod Running and Ready. */
static void on_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    p->resource_version = ks_cluster_bump(c);
    if (p->phase == KS_PHASE_RUNNING && !p->spec->has_probes && !p->terminating) {
        /* Running again after its node came back: Ready again. */
        p->marked_not_ready = 0;
        ks_cluster_pod_ready(c, ev->target, true, ks_sim_now(sim));
        return;
    }
    if (p->phase != KS_PHASE_PENDING) return; /* a container already finished the pod */
    p->running = ks_sim_now(sim);
    if (!p->spec->has_probes) { /* no probes: Ready with Running */
        p->ready = p->running;
        ks_controllers_pod_changed(w, ev->target, true);
        if (!p->terminating) ks_cluster_pod_ready(c, ev->target, true, p->running);
    }
    p->phase = KS_PHASE_RUNNING;
    c->pods_pending--;
    c->pods_running++;
    ks_endpoints_pod_ready_changed(w, ev->target, p->ready != KS_NEVER); /* the pod IP comes with it */
}

/* A container status change (terminated, waiting, running again) has committed. */
static void on_ctr_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    w->cluster.pods[ev->target].resource_version = ks_cluster_bump(&w->cluster);
    ks_jobs_pod_updated(w, ev->target); /* restartCount, for OnFailure Jobs */
    const ks_pod *p = &w->cluster.pods[ev->target];
    /* The status carries the Ready condition: every container ready — passed its probes, or
     * running when it has none (pkg/kubelet/status/generate.go GeneratePodReadyCondition). */
    if (p->ready == KS_NEVER || p->ctr_base == KS_NONE) return;
    bool ready = p->phase == KS_PHASE_RUNNING;
    for (uint32_t i = 0; ready && i < p->spec->ncontainers; i++)
        ready = p->spec->has_probes ? ctr_state(w, ev->target, i)->ready : ctr_state(w, ev->target, i)->running;
    ks_endpoints_pod_ready_changed(w, ev->target, ready);
}

/* Every container has terminated for good: the pod is Succeeded if all exited 0, else Failed
 * (pkg/kubelet/kubelet_pods.go getPhase). */
static void on_pod_finished(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    p->resource_version = ks_cluster_bump(c);
    if (p->phase == KS_PHASE_RUNNING) c->pods_running--;
    else if (p->phase == KS_PHASE_PENDING) c->pods_pending--;
    bool failed = !p->admitted; /* rejected at admission */
    for (uint32_t i = 0; p->admitted && i < p->spec->ncontainers; i++)
        failed |= ctr_state(w, ev->target, i)->exit_code != 0;
    p->phase = failed ? KS_PHASE_FAILED : KS_PHASE_SUCCEEDED;
    if (p->finished == KS_NEVER) p->finished = ks_sim_now(sim);
    ks_cluster_pod_ready(c, ev->target, false, ks_sim_now(sim));
    forget(w, ev->target);
    ks_controllers_pod_inactive(w, ev->target);
    ks_endpoints_pod_ready_changed(w, ev->target, false);
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
    if (w->node_down && w->node_down[node]) { /* no Lease, no status while the node is failed */
        ks_sim_after(sim, (ks_time)ev->arg, ev->type, node, ev->arg);
        return;
    }
    ks_api_call(&w->api, now, ks_kubelet_client(w, node), KS_VERB_UPDATE, w->ev.kubelet_lease_renewed, node, 0);
    if (n->status_dirty[node] || now - n->status_posted[node] >= w->timings->node_status_report_frequency) {
        n->status_dirty[node] = 0;
        n->status_posted[node] = now;
        ks_api_call(&w->api, now, ks_kubelet_client(w, node), KS_VERB_PATCH, w->ev.kubelet_node_status, node, 0);
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
    /* Ready=True, or False while the container runtime is down (kubelet_node_status.go). */
    if (w->runtime_down[ev->target]) ks_nodelifecycle_kubelet_not_ready(w, ev->target);
    else ks_nodelifecycle_kubelet_ready(w, ev->target);
}

void ks_kubelet_node_down(ks_world *w, uint32_t node, ks_fail_mode mode)
{
    ks_cluster *c = &w->cluster;
    if (mode == KS_FAIL_RUNTIME_DOWN) {
        /* The kubelet lives on: its next status computation (every nodeStatusUpdateFrequency)
         * finds the runtime down and posts Ready=False ("container runtime is down"). */
        if (w->runtime_down[node] || w->node_down[node]) return;
        w->runtime_down[node] = 1;
        c->nodes.status_dirty[node] = 1;
        return;
    }
    w->node_down[node] = (uint8_t)(1 + mode);
    /* kube-proxy stops programming: it is off, or cannot watch the API server. */
    ks_kube_proxy_node_changed(w, node, false);
    if (mode != KS_FAIL_POWER_OFF) return;
    /* Power off: every container stops; events of their runs in flight are stale. */
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) {
        ks_pod *p = &c->pods[q];
        for (uint32_t i = 0; p->ctr_base != KS_NONE && i < p->spec->ncontainers; i++) {
            ks_ctr_state *cs = ctr_state(w, q, i);
            cs->running = 0;
            cs->gen++;
        }
    }
    c->nodes.pull_tail[node] = KS_NONE; /* the image puller's queue is gone */
}

void ks_kubelet_node_up(ks_world *w, uint32_t node)
{
    ks_cluster *c = &w->cluster;
    if (w->runtime_down[node]) { /* the runtime is back: Ready=True at the next status update */
        w->runtime_down[node] = 0;
        c->nodes.status_dirty[node] = 1;
        if (!w->node_down[node]) return;
    }
    bool power = w->node_down[node] == 1 + KS_FAIL_POWER_OFF;
    w->node_down[node] = 0;
    ks_kube_proxy_node_changed(w, node, true);
    ks_time now = ks_sim_now(w->sim);
    ks_api_call(&w->api, now, ks_kubelet_client(w, node), KS_VERB_UPDATE, w->ev.kubelet_lease_renewed, node, 0);
    c->nodes.status_posted[node] = now;
    ks_api_call(&w->api, now, ks_kubelet_client(w, node), KS_VERB_PATCH, w->ev.kubelet_node_status, node, 0);
    for (uint32_t q = c->nodes.pod_head[node]; q != KS_NONE; q = c->pods[q].node_next) {
        ks_pod *p = &c->pods[q];
        if (p->phase == KS_PHASE_SUCCEEDED || p->phase == KS_PHASE_FAILED) continue;
        if (p->terminating) {
            ks_kubelet_pod_deleting(w, q); /* the deletion it missed */
        } else if (p->kubelet_seen == KS_NEVER) {
            ks_kubelet_watch_pod(w, q); /* bound while the node was down */
        } else if (!power && p->marked_not_ready && p->ready != KS_NEVER) {
            /* Its containers ran on: the kubelet's status sync reports the pod Ready again. */
            ks_api_call(&w->api, now, ks_kubelet_client(w, node), KS_VERB_PATCH, w->ev.kubelet_pod_ready, q, 0);
        } else if (power && p->admitted) {
            /* The containers start again from the first (a new sandbox), after the kubelet's
             * sync of its pods. */
            p->restarts++;
            p->next_container = 0;
            p->unready = (uint32_t)p->spec->ncontainers;
            ks_sim_after(w->sim, ks_world_watch(w), w->ev.kubelet_resync, q, 0);
        }
    }
}

/* A pod the kubelet runs again after its node came back: its containers start from the first. */
static void on_resync(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_world *w = ctx;
    if (node_down(w, ev->target) || w->cluster.pods[ev->target].terminating) return;
    start_next_container(w, ev->target);
}

/* The heartbeat period: the faster of the lease renewal and the status computation. */
static ks_time heartbeat_period(const ks_timings *t)
{
    ks_time lease = KS_SEC(t->node_lease_duration_s) / 4, status = t->node_status_update_frequency;
    return lease < status ? lease : status;
}

void ks_kubelet_start(ks_world *w)
{
    for (size_t i = 0; i < w->cluster.nodes.n; i++) ks_kubelet_start_node(w, (uint32_t)i);
}

void ks_kubelet_start_node(ks_world *w, uint32_t node)
{
    ks_time period = heartbeat_period(w->timings);
    if (period <= 0) return;
    gsl_rng *g = ks_rng_stream(w->rngs, "kubelet.heartbeat");
    ks_sim_at(w->sim, ks_sim_now(w->sim) + (ks_time)ks_rng_below(g, (uint64_t)period), w->ev.kubelet_node_tick, node,
              (uint64_t)period);
}

/* Graceful deletion, the kubelet's side. Its watch delivers the pod with a deletionTimestamp; it
 * stops every running container ("Killing": "Stopping container <name>", SIGTERM), each within
 * min(container stop latency, terminationGracePeriodSeconds) — at the deadline the runtime
 * SIGKILLs (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer). When all have
 * stopped, the status manager reports the pod terminal and deletes it for good (grace 0). The
 * pod ends Succeeded when its containers exited on SIGTERM, Failed when one had to be killed. */
void ks_kubelet_pod_deleting(ks_world *w, uint32_t pod)
{
    ks_sim_after(w->sim, ks_world_watch(w), w->ev.kubelet_kill, pod, 0);
}

static void on_kill(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    uint32_t pod = ev->target;
    ks_pod *p = &w->cluster.pods[pod];
    ks_time stop = 0;
    bool killed = false;
    if (p->admitted) {
        ks_time grace = p->spec->termination_grace_ns;
        for (uint32_t i = 0; i < p->next_container && i < p->spec->ncontainers; i++) {
            bool running = true;
            if (p->ctr_base != KS_NONE) {
                ks_ctr_state *cs = ctr_state(w, pod, i);
                running = cs->running;
                cs->running = 0;
                cs->gen++; /* pending exits, probes and restarts of this run are stale now */
            }
            if (!running) continue;
            POD_EVENT(w, pod, "Normal", "Killing", "Stopping container %s", container(w, pod, i)->name);
            ks_time t = ks_dist_sample_ns(&w->timings->container_stop, w->rng_kubelet);
            if (t >= grace) {
                t = grace;
                killed = true;
            }
            if (t > stop) stop = t;
        }
    }
    ks_sim_after(sim, stop, w->ev.kubelet_stopped, pod, killed);
}

static void on_stopped(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    if (node_down(w, ev->target)) return; /* a dead or cut-off kubelet does nothing */
    ks_cluster *c = &w->cluster;
    ks_pod *p = &c->pods[ev->target];
    if (p->finished == KS_NEVER) p->finished = ks_sim_now(sim);
    if (p->phase == KS_PHASE_PENDING || p->phase == KS_PHASE_RUNNING) {
        if (p->phase == KS_PHASE_RUNNING) c->pods_running--;
        else c->pods_pending--;
        p->phase = ev->arg ? KS_PHASE_FAILED : KS_PHASE_SUCCEEDED;
    }
    ks_cluster_pod_ready(c, ev->target, false, ks_sim_now(sim));
    forget(w, ev->target);
    patch_status(w, ev->target, ks_sim_now(sim), w->ev.kubelet_stop_reported);
}

/* The terminal status has committed; the kubelet's final DELETE (grace 0) removes the object. */
static void on_stop_reported(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_world *w = ctx;
    const ks_pod *p = &w->cluster.pods[ev->target];
    ks_api_call(&w->api, ks_sim_now(sim), ks_kubelet_client(w, p->node), KS_VERB_DELETE, w->ev.pod_removed,
                ev->target, 0);
}

void ks_kubelet_register(ks_world *w)
{
    w->ev.kubelet_kill = ks_sim_register(w->sim, "kubelet.kill", on_kill, w);
    w->ev.kubelet_stopped = ks_sim_register(w->sim, "runtime.stopped", on_stopped, w);
    w->ev.kubelet_stop_reported = ks_sim_register(w->sim, "kubelet.stop_reported", on_stop_reported, w);
    w->ev.kubelet_node_tick = ks_sim_register(w->sim, "kubelet.heartbeat", on_node_tick, w);
    w->ev.kubelet_lease_renewed = ks_sim_register(w->sim, "kubelet.lease_renewed", on_lease_renewed, w);
    w->ev.kubelet_node_status = ks_sim_register(w->sim, "kubelet.node_status", on_node_status, w);
    w->ev.kubelet_pod = ks_sim_register(w->sim, "kubelet.pod_added", on_pod, w);
    w->ev.kubelet_pulled = ks_sim_register(w->sim, "kubelet.pulled", on_pulled, w);
    w->ev.kubelet_created = ks_sim_register(w->sim, "runtime.created", on_created, w);
    w->ev.kubelet_started = ks_sim_register(w->sim, "runtime.started", on_started, w);
    w->ev.kubelet_exited = ks_sim_register(w->sim, "runtime.exited", on_exited, w);
    w->ev.kubelet_exit_seen = ks_sim_register(w->sim, "kubelet.exit_seen", on_exit_seen, w);
    w->ev.kubelet_restart = ks_sim_register(w->sim, "kubelet.restart", on_restart, w);
    w->ev.kubelet_status = ks_sim_register(w->sim, "kubelet.status", on_status, w);
    w->ev.kubelet_ctr_status = ks_sim_register(w->sim, "kubelet.container_status", on_ctr_status, w);
    w->ev.kubelet_pod_finished = ks_sim_register(w->sim, "kubelet.pod_finished", on_pod_finished, w);
    w->ev.kubelet_ctr_ready = ks_sim_register(w->sim, "prober.container_ready", on_ctr_ready, w);
    w->ev.kubelet_pod_ready = ks_sim_register(w->sim, "kubelet.pod_ready", on_pod_ready, w);
    w->ev.kubelet_killed = ks_sim_register(w->sim, "prober.startup_failed", on_killed, w);
    w->ev.kubelet_resync = ks_sim_register(w->sim, "kubelet.node_restarted", on_resync, w);
}
