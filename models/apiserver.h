/* apiserver.h — the API server and etcd as a queueing model of requests.
 *
 * Every write a component makes goes through ks_api_call:
 *   1. client-side rate limiting: one token bucket per client (a component instance: each
 *      controller, the scheduler, each node's kubelet), as client-go's
 *      flowcontrol.NewTokenBucketRateLimiter over golang.org/x/time/rate: the bucket starts full
 *      at `burst`, refills at `qps`, and a request that finds it empty reserves a token anyway and
 *      waits until the bucket would have refilled it (rate.Limiter.reserveN: tokens go negative,
 *      the wait is -tokens / qps);
 *   2. the server's in-flight limit (kube-apiserver --max-requests-inflight 400 read-only,
 *      --max-mutating-requests-inflight 200): a request that finds its class full waits, FIFO;
 *   3. the commit: an etcd round trip drawn from the write-latency distribution; then the
 *      caller's completion event fires with its target and arg.
 * Server-side latency (2 + 3, what apiserver_request_duration_seconds measures) is recorded per
 * component and verb for the summary and the trace.
 *
 * Requests live in a pool with a free list, so the steady state allocates nothing. Cost per call:
 * O(1) plus one or two events.
 */
#ifndef KS_APISERVER_H
#define KS_APISERVER_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "dist.h"
#include "sim.h"
#include "spec.h"
#include "trace.h"

typedef enum ks_api_verb { KS_VERB_CREATE, KS_VERB_UPDATE, KS_VERB_PATCH, KS_VERB_DELETE, KS_VERB_GET, KS_VERB_LIST, KS_VERB_COUNT } ks_api_verb;
typedef enum ks_api_component {
    KS_COMP_DEPLOYMENT,
    KS_COMP_REPLICASET,
    KS_COMP_SCHEDULER,
    KS_COMP_KUBELET,
    KS_COMP_NODE_LIFECYCLE,
    KS_COMP_TAINT_EVICTION,
    KS_COMP_USER,
    KS_COMP_JOB,
    KS_COMP_TTL_AFTER_FINISHED,
    KS_COMP_GARBAGE_COLLECTOR, /* clients added by ks_api_add_client */
    KS_COMP_ENDPOINTSLICE,
    KS_COMP_COUNT
} ks_api_component;

const char *ks_api_verb_name(ks_api_verb v);
const char *ks_api_component_name(ks_api_component c);

typedef struct ks_api_client {
    double tokens;  /* may be negative: tokens reserved ahead */
    ks_time last;   /* when tokens was last brought up to date */
    double qps, burst;
    uint8_t component;
} ks_api_client;

typedef struct ks_api_request {
    uint32_t done_type, target;
    uint64_t arg;
    ks_time arrived;
    uint32_t next; /* free list or wait queue link */
    uint8_t verb, component, mutating;
} ks_api_request;

typedef struct ks_api_sample {
    float latency_s;
    uint8_t verb, component;
} ks_api_sample;

typedef struct ks_apiserver {
    ks_sim *sim;
    gsl_rng *rng;
    const ks_dist *write_latency;
    ks_api_client *clients;
    size_t nclients;
    ks_api_request *reqs;
    size_t nreqs, reqs_cap;
    uint32_t free_head;
    uint32_t wait_head[2], wait_tail[2]; /* [0] read-only, [1] mutating */
    int64_t inflight[2], limit[2];       /* limit 0: unlimited, as the flags' 0 means */
    int64_t waiting;
    uint64_t requests, etcd_writes;
    uint64_t count[KS_COMP_COUNT][KS_VERB_COUNT];
    ks_api_sample *samples;
    size_t nsamples, samples_cap;
    uint32_t ev_arrive, ev_commit;
} ks_apiserver;

/* Fixed client ids; node i's kubelet is KS_CLIENT_KUBELET0 + i. */
enum {
    KS_CLIENT_DEPLOYMENT,
    KS_CLIENT_REPLICASET,
    KS_CLIENT_SCHEDULER,
    KS_CLIENT_NODE_LIFECYCLE, /* node-lifecycle-controller: node conditions, taints, pod Ready */
    KS_CLIENT_TAINT_EVICTION, /* taint-eviction-controller: DisruptionTarget and DELETE */
    KS_CLIENT_USER,           /* scenario actions: kubectl (cordon, label, taint) */
    KS_CLIENT_KUBELET0
};

void ks_apiserver_init(ks_apiserver *a, ks_sim *sim, gsl_rng *rng, const ks_timings *t, size_t nnodes);
void ks_apiserver_free(ks_apiserver *a);
/* Adds a client with LIMITS for component COMP (after the fixed ones and the kubelets); returns its
 * id. For components that exist only in some experiments (the EndpointSlice controller). */
uint32_t ks_api_add_client(ks_apiserver *a, const ks_client_limits *limits, ks_api_component comp);

/* Adds a client with its own token bucket (a controller that builds its own clientset) after the
 * fixed ones and the kubelets; returns its id. Call before the run starts. */
uint32_t ks_api_add_client(ks_apiserver *a, const ks_client_limits *l, ks_api_component comp);

/* Issues a request from CLIENT at time AT (>= now, and non-decreasing per client): when it has
 * committed, event DONE_TYPE fires with TARGET and ARG. */
void ks_api_call(ks_apiserver *a, ks_time at, uint32_t client, ks_api_verb verb, uint32_t done_type, uint32_t target,
                 uint64_t arg);

/* The client-side wait of a reservation at time NOW (exposed for tests): updates the bucket. */
ks_time ks_api_client_reserve(ks_api_client *c, ks_time now);

/* Percentiles P[0..NP) (0-100) of every request's server-side latency (NaN if none), from one
 * sort. */
void ks_apiserver_latencies(const ks_apiserver *a, const double *p, int np, double *out);
/* /apiserver/requests: one row per (component, verb) with count, p50 and p99 latency. */
void ks_apiserver_write_table(const ks_apiserver *a, ks_trace *t);

#endif
