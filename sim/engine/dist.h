/* dist.h — distributions for latency and duration knobs.
 *
 * Every latency or duration in the models is a ks_dist: constant, uniform, exponential, normal,
 * lognormal (given median and p99, as latency SLOs are written), or empirical (a list of observed
 * values, each equally likely). Values are in the knob's base unit: nanoseconds for durations,
 * bytes for sizes. Parsing from config is in workloads/; sampling is here.
 *
 * A draw that would be negative (the normal's left tail) is clamped to 0: a latency cannot be
 * negative, and clamping keeps the count of draws, hence every stream, unchanged.
 */
#ifndef KS_DIST_H
#define KS_DIST_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "ks_time.h"

typedef enum ks_dist_kind {
    KS_DIST_CONSTANT,
    KS_DIST_UNIFORM,     /* a = low, b = high */
    KS_DIST_EXPONENTIAL, /* a = mean */
    KS_DIST_NORMAL,      /* a = mean, b = stddev */
    KS_DIST_LOGNORMAL,   /* a = median, b = p99; sampled as exp(N(ln median, sigma)) */
    KS_DIST_EMPIRICAL    /* values[0..n) */
} ks_dist_kind;

typedef struct ks_dist {
    ks_dist_kind kind;
    double a, b;
    double *values; /* EMPIRICAL only; owned by the dist (ks_dist_free) */
    size_t n;
} ks_dist;

static inline ks_dist ks_dist_constant(double v) { return (ks_dist){.kind = KS_DIST_CONSTANT, .a = v}; }

double ks_dist_sample(const ks_dist *d, gsl_rng *g);
/* Sample rounded to whole nanoseconds, never negative. */
ks_time ks_dist_sample_ns(const ks_dist *d, gsl_rng *g);
double ks_dist_mean(const ks_dist *d);
/* sigma of the lognormal with this median and p99: (ln p99 - ln median) / z_0.99. */
double ks_dist_lognormal_sigma(double median, double p99);
/* Checks parameters; returns NULL or a static message ("p99 must be >= median"). */
const char *ks_dist_check(const ks_dist *d);
ks_dist ks_dist_copy(const ks_dist *d);
void ks_dist_free(ks_dist *d);

#endif
