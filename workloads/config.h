/* config.h — loading and strictly validating experiment configs (multi-document YAML).
 *
 * Accepted kinds (apiVersion in brackets):
 *   Experiment, NodePool, ControlPlane, Scenario [kubesim.io/v1alpha1] (Scenario: scale, update)
 *   Workload                                    [kubesim.io/v1alpha1] (arrival generators: fixed,
 *                                               poisson, diurnal, bursts; a weighted mix of Pod,
 *                                               Job and Deployment templates; models/workload.h)
 *   TraceReplay                                 [kubesim.io/v1alpha1] (tracereplay.h: its CSV
 *                                               files add nodes, pods and pod deletes; spec.format
 *                                               alibaba-gpu-2023 (default) or
 *                                               alibaba-gpu-2025-dlrm, tracedlrm.h: pods only)
 *   Node, Pod, Service                          [v1]
 *   Deployment                                  [apps/v1]
 *   Job                                         [batch/v1]
 *   PriorityClass                               [scheduling.k8s.io/v1]
 *   PodDisruptionBudget                         [policy/v1]
 *   KubeSchedulerConfiguration                  [kubescheduler.config.k8s.io/v1]
 * Upstream kinds that kubesim does not model (ConfigMap, Secret, ServiceAccount, Namespace, …)
 * are accepted, skipped, and listed once as ignored. Kinds that kubesim will model but this
 * version does not (ReplicaSet, StatefulSet …) are errors that say so: silently dropping them would change the
 * experiment.
 *
 * Validation is strict like `kubectl apply --validate=strict`: unknown fields, wrong types,
 * negative or impossible values are errors; upstream fields kubesim does not model are accepted
 * and each distinct field path is reported once as ignored. Every error names
 * file:line:column, the field path and what was expected, e.g.
 *   web.yaml:12:14: error: Deployment "web": spec.replicas: expected a non-negative integer, got "-3"
 */
#ifndef KS_CONFIG_H
#define KS_CONFIG_H

#include <stdio.h>

#include "spec.h"

typedef struct ks_experiment {
    char *name;
    ks_time duration;        /* default 30m */
    uint64_t seed;           /* default 1 */
    char *output;            /* default "<name>.h5" */
    ks_time sample_interval; /* default 10s */
    int threads;             /* 0 = let OpenMP decide */
} ks_experiment;

/* A PriorityClass (scheduling.k8s.io/v1). */
typedef struct ks_priority_class {
    char *name;
    int32_t value;
    bool global_default;
    bool preempt_never; /* preemptionPolicy: Never */
} ks_priority_class;

typedef struct ks_config {
    ks_experiment experiment;
    bool has_experiment;
    ks_node_pool *pools;
    size_t npools;
    ks_node_spec *nodes; /* plain Node documents */
    size_t nnodes;
    ks_pod_doc *pods;
    size_t npods;
    ks_deployment_spec *deployments;
    size_t ndeployments;
    ks_job_spec *jobs; /* Job documents (batch/v1) */
    size_t njobs;
    ks_priority_class *priority_classes; /* PriorityClass documents */
    size_t npriority_classes;
    ks_pdb_spec *pdbs; /* PodDisruptionBudget documents */
    size_t npdbs;
    ks_service_spec *services; /* Service documents */
    size_t nservices;
    ks_scenario_action *actions; /* every Scenario's, in file order */
    size_t nactions;
    ks_failure_process *failure_procs; /* every Scenario's randomFailures */
    size_t nfailure_procs;
    ks_fgd_workload fgd; /* a TraceReplay with order: fgd (npods 0: none) */
    ks_workload_spec *workloads; /* Workload documents; end resolved to the duration when not given */
    size_t nworkloads;
    ks_sched_config sched;
    ks_timings timings;
    char *text;          /* every file's text, each preceded by "# kubesim: file <path>\n" */
    char **ignored;      /* distinct ignored field paths / kinds, for the note */
    size_t nignored;
} ks_config;

/* Loads and validates the files. On success returns 0 and fills *CFG. On bad input prints every
 * error found (up to 20) to ERR and returns 2; *CFG is then freed/zeroed. Ignored fields are not
 * printed here: see ks_config_print_ignored. */
int ks_config_load(ks_config *cfg, const char *const *paths, size_t npaths, FILE *err);
void ks_config_print_ignored(const ks_config *cfg, FILE *out);
void ks_config_free(ks_config *cfg);


#endif
