/* cluster.h — the authoritative cluster state ("etcd"): node, pod, ReplicaSet and Deployment
 * tables, the global revision, and the Kubernetes Events sink.
 *
 * Pods are rows of dynamic state only; their spec is a pointer to a template shared by every pod
 * made from it (a Deployment's template, a Pod document's spec), so a million pods cost a million
 * small rows. Nodes are a structure of arrays: the scheduler's kernel streams over the columns
 * (allocatable, requested, non-zero requested, pod count) without touching the specs.
 *
 * Every write bumps the global revision and stamps the object's resource_version, as etcd does;
 * the API server model (timings of writes and watches) lives in world.c.
 */
#ifndef KS_CLUSTER_H
#define KS_CLUSTER_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "gpushare.h"
#include "ks_time.h"
#include "spec.h"
#include "trace.h"

#define KS_NONE UINT32_MAX
#define KS_MAX_EXT_CLUSTER 8 /* distinct extended resource names in one cluster */
#define KS_NEVER ((ks_time)-1) /* a step that has not happened; written as NaN in the trace */

/* A time as the trace writes it: seconds, NaN for KS_NEVER. */
static inline double ks_when(ks_time t) { return t == KS_NEVER ? (double)NAN : ks_time_to_sec(t); }

typedef enum ks_pod_phase { KS_PHASE_PENDING, KS_PHASE_RUNNING, KS_PHASE_SUCCEEDED, KS_PHASE_FAILED, KS_PHASE_UNKNOWN } ks_pod_phase;
const char *ks_pod_phase_name(ks_pod_phase p);

typedef struct ks_pod {
    char *name;
    const ks_pod_spec *spec;
    uint32_t owner; /* ReplicaSet index, or KS_NONE for a bare Pod */
    uint32_t node;  /* KS_NONE while unbound */
    /* The steps of the pod's life (KS_NEVER until they happen): created (committed), scheduled
     * (the scheduler's decision), bound (binding committed), kubelet_seen (watch delivered to the
     * node), pull_started / pulled (first image pull asked for, last one done), started (last
     * container started), running (status Running committed), ready (Ready committed), finished,
     * deleted. */
    ks_time created, scheduled, bound, kubelet_seen, pull_started, pulled, started, running, ready, finished,
        deleted;
    ks_time pull_total; /* time spent pulling images (requests to completion), for the SLI */
    uint32_t attempts, restarts;
    uint8_t phase;
    uint8_t queue_state;     /* scheduler.c: which queue holds the pod */
    uint8_t released;        /* its requests no longer count on its node (terminal or deleted) */
    uint8_t admitted;        /* kubelet.c: counted in the node's adm_* sums */
    uint8_t terminating;     /* deletionTimestamp set: graceful deletion under way */
    uint8_t deleted_by_owner; /* the ReplicaSet chose it for deletion (already uncounted) */
    ks_time deletion_requested; /* deletionTimestamp set (KS_NEVER: not being deleted) */
    uint32_t next_container; /* kubelet.c: the container being started */
    ks_time queued_at;       /* scheduler.c: activeQ timestamp (upstream QueuedPodInfo.Timestamp) */
    ks_time backoff_until;
    ks_time pull_requested;  /* kubelet.c: when the current image pull was asked for */
    ks_time pull_began;      /* kubelet.c: when the puller took it */
    uint32_t ctr_base;       /* kubelet.c: first ks_ctr_state of the pod, KS_NONE if none */
    uint32_t unready;        /* kubelet.c: containers whose probes have not passed yet */
    uint32_t pull_next;      /* kubelet.c: the next pod in this node's pull queue */
    uint32_t pclass;         /* its ks_pod_class: what label selectors see of it */
    uint32_t node_prev, node_next; /* the list of pods assigned to its node (KS_NONE ends it) */
    uint32_t nominated;      /* status.nominatedNodeName (KS_NONE: none), set by preemption */
    uint32_t nom_next;       /* the list of pods nominated to that node */
    uint8_t preempted;       /* has the DisruptionTarget condition: a preemption victim */
    uint8_t marked_not_ready; /* Ready=False written by the node lifecycle controller (node lost) */
    uint8_t evicting;        /* an Eviction (drain) was admitted: no longer healthy for PDBs */
    uint8_t counted_ready;   /* counted in ks_cluster.pods_ready (ks_cluster_pod_ready) */
    uint8_t podgc;           /* PodGC is force-deleting it (its node was deleted) */
    uint32_t aff_slot;       /* index in ks_cluster.aff_pods, KS_NONE if not there */
    uint32_t gpu_mask;       /* the GPUs of its node it holds (bit i: GPU i); 0 when none */
    uint64_t resource_version;
} ks_pod;

typedef struct ks_nodes {
    size_t n, cap;
    ks_node_spec *spec;
    /* status.allocatable */
    int64_t *alloc_cpu, *alloc_mem, *alloc_eph, *alloc_pods;
    /* Sums over the pods assigned to the node (bound or assumed by the scheduler): real requests
     * (filter, BalancedAllocation) and non-zero requests (Fit scoring), pkg/scheduler/framework/
     * types.go NodeInfo.Requested / NonZeroRequested. */
    int64_t *req_cpu, *req_mem, *req_eph, *nz_cpu, *nz_mem, *npods;
    /* The kubelet's own view: requests of the pods it has admitted and not yet finished. */
    int64_t *adm_cpu, *adm_mem, *adm_eph, *adm_pods;
    /* Extended resources, KS_MAX_EXT_CLUSTER columns per node (row-major: node * K + id):
     * allocatable, requested by assigned pods, admitted by the kubelet. */
    int64_t *ext_alloc, *ext_req, *ext_adm;
    size_t ext_cap;
    /* Host ports taken by the pods assigned to the node (NodePorts). */
    ks_host_port **ports;
    uint32_t *nports, *ports_cap;
    /* kubelet: images present (interned ids), and the serialized puller's FIFO of pods, linked
     * through ks_pod.pull_next: the head is pulling, the tail is the last request. */
    uint32_t **images;
    int64_t **image_sizes; /* the size of each, in bytes (status.images sizeBytes) */
    uint32_t *nimages, *images_cap;
    uint32_t *pull_tail;
    ks_time *pleg_phase; /* kubelet: when this node's PLEG relists, modulo the period */
    ks_time *lease_renewed;  /* the node Lease's renewTime as last committed */
    ks_time *status_posted;  /* when the kubelet last posted node status */
    uint8_t *status_dirty;   /* node status changed since (e.g. a new image) */
    uint64_t *resource_version;
    uint32_t *pod_head;       /* first pod assigned here (ks_pod.node_next links the rest) */
    uint32_t *nominated_head; /* first pod nominated here (ks_pod.nom_next) */
    size_t nnominated;        /* pods with a nominatedNodeName, all nodes */
    size_t ndeleted;          /* nodes whose Node object was deleted (spec.deleted) */
    /* What caches of per-node results need to stay current (the scheduler's kernel.c):
     * spec_epoch changes whenever a node is added or its spec (labels, taints, unschedulable,
     * allocatable) changes; the change log lists, in order, the nodes whose requested resources
     * or pod count changed. Entry e has the absolute position changes_base + e; the log is
     * emptied (changes_base advanced) when it reaches its cap, so a reader whose position is
     * below changes_base has missed changes. */
    uint64_t spec_epoch;
    uint32_t *changes;
    size_t nchanges, changes_cap;
    uint64_t changes_base;
} ks_nodes;

typedef struct ks_replicaset {
    char *name;
    const char *hash; /* the pod-template-hash label it gives its pods (borrowed) */
    const char *namespace;
    uint32_t deployment;
    const ks_pod_spec *tmpl;
    int32_t replicas;
    uint32_t active;        /* pods created and not terminated, as the controller observed */
    uint32_t expected_adds; /* upstream ControllerExpectations: creates not yet observed */
    uint32_t batch_left;    /* creates of the current slow-start batch still in flight */
    uint32_t batch_size;
    uint32_t created_this_sync;
    bool sync_scheduled;
    bool removed; /* deleted by the Deployment's revisionHistoryLimit clean-up */
    uint64_t resource_version;
} ks_replicaset;

typedef struct ks_deployment {
    const ks_deployment_spec *spec;
    int32_t replicas;      /* spec.replicas as it is now (a Scenario may scale it) */
    const ks_pod_spec *tmpl; /* spec.template as it is now (a Scenario may update it) */
    const char *tmpl_hash; /* its pod-template-hash */
    ks_time next_sync;     /* the earliest pending sync, KS_NEVER if none */
    ks_time last_request;  /* the latest time a sync was asked for */
    bool creating;         /* the new ReplicaSet's create is in flight */
    /* The last rollout (a template change): when it started, completed (every replica updated
     * and available, no old one left), last made progress, and exceeded progressDeadlineSeconds
     * (Progressing=False, ProgressDeadlineExceeded). KS_NEVER when not (yet). */
    ks_time rollout_started, rollout_completed, progress_at, deadline_exceeded;
    uint32_t rs; /* the newest ReplicaSet, KS_NONE until the controller created one */
    uint64_t resource_version;
    /* Ready pods now (Ready, not marked NotReady, not being deleted, not terminal), and since the
     * first node failure or drain of the run: the fewest, and when it last came back to
     * spec.replicas (KS_NEVER: not yet, or never dropped). */
    int32_t ready_now, min_ready;
    ks_time back_at;
    bool dropped;
    bool deleted; /* a Scenario deleted it: no more syncs; the garbage collector removes the rest */
} ks_deployment;

/* One Kubernetes Event, as written to /events. */
typedef struct ks_event_row {
    double time;
    const char *kind, *namespace, *name, *type, *reason, *message, *source;
    uint32_t count;
} ks_event_row;

/* Pods as label selectors see them: same namespace and the same labels (the template's, plus the
 * pod-template-hash their ReplicaSet adds). PodTopologySpread and InterPodAffinity count matching
 * pods per node through these groups: a selector is evaluated once per group, not once per pod.
 * live: per node, pods assigned there (bound or assumed), not terminating, not released;
 * terminating: assigned, with a deletionTimestamp, not yet released. Both are NULL until the
 * first such pod; they have one entry per node. */
typedef struct ks_pod_class {
    const char *namespace;
    const ks_labels *labels;
    const char *template_hash; /* NULL: no pod-template-hash label */
    int32_t *live, *terminating;
    int64_t nlive, nterminating;
    /* The nodes where the class has pods (live or terminating), as a sparse set: occ[0..nocc)
     * and occ_at[node] its index there. */
    uint32_t *occ, *occ_at;
    uint32_t nocc;
    size_t occ_cap;
    uint32_t app; /* its ks_app_group; KS_NONE without a KS_APP_LABEL label */
} ks_pod_class;

/* The pods of one app: the classes with the same namespace and KS_APP_LABEL value. The
 * MaxPerNode filter (kubesim.io/max-per-node) counts an app's pods on a node as the sum of its
 * classes' live and terminating counts there — no per-node array of its own, so an app costs a
 * list of class ids. */
typedef struct ks_app_group {
    const char *namespace, *app; /* borrowed from its first class's spec */
    uint32_t *classes;
    uint32_t nclasses;
    size_t classes_cap;
} ks_app_group;

/* A node label key's values, interned per key (for topology domains). dom[node] is the id of the
 * node's value; a node without the label gets the id of "" (as a Go map lookup returns "") and
 * has[node] = 0. */
typedef struct ks_topology {
    char *key;
    uint32_t *dom;
    uint8_t *has;
    uint32_t ndom;
} ks_topology;

/* GPUs per node as the FGD artifact tracks them (gpushare.h): free milli of every GPU, the cpu
 * left, the model and GpuClustering's tag counts; the pods' GPUs are in ks_pod.gpu_mask. Kept
 * current by every assign and release (ks_gpu_account). A node's GPUs are its nvidia.com/gpu
 * allocatable; a node with more than KS_GPU_MAX of them is "untracked": whole-GPU pods still
 * fit there by NodeResourcesFit, GPU-sharing pods do not (the artifact's MaxNumGpuPerNode). */
typedef struct ks_gpu_table {
    ks_gpu_node *node; /* per node */
    double *frag;      /* FGD's F_n per node, over the typical pods (0 without them) */
    uint64_t *version; /* per node: changes whenever its GPU state does (caches of scores) */
    uint8_t *untracked;
    size_t cap;
    char *models[KS_GPU_MODEL_UNKNOWN]; /* interned model label values; id = index */
    int nmodels;
    int64_t capacity_milli; /* Σ 1000 x GPUs of the tracked nodes */
    int64_t used_milli;     /* Σ milli held by assigned pods */
    ks_gpu_typical *typical; /* FGD's typical pods M with their frequencies */
    size_t ntypical;
} ks_gpu_table;

typedef struct ks_cluster {
    uint64_t revision;
    ks_nodes nodes;
    ks_pod *pods;
    size_t npods, pods_cap;
    ks_replicaset *rs;
    size_t nrs, rs_cap;
    ks_deployment *deployments;
    size_t ndeployments;
    size_t deployments_cap; /* 0 until a Deployment is added during the run */
    const ks_pdb_spec *pdbs; /* PodDisruptionBudgets (the config's) */
    uint8_t *pdb_live;       /* per PDB: it exists now (a Scenario may create or delete one) */
    size_t npdbs;
    char *ext_names[KS_MAX_EXT_CLUSTER]; /* interned extended resource names; id = index */
    int next;
    char **images; /* interned image references; id = index */
    uint32_t *image_nodes; /* how many nodes have each image (ImageLocality's spread factor) */
    size_t nimages, images_cap, image_nodes_cap;

    ks_pod_class *classes;
    size_t nclasses, classes_cap;
    uint32_t *class_slots; /* open-addressing table of class ids (KS_NONE: empty) */
    size_t class_slots_cap;
    size_t class_nodes_cap; /* entries of each class's live / terminating arrays */
    ks_app_group *apps;
    size_t napps, apps_cap;
    uint32_t *app_slots; /* open-addressing table of app group ids (KS_NONE: empty) */
    size_t app_slots_cap;
    /* Pods by namespace and name (ks_cluster_find_pod): an open-addressing table of the newest
     * row of each name, and per row the next older row with the same name (KS_NONE ends it). */
    uint32_t *name_slots;
    size_t name_slots_cap;
    uint32_t *name_older;
    size_t name_older_cap;
    /* Assigned, unreleased pods with pod affinity or anti-affinity terms (upstream
     * NodeInfo.PodsWithAffinity, over all nodes). */
    uint32_t *aff_pods;
    size_t naff_pods, aff_pods_cap;
    ks_topology **topologies; /* cached by key (stable addresses); rebuilt when nodes change */
    size_t ntopologies;
    size_t topology_nodes; /* node count the cache was built for */

    ks_gpu_table gpu;

    /* Aggregates kept incrementally for /cluster_series and the summary. */
    int64_t pods_pending, pods_running, pods_scheduled, pods_deleted;
    int64_t pods_ready;     /* Ready and serving: see ks_cluster_pod_ready */
    ks_time incident_start; /* the first node failure or drain (KS_NEVER: none) */
    int64_t cpu_requested, mem_requested, cpu_allocatable, mem_allocatable;

    /* Events: the trace table (NULL when not tracing) and the correlator's counts. */
    ks_table *events;
    uint64_t *ev_keys;
    uint32_t *ev_counts;
    size_t ev_cap, ev_used;
    uint64_t events_emitted;
} ks_cluster;

void ks_cluster_init(ks_cluster *c);
void ks_cluster_free(ks_cluster *c);

/* Appends a node built from SPEC (the table takes ownership of the spec's contents). */
uint32_t ks_cluster_add_node(ks_cluster *c, ks_node_spec *spec, ks_time now);
/* Appends a pod row (Pending, unbound); the name is copied. */
uint32_t ks_cluster_add_pod(ks_cluster *c, const char *name, const ks_pod_spec *spec, uint32_t owner, ks_time now);
/* The pod named NAME in namespace NS that a delete by name acts on: the first row with that name
 * that is neither deleted nor terminating; KS_NONE if none. O(1) (a hash of the names, kept as
 * pods are added), where `kubectl delete pod` replays of a trace would otherwise scan every pod. */
uint32_t ks_cluster_find_pod(const ks_cluster *c, const char *ns, const char *name);
/* The app group of APP in namespace NS (KS_NONE: no pod of that app was ever added), and how many
 * of its pods are assigned to NODE and not released (terminating ones included). */
uint32_t ks_cluster_find_app(const ks_cluster *c, const char *ns, const char *app);
int64_t ks_cluster_app_pods_on(const ks_cluster *c, uint32_t app, uint32_t node);
/* Accounts POD's requests on NODE (assume or bind) / releases them. */
void ks_cluster_assign(ks_cluster *c, uint32_t pod, uint32_t node);
/* Stops counting a terminal or deleted pod's requests on its node (once; the node is kept). */
bool ks_cluster_release(ks_cluster *c, uint32_t pod);
/* What-if for preemption: take an assigned pod's requests off its node and put them back
 * (p->node is kept). */
void ks_cluster_detach(ks_cluster *c, uint32_t pod);
void ks_cluster_attach(ks_cluster *c, uint32_t pod);
/* The pod's metadata.uid: a UUID derived from its namespace, name and row (deterministic). */
void ks_pod_uid(const ks_cluster *c, uint32_t pod, char *buf, size_t size);
/* A pod starts (READY) or stops counting as ready: its Ready condition was written True, or it
 * was marked NotReady, is being deleted or finished. Keeps pods_ready and its Deployment's
 * ready_now / min_ready / back_at current; idempotent. */
void ks_cluster_pod_ready(ks_cluster *c, uint32_t pod, bool ready, ks_time now);
/* The first node failure or drain: the Deployments' minimum and recovery are measured from now. */
void ks_cluster_incident(ks_cluster *c, ks_time now);

/* ---- GPUs (gpu.c) ---- */
/* The pod's GPU request as the GPU table sees it: cpu, gpu_count x gpu_milli (whole GPUs for a
 * pod that only asks nvidia.com/gpu) and the allowed models (a required node affinity on
 * KS_GPU_MODEL_LABEL; a model no node has gets KS_GPU_MODEL_UNKNOWN's bit, which no node has). */
ks_gpu_pod ks_gpu_pod_of(const ks_cluster *c, const ks_pod_spec *ps);
/* Adds node I's GPUs to the table (from ks_cluster_add_node). */
void ks_gpu_add_node(ks_cluster *c, uint32_t i);
/* POD's GPUs and cpu taken from (SIGN +1) or given back to (-1) its node: its gpu_mask, chosen
 * by the scheduler; a pod bound without it (spec.nodeName) gets the best-fit GPUs. */
void ks_gpu_account(ks_cluster *c, uint32_t pod, int sign);
/* FGD's typical pods from the request specs PODS[0..N) (ks_gpu_typical_pods, 95 %), and every
 * node's F_n over them. */
void ks_gpu_set_typical(ks_cluster *c, const ks_gpu_pod *pods, size_t n);
/* Σ_n F_n over the tracked nodes (exact: summed in node order each time). */
double ks_gpu_cluster_frag_milli(const ks_cluster *c);
void ks_gpu_free(ks_gpu_table *g);

/* Node spec changes (scenario actions, the node lifecycle controller), each committed now: the
 * node's resourceVersion and ks_nodes.spec_epoch move. Adding a taint that is there (same key and
 * effect) or removing one that is not returns false and changes nothing; EFFECT -1 in remove:
 * every effect of KEY. */
bool ks_cluster_node_add_taint(ks_cluster *c, uint32_t node, const char *key, const char *value, ks_taint_effect effect);
bool ks_cluster_node_remove_taint(ks_cluster *c, uint32_t node, const char *key, int effect);
bool ks_cluster_node_has_taint(const ks_cluster *c, uint32_t node, const char *key, ks_taint_effect effect);
void ks_cluster_node_set_unschedulable(ks_cluster *c, uint32_t node, bool on);
void ks_cluster_node_set_label(ks_cluster *c, uint32_t node, const char *key, const char *value);
/* The Node object is deleted: it stays in the tables (indices are stable) marked deleted, which
 * the scheduler, the node lifecycle controller and the summaries skip. */
void ks_cluster_node_delete(ks_cluster *c, uint32_t node);

/* Sets (NODE) or clears (KS_NONE) a pod's nominatedNodeName. */
void ks_cluster_nominate(ks_cluster *c, uint32_t pod, uint32_t node);
uint32_t ks_cluster_image_id(ks_cluster *c, const char *ref);
/* The id of an extended resource name, interned on first use; -1 if the name is unknown and
 * (for find) not interned, or the table is full. */
int ks_cluster_ext_id(ks_cluster *c, const char *name);
int ks_cluster_find_ext(const ks_cluster *c, const char *name);
/* The id of an image reference already known, or KS_NONE (then no node has it). */
uint32_t ks_cluster_find_image(const ks_cluster *c, const char *ref);
bool ks_node_has_image(const ks_cluster *c, uint32_t node, uint32_t image);
void ks_node_add_image(ks_cluster *c, uint32_t node, uint32_t image, int64_t bytes);
/* The size of IMAGE on NODE, or -1 if the node does not have it. */
int64_t ks_node_image_bytes(const ks_cluster *c, uint32_t node, uint32_t image);
uint64_t ks_cluster_bump(ks_cluster *c);
/* The pod's deletionTimestamp is set: selectors that skip terminating pods stop counting it. */
void ks_cluster_set_terminating(ks_cluster *c, uint32_t pod);
/* A label of a pod class (the pod-template-hash included); NULL if absent. */
const char *ks_pod_class_label(const ks_pod_class *k, const char *key);
/* The topology of a node label key (interned on first use; valid until nodes change). */
const ks_topology *ks_cluster_topology(ks_cluster *c, const char *key);

/* Records a Kubernetes Event. Identical events (same object, reason and message) are aggregated
 * like client-go's EventCorrelator: the row's count is the number of occurrences so far. */
void ks_cluster_event(ks_cluster *c, ks_time now, const char *kind, const char *namespace, const char *name,
                      const char *type, const char *reason, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

#endif
