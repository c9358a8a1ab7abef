/* queue.c — see queue.h.
 *
 * The heap is 0-based: the children of i are 2i+1 and 2i+2. push sifts a hole up and pop sifts a
 * hole down, moving each entry once instead of swapping, which halves the stores on the hot path.
 * Seqs start at 1 so that 0 marks an empty slot of the cancel set.
 */
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

struct ks_queue {
    ks_event *heap;
    size_t size, cap;
    uint64_t next_seq;
    /* Lazy cancellation: an open-addressing set of cancelled seqs (linear probing, 0 = empty,
     * UINT64_MAX = deleted), kept at most half full. */
    uint64_t *cancel;
    size_t cancel_cap, cancel_count, cancel_used;
    ks_mem_id mem;
};

#define TOMBSTONE UINT64_MAX

static inline bool before(const ks_event *a, const ks_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

ks_queue *ks_queue_create(size_t initial_capacity)
{
    ks_mem_id mem = ks_mem_purpose("event queue");
    ks_queue *q = ks_calloc(mem, 1, sizeof *q);
    q->mem = mem;
    q->cap = initial_capacity ? initial_capacity : 1024;
    q->heap = ks_malloc(mem, q->cap * sizeof *q->heap);
    q->next_seq = 1;
    return q;
}

void ks_queue_destroy(ks_queue *q)
{
    if (!q) return;
    ks_free(q->heap);
    ks_free(q->cancel);
    ks_free(q);
}

uint64_t ks_queue_push(ks_queue *q, ks_time time, uint32_t type, uint32_t target, uint64_t arg)
{
    if (q->size == q->cap) ks_grow(q->mem, (void **)&q->heap, &q->cap, q->size + 1, sizeof *q->heap);
    ks_event e = {time, q->next_seq++, type, target, arg};
    size_t i = q->size++;
    while (i > 0) {
        size_t parent = (i - 1) >> 1;
        if (!before(&e, &q->heap[parent])) break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return e.seq;
}

/* Removes the root: the last entry is sifted down from the root as a hole. */
static void remove_top(ks_queue *q)
{
    ks_event *h = q->heap;
    ks_event last = h[--q->size];
    size_t n = q->size, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(&h[c + 1], &h[c])) c++;
        if (!before(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    if (n) h[i] = last;
}

static size_t cancel_slot(const ks_queue *q, uint64_t seq)
{
    /* Fibonacci hashing spreads consecutive seqs over the table. */
    return (size_t)((seq * 0x9E3779B97F4A7C15ull) >> 7) & (q->cancel_cap - 1);
}

static bool cancel_take(ks_queue *q, uint64_t seq)
{
    for (size_t i = cancel_slot(q, seq);; i = (i + 1) & (q->cancel_cap - 1)) {
        if (q->cancel[i] == 0) return false;
        if (q->cancel[i] == seq) {
            q->cancel[i] = TOMBSTONE;
            q->cancel_count--;
            return true;
        }
    }
}

/* Discards cancelled entries at the top. Returns false if the queue is then empty. */
static bool skip_cancelled(ks_queue *q)
{
    while (q->size) {
        if (q->cancel_count == 0 || !cancel_take(q, q->heap[0].seq)) return true;
        remove_top(q);
    }
    if (q->cancel_used) { /* empty heap: nothing can be pending, reset tombstones too */
        memset(q->cancel, 0, q->cancel_cap * sizeof *q->cancel);
        q->cancel_count = q->cancel_used = 0;
    }
    return false;
}

bool ks_queue_pop(ks_queue *q, ks_event *out)
{
    if (!skip_cancelled(q)) return false;
    *out = q->heap[0];
    remove_top(q);
    return true;
}

const ks_event *ks_queue_peek(ks_queue *q) { return skip_cancelled(q) ? &q->heap[0] : NULL; }

void ks__queue_drop_top(ks_queue *q) { remove_top(q); }

static void cancel_rehash(ks_queue *q, size_t ncap)
{
    uint64_t *old = q->cancel;
    size_t ocap = q->cancel_cap;
    q->cancel = ks_calloc(q->mem, ncap, sizeof *q->cancel);
    q->cancel_cap = ncap;
    q->cancel_used = q->cancel_count;
    for (size_t i = 0; i < ocap; i++) {
        uint64_t s = old[i];
        if (s == 0 || s == TOMBSTONE) continue;
        size_t j = cancel_slot(q, s);
        while (q->cancel[j]) j = (j + 1) & (ncap - 1);
        q->cancel[j] = s;
    }
    ks_free(old);
}

bool ks_queue_cancel(ks_queue *q, uint64_t seq)
{
    if (seq == 0 || seq >= q->next_seq) return false;
    if (q->cancel_cap == 0) cancel_rehash(q, 64);
    else if ((q->cancel_used + 1) * 2 > q->cancel_cap)
        cancel_rehash(q, q->cancel_count * 4 > q->cancel_cap ? q->cancel_cap * 2 : q->cancel_cap);
    size_t i = cancel_slot(q, seq);
    while (q->cancel[i] != 0 && q->cancel[i] != TOMBSTONE) {
        if (q->cancel[i] == seq) return false;
        i = (i + 1) & (q->cancel_cap - 1);
    }
    /* A tombstone can be reused only if the seq is not further along the probe chain. */
    size_t j = i;
    while (q->cancel[j] != 0) {
        if (q->cancel[j] == seq) return false;
        j = (j + 1) & (q->cancel_cap - 1);
    }
    if (q->cancel[i] == 0) q->cancel_used++;
    q->cancel[i] = seq;
    q->cancel_count++;
    return true;
}

size_t ks_queue_size(const ks_queue *q) { return q->size; }
size_t ks_queue_live(const ks_queue *q) { return q->size - q->cancel_count; }

size_t ks_queue_capacity_bytes(const ks_queue *q)
{
    return q->cap * sizeof *q->heap + q->cancel_cap * sizeof *q->cancel;
}

void ks_queue_reserve(ks_queue *q, size_t n)
{
    if (n <= q->cap) return;
    q->heap = ks_realloc(q->heap, n * sizeof *q->heap);
    q->cap = n;
}

void ks_queue_clear(ks_queue *q)
{
    q->size = 0;
    if (q->cancel) memset(q->cancel, 0, q->cancel_cap * sizeof *q->cancel);
    q->cancel_count = q->cancel_used = 0;
}
