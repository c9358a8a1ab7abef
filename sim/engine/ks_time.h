/* ks_time.h — simulated time.
 *
 * Simulated time is an int64_t count of nanoseconds since the start of the run. Event order is
 * decided on these integers only; doubles appear only at the edges (distributions, the trace,
 * where times are written as float64 seconds). int64 nanoseconds cover 292 years.
 */
#ifndef KS_TIME_H
#define KS_TIME_H

#include <stdint.h>

typedef int64_t ks_time;

#define KS_NS(x) ((ks_time)(x))
#define KS_US(x) ((ks_time)(x) * 1000LL)
#define KS_MS(x) ((ks_time)(x) * 1000000LL)
#define KS_SEC(x) ((ks_time)(x) * 1000000000LL)
#define KS_MIN(x) (KS_SEC(x) * 60LL)
#define KS_TIME_MAX INT64_MAX

static inline double ks_time_to_sec(ks_time t) { return (double)t / 1e9; }

/* Rounds to the nearest nanosecond; negative and non-finite inputs are the caller's bug. */
static inline ks_time ks_time_from_sec(double s) { return (ks_time)(s * 1e9 + 0.5); }

/* Formats NS like Go's Duration.String() ("1h2m3.5s", "250ms", "1.5\u00b5s", "0s") into BUF
 * (32 bytes are always enough; shorter buffers get a truncated, terminated string). */
char *ks_duration_format(int64_t ns, char *buf, unsigned long bufsize);

#endif
