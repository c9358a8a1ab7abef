/* gpuseries.c — see gpuseries.h. The binning follows the FGD artifact's
 * experiments/analysis/merge_alloc_discrete.py and merge_frag_ratio_discrete.py. */
#include "gpuseries.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "alloc.h"
#include "trace.h"
#include "world.h"

static const ks_column event_columns[] = {
    KS_COLUMN(ks_gpu_event, t, KS_COL_F64),
    KS_COLUMN(ks_gpu_event, arrived_milli, KS_COL_I64),
    KS_COLUMN(ks_gpu_event, used_milli, KS_COL_I64),
    KS_COLUMN(ks_gpu_event, idle_milli, KS_COL_I64),
    KS_COLUMN(ks_gpu_event, frag_milli, KS_COL_F64),
    KS_COLUMN(ks_gpu_event, placed, KS_COL_I64),
};

static const ks_column bin_columns[] = {
    KS_COLUMN(ks_gpu_bin, arrive_pct, KS_COL_I64),
    KS_COLUMN(ks_gpu_bin, events, KS_COL_I64),
    KS_COLUMN(ks_gpu_bin, alloc_pct, KS_COL_F64),
    KS_COLUMN(ks_gpu_bin, frag_pct, KS_COL_F64),
    KS_COLUMN(ks_gpu_bin, frag_ratio_pct, KS_COL_F64),
};

void ks_gpu_series_start(ks_world *w, ks_trace *trace)
{
    ks_gpu_series *s = &w->gpu_series;
    memset(s, 0, sizeof *s);
    s->first_failure = -1;
    if (w->cluster.gpu.capacity_milli <= 0) return;
    if (trace)
        s->table = ks_trace_table(trace, "/gpu_events", event_columns, sizeof event_columns / sizeof *event_columns,
                                  sizeof(ks_gpu_event), 4096);
}

void ks_gpu_series_record(ks_world *w, uint32_t pod, bool placed, ks_time at)
{
    ks_gpu_series *s = &w->gpu_series;
    const ks_cluster *c = &w->cluster;
    const ks_gpu_table *g = &c->gpu;
    if (g->capacity_milli <= 0) return;
    ks_gpu_pod gp = ks_gpu_pod_of(c, c->pods[pod].spec);
    /* artifact: the arrived milli add num_gpu x gpu_milli of every pod, placed or not. */
    s->arrived_milli += (int64_t)gp.gpu_count * gp.gpu_milli;
    if (!placed && s->first_failure < 0) s->first_failure = (int64_t)s->n;
    ks_grow(ks_mem_purpose("summary"), (void **)&s->ev, &s->cap, s->n + 1, sizeof *s->ev);
    ks_gpu_event *e = &s->ev[s->n++];
    *e = (ks_gpu_event){
        .t = ks_time_to_sec(at),
        .arrived_milli = s->arrived_milli,
        .used_milli = g->used_milli,
        .idle_milli = g->capacity_milli - g->used_milli,
        .frag_milli = ks_gpu_cluster_frag_milli(c),
        .placed = placed,
    };
    if (s->table) ks_table_append(s->table, e);
}

/* Python's round(x, 0) and round(x, 2): half to even. rint under the default rounding mode
 * rounds half to even; x * 100 is not always exact, as in Python, which rounds the exact
 * binary value: the two agree but for values within an ulp of a half. */
static double round2(double x) { return rint(x * 100.0) / 100.0; }

bool ks_gpu_series_bins(const ks_world *w, ks_gpu_bin *out)
{
    const ks_gpu_series *s = &w->gpu_series;
    double cap = (double)w->cluster.gpu.capacity_milli;
    if (!s->n || cap <= 0) return false;
    /* Per event: its arrived bin and its three percentages. */
    int64_t count[KS_GPU_BINS + 2] = {0};
    double alloc[KS_GPU_BINS + 2] = {0}, frag[KS_GPU_BINS + 2] = {0}, ratio[KS_GPU_BINS + 2] = {0};
    for (size_t i = 0; i < s->n; i++) {
        const ks_gpu_event *e = &s->ev[i];
        double k = rint((double)e->arrived_milli / cap * 100.0);
        if (k < 0 || k > (double)KS_GPU_BINS) continue; /* beyond 131 %: never averaged into a bin */
        int b = (int)k;                      /* 0..131; 131 only feeds bin 130's fallback */
        count[b]++;
        alloc[b] += round2((double)e->used_milli / cap * 100.0);
        frag[b] += e->frag_milli / cap * 100.0;
        ratio[b] += e->idle_milli > 0 ? e->frag_milli / (double)e->idle_milli * 100.0 : 0.0;
    }
    for (int k = 0; k < KS_GPU_BINS; k++) {
        int lo = k, hi = k;
        if (!count[k]) { /* the neighbours k-1..k+1 */
            lo = k > 0 ? k - 1 : 0;
            hi = k + 1;
        }
        int64_t n = 0;
        double a = 0, f = 0, r = 0;
        for (int b = lo; b <= hi; b++) {
            n += count[b];
            a += alloc[b];
            f += frag[b];
            r += ratio[b];
        }
        out[k] = (ks_gpu_bin){k, n, NAN, NAN, NAN};
        if (!n) continue;
        out[k].alloc_pct = round2(a / (double)n);
        out[k].frag_pct = f / (double)n;
        out[k].frag_ratio_pct = r / (double)n;
    }
    return true;
}

void ks_gpu_series_write(const ks_world *w, ks_trace *t)
{
    ks_gpu_bin bins[KS_GPU_BINS];
    if (!ks_gpu_series_bins(w, bins)) return;
    ks_table *tab = ks_trace_table(t, "/gpu_binned", bin_columns, sizeof bin_columns / sizeof *bin_columns,
                                   sizeof(ks_gpu_bin), KS_GPU_BINS);
    for (int k = 0; k < KS_GPU_BINS; k++) ks_table_append(tab, &bins[k]);
}

void ks_gpu_series_headline(const ks_world *w, double *unalloc_at_100, double *frag_ratio_at_100,
                            double *fail_arrived_pct)
{
    const ks_gpu_series *s = &w->gpu_series;
    ks_gpu_bin bins[KS_GPU_BINS];
    *unalloc_at_100 = *frag_ratio_at_100 = *fail_arrived_pct = NAN;
    if (!ks_gpu_series_bins(w, bins)) return;
    *unalloc_at_100 = 100.0 - bins[100].alloc_pct;
    *frag_ratio_at_100 = bins[100].frag_ratio_pct;
    if (s->first_failure >= 0)
        *fail_arrived_pct = (double)s->ev[s->first_failure].arrived_milli / (double)w->cluster.gpu.capacity_milli * 100.0;
}

void ks_gpu_series_free(ks_gpu_series *s)
{
    ks_free(s->ev);
    memset(s, 0, sizeof *s);
}
