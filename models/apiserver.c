/* apiserver.c — see apiserver.h. */
#include "apiserver.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "stats.h"

#define NIL UINT32_MAX

static ks_mem_id mem_api;

const char *ks_api_verb_name(ks_api_verb v)
{
    static const char *names[] = {"create", "update", "patch", "delete", "get", "list"};
    return v < KS_VERB_COUNT ? names[v] : "?";
}

const char *ks_api_component_name(ks_api_component c)
{
    static const char *names[] = {"deployment-controller",     "replicaset-controller",     "scheduler",
                                  "kubelet",                   "node-lifecycle-controller", "taint-eviction-controller",
                                  "user",                      "job-controller",            "ttl-after-finished-controller",
                                  "garbage-collector",         "endpointslice-controller"};
    return c < KS_COMP_COUNT ? names[c] : "?";
}

/* golang.org/x/time/rate Limiter.reserveN with n = 1 and no deadline: bring the bucket up to
 * NOW (never above burst), take one token, and if that left it negative, wait until refilled. */
ks_time ks_api_client_reserve(ks_api_client *c, ks_time now)
{
    if (now > c->last) {
        double tokens = c->tokens + ks_time_to_sec(now - c->last) * c->qps;
        c->tokens = tokens < c->burst ? tokens : c->burst;
        c->last = now;
    }
    c->tokens -= 1.0;
    if (c->tokens >= 0) return 0;
    /* durationFromTokens truncates to whole nanoseconds. */
    return (ks_time)(-c->tokens / c->qps * 1e9);
}

static void client_init(ks_api_client *c, const ks_client_limits *l, ks_api_component comp)
{
    /* rate.NewLimiter starts full. */
    *c = (ks_api_client){.tokens = (double)l->burst, .last = 0, .qps = l->qps, .burst = (double)l->burst,
                         .component = (uint8_t)comp};
}

static uint32_t req_alloc(ks_apiserver *a)
{
    if (a->free_head != NIL) {
        uint32_t id = a->free_head;
        a->free_head = a->reqs[id].next;
        return id;
    }
    ks_grow(mem_api, (void **)&a->reqs, &a->reqs_cap, a->nreqs + 1, sizeof *a->reqs);
    return (uint32_t)a->nreqs++;
}

static void start(ks_apiserver *a, uint32_t id)
{
    ks_api_request *r = &a->reqs[id];
    a->inflight[r->mutating]++;
    ks_sim_after(a->sim, ks_dist_sample_ns(a->write_latency, a->rng), a->ev_commit, id, 0);
}

/* The request reaches the server: it runs if its class has a free slot, else it queues. */
static void arrive(ks_apiserver *a, uint32_t id)
{
    ks_api_request *r = &a->reqs[id];
    r->arrived = ks_sim_now(a->sim);
    int k = r->mutating;
    if (a->limit[k] == 0 || a->inflight[k] < a->limit[k]) {
        start(a, id);
        return;
    }
    r->next = NIL;
    if (a->wait_tail[k] == NIL) a->wait_head[k] = id;
    else a->reqs[a->wait_tail[k]].next = id;
    a->wait_tail[k] = id;
    a->waiting++;
}

static void on_arrive(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    arrive(ctx, ev->target);
}

static void on_commit(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_apiserver *a = ctx;
    uint32_t id = ev->target;
    ks_api_request r = a->reqs[id];
    int k = r.mutating;
    a->inflight[k]--;
    if (r.mutating) a->etcd_writes++;
    ks_grow(mem_api, (void **)&a->samples, &a->samples_cap, a->nsamples + 1, sizeof *a->samples);
    a->samples[a->nsamples++] =
        (ks_api_sample){(float)ks_time_to_sec(ks_sim_now(sim) - r.arrived), r.verb, r.component};
    a->reqs[id].next = a->free_head;
    a->free_head = id;
    if (a->wait_head[k] != NIL) { /* the slot goes to the longest waiter */
        uint32_t next = a->wait_head[k];
        a->wait_head[k] = a->reqs[next].next;
        if (a->wait_head[k] == NIL) a->wait_tail[k] = NIL;
        a->waiting--;
        start(a, next);
    }
    ks_sim_after(sim, 0, r.done_type, r.target, r.arg);
}

void ks_api_call(ks_apiserver *a, ks_time at, uint32_t client, ks_api_verb verb, uint32_t done_type, uint32_t target,
                 uint64_t arg)
{
    ks_api_client *c = &a->clients[client];
    ks_time send = at + ks_api_client_reserve(c, at);
    uint32_t id = req_alloc(a);
    bool mutating = verb != KS_VERB_GET && verb != KS_VERB_LIST;
    a->reqs[id] = (ks_api_request){done_type, target, arg, 0, NIL, (uint8_t)verb, c->component, mutating};
    a->requests++;
    a->count[c->component][verb]++;
    if (send == ks_sim_now(a->sim)) arrive(a, id);
    else ks_sim_at(a->sim, send, a->ev_arrive, id, 0);
}

void ks_apiserver_init(ks_apiserver *a, ks_sim *sim, gsl_rng *rng, const ks_timings *t, size_t nnodes)
{
    mem_api = ks_mem_purpose("apiserver");
    memset(a, 0, sizeof *a);
    a->sim = sim;
    a->rng = rng;
    a->write_latency = &t->api_write;
    a->free_head = NIL;
    a->wait_head[0] = a->wait_head[1] = a->wait_tail[0] = a->wait_tail[1] = NIL;
    a->limit[0] = t->max_requests_inflight;
    a->limit[1] = t->max_mutating_requests_inflight;
    a->nclients = KS_CLIENT_KUBELET0 + nnodes;
    a->clients = ks_malloc(mem_api, a->nclients * sizeof *a->clients);
    client_init(&a->clients[KS_CLIENT_DEPLOYMENT], &t->controller_manager, KS_COMP_DEPLOYMENT);
    client_init(&a->clients[KS_CLIENT_REPLICASET], &t->controller_manager, KS_COMP_REPLICASET);
    client_init(&a->clients[KS_CLIENT_SCHEDULER], &t->scheduler, KS_COMP_SCHEDULER);
    /* Each kube-controller-manager controller has its own client (control-plane.md, section 3). */
    client_init(&a->clients[KS_CLIENT_NODE_LIFECYCLE], &t->controller_manager, KS_COMP_NODE_LIFECYCLE);
    client_init(&a->clients[KS_CLIENT_TAINT_EVICTION], &t->controller_manager, KS_COMP_TAINT_EVICTION);
    /* kubectl's default client-go limits: QPS 5, burst 10 (rest.Config defaults, used when unset). */
    static const ks_client_limits kubectl = {5, 10};
    client_init(&a->clients[KS_CLIENT_USER], &kubectl, KS_COMP_USER);
    for (size_t i = 0; i < nnodes; i++) client_init(&a->clients[KS_CLIENT_KUBELET0 + i], &t->kubelet, KS_COMP_KUBELET);
    a->ev_arrive = ks_sim_register(sim, "apiserver.arrive", on_arrive, a);
    a->ev_commit = ks_sim_register(sim, "apiserver.commit", on_commit, a);
}

uint32_t ks_api_add_client(ks_apiserver *a, const ks_client_limits *l, ks_api_component comp)
{
    ks_api_client *grown = ks_malloc(mem_api, (a->nclients + 1) * sizeof *grown);
    memcpy(grown, a->clients, a->nclients * sizeof *grown);
    ks_free(a->clients);
    a->clients = grown;
    client_init(&a->clients[a->nclients], l, comp);
    return (uint32_t)a->nclients++;
}

void ks_apiserver_free(ks_apiserver *a)
{
    ks_free(a->clients);
    ks_free(a->reqs);
    ks_free(a->samples);
    memset(a, 0, sizeof *a);
}

/* Percentiles P[0..NP) of the latencies of the samples of component COMP and verb VERB (all when
 * negative), from one sort, into OUT. */
static void percentiles_of(const ks_apiserver *a, int comp, int verb, const double *p, int np, double *out,
                           size_t *count)
{
    double *v = ks_malloc(mem_api, (a->nsamples ? a->nsamples : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < a->nsamples; i++)
        if ((comp < 0 || a->samples[i].component == comp) && (verb < 0 || a->samples[i].verb == verb))
            v[n++] = a->samples[i].latency_s;
    ks_sort_doubles(v, n);
    for (int k = 0; k < np; k++) out[k] = ks_percentile_sorted(v, n, p[k]);
    ks_free(v);
    if (count) *count = n;
}

void ks_apiserver_latencies(const ks_apiserver *a, const double *p, int np, double *out)
{
    percentiles_of(a, -1, -1, p, np, out, NULL);
}

typedef struct req_row {
    const char *component, *verb;
    int64_t count, completed;
    double p50_s, p99_s;
} req_row;

void ks_apiserver_write_table(const ks_apiserver *a, ks_trace *t)
{
    static const ks_column cols[] = {
        KS_FSTR_COLUMN(req_row, component, 32), KS_FSTR_COLUMN(req_row, verb, 8),
        KS_COLUMN(req_row, count, KS_COL_I64),  KS_COLUMN(req_row, completed, KS_COL_I64),
        KS_COLUMN(req_row, p50_s, KS_COL_F64),  KS_COLUMN(req_row, p99_s, KS_COL_F64),
    };
    ks_table *tab = ks_trace_table(t, "/apiserver/requests", cols, sizeof cols / sizeof *cols, sizeof(req_row), 64);
    for (int c = 0; c < KS_COMP_COUNT; c++)
        for (int v = 0; v < KS_VERB_COUNT; v++) {
            if (!a->count[c][v]) continue;
            size_t done = 0;
            static const double ps[2] = {50, 99};
            double q[2];
            percentiles_of(a, c, v, ps, 2, q, &done);
            req_row r = {ks_api_component_name(c), ks_api_verb_name(v), (int64_t)a->count[c][v], (int64_t)done, q[0], q[1]};
            ks_table_append(tab, &r);
        }
}
