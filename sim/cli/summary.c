/* summary.c — see summary.h. */
#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"
#include "sim.h"
#include "stats.h"
#include "job.h"
#include "trace.h"
#include "world.h"
#include "endpointslice.h"
#include "kubeproxy.h"
#include "workload.h"

static ks_mem_id summary_mem(void)
{
    return ks_mem_purpose("summary");
}

/* Sorts V[0..n) and writes its percentiles PCT[0..k) to OUT (NaN when n == 0). */
static void percentiles(double *v, size_t n, const double *pct, size_t k, double *out)
{
    ks_sort_doubles(v, n);
    for (size_t i = 0; i < k; i++) out[i] = ks_percentile_sorted(v, n, pct[i]);
}

/* Utilisation of the nodes with at least one pod, for one resource. */
static void utilisation(const ks_nodes *nodes, const int64_t *req, const int64_t *alloc, double *util,
                        double *mean, double *p99)
{
    size_t n = 0;
    double sum = 0;
    for (size_t i = 0; i < nodes->n; i++) {
        if (nodes->npods[i] <= 0) continue;
        util[n] = alloc[i] > 0 ? (double)req[i] / (double)alloc[i] : 0.0;
        sum += util[n++];
    }
    *mean = n ? sum / (double)n : NAN;
    static const double pct[1] = {99};
    percentiles(util, n, pct, 1, p99);
}

typedef struct shape {
    int64_t cpu_milli, mem_bytes, pods; /* pods: how many pods have this request */
} shape;

static int shape_cmp(const void *a, const void *b)
{
    const shape *x = a, *y = b;
    if (x->cpu_milli != y->cpu_milli) return x->cpu_milli < y->cpu_milli ? -1 : 1;
    if (x->mem_bytes != y->mem_bytes) return x->mem_bytes < y->mem_bytes ? -1 : 1;
    return 0;
}

double ks_summary_fragmentation(const ks_world *w)
{
    const ks_cluster *c = &w->cluster;
    const ks_nodes *nodes = &c->nodes;
    /* The workload's shapes, deduplicated: pods of one template share a request, so there are
     * about as many shapes as templates, and the node loop below costs O(nodes x shapes). (With a
     * trace of all-different requests a sweep over nodes sorted by free cpu with a Fenwick tree
     * over memory ranks would make it O((nodes + shapes) log shapes); not needed yet.) */
    shape *sh = ks_malloc(summary_mem(), (c->npods ? c->npods : 1) * sizeof *sh);
    size_t nsh = 0;
    int64_t total_pods = 0;
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        if (p->deleted != KS_NEVER) continue;
        sh[nsh++] = (shape){p->spec->req_cpu_milli, p->spec->req_mem_bytes, 1};
        total_pods++;
    }
    qsort(sh, nsh, sizeof *sh, shape_cmp);
    size_t u = 0;
    for (size_t i = 0; i < nsh; i++) {
        if (u && shape_cmp(&sh[u - 1], &sh[i]) == 0) sh[u - 1].pods++;
        else sh[u++] = sh[i];
    }
    nsh = u;
    double free_total = 0, stranded = 0;
    for (size_t n = 0; n < nodes->n; n++) {
        if (nodes->spec[n].unschedulable) continue; /* cordoned: no pod may use it at all */
        int64_t free_cpu = nodes->alloc_cpu[n] - nodes->req_cpu[n];
        int64_t free_mem = nodes->alloc_mem[n] - nodes->req_mem[n];
        int64_t free_pods = nodes->alloc_pods[n] - nodes->npods[n];
        if (free_cpu <= 0) continue;
        int64_t misfits = 0;
        for (size_t k = 0; k < nsh; k++)
            if (sh[k].cpu_milli > free_cpu || sh[k].mem_bytes > free_mem || free_pods < 1) misfits += sh[k].pods;
        free_total += (double)free_cpu;
        if (total_pods) stranded += (double)free_cpu * (double)misfits / (double)total_pods;
    }
    ks_free(sh);
    if (total_pods == 0) return NAN;
    return free_total > 0 ? stranded / free_total : 0.0;
}

/* The Jobs' part of the summary (models/controllers/job.h). */
static void summarize_jobs(const ks_world *w, ks_summary *s)
{
    size_t n = ks_jobs_count(w->jobs), done = 0;
    s->jobs = (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        const ks_job *j = ks_jobs_get(w->jobs, i);
        if (j->finishing) continue;
        s->jobs_complete += j->condition == KS_JOB_COMPLETE;
        s->jobs_failed += j->condition == KS_JOB_FAILED;
    }
    ks_jobs_completion_percentiles(w->jobs, s->job_completion, &done);
}

/* The Workloads' part of the summary (models/workload.h). */
static void summarize_workloads(const ks_world *w, ks_summary *s)
{
    size_t n = ks_workloads_count(w->workloads);
    s->workloads = (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        const ks_workload_stats *st = ks_workloads_stats(w->workloads, i);
        s->wl_arrivals += st->arrivals;
        s->wl_objects += st->pods + st->jobs + st->deployments;
        s->wl_deleted += st->deleted;
        if (i < KS_SUMMARY_WORKLOADS)
            s->wl[i] = (struct ks_summary_workload){ks_workloads_spec(w->workloads, i)->name, st->arrivals, st->pods,
                                                    st->jobs, st->deployments, st->deleted};
    }
}

ks_summary ks_summarize(const ks_world *w, const ks_sim *sim, double wall_s)
{
    const ks_cluster *c = &w->cluster;
    ks_summary s = {0};
    summarize_jobs(w, &s);
    summarize_workloads(w, &s);
    size_t cap = c->npods ? c->npods : 1;
    double *sli = ks_malloc(summary_mem(), cap * sizeof *sli);
    double *ready = ks_malloc(summary_mem(), cap * sizeof *ready);
    double *placed = ks_malloc(summary_mem(), cap * sizeof *placed);
    for (size_t i = 0; i < c->npods; i++) {
        const ks_pod *p = &c->pods[i];
        s.created++;
        if (p->bound != KS_NEVER) s.scheduled++;
        if (p->deleted == KS_NEVER && p->phase == KS_PHASE_RUNNING) s.running++;
        if (p->deleted == KS_NEVER && p->phase == KS_PHASE_PENDING) s.pending++;
        /* A scheduling cycle either assigns the pod or records FailedScheduling before it ends
         * (scheduler.c on_cycle), so attempts on a pod still without a node all failed. */
        if (p->deleted == KS_NEVER && p->node == KS_NONE && p->attempts > 0) s.unschedulable++;
        /* Upstream's pod startup SLI: creation to all containers reported started (Running), image
         * pulls excluded (kubernetes/community sig-scalability/slos/pod_startup_latency.md). */
        if (p->running != KS_NEVER) sli[s.started++] = ks_time_to_sec(p->running - p->created - p->pull_total);
        if (p->ready != KS_NEVER) ready[s.readied++] = ks_time_to_sec(p->ready - p->created);
        /* Scheduling latency as the scheduler sees it (created -> its decision); a pod with
         * spec.nodeName never went through it. */
        if (p->scheduled != KS_NEVER && !(p->spec->node_name && p->spec->node_name[0]))
            placed[s.sched_placed++] = ks_time_to_sec(p->scheduled - p->created);
    }
    static const double pct[3] = {50, 90, 99};
    static const double pct_sched[2] = {50, 99};
    percentiles(sli, s.started, pct, 3, s.sli);
    percentiles(ready, s.readied, pct, 3, s.ready);
    percentiles(placed, s.sched_placed, pct_sched, 2, s.sched_latency);
    s.net_latency[0] = s.net_latency[1] = NAN;
    if (w->eps && w->eps->nservices) {
        s.services = w->eps->nservices;
        s.net_changes = w->eps->ready_changes;
        ks_proxy_latency(w->proxy, &s.net_latency[0], &s.net_latency[1], &s.net_pairs);
    }
    ks_free(placed);
    ks_free(ready);
    ks_free(sli);

    const ks_nodes *nodes = &c->nodes;
    for (size_t i = 0; i < nodes->n; i++) s.nodes_used += nodes->npods[i] > 0;
    double *util = ks_malloc(summary_mem(), (nodes->n ? nodes->n : 1) * sizeof *util);
    utilisation(nodes, nodes->req_cpu, nodes->alloc_cpu, util, &s.cpu_util_mean, &s.cpu_util_p99);
    utilisation(nodes, nodes->req_mem, nodes->alloc_mem, util, &s.mem_util_mean, &s.mem_util_p99);
    ks_free(util);
    s.cpu_fragmentation = ks_summary_fragmentation(w);

    s.attempts = w->sched.attempts;
    s.unschedulable_attempts = w->sched.unschedulable_attempts;
    s.preemptions = w->sched.preemptions;
    s.victims = w->sched.victims;
    s.events = ks_sim_events_run(sim);
    s.k8s_events = c->events_emitted;
    s.api_requests = w->api.requests;
    s.etcd_writes = w->api.etcd_writes;
    static const double api_ps[2] = {50, 99};
    double api_q[2];
    ks_apiserver_latencies(&w->api, api_ps, 2, api_q);
    s.api_p50 = api_q[0];
    s.api_p99 = api_q[1];
    double simulated = ks_time_to_sec(ks_sim_now(sim));
    s.etcd_writes_per_s = simulated > 0 ? (double)s.etcd_writes / simulated : 0.0;
    s.wall_s = wall_s;
    s.events_per_s = wall_s > 0 ? (double)s.events / wall_s : 0.0;
    s.peak_rss = ks_mem_peak_rss();
    s.peak_counted = ks_mem_peak_total();
    s.incident = ks_nodelifecycle_summary(w, &s.nodes);
    s.gpu_capacity_milli = c->gpu.capacity_milli;
    s.gpu_used_milli = c->gpu.used_milli;
    ks_gpu_series_headline(w, &s.gpu_unalloc_at_100, &s.gpu_frag_ratio_at_100, &s.gpu_fail_arrived_pct);
    return s;
}

void ks_summary_print(FILE *out, const ks_config *cfg, const ks_summary *s, ks_time simulated, const char *trace,
                      bool complete)
{
    char d[32];
    ks_duration_format(simulated, d, sizeof d);
    fprintf(out, "kubesim %s — experiment \"%s\", seed %" PRIu64 "%s\n", KS_VERSION, cfg->experiment.name,
            cfg->experiment.seed, complete ? "" : " (INTERRUPTED: trace marked incomplete)");
    fprintf(out, "  simulated    %s in %.3f s of wall time (%" PRIu64 " events, %.0f events/s)\n", d, s->wall_s,
            s->events, s->events_per_s);
    fprintf(out, "  pods         %" PRId64 " created, %" PRId64 " scheduled, %" PRId64 " running, %" PRId64
                 " pending (%" PRId64 " unschedulable)\n",
            s->created, s->scheduled, s->running, s->pending, s->unschedulable);
    if (s->started) {
        /* The SLO: p99 <= 5 s for stateless pods (same document as the SLI). */
        fprintf(out, "  pod startup  p50 %.3f s, p90 %.3f s, p99 %.3f s (upstream SLI: created -> Running, image "
                     "pulls excluded; %zu pods; 5 s p99 SLO %s)\n",
                s->sli[0], s->sli[1], s->sli[2], s->started, s->sli[2] <= 5.0 ? "met" : "MISSED");
        fprintf(out, "               created -> Ready: p50 %.3f s, p90 %.3f s, p99 %.3f s\n", s->ready[0], s->ready[1],
                s->ready[2]);
    } else {
        fprintf(out, "  pod startup  no pod started\n");
    }
    fprintf(out, "  scheduling   %" PRIu64 " attempts, %" PRIu64 " unschedulable", s->attempts,
            s->unschedulable_attempts);
    if (s->sched_placed)
        fprintf(out, "; created -> scheduled p50 %.3f s, p99 %.3f s", s->sched_latency[0], s->sched_latency[1]);
    if (s->preemptions)
        fprintf(out, "; %" PRIu64 " preemptions evicted %" PRIu64 " pods", s->preemptions, s->victims);
    fputc('\n', out);
    if (s->nodes_used)
        fprintf(out, "  placement    %" PRId64 " nodes used; requested/allocatable cpu mean %.1f%% p99 %.1f%%, "
                     "memory mean %.1f%% p99 %.1f%%; free cpu fragmented %.1f%%\n",
                s->nodes_used, s->cpu_util_mean * 100, s->cpu_util_p99 * 100, s->mem_util_mean * 100,
                s->mem_util_p99 * 100, s->cpu_fragmentation * 100);
    else
        fprintf(out, "  placement    no node holds a pod\n");
    if (s->gpu_capacity_milli > 0) {
        fprintf(out, "  GPUs         %.1f of %.0f GPUs held (%.1f%%)", (double)s->gpu_used_milli / 1000,
                (double)s->gpu_capacity_milli / 1000, 100.0 * (double)s->gpu_used_milli / (double)s->gpu_capacity_milli);
        if (!isnan(s->gpu_unalloc_at_100))
            fprintf(out, "; at arrived 100%%: %.2f%% unallocated, fragmentation ratio %.1f%%", s->gpu_unalloc_at_100,
                    s->gpu_frag_ratio_at_100);
        if (!isnan(s->gpu_fail_arrived_pct)) fprintf(out, "; first pod failed at arrived %.1f%%", s->gpu_fail_arrived_pct);
        fputc('\n', out);
    }
    /* Upstream's API call latency SLO: p99 of mutating single-object calls <= 1 s
     * (kubernetes/community sig-scalability/slos/api_call_latency.md). */
    fprintf(out, "  API server   %" PRIu64 " requests, %" PRIu64 " etcd writes (%.1f/s); latency p50 %.1f ms, p99 %.1f ms%s\n",
            s->api_requests, s->etcd_writes, s->etcd_writes_per_s, s->api_p50 * 1e3, s->api_p99 * 1e3,
            s->api_p99 > 1.0 ? " (over the 1 s SLO)" : "");
    if (s->incident) {
        const ks_nlc_summary *n = &s->nodes;
        fprintf(out, "  node failures %" PRIu64 " failed (%" PRIu64 " recovered); NotReady after p50 %.1f s, p99 %.1f s; "
                     "NoExecute after p50 %.1f s, p99 %.1f s\n",
                n->stats.nodes_failed, n->stats.nodes_recovered, n->detect[0], n->detect[1], n->taint[0], n->taint[1]);
        fprintf(out, "               %" PRIu64 " pods evicted by taints (%" PRIu64 " cancelled), %" PRIu64
                     " by drains (%" PRIu64 " refused by PDBs)",
                n->stats.evictions, n->stats.evictions_cancelled, n->stats.drain_evictions, n->stats.evictions_refused);
        if (n->worst)
            fprintf(out, "; fewest Ready: %s %d/%d", n->worst, n->worst_min, n->worst_replicas);
        if (isnan(n->back_after_s)) fprintf(out, "; not every Deployment back at full Ready");
        else if (n->back_after_s > 0) fprintf(out, "; all back at full Ready %.1f s after the first failure", n->back_after_s);
        fputc('\n', out);
    }
    if (s->jobs) {
        fprintf(out, "  jobs         %" PRId64 " Jobs: %" PRId64 " Complete, %" PRId64 " Failed", s->jobs, s->jobs_complete,
                s->jobs_failed);
        if (s->jobs_complete)
            fprintf(out, "; start -> completion p50 %.3f s, p99 %.3f s", s->job_completion[0], s->job_completion[1]);
        fprintf(out, "\n");
    }
    for (int64_t i = 0; i < s->workloads && i < KS_SUMMARY_WORKLOADS; i++) {
        const struct ks_summary_workload *x = &s->wl[i];
        fprintf(out, "%s%s: %" PRId64 " arrivals (%" PRId64 " Pods, %" PRId64 " Jobs, %" PRId64
                     " Deployments created), %" PRId64 " deleted at the end of their lifetime\n",
                i ? "               " : "  workloads    ", x->name, x->arrivals, x->pods, x->jobs, x->deployments,
                x->deleted);
    }
    if (s->workloads > KS_SUMMARY_WORKLOADS)
        fprintf(out, "               and %" PRId64 " more Workloads (in all %" PRId64 " arrivals, %" PRId64
                     " deleted at the end of their lifetime; see /workloads)\n",
                s->workloads - KS_SUMMARY_WORKLOADS, s->wl_arrivals, s->wl_deleted);
    if (s->services)
        fprintf(out, "  network      %" PRId64 " Services, %" PRIu64 " endpoint readiness changes, %" PRIu64
                     " (change, node) pairs programmed; network programming latency p50 %.3f s, p99 %.3f s\n",
                s->services, s->net_changes, s->net_pairs, s->net_latency[0], s->net_latency[1]);
    fprintf(out, "  events       %" PRIu64 " Kubernetes events recorded\n", s->k8s_events);
    fprintf(out, "  memory       peak RSS %.1f MiB (%.1f MiB counted by purpose)\n", (double)s->peak_rss / 1048576.0,
            (double)s->peak_counted / 1048576.0);
    fprintf(out, "  trace        %s\n", trace);
}

void ks_summary_write(ks_trace *t, const ks_summary *s, bool wall_figures)
{
    ks_trace_attr_i64(t, "/summary", "pods_created", s->created);
    ks_trace_attr_i64(t, "/summary", "pods_scheduled", s->scheduled);
    ks_trace_attr_i64(t, "/summary", "pods_running", s->running);
    ks_trace_attr_i64(t, "/summary", "pods_pending", s->pending);
    ks_trace_attr_i64(t, "/summary", "pods_unschedulable", s->unschedulable);
    ks_trace_attr_f64(t, "/summary", "startup_p50_s", s->sli[0]);
    ks_trace_attr_f64(t, "/summary", "startup_p90_s", s->sli[1]);
    ks_trace_attr_f64(t, "/summary", "startup_p99_s", s->sli[2]);
    ks_trace_attr_i64(t, "/summary", "startup_slo_met", s->started && s->sli[2] <= 5.0);
    ks_trace_attr_f64(t, "/summary", "ready_p50_s", s->ready[0]);
    ks_trace_attr_f64(t, "/summary", "ready_p90_s", s->ready[1]);
    ks_trace_attr_f64(t, "/summary", "ready_p99_s", s->ready[2]);
    ks_trace_attr_f64(t, "/summary", "sched_latency_p50_s", s->sched_latency[0]);
    ks_trace_attr_f64(t, "/summary", "sched_latency_p99_s", s->sched_latency[1]);
    ks_trace_attr_i64(t, "/summary", "nodes_used", s->nodes_used);
    ks_trace_attr_f64(t, "/summary", "cpu_util_mean", s->cpu_util_mean);
    ks_trace_attr_f64(t, "/summary", "cpu_util_p99", s->cpu_util_p99);
    ks_trace_attr_f64(t, "/summary", "mem_util_mean", s->mem_util_mean);
    ks_trace_attr_f64(t, "/summary", "mem_util_p99", s->mem_util_p99);
    ks_trace_attr_f64(t, "/summary", "cpu_fragmentation", s->cpu_fragmentation);
    ks_trace_attr_i64(t, "/summary", "sched_attempts", (int64_t)s->attempts);
    ks_trace_attr_i64(t, "/summary", "sched_unschedulable", (int64_t)s->unschedulable_attempts);
    ks_trace_attr_i64(t, "/summary", "sched_preemptions", (int64_t)s->preemptions);
    ks_trace_attr_i64(t, "/summary", "sched_victims", (int64_t)s->victims);
    ks_trace_attr_i64(t, "/summary", "k8s_events", (int64_t)s->k8s_events);
    ks_trace_attr_i64(t, "/summary", "api_requests", (int64_t)s->api_requests);
    ks_trace_attr_i64(t, "/summary", "etcd_writes", (int64_t)s->etcd_writes);
    ks_trace_attr_f64(t, "/summary", "etcd_writes_per_s", s->etcd_writes_per_s);
    ks_trace_attr_f64(t, "/summary", "api_latency_p50_s", s->api_p50);
    ks_trace_attr_f64(t, "/summary", "api_latency_p99_s", s->api_p99);
    ks_trace_attr_i64(t, "/summary", "events", (int64_t)s->events);
    if (s->gpu_capacity_milli > 0) {
        ks_trace_attr_i64(t, "/summary", "gpu_capacity_milli", s->gpu_capacity_milli);
        ks_trace_attr_i64(t, "/summary", "gpu_used_milli", s->gpu_used_milli);
        ks_trace_attr_f64(t, "/summary", "gpu_unallocated_pct_at_100", s->gpu_unalloc_at_100);
        ks_trace_attr_f64(t, "/summary", "gpu_frag_ratio_pct_at_100", s->gpu_frag_ratio_at_100);
        ks_trace_attr_f64(t, "/summary", "gpu_first_failure_arrived_pct", s->gpu_fail_arrived_pct);
    }
    if (s->incident) {
        const ks_nlc_summary *n = &s->nodes;
        ks_trace_attr_i64(t, "/summary", "nodes_failed", (int64_t)n->stats.nodes_failed);
        ks_trace_attr_i64(t, "/summary", "nodes_recovered", (int64_t)n->stats.nodes_recovered);
        ks_trace_attr_f64(t, "/summary", "detect_p50_s", n->detect[0]);
        ks_trace_attr_f64(t, "/summary", "detect_p99_s", n->detect[1]);
        ks_trace_attr_f64(t, "/summary", "taint_p50_s", n->taint[0]);
        ks_trace_attr_f64(t, "/summary", "taint_p99_s", n->taint[1]);
        ks_trace_attr_i64(t, "/summary", "pods_evicted_taint", (int64_t)n->stats.evictions);
        ks_trace_attr_i64(t, "/summary", "evictions_cancelled", (int64_t)n->stats.evictions_cancelled);
        ks_trace_attr_i64(t, "/summary", "pods_evicted_drain", (int64_t)n->stats.drain_evictions);
        ks_trace_attr_f64(t, "/summary", "min_ready_share", n->min_ready_share);
        ks_trace_attr_f64(t, "/summary", "recovered_after_s", n->back_after_s);
    }
    ks_trace_attr_i64(t, "/summary", "jobs", s->jobs);
    ks_trace_attr_i64(t, "/summary", "jobs_complete", s->jobs_complete);
    ks_trace_attr_i64(t, "/summary", "jobs_failed", s->jobs_failed);
    ks_trace_attr_f64(t, "/summary", "job_completion_p50_s", s->job_completion[0]);
    ks_trace_attr_f64(t, "/summary", "job_completion_p99_s", s->job_completion[1]);
    ks_trace_attr_i64(t, "/summary", "workloads", s->workloads);
    ks_trace_attr_i64(t, "/summary", "workload_arrivals", s->wl_arrivals);
    ks_trace_attr_i64(t, "/summary", "workload_objects", s->wl_objects);
    ks_trace_attr_i64(t, "/summary", "workload_deleted", s->wl_deleted);
    ks_trace_attr_i64(t, "/summary", "services", s->services);
    ks_trace_attr_i64(t, "/summary", "endpoint_ready_changes", (int64_t)s->net_changes);
    ks_trace_attr_i64(t, "/summary", "network_programming_pairs", (int64_t)s->net_pairs);
    ks_trace_attr_f64(t, "/summary", "network_programming_p50_s", s->net_latency[0]);
    ks_trace_attr_f64(t, "/summary", "network_programming_p99_s", s->net_latency[1]);
    if (!wall_figures) return;
    /* Wall-clock figures vary from run to run; they live in /summary attributes only, never in a
     * dataset, so that datasets stay byte-identical for a seed. */
    ks_trace_attr_f64(t, "/summary", "events_per_s", s->events_per_s);
    ks_trace_attr_f64(t, "/summary", "wall_s", s->wall_s);
    ks_trace_attr_i64(t, "/summary", "peak_rss_bytes", (int64_t)s->peak_rss);
}
