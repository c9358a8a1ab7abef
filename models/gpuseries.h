/* gpuseries.h — the FGD experiment's measurements of a run (fgd-experiment.md sections 2.2.8-10):
 * after every pod's first scheduling attempt, the GPU milli arrived so far (its request counted
 * whether it was placed or not), the milli held by pods, and the cluster's fragmentation (FGD's
 * Σ F_n and its ratio to the idle milli); then, at the end, those binned by arrived percent of
 * the cluster's GPU capacity, 0..130, as the artifact's analysis scripts bin them.
 *
 * Tables (docs/TRACE_FORMAT.md): /gpu_events (one row per first attempt) and /gpu_binned (131
 * rows). Nothing is recorded in a cluster without GPUs.
 */
#ifndef KS_GPUSERIES_H
#define KS_GPUSERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_time.h"

struct ks_world;
struct ks_trace;

#define KS_GPU_BINS 131 /* arrived 0..130 % */

typedef struct ks_gpu_event {
    double t;
    int64_t arrived_milli, used_milli, idle_milli;
    double frag_milli;
    int64_t placed; /* 1: the attempt bound it; 0: it failed */
} ks_gpu_event;

typedef struct ks_gpu_series {
    ks_gpu_event *ev;
    size_t n, cap;
    int64_t arrived_milli;
    int64_t first_failure; /* index of the first failed attempt, -1: none */
    struct ks_table *table; /* /gpu_events, NULL when not tracing */
} ks_gpu_series;

/* One bin of /gpu_binned: the mean of the per-event percentages in bin k (arrived percent
 * rounded half to even, as Python's round), or in bins k-1..k+1 when k has none; NaN when those
 * are empty too. alloc_pct per event is rounded to 2 decimals first, as merge_alloc_discrete.py. */
typedef struct ks_gpu_bin {
    int64_t arrive_pct, events;
    double alloc_pct, frag_pct, frag_ratio_pct;
} ks_gpu_bin;

/* Starts recording for W when its cluster has GPU capacity (else does nothing); the events go to
 * TRACE too when it is not NULL. */
void ks_gpu_series_start(struct ks_world *w, struct ks_trace *trace);
/* POD's first scheduling attempt ended at AT, placed or not. */
void ks_gpu_series_record(struct ks_world *w, uint32_t pod, bool placed, ks_time at);
/* Bins the events (OUT: KS_GPU_BINS entries). False when nothing was recorded. */
bool ks_gpu_series_bins(const struct ks_world *w, ks_gpu_bin *out);
/* Writes /gpu_binned. */
void ks_gpu_series_write(const struct ks_world *w, struct ks_trace *t);
/* The headline numbers: 100 - alloc % in bin 100 (the paper's "unallocated GPU"), the frag ratio
 * % in bin 100, and the arrived % at the first failed attempt (NaN: none, or no GPUs). */
void ks_gpu_series_headline(const struct ks_world *w, double *unalloc_at_100, double *frag_ratio_at_100,
                            double *fail_arrived_pct);
void ks_gpu_series_free(ks_gpu_series *s);

#endif
