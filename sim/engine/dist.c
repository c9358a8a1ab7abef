/* dist.c — see dist.h. */
#include "dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"

/* z such that Phi(z) = 0.99 (gsl_cdf_ugaussian_Pinv(0.99)), kept as a literal so the sigma does
 * not depend on the GSL build. */
#define Z_P99 2.3263478740408408

double ks_dist_lognormal_sigma(double median, double p99) { return (log(p99) - log(median)) / Z_P99; }

double ks_dist_sample(const ks_dist *d, gsl_rng *g)
{
    double v;
    switch (d->kind) {
    case KS_DIST_CONSTANT: v = d->a; break;
    case KS_DIST_UNIFORM: v = d->a + (d->b - d->a) * gsl_rng_uniform(g); break;
    case KS_DIST_EXPONENTIAL: v = gsl_ran_exponential(g, d->a); break;
    case KS_DIST_NORMAL: v = d->a + gsl_ran_gaussian_ziggurat(g, d->b); break;
    case KS_DIST_LOGNORMAL:
        v = d->a > 0 ? gsl_ran_lognormal(g, log(d->a), ks_dist_lognormal_sigma(d->a, d->b)) : 0.0;
        break;
    case KS_DIST_EMPIRICAL: v = d->n ? d->values[ks_rng_below(g, d->n)] : 0.0; break;
    default: v = 0.0;
    }
    return v > 0.0 ? v : 0.0;
}

ks_time ks_dist_sample_ns(const ks_dist *d, gsl_rng *g)
{
    double v = ks_dist_sample(d, g);
    if (!(v < 9.0e18)) return (ks_time)9000000000000000000LL; /* far beyond any horizon */
    return (ks_time)llround(v);
}

double ks_dist_mean(const ks_dist *d)
{
    switch (d->kind) {
    case KS_DIST_CONSTANT: return d->a;
    case KS_DIST_UNIFORM: return (d->a + d->b) / 2;
    case KS_DIST_EXPONENTIAL: return d->a;
    case KS_DIST_NORMAL: return d->a;
    case KS_DIST_LOGNORMAL: {
        double s = ks_dist_lognormal_sigma(d->a, d->b);
        return d->a * exp(s * s / 2);
    }
    case KS_DIST_EMPIRICAL: {
        double sum = 0;
        for (size_t i = 0; i < d->n; i++) sum += d->values[i];
        return d->n ? sum / (double)d->n : 0.0;
    }
    }
    return 0.0;
}

const char *ks_dist_check(const ks_dist *d)
{
    switch (d->kind) {
    case KS_DIST_CONSTANT: return d->a >= 0 ? NULL : "value must not be negative";
    case KS_DIST_UNIFORM:
        if (d->a < 0) return "low must not be negative";
        return d->b >= d->a ? NULL : "high must be >= low";
    case KS_DIST_EXPONENTIAL: return d->a > 0 ? NULL : "mean must be > 0";
    case KS_DIST_NORMAL:
        if (d->a < 0) return "mean must not be negative";
        return d->b >= 0 ? NULL : "stddev must not be negative";
    case KS_DIST_LOGNORMAL:
        if (!(d->a > 0)) return "median must be > 0";
        return d->b >= d->a ? NULL : "p99 must be >= median";
    case KS_DIST_EMPIRICAL:
        if (d->n == 0) return "needs at least one value";
        for (size_t i = 0; i < d->n; i++)
            if (d->values[i] < 0) return "values must not be negative";
        return NULL;
    }
    return "unknown distribution";
}

ks_dist ks_dist_copy(const ks_dist *d)
{
    ks_dist c = *d;
    if (d->kind == KS_DIST_EMPIRICAL && d->n) {
        c.values = ks_malloc(ks_mem_purpose("config"), d->n * sizeof *d->values);
        memcpy(c.values, d->values, d->n * sizeof *d->values);
    }
    return c;
}

void ks_dist_free(ks_dist *d)
{
    if (d->kind == KS_DIST_EMPIRICAL) ks_free(d->values);
    d->values = NULL;
    d->n = 0;
}
