/* alloc.c — counted allocation; see alloc.h.
 *
 * Each block carries a 16-byte header (size, purpose) so that ks_free and ks_realloc can update
 * the counters without the caller passing the size. 16 bytes keeps the payload aligned for any
 * type malloc would align for. The cost is one header per allocation, which is why hot objects
 * (events, pod rows) live in arrays rather than in blocks of their own.
 */
#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct header {
    size_t bytes;
    uint64_t purpose;
} header;
_Static_assert(sizeof(header) == 16, "allocation header must keep 16-byte alignment");

typedef struct purpose_row {
    const char *name;
    size_t live, peak, count;
} purpose_row;

static purpose_row purposes[KS_MEM_MAX_PURPOSES];
static int npurposes;
static size_t live_total, peak_total;

ks_mem_id ks_mem_purpose(const char *name)
{
    for (int i = 0; i < npurposes; i++)
        if (strcmp(purposes[i].name, name) == 0) return i;
    if (npurposes == KS_MEM_MAX_PURPOSES) {
        fprintf(stderr, "kubesim: internal error: more than %d memory purposes (adding \"%s\")\n",
                KS_MEM_MAX_PURPOSES, name);
        abort();
    }
    purposes[npurposes].name = name;
    return npurposes++;
}

_Noreturn void ks_out_of_memory(ks_mem_id purpose, size_t bytes)
{
    fprintf(stderr,
            "kubesim: out of memory allocating %zu bytes for \"%s\" (%zu bytes live in all, peak %zu)\n",
            bytes, purpose >= 0 && purpose < npurposes ? purposes[purpose].name : "?", live_total,
            peak_total);
    fflush(stderr); /* abort() flushes nothing, and stderr may be redirected to a file */
    abort();
}

static void count_add(ks_mem_id purpose, size_t bytes)
{
    purpose_row *p = &purposes[purpose];
    p->live += bytes;
    p->count++;
    if (p->live > p->peak) p->peak = p->live;
    live_total += bytes;
    if (live_total > peak_total) peak_total = live_total;
}

static void count_sub(ks_mem_id purpose, size_t bytes)
{
    purposes[purpose].live -= bytes;
    live_total -= bytes;
}

void *ks_malloc(ks_mem_id purpose, size_t bytes)
{
    if (bytes > SIZE_MAX - sizeof(header)) ks_out_of_memory(purpose, bytes);
    header *h = malloc(sizeof(header) + bytes);
    if (!h) ks_out_of_memory(purpose, bytes);
    h->bytes = bytes;
    h->purpose = (uint64_t)purpose;
    count_add(purpose, bytes);
    return h + 1;
}

void *ks_calloc(ks_mem_id purpose, size_t count, size_t bytes)
{
    if (bytes && count > SIZE_MAX / bytes) ks_out_of_memory(purpose, SIZE_MAX);
    void *p = ks_malloc(purpose, count * bytes);
    memset(p, 0, count * bytes);
    return p;
}

void *ks_realloc(void *ptr, size_t bytes)
{
    if (!ptr) {
        fprintf(stderr, "kubesim: internal error: ks_realloc(NULL) has no purpose\n");
        abort();
    }
    header *h = (header *)ptr - 1;
    ks_mem_id purpose = (ks_mem_id)h->purpose;
    size_t old = h->bytes;
    if (bytes > SIZE_MAX - sizeof(header)) ks_out_of_memory(purpose, bytes);
    header *n = realloc(h, sizeof(header) + bytes);
    if (!n) ks_out_of_memory(purpose, bytes);
    n->bytes = bytes;
    count_sub(purpose, old);
    count_add(purpose, bytes);
    purposes[purpose].count--; /* a move, not a new allocation */
    return n + 1;
}

void ks_free(void *ptr)
{
    if (!ptr) return;
    header *h = (header *)ptr - 1;
    count_sub((ks_mem_id)h->purpose, h->bytes);
    free(h);
}

char *ks_strndup(ks_mem_id purpose, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = ks_malloc(purpose, len + 1);
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

char *ks_strdup(ks_mem_id purpose, const char *s) { return ks_strndup(purpose, s, SIZE_MAX); }

void ks_grow(ks_mem_id purpose, void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem) ks_out_of_memory(purpose, SIZE_MAX);
        ncap *= 2;
    }
    *ptr = *ptr ? ks_realloc(*ptr, ncap * elem) : ks_malloc(purpose, ncap * elem);
    *cap = ncap;
}

int ks_mem_stats(ks_mem_stat *out, int max)
{
    int n = npurposes < max ? npurposes : max;
    for (int i = 0; i < n; i++)
        out[i] = (ks_mem_stat){purposes[i].name, purposes[i].live, purposes[i].peak, purposes[i].count};
    return n;
}

size_t ks_mem_live_total(void) { return live_total; }
size_t ks_mem_peak_total(void) { return peak_total; }

size_t ks_mem_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (size_t)ru.ru_maxrss * 1024u; /* Linux reports kilobytes */
}
