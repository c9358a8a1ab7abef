/* job.h — the Job controller and the TTL-after-finished controller (kube-controller-manager),
 * with the garbage collector's cascading deletion of a Job's pods.
 *
 * The module owns its Job table (one ks_job per Job document, created at t = 0) and a side table
 * that maps pod rows to the Job that created them; pods themselves stay ordinary ks_pod rows
 * (owner KS_NONE: they belong to no ReplicaSet). The world creates the module after its other
 * controllers and frees it in ks_world_destroy.
 *
 * Hooks the rest of the world calls (each O(1); the watch latency is added here):
 *   ks_jobs_pod_inactive  a pod became Succeeded or Failed, or got a deletionTimestamp;
 *   ks_jobs_pod_updated   a pod's container status changed (restartCount, for OnFailure).
 * Both return at once for pods no Job owns.
 *
 * Output: /jobs (ks_jobs_write_table) and the completion-time percentiles of the summary.
 */
#ifndef KS_JOB_H
#define KS_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_time.h"
#include "spec.h"
#include "trace.h"

struct ks_world;

/* The final condition of a Job (status.conditions: Complete or Failed, True). */
typedef enum ks_job_condition { KS_JOB_RUNNING, KS_JOB_COMPLETE, KS_JOB_FAILED } ks_job_condition;

typedef struct ks_job {
    const ks_job_spec *spec;
    /* status.startTime (first sync), status.completionTime (Complete only), the terminal
     * condition's lastTransitionTime (the sync that decided it; the status write commits one API
     * write later), when the Job was deleted (TTL): KS_NEVER until they happen. */
    ks_time start, completion, finished, deleted;
    int32_t active, succeeded, failed; /* as the controller counts them */
    ks_job_condition condition;
    const char *reason;  /* of the final condition ("" while running) */
    const char *failing; /* a failure decided while creates were unobserved: kept for the next sync */
    bool finishing;      /* the final condition is decided, its status write is in flight */
    bool suspended;      /* the Suspended condition has been recorded */
    bool dirty;          /* a sync came while the creating sync's batches were in flight */
    /* ControllerExpectations and the slow-start batch of the current sync. */
    uint32_t expected_adds, batch_left, batch_size, sync_left, created_this_sync;
    /* pkg/controller/job/backoff_utils.go backoffRecord: failures since the last success and
     * the latest of their finish times. */
    int32_t failures_since_success;
    ks_time last_failure;
    ks_time next_sync;   /* the pending sync of the work queue, KS_NEVER if none */
    uint8_t *index_state; /* Indexed: per completion index, 0 pending, 1 active, 2 succeeded */
    int32_t pending_indexes; /* Indexed: indexes in state 0 */
    int32_t index_cursor;    /* Indexed: no index below it is pending (a failure moves it back) */
    uint32_t *pods;      /* every pod the Job created, in creation order */
    size_t npods, pods_cap;
} ks_job;

typedef struct ks_jobs ks_jobs;

/* Builds the Job table from SPECS (borrowed; they must outlive the world), registers the
 * handlers and the API clients (job-controller, ttl-after-finished-controller,
 * garbage-collector: each its own controllerManager token bucket), and queues each Job's first
 * sync for when the controller's informer sees it. */
ks_jobs *ks_jobs_create(struct ks_world *w, const ks_job_spec *specs, size_t n);
void ks_jobs_destroy(ks_jobs *j);
/* kubectl delete job NAME -n NAMESPACE (a Scenario action): the DELETE through CLIENT, then the
 * garbage collector deletes its pods; no-op when there is no such Job (NotFound). */
void ks_jobs_delete(struct ks_world *w, const char *name, const char *namespace, uint32_t client);

/* A Job from SPEC (borrowed; it must outlive the world) is created now, as a Scenario's create
 * would: the controller syncs it once its informer has seen it. Returns its index. */
uint32_t ks_jobs_add(struct ks_world *w, const ks_job_spec *spec);
/* kubectl delete of the Job with index JOB through CLIENT (no-op when already deleted). */
void ks_jobs_delete_job(struct ks_world *w, uint32_t job, uint32_t client);

bool ks_jobs_pod_inactive(struct ks_world *w, uint32_t pod);
void ks_jobs_pod_updated(struct ks_world *w, uint32_t pod);

/* The Job that owns POD (NULL if none) and, for an Indexed Job, its completion index (-1
 * otherwise): what /pods writes as the owner. */
const ks_job *ks_jobs_pod_owner(const ks_jobs *j, uint32_t pod, int32_t *index);

size_t ks_jobs_count(const ks_jobs *j);
const ks_job *ks_jobs_get(const ks_jobs *j, size_t i);

/* p50 and p99 of completionTime - startTime over the Complete Jobs (NaN when none); *N gets
 * their number. */
void ks_jobs_completion_percentiles(const ks_jobs *j, double out[2], size_t *n);

/* /jobs: one row per Job at the end of the run (docs/TRACE_FORMAT.md). */
void ks_jobs_write_table(const ks_jobs *j, ks_trace *t);

#endif
