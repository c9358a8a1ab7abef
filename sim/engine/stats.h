/* stats.h — small numeric helpers shared by the summary and the benchmarks. */
#ifndef KS_STATS_H
#define KS_STATS_H

#include <stddef.h>

/* Percentile P (0..100) of V[0..n) by linear interpolation between closest ranks (numpy's
 * default "linear" method), so the summary agrees with the notebooks. V must be sorted ascending (ks_sort_doubles).
 * Returns NaN for n == 0. */
double ks_percentile_sorted(const double *v, size_t n, double p);
void ks_sort_doubles(double *v, size_t n);

#endif
