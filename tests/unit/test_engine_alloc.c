/* Counted allocation: live and peak bytes per purpose, realloc moves, and the out-of-memory
 * abort with its message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "testutil.h"

static const ks_mem_stat *find(const ks_mem_stat *st, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(st[i].name, name)) return &st[i];
    return NULL;
}

static void test_counts_by_purpose(void **state)
{
    (void)state;
    ks_mem_id a = ks_mem_purpose("test a"), b = ks_mem_purpose("test b");
    assert_int_equal(ks_mem_purpose("test a"), a);
    size_t live0 = ks_mem_live_total();
    void *p = ks_malloc(a, 1000);
    void *q = ks_calloc(b, 10, 30);
    p = ks_realloc(p, 4000);
    char *s = ks_strdup(a, "hello");
    ks_mem_stat st[KS_MEM_MAX_PURPOSES];
    int n = ks_mem_stats(st, KS_MEM_MAX_PURPOSES);
    const ks_mem_stat *sa = find(st, n, "test a"), *sb = find(st, n, "test b");
    assert_non_null(sa);
    assert_non_null(sb);
    assert_int_equal(sa->live_bytes, 4006);
    assert_int_equal(sa->peak_bytes, 4006);
    assert_int_equal(sa->allocations, 2); /* the realloc is a move, not a new allocation */
    assert_int_equal(sb->live_bytes, 300);
    assert_int_equal(ks_mem_live_total(), live0 + 4306);
    ks_free(p);
    ks_free(s);
    ks_free(q);
    ks_free(NULL);
    n = ks_mem_stats(st, KS_MEM_MAX_PURPOSES);
    sa = find(st, n, "test a");
    assert_int_equal(sa->live_bytes, 0);
    assert_int_equal(sa->peak_bytes, 4006);
    assert_int_equal(ks_mem_live_total(), live0);
    assert_true(ks_mem_peak_total() >= live0 + 4306);
}

static void test_grow_doubles(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    ks_grow(ks_mem_purpose("test grow"), (void **)&v, &cap, 5, sizeof *v);
    assert_int_equal(cap, 8);
    ks_grow(ks_mem_purpose("test grow"), (void **)&v, &cap, 9, sizeof *v);
    assert_int_equal(cap, 16);
    v[15] = 1;
    ks_free(v);
}

static void test_out_of_memory_aborts_with_purpose(void **state)
{
    (void)state;
    const char *errp = ks_test_path("oom.stderr");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(errp, "w", stderr)) _exit(3);
        ks_malloc(ks_mem_purpose("huge table"), SIZE_MAX - 8);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    char *err = ks_test_read_file(errp, NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "out of memory"));
    assert_non_null(strstr(err, "\"huge table\""));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_by_purpose),
        cmocka_unit_test(test_grow_doubles),
        cmocka_unit_test(test_out_of_memory_aborts_with_purpose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
