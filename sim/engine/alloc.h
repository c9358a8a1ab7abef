/* alloc.h — counted allocation.
 *
 * Every allocation of the simulator goes through these wrappers, which count live and peak bytes
 * per purpose ("pods", "event queue", "trace buffers" …) the way Redis's zmalloc and ROSS's
 * tw_calloc do. Out of memory is not recoverable in a simulator: the wrappers print the purpose and
 * size and abort. A small header before each block remembers its size and purpose, so ks_free
 * needs only the pointer.
 *
 * Purposes are registered by name on first use (ks_mem_purpose) and live for the process; at most
 * KS_MEM_MAX_PURPOSES. The counters are process-global and not thread-safe: do not allocate inside
 * OpenMP parallel regions (the kernels never do).
 */
#ifndef KS_ALLOC_H
#define KS_ALLOC_H

#include <stddef.h>

#define KS_MEM_MAX_PURPOSES 64

typedef int ks_mem_id;

/* Returns the id of the purpose NAME, registering it on first use. NAME must outlive the process
 * (a string literal). */
ks_mem_id ks_mem_purpose(const char *name);

/* Prints the purpose and size and aborts; for allocations made outside these wrappers (GSL). */
_Noreturn void ks_out_of_memory(ks_mem_id purpose, size_t bytes);

void *ks_malloc(ks_mem_id purpose, size_t bytes);
void *ks_calloc(ks_mem_id purpose, size_t count, size_t bytes);
/* Moves the block to a new size; the purpose stays the one it was allocated with. */
void *ks_realloc(void *ptr, size_t bytes);
void ks_free(void *ptr);
char *ks_strdup(ks_mem_id purpose, const char *s);
char *ks_strndup(ks_mem_id purpose, const char *s, size_t n);

/* Grows *PTR (an array of elem-size items with capacity *CAP) to hold at least NEED items,
 * doubling. The common vector idiom of the code base. */
void ks_grow(ks_mem_id purpose, void **ptr, size_t *cap, size_t need, size_t elem);

typedef struct ks_mem_stat {
    const char *name;
    size_t live_bytes;
    size_t peak_bytes;
    size_t allocations;
} ks_mem_stat;

/* Fills OUT (capacity MAX) with one row per registered purpose; returns the row count. */
int ks_mem_stats(ks_mem_stat *out, int max);
size_t ks_mem_live_total(void);
size_t ks_mem_peak_total(void);
/* Peak resident set size of the process from getrusage, in bytes. */
size_t ks_mem_peak_rss(void);

#endif
