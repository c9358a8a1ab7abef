/* kubeproxy.c — see kubeproxy.h. */
#include "kubeproxy.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "endpointslice.h"
#include "world.h"

static ks_mem_id mem_proxy;

/* ---- the latency histogram */

#define NBUCKETS (2 * KS_LAT_SUB + KS_LAT_EXP * KS_LAT_SUB)
#define MAX_NS (((int64_t)1 << (KS_LAT_EXP + 8)) - 1)

void ks_lat_hist_init(ks_lat_hist *h)
{
    ks_mem_id m = ks_mem_purpose("kubeproxy");
    h->count = ks_calloc(m, NBUCKETS, sizeof *h->count);
    h->min = ks_calloc(m, NBUCKETS, sizeof *h->min);
    h->max = ks_calloc(m, NBUCKETS, sizeof *h->max);
    h->total = 0;
}

void ks_lat_hist_free(ks_lat_hist *h)
{
    ks_free(h->count);
    ks_free(h->min);
    ks_free(h->max);
    memset(h, 0, sizeof *h);
}

void ks_lat_hist_clear(ks_lat_hist *h)
{
    if (!h->total) return;
    memset(h->count, 0, NBUCKETS * sizeof *h->count);
    h->total = 0;
}

/* Values below 256 ns have a bucket each; above, 128 buckets per power of two. */
static size_t bucket_of(int64_t v)
{
    if (v < 2 * KS_LAT_SUB) return (size_t)v;
    int msb = 63 - __builtin_clzll((unsigned long long)v);
    int shift = msb - 7;
    return (size_t)(2 * KS_LAT_SUB + (shift - 1) * KS_LAT_SUB + ((v >> shift) - KS_LAT_SUB));
}

void ks_lat_hist_add(ks_lat_hist *h, int64_t ns, uint64_t weight)
{
    if (ns < 0) ns = 0;
    if (ns > MAX_NS) ns = MAX_NS;
    size_t b = bucket_of(ns);
    if (!h->count[b] || ns < h->min[b]) h->min[b] = ns;
    if (!h->count[b] || ns > h->max[b]) h->max[b] = ns;
    h->count[b] += weight;
    h->total += weight;
}

/* The K-th smallest value (0-based): exact when its bucket holds one distinct value, else
 * spread evenly between the bucket's smallest and largest. */
static double kth(const ks_lat_hist *h, uint64_t k)
{
    uint64_t seen = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        uint64_t c = h->count[b];
        if (k >= seen + c) {
            seen += c;
            continue;
        }
        if (c == 1 || h->min[b] == h->max[b]) return (double)h->min[b];
        return (double)h->min[b] + (double)(h->max[b] - h->min[b]) * (double)(k - seen) / (double)(c - 1);
    }
    return NAN;
}

double ks_lat_hist_percentile(const ks_lat_hist *h, double p)
{
    if (!h->total) return NAN;
    double rank = (double)(h->total - 1) * p / 100.0;
    uint64_t lo = (uint64_t)floor(rank);
    double frac = rank - (double)lo, a = kth(h, lo);
    return frac > 0 ? a + frac * (kth(h, lo + 1) - a) : a;
}

/* ---- accumulation of (change, node) latencies */

static void flush_group(ks_proxy *p)
{
    if (!p->g_weight) return;
    for (uint64_t i = p->g_from; i < p->g_to; i++) {
        int64_t lat = p->g_end - p->chg[i];
        ks_lat_hist_add(&p->all, lat, p->g_weight);
        ks_lat_hist_add(&p->interval, lat, p->g_weight);
    }
    p->g_weight = 0;
}

static void add_group(ks_proxy *p, uint64_t from, uint64_t to, ks_time end)
{
    if (p->g_weight && p->g_from == from && p->g_to == to && p->g_end == end) {
        p->g_weight++;
        return;
    }
    flush_group(p);
    p->g_from = from;
    p->g_to = to;
    p->g_end = end;
    p->g_weight = 1;
}

/* ---- the sync runner */

/* The simulated duration of a sync at NOW over the write log range [FROM, TO). */
static ks_time sync_cost(ks_proxy *p, bool full, uint64_t from, uint64_t to, ks_time now)
{
    if (p->memo_at == now && p->memo_full == full && p->memo_from == from && p->memo_to == to) return p->memo_cost;
    const ks_eps *e = p->w->eps;
    int64_t services = 0, endpoints = 0;
    if (full) {
        services = e->proxied_services;
        endpoints = e->proxied_endpoints;
    } else {
        p->stamp++;
        for (uint64_t i = from; i < to; i++) {
            uint32_t s = p->wsvc[i];
            if (p->svc_stamp[s] == p->stamp) continue;
            p->svc_stamp[s] = p->stamp;
            services++;
            endpoints += e->services[s].endpoints;
        }
    }
    ks_time cost = p->t->proxy_sync_cost_base + services * p->t->proxy_sync_cost_per_service +
                   endpoints * p->t->proxy_sync_cost_per_endpoint;
    p->memo_at = now;
    p->memo_full = full;
    p->memo_from = from;
    p->memo_to = to;
    p->memo_cost = cost;
    return cost;
}

/* The runner's token bucket brought up to T (burstSyncs tokens, one per minSyncPeriod). */
static double tokens_at(const ks_proxy *p, uint32_t n, ks_time t)
{
    double burst = p->t->proxy_burst_syncs, tk = p->tokens[n];
    if (t > p->tokens_at[n]) tk += (double)(t - p->tokens_at[n]) / (double)p->t->proxy_min_sync_period;
    return tk < burst ? tk : burst;
}

/* BoundedFrequencyRunner.Run: a sync is asked for; it runs when the current one has ended and a
 * token is available. */
static void request_sync(ks_proxy *p, uint32_t n)
{
    if (p->pending[n]) return;
    ks_time now = ks_sim_now(p->w->sim), t0 = now > p->busy_until[n] ? now : p->busy_until[n], at = t0;
    /* tryRun: TryAccept, else retry at lastRun + minInterval (by then a token is back). */
    if (p->t->proxy_min_sync_period > 0 && tokens_at(p, n, t0) < 1) {
        ks_time retry = p->last_run[n] + p->t->proxy_min_sync_period;
        if (retry > at) at = retry;
    }
    p->pending[n] = 1;
    ks_sim_at(p->w->sim, at, p->ev_sync, n, ++p->gen[n]);
}

static void on_sync(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_proxy *p = ctx;
    uint32_t n = ev->target;
    if ((uint32_t)ev->arg != p->gen[n] || !p->pending[n]) return;
    p->pending[n] = 0;
    if (p->down[n]) return;
    ks_time now = ks_sim_now(sim);
    if (p->t->proxy_min_sync_period > 0) {
        p->tokens[n] = tokens_at(p, n, now) - 1;
        if (p->tokens[n] < 0) p->tokens[n] = 0;
        p->tokens_at[n] = now;
    }
    bool full = p->need_full[n];
    p->need_full[n] = 0;
    uint64_t to_w = p->visible_w, to_c = p->visible_chg;
    ks_time end = now + sync_cost(p, full, p->prog_w[n], to_w, now);
    if (to_c > p->prog_chg[n]) {
        add_group(p, p->prog_chg[n], to_c, end);
        p->programmed[n] += to_c - p->prog_chg[n];
        p->last_programmed[n] = end;
    }
    p->prog_w[n] = to_w;
    p->prog_chg[n] = to_c;
    p->last_run[n] = now;
    p->busy_until[n] = end;
    p->syncs[n]++;
    p->total_syncs++;
    if (full) {
        p->full_syncs[n]++;
        p->total_full++;
        p->last_full[n] = now;
    }
    if (!p->in_idle[n]) {
        p->in_idle[n] = 1;
        p->idle[p->nidle++] = n;
    }
}

/* syncPeriod: a full resync (the periodic run that also cleans up stale rules). */
static void on_periodic(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_proxy *p = ctx;
    p->need_full[ev->target] = 1;
    if (!p->down[ev->target]) request_sync(p, ev->target);
    ks_sim_after(sim, p->t->proxy_sync_period, ev->type, ev->target, 0);
}

/* The watch delivers write ARG (and every earlier one) to the kube-proxies: each idle one asks
 * for a sync. */
static void on_delivered(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_proxy *p = ctx;
    uint64_t w = ev->arg + 1;
    if (w <= p->visible_w) return;
    p->visible_w = w;
    p->visible_chg = p->wend[w - 1];
    for (uint32_t i = 0; i < p->nidle; i++) {
        uint32_t n = p->idle[i];
        p->in_idle[n] = 0;
        if (!p->down[n]) request_sync(p, n);
    }
    p->nidle = 0;
}

void ks_kube_proxy_node_changed(ks_world *w, uint32_t node, bool running)
{
    ks_proxy *p = w->proxy;
    if (!p || !p->nnodes || node >= p->nnodes || p->down[node] == !running) return;
    p->down[node] = !running;
    if (!running) return;
    /* Back: what it missed is not counted; a full resync, as a restarted kube-proxy does. */
    flush_group(p);
    p->prog_w[node] = p->visible_w;
    p->prog_chg[node] = p->visible_chg;
    p->need_full[node] = 1;
    p->pending[node] = 0;
    request_sync(p, node);
}

void ks_kube_proxy_node_added(ks_world *w, uint32_t node)
{
    ks_proxy *p = w->proxy;
    if (!p || !p->nnodes || node != p->nnodes) return; /* no Service: no proxy runs */
    uint32_t n = node + 1;
#define GROW(a)                                                                                              \
    do {                                                                                                     \
        p->a = ks_realloc(p->a, (size_t)n * sizeof *p->a);                                                    \
        memset(&p->a[node], 0, sizeof *p->a);                                                                 \
    } while (0)
    GROW(prog_w);
    GROW(prog_chg);
    GROW(last_run);
    GROW(busy_until);
    GROW(last_full);
    GROW(tokens);
    GROW(tokens_at);
    GROW(gen);
    GROW(pending);
    GROW(need_full);
    GROW(syncs);
    GROW(full_syncs);
    GROW(programmed);
    GROW(last_programmed);
    GROW(idle);
    GROW(in_idle);
    GROW(down);
#undef GROW
    p->nnodes = n;
    ks_time now = ks_sim_now(w->sim);
    /* A kube-proxy starting on a new node: a full sync of what exists (changes before it joined
     * are not its to count), then the periodic resync at its own phase. */
    p->tokens[node] = p->t->proxy_burst_syncs;
    p->tokens_at[node] = now;
    p->last_programmed[node] = KS_NEVER;
    p->prog_w[node] = p->visible_w;
    p->prog_chg[node] = p->visible_chg;
    p->need_full[node] = 1;
    request_sync(p, node);
    gsl_rng *g = ks_rng_stream(w->rngs, "kubeproxy");
    ks_sim_at(w->sim, now + (ks_time)ks_rng_below(g, (uint64_t)p->t->proxy_sync_period), p->ev_periodic, node, 0);
}

void ks_proxy_slice_committed(ks_proxy *p, uint32_t svc, const ks_time *changes, uint32_t n)
{
    ks_grow(mem_proxy, (void **)&p->chg, &p->chg_cap, p->nchg + n, sizeof *p->chg);
    if (n) memcpy(p->chg + p->nchg, changes, n * sizeof *changes);
    p->nchg += n;
    size_t cap = p->w_cap;
    ks_grow(mem_proxy, (void **)&p->wsvc, &cap, p->nw + 1, sizeof *p->wsvc);
    cap = p->w_cap;
    ks_grow(mem_proxy, (void **)&p->wend, &cap, p->nw + 1, sizeof *p->wend);
    cap = p->w_cap;
    ks_grow(mem_proxy, (void **)&p->wvisible, &cap, p->nw + 1, sizeof *p->wvisible);
    p->w_cap = cap;
    /* One watch stream delivers in commit order: never before the previous write. */
    ks_time at = ks_sim_now(p->w->sim) + ks_world_watch(p->w);
    if (p->nw && at < p->wvisible[p->nw - 1]) at = p->wvisible[p->nw - 1];
    p->wsvc[p->nw] = svc;
    p->wend[p->nw] = p->nchg;
    p->wvisible[p->nw] = at;
    ks_sim_at(p->w->sim, at, p->ev_delivered, 0, p->nw);
    p->nw++;
}

/* ---- the series */

typedef struct net_row {
    double time;
    int64_t services, endpoints, ready_endpoints, slices, slice_writes, ready_changes, proxy_syncs, proxy_full_syncs,
        programmed_pairs;
    double latency_p50_s, latency_p99_s;
} net_row;

#define NET_COL(name, type) KS_COLUMN(net_row, name, type)
static const ks_column net_columns[] = {
    NET_COL(time, KS_COL_F64),          NET_COL(services, KS_COL_I64),       NET_COL(endpoints, KS_COL_I64),
    NET_COL(ready_endpoints, KS_COL_I64), NET_COL(slices, KS_COL_I64),       NET_COL(slice_writes, KS_COL_I64),
    NET_COL(ready_changes, KS_COL_I64), NET_COL(proxy_syncs, KS_COL_I64),    NET_COL(proxy_full_syncs, KS_COL_I64),
    NET_COL(programmed_pairs, KS_COL_I64), NET_COL(latency_p50_s, KS_COL_F64), NET_COL(latency_p99_s, KS_COL_F64),
};

static void on_sample(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_proxy *p = ctx;
    const ks_eps *e = p->w->eps;
    flush_group(p);
    net_row r = {
        .time = ks_time_to_sec(ks_sim_now(sim)),
        .services = e->nservices,
        .endpoints = e->endpoints,
        .ready_endpoints = e->ready,
        .slices = e->live_slices,
        .slice_writes = (int64_t)e->writes,
        .ready_changes = (int64_t)e->ready_changes,
        .proxy_syncs = (int64_t)p->total_syncs,
        .proxy_full_syncs = (int64_t)p->total_full,
        .programmed_pairs = (int64_t)p->interval.total,
        .latency_p50_s = ks_lat_hist_percentile(&p->interval, 50) / 1e9,
        .latency_p99_s = ks_lat_hist_percentile(&p->interval, 99) / 1e9,
    };
    ks_table_append(p->series, &r);
    ks_lat_hist_clear(&p->interval);
    ks_sim_after(sim, p->sample_interval, ev->type, 0, 0);
}

ks_proxy *ks_proxy_create(ks_world *w, ks_trace *trace, ks_time sample_interval)
{
    mem_proxy = ks_mem_purpose("kubeproxy");
    ks_proxy *p = ks_calloc(mem_proxy, 1, sizeof *p);
    p->w = w;
    p->t = &w->timings->services;
    if (!w->eps->nservices) return p; /* no Service: nothing to program, no state, no handlers */
    uint32_t n = (uint32_t)w->cluster.nodes.n;
    p->nnodes = n;
    size_t k = n ? n : 1;
    p->prog_w = ks_calloc(mem_proxy, k, sizeof *p->prog_w);
    p->prog_chg = ks_calloc(mem_proxy, k, sizeof *p->prog_chg);
    p->last_run = ks_calloc(mem_proxy, k, sizeof *p->last_run);
    p->busy_until = ks_calloc(mem_proxy, k, sizeof *p->busy_until);
    p->last_full = ks_calloc(mem_proxy, k, sizeof *p->last_full);
    p->tokens = ks_calloc(mem_proxy, k, sizeof *p->tokens);
    p->tokens_at = ks_calloc(mem_proxy, k, sizeof *p->tokens_at);
    p->gen = ks_calloc(mem_proxy, k, sizeof *p->gen);
    p->pending = ks_calloc(mem_proxy, k, sizeof *p->pending);
    p->need_full = ks_calloc(mem_proxy, k, sizeof *p->need_full);
    p->syncs = ks_calloc(mem_proxy, k, sizeof *p->syncs);
    p->full_syncs = ks_calloc(mem_proxy, k, sizeof *p->full_syncs);
    p->programmed = ks_calloc(mem_proxy, k, sizeof *p->programmed);
    p->last_programmed = ks_calloc(mem_proxy, k, sizeof *p->last_programmed);
    p->idle = ks_calloc(mem_proxy, k, sizeof *p->idle);
    p->in_idle = ks_calloc(mem_proxy, k, sizeof *p->in_idle);
    p->down = ks_calloc(mem_proxy, k, sizeof *p->down);
    p->svc_stamp = ks_calloc(mem_proxy, w->eps->nservices ? w->eps->nservices : 1, sizeof *p->svc_stamp);
    p->memo_at = KS_NEVER;
    ks_lat_hist_init(&p->all);
    ks_lat_hist_init(&p->interval);
    p->ev_delivered = ks_sim_register(w->sim, "kubeproxy.watch", on_delivered, p);
    p->ev_sync = ks_sim_register(w->sim, "kubeproxy.sync", on_sync, p);
    p->ev_periodic = ks_sim_register(w->sim, "kubeproxy.resync", on_periodic, p);
    /* Every kube-proxy has programmed the Services (without endpoints) before t = 0; its runner
     * starts full, and its periodic resync has its own phase, as proxies start at different
     * times. Without Services there is nothing to program and no proxy runs. */
    gsl_rng *g = ks_rng_stream(w->rngs, "kubeproxy");
    for (uint32_t i = 0; i < n; i++) {
        p->tokens[i] = p->t->proxy_burst_syncs;
        p->last_programmed[i] = KS_NEVER;
        p->idle[p->nidle++] = i;
        p->in_idle[i] = 1;
        ks_sim_at(w->sim, (ks_time)ks_rng_below(g, (uint64_t)p->t->proxy_sync_period), p->ev_periodic, i, 0);
    }
    if (trace) {
        p->sample_interval = sample_interval;
        p->series = ks_trace_table(trace, "/network_series", net_columns, sizeof net_columns / sizeof *net_columns,
                                   sizeof(net_row), 1024);
        p->ev_sample = ks_sim_register(w->sim, "kubeproxy.sample", on_sample, p);
        ks_sim_at(w->sim, 0, p->ev_sample, 0, 0);
    }
    return p;
}

void ks_proxy_destroy(ks_proxy *p)
{
    if (!p) return;
    void *arrays[] = {p->chg,       p->wsvc,      p->wend,       p->wvisible,   p->prog_w,         p->prog_chg,
                      p->last_run,  p->busy_until, p->last_full, p->tokens,     p->tokens_at,      p->gen,
                      p->pending,   p->need_full, p->syncs,      p->full_syncs, p->programmed,     p->last_programmed,
                      p->idle,      p->in_idle,   p->svc_stamp,   p->down};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) ks_free(arrays[i]);
    ks_lat_hist_free(&p->all);
    ks_lat_hist_free(&p->interval);
    ks_free(p);
}

void ks_proxy_latency(ks_proxy *p, double *p50, double *p99, uint64_t *pairs)
{
    flush_group(p);
    *p50 = ks_lat_hist_percentile(&p->all, 50) / 1e9;
    *p99 = ks_lat_hist_percentile(&p->all, 99) / 1e9;
    *pairs = p->all.total;
}

typedef struct proxy_row {
    const char *node;
    int64_t syncs, full_syncs, changes_programmed;
    double last_programmed;
} proxy_row;

void ks_proxy_write_tables(ks_proxy *p, ks_trace *t)
{
    flush_group(p);
    if (!p->w->eps->nservices) return;
    static const ks_column cols[] = {
        KS_COLUMN(proxy_row, node, KS_COL_STR),
        KS_COLUMN(proxy_row, syncs, KS_COL_I64),
        KS_COLUMN(proxy_row, full_syncs, KS_COL_I64),
        KS_COLUMN(proxy_row, changes_programmed, KS_COL_I64),
        KS_COLUMN(proxy_row, last_programmed, KS_COL_F64),
    };
    ks_table *tab = ks_trace_table(t, "/kube_proxy", cols, sizeof cols / sizeof *cols, sizeof(proxy_row), 1024);
    for (uint32_t n = 0; n < p->nnodes; n++) {
        proxy_row r = {p->w->cluster.nodes.spec[n].name, (int64_t)p->syncs[n], (int64_t)p->full_syncs[n],
                       (int64_t)p->programmed[n],
                       p->last_programmed[n] == KS_NEVER ? (double)NAN : ks_time_to_sec(p->last_programmed[n])};
        ks_table_append(tab, &r);
    }
}
