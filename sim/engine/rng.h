/* rng.h — named random streams.
 *
 * One GSL generator (MT19937) per role: "arrivals", "kubelet", "scheduler.tiebreak" … Each stream
 * is seeded from (experiment seed, role name) through a 64-bit mix, so adding a model or a role
 * never shifts the numbers another role draws, and a run is a function of its seed alone.
 * Streams are created on first use and owned by the ks_rngs set.
 */
#ifndef KS_RNG_H
#define KS_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct ks_rngs ks_rngs;

ks_rngs *ks_rngs_create(uint64_t seed);
void ks_rngs_destroy(ks_rngs *r);

/* The stream for ROLE, created on first use. The pointer lives as long as the set. */
gsl_rng *ks_rng_stream(ks_rngs *r, const char *role);

/* The seed a role's stream is initialised with (exposed for tests and the trace). */
uint64_t ks_rng_role_seed(uint64_t seed, const char *role);

/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t ks_rng_below(gsl_rng *g, uint64_t n);

/* Reservoir sampling of one item with skips: having seen SEEN >= 1 items, the 1-based index of
 * the next item that replaces the choice. P(next > j) = SEEN / j for every j >= SEEN, exactly the
 * law of replacing at item j with probability 1/j, item by item — with one draw per replacement
 * (about ln(count) in all) instead of one per item. */
uint64_t ks_rng_reservoir_next(gsl_rng *g, uint64_t seen);

#endif
