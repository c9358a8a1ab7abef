/* workload.h — Workload (kubesim.io/v1alpha1) arrival generators at run time.
 *
 * A Workload is a client that creates objects at random or fixed times: each arrival creates one
 * Pod, Job or Deployment named "<workload>-<index>" (index from 0) from a template of its mix,
 * drawn by weight, exactly as a Scenario `create` of that object would at that time — a Pod is
 * committed then and reaches the scheduler through its informer; a Job's or Deployment's
 * controller syncs it one watch delay later. A template with a lifetime has its object deleted
 * that long after it was created, as `kubectl delete` would: a Pod through ks_world_delete_pod
 * from the user's client (graceful), a Job or Deployment as a Scenario delete does (the garbage
 * collector deletes its pods). The spec types are in spec.h (ks_workload_spec); the config
 * loader fills them.
 *
 * Arrivals are drawn lazily: each Workload has one pending event, its next arrival, so a Workload
 * of millions of arrivals costs O(1) memory until its objects exist. Draws come from three RNG
 * streams per Workload, "workload.<name>" (arrival times), "workload.<name>/template" (the
 * template of each arrival) and "workload.<name>/lifetime" ('/' cannot appear in a name, so no
 * two Workloads share a stream), seeded from the experiment's seed:
 * another seed gives other arrivals, the same seed the same ones, and changing the mix or the
 * lifetimes does not move the arrival times.
 *
 * Cost: O(1) per arrival for every process except diurnal, whose draw walks the hours it skips
 * (O(1 + hours skipped)). A Job arrival copies its template (each Job's pods carry the Job's own
 * job-name label); a Deployment arrival shares its template with the Workload's spec.
 */
#ifndef KS_WORKLOAD_H
#define KS_WORKLOAD_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_time.h"
#include "spec.h"
#include "trace.h"

struct ks_world;

/* The state of one arrival process between draws. Zero-initialise with ks_arrivals_init. */
typedef struct ks_arrivals {
    ks_time last;         /* the previous arrival; the start before the first */
    int64_t count;        /* arrivals returned so far */
    bool started, done;
    size_t next_time;     /* fixed times: the next index */
    int64_t burst;        /* bursts: the number of the current burst (-1 before the first) */
    ks_time burst_at;     /* bursts: the current burst's window start (after its jitter) */
    int64_t burst_left;   /* bursts: arrivals still to come in the current burst */
    double burst_pos;     /* bursts: the last arrival's position in the window, in [0, 1) */
} ks_arrivals;

void ks_arrivals_init(ks_arrivals *a, const ks_workload_spec *w);
/* The time of the next arrival of W (>= the previous one), drawn from G, or KS_NEVER (-1) once
 * there is none before w->end or w->max_arrivals are reached; KS_NEVER stays KS_NEVER. Pure:
 * no world needed, which is how the tests hold the processes to their laws. */
ks_time ks_arrivals_next(ks_arrivals *a, const ks_workload_spec *w, gsl_rng *g);
/* The index of the template an arrival uses: by weight, from G (no draw with one template). */
size_t ks_workload_pick(const ks_workload_spec *w, gsl_rng *g);

/* What one Workload did, for /workloads and the summary. */
typedef struct ks_workload_stats {
    int64_t arrivals;                /* arrivals so far (each created one object) */
    int64_t pods, jobs, deployments; /* objects created, by kind */
    int64_t deleted;                 /* objects deleted when their lifetime ran out */
    ks_time first, last;             /* the first and latest arrival (KS_NEVER: none) */
} ks_workload_stats;

typedef struct ks_workloads ks_workloads;

/* Registers the handlers and schedules each Workload's first arrival. SPECS are borrowed and
 * must outlive the set. Returns NULL after printing an error (a pod template's nodeName names no
 * node). The world destroys the set after its cluster: pods, Jobs and Deployments point into the
 * specs the set made for them. */
ks_workloads *ks_workloads_create(struct ks_world *w, const ks_workload_spec *specs, size_t n);
void ks_workloads_destroy(ks_workloads *s);

size_t ks_workloads_count(const ks_workloads *s);
const ks_workload_spec *ks_workloads_spec(const ks_workloads *s, size_t i);
const ks_workload_stats *ks_workloads_stats(const ks_workloads *s, size_t i);

/* /workloads: one row per Workload at the end of the run (docs/TRACE_FORMAT.md). */
void ks_workloads_write_table(const ks_workloads *s, ks_trace *t);

#endif
