/* spec.h — the desired-state types of Kubernetes objects, as the config gives them.
 *
 * These are what a manifest says (a Node's allocatable, a pod template's containers, a
 * Deployment's replicas), parsed by workloads/config.c and read by the models. Pods made from one
 * template share one ks_pod_spec; the cluster keeps only per-pod dynamic state (cluster.h).
 *
 * Ownership: every string and array here is allocated with ks_malloc under the purpose "config"
 * and freed by the matching *_free function. Specs are immutable once the run starts.
 */
#ifndef KS_SPEC_H
#define KS_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "ks_time.h"

typedef struct ks_kv {
    char *key;
    char *value;
} ks_kv;

/* A label map in the order the manifest wrote it (keys unique). */
typedef struct ks_labels {
    ks_kv *items;
    size_t n;
} ks_labels;

typedef enum ks_taint_effect { KS_NO_SCHEDULE, KS_PREFER_NO_SCHEDULE, KS_NO_EXECUTE } ks_taint_effect;

typedef struct ks_taint {
    char *key;
    char *value; /* "" when absent */
    ks_taint_effect effect;
} ks_taint;

/* A pod toleration (k8s.io/api/core/v1 Toleration). effect -1: every effect (empty upstream). */
typedef enum ks_toleration_op { KS_TOL_EQUAL, KS_TOL_EXISTS } ks_toleration_op;
typedef struct ks_toleration {
    char *key;   /* "" with Exists: every key */
    char *value; /* "" when absent */
    ks_toleration_op op;
    int effect;
    bool has_seconds;
    int64_t seconds;
} ks_toleration;

/* A node selector requirement (NodeSelectorRequirement); field: a matchFields entry, whose only
 * key upstream allows is metadata.name. */
typedef enum ks_selector_op { KS_SEL_IN, KS_SEL_NOT_IN, KS_SEL_EXISTS, KS_SEL_DOES_NOT_EXIST, KS_SEL_GT, KS_SEL_LT } ks_selector_op;
typedef struct ks_node_requirement {
    char *key;
    ks_selector_op op;
    char **values;
    size_t nvalues;
    bool field;
} ks_node_requirement;

/* A NodeSelectorTerm: its requirements are ANDed; a term without any matches no node. */
typedef struct ks_node_term {
    ks_node_requirement *reqs;
    size_t n;
} ks_node_term;

/* A metav1.LabelSelector: matchLabels become In requirements with one value, matchExpressions
 * use In, NotIn, Exists, DoesNotExist. set false: a nil selector, which matches nothing
 * (LabelSelectorAsSelector(nil) is labels.Nothing()); set with no requirement matches everything. */
typedef struct ks_label_selector {
    ks_node_requirement *reqs;
    size_t n;
    bool set;
} ks_label_selector;

/* A TopologySpreadConstraint (k8s.io/api/core/v1), with upstream's defaults: minDomains 1,
 * nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore (podtopologyspread/common.go
 * filterTopologySpreadConstraints). */
typedef struct ks_spread_constraint {
    int32_t max_skew;
    char *topology_key;
    bool do_not_schedule; /* whenUnsatisfiable DoNotSchedule; false: ScheduleAnyway */
    ks_label_selector selector;
    int32_t min_domains;
    bool honor_affinity, honor_taints;
    char **match_label_keys;
    size_t nmatch_label_keys;
} ks_spread_constraint;

/* A PodAffinityTerm, with the weight of a WeightedPodAffinityTerm (0 for required terms).
 * namespaces and namespaceSelector: both empty means the pod's own namespace; a namespace
 * selector is evaluated against the namespace's kubernetes.io/metadata.name label, the only
 * label kubesim's namespaces have. */
typedef struct ks_pod_affinity_term {
    int32_t weight;
    ks_label_selector selector;
    char **namespaces;
    size_t nnamespaces;
    ks_label_selector ns_selector; /* set: namespaceSelector given */
    char *topology_key;
    char **match_label_keys, **mismatch_label_keys;
    size_t nmatch_label_keys, nmismatch_label_keys;
} ks_pod_affinity_term;

/* The four lists of affinity.podAffinity and affinity.podAntiAffinity. */
enum { KS_AFF_REQUIRED, KS_AFF_PREFERRED, KS_ANTI_REQUIRED, KS_ANTI_PREFERRED, KS_AFF_LISTS };

typedef struct ks_preferred_term {
    int32_t weight; /* 1..100 */
    ks_node_term term;
} ks_preferred_term;

typedef enum ks_pull_policy { KS_PULL_IF_NOT_PRESENT, KS_PULL_ALWAYS, KS_PULL_NEVER } ks_pull_policy;

/* A probe's timing (k8s.io/api/core/v1 Probe; defaults from pkg/apis/core/v1/defaults.go
 * SetDefaults_Probe: period 10 s, success 1, failure 3, initial delay 0). What it checks (httpGet,
 * exec …) is not modelled: it succeeds once the app is up (kubesim.io/ready-after). */
typedef struct ks_probe {
    bool set;
    int32_t initial_delay_s, period_s, success_threshold, failure_threshold;
} ks_probe;

/* Extended resources (a domain-qualified name such as nvidia.com/gpu and an integer amount):
 * at most KS_MAX_EXT per container or node. */
#define KS_MAX_EXT 4
typedef struct ks_ext {
    char *name;
    int64_t value;
} ks_ext;

/* A host port a container asks for (ContainerPort with hostPort > 0). protocol: 0 TCP, 1 UDP,
 * 2 SCTP; host_ip "" is 0.0.0.0 (every address). */
typedef struct ks_host_port {
    int32_t port;
    uint8_t protocol;
    char host_ip[40];
} ks_host_port;

typedef struct ks_container {
    char *name;
    char *image;         /* as written; ks_image_ref normalises it for cache lookups */
    ks_pull_policy pull; /* defaulted as upstream: Always for :latest or no tag, else IfNotPresent */
    int64_t image_bytes; /* annotation kubesim.io/image-size or the kubelet default */
    /* Requests: *_set says whether the key was present, which upstream's scoring defaults need. */
    int64_t cpu_milli, mem_bytes, eph_bytes;
    bool cpu_set, mem_set;
    ks_ext ext[KS_MAX_EXT]; /* extended resource requests */
    uint8_t next;
    ks_host_port *host_ports;
    uint8_t nhost_ports;
    ks_probe startup, readiness;
} ks_container;

/* spec.restartPolicy (pkg/apis/core/v1/defaults.go: Always when unset). */
typedef enum ks_restart_policy { KS_RESTART_ALWAYS, KS_RESTART_ON_FAILURE, KS_RESTART_NEVER } ks_restart_policy;

typedef struct ks_pod_spec {
    char *namespace;
    ks_labels labels;
    ks_container *containers;
    size_t ncontainers;
    ks_container *init_containers;
    size_t ninit;
    int64_t overhead_cpu_milli, overhead_mem_bytes;
    int32_t priority;
    char *priority_class; /* spec.priorityClassName, NULL if unset (priority resolved at load) */
    bool preempt_never;   /* preemptionPolicy Never (from the pod or its PriorityClass) */
    char *scheduler_name; /* "default-scheduler" unless set */
    char *node_name;      /* spec.nodeName: "" when unset */
    int64_t termination_grace_ns;
    ks_restart_policy restart_policy;
    /* What the app containers do (kubesim annotations; upstream has no such field):
     * kubesim.io/run-for: how long each container runs before it exits, a distribution drawn at
     * every start (absent: it runs until deleted); kubesim.io/exit-code: the code it exits with
     * (default 0; non-zero is a crash or a failure). */
    /* Scheduling constraints: spec.tolerations, spec.nodeSelector, and
     * affinity.nodeAffinity (required terms ORed; preferred terms weighted). */
    ks_toleration *tolerations;
    size_t ntolerations;
    ks_labels node_selector;
    ks_node_term *required_terms;
    size_t nrequired;
    bool has_required;
    ks_preferred_term *preferred;
    size_t npreferred;
    /* spec.topologySpreadConstraints and affinity.podAffinity / podAntiAffinity. */
    ks_spread_constraint *spread;
    size_t nspread;
    ks_pod_affinity_term *pod_aff[KS_AFF_LISTS];
    size_t npod_aff[KS_AFF_LISTS];

    bool runs_forever;
    ks_dist run_for;
    int32_t exit_code;
    /* kubesim.io/ready-after: how long after a container starts its app answers probes (drawn
     * per start; default 0). has_probes: some container has a startup or readiness probe. */
    ks_dist ready_after;
    bool has_probes;
    /* GPU sharing as the FGD artifact models it (TraceReplay, or the pod annotations
     * alibabacloud.com/gpu-count and alibabacloud.com/gpu-milli): gpu_count GPUs with gpu_milli of
     * each (1000: whole GPUs, which are also requested as nvidia.com/gpu; < 1000: part of one GPU,
     * tracked per GPU in the cluster's GPU table). 0 and 0: only what nvidia.com/gpu asks, if
     * anything (whole GPUs). */
    int32_t gpu_count, gpu_milli;
    /* kubesim.io/max-per-node (no upstream field): at most this many pods of the pod's app — the
     * pods in its namespace with its KS_APP_LABEL value, bound or assumed and not yet gone — per
     * node, checked by the scheduler's MaxPerNode filter (scheduler.c). 0: no cap. */
    int32_t max_per_node;

    /* Derived by ks_pod_spec_finalize, per upstream's rules:
     * effective request = max(sum of app containers, max of init containers) + overhead, per
     * resource (pkg/api/v1/resource/helpers.go PodRequests); the non-zero variant used by the
     * NodeResourcesFit score gives a container without a cpu/memory request 100m / 200Mi
     * (pkg/scheduler/util/pod_resources.go GetNonzeroRequests). */
    int64_t req_cpu_milli, req_mem_bytes, req_eph_bytes;
    int64_t nz_cpu_milli, nz_mem_bytes;
    ks_ext ext_req[2 * KS_MAX_EXT]; /* effective extended requests (names borrowed from containers) */
    uint8_t next_req;
} ks_pod_spec;

/* The label whose value names a pod's app for kubesim.io/max-per-node, and the annotation. */
#define KS_APP_LABEL "app"
#define KS_MAX_PER_NODE_ANNOTATION "kubesim.io/max-per-node"

/* Upstream defaults for the non-zero scoring requests (pkg/scheduler/util/pod_resources.go). */
#define KS_DEFAULT_MILLI_CPU_REQUEST 100
#define KS_DEFAULT_MEMORY_REQUEST (200LL * 1024 * 1024)
/* pkg/apis/core/v1/defaults.go: DefaultTerminationGracePeriodSeconds. */
#define KS_DEFAULT_TERMINATION_GRACE KS_SEC(30)

typedef struct ks_image {
    char *name; /* normalised reference, e.g. "nginx:1.25" */
    int64_t bytes;
} ks_image;

typedef struct ks_node_spec {
    char *name;
    char *pool; /* "" for a plain Node document */
    char *zone; /* label topology.kubernetes.io/zone, "" if none */
    ks_labels labels;
    ks_taint *taints;
    size_t ntaints;
    bool unschedulable;
    bool deleted; /* the Node object was deleted during the run (Scenario delete): in no one's view */
    int64_t cpu_milli, mem_bytes, eph_bytes, pods; /* status.allocatable */
    ks_ext ext[KS_MAX_EXT];                        /* allocatable extended resources */
    uint8_t next;
    ks_image *images;                              /* status.images: pre-pulled */
    size_t nimages;
} ks_node_spec;

typedef struct ks_pod_doc {
    char *name;
    ks_pod_spec spec;
    ks_time at; /* when it is created: 0 for a document, the action's time for a Scenario create */
} ks_pod_doc;

/* A TraceReplay with order: fgd — the FGD experiment's workload (fgd-experiment.md 2.2): per run
 * the trace's pods sorted by name and shuffled, then clones drawn uniformly from them until the
 * GPU request would pass tune_ratio x the cluster's GPU capacity (or originals dropped at random
 * while it is above), created one every INTERVAL from t = 0. No departures. */
typedef struct ks_fgd_workload {
    ks_pod_doc *pods; /* the trace's pods, in file order (at and deletions ignored) */
    size_t npods;
    double tune_ratio;
    ks_time interval;
} ks_fgd_workload;

/* An IntOrString of a rolling update: an absolute count, or a percentage of the replicas. */
typedef struct ks_int_or_percent {
    int32_t value;
    bool percent;
} ks_int_or_percent;

typedef enum ks_deploy_strategy { KS_STRATEGY_ROLLING_UPDATE, KS_STRATEGY_RECREATE } ks_deploy_strategy;

typedef struct ks_deployment_spec {
    char *name;
    char *namespace;
    ks_time at; /* when it is created: 0 for a document, the action's time for a Scenario create */
    int32_t replicas;
    ks_labels selector; /* spec.selector.matchLabels */
    ks_pod_spec template;
    char *template_hash; /* pod-template-hash, from the template's text */
    /* spec.strategy and minReadySeconds; defaults RollingUpdate, 25% / 25%, 0
     * (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment). */
    ks_deploy_strategy strategy;
    ks_int_or_percent max_surge, max_unavailable;
    int32_t min_ready_s;
    int32_t progress_deadline_s;     /* default 600 */
    int32_t revision_history_limit;  /* default 10 */
} ks_deployment_spec;

/* spec.completionMode of a Job (k8s.io/api/batch/v1 CompletionMode). */
typedef enum ks_completion_mode { KS_COMPLETION_NON_INDEXED, KS_COMPLETION_INDEXED } ks_completion_mode;

/* A Job (batch/v1), with upstream's defaults (pkg/apis/batch/v1/defaults.go SetDefaults_Job):
 * completions and parallelism 1 when both are unset; parallelism 1 when only it is unset;
 * completions left unset when only parallelism is set (a work queue: done when a pod succeeded
 * and none is active); backoffLimit 6; completionMode NonIndexed; suspend false. The template's
 * restartPolicy is Never or OnFailure (pkg/apis/batch/validation ValidateJobTemplateSpec). */
typedef struct ks_job_spec {
    char *name, *namespace;
    ks_time at; /* when it is created: 0 for a document, the action's time for a Scenario create */
    int32_t parallelism;
    int32_t completions;             /* -1: unset (work-queue Job) */
    ks_completion_mode completion_mode;
    int32_t backoff_limit;
    int64_t active_deadline_s;       /* -1: unset (no deadline) */
    int64_t ttl_after_finished_s;    /* -1: unset (never deleted) */
    bool suspend;                    /* suspended for the whole run: creates no pod */
    ks_pod_spec template;
} ks_job_spec;

/* A PodDisruptionBudget (policy/v1): minAvailable or maxUnavailable (exactly one), over the pods
 * its selector matches in its namespace. */
typedef struct ks_pdb_spec {
    char *name, *namespace;
    ks_time at; /* when it is created: 0 for a document, the action's time for a Scenario create */
    ks_label_selector selector;
    bool has_min_available;
    ks_int_or_percent min_available, max_unavailable;
} ks_pdb_spec;

typedef struct ks_node_pool {
    char *name;
    int64_t count;
    char **zones;
    size_t nzones;
    ks_node_spec template; /* name, zone filled per node by ks_node_pool_node */
} ks_node_pool;

/* NodeResourcesFit scoring strategies (pkg/scheduler/apis/config/types.go ScoringStrategyType). */
typedef enum ks_fit_strategy { KS_FIT_LEAST_ALLOCATED, KS_FIT_MOST_ALLOCATED, KS_FIT_REQUESTED_TO_CAPACITY_RATIO } ks_fit_strategy;
#define KS_MAX_SHAPE 16
#define KS_MAX_SCORE_EXT 4 /* extended resources named in one scoring resource list */

/* An extended resource in NodeResourcesFitArgs.scoringStrategy.resources or
 * NodeResourcesBalancedAllocationArgs.resources (pkg/scheduler/apis/config/types.go
 * ResourceSpec). */
typedef struct ks_score_ext {
    char name[64];
    int64_t weight;
} ks_score_ext;

/* The score plugins of the FGD experiment (USENIX ATC '23; artifact hkust-adsl/
 * kubernetes-scheduler-simulator pkg/type/const.go names them): each scores nodes for GPU-sharing
 * workloads and has its own rule for which GPUs a pod gets. */
typedef enum ks_gpu_policy {
    KS_GPU_POLICY_NONE,
    KS_GPU_POLICY_RANDOM,     /* RandomScore */
    KS_GPU_POLICY_DOTPROD,    /* DotProductScore */
    KS_GPU_POLICY_CLUSTERING, /* GpuClusteringScore */
    KS_GPU_POLICY_PACKING,    /* GpuPackingScore */
    KS_GPU_POLICY_BESTFIT,    /* BestFitScore */
    KS_GPU_POLICY_FGD,        /* FGDScore */
    KS_GPU_POLICY_COUNT
} ks_gpu_policy;
extern const char *const ks_gpu_policy_plugins[KS_GPU_POLICY_COUNT]; /* plugin names; [0] NULL */

typedef struct ks_sched_profile {
    char *scheduler_name;
    ks_fit_strategy fit_strategy;
    int64_t fit_cpu_weight, fit_mem_weight; /* scoringStrategy.resources; default 1:1 */
    ks_score_ext fit_ext[KS_MAX_SCORE_EXT];  /* ... and the extended resources in that list */
    int nfit_ext;
    /* NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups: extended resources (by name,
     * or by the group before the "/") the Fit filter does not check. */
    char (*fit_ignored)[64];
    int nfit_ignored;
    char (*fit_ignored_groups)[64];
    int nfit_ignored_groups;
    /* NodeResourcesBalancedAllocationArgs.resources: default cpu and memory. */
    bool bal_cpu, bal_mem;
    ks_score_ext bal_ext[KS_MAX_SCORE_EXT];
    int nbal_ext;
    /* requestedToCapacityRatio.shape: utilization 0..100 ascending, score 0..10. */
    int32_t shape_util[KS_MAX_SHAPE], shape_score[KS_MAX_SHAPE];
    int nshape;
    /* Score plugin weights; 0 = the plugin is disabled at the score extension point.
     * Defaults from pkg/scheduler/apis/config/v1/default_plugins.go. */
    int32_t fit_weight, balanced_weight, taint_weight, affinity_weight, image_weight, spread_weight, interpod_weight;
    /* The filters that can be disabled. */
    bool fit_filter, taint_filter, affinity_filter, unschedulable_filter, spread_filter, interpod_filter,
        ports_filter, node_name_filter;
    /* PodTopologySpreadArgs: defaultingType System (the built-in defaults: hostname maxSkew 3,
     * zone maxSkew 5, ScheduleAnyway) or List (spread_defaults, possibly none). */
    bool spread_system_defaulted;
    ks_spread_constraint *spread_defaults;
    size_t nspread_defaults;
    /* InterPodAffinityArgs (pkg/scheduler/apis/config/v1/defaults.go: hardPodAffinityWeight 1). */
    int32_t hard_pod_affinity_weight;
    bool ignore_preferred_terms_of_existing_pods;
    /* DefaultPreemption is enabled (postFilter). */
    bool preemption;
    /* GPU sharing (models/scheduler/gpushare.h): the filter of the FGD artifact's Open-Gpu-Share
     * plugin (on by default: a pod asking part of a GPU needs a GPU with that much free), and at
     * most one of the FGD experiment's six score plugins with its weight (0: none). */
    bool gpu_filter;
    ks_gpu_policy gpu_policy;
    int32_t gpu_weight;
    int32_t percentage_of_nodes_to_score; /* -1: inherit the global value */
} ks_sched_profile;

typedef struct ks_sched_config {
    ks_sched_profile *profiles;
    size_t nprofiles;
    int32_t percentage_of_nodes_to_score; /* 0 = adaptive (upstream default) */
    ks_time pod_initial_backoff, pod_max_backoff;
    /* kubesim compare: the schedulerName of the profile that schedules every pod, whatever the
     * pod's own schedulerName; NULL (the zero value, what the loader leaves) for upstream's
     * behaviour. Not owned: it points at a profile's name. A name rather than an index so that a
     * zero-initialised config means "no override". */
    const char *force_profile;
} ks_sched_config;

/* A timed action of a Scenario. */
typedef enum ks_action_kind {
    KS_ACTION_SCALE,
    KS_ACTION_UPDATE,
    KS_ACTION_FAIL_NODES,
    KS_ACTION_RECOVER_NODES,
    KS_ACTION_CORDON,
    KS_ACTION_UNCORDON,
    KS_ACTION_LABEL,
    KS_ACTION_TAINT,
    KS_ACTION_UNTAINT,
    KS_ACTION_DRAIN,
    KS_ACTION_ADD_NODES,
    KS_ACTION_DELETE,
} ks_action_kind;

/* How a node fails: its power goes (kubelet, leases and containers stop), its kubelet hangs
 * (leases and status stop, containers keep running), it is cut off from the API server (the
 * same, seen from the control plane), or its container runtime goes down (the kubelet lives on,
 * renews its Lease and reports Ready=False; running containers keep running). */
typedef enum ks_fail_mode { KS_FAIL_POWER_OFF, KS_FAIL_KUBELET_HANG, KS_FAIL_PARTITION, KS_FAIL_RUNTIME_DOWN } ks_fail_mode;

/* Which nodes an action applies to: those matching every filter given (names, a label selector,
 * a zone, a pool), then COUNT of them or FRACTION of them (rounded up) drawn at random from the
 * scenario's RNG stream; all of them when neither is given. */
typedef struct ks_node_selection {
    char **names;
    size_t nnames;
    ks_label_selector selector; /* set: given */
    char *zone, *pool;
    int64_t count;   /* -1: not given */
    double fraction; /* < 0: not given */
} ks_node_selection;

typedef struct ks_scenario_action {
    ks_time at;
    ks_action_kind kind;
    char *deployment, *namespace; /* scale, update */
    int32_t replicas;             /* scale */
    char *container, *image;      /* update: a container's image (container NULL: the first) */
    ks_node_selection nodes;      /* the node actions */
    ks_fail_mode mode;            /* failNodes */
    ks_labels labels;             /* label: values to set ("" values included) */
    ks_taint taint;               /* taint / untaint */
    bool any_effect;              /* untaint without an effect: every effect of the key */
    uint8_t object_kind;          /* delete: 0 a Pod (deployment/namespace hold its name), 1 a Node, 2 a Deployment, 3 a Job, 4 a Service, 5 a PodDisruptionBudget */
} ks_scenario_action;

void ks_scenario_action_free(ks_scenario_action *a);

/* A random failure process (Scenario spec.randomFailures): every node of POOL fails after a time
 * drawn from BETWEEN, is repaired after one drawn from REPAIR, fails again after another draw
 * from BETWEEN, and so on, independently of the others (an alternating renewal process). */
typedef struct ks_failure_process {
    char *pool;
    ks_dist between, repair;
    ks_fail_mode mode;
} ks_failure_process;
/* A Service (v1). Only what the EndpointSlice controller and kube-proxy need is kept: the
 * selector (has_selector false: a Service without a selector, whose EndpointSlices someone else
 * manages, so the controller leaves it alone), whether it is headless (clusterIP: None: no
 * virtual IP, so kube-proxy does not program it), and its port count. Every other type
 * (NodePort, LoadBalancer) is modelled as ClusterIP; ExternalName has no endpoints. */
typedef struct ks_service_spec {
    char *name, *namespace;
    ks_time at; /* when it is created: 0 for a document, the action's time for a Scenario create */
    ks_labels selector;
    bool has_selector;
    bool headless;      /* spec.clusterIP: None */
    bool external_name; /* spec.type ExternalName: no selector-managed endpoints */
    int32_t nports;
} ks_service_spec;

void ks_service_spec_free(ks_service_spec *s);

/* The EndpointSlice controller's and kube-proxy's knobs (ControlPlane spec.endpointSliceController
 * and spec.kubeProxy; defaults and sources in ks_timings_default). */
typedef struct ks_service_timings {
    int32_t max_endpoints_per_slice; /* --max-endpoints-per-slice: 100 */
    ks_time endpoint_updates_batch_period; /* --endpointslice-updates-batch-period: 0 */
    ks_time proxy_min_sync_period;   /* iptables.minSyncPeriod: 1 s */
    ks_time proxy_sync_period;       /* iptables.syncPeriod: 30 s (periodic full sync) */
    int32_t proxy_burst_syncs;       /* BoundedFrequencyRunner burst: 2 */
    ks_time proxy_sync_cost_base;    /* per sync (kubesim's cost model) */
    ks_time proxy_sync_cost_per_service;
    ks_time proxy_sync_cost_per_endpoint;
} ks_service_timings;

/* A client's rate limit: client-go's token bucket (rest.Config QPS and Burst). */
typedef struct ks_client_limits {
    double qps;
    int64_t burst;
} ks_client_limits;

/* Latency and duration knobs of the models, each a distribution, and the control plane's rate
 * limits (ControlPlane kind). */
enum { KS_TIE_RANDOM, KS_TIE_NODE_ORDER };

typedef struct ks_timings {
    ks_dist api_write;        /* API server + etcd commit of one write */
    ks_dist watch_delay;      /* from commit to a watcher's handler */
    ks_dist image_pull_latency; /* registry round trips before bytes flow */
    ks_dist image_pull_bandwidth; /* bytes per second */
    int64_t default_image_bytes;
    ks_time pleg_relist_period; /* the kubelet sees container state changes at its next relist; 0: at once */
    int64_t node_lease_duration_s;       /* the node Lease is renewed every quarter of it */
    ks_time node_status_update_frequency; /* how often the kubelet computes node status */
    ks_time node_status_report_frequency; /* posts it unchanged this often (changed: at once) */
    ks_dist container_create;
    ks_dist container_start;
    ks_dist container_stop; /* from SIGTERM to the process's exit; capped by the grace period */
    ks_dist sched_cycle_cost;  /* fixed cost of one scheduling cycle */
    ks_dist sched_node_cost;   /* per node filtered */
    ks_dist sched_score_cost;  /* per node scored (none when a single node is feasible) */
    /* selectHost among nodes with the best score: KS_TIE_RANDOM as upstream (uniform, reservoir);
     * KS_TIE_NODE_ORDER as the FGD artifact's patched scheduler: every node gets a random rank
     * once per run (a random "%04d-" name prefix there) and the lowest rank wins. */
    int sched_tie_break;
    /* Node lifecycle and taint eviction (kube-controller-manager, kube-apiserver admission). */
    ks_time node_monitor_period, node_monitor_grace_period;
    double node_eviction_rate, secondary_node_eviction_rate, unhealthy_zone_threshold;
    int64_t large_cluster_size_threshold;
    int64_t default_not_ready_toleration_s, default_unreachable_toleration_s;
    int64_t max_requests_inflight, max_mutating_requests_inflight; /* 0: no limit */
    ks_client_limits controller_manager, scheduler, kubelet;       /* per client */
    ks_service_timings services; /* EndpointSlice controller and kube-proxy */
} ks_timings;

void ks_timings_default(ks_timings *t);
void ks_timings_free(ks_timings *t);

void ks_labels_free(ks_labels *l);
void ks_label_selector_free(ks_label_selector *s);
void ks_spread_constraint_free(ks_spread_constraint *c);
void ks_pod_affinity_term_free(ks_pod_affinity_term *t);
const char *ks_labels_get(const ks_labels *l, const char *key);
void ks_pod_spec_finalize(ks_pod_spec *s);
void ks_pod_spec_free(ks_pod_spec *s);
/* A deep copy (every string, label and distribution), for a template a Scenario changes. */
void ks_pod_spec_copy(ks_pod_spec *dst, const ks_pod_spec *src);
void ks_node_spec_free(ks_node_spec *s);
void ks_deployment_spec_free(ks_deployment_spec *d);
void ks_pdb_spec_free(ks_pdb_spec *p);
void ks_job_spec_free(ks_job_spec *j);
void ks_node_pool_free(ks_node_pool *p);
void ks_sched_config_default(ks_sched_config *c);
void ks_sched_config_free(ks_sched_config *c);
void ks_sched_profile_free(ks_sched_profile *p);
/* The profile for a pod's schedulerName, or NULL if no profile has that name. With
 * force_profile set, that profile whatever SCHEDULER_NAME says. */
const ks_sched_profile *ks_sched_config_profile(const ks_sched_config *c, const char *scheduler_name);
/* The image reference as upstream's image cache compares it: ":latest" added when there is no
 * tag or digest. Writes into BUF; returns BUF. */
char *ks_image_ref(const char *image, char *buf, size_t bufsize);

/* A Workload (kubesim.io/v1alpha1): an arrival process and a weighted mix of object templates.
 * Each arrival creates one object named "<workload>-<index>" (index from 0) from a template
 * drawn by weight; see models/workload.h for how the arrivals are drawn at run time. */
typedef enum ks_arrival_kind {
    KS_ARRIVAL_TIMES,    /* fixed.times: at each listed time */
    KS_ARRIVAL_INTERVAL, /* fixed.interval: at start, start + interval, ... */
    KS_ARRIVAL_POISSON,  /* poisson.rate: exponential gaps */
    KS_ARRIVAL_DIURNAL,  /* diurnal.rates: a Poisson process whose rate is constant within each hour of the day */
    KS_ARRIVAL_BURSTS,   /* bursts: SIZE arrivals every EVERY, uniform over SPREAD after a jitter */
} ks_arrival_kind;

typedef struct ks_arrival_spec {
    ks_arrival_kind kind;
    ks_time *times; /* TIMES: ascending, each in [start, end) */
    size_t ntimes;
    ks_time interval;    /* INTERVAL */
    double rate;         /* POISSON: arrivals per second, > 0 */
    double rates[24];    /* DIURNAL: arrivals per second during hour h of the day, >= 0, one > 0 */
    ks_time day_offset;  /* DIURNAL: the time of day at simulated time 0, in [0, 24h) */
    ks_time every, spread, jitter; /* BURSTS: spread + jitter <= every */
    int64_t size;                  /* BURSTS: arrivals per burst, >= 1 */
} ks_arrival_spec;

/* What an arrival creates. */
typedef enum ks_workload_object { KS_WORKLOAD_POD, KS_WORKLOAD_JOB, KS_WORKLOAD_DEPLOYMENT } ks_workload_object;

/* One entry of a Workload's mix. Only the spec of OBJECT is set: a Job's or Deployment's name is
 * NULL (each arrival names its own) and a Job template lacks the job-name and controller-uid
 * labels, which each arrival's Job adds (ks_job_spec_add_labels). */
typedef struct ks_workload_template {
    double weight; /* > 0 */
    ks_workload_object object;
    ks_pod_spec pod;
    ks_job_spec job;
    ks_deployment_spec deployment;
    bool has_lifetime; /* the object is deleted this long after it was created */
    ks_dist lifetime;
} ks_workload_template;

typedef struct ks_workload_spec {
    char *name;
    char *namespace;      /* of every object it creates */
    ks_time start, end;   /* arrivals at start <= t < end (end defaults to the experiment's duration) */
    int64_t max_arrivals; /* -1: no cap */
    ks_arrival_spec arrivals;
    ks_workload_template *templates;
    size_t ntemplates;
} ks_workload_spec;

void ks_workload_template_free(ks_workload_template *t);
void ks_workload_spec_free(ks_workload_spec *w);
/* pkg/registry/batch/job/strategy.go generateSelector: the labels job-name,
 * batch.kubernetes.io/job-name, controller-uid and batch.kubernetes.io/controller-uid on J's
 * template (those the user did not set), the UID derived from J's namespace and name. */
void ks_job_spec_add_labels(ks_job_spec *j);

#endif
