/* The scheduler's upstream arithmetic, checked against upstream's own test tables
 * (pkg/scheduler/framework/plugins/noderesources/{least_allocated,most_allocated,
 * balanced_allocation}_test.go, pkg/scheduler/schedule_one_test.go) and the request rules of
 * pkg/api/v1/resource/helpers.go. */
#include <string.h>

#include "scheduler.h"
#include "spec.h"
#include "testutil.h"

typedef struct fit_case {
    const char *name;
    int64_t req_cpu, cap_cpu, req_mem, cap_mem, w_cpu, w_mem, want;
} fit_case;

static void check_fit(ks_fit_strategy s, const fit_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = ks_score_fit(s, c[i].req_cpu, c[i].cap_cpu, c[i].w_cpu, c[i].req_mem, c[i].cap_mem, c[i].w_mem);
        if (got != c[i].want) fail_msg("%s: got %lld, want %lld", c[i].name, (long long)got, (long long)c[i].want);
    }
}

/* requested = existing pods' non-zero requests + the incoming pod's (3000m/5000 in most rows). */
static void test_least_allocated_upstream_table(void **state)
{
    (void)state;
    const fit_case cases[] = {
        {"nothing scheduled, nothing requested", 0, 4000, 0, 10000, 1, 1, 100},
        {"differently sized nodes: node1", 3000, 4000, 5000, 10000, 1, 1, 37},
        {"differently sized nodes: node2", 3000, 6000, 5000, 10000, 1, 1, 50},
        {"no resources requested, pods scheduled with resources: node1", 6000, 10000, 0, 20000, 1, 1, 70},
        {"no resources requested, pods scheduled with resources: node2", 6000, 10000, 5000, 20000, 1, 1, 57},
        {"resources requested, pods scheduled with resources: node1", 6000, 10000, 5000, 20000, 1, 1, 57},
        {"resources requested, pods scheduled with resources: node2", 6000, 10000, 10000, 20000, 1, 1, 45},
        {"differently sized nodes with pods: node2", 6000, 10000, 10000, 50000, 1, 1, 60},
        {"requested resources exceed node capacity: node1", 6000, 4000, 0, 10000, 1, 1, 50},
        {"requested resources exceed node capacity: node2", 6000, 4000, 5000, 10000, 1, 1, 25},
        {"zero node resources", 3000, 0, 5000, 0, 1, 1, 0},
        {"memory weight 2: node1", 3000, 4000, 5000, 10000, 1, 2, 41},
        {"memory weight 2: node2", 3000, 6000, 5000, 10000, 1, 2, 50},
    };
    check_fit(KS_FIT_LEAST_ALLOCATED, cases, sizeof cases / sizeof *cases);
    assert_int_equal(ks_score_least_allocated(5000, 4000), 0);
}

static void test_most_allocated_upstream_table(void **state)
{
    (void)state;
    const fit_case cases[] = {
        {"nothing scheduled, nothing requested", 0, 4000, 0, 10000, 1, 1, 0},
        {"differently sized nodes: node1", 3000, 4000, 5000, 10000, 1, 1, 62},
        {"differently sized nodes: node2", 3000, 6000, 5000, 10000, 1, 1, 50},
        {"pods scheduled with resources: node1", 6000, 10000, 5000, 20000, 1, 1, 42},
        {"pods scheduled with resources: node2", 6000, 10000, 10000, 20000, 1, 1, 55},
        /* Overcommit is capped at capacity (100), unlike LeastAllocated's 0. */
        {"requested resources exceed node capacity", 6000, 4000, 5000, 10000, 1, 1, 75},
        {"zero node resources", 3000, 0, 5000, 0, 1, 1, 0},
        {"memory weight 2", 3000, 4000, 5000, 10000, 1, 2, 58},
    };
    check_fit(KS_FIT_MOST_ALLOCATED, cases, sizeof cases / sizeof *cases);
}

static void test_balanced_allocation(void **state)
{
    (void)state;
    /* fractions 0.75 / 0.5 -> std 0.125 -> 87.5 truncates to 87 */
    assert_int_equal(ks_score_balanced(3000, 4000, 5000, 10000), 87);
    assert_int_equal(ks_score_balanced(3000, 6000, 5000, 10000), 100);
    /* 0.6 / 0.25 -> std 0.175 -> 82.5 -> 82 */
    assert_int_equal(ks_score_balanced(6000, 10000, 5000, 20000), 82);
    /* fractions cap at 1: 1.0 / 0.5 -> 75 */
    assert_int_equal(ks_score_balanced(6000, 4000, 5000, 10000), 75);
    /* one resource with allocatable 0 is skipped: a single fraction has std 0 */
    assert_int_equal(ks_score_balanced(3000, 0, 5000, 10000), 100);
    assert_int_equal(ks_score_balanced(0, 0, 0, 0), 100);
}

static void test_num_feasible_nodes_to_find(void **state)
{
    (void)state;
    /* schedule_one_test.go TestNumFeasibleNodesToFind */
    assert_int_equal(ks_num_feasible_nodes_to_find(0, 10), 10);
    assert_int_equal(ks_num_feasible_nodes_to_find(40, 10), 10);
    assert_int_equal(ks_num_feasible_nodes_to_find(0, 1000), 420);
    assert_int_equal(ks_num_feasible_nodes_to_find(40, 1000), 400);
    assert_int_equal(ks_num_feasible_nodes_to_find(0, 6000), 300);
    assert_int_equal(ks_num_feasible_nodes_to_find(40, 6000), 2400);
    assert_int_equal(ks_num_feasible_nodes_to_find(0, 100), 100);
    assert_int_equal(ks_num_feasible_nodes_to_find(1, 1000), 100); /* floor of 100 nodes */
    assert_int_equal(ks_num_feasible_nodes_to_find(100, 5000), 5000);
}

static void test_fit_error_message(void **state)
{
    (void)state;
    char buf[512];
    const char *r1[] = {"Insufficient cpu"};
    const uint32_t c1[] = {3};
    ks_fit_error_message(buf, sizeof buf, 3, r1, c1, 1);
    assert_string_equal(buf, "0/3 nodes are available: 3 Insufficient cpu.");
    /* Entries are sorted as strings: "10 …" before "2 …". Zero counts are left out. */
    const char *r2[] = {"Insufficient cpu", "node(s) were unschedulable", "Too many pods", "Insufficient memory"};
    const uint32_t c2[] = {2, 10, 1, 0};
    ks_fit_error_message(buf, sizeof buf, 13, r2, c2, 4);
    assert_string_equal(buf,
                        "0/13 nodes are available: 1 Too many pods, 10 node(s) were unschedulable, 2 Insufficient cpu.");
    ks_fit_error_message(buf, sizeof buf, 0, r2, (const uint32_t[]){0, 0, 0, 0}, 4);
    assert_string_equal(buf, "0/0 nodes are available:.");
}

static ks_container ctr(int64_t cpu, bool cpu_set, int64_t mem, bool mem_set)
{
    return (ks_container){.cpu_milli = cpu, .cpu_set = cpu_set, .mem_bytes = mem, .mem_set = mem_set};
}

static void test_pod_requests_and_non_zero_defaults(void **state)
{
    (void)state;
    ks_container app[2] = {ctr(1000, true, 0, false), ctr(0, true, 1 << 20, true)};
    ks_container init[1] = {ctr(3000, true, 0, false)};
    ks_pod_spec s = {.containers = app, .ncontainers = 2, .init_containers = init, .ninit = 1,
                     .overhead_cpu_milli = 250};
    ks_pod_spec_finalize(&s);
    /* max(1000 + 0, 3000) + 250 overhead */
    assert_int_equal(s.req_cpu_milli, 3250);
    assert_int_equal(s.req_mem_bytes, 1 << 20);
    /* non-zero: explicit 0 cpu stays 0; missing memory becomes 200Mi per container */
    assert_int_equal(s.nz_cpu_milli, 3000 + 250);
    /* max(200Mi + 1Mi over the app containers, 200Mi for the init container) */
    assert_int_equal(s.nz_mem_bytes, KS_DEFAULT_MEMORY_REQUEST + (1 << 20));
    ks_pod_spec empty = {0};
    ks_pod_spec_finalize(&empty);
    assert_int_equal(empty.nz_cpu_milli, 0); /* zero containers contribute nothing */
    ks_container two_empty[2] = {ctr(0, false, 0, false), ctr(0, false, 0, false)};
    ks_pod_spec e2 = {.containers = two_empty, .ncontainers = 2};
    ks_pod_spec_finalize(&e2);
    assert_int_equal(e2.nz_cpu_milli, 200);
    assert_int_equal(e2.nz_mem_bytes, 2 * KS_DEFAULT_MEMORY_REQUEST);
    assert_int_equal(e2.req_cpu_milli, 0);
}

static void test_image_ref_normalisation(void **state)
{
    (void)state;
    char b[128];
    assert_string_equal(ks_image_ref("nginx", b, sizeof b), "nginx:latest");
    assert_string_equal(ks_image_ref("nginx:1.25", b, sizeof b), "nginx:1.25");
    assert_string_equal(ks_image_ref("localhost:5000/app", b, sizeof b), "localhost:5000/app:latest");
    assert_string_equal(ks_image_ref("localhost:5000/app:v1", b, sizeof b), "localhost:5000/app:v1");
    assert_string_equal(ks_image_ref("app@sha256:abc", b, sizeof b), "app@sha256:abc");
}

static ks_sched_profile rtcr_profile(const int32_t (*shape)[2], int n)
{
    ks_sched_profile p = {.fit_strategy = KS_FIT_REQUESTED_TO_CAPACITY_RATIO, .fit_cpu_weight = 1, .fit_mem_weight = 1};
    for (int i = 0; i < n; i++) {
        p.shape_util[i] = shape[i][0];
        p.shape_score[i] = shape[i][1];
    }
    p.nshape = n;
    return p;
}

/* requested_to_capacity_ratio_test.go and the rules of shape_score.go. */
static void test_requested_to_capacity_ratio(void **state)
{
    (void)state;
    const int32_t least[][2] = {{0, 10}, {100, 0}}, most[][2] = {{0, 0}, {100, 10}};
    ks_sched_profile p = rtcr_profile(least, 2);
    assert_int_equal(ks_score_rtcr(&p, 0, 4000, 0, 10000), 100);   /* nothing requested */
    assert_int_equal(ks_score_rtcr(&p, 3000, 4000, 5000, 10000), 38); /* 25 and 50: 37.5 rounds up */
    assert_int_equal(ks_score_rtcr(&p, 3000, 6000, 5000, 10000), 50);
    assert_int_equal(ks_score_rtcr(&p, 5000, 4000, 0, 10000), 100); /* overcommitted cpu: f(100) = 0, dropped */
    p = rtcr_profile(most, 2);
    assert_int_equal(ks_score_rtcr(&p, 3000, 4000, 5000, 10000), 63); /* 75 and 50: 62.5 -> 63 */
    assert_int_equal(ks_score_rtcr(&p, 0, 4000, 5000, 10000), 50);    /* cpu scores 0: left out, not averaged */
    assert_int_equal(ks_score_rtcr(&p, 0, 0, 0, 0), 0);
    p.fit_mem_weight = 3;
    assert_int_equal(ks_score_rtcr(&p, 3000, 4000, 5000, 10000), 56); /* (75 + 150) / 4 = 56.25 */
    /* A descending segment truncates toward zero: 50 + (-50 x 1) / 70 = 50, not 49. */
    const int32_t knee[][2] = {{0, 10}, {30, 5}, {100, 0}};
    p = rtcr_profile(knee, 3);
    p.fit_mem_weight = 0;
    assert_int_equal(ks_score_rtcr(&p, 31, 100, 0, 100), 50);
    assert_int_equal(ks_score_rtcr(&p, 37, 100, 0, 100), 45);
    assert_int_equal(ks_score_rtcr(&p, 15, 100, 0, 100), 75);
}

/* Extended resources join the rows (resource_allocation.go score): cpu 3000/4000, memory
 * 5000/10000, nvidia.com/gpu 1/4 with weight 2, worked by hand. A GPU the node lacks (allocatable
 * 0) leaves both sums. */
static void test_extended_resource_rows(void **state)
{
    (void)state;
    ks_res_row r = {.n = 3, .req = {3000, 5000, 1}, .cap = {4000, 10000, 4}, .w = {1, 1, 2}};
    assert_int_equal(ks_score_fit_row(KS_FIT_LEAST_ALLOCATED, &r), 56); /* (25 + 50 + 75 x 2) / 4 */
    assert_int_equal(ks_score_fit_row(KS_FIT_MOST_ALLOCATED, &r), 43);  /* (75 + 50 + 25 x 2) / 4 */
    const int32_t least[][2] = {{0, 10}, {100, 0}}, most[][2] = {{0, 0}, {100, 10}};
    ks_sched_profile p = rtcr_profile(least, 2);
    assert_int_equal(ks_score_rtcr_row(&p, &r), 56); /* utilizations 75 50 25: (25 + 50 + 75 x 2) / 4 = 56.25 */
    p = rtcr_profile(most, 2);
    assert_int_equal(ks_score_rtcr_row(&p, &r), 44); /* (75 + 50 + 25 x 2) / 4 = 43.75 rounds, MostAllocated truncates */
    r.cap[2] = 0;
    assert_int_equal(ks_score_fit_row(KS_FIT_LEAST_ALLOCATED, &r), 37);
    assert_int_equal(ks_score_fit_row(KS_FIT_MOST_ALLOCATED, &r), 62);
    /* BalancedAllocation over three resources: the population std of the capped fractions. */
    ks_res_row b = {.n = 3, .req = {2, 5, 9}, .cap = {4, 10, 8}};
    assert_int_equal(ks_score_balanced_row(&b), 76); /* .5 .5 1 (capped): std sqrt(1/18) = .2357 */
    b = (ks_res_row){.n = 3, .req = {1, 2, 3}, .cap = {4, 4, 4}};
    assert_int_equal(ks_score_balanced_row(&b), 79); /* .25 .5 .75: std sqrt(1/24) = .2041 */
    b.cap[1] = 0;
    assert_int_equal(ks_score_balanced_row(&b), 75); /* two left: |.25 - .75| / 2 */
    b.cap[2] = 0;
    assert_int_equal(ks_score_balanced_row(&b), 100); /* one left: std 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_least_allocated_upstream_table),
        cmocka_unit_test(test_most_allocated_upstream_table),
        cmocka_unit_test(test_balanced_allocation),
        cmocka_unit_test(test_num_feasible_nodes_to_find),
        cmocka_unit_test(test_fit_error_message),
        cmocka_unit_test(test_pod_requests_and_non_zero_defaults),
        cmocka_unit_test(test_image_ref_normalisation),
        cmocka_unit_test(test_requested_to_capacity_ratio),
        cmocka_unit_test(test_extended_resource_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
