/* workload.c — see workload.h.
 *
 * The arrival processes, each sampled exactly (up to the nanosecond grid of ks_time):
 *   fixed times     the listed times, in order;
 *   fixed interval  start, start + interval, start + 2 interval, ...;
 *   poisson         exponential gaps of mean 1 / rate from start;
 *   diurnal         a non-homogeneous Poisson process whose rate is constant within each hour of
 *                   the day (rates[h] for hour h, the day repeating). Sampled by inversion of the
 *                   cumulative rate: draw E ~ Exp(1) and walk forward hour by hour, spending
 *                   rate[h] x (time left in the hour) of E per hour, until E runs out inside one.
 *                   Exact for a piecewise-constant rate with one draw per arrival; thinning
 *                   against the maximum rate would be exact too, but wastes draws in quiet hours
 *                   and its count of draws per arrival varies with the profile.
 *   bursts          burst k opens at start + k x every (+ a uniform jitter in [0, jitter)); its
 *                   SIZE arrivals are independent uniform times over [open, open + spread),
 *                   taken in order as sequential order statistics: with m still to come after
 *                   position x, the next is x + (1 - x)(1 - V^(1/m)), V ~ U(0, 1] — O(1) memory
 *                   however large the burst. spread + jitter <= every keeps bursts in order.
 * Every process stops before `end` and after maxArrivals.
 */
#include "workload.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "job.h"
#include "world.h"

#define HOUR_NS KS_SEC(3600)
#define DAY_NS (24 * HOUR_NS)

void ks_arrivals_init(ks_arrivals *a, const ks_workload_spec *w)
{
    *a = (ks_arrivals){.last = w->start, .burst = -1};
}

/* Diurnal: the first point after T of a Poisson process of unit rate, time-changed by the
 * cumulative rate. */
static ks_time diurnal_next(const ks_arrival_spec *s, ks_time t, ks_time end, gsl_rng *g)
{
    double e = gsl_ran_exponential(g, 1.0);
    while (t < end) {
        ks_time tod = (t % DAY_NS + s->day_offset) % DAY_NS;
        int h = (int)(tod / HOUR_NS);
        ks_time left = HOUR_NS - tod % HOUR_NS; /* ns to the end of this hour */
        double r = s->rates[h], mass = r * ((double)left / 1e9);
        if (r > 0 && e < mass) return t + (ks_time)llround(e / r * 1e9);
        e -= mass;
        t += left;
    }
    return KS_NEVER;
}

static ks_time bursts_next(ks_arrivals *a, const ks_arrival_spec *s, ks_time start, ks_time end, gsl_rng *g)
{
    if (a->burst_left == 0) {
        a->burst++;
        if (a->burst > (end - start) / s->every) return KS_NEVER;
        a->burst_at = start + a->burst * s->every;
        if (s->jitter > 0) a->burst_at += (ks_time)floor(gsl_rng_uniform(g) * (double)s->jitter);
        a->burst_left = s->size;
        a->burst_pos = 0;
    }
    ks_time t = a->burst_at;
    if (s->spread > 0) {
        double m = (double)a->burst_left;
        double x = a->burst_pos + (1 - a->burst_pos) * (1 - pow(gsl_rng_uniform_pos(g), 1 / m));
        a->burst_pos = x;
        ks_time off = (ks_time)floor(x * (double)s->spread);
        t += off < s->spread ? off : s->spread - 1;
    }
    a->burst_left--;
    return t;
}

ks_time ks_arrivals_next(ks_arrivals *a, const ks_workload_spec *w, gsl_rng *g)
{
    const ks_arrival_spec *s = &w->arrivals;
    if (a->done || (w->max_arrivals >= 0 && a->count >= w->max_arrivals)) {
        a->done = true;
        return KS_NEVER;
    }
    ks_time t = KS_NEVER;
    switch (s->kind) {
    case KS_ARRIVAL_TIMES:
        if (a->next_time < s->ntimes) t = s->times[a->next_time++];
        break;
    case KS_ARRIVAL_INTERVAL:
        if (!a->started) t = w->start;
        else if (a->last < w->end - s->interval) t = a->last + s->interval;
        break;
    case KS_ARRIVAL_POISSON: {
        double gap_ns = gsl_ran_exponential(g, 1.0 / s->rate) * 1e9;
        if (gap_ns < (double)(w->end - a->last)) t = a->last + (ks_time)llround(gap_ns);
        break;
    }
    case KS_ARRIVAL_DIURNAL:
        t = diurnal_next(s, a->last, w->end, g);
        break;
    case KS_ARRIVAL_BURSTS:
        t = bursts_next(a, s, w->start, w->end, g);
        break;
    }
    if (t == KS_NEVER || t >= w->end) {
        a->done = true;
        return KS_NEVER;
    }
    a->started = true;
    a->last = t;
    a->count++;
    return t;
}

size_t ks_workload_pick(const ks_workload_spec *w, gsl_rng *g)
{
    if (w->ntemplates < 2) return 0;
    double total = 0;
    for (size_t i = 0; i < w->ntemplates; i++) total += w->templates[i].weight;
    double u = gsl_rng_uniform(g) * total;
    for (size_t i = 0; i + 1 < w->ntemplates; i++) {
        if (u < w->templates[i].weight) return i;
        u -= w->templates[i].weight;
    }
    return w->ntemplates - 1;
}

/* ---------------------------------------------------------------------------------------------
 * At run time
 * ------------------------------------------------------------------------------------------- */

typedef struct wl_state {
    ks_arrivals arrivals;
    gsl_rng *g_arrivals, *g_template, *g_lifetime;
    ks_workload_stats stats;
} wl_state;

struct ks_workloads {
    ks_world *w;
    const ks_workload_spec *specs;
    size_t n;
    wl_state *st;
    /* The Jobs and Deployments created so far: their specs are made here and outlive the run's
     * tables (a Job's spec owns a copy of its template; a Deployment's shares the Workload's). */
    ks_job_spec **jobs;
    size_t njobs, jobs_cap;
    ks_deployment_spec **deps;
    size_t ndeps, deps_cap;
    uint32_t ev_arrival, ev_lifetime;
};

static ks_mem_id mem_wl;

/* The lifetime event's argument: which Workload, and what kind of object its target is. */
#define LIFE_ARG(wl, object) (((uint64_t)(wl) << 2) | (uint64_t)(object))

static void schedule_next(ks_workloads *s, uint32_t i)
{
    wl_state *st = &s->st[i];
    ks_time t = ks_arrivals_next(&st->arrivals, &s->specs[i], st->g_arrivals);
    if (t != KS_NEVER) ks_sim_at(s->w->sim, t, s->ev_arrival, i, 0);
}

/* One arrival: the object "<workload>-<index>" is created now, from a template drawn by weight. */
static void on_arrival(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_workloads *s = ctx;
    ks_world *w = s->w;
    uint32_t i = ev->target;
    const ks_workload_spec *spec = &s->specs[i];
    wl_state *st = &s->st[i];
    ks_time now = ks_sim_now(sim);
    char name[320];
    snprintf(name, sizeof name, "%s-%lld", spec->name, (long long)st->stats.arrivals);
    const ks_workload_template *tp = &spec->templates[ks_workload_pick(spec, st->g_template)];
    uint32_t target;
    switch (tp->object) {
    case KS_WORKLOAD_POD:
        target = ks_world_create_pod(w, name, &tp->pod);
        st->stats.pods++;
        break;
    case KS_WORKLOAD_JOB: {
        ks_job_spec *j = ks_malloc(mem_wl, sizeof *j);
        *j = tp->job;
        j->name = ks_strdup(mem_wl, name);
        j->namespace = ks_strdup(mem_wl, tp->job.namespace);
        j->at = now;
        ks_pod_spec_copy(&j->template, &tp->job.template);
        ks_job_spec_add_labels(j);
        ks_grow(mem_wl, (void **)&s->jobs, &s->jobs_cap, s->njobs + 1, sizeof *s->jobs);
        s->jobs[s->njobs++] = j;
        target = ks_jobs_add(w, j);
        st->stats.jobs++;
        break;
    }
    default: {
        ks_deployment_spec *d = ks_malloc(mem_wl, sizeof *d);
        *d = tp->deployment; /* selector, template and hash stay the Workload's */
        d->name = ks_strdup(mem_wl, name);
        d->at = now;
        ks_grow(mem_wl, (void **)&s->deps, &s->deps_cap, s->ndeps + 1, sizeof *s->deps);
        s->deps[s->ndeps++] = d;
        target = ks_controllers_add_deployment(w, d);
        st->stats.deployments++;
        break;
    }
    }
    if (st->stats.first == KS_NEVER) st->stats.first = now;
    st->stats.last = now;
    st->stats.arrivals++;
    if (tp->has_lifetime) {
        ks_time life = ks_dist_sample_ns(&tp->lifetime, st->g_lifetime);
        if (life < KS_TIME_MAX - now) ks_sim_at(sim, now + life, s->ev_lifetime, target, LIFE_ARG(i, tp->object));
    }
    schedule_next(s, i);
}

/* A lifetime ran out: `kubectl delete` of the object, unless it is gone or going already. */
static void on_lifetime(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_workloads *s = ctx;
    ks_world *w = s->w;
    ks_cluster *c = &w->cluster;
    wl_state *st = &s->st[ev->arg >> 2];
    switch ((ks_workload_object)(ev->arg & 3)) {
    case KS_WORKLOAD_POD: {
        const ks_pod *p = &c->pods[ev->target];
        if (p->deleted != KS_NEVER || p->terminating || p->deletion_requested != KS_NEVER) return;
        ks_world_delete_pod(w, KS_CLIENT_USER, ev->target);
        break;
    }
    case KS_WORKLOAD_JOB:
        if (ks_jobs_get(w->jobs, ev->target)->deleted != KS_NEVER) return;
        ks_jobs_delete_job(w, ev->target, KS_CLIENT_USER);
        break;
    case KS_WORKLOAD_DEPLOYMENT:
        if (c->deployments[ev->target].deleted) return;
        ks_controllers_delete_deployment(w, ev->target);
        break;
    }
    st->stats.deleted++;
}

static uint32_t find_node(const ks_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->nodes.n; i++)
        if (strcmp(c->nodes.spec[i].name, name) == 0) return (uint32_t)i;
    return KS_NONE;
}

ks_workloads *ks_workloads_create(ks_world *w, const ks_workload_spec *specs, size_t n)
{
    mem_wl = ks_mem_purpose("workloads");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < specs[i].ntemplates; k++) {
            const ks_workload_template *t = &specs[i].templates[k];
            if (t->object != KS_WORKLOAD_POD || !*t->pod.node_name || find_node(&w->cluster, t->pod.node_name) != KS_NONE)
                continue;
            fprintf(stderr, "kubesim: error: Workload \"%s\": spec.templates[%zu].pod.spec.nodeName: node \"%s\" does not exist\n",
                    specs[i].name, k, t->pod.node_name);
            return NULL;
        }
    ks_workloads *s = ks_calloc(mem_wl, 1, sizeof *s);
    s->w = w;
    s->specs = specs;
    s->n = n;
    s->st = ks_calloc(mem_wl, n ? n : 1, sizeof *s->st);
    s->ev_arrival = ks_sim_register(w->sim, "workload.arrival", on_arrival, s);
    s->ev_lifetime = ks_sim_register(w->sim, "workload.lifetime", on_lifetime, s);
    char role[320];
    for (size_t i = 0; i < n; i++) {
        wl_state *st = &s->st[i];
        ks_arrivals_init(&st->arrivals, &specs[i]);
        snprintf(role, sizeof role, "workload.%s", specs[i].name);
        st->g_arrivals = ks_rng_stream(w->rngs, role);
        snprintf(role, sizeof role, "workload.%s/template", specs[i].name);
        st->g_template = ks_rng_stream(w->rngs, role);
        snprintf(role, sizeof role, "workload.%s/lifetime", specs[i].name);
        st->g_lifetime = ks_rng_stream(w->rngs, role);
        st->stats.first = st->stats.last = KS_NEVER;
        schedule_next(s, (uint32_t)i);
    }
    return s;
}

void ks_workloads_destroy(ks_workloads *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->njobs; i++) {
        ks_job_spec_free(s->jobs[i]);
        ks_free(s->jobs[i]);
    }
    for (size_t i = 0; i < s->ndeps; i++) {
        ks_free(s->deps[i]->name);
        ks_free(s->deps[i]);
    }
    ks_free(s->jobs);
    ks_free(s->deps);
    ks_free(s->st);
    ks_free(s);
}

size_t ks_workloads_count(const ks_workloads *s) { return s ? s->n : 0; }
const ks_workload_spec *ks_workloads_spec(const ks_workloads *s, size_t i) { return &s->specs[i]; }
const ks_workload_stats *ks_workloads_stats(const ks_workloads *s, size_t i) { return &s->st[i].stats; }

typedef struct workload_row {
    const char *name, *namespace, *arrivals_kind;
    int64_t arrivals, pods, jobs, deployments, deleted;
    double first_arrival, last_arrival;
} workload_row;

void ks_workloads_write_table(const ks_workloads *s, ks_trace *t)
{
    static const ks_column cols[] = {
        KS_COLUMN(workload_row, name, KS_COL_STR),
        KS_FSTR_COLUMN(workload_row, namespace, 64),
        KS_FSTR_COLUMN(workload_row, arrivals_kind, 16),
        KS_COLUMN(workload_row, arrivals, KS_COL_I64),
        KS_COLUMN(workload_row, pods, KS_COL_I64),
        KS_COLUMN(workload_row, jobs, KS_COL_I64),
        KS_COLUMN(workload_row, deployments, KS_COL_I64),
        KS_COLUMN(workload_row, deleted, KS_COL_I64),
        KS_COLUMN(workload_row, first_arrival, KS_COL_F64),
        KS_COLUMN(workload_row, last_arrival, KS_COL_F64),
    };
    static const char *const kinds[] = {"fixed", "fixed", "poisson", "diurnal", "bursts"};
    ks_table *tab = ks_trace_table(t, "/workloads", cols, sizeof cols / sizeof *cols, sizeof(workload_row), 64);
    for (size_t i = 0; i < ks_workloads_count(s); i++) {
        const ks_workload_spec *w = &s->specs[i];
        const ks_workload_stats *st = &s->st[i].stats;
        workload_row r = {
            .name = w->name,
            .namespace = w->namespace,
            .arrivals_kind = kinds[w->arrivals.kind],
            .arrivals = st->arrivals,
            .pods = st->pods,
            .jobs = st->jobs,
            .deployments = st->deployments,
            .deleted = st->deleted,
            .first_arrival = ks_when(st->first),
            .last_arrival = ks_when(st->last),
        };
        ks_table_append(tab, &r);
    }
}
