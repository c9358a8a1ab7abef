/* job.c — the Job controller, the TTL-after-finished controller and the garbage collector's
 * cascading deletion of a Job's pods (kube-controller-manager v1.31). See job.h.
 *
 * Job controller (pkg/controller/job/job_controller.go syncJob, manageJob). One sync:
 *   1. The first sync sets status.startTime.
 *   2. Failure: failed > backoffLimit, or for restartPolicy OnFailure the restartCounts of the
 *      Pending and Running pods summing to >= backoffLimit (> 0 when the limit is 0:
 *      pastBackoffLimitOnFailure), is BackoffLimitExceeded "Job has reached the specified
 *      backoff limit"; otherwise now - startTime >= activeDeadlineSeconds is DeadlineExceeded
 *      "Job was active longer than specified deadline" (pastActiveDeadline), and a Job with a
 *      deadline not yet reached is synced again when it falls due. A failing Job has its active
 *      pods deleted (deleteActivePods), which count as failed, then the Failed condition and a
 *      Warning event with the condition's reason and message.
 *   3. Otherwise, once its expectations are met, manageJob: the wanted active count is
 *      min(completions - succeeded, parallelism) (>= 0), or for a Job without completions (a
 *      work queue) parallelism until a pod has succeeded and then the active count itself. Pods
 *      missing are created — unless the pod-failure back-off has not elapsed, in which case the
 *      Job is synced again when it has (at least syncJobBatchPeriod later) — at most
 *      MaxPodCreateDeletePerSync = 500 per sync, in slow-start batches 1, 2, 4 … (each issued at
 *      once, the next when the whole batch has returned), each recorded as SuccessfulCreate
 *      "Created pod: <name>" (pkg/controller/controller_utils.go RealPodControl). Indexed Jobs
 *      create the lowest completion indexes that have neither succeeded nor an active pod
 *      (firstPendingIndexes); a failed index goes back to pending and is retried.
 *   4. Complete when succeeded >= completions (for a work queue: succeeded > 0) and no pod is
 *      active: the Complete condition, then Normal "Completed" "Job completed"
 *      (recordJobFinished).
 * The status write goes through the API; the condition, completionTime and the event take effect
 * when it commits. The informer's pod events (a pod created, finished, deleted, its container
 * status changed) queue a sync syncJobBatchPeriod = 1 s later; the work queue keeps one pending
 * sync per Job, the earliest asked for, as client-go's delaying queue does.
 *
 * Pod-failure back-off (pkg/controller/job/backoff_utils.go): the controller keeps, per Job, the
 * number of failures since the last success and the latest failure's finish time F (the pod's
 * last container FinishedAt, or its deletion time); the next pod is created no earlier than
 * F + min(DefaultJobPodFailureBackOff × 2^(n−1), MaxJobPodFailureBackOff) = 10 s, 20 s … capped
 * at 10 min (getRemainingTime). Simplification: a success resets the record whatever the order of
 * finish times (upstream keeps failures that finished after the latest success).
 *
 * TTL-after-finished (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go): a finished
 * Job with ttlSecondsAfterFinished is deleted (propagationPolicy Foreground) at its finish time
 * + TTL, or when the controller sees it finished if that is later. The garbage collector then
 * deletes the Job's pods (pkg/controller/garbagecollector), through its own client.
 *
 * Not modelled: suspend/resume during the run (a suspended Job stays suspended and creates no
 * pod), podFailurePolicy, successPolicy, backoffLimitPerIndex, podReplacementPolicy, the
 * FailureTarget/SuccessCriteriaMet interim conditions and the wait for terminating pods before
 * the terminal condition (v1.31 JobPodReplacementPolicy), the per-pod completion-index label and
 * annotation (the index is kept with the pod and shown in its name). The template's job-name and
 * controller-uid labels are added when the config is loaded (workloads/config.c).
 */
#include "job.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "stats.h"
#include "world.h"

/* pkg/controller/job/job_controller.go. */
#define SYNC_JOB_BATCH_PERIOD KS_SEC(1)            /* syncJobBatchPeriod */
#define DEFAULT_POD_FAILURE_BACKOFF KS_SEC(10)     /* DefaultJobPodFailureBackOff */
#define MAX_POD_FAILURE_BACKOFF KS_SEC(600)        /* MaxJobPodFailureBackOff (10 min since v1.28) */
#define MAX_POD_CREATE_DELETE_PER_SYNC 500         /* MaxPodCreateDeletePerSync */

/* The failure reasons and messages of syncJob (batch.JobReasonBackoffLimitExceeded,
 * batch.JobReasonDeadlineExceeded). */
static const char BACKOFF_LIMIT_EXCEEDED[] = "BackoffLimitExceeded";
static const char DEADLINE_EXCEEDED[] = "DeadlineExceeded";

static const char *failure_message(const char *reason)
{
    return reason == DEADLINE_EXCEEDED ? "Job was active longer than specified deadline"
                                       : "Job has reached the specified backoff limit";
}

/* Per pod row, what the Job controller knows of it. */
enum { POD_OBSERVED = 1, POD_GONE = 2 };
/* Informer deliveries. */
enum { OBS_CREATED, OBS_FINISHED, OBS_UPDATED };

struct ks_jobs {
    ks_world *w;
    ks_job *jobs;
    size_t njobs, jobs_cap; /* jobs_cap: 0 until a Job is added during the run */
    uint32_t *pod_job;   /* pod row -> Job index, KS_NONE; rows past npod are no Job's */
    int32_t *pod_index;  /* completion index, -1 for NonIndexed */
    uint8_t *pod_flags;
    size_t npod, pod_cap;
    uint32_t client, ttl_client, gc_client;
    uint32_t ev_sync, ev_created, ev_observe, ev_deleted, ev_status, ev_ttl, ev_job_deleted, ev_gc;
};

static ks_mem_id mem_jobs;

static ks_job *job_of(ks_jobs *J, uint32_t pod)
{
    return pod < J->npod && J->pod_job[pod] != KS_NONE ? &J->jobs[J->pod_job[pod]] : NULL;
}

static bool job_done(const ks_job *j) { return j->finishing || j->condition != KS_JOB_RUNNING || j->deleted != KS_NEVER; }

/* The work queue: one pending sync per Job, at the earliest time asked for
 * (client-go util/workqueue delaying_queue.go keeps the earlier ready time of a waiting key). */
static void request_sync(ks_jobs *J, uint32_t job, ks_time delay)
{
    ks_job *j = &J->jobs[job];
    ks_time at = ks_sim_now(J->w->sim) + delay;
    if (j->next_sync != KS_NEVER && j->next_sync <= at) return;
    j->next_sync = at;
    ks_sim_at(J->w->sim, at, J->ev_sync, job, 0);
}

/* backoffRecord.getRemainingTime. */
static ks_time backoff_remaining(const ks_job *j, ks_time now)
{
    if (j->failures_since_success == 0) return 0;
    ks_time d = DEFAULT_POD_FAILURE_BACKOFF;
    for (int32_t i = 1; i < j->failures_since_success; i++) {
        d *= 2;
        if (d >= MAX_POD_FAILURE_BACKOFF) {
            d = MAX_POD_FAILURE_BACKOFF;
            break;
        }
    }
    ks_time elapsed = now - j->last_failure;
    return d < elapsed ? 0 : d - elapsed;
}

static bool pod_active(const ks_jobs *J, uint32_t pod)
{
    const ks_pod *p = &J->w->cluster.pods[pod];
    return (J->pod_flags[pod] & (POD_OBSERVED | POD_GONE)) == POD_OBSERVED && p->deleted == KS_NEVER &&
           !p->terminating && p->phase != KS_PHASE_SUCCEEDED && p->phase != KS_PHASE_FAILED;
}

/* pastBackoffLimitOnFailure. */
static bool past_backoff_limit_on_failure(const ks_jobs *J, const ks_job *j)
{
    if (j->spec->template.restart_policy != KS_RESTART_ON_FAILURE) return false;
    int64_t restarts = 0;
    for (size_t i = 0; i < j->npods; i++) {
        const ks_pod *p = &J->w->cluster.pods[j->pods[i]];
        if (p->deleted == KS_NEVER && (p->phase == KS_PHASE_PENDING || p->phase == KS_PHASE_RUNNING))
            restarts += p->restarts;
    }
    return j->spec->backoff_limit == 0 ? restarts > 0 : restarts >= j->spec->backoff_limit;
}

/* DELETE of one of the Job's pods through CLIENT; the arg says who asks (0 the Job controller,
 * 1 the garbage collector). */
static void delete_pod(ks_jobs *J, uint32_t pod, uint32_t client, uint64_t who)
{
    J->pod_flags[pod] |= POD_GONE;
    ks_api_call(&J->w->api, ks_sim_now(J->w->sim), client, KS_VERB_DELETE, J->ev_deleted, pod, who);
}

/* deleteActivePods; trackJobStatusAndRemoveFinalizers counts every pod that had not terminated
 * as failed once the Job is finished. */
static void delete_active(ks_jobs *J, ks_job *j)
{
    for (size_t i = 0; i < j->npods; i++) {
        if (!pod_active(J, j->pods[i])) continue;
        delete_pod(J, j->pods[i], J->client, 0);
        j->active--;
        j->failed++;
    }
}

/* The terminal condition is decided: delete the active pods (a failure), then write the status.
 * A failing Job whose expectations are not met yet deletes what it sees and decides again at
 * the sync that the last observed create queues (syncJob: "deleted != active ||
 * !satisfiedExpectations"). */
static void finish(ks_jobs *J, uint32_t job, ks_job_condition cond, const char *reason)
{
    ks_job *j = &J->jobs[job];
    if (cond == KS_JOB_FAILED) {
        delete_active(J, j);
        if (j->expected_adds) {
            j->failing = reason;
            return;
        }
    }
    /* The condition's lastTransitionTime, and completionTime for Complete, are the sync's clock
     * (enactJobFinished); the status write makes them visible, and the event follows it
     * (recordJobFinished). */
    ks_time now = ks_sim_now(J->w->sim);
    j->finishing = true;
    j->condition = cond;
    j->reason = reason;
    j->finished = now;
    if (cond == KS_JOB_COMPLETE) j->completion = now;
    ks_api_call(&J->w->api, ks_sim_now(J->w->sim), J->client, KS_VERB_UPDATE, J->ev_status, job, 0);
}

static void issue_batch(ks_jobs *J, uint32_t job, uint32_t size)
{
    ks_job *j = &J->jobs[job];
    j->batch_size = size;
    j->batch_left = size;
    j->expected_adds += size;
    for (uint32_t k = 0; k < size; k++) {
        uint64_t arg = 0;
        if (j->spec->completion_mode == KS_COMPLETION_INDEXED) {
            /* firstPendingIndexes: the lowest index neither succeeded nor active. The cursor
             * makes a whole Job's creates O(completions), not O(completions^2). */
            int32_t idx = j->index_cursor;
            while (idx < j->spec->completions && j->index_state[idx] != 0) idx++;
            j->index_cursor = idx;
            if (idx < j->spec->completions) {
                j->index_state[idx] = 1;
                j->pending_indexes--;
            }
            arg = (uint64_t)idx + 1;
        }
        ks_api_call(&J->w->api, ks_sim_now(J->w->sim), J->client, KS_VERB_CREATE, J->ev_created, job, arg);
    }
}

static void sync_job(ks_jobs *J, uint32_t job)
{
    ks_job *j = &J->jobs[job];
    const ks_job_spec *s = j->spec;
    ks_time now = ks_sim_now(J->w->sim);
    if (job_done(j)) return;
    if (s->suspend) {
        /* syncJob: a suspended Job gets the Suspended condition, "Suspended" "Job suspended",
         * no startTime and no pod. */
        if (!j->suspended)
            ks_cluster_event(&J->w->cluster, now, "Job", s->namespace, s->name, "Normal", "Suspended", "job-controller",
                             "Job suspended");
        j->suspended = true;
        return;
    }
    if (j->batch_left) { /* a sync of the same key never runs concurrently: after the batches */
        j->dirty = true;
        return;
    }
    if (j->start == KS_NEVER) j->start = now;
    if (j->failing) {
        finish(J, job, KS_JOB_FAILED, j->failing);
        return;
    }
    if (j->failed > s->backoff_limit || past_backoff_limit_on_failure(J, j)) {
        finish(J, job, KS_JOB_FAILED, BACKOFF_LIMIT_EXCEEDED);
        return;
    }
    if (s->active_deadline_s >= 0) {
        ks_time deadline = j->start + KS_SEC(s->active_deadline_s);
        if (now >= deadline) {
            finish(J, job, KS_JOB_FAILED, DEADLINE_EXCEEDED);
            return;
        }
        request_sync(J, job, deadline - now);
    }
    if (j->expected_adds) return; /* SatisfiedExpectations: the last observed create resyncs */
    int32_t want;
    if (s->completions < 0) {
        want = j->succeeded > 0 ? j->active : s->parallelism;
    } else {
        want = s->completions - j->succeeded;
        if (want > s->parallelism) want = s->parallelism;
        if (want < 0) want = 0;
    }
    int32_t diff = want - j->active;
    if (diff > 0) {
        ks_time remaining = backoff_remaining(j, now);
        if (remaining > 0) {
            /* enqueueSyncJobWithDelay: never sooner than syncJobBatchPeriod. */
            request_sync(J, job, remaining > SYNC_JOB_BATCH_PERIOD ? remaining : SYNC_JOB_BATCH_PERIOD);
            return;
        }
        if (diff > MAX_POD_CREATE_DELETE_PER_SYNC) diff = MAX_POD_CREATE_DELETE_PER_SYNC;
        if (s->completion_mode == KS_COMPLETION_INDEXED) {
            if (diff > j->pending_indexes) diff = j->pending_indexes;
        }
        if (diff > 0) {
            j->sync_left = (uint32_t)diff;
            j->created_this_sync = 0;
            issue_batch(J, job, 1); /* SlowStartInitialBatchSize */
            return;
        }
    }
    bool complete = s->completions < 0 ? j->succeeded > 0 && j->active == 0
                                       : j->succeeded >= s->completions && j->active == 0;
    if (complete) finish(J, job, KS_JOB_COMPLETE, "Completed");
}

static void on_sync(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_job *j = &J->jobs[ev->target];
    if (j->next_sync != ks_sim_now(sim)) return; /* superseded by an earlier sync */
    j->next_sync = KS_NEVER;
    sync_job(J, ev->target);
}

static void track_pod(ks_jobs *J, uint32_t pod, uint32_t job, int32_t index)
{
    size_t need = (size_t)pod + 1;
    if (need > J->npod) {
        size_t cap = J->pod_cap;
        ks_grow(mem_jobs, (void **)&J->pod_job, &cap, need, sizeof *J->pod_job);
        cap = J->pod_cap;
        ks_grow(mem_jobs, (void **)&J->pod_index, &cap, need, sizeof *J->pod_index);
        ks_grow(mem_jobs, (void **)&J->pod_flags, &J->pod_cap, need, sizeof *J->pod_flags);
        for (size_t i = J->npod; i < need; i++) {
            J->pod_job[i] = KS_NONE;
            J->pod_index[i] = -1;
            J->pod_flags[i] = 0;
        }
        J->npod = need;
    }
    J->pod_job[pod] = job;
    J->pod_index[pod] = index;
    ks_job *j = &J->jobs[job];
    ks_grow(mem_jobs, (void **)&j->pods, &j->pods_cap, j->npods + 1, sizeof *j->pods);
    j->pods[j->npods++] = pod;
}

/* A pod create has committed: "<job>-<5 characters>" (generateName "<job>-"), or for an Indexed
 * Job "<job>-<index>-<5 characters>" (podGenerateNameWithIndex), the characters drawn from
 * upstream's alphabet (k8s.io/apimachinery/pkg/util/rand String) with the names stream. */
static void on_created(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_world *w = J->w;
    ks_cluster *c = &w->cluster;
    uint32_t job = ev->target;
    ks_job *j = &J->jobs[job];
    int32_t index = ev->arg ? (int32_t)(ev->arg - 1) : -1;
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char name[600];
    int len = index >= 0 ? snprintf(name, sizeof name - 6, "%s-%d-", j->spec->name, index)
                         : snprintf(name, sizeof name - 6, "%s-", j->spec->name);
    for (int i = 0; i < 5; i++) name[len + i] = alphabet[ks_rng_below(w->rng_names, sizeof alphabet - 1)];
    name[len + 5] = 0;
    uint32_t pod = ks_cluster_add_pod(c, name, &j->spec->template, KS_NONE, ks_sim_now(sim));
    track_pod(J, pod, job, index);
    ks_cluster_event(c, ks_sim_now(sim), "Job", j->spec->namespace, j->spec->name, "Normal", "SuccessfulCreate",
                     "job-controller", "Created pod: %s", name);
    ks_world_watch_new_pod(w, pod);
    ks_sim_after(sim, ks_world_watch(w), J->ev_observe, pod, OBS_CREATED);
    j->created_this_sync++;
    if (--j->batch_left == 0) {
        /* slowStartBatch: the next batch doubles, bounded by what this sync still has to create. */
        j->sync_left -= j->batch_size;
        uint32_t next = 2 * j->batch_size;
        if (next > j->sync_left) next = j->sync_left;
        if (next && !job_done(j)) issue_batch(J, job, next);
        else if (j->dirty) {
            j->dirty = false;
            request_sync(J, job, 0);
        }
    }
}

/* The controller's pod informer. */
static void on_observe(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    uint32_t pod = ev->target;
    ks_job *j = job_of(J, pod);
    uint32_t job = J->pod_job[pod];
    const ks_pod *p = &J->w->cluster.pods[pod];
    switch (ev->arg) {
    case OBS_CREATED:
        j->expected_adds--;
        J->pod_flags[pod] |= POD_OBSERVED;
        if (J->pod_flags[pod] & POD_GONE) break; /* finished or deleted before the informer saw it */
        j->active++;
        break;
    case OBS_FINISHED: {
        if (J->pod_flags[pod] & POD_GONE) return; /* the controller deleted it itself */
        bool observed = J->pod_flags[pod] & POD_OBSERVED;
        J->pod_flags[pod] |= POD_GONE;
        if (observed) j->active--;
        if (job_done(j)) return;
        int32_t idx = J->pod_index[pod];
        if (p->phase == KS_PHASE_SUCCEEDED) {
            if (idx < 0) j->succeeded++;
            else if (j->index_state[idx] != 2) {
                j->pending_indexes -= j->index_state[idx] == 0;
                j->index_state[idx] = 2;
                j->succeeded++;
            }
            j->failures_since_success = 0;
            j->last_failure = KS_NEVER;
        } else {
            /* Failed, or deleted by someone else before it terminated. */
            ks_time f = p->finished != KS_NEVER ? p->finished
                        : p->deletion_requested != KS_NEVER ? p->deletion_requested : ks_sim_now(sim);
            j->failed++;
            j->failures_since_success++;
            if (j->last_failure == KS_NEVER || f > j->last_failure) j->last_failure = f;
            if (idx >= 0 && j->index_state[idx] == 1) {
                j->index_state[idx] = 0;
                j->pending_indexes++;
                if (idx < j->index_cursor) j->index_cursor = idx;
            }
        }
        break;
    }
    case OBS_UPDATED:
        break;
    }
    if (!job_done(j)) request_sync(J, job, SYNC_JOB_BATCH_PERIOD);
}

/* A DELETE of a pod has committed: the controller's event, then the pod's graceful deletion. */
static void on_deleted(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_job *j = job_of(J, ev->target);
    if (ev->arg == 0)
        ks_cluster_event(&J->w->cluster, ks_sim_now(sim), "Job", j->spec->namespace, j->spec->name, "Normal",
                         "SuccessfulDelete", "job-controller", "Deleted pod: %s", J->w->cluster.pods[ev->target].name);
    ks_sim_after(sim, 0, J->w->ev.pod_deleting, ev->target, 0);
}

/* The status write with the terminal condition has committed. */
static void on_status(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_job *j = &J->jobs[ev->target];
    ks_time now = ks_sim_now(sim);
    j->finishing = false;
    ks_cluster *c = &J->w->cluster;
    ks_cluster_bump(c);
    if (j->condition == KS_JOB_COMPLETE) {
        ks_cluster_event(c, now, "Job", j->spec->namespace, j->spec->name, "Normal", "Completed", "job-controller",
                         "Job completed");
    } else {
        ks_cluster_event(c, now, "Job", j->spec->namespace, j->spec->name, "Warning", j->reason, "job-controller", "%s",
                         failure_message(j->reason));
    }
    if (j->spec->ttl_after_finished_s >= 0) ks_sim_after(sim, ks_world_watch(J->w), J->ev_ttl, ev->target, 0);
}

/* ttlafterfinished_controller.go processJob: expired at finishTime (the terminal condition's
 * lastTransitionTime) + TTL; otherwise requeued for the remaining time. */
static void on_ttl(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_job *j = &J->jobs[ev->target];
    ks_time expire = j->finished + KS_SEC(j->spec->ttl_after_finished_s), now = ks_sim_now(sim);
    if (now < expire) {
        ks_sim_at(sim, expire, ev->type, ev->target, 0);
        return;
    }
    ks_api_call(&J->w->api, now, J->ttl_client, KS_VERB_DELETE, J->ev_job_deleted, ev->target, 0);
}

static void on_job_deleted(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_jobs *J = ctx;
    ks_job *j = &J->jobs[ev->target];
    j->deleted = ks_sim_now(sim);
    ks_cluster_bump(&J->w->cluster);
    ks_sim_after(sim, ks_world_watch(J->w), J->ev_gc, ev->target, 0);
}

/* The garbage collector deletes the dependents of the Job (Foreground propagation). */
static void on_gc(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_jobs *J = ctx;
    ks_job *j = &J->jobs[ev->target];
    for (size_t i = 0; i < j->npods; i++) {
        const ks_pod *p = &J->w->cluster.pods[j->pods[i]];
        if (p->deleted != KS_NEVER || p->terminating || p->deletion_requested != KS_NEVER) continue;
        delete_pod(J, j->pods[i], J->gc_client, 1);
    }
}

void ks_jobs_delete(ks_world *w, const char *name, const char *namespace, uint32_t client)
{
    ks_jobs *J = w->jobs;
    for (size_t i = 0; J && i < J->njobs; i++) {
        ks_job *j = &J->jobs[i];
        if (strcmp(j->spec->name, name) || strcmp(j->spec->namespace, namespace) || j->deleted != KS_NEVER) continue;
        ks_api_call(&w->api, ks_sim_now(w->sim), client, KS_VERB_DELETE, J->ev_job_deleted, (uint32_t)i, 0);
        return;
    }
}

static void job_init(ks_job *j, const ks_job_spec *spec)
{
    *j = (ks_job){.spec = spec, .start = KS_NEVER, .completion = KS_NEVER, .finished = KS_NEVER,
                  .deleted = KS_NEVER, .reason = "", .last_failure = KS_NEVER, .next_sync = KS_NEVER};
    if (spec->completion_mode == KS_COMPLETION_INDEXED && spec->completions > 0) {
        j->index_state = ks_calloc(mem_jobs, (size_t)spec->completions, 1);
        j->pending_indexes = spec->completions;
    }
}

uint32_t ks_jobs_add(ks_world *w, const ks_job_spec *spec)
{
    ks_jobs *J = w->jobs;
    if (J->jobs_cap < J->njobs) J->jobs_cap = J->njobs; /* sized exactly at t = 0 */
    ks_grow(mem_jobs, (void **)&J->jobs, &J->jobs_cap, J->njobs + 1, sizeof *J->jobs);
    uint32_t job = (uint32_t)J->njobs++;
    job_init(&J->jobs[job], spec);
    request_sync(J, job, ks_world_watch(w)); /* addJob, once the informer has delivered it */
    return job;
}

void ks_jobs_delete_job(ks_world *w, uint32_t job, uint32_t client)
{
    ks_jobs *J = w->jobs;
    if (J->jobs[job].deleted != KS_NEVER) return;
    ks_api_call(&w->api, ks_sim_now(w->sim), client, KS_VERB_DELETE, J->ev_job_deleted, job, 0);
}

ks_jobs *ks_jobs_create(ks_world *w, const ks_job_spec *specs, size_t n)
{
    mem_jobs = ks_mem_purpose("controllers");
    ks_jobs *J = ks_calloc(mem_jobs, 1, sizeof *J);
    J->w = w;
    J->njobs = n;
    J->jobs = ks_calloc(mem_jobs, n ? n : 1, sizeof *J->jobs);
    for (size_t i = 0; i < n; i++) job_init(&J->jobs[i], &specs[i]);
    J->client = ks_api_add_client(&w->api, &w->timings->controller_manager, KS_COMP_JOB);
    J->ttl_client = ks_api_add_client(&w->api, &w->timings->controller_manager, KS_COMP_TTL_AFTER_FINISHED);
    J->gc_client = ks_api_add_client(&w->api, &w->timings->controller_manager, KS_COMP_GARBAGE_COLLECTOR);
    J->ev_sync = ks_sim_register(w->sim, "job.sync", on_sync, J);
    J->ev_created = ks_sim_register(w->sim, "apiserver.job_pod_created", on_created, J);
    J->ev_observe = ks_sim_register(w->sim, "job.observe", on_observe, J);
    J->ev_deleted = ks_sim_register(w->sim, "apiserver.job_pod_deleted", on_deleted, J);
    J->ev_status = ks_sim_register(w->sim, "apiserver.job_status", on_status, J);
    J->ev_ttl = ks_sim_register(w->sim, "ttlafterfinished.sync", on_ttl, J);
    J->ev_job_deleted = ks_sim_register(w->sim, "apiserver.job_deleted", on_job_deleted, J);
    J->ev_gc = ks_sim_register(w->sim, "garbagecollector.job", on_gc, J);
    /* addJob: enqueueSyncJobImmediately, once the informer has delivered the Job. */
    for (size_t i = 0; i < n; i++) request_sync(J, (uint32_t)i, specs[i].at + ks_world_watch(w));
    return J;
}

void ks_jobs_destroy(ks_jobs *J)
{
    if (!J) return;
    for (size_t i = 0; i < J->njobs; i++) {
        ks_free(J->jobs[i].index_state);
        ks_free(J->jobs[i].pods);
    }
    ks_free(J->jobs);
    ks_free(J->pod_job);
    ks_free(J->pod_index);
    ks_free(J->pod_flags);
    ks_free(J);
}

bool ks_jobs_pod_inactive(ks_world *w, uint32_t pod)
{
    ks_jobs *J = w->jobs;
    if (!J || !job_of(J, pod)) return false;
    ks_sim_after(w->sim, ks_world_watch(w), J->ev_observe, pod, OBS_FINISHED);
    return true;
}

void ks_jobs_pod_updated(ks_world *w, uint32_t pod)
{
    ks_jobs *J = w->jobs;
    ks_job *j = J ? job_of(J, pod) : NULL;
    if (!j || j->spec->template.restart_policy != KS_RESTART_ON_FAILURE || job_done(j)) return;
    ks_sim_after(w->sim, ks_world_watch(w), J->ev_observe, pod, OBS_UPDATED);
}

const ks_job *ks_jobs_pod_owner(const ks_jobs *J, uint32_t pod, int32_t *index)
{
    if (!J || pod >= J->npod || J->pod_job[pod] == KS_NONE) return NULL;
    if (index) *index = J->pod_index[pod];
    return &J->jobs[J->pod_job[pod]];
}

size_t ks_jobs_count(const ks_jobs *J) { return J ? J->njobs : 0; }
const ks_job *ks_jobs_get(const ks_jobs *J, size_t i) { return &J->jobs[i]; }

void ks_jobs_completion_percentiles(const ks_jobs *J, double out[2], size_t *n)
{
    size_t njobs = ks_jobs_count(J), k = 0;
    double *v = ks_malloc(ks_mem_purpose("summary"), (njobs ? njobs : 1) * sizeof *v);
    for (size_t i = 0; i < njobs; i++)
        if (J->jobs[i].condition == KS_JOB_COMPLETE && J->jobs[i].completion != KS_NEVER)
            v[k++] = ks_time_to_sec(J->jobs[i].completion - J->jobs[i].start);
    ks_sort_doubles(v, k);
    out[0] = ks_percentile_sorted(v, k, 50);
    out[1] = ks_percentile_sorted(v, k, 99);
    ks_free(v);
    *n = k;
}

typedef struct job_row {
    const char *name, *namespace, *completion_mode, *condition, *reason;
    int32_t completions, parallelism, backoff_limit, succeeded, failed, active, pods;
    double start_time, completion_time, finished, deleted;
} job_row;

void ks_jobs_write_table(const ks_jobs *J, ks_trace *t)
{
    static const ks_column cols[] = {
        KS_COLUMN(job_row, name, KS_COL_STR),
        KS_FSTR_COLUMN(job_row, namespace, 64),
        KS_FSTR_COLUMN(job_row, completion_mode, 16),
        KS_COLUMN(job_row, completions, KS_COL_I32),
        KS_COLUMN(job_row, parallelism, KS_COL_I32),
        KS_COLUMN(job_row, backoff_limit, KS_COL_I32),
        KS_COLUMN(job_row, succeeded, KS_COL_I32),
        KS_COLUMN(job_row, failed, KS_COL_I32),
        KS_COLUMN(job_row, active, KS_COL_I32),
        KS_COLUMN(job_row, pods, KS_COL_I32),
        KS_COLUMN(job_row, start_time, KS_COL_F64),
        KS_COLUMN(job_row, completion_time, KS_COL_F64),
        KS_COLUMN(job_row, finished, KS_COL_F64),
        KS_COLUMN(job_row, deleted, KS_COL_F64),
        KS_FSTR_COLUMN(job_row, condition, 16),
        KS_FSTR_COLUMN(job_row, reason, 32),
    };
    ks_table *tab = ks_trace_table(t, "/jobs", cols, sizeof cols / sizeof *cols, sizeof(job_row), 256);
    for (size_t i = 0; i < ks_jobs_count(J); i++) {
        const ks_job *j = &J->jobs[i];
        bool final = !j->finishing && j->condition != KS_JOB_RUNNING;
        job_row r = {
            .name = j->spec->name,
            .namespace = j->spec->namespace,
            .completion_mode = j->spec->completion_mode == KS_COMPLETION_INDEXED ? "Indexed" : "NonIndexed",
            .condition = !final ? "" : j->condition == KS_JOB_COMPLETE ? "Complete" : "Failed",
            .reason = final ? j->reason : "",
            .completions = j->spec->completions,
            .parallelism = j->spec->parallelism,
            .backoff_limit = j->spec->backoff_limit,
            .succeeded = j->succeeded,
            .failed = j->failed,
            .active = j->active,
            .pods = (int32_t)j->npods,
            .start_time = ks_when(j->start),
            .completion_time = ks_when(j->completion),
            .finished = ks_when(j->finished),
            .deleted = ks_when(j->deleted),
        };
        ks_table_append(tab, &r);
    }
}
