/* The event queue contract: (time, seq) order, FIFO ties, lazy cancellation, and a long random
 * sequence of operations checked against a sorted reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "testutil.h"

static void test_out_of_order_pushes_pop_sorted(void **state)
{
    (void)state;
    ks_queue *q = ks_queue_create(2); /* tiny capacity exercises growth */
    ks_time times[] = {50, 10, 40, 20, 30, 0, 100, 5};
    for (size_t i = 0; i < 8; i++) ks_queue_push(q, times[i], 0, (uint32_t)i, 0);
    ks_time expect[] = {0, 5, 10, 20, 30, 40, 50, 100};
    ks_event e;
    for (size_t i = 0; i < 8; i++) {
        assert_true(ks_queue_pop(q, &e));
        assert_int_equal(e.time, expect[i]);
    }
    assert_false(ks_queue_pop(q, &e));
    ks_queue_destroy(q);
}

static void test_ties_pop_fifo(void **state)
{
    (void)state;
    ks_queue *q = ks_queue_create(0);
    /* Interleave two times so that heap moves would reorder equal keys if seq were ignored. */
    for (uint32_t i = 0; i < 1000; i++) ks_queue_push(q, (i % 2) ? 7 : 3, 1, i, i * 10);
    ks_event e;
    uint32_t last3 = 0, last7 = 1;
    bool first3 = true, first7 = true;
    for (int i = 0; i < 1000; i++) {
        assert_true(ks_queue_pop(q, &e));
        if (e.time == 3) {
            if (!first3) assert_true(e.target > last3);
            last3 = e.target;
            first3 = false;
            assert_true(first7); /* every t=3 event pops before any t=7 event */
        } else {
            if (!first7) assert_true(e.target > last7);
            last7 = e.target;
            first7 = false;
        }
        assert_int_equal(e.arg, (uint64_t)e.target * 10);
    }
    ks_queue_destroy(q);
}

static void test_cancellation(void **state)
{
    (void)state;
    ks_queue *q = ks_queue_create(0);
    uint64_t a = ks_queue_push(q, 10, 0, 1, 0);
    uint64_t b = ks_queue_push(q, 20, 0, 2, 0);
    uint64_t c = ks_queue_push(q, 5, 0, 3, 0);
    assert_int_equal(ks_queue_live(q), 3);
    assert_true(ks_queue_cancel(q, c)); /* the top */
    assert_false(ks_queue_cancel(q, c)); /* twice */
    assert_false(ks_queue_cancel(q, 9999)); /* never issued */
    assert_true(ks_queue_cancel(q, b)); /* the bottom */
    assert_int_equal(ks_queue_live(q), 1);
    const ks_event *top = ks_queue_peek(q);
    assert_non_null(top);
    assert_int_equal(top->seq, a);
    ks_event e;
    assert_true(ks_queue_pop(q, &e));
    assert_int_equal(e.target, 1);
    assert_false(ks_queue_pop(q, &e));
    assert_int_equal(ks_queue_live(q), 0);
    ks_queue_destroy(q);
}

/* The reference: every live time lies in [now, now + 50), so 64 FIFO buckets indexed by
 * time % 64 hold the pending events in exact (time, seq) order — seqs grow with each push. */
typedef struct ref_bucket {
    uint64_t *seq;
    bool *cancelled;
    size_t head, n, cap;
} ref_bucket;

static void ref_push(ref_bucket *b, uint64_t seq)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->seq = realloc(b->seq, b->cap * sizeof *b->seq);
        b->cancelled = realloc(b->cancelled, b->cap * sizeof *b->cancelled);
    }
    b->seq[b->n] = seq;
    b->cancelled[b->n++] = false;
}

static void test_random_operations_match_sorted_reference(void **state)
{
    (void)state;
    enum { OPS = 1000000, SPAN = 50 };
    ks_queue *q = ks_queue_create(0);
    ref_bucket buckets[64] = {{0}};
    struct { uint64_t seq; ks_time time; } recent[64];
    size_t nrecent = 0, live = 0, pops = 0, cancels = 0, empty_pops = 0;
    srand(12345);
    ks_time now = 0;
    for (int op = 0; op < OPS; op++) {
        int r = rand() % 100;
        if (r < 50) {
            ks_time t = now + rand() % SPAN;
            uint64_t seq = ks_queue_push(q, t, 0, (uint32_t)op, 0);
            ref_push(&buckets[t % 64], seq);
            recent[nrecent++ % 64].seq = seq;
            recent[(nrecent - 1) % 64].time = t;
            live++;
        } else if (r < 90) {
            /* the reference minimum: first live entry of the first non-empty bucket from now */
            ks_time t = now;
            ref_bucket *b = NULL;
            for (; t < now + SPAN; t++) {
                b = &buckets[t % 64];
                while (b->head < b->n && b->cancelled[b->head]) b->head++;
                if (b->head < b->n) break;
                b->head = b->n = 0;
            }
            ks_event e;
            bool got = ks_queue_pop(q, &e);
            if (t == now + SPAN) {
                assert_false(got);
                empty_pops++;
                continue;
            }
            assert_true(got);
            if (e.seq != b->seq[b->head] || e.time != t)
                fail_msg("op %d: popped (t=%lld seq=%llu), expected (t=%lld seq=%llu)", op,
                         (long long)e.time, (unsigned long long)e.seq, (long long)t,
                         (unsigned long long)b->seq[b->head]);
            b->head++;
            now = t;
            live--;
            pops++;
        } else if (nrecent) {
            size_t k = (size_t)rand() % (nrecent < 64 ? nrecent : 64);
            uint64_t seq = recent[k].seq;
            ks_time t = recent[k].time;
            if (t < now) continue;
            ref_bucket *b = &buckets[t % 64];
            size_t i;
            for (i = b->head; i < b->n && b->seq[i] != seq; i++) {}
            if (i == b->n || b->cancelled[i]) continue; /* fired or cancelled: caller bug by contract */
            assert_true(ks_queue_cancel(q, seq));
            b->cancelled[i] = true;
            live--;
            cancels++;
        }
        if ((op & 0xfff) == 0) assert_int_equal(ks_queue_live(q), live);
    }
    assert_int_equal(ks_queue_live(q), live);
    assert_true(pops > 300000);
    assert_true(cancels > 10000);
    print_message("%zu pops, %zu cancels, %zu pops on an empty queue, %zu left\n", pops, cancels,
                  empty_pops, live);
    for (int i = 0; i < 64; i++) {
        free(buckets[i].seq);
        free(buckets[i].cancelled);
    }
    ks_queue_destroy(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_order_pushes_pop_sorted),
        cmocka_unit_test(test_ties_pop_fifo),
        cmocka_unit_test(test_cancellation),
        cmocka_unit_test(test_random_operations_match_sorted_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
