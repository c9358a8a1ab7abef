/* rng.c — see rng.h.
 *
 * The role seed is splitmix64 over (seed XOR FNV-1a-64(role)): FNV gives every role name its own
 * 64-bit value, and splitmix64's finaliser decorrelates nearby experiment seeds (42 and 43), which
 * MT19937's own seeding does not do well. gsl_rng_set takes an unsigned long; on LP64 that keeps
 * all 64 bits, and MT19937 uses the low 32 of them (documented GSL behaviour).
 */
#include "rng.h"

#include <string.h>

#include "alloc.h"

typedef struct stream {
    char *role;
    gsl_rng *g;
} stream;

struct ks_rngs {
    uint64_t seed;
    stream *streams;
    size_t n, cap;
    ks_mem_id mem;
};

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t ks_rng_role_seed(uint64_t seed, const char *role) { return splitmix64(seed ^ fnv1a64(role)); }

ks_rngs *ks_rngs_create(uint64_t seed)
{
    ks_mem_id mem = ks_mem_purpose("rng");
    ks_rngs *r = ks_calloc(mem, 1, sizeof *r);
    r->seed = seed;
    r->mem = mem;
    return r;
}

void ks_rngs_destroy(ks_rngs *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        gsl_rng_free(r->streams[i].g);
        ks_free(r->streams[i].role);
    }
    ks_free(r->streams);
    ks_free(r);
}

gsl_rng *ks_rng_stream(ks_rngs *r, const char *role)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->streams[i].role, role) == 0) return r->streams[i].g;
    ks_grow(r->mem, (void **)&r->streams, &r->cap, r->n + 1, sizeof *r->streams);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g) ks_out_of_memory(r->mem, sizeof(gsl_rng)); /* gsl_rng_alloc fails only when malloc does */
    gsl_rng_set(g, (unsigned long)ks_rng_role_seed(r->seed, role));
    r->streams[r->n++] = (stream){ks_strdup(r->mem, role), g};
    return g;
}

uint64_t ks_rng_below(gsl_rng *g, uint64_t n)
{
    /* gsl_rng_uniform_int is unbiased but limited to the generator's range (2^32 for MT19937). */
    if (n <= gsl_rng_max(g) - gsl_rng_min(g)) return gsl_rng_uniform_int(g, (unsigned long)n);
    uint64_t hi = gsl_rng_get(g), lo = gsl_rng_get(g);
    return ((hi << 32) | lo) % n; /* bias below 2^-32 for the n of any real cluster */
}

uint64_t ks_rng_reservoir_next(gsl_rng *g, uint64_t seen)
{
    /* next = floor(seen / u) + 1 with u uniform on (0, 1): P(next > j) = P(u <= seen / j). */
    double at = (double)seen / gsl_rng_uniform_pos(g);
    return at >= 9.0e18 ? UINT64_MAX : (uint64_t)at + 1;
}
