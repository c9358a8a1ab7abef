/* kubeproxy.h — kube-proxy on every node (iptables mode) and the network programming latency SLI.
 *
 * Each node's kube-proxy watches EndpointSlices and Services and rewrites its rules in a sync.
 * Syncs go through upstream's BoundedFrequencyRunner (pkg/util/async/bounded_frequency_runner.go
 * as pkg/proxy/iptables/proxier.go NewProxier builds it): a change asks for a sync, which runs at
 * once if the runner's token bucket (burstSyncs 2, refilled once per minSyncPeriod 1 s) has a
 * token, else minSyncPeriod after the previous run; changes that arrive meanwhile are coalesced
 * into that one run, and a sync asked for while one runs follows it. Every syncPeriod (30 s) a
 * node does a full resync (the periodic resync and clean-up of the reference; in v1.28+ upstream
 * hands syncPeriod to the iptables canary monitor, ipt.Monitor -> forceSyncProxyRules, and the
 * runner's own maxInterval is an hour, so a real proxy may resync less often: set
 * kubeProxy.syncPeriod to model that).
 *
 * Cost of a sync (kubesim's model; ControlPlane spec.kubeProxy): syncCostBase + syncCostPerService
 * x Services + syncCostPerEndpoint x endpoints, over the Services rewritten. Since v1.28 iptables
 * mode rewrites only the chains of the Services whose Service or EndpointSlices changed (KEP-3453,
 * MinimizeIPTablesRestore GA), so a change-triggered sync counts the changed Services and their
 * endpoints; the periodic full sync counts them all. A change is programmed when its sync ends.
 *
 * The SLI (kubernetes/community sig-scalability/slos/network_programming_latency.md): for every
 * endpoint readiness change — a pod's Ready condition turning its endpoint ready, or not ready or
 * removed — the time from that change to the moment each kube-proxy has programmed it, over all
 * (change, node) pairs. Upstream's kube-proxy measures it per slice from the
 * endpoints.kubernetes.io/last-change-trigger-time annotation; kubesim counts each change.
 *
 * Representation (no per-pair records): one global log of committed changes (8 bytes each: the
 * change's time) and of slice writes (the Service and where its changes end), in watch order;
 * per node small integers: the log positions it has programmed, its runner state. A node's sync
 * adds its latencies (sync end - change time, for the log range it programs) to a streaming
 * histogram; nodes that sync at the same instant over the same range (the usual case: every node
 * gets a watch event at the same time) are added once with a weight. Work per sync: O(changes
 * and writes it programs, shared by the nodes syncing together); events: one per node per sync,
 * plus one per node per syncPeriod.
 *
 * Simplifications: one watch delay per slice write for every node (events of one watch stream
 * arrive in order, so the log's order is the delivery order); Services' own changes are only
 * their creation at t = 0, programmed before the run. A node added during the run
 * (ks_kube_proxy_node_added) starts with a full sync; earlier changes are not its to count.
 * A node whose kube-proxy is down (its node failed: ks_kube_proxy_node_changed in world.h)
 * programs nothing; when it runs again it resyncs in full, and the changes it missed meanwhile
 * are left out of the SLI, which upstream measures on running proxies.
 */
#ifndef KS_KUBEPROXY_H
#define KS_KUBEPROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "ks_time.h"
#include "spec.h"
#include "trace.h"

struct ks_world;

/* A log-linear histogram of nanosecond values (128 sub-buckets per power of two, < 1 % wide);
 * each bucket keeps its count and the smallest and largest value it holds, so a bucket that
 * holds one distinct value reports it exactly. */
#define KS_LAT_SUB 128
#define KS_LAT_EXP 42
typedef struct ks_lat_hist {
    uint64_t *count;
    int64_t *min, *max;
    uint64_t total;
} ks_lat_hist;

typedef struct ks_proxy {
    struct ks_world *w;
    uint32_t nnodes;
    const ks_service_timings *t;
    /* The log, in watch order: change times, and per slice write its Service and the end of its
     * changes in the change log. visible_*: what the watches have delivered so far. */
    ks_time *chg;
    uint64_t nchg;
    size_t chg_cap;
    uint32_t *wsvc;
    uint64_t *wend;
    ks_time *wvisible;
    uint64_t nw;
    size_t w_cap;
    uint64_t visible_w, visible_chg;
    /* Per node (index = node). */
    uint64_t *prog_w, *prog_chg;  /* log positions programmed */
    ks_time *last_run, *busy_until, *last_full;
    double *tokens;
    ks_time *tokens_at;
    uint32_t *gen;                /* of the pending sync event (lazy cancel) */
    uint8_t *pending, *need_full;
    uint8_t *down;                /* the node's kube-proxy is not running (ks_kube_proxy_node_changed) */
    uint64_t *syncs, *full_syncs, *programmed;
    ks_time *last_programmed;     /* end of the last sync that programmed a change */
    uint32_t *idle;               /* nodes without a pending sync */
    uint32_t nidle;
    uint8_t *in_idle;
    /* Per Service: a stamp for counting distinct Services in a range. */
    uint64_t *svc_stamp;
    uint64_t stamp;
    /* The group of identical syncs being accumulated: range, end, weight. */
    uint64_t g_from, g_to;
    ks_time g_end;
    uint64_t g_weight;
    /* Cost memo: a sync at the same instant over the same write range costs the same. */
    ks_time memo_at, memo_cost;
    uint64_t memo_from, memo_to;
    int memo_full;
    ks_lat_hist all, interval;
    uint64_t total_syncs, total_full;
    uint32_t ev_delivered, ev_sync, ev_periodic, ev_sample;
    ks_table *series;
    ks_time sample_interval;
} ks_proxy;

ks_proxy *ks_proxy_create(struct ks_world *w, ks_trace *trace, ks_time sample_interval);
void ks_proxy_destroy(ks_proxy *p);
/* A slice write of Service SVC committed now, carrying the readiness changes CHANGES[0..n) (their
 * times); headless Services are not programmed, so their writes are not logged. */
void ks_proxy_slice_committed(ks_proxy *p, uint32_t svc, const ks_time *changes, uint32_t n);
/* p50 and p99 (seconds, NaN without data) of the network programming latency over every
 * (change, node) pair programmed so far, and the number of pairs. */
void ks_proxy_latency(ks_proxy *p, double *p50, double *p99, uint64_t *pairs);
/* /kube_proxy: one row per node. */
void ks_proxy_write_tables(ks_proxy *p, ks_trace *t);

/* Histogram helpers (exposed for tests). */
void ks_lat_hist_init(ks_lat_hist *h);
void ks_lat_hist_free(ks_lat_hist *h);
void ks_lat_hist_clear(ks_lat_hist *h);
void ks_lat_hist_add(ks_lat_hist *h, int64_t ns, uint64_t weight);
/* Percentile P (0..100) in nanoseconds, numpy's linear interpolation between closest ranks;
 * NaN when empty. */
double ks_lat_hist_percentile(const ks_lat_hist *h, double p);

#endif
