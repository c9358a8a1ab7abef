/* world.h — the simulated cluster: state, control plane and node agents wired onto one kernel.
 *
 * ks_world owns the cluster tables and the model states (scheduler, controllers, kubelets), and
 * registers their event handlers on the ks_sim it is given. The caller (the experiment runner in
 * sim/cli) owns the sim, the RNG streams and the trace, and hands in the parsed specs, which must
 * outlive the world.
 *
 * Every write (ReplicaSet and pod creates, bindings, status updates) goes through the API server
 * model (apiserver.h: client token buckets, in-flight limits, commit latency).
 *
 * The flow of one pod, each arrow an event after a sampled latency:
 *   Deployment sync -> ReplicaSet created -> RS sync: slow-start batches of pod creates
 *   -> pod committed (created) -> scheduler watch -> activeQ -> scheduling cycle (filter, score,
 *   select, assume) -> binding committed (scheduled) -> kubelet watch -> per container: image pull
 *   (serialized per node) -> create -> start -> status write committed (Running, Ready).
 */
#ifndef KS_WORLD_H
#define KS_WORLD_H

#include "apiserver.h"
#include "cluster.h"
#include "gpuseries.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "trace.h"

struct ks_jobs;
struct ks_workloads;

typedef struct ks_world_params {
    const ks_node_pool *pools;
    size_t npools;
    const ks_node_spec *nodes;
    size_t nnodes;
    const ks_pod_doc *pods;
    size_t npods;
    const ks_fgd_workload *fgd; /* NULL: none */
    const ks_deployment_spec *deployments;
    size_t ndeployments;
    const ks_scenario_action *actions;
    size_t nactions;
    const ks_failure_process *failure_procs;
    size_t nfailure_procs;
    const ks_sched_config *sched;
    const ks_pdb_spec *pdbs;
    size_t npdbs;
    const ks_job_spec *jobs; /* Job documents */
    size_t njobs;
    const ks_service_spec *services;
    size_t nservices;
    const ks_timings *timings;
    ks_time sample_interval;
    ks_trace *trace; /* may be NULL: no events or series are recorded */
    const ks_workload_spec *workloads; /* Workload arrival generators (workload.h) */
    size_t nworkloads;
} ks_world_params;

/* Event types of the models; values are the ks_sim type ids. */
typedef struct ks_world_types {
    uint32_t deploy_sync, rs_sync, pod_committed, sched_watch, sched_cycle, sched_bound,
        sched_flush_backoff, sched_flush_unschedulable, kubelet_pod, kubelet_node_tick, kubelet_lease_renewed,
        kubelet_node_status, kubelet_exited, kubelet_exit_seen, kubelet_restart, kubelet_ctr_status,
        kubelet_pod_finished, kubelet_ctr_ready, kubelet_pod_ready, kubelet_killed, pod_deleting, pod_removed,
        kubelet_kill, kubelet_stopped, kubelet_stop_reported, scenario_action, sched_move,
        kubelet_pulled, kubelet_created, kubelet_started, kubelet_status, kubelet_resync, pod_doc, sample;
} ks_world_types;

/* A container's runtime state, for pods whose containers exit (kubelet.c). */
typedef struct ks_ctr_state {
    ks_time finished;        /* when it last exited */
    ks_time backoff;         /* CrashLoopBackOff period; 0: no entry yet */
    ks_time backoff_updated; /* the FinishedAt the period was last updated at */
    uint32_t gen;            /* incremented at every start: exit events of older runs are stale */
    int32_t exit_code;       /* of the last exit */
    uint8_t running, done;   /* done: terminated and will not restart */
    uint8_t ready;           /* passed its probes in this run */
} ks_ctr_state;

typedef struct ks_world {
    ks_sim *sim;
    ks_rngs *rngs;
    gsl_rng *rng_api, *rng_kubelet, *rng_names, *rng_sched;
    const ks_timings *timings;
    ks_cluster cluster;
    ks_apiserver api;
    ks_scheduler sched;
    ks_world_types ev;
    ks_time sample_interval;
    ks_table *series;
    const ks_scenario_action *actions;
    ks_ctr_state *ctrs; /* kubelet.c: indexed by ks_pod.ctr_base + container */
    size_t nctrs, ctrs_cap;
    uint8_t *node_down;      /* per node: 0 up, else 1 + the ks_fail_mode of its failure */
    uint8_t *runtime_down;   /* per node: its container runtime is down (the kubelet reports Ready=False) */
    const ks_pod_doc *pod_docs; /* Pod documents, some created by Scenario actions later */
    /* The FGD experiment's workload (ks_fgd_workload): the pods in this run's order, each an
     * index into fgd->pods; those from nfgd_orig on are clones ("<name>-tuned-<i>"). */
    const ks_fgd_workload *fgd;
    uint32_t *fgd_order;
    size_t nfgd, nfgd_orig;
    ks_gpu_series gpu_series;
    ks_time pod_watch_last; /* ks_world_watch_new_pod: the latest delivery so far */
    uint32_t gc_client;         /* the garbage collector's API client (0 until it is needed) */
    /* Nodes added during the run (Scenario addNodes): their kubelets' API clients, which
     * ks_api_add_client appends after the others (node i < initial_nodes has
     * KS_CLIENT_KUBELET0 + i); the pools and how many nodes each has made so far. */
    size_t initial_nodes;
    uint32_t *added_clients;
    const ks_node_pool *pools;
    size_t npools;
    int64_t *pool_made;
    const ks_failure_process *failure_procs; /* Scenario randomFailures */
    size_t nfailure_procs;
    struct ks_nlc *nlc;      /* node lifecycle and taint eviction (nodelifecycle.c) */
    ks_pod_spec **templates; /* templates made by update actions, owned here */
    char **template_hashes;
    size_t ntemplates, templates_cap, hashes_cap;
    struct ks_jobs *jobs; /* the Job and TTL-after-finished controllers (controllers/job.h) */
    struct ks_eps *eps;     /* Services and the EndpointSlice controller (endpointslice.h) */
    struct ks_proxy *proxy; /* kube-proxy on every node (kubeproxy.h) */
    struct ks_workloads *workloads; /* Workload arrival generators (workload.h) */
} ks_world;

/* Builds the cluster at t = 0 (nodes, pre-bound and pending pods, Deployments) and schedules the
 * first events. Returns NULL after printing an error (e.g. a pod's schedulerName has no profile). */
ks_world *ks_world_create(ks_sim *sim, ks_rngs *rngs, const ks_world_params *p);
void ks_world_destroy(ks_world *w);

/* Writes /pods and /nodes (the state at the end of the run) into the trace. */
void ks_world_write_tables(ks_world *w, ks_trace *t);

/* Deletes POD through the API from CLIENT (apiserver.h client ids): an unscheduled pod goes at
 * once; a scheduled one is marked Terminating and its kubelet stops it within
 * terminationGracePeriodSeconds, then removes it (pkg/registry/core/pod/strategy.go
 * CheckGracefulDelete). */
void ks_world_delete_pod(ks_world *w, uint32_t client, uint32_t pod);
/* A pod named NAME from SPEC (borrowed; it must outlive the world) is created now, committed, as
 * a Scenario's create of a Pod: bound at once with spec.nodeName (which must name a node), else
 * delivered to the scheduler by its informer after a watch delay. Returns its row. */
uint32_t ks_world_create_pod(ks_world *w, const char *name, const ks_pod_spec *spec);
/* The kubelet's side of a graceful deletion (kubelet.c). */
void ks_kubelet_pod_deleting(ks_world *w, uint32_t pod);

/* A terminal or deleted pod stops counting on its node; the scheduler, told by its informer,
 * moves the unschedulable pods back to its queues (the AssignedPodDelete cluster event). */
void ks_world_release_pod(ks_world *w, uint32_t pod);

/* The API client of NODE's kubelet. */
static inline uint32_t ks_kubelet_client(const ks_world *w, uint32_t node)
{
    return node < w->initial_nodes ? KS_CLIENT_KUBELET0 + node : w->added_clients[node - w->initial_nodes];
}

/* Scenario addNodes: COUNT more nodes of the NodePool POOL join now, named on from its count,
 * zones round-robin; each kubelet starts its heartbeats, the node lifecycle controller registers
 * it, and the scheduler moves its unschedulable pods (NodeAdd). */
void ks_world_add_nodes(ks_world *w, const char *pool, int64_t count);
/* A node joined: its kubelet starts (Lease and status loop at a random phase). */
void ks_kubelet_start_node(ks_world *w, uint32_t node);

/* Latency of one watch delivery (writes go through w->api: ks_api_call). */
ks_time ks_world_watch(ks_world *w);
/* The scheduler's informer gets POD, created now: after a watch delay, in creation order. */
void ks_world_watch_new_pod(ks_world *w, uint32_t pod);

/* Handlers of the modules (each module registers its own in ks_world_create). */
void ks_controllers_register(ks_world *w);
void ks_controllers_start(ks_world *w);
/* A pod owned by a ReplicaSet stopped being active (terminal or deleting): its informer tells it. */
void ks_controllers_pod_inactive(ks_world *w, uint32_t pod);
/* The Deployment is deleted (kubectl delete, background propagation): the garbage collector
 * deletes its ReplicaSets and their pods (pkg/controller/garbagecollector). */
void ks_controllers_delete_deployment(ks_world *w, uint32_t deployment);
/* A Deployment from SPEC (borrowed; it must outlive the world) is created now, as a Scenario's
 * create would: the controller syncs it once its informer has seen it. Returns its index. */
uint32_t ks_controllers_add_deployment(ks_world *w, const ks_deployment_spec *spec);
/* spec.replicas of a Deployment has been changed to REPLICAS (committed now). */
void ks_controllers_scale(ks_world *w, uint32_t deployment, int32_t replicas);
/* spec.template changed (a new template and its hash, owned by the world): a rollout starts. */
void ks_controllers_update_template(ks_world *w, uint32_t deployment, const ks_pod_spec *tmpl, const char *hash);
/* A pod owned by a ReplicaSet became Ready (READY) or was removed. */
void ks_controllers_pod_changed(ks_world *w, uint32_t pod, bool ready);
void ks_kubelet_register(ks_world *w);
/* Starts every node's Lease renewal and node status loop. */
void ks_kubelet_start(ks_world *w);
/* A pod bound to a node reaches that node's kubelet (after the watch delay). */
void ks_kubelet_watch_pod(ks_world *w, uint32_t pod);
/* NODE fails (Scenario failNodes): its Lease and status stop; with power off its containers die
 * too. Until it recovers its kubelet ignores watch events and container events. */
void ks_kubelet_node_down(ks_world *w, uint32_t node, ks_fail_mode mode);
/* NODE recovers: the kubelet renews its Lease and posts status (Ready) at once, finishes the
 * deletions it missed, starts the pods bound to it meanwhile and, after a power off, starts again
 * the containers of its other pods (restart count + 1). */
void ks_kubelet_node_up(ks_world *w, uint32_t node);


/* Services: a pod's Ready condition changed to READY, as committed to the API — the kubelet's
 * status (probes, a crashed container), or the node lifecycle controller's MarkPodsNotReady when
 * a node stops reporting (pkg/controller/nodelifecycle). The pod's endpoints follow: the
 * EndpointSlice controller sees it after a watch delay and rewrites the slices, and every
 * kube-proxy programs them (endpointslice.h, kubeproxy.h). The change's time starts the
 * network programming latency SLI. Cheap when no Service selects the pod. */
void ks_endpoints_pod_ready_changed(ks_world *w, uint32_t pod, bool ready);
/* Another part of the pod that endpoints depend on changed (its IP reported, deletionTimestamp
 * set, terminal phase, removal); its Ready condition stays as last reported. */
void ks_endpoints_pod_changed(ks_world *w, uint32_t pod);
/* The kube-proxy of NODE stopped (RUNNING false: its node failed) or runs again (it resyncs in
 * full; the changes it missed meanwhile are left out of the network programming SLI). */
void ks_kube_proxy_node_changed(ks_world *w, uint32_t node, bool running);
/* NODE has just joined (Scenario addNodes): its kube-proxy starts with a full sync. */
void ks_kube_proxy_node_added(ks_world *w, uint32_t node);

#endif
