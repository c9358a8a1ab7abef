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
 */
#include <getopt.h>
#include <gsl/gsl_randist.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "rng.h"
#include "sim.h"

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
    "\n"
    "engine  the hold model through the kernel's schedule/dispatch path, and the same loop on a\n"
    "        bare array heap; prints both rates and their ratio (best of R runs, default 3).\n"
    "        Defaults: Q = 100000, E = 10000000.\n"
    "e2e     runs an experiment end to end (trace to a temporary file) and prints wall time,\n"
    "        events/s and peak RSS: CONFIG..., or a synthetic cluster of N nodes (32 cpu, 128Gi)\n"
    "        and P pods (100m, 256Mi) in Deployments of 1,000, for D (default 30m).\n"
    "\n"
    "--json prints one JSON object on the last line (engine: events_per_s, bare_events_per_s,\n"
    "ratio; e2e: wall_s, events_per_s, peak_rss_bytes).\n";

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

int ks_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(bench_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KS_EXIT_USAGE : KS_EXIT_OK;
    }
    if (!strcmp(argv[1], "engine")) return bench_engine(argc - 1, argv + 1);
    if (!strcmp(argv[1], "e2e")) return bench_e2e(argc - 1, argv + 1);
    fprintf(stderr, "kubesim bench: unknown benchmark \"%s\" (engine, e2e)\n", argv[1]);
    return KS_EXIT_USAGE;
}
