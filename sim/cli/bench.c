/* bench.c — `kubesim bench`: the simulator's own speed.
 *
 * engine: the classic hold model (Vaucher and Duval, 1975): Q pending events; each step pops the
 * earliest at t and schedules one at t + Exp(1 s). It runs once through the kernel's
 * schedule/dispatch path (ks_sim_after from a registered handler, exactly as models do) and once
 * as a bare array-heap loop with the same 32-byte entries and the same (time, seq) order but no
 * dispatch, cancellation check, counters or interrupt polling. The ratio is the kernel's
 * overhead. Both draw their increments from one precomputed table of exponential samples, so the
 * comparison measures queue and dispatch, not the RNG. Both heaps are allocated once, with the
 * same size through the same allocator: glibc places blocks near its mmap threshold differently
 * after earlier frees, and that alone moved the Q = 1,000,000 ratio by 20%.
 *
 * e2e: one experiment end to end, trace written to a temporary file and removed.
 *
 * scheduler: node selection alone, on a synthetic cluster built through ks_world_create (node
 * pools of four shapes in three zones; 5 % of the nodes tainted NoSchedule, 10 % PreferNoSchedule;
 * some with images pre-pulled) and pods from four templates with the default plugins and no
 * inter-pod terms. Each pod is placed as a scheduling cycle places it — ks_sched_select, then
 * ks_cluster_assign (scheduler.c on_cycle) — and the loop is timed; then the same cluster, fresh,
 * through the scalar reference (reference.h) from the same RNG seed, which must choose the same
 * nodes. Both at percentageOfNodesToScore X (default 0, adaptive) and at 100.
 */
#include <getopt.h>
#include <gsl/gsl_randist.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "alloc.h"
#include "cli.h"
#include "kernel.h"
#include "rng.h"
#include "reference.h"
#include "sim.h"
#include "world.h"

#define INCREMENTS 65536 /* a power of two: the index wraps with a mask */

typedef struct hold_ctx {
    const ks_time *inc;
    uint64_t i, left;
    uint32_t type;
} hold_ctx;

static void on_hold(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)ev;
    hold_ctx *h = ctx;
    ks_sim_after(sim, h->inc[h->i++ & (INCREMENTS - 1)], h->type, 0, 0);
    if (--h->left == 0) ks_sim_stop(sim);
}

static double bench_kernel(const ks_time *inc, uint64_t queue, uint64_t events)
{
    ks_sim *sim = ks_sim_create();
    hold_ctx h = {inc, 0, events, 0};
    h.type = ks_sim_register(sim, "hold", on_hold, &h);
    ks_sim_reserve(sim, queue + 1); /* the same allocation as the bare heap's */
    for (uint64_t k = 0; k < queue; k++) ks_sim_after(sim, inc[h.i++ & (INCREMENTS - 1)], h.type, 0, 0);
    double t0 = ks_cli_wall();
    ks_sim_run(sim, KS_TIME_MAX);
    double dt = ks_cli_wall() - t0;
    ks_sim_destroy(sim);
    return (double)events / dt;
}

static inline int bare_before(const ks_event *a, const ks_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static double bench_bare(const ks_time *inc, uint64_t queue, uint64_t events)
{
    ks_event *heap = ks_malloc(ks_mem_purpose("bench"), (queue + 1) * sizeof *heap);
    size_t n = 0;
    uint64_t seq = 0, i = 0;
    ks_time now = 0;
    for (uint64_t k = 0; k <= queue; k++) { /* push Q events */
        if (k == queue) break;
        ks_event e = {now + inc[i++ & (INCREMENTS - 1)], ++seq, 0, 0, 0};
        size_t j = n++;
        while (j > 0 && bare_before(&e, &heap[(j - 1) >> 1])) {
            heap[j] = heap[(j - 1) >> 1];
            j = (j - 1) >> 1;
        }
        heap[j] = e;
    }
    double t0 = ks_cli_wall();
    for (uint64_t k = 0; k < events; k++) {
        now = heap[0].time; /* pop */
        ks_event last = heap[--n];
        size_t j = 0;
        for (;;) {
            size_t c = 2 * j + 1;
            if (c >= n) break;
            if (c + 1 < n && bare_before(&heap[c + 1], &heap[c])) c++;
            if (!bare_before(&heap[c], &last)) break;
            heap[j] = heap[c];
            j = c;
        }
        if (n) heap[j] = last;
        ks_event e = {now + inc[i++ & (INCREMENTS - 1)], ++seq, 0, 0, 0}; /* push */
        j = n++;
        while (j > 0 && bare_before(&e, &heap[(j - 1) >> 1])) {
            heap[j] = heap[(j - 1) >> 1];
            j = (j - 1) >> 1;
        }
        heap[j] = e;
    }
    double dt = ks_cli_wall() - t0;
    volatile ks_time sink = heap[0].time; /* keep the loop observable */
    (void)sink;
    ks_free(heap);
    return (double)events / dt;
}

static const char bench_usage[] =
    "usage: kubesim bench engine [--queue Q] [--events E] [--repeat R] [--json]\n"
    "       kubesim bench e2e CONFIG... [--json]\n"
    "       kubesim bench e2e --nodes N --pods P [--duration D] [--json]\n"
    "       kubesim bench scheduler --nodes N --pods P [--percentage X] [--reference-pods R]\n"
    "                               [--threads T] [--parallel-min-nodes M] [--distinct] [--json]\n"
    "\n"
    "engine  the hold model through the kernel's schedule/dispatch path, and the same loop on a\n"
    "        bare array heap; prints both rates and their ratio (best of R runs, default 3).\n"
    "        Defaults: Q = 100000, E = 10000000.\n"
    "e2e     runs an experiment end to end (trace to a temporary file) and prints wall time,\n"
    "        events/s and peak RSS: CONFIG..., or a synthetic cluster of N nodes (32 cpu, 128Gi)\n"
    "        and P pods (100m, 256Mi) in Deployments of 1,000, for D (default 30m).\n"
    "scheduler  places P pods (default 10000) one by one (ks_sched_select + assume) on a\n"
    "        synthetic cluster of N nodes (default 5000; four shapes, three zones, some taints and\n"
    "        pre-pulled images), default plugins,\n"
    "        with percentageOfNodesToScore X (default 0 = adaptive) and with 100; then the first R\n"
    "        pods (default: P, at most 2e7 / N) through the scalar reference on a fresh cluster,\n"
    "        which must choose the same nodes. Prints pods/s and ns per node evaluated (filtered)\n"
    "        for both. T OpenMP threads (default 1); M: the kernel's block size from which it\n"
    "        splits over the threads (default 0: the measured one). Pods repeat four shapes, as a\n"
    "        Deployment's do, so the kernel serves most from its per-shape node results;\n"
    "        --distinct gives every pod a request of its own (no reuse: the loop's own speed).\n"
    "\n"
    "--json prints one JSON object on the last line (engine: events_per_s, bare_events_per_s,\n"
    "ratio; e2e: wall_s, events_per_s, peak_rss_bytes; scheduler: one object per percentage).\n";

static int bench_engine(int argc, char **argv)
{
    enum { OPT_QUEUE = 256, OPT_EVENTS, OPT_REPEAT, OPT_JSON };
    static const struct option opts[] = {
        {"queue", required_argument, NULL, OPT_QUEUE}, {"events", required_argument, NULL, OPT_EVENTS},
        {"repeat", required_argument, NULL, OPT_REPEAT}, {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0},
    };
    uint64_t queue = 100000, events = 10000000, repeat = 3;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_QUEUE: if (!ks_cli_parse_u64("bench", "--queue", optarg, &queue)) return KS_EXIT_USAGE; break;
        case OPT_EVENTS: if (!ks_cli_parse_u64("bench", "--events", optarg, &events)) return KS_EXIT_USAGE; break;
        case OPT_REPEAT: if (!ks_cli_parse_u64("bench", "--repeat", optarg, &repeat)) return KS_EXIT_USAGE; break;
        case OPT_JSON: json = true; break;
        case 'h': fputs(bench_usage, stdout); return KS_EXIT_OK;
        default: fputs(bench_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    if (queue == 0 || events == 0 || repeat == 0 || queue > 100000000) {
        fprintf(stderr, "kubesim bench: --queue must be 1..100000000, --events and --repeat >= 1\n");
        return KS_EXIT_USAGE;
    }
    ks_time *inc = ks_malloc(ks_mem_purpose("bench"), INCREMENTS * sizeof *inc);
    ks_rngs *rngs = ks_rngs_create(1);
    gsl_rng *g = ks_rng_stream(rngs, "bench");
    for (int k = 0; k < INCREMENTS; k++) inc[k] = ks_time_from_sec(gsl_ran_exponential(g, 1.0));
    double kernel = 0, bare = 0;
    for (uint64_t r = 0; r < repeat; r++) { /* interleaved, best of each: fair under noise */
        double k = bench_kernel(inc, queue, events), b = bench_bare(inc, queue, events);
        if (k > kernel) kernel = k;
        if (b > bare) bare = b;
    }
    printf("hold model, Q = %" PRIu64 ", %" PRIu64 " events, best of %" PRIu64 "\n", queue, events, repeat);
    printf("  kernel (schedule + dispatch)  %12.0f events/s\n", kernel);
    printf("  bare array heap               %12.0f events/s\n", bare);
    printf("  ratio kernel / bare           %12.3f\n", kernel / bare);
    if (json)
        printf("{\"bench\": \"engine\", \"queue\": %" PRIu64 ", \"events\": %" PRIu64
               ", \"events_per_s\": %.0f, \"bare_events_per_s\": %.0f, \"ratio\": %.4f}\n",
               queue, events, kernel, bare, kernel / bare);
    ks_rngs_destroy(rngs);
    ks_free(inc);
    return KS_EXIT_OK;
}

/* Writes a synthetic experiment in Kubernetes' scalability-test shape: NODES nodes of 32 cpu /
 * 128 GiB / 110 pods in three zones, and PODS pods of 100m / 256Mi from Deployments of at most
 * 1,000 replicas over ten images (as perf-tests' load test spreads pods over many small
 * workloads). Returns 0, or -1 with a message. */
static int write_synthetic(const char *path, uint64_t nodes, uint64_t pods, ks_time duration)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    char d[32];
    ks_duration_format(duration, d, sizeof d);
    fprintf(f,
            "apiVersion: kubesim.io/v1alpha1\nkind: Experiment\nmetadata: {name: bench-e2e}\n"
            "spec: {duration: %s, seed: 1, sampleInterval: 10s}\n---\n"
            "apiVersion: kubesim.io/v1alpha1\nkind: NodePool\nmetadata: {name: bench}\n"
            "spec:\n  count: %" PRIu64 "\n  zones: [zone-a, zone-b, zone-c]\n"
            "  template: {status: {allocatable: {cpu: \"32\", memory: 128Gi, pods: \"110\"}}}\n",
            d, nodes);
    uint64_t left = pods;
    for (uint64_t i = 0; left > 0; i++) {
        uint64_t replicas = left < 1000 ? left : 1000;
        left -= replicas;
        fprintf(f,
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%" PRIu64 "}\n"
                "spec:\n  replicas: %" PRIu64 "\n  selector: {matchLabels: {app: app-%" PRIu64 "}}\n"
                "  template:\n    metadata: {labels: {app: app-%" PRIu64 "}, annotations: {kubesim.io/image-size: %" PRIu64
                "Mi}}\n    spec: {containers: [{name: c, image: \"registry.example.com/app-%" PRIu64
                ":1\", resources: {requests: {cpu: 100m, memory: 256Mi}}}]}\n",
                i, replicas, i, i, 50 + 25 * (i % 10), i % 10);
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static int bench_e2e(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_NODES, OPT_PODS, OPT_DURATION };
    static const struct option opts[] = {{"json", no_argument, NULL, OPT_JSON},
                                         {"nodes", required_argument, NULL, OPT_NODES},
                                         {"pods", required_argument, NULL, OPT_PODS},
                                         {"duration", required_argument, NULL, OPT_DURATION},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    bool json = false;
    uint64_t nodes = 0, pods = 0;
    ks_time duration = KS_MIN(30);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = true; break;
        case OPT_NODES: if (!ks_cli_parse_u64("bench", "--nodes", optarg, &nodes)) return KS_EXIT_USAGE; break;
        case OPT_PODS: if (!ks_cli_parse_u64("bench", "--pods", optarg, &pods)) return KS_EXIT_USAGE; break;
        case OPT_DURATION:
            if (!ks_cli_parse_duration("bench", "--duration", optarg, &duration)) return KS_EXIT_USAGE;
            break;
        case 'h': fputs(bench_usage, stdout); return KS_EXIT_OK;
        default: fputs(bench_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    bool synthetic = nodes || pods;
    if (synthetic == (optind < argc)) {
        fprintf(stderr, "kubesim bench e2e: give either CONFIG... or --nodes N --pods P\n");
        return KS_EXIT_USAGE;
    }
    if (synthetic && (nodes == 0 || nodes > 1000000 || pods > 100000000 || duration <= 0)) {
        fprintf(stderr, "kubesim bench e2e: --nodes must be 1..1000000, --pods at most 100000000, --duration > 0\n");
        return KS_EXIT_USAGE;
    }
    char out[64], cfg[64];
    snprintf(out, sizeof out, "/tmp/kubesim-bench-%ld.h5", (long)getpid());
    snprintf(cfg, sizeof cfg, "/tmp/kubesim-bench-%ld.yaml", (long)getpid());
    const char *synthetic_cfg[] = {cfg};
    if (synthetic && write_synthetic(cfg, nodes, pods, duration) != 0) return KS_EXIT_FAILURE;
    ks_run_opts o = {.configs = synthetic ? synthetic_cfg : (const char *const *)argv + optind,
                     .nconfigs = synthetic ? 1 : (size_t)(argc - optind),
                     .output = out, .threads = -1, .until = -1, .quiet = true};
    ks_run_report r = {0};
    int rc = ks_run_experiment(&o, &r);
    unlink(out);
    if (synthetic) unlink(cfg);
    if (rc) return rc;
    printf("e2e: %.3f s wall, %" PRIu64 " events, %.0f events/s, peak RSS %.1f MiB; %" PRId64
           " pods created, %" PRId64 " running\n",
           r.wall_s, r.events, r.events_per_s, (double)r.peak_rss_bytes / 1048576.0, r.pods_created, r.pods_running);
    if (json)
        printf("{\"bench\": \"e2e\", \"wall_s\": %.4f, \"events\": %" PRIu64 ", \"events_per_s\": %.0f, "
               "\"peak_rss_bytes\": %zu, \"pods_created\": %" PRId64 ", \"pods_running\": %" PRId64 "}\n",
               r.wall_s, r.events, r.events_per_s, r.peak_rss_bytes, r.pods_created, r.pods_running);
    return KS_EXIT_OK;
}

/* ---------------------------------------------------------------- bench scheduler */

/* The synthetic cluster: four node shapes, each a pool split into plain, PreferNoSchedule-tainted
 * (spot) and NoSchedule-tainted (infra, which no bench pod tolerates) parts. */
typedef struct sched_shape {
    const char *name;
    int64_t cpu_milli, mem_gib;
} sched_shape;
static const sched_shape sched_shapes[] = {{"small", 8000, 32}, {"medium", 16000, 64}, {"large", 32000, 128}, {"xlarge", 64000, 256}};
enum { SCHED_SHAPES = 4, SCHED_TEMPLATES = 4, SCHED_IMAGES = 5 };

typedef struct sched_bench_cluster {
    ks_node_pool pools[SCHED_SHAPES * 3];
    size_t npools;
    ks_pod_spec templates[SCHED_TEMPLATES];
    ks_container containers[SCHED_TEMPLATES];
    ks_sched_config cfg;
    ks_timings timings;
    bool distinct; /* every pod a shape of its own (--distinct) */
} sched_bench_cluster;

static char *bench_str(const char *s) { return ks_strdup(ks_mem_purpose("bench"), s); }

static void sched_bench_setup(sched_bench_cluster *b, uint64_t nodes)
{
    static const char *const zones[] = {"zone-a", "zone-b", "zone-c"};
    static const char *const images[SCHED_IMAGES] = {"registry.example.com/web:1", "registry.example.com/api:2",
                                                      "registry.example.com/batch:3", "registry.example.com/cache:4",
                                                      "registry.example.com/ml:5"};
    ks_mem_id mem = ks_mem_purpose("bench");
    memset(b, 0, sizeof *b);
    uint64_t left = nodes;
    for (int s = 0; s < SCHED_SHAPES; s++)
        for (int part = 0; part < 3; part++) { /* 85 % plain, 10 % spot, 5 % infra of each shape */
            static const int percent[] = {85, 10, 5};
            uint64_t count = s == SCHED_SHAPES - 1 && part == 2 ? left : nodes * (uint64_t)percent[part] / 100 / SCHED_SHAPES;
            if (count > left) count = left;
            left -= count;
            ks_node_pool *p = &b->pools[b->npools++];
            char name[64];
            snprintf(name, sizeof name, "%s-%s", sched_shapes[s].name, part == 0 ? "plain" : part == 1 ? "spot" : "infra");
            p->name = bench_str(name);
            p->count = (int64_t)count;
            p->nzones = 3;
            p->zones = ks_malloc(mem, 3 * sizeof *p->zones);
            for (int z = 0; z < 3; z++) p->zones[z] = bench_str(zones[z]);
            ks_node_spec *t = &p->template;
            t->name = bench_str("");
            t->pool = bench_str("");
            t->zone = bench_str("");
            t->cpu_milli = sched_shapes[s].cpu_milli;
            t->mem_bytes = sched_shapes[s].mem_gib << 30;
            t->eph_bytes = 100LL << 30;
            t->pods = 110;
            if (part) {
                t->ntaints = 1;
                t->taints = ks_malloc(mem, sizeof *t->taints);
                t->taints[0] = (ks_taint){bench_str(part == 1 ? "spot" : "dedicated"), bench_str(part == 1 ? "true" : "infra"),
                                          part == 1 ? KS_PREFER_NO_SCHEDULE : KS_NO_SCHEDULE};
            }
            t->nimages = 2; /* two of the five images pre-pulled, by shape */
            t->images = ks_malloc(mem, 2 * sizeof *t->images);
            for (int k = 0; k < 2; k++)
                t->images[k] = (ks_image){bench_str(images[(s + k) % SCHED_IMAGES]), (int64_t)(200 + 150 * ((s + k) % SCHED_IMAGES)) << 20};
        }
    /* Pod templates: web 100m / 256Mi, api 500m / 1Gi, batch 2 / 4Gi, cache 250m with no memory
     * request (scored as 200Mi). */
    static const int64_t cpu[] = {100, 500, 2000, 250}, mem_mib[] = {256, 1024, 4096, 0};
    for (int k = 0; k < SCHED_TEMPLATES; k++) {
        b->containers[k] = (ks_container){.name = bench_str("c"), .image = bench_str(images[k]), .cpu_milli = cpu[k],
                                          .cpu_set = true, .mem_bytes = mem_mib[k] << 20, .mem_set = mem_mib[k] > 0};
        ks_pod_spec *ps = &b->templates[k];
        ps->namespace = bench_str("default");
        ps->scheduler_name = bench_str("default-scheduler");
        ps->node_name = bench_str("");
        ps->containers = &b->containers[k];
        ps->ncontainers = 1;
        ks_pod_spec_finalize(ps);
    }
    ks_sched_config_default(&b->cfg);
    ks_timings_default(&b->timings);
}

static void sched_bench_teardown(sched_bench_cluster *b)
{
    for (size_t i = 0; i < b->npools; i++) ks_node_pool_free(&b->pools[i]);
    for (int k = 0; k < SCHED_TEMPLATES; k++) {
        ks_free(b->containers[k].name);
        ks_free(b->containers[k].image);
        ks_free(b->templates[k].namespace);
        ks_free(b->templates[k].scheduler_name);
        ks_free(b->templates[k].node_name);
    }
    ks_sched_config_free(&b->cfg);
    ks_timings_free(&b->timings);
}

typedef struct sched_run {
    double wall_s;
    uint64_t pods, placed, evaluated; /* evaluated: nodes filtered, summed over the cycles */
} sched_run;

/* Places PODS pods on a fresh cluster, through the scheduler (reference false) or the reference;
 * CHOSEN receives each pod's node. */
static sched_run sched_bench_run(sched_bench_cluster *b, int32_t pct, uint64_t pods, bool reference, uint32_t *chosen)
{
    ks_sim *sim = ks_sim_create();
    ks_rngs *rngs = ks_rngs_create(1);
    ks_world_params p = {.pools = b->pools, .npools = b->npools, .sched = &b->cfg, .timings = &b->timings};
    b->cfg.percentage_of_nodes_to_score = pct;
    ks_world *w = ks_world_create(sim, rngs, &p);
    ks_cluster *c = &w->cluster;
    const ks_sched_profile *prof = &b->cfg.profiles[0];
    uint32_t next_start = 0;
    sched_run r = {.pods = pods};
    char name[32];
    /* --distinct: pod i asks for 1 + i mod 97 millicpu more than its template, so that no two pods
     * within 97 share a shape and kernel.c's per-shape cache never serves one. */
    ks_mem_id mem = ks_mem_purpose("bench");
    ks_pod_spec *specs = b->distinct ? ks_malloc(mem, pods * sizeof *specs) : NULL;
    ks_container *cts = b->distinct ? ks_malloc(mem, pods * sizeof *cts) : NULL;
    for (uint64_t i = 0; b->distinct && i < pods; i++) {
        specs[i] = b->templates[i % SCHED_TEMPLATES];
        cts[i] = b->containers[i % SCHED_TEMPLATES];
        cts[i].cpu_milli += 1 + (int64_t)(i % 97);
        specs[i].containers = &cts[i];
        ks_pod_spec_finalize(&specs[i]);
    }
    double t0 = ks_cli_wall();
    for (uint64_t i = 0; i < pods; i++) {
        const ks_pod_spec *ps = specs ? &specs[i] : &b->templates[i % SCHED_TEMPLATES];
        ks_select_result sel = reference ? ks_ref_select(c, prof, ps, pct, &next_start, w->rng_sched)
                                         : ks_sched_select(w, prof, ps);
        chosen[i] = sel.chosen;
        r.evaluated += sel.processed;
        if (sel.chosen == KS_NONE) continue;
        snprintf(name, sizeof name, "pod-%" PRIu64, i);
        ks_cluster_assign(c, ks_cluster_add_pod(c, name, ps, KS_NONE, 0), sel.chosen);
        r.placed++;
    }
    r.wall_s = ks_cli_wall() - t0;
    ks_world_destroy(w);
    ks_free(specs);
    ks_free(cts);
    ks_rngs_destroy(rngs);
    ks_sim_destroy(sim);
    return r;
}

static int bench_scheduler(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_NODES, OPT_PODS, OPT_PCT, OPT_REF, OPT_THREADS, OPT_PAR, OPT_DISTINCT };
    static const struct option opts[] = {{"json", no_argument, NULL, OPT_JSON},
                                         {"nodes", required_argument, NULL, OPT_NODES},
                                         {"pods", required_argument, NULL, OPT_PODS},
                                         {"percentage", required_argument, NULL, OPT_PCT},
                                         {"reference-pods", required_argument, NULL, OPT_REF},
                                         {"threads", required_argument, NULL, OPT_THREADS},
                                         {"parallel-min-nodes", required_argument, NULL, OPT_PAR},
                                         {"distinct", no_argument, NULL, OPT_DISTINCT},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    bool json = false, ref_given = false, distinct = false;
    uint64_t nodes = 5000, pods = 10000, pct = 0, ref_pods = 0, threads = 1, par_min = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = true; break;
        case OPT_DISTINCT: distinct = true; break;
        case OPT_NODES: if (!ks_cli_parse_u64("bench", "--nodes", optarg, &nodes)) return KS_EXIT_USAGE; break;
        case OPT_PODS: if (!ks_cli_parse_u64("bench", "--pods", optarg, &pods)) return KS_EXIT_USAGE; break;
        case OPT_PCT: if (!ks_cli_parse_u64("bench", "--percentage", optarg, &pct)) return KS_EXIT_USAGE; break;
        case OPT_REF:
            if (!ks_cli_parse_u64("bench", "--reference-pods", optarg, &ref_pods)) return KS_EXIT_USAGE;
            ref_given = true;
            break;
        case OPT_THREADS: if (!ks_cli_parse_u64("bench", "--threads", optarg, &threads)) return KS_EXIT_USAGE; break;
        case OPT_PAR:
            if (!ks_cli_parse_u64("bench", "--parallel-min-nodes", optarg, &par_min) || par_min > UINT32_MAX)
                return KS_EXIT_USAGE;
            break;
        case 'h': fputs(bench_usage, stdout); return KS_EXIT_OK;
        default: fputs(bench_usage, stderr); return KS_EXIT_USAGE;
        }
    }
    if (optind < argc || nodes == 0 || nodes > 1000000 || pods == 0 || pods > 100000000 || pct > 100 || threads == 0 ||
        threads > 1024) {
        fprintf(stderr, "kubesim bench scheduler: --nodes 1..1000000, --pods 1..100000000, --percentage 0..100, "
                        "--threads >= 1\n");
        return KS_EXIT_USAGE;
    }
    if (!ref_given) ref_pods = pods < 20000000 / nodes ? pods : 20000000 / nodes;
    if (ref_pods > pods) ref_pods = pods;
    omp_set_num_threads((int)threads);
    ks_kernel_set_parallel_min_nodes((uint32_t)par_min);
    sched_bench_cluster b;
    sched_bench_setup(&b, nodes);
    b.distinct = distinct;
    uint32_t *chosen = ks_malloc(ks_mem_purpose("bench"), pods * sizeof *chosen);
    uint32_t *ref_chosen = ks_malloc(ks_mem_purpose("bench"), (ref_pods ? ref_pods : 1) * sizeof *ref_chosen);
    int32_t pcts[2] = {(int32_t)pct, 100};
    int rc = KS_EXIT_OK;
    for (int k = 0; k < (pct == 100 ? 1 : 2); k++) {
        sched_run fast = sched_bench_run(&b, pcts[k], pods, false, chosen);
        sched_run ref = ref_pods ? sched_bench_run(&b, pcts[k], ref_pods, true, ref_chosen) : (sched_run){0};
        uint64_t agree = 0;
        while (agree < ref_pods && chosen[agree] == ref_chosen[agree]) agree++;
        printf("scheduler, %" PRIu64 " nodes, percentageOfNodesToScore %d%s, %" PRIu64 " thread(s)\n", nodes, pcts[k],
               pcts[k] ? "" : " (adaptive)", threads);
        printf("  kernel     %8" PRIu64 " pods  %10.0f pods/s  %7.2f ns/node  %6.1f nodes/pod  (%" PRIu64 " placed)\n",
               fast.pods, fast.pods / fast.wall_s, fast.wall_s * 1e9 / (double)fast.evaluated,
               (double)fast.evaluated / (double)fast.pods, fast.placed);
        if (ref_pods)
            printf("  reference  %8" PRIu64 " pods  %10.0f pods/s  %7.2f ns/node  speed-up %.1fx; same nodes for %" PRIu64
                   " of %" PRIu64 " pods\n",
                   ref.pods, ref.pods / ref.wall_s, ref.wall_s * 1e9 / (double)ref.evaluated,
                   (fast.wall_s / (double)fast.evaluated) > 0 ? (ref.wall_s / (double)ref.evaluated) / (fast.wall_s / (double)fast.evaluated) : 0,
                   agree, ref_pods);
        if (json)
            printf("{\"bench\": \"scheduler\", \"nodes\": %" PRIu64 ", \"percentage\": %d, \"threads\": %" PRIu64
                   ", \"pods\": %" PRIu64 ", \"pods_per_s\": %.0f, \"ns_per_node\": %.3f, \"reference_pods\": %" PRIu64
                   ", \"reference_pods_per_s\": %.0f, \"reference_ns_per_node\": %.3f, \"agree\": %s}\n",
                   nodes, pcts[k], threads, fast.pods, fast.pods / fast.wall_s, fast.wall_s * 1e9 / (double)fast.evaluated,
                   ref_pods, ref_pods ? ref.pods / ref.wall_s : 0, ref_pods ? ref.wall_s * 1e9 / (double)ref.evaluated : 0,
                   agree == ref_pods ? "true" : "false");
        if (agree != ref_pods) {
            fprintf(stderr, "kubesim bench scheduler: the kernel and the reference chose different nodes for pod %" PRIu64 "\n",
                    agree);
            rc = KS_EXIT_FAILURE;
        }
    }
    ks_free(chosen);
    ks_free(ref_chosen);
    sched_bench_teardown(&b);
    return rc;
}

int ks_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(bench_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KS_EXIT_USAGE : KS_EXIT_OK;
    }
    if (!strcmp(argv[1], "engine")) return bench_engine(argc - 1, argv + 1);
    if (!strcmp(argv[1], "e2e")) return bench_e2e(argc - 1, argv + 1);
    if (!strcmp(argv[1], "scheduler")) return bench_scheduler(argc - 1, argv + 1);
    fprintf(stderr, "kubesim bench: unknown benchmark \"%s\" (engine, e2e, scheduler)\n", argv[1]);
    return KS_EXIT_USAGE;
}
