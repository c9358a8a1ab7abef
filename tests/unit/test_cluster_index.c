/* test_cluster_index.c — the cluster's lookups that trace replays lean on (models/cluster.h):
 * ks_cluster_find_pod, the name index behind Scenario pod deletes (the first row with the name
 * that is neither deleted nor terminating, through table rebuilds), and the app groups behind
 * kubesim.io/max-per-node (ks_cluster_app_pods_on across pod classes, assign, terminating,
 * release). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cluster.h"
#include "testutil.h"

static ks_pod_spec spec_of(const char *ns, ks_kv *labels, size_t nlabels)
{
    ks_pod_spec s = {0};
    s.namespace = (char *)ns;
    s.labels = (ks_labels){labels, nlabels};
    return s;
}

/* Names across namespaces, a name reused after its first pod was deleted, duplicates of one name
 * alive together, and 3,000 pods so that the table is rebuilt a few times. */
static void test_find_pod(void **state)
{
    (void)state;
    ks_cluster c;
    ks_cluster_init(&c);
    ks_pod_spec a = spec_of("a", NULL, 0), b = spec_of("b", NULL, 0);
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), KS_NONE); /* empty cluster */
    uint32_t pa = ks_cluster_add_pod(&c, "p", &a, KS_NONE, 0);
    uint32_t pb = ks_cluster_add_pod(&c, "p", &b, KS_NONE, 0);
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "pod-%d", i);
        ks_cluster_add_pod(&c, name, &a, KS_NONE, 0);
    }
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), pa);
    assert_int_equal(ks_cluster_find_pod(&c, "b", "p"), pb);
    assert_int_equal(ks_cluster_find_pod(&c, "c", "p"), KS_NONE);
    assert_int_equal(ks_cluster_find_pod(&c, "a", "q"), KS_NONE);
    for (int i = 0; i < 3000; i += 7) {
        snprintf(name, sizeof name, "pod-%d", i);
        uint32_t got = ks_cluster_find_pod(&c, "a", name);
        if (got != (uint32_t)(i + 2)) fail_msg("%s: row %u, want %d", name, got, i + 2);
        assert_string_equal(c.pods[got].name, name);
    }
    /* Deleted: gone from lookups; a new pod of that name is found instead. */
    c.pods[pa].deleted = KS_SEC(5);
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), KS_NONE);
    uint32_t pa2 = ks_cluster_add_pod(&c, "p", &a, KS_NONE, KS_SEC(6));
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), pa2);
    /* Two alive at once (the loader rejects it, the index does not rely on it): the first row,
     * as a scan of every pod would find; a terminating one is skipped. */
    uint32_t pa3 = ks_cluster_add_pod(&c, "p", &a, KS_NONE, KS_SEC(7));
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), pa2);
    c.pods[pa2].terminating = 1;
    assert_int_equal(ks_cluster_find_pod(&c, "a", "p"), pa3);
    ks_cluster_free(&c);
}

/* An app's pods per node: summed over its pod classes (labels beyond `app` differ), per
 * namespace, counting assigned pods until they are released, terminating ones included. */
static void test_app_pods_on(void **state)
{
    (void)state;
    ks_cluster c;
    ks_cluster_init(&c);
    for (int i = 0; i < 2; i++) {
        ks_node_spec n = {0};
        n.name = ks_strdup(ks_mem_purpose("nodes"), i ? "n1" : "n0");
        n.pool = ks_strdup(ks_mem_purpose("nodes"), "");
        n.zone = ks_strdup(ks_mem_purpose("nodes"), "");
        n.cpu_milli = 64000;
        n.mem_bytes = 1LL << 36;
        n.pods = 110;
        ks_cluster_add_node(&c, &n, 0);
    }
    ks_kv cn[] = {{(char *)"app", (char *)"web"}, {(char *)"kubesim.io/role", (char *)"CN"}};
    ks_kv hn[] = {{(char *)"app", (char *)"web"}, {(char *)"kubesim.io/role", (char *)"HN"}};
    ks_kv other[] = {{(char *)"app", (char *)"db"}};
    ks_kv none[] = {{(char *)"team", (char *)"x"}};
    ks_pod_spec s_cn = spec_of("a", cn, 2), s_hn = spec_of("a", hn, 2), s_other = spec_of("a", other, 1),
                s_none = spec_of("a", none, 1), s_ns = spec_of("b", cn, 2);
    uint32_t web = ks_cluster_find_app(&c, "a", "web");
    assert_int_equal(web, KS_NONE); /* no pod of the app yet */
    uint32_t p0 = ks_cluster_add_pod(&c, "p0", &s_cn, KS_NONE, 0);
    uint32_t p1 = ks_cluster_add_pod(&c, "p1", &s_hn, KS_NONE, 0);
    ks_cluster_add_pod(&c, "p2", &s_other, KS_NONE, 0);
    ks_cluster_add_pod(&c, "p3", &s_none, KS_NONE, 0); /* no app: in no group */
    uint32_t p4 = ks_cluster_add_pod(&c, "p4", &s_ns, KS_NONE, 0);
    uint32_t p5 = ks_cluster_add_pod(&c, "p5", &s_cn, KS_NONE, 0);
    web = ks_cluster_find_app(&c, "a", "web");
    assert_int_not_equal(web, KS_NONE);
    assert_int_not_equal(ks_cluster_find_app(&c, "b", "web"), web);
    assert_int_equal(ks_cluster_find_app(&c, "a", "nope"), KS_NONE);
    assert_int_equal(ks_cluster_find_app(&c, "a", NULL), KS_NONE);
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 0), 0); /* created, not assigned */
    for (uint32_t p = p0; p <= p4; p++) ks_cluster_assign(&c, p, 0);
    ks_cluster_assign(&c, p5, 1);
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 0), 2); /* p0 and p1: two classes of web in a */
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 1), 1);
    assert_int_equal(ks_cluster_app_pods_on(&c, ks_cluster_find_app(&c, "a", "db"), 0), 1);
    assert_int_equal(ks_cluster_app_pods_on(&c, ks_cluster_find_app(&c, "b", "web"), 0), 1);
    assert_int_equal(ks_cluster_app_pods_on(&c, KS_NONE, 0), 0);
    ks_cluster_set_terminating(&c, p0); /* still on the node until released */
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 0), 2);
    ks_cluster_release(&c, p0);
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 0), 1);
    ks_cluster_release(&c, p1);
    ks_cluster_release(&c, p5);
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 0), 0);
    assert_int_equal(ks_cluster_app_pods_on(&c, web, 1), 0);
    ks_cluster_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_pod),
        cmocka_unit_test(test_app_pods_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
