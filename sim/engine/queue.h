/* queue.h — the event queue: an array binary heap of small value entries.
 *
 * Entries are 32-byte values (time, seq, type, target, arg) kept in one flat array; there is no
 * allocation per event. Order is (time, seq): seq is a per-queue insertion counter, so events at
 * equal times pop in FIFO order and a run is deterministic. push and pop are O(log n).
 *
 * Cancellation is lazy: ks_queue_cancel records the event's seq in a small open-addressing set and
 * the entry is dropped when it reaches the top (ks_queue_pop skips it). The set is probed only
 * while it is non-empty, so a run without cancellations pays one branch per pop. Models that
 * reschedule a target often may instead carry a generation number in `arg` and ignore stale
 * events in their handler; both are lazy and neither touches the heap.
 *
 * A 4-ary heap was measured against the binary heap (docs/PERFORMANCE.md); the binary heap won at
 * the queue sizes of real runs and is simpler.
 */
#ifndef KS_QUEUE_H
#define KS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ks_time.h"

typedef struct ks_event {
    ks_time time;    /* when it fires, ns of simulated time */
    uint64_t seq;    /* insertion sequence: tie-break and handle for cancellation */
    uint32_t type;   /* handler index, registered by the models */
    uint32_t target; /* object id in the model's table (pod, node, controller …) */
    uint64_t arg;    /* free for the handler: a second id, a generation, a packed value */
} ks_event;

typedef struct ks_queue ks_queue;

ks_queue *ks_queue_create(size_t initial_capacity);
void ks_queue_destroy(ks_queue *q);

/* Inserts an event and returns its seq (the handle for ks_queue_cancel). */
uint64_t ks_queue_push(ks_queue *q, ks_time time, uint32_t type, uint32_t target, uint64_t arg);

/* Removes the earliest live event into *OUT. Returns false when the queue holds no live event. */
bool ks_queue_pop(ks_queue *q, ks_event *out);

/* Returns the earliest live event without removing it (cancelled ones at the top are discarded). */
const ks_event *ks_queue_peek(ks_queue *q);

/* Cancels the pending event with this seq. Returns false if it was already cancelled, or if the
 * seq was never issued. Cancelling an event that has already fired is the caller's bug: it is not
 * detected and costs a slot in the cancel set until ks_queue_clear. */
bool ks_queue_cancel(ks_queue *q, uint64_t seq);

/* Number of entries in the heap, cancelled ones included until they reach the top. */
size_t ks_queue_size(const ks_queue *q);
/* Number of pending, not cancelled events. */
size_t ks_queue_live(const ks_queue *q);
size_t ks_queue_capacity_bytes(const ks_queue *q);
void ks_queue_clear(ks_queue *q);
/* Grows the heap's capacity to at least N entries now, so a run of known size never reallocates. */
void ks_queue_reserve(ks_queue *q, size_t n);

/* Internal to the engine: removes the top entry after ks_queue_peek returned it (live). */
void ks__queue_drop_top(ks_queue *q);

#endif
