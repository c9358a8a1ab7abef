/* The scheduler held against its scalar reference (models/scheduler/reference.c) on thousands of
 * random small clusters and pods: allocatables, existing pods' requests, taints of every effect,
 * labels, tolerations, nodeSelector, required and preferred node affinity with every operator,
 * host ports, images, extended resources, apps capped by kubesim.io/max-per-node, and random profiles (strategies, weights, resource
 * lists, RequestedToCapacityRatio shapes, disabled filters).
 *
 * For every pod: ks_sched_explain and ks_ref_explain must agree on every node's verdict, reason
 * strings, raw and normalised scores and total; ks_sched_select (percentageOfNodesToScore 100)
 * must pick a node with the best total and agree with ks_ref_select, run with a clone of the
 * scheduler's RNG stream, on the node, the nodes processed and the feasible count. A second suite
 * does the same on clusters of 100-700 nodes with random percentages, where the search stops at
 * numFeasibleNodesToFind and the round-robin start matters. Each pod is then assumed on its node,
 * so later pods see the cluster change, and now and then a node gains an image as a kubelet's pull
 * would add it. Everything runs at 1 and 2 OpenMP threads, with the
 * kernel's parallel threshold lowered so that 2 threads really split the node range.
 *
 * Seeded and deterministic; a disagreement prints the seed, the pod, the node and both values. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "reference.h"
#include "rng.h"
#include "testutil.h"
#include "world.h"

/* ------------------------------------------------------------------ a tiny arena */

typedef struct arena {
    void **blocks;
    size_t n, cap;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->blocks = realloc(a->blocks, a->cap * sizeof *a->blocks);
    }
    void *p = calloc(1, size ? size : 1);
    a->blocks[a->n++] = p;
    return p;
}

static void arena_free(arena *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->blocks[i]);
    free(a->blocks);
    memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------------ random objects */

static gsl_rng *g;
static arena ar;

static uint32_t rnd(uint32_t n) { return n ? (uint32_t)gsl_rng_uniform_int(g, n) : 0; }
static bool chance(uint32_t percent) { return rnd(100) < percent; }
static char *S(const char *s) { return (char *)s; }

static const char *const label_keys[] = {"zone", "disk", "gen", "team"};
static const char *const label_values[][4] = {
    {"a", "b", "c", "a"}, {"ssd", "hdd", "ssd", "nvme"}, {"1", "3", "10", "x"}, {"red", "blue", "red", "green"}};
static const char *const taint_keys[] = {"dedicated", "gpu", "spot"};
static const char *const taint_values[] = {"", "a", "b"};
static const char *const ext_names[] = {"nvidia.com/gpu", "example.com/fpga", "example.com/none"};
static const char *const pod_images[] = {"img-a", "img-a:latest", "img-b:1", "reg:5000/img-c", "img-d@sha256:ab", "img-e:2"};
static const char *const node_images[] = {"img-a:latest", "img-b:1", "reg:5000/img-c:latest", "img-d@sha256:ab"};
static const char *const host_ips[] = {"", "10.0.0.1", "10.0.0.2"};
static int64_t image_bytes[4];

#define NODE_NAME_MAX 16

static ks_labels random_labels(int max)
{
    ks_labels l = {arena_alloc(&ar, 4 * sizeof(ks_kv)), 0};
    for (int k = 0; k < 4 && (int)l.n < max; k++)
        if (chance(60)) l.items[l.n++] = (ks_kv){S(label_keys[k]), S(label_values[k][rnd(4)])};
    return l;
}

static bool prefer_taints_only; /* run_prefer_taints: nodes carry PreferNoSchedule taints only */

static void random_node(ks_node_spec *n, int index, bool big)
{
    char *name = arena_alloc(&ar, NODE_NAME_MAX);
    snprintf(name, NODE_NAME_MAX, "node-%d", index);
    *n = (ks_node_spec){.name = name, .pool = S(""), .zone = S("")};
    n->labels = random_labels(4);
    n->cpu_milli = chance(3) ? 0 : 1000 * (int64_t)(1 + rnd(16)) + (chance(30) ? rnd(1000) : 0);
    n->mem_bytes = chance(3) ? 0 : (int64_t)(1 + rnd(64)) * 1024 * 1024 * 1024 + (chance(30) ? rnd(1 << 20) : 0);
    n->eph_bytes = chance(20) ? 0 : (int64_t)(1 + rnd(100)) * 1024 * 1024 * 1024;
    n->pods = chance(5) ? 0 : 1 + rnd(big ? 110 : 8);
    n->ntaints = chance(big ? 20 : 45) ? 1 + rnd(3) : 0;
    n->taints = arena_alloc(&ar, 3 * sizeof *n->taints);
    for (size_t k = 0; k < n->ntaints; k++)
        n->taints[k] = (ks_taint){S(taint_keys[rnd(3)]), S(taint_values[rnd(3)]), (ks_taint_effect)rnd(3)};
    if (prefer_taints_only) { /* 0-3 distinct PreferNoSchedule taints */
        n->ntaints = rnd(4);
        for (size_t k = 0; k < n->ntaints; k++) n->taints[k] = (ks_taint){S(taint_keys[k]), S(""), KS_PREFER_NO_SCHEDULE};
    }
    n->unschedulable = chance(big ? 3 : 10);
    for (int k = 0; k < 2; k++)
        if (chance(25)) n->ext[n->next++] = (ks_ext){S(ext_names[k]), rnd(5)};
    n->images = arena_alloc(&ar, 4 * sizeof *n->images);
    for (int k = 0; k < 4; k++)
        if (chance(40)) n->images[n->nimages++] = (ks_image){S(node_images[k]), image_bytes[k]};
}

static ks_toleration random_toleration(void)
{
    ks_toleration t = {.key = S(taint_keys[rnd(3)]), .value = S(taint_values[rnd(3)]), .op = KS_TOL_EQUAL,
                       .effect = (int)rnd(4) - 1};
    if (chance(40)) t.op = KS_TOL_EXISTS;
    if (t.op == KS_TOL_EXISTS && chance(30)) t.key = S("");
    if (chance(8)) t.key = S("node.kubernetes.io/unschedulable");
    return t;
}

static ks_node_term random_term(int nnodes)
{
    ks_node_term t = {arena_alloc(&ar, 3 * sizeof(ks_node_requirement)), chance(5) ? 0 : 1 + rnd(3)};
    for (size_t k = 0; k < t.n; k++) {
        ks_node_requirement *r = &t.reqs[k];
        int key = (int)rnd(5); /* 4: a key no node has */
        r->key = S(key < 4 ? label_keys[key] : "absent");
        r->op = (ks_selector_op)rnd(6);
        r->values = arena_alloc(&ar, 3 * sizeof(char *));
        if (chance(10)) { /* matchFields metadata.name */
            r->field = true;
            r->key = S("metadata.name");
            r->op = chance(50) ? KS_SEL_IN : KS_SEL_NOT_IN;
            r->nvalues = 1 + rnd(2);
            for (size_t v = 0; v < r->nvalues; v++) {
                r->values[v] = arena_alloc(&ar, NODE_NAME_MAX);
                snprintf(r->values[v], NODE_NAME_MAX, "node-%u", rnd((uint32_t)nnodes + 1));
            }
        } else if (r->op == KS_SEL_GT || r->op == KS_SEL_LT) {
            static const char *const nums[] = {"0", "2", "5", "-1", "abc"};
            r->nvalues = 1;
            r->values[0] = S(nums[rnd(5)]);
        } else if (r->op == KS_SEL_IN || r->op == KS_SEL_NOT_IN) {
            r->nvalues = 1 + rnd(3);
            for (size_t v = 0; v < r->nvalues; v++) r->values[v] = S(label_values[key < 4 ? key : 0][rnd(4)]);
        }
    }
    return t;
}

static void random_container(ks_container *ct, bool app)
{
    ct->name = S("c");
    ct->image = S(pod_images[rnd(6)]);
    ct->cpu_set = !chance(20);
    ct->mem_set = !chance(20);
    ct->cpu_milli = ct->cpu_set && !chance(10) ? 50 * (int64_t)rnd(80) : 0;
    ct->mem_bytes = ct->mem_set && !chance(10) ? (int64_t)rnd(1 << 14) * 1024 * 1024 : 0;
    ct->eph_bytes = chance(30) ? (int64_t)rnd(20) * 1024 * 1024 * 1024 : 0;
    for (int k = 0; k < 3; k++)
        if (chance(12)) ct->ext[ct->next++] = (ks_ext){S(ext_names[k]), 1 + rnd(3)};
    if (app && chance(15)) {
        ct->nhost_ports = (uint8_t)(1 + rnd(2));
        ct->host_ports = arena_alloc(&ar, 2 * sizeof *ct->host_ports);
        for (int k = 0; k < ct->nhost_ports; k++) {
            static const int32_t ports[] = {80, 443, 8080};
            ct->host_ports[k] = (ks_host_port){.port = ports[rnd(3)], .protocol = (uint8_t)rnd(2)};
            snprintf(ct->host_ports[k].host_ip, sizeof ct->host_ports[k].host_ip, "%s", host_ips[rnd(3)]);
        }
    }
}

/* SIMPLE: a pod of the kind most workloads are (no constraints), which the fast path takes. */
static ks_pod_spec *random_pod(int nnodes, bool simple)
{
    ks_pod_spec *ps = arena_alloc(&ar, sizeof *ps);
    ps->namespace = S("default");
    ps->scheduler_name = S("default-scheduler");
    ps->node_name = S("");
    ps->ncontainers = chance(3) ? 0 : 1 + rnd(3);
    ps->containers = arena_alloc(&ar, 3 * sizeof *ps->containers);
    for (size_t k = 0; k < ps->ncontainers; k++) random_container(&ps->containers[k], !simple);
    if (chance(15)) {
        ps->ninit = 1 + rnd(2);
        ps->init_containers = arena_alloc(&ar, 2 * sizeof *ps->init_containers);
        for (size_t k = 0; k < ps->ninit; k++) random_container(&ps->init_containers[k], false);
    }
    if (chance(10)) ps->overhead_cpu_milli = 100, ps->overhead_mem_bytes = 64 << 20;
    ps->tolerations = arena_alloc(&ar, 4 * sizeof *ps->tolerations);
    ps->ntolerations = chance(simple ? 20 : 50) ? 1 + rnd(4) : 0;
    for (size_t k = 0; k < ps->ntolerations; k++) ps->tolerations[k] = random_toleration();
    if (!simple) {
        if (chance(5)) {
            ps->node_name = arena_alloc(&ar, NODE_NAME_MAX);
            snprintf(ps->node_name, NODE_NAME_MAX, "node-%u", rnd((uint32_t)nnodes));
        }
        if (chance(25)) ps->node_selector = random_labels(2);
        if (chance(30)) {
            ps->has_required = true;
            ps->nrequired = rnd(3);
            ps->required_terms = arena_alloc(&ar, 2 * sizeof *ps->required_terms);
            for (size_t k = 0; k < ps->nrequired; k++) ps->required_terms[k] = random_term(nnodes);
        }
        if (chance(40)) { /* an app, and now and then its kubesim.io/max-per-node cap */
            ps->labels = (ks_labels){arena_alloc(&ar, sizeof(ks_kv)), 1};
            ps->labels.items[0] = (ks_kv){S(KS_APP_LABEL), S(chance(50) ? "a" : "b")};
            if (chance(50)) ps->max_per_node = (int32_t)(1 + rnd(3));
        }
        if (chance(35)) {
            ps->npreferred = 1 + rnd(3);
            ps->preferred = arena_alloc(&ar, 3 * sizeof *ps->preferred);
            for (size_t k = 0; k < ps->npreferred; k++)
                ps->preferred[k] = (ks_preferred_term){(int32_t)(1 + rnd(100)), random_term(nnodes)};
        }
    } else {
        for (size_t k = 0; k < ps->ncontainers; k++) ps->containers[k].next = 0;
        for (size_t k = 0; k < ps->ninit; k++) ps->init_containers[k].next = 0;
    }
    ks_pod_spec_finalize(ps);
    return ps;
}

static void random_score_ext(ks_score_ext *list, int *n)
{
    *n = 0;
    for (int k = 0; k < 3; k++)
        if (chance(25)) {
            snprintf(list[*n].name, sizeof list[0].name, "%s", ext_names[k]);
            list[(*n)++].weight = 1 + rnd(5);
        }
}

static void random_profile(ks_sched_profile *p)
{
    *p = (ks_sched_profile){.scheduler_name = S("default-scheduler"), .fit_cpu_weight = 1, .fit_mem_weight = 1,
                            .bal_cpu = true, .bal_mem = true, .fit_weight = 1, .balanced_weight = 1,
                            .taint_weight = 3, .affinity_weight = 2, .image_weight = 1, .fit_filter = true,
                            .taint_filter = true, .affinity_filter = true, .unschedulable_filter = true,
                            .ports_filter = true, .node_name_filter = true, .percentage_of_nodes_to_score = 100};
    if (chance(50)) return; /* the default profile */
    p->fit_strategy = (ks_fit_strategy)rnd(3);
    static const int64_t weights[] = {0, 1, 1, 2, 3, 100};
    p->fit_cpu_weight = weights[rnd(6)];
    p->fit_mem_weight = weights[rnd(6)];
    random_score_ext(p->fit_ext, &p->nfit_ext);
    p->bal_cpu = !chance(20);
    p->bal_mem = !chance(20);
    random_score_ext(p->bal_ext, &p->nbal_ext);
    p->nshape = 1 + (int)rnd(4);
    int32_t u = (int32_t)rnd(30);
    for (int k = 0; k < p->nshape; k++) {
        p->shape_util[k] = u;
        p->shape_score[k] = (int32_t)rnd(11);
        u += 1 + (int32_t)rnd(40);
    }
    if (p->shape_util[p->nshape - 1] > 100) p->shape_util[p->nshape - 1] = 100;
    for (int k = p->nshape - 2; k >= 0; k--)
        if (p->shape_util[k] >= p->shape_util[k + 1]) p->nshape = k + 1;
    int32_t *w[] = {&p->fit_weight, &p->balanced_weight, &p->taint_weight, &p->affinity_weight, &p->image_weight};
    for (int k = 0; k < 5; k++)
        if (chance(40)) *w[k] = (int32_t)rnd(6);
    p->fit_filter = !chance(5);
    p->taint_filter = !chance(5);
    p->affinity_filter = !chance(5);
    p->unschedulable_filter = !chance(5);
    p->ports_filter = !chance(5);
    p->node_name_filter = !chance(5);
}

/* ------------------------------------------------------------------ the cluster */

typedef struct fixture {
    ks_sim *sim;
    ks_rngs *rngs;
    ks_timings timings;
    ks_sched_config cfg;
    ks_sched_profile prof;
    ks_world *w;
} fixture;

static void build(fixture *f, int nnodes, int nexisting, bool big)
{
    for (int k = 0; k < 4; k++) image_bytes[k] = (int64_t)(1 + rnd(1500)) * 1024 * 1024 + rnd(1 << 20);
    ks_node_spec *nodes = arena_alloc(&ar, (size_t)nnodes * sizeof *nodes);
    for (int i = 0; i < nnodes; i++) random_node(&nodes[i], i, big);
    /* Now and then a cluster outside the fast path's exact range: a node with 2^47 bytes of memory
     * (kernel.c declines the cluster), or a pod bound to a node with a 2^52-byte request (the
     * node's sums leave the range, and the kernel declines the pod). */
    if (big && chance(10)) nodes[rnd((uint32_t)nnodes)].mem_bytes = (int64_t)1 << 47;
    bool huge_pod = big && nexisting > 0 && chance(10);
    ks_pod_doc *docs = arena_alloc(&ar, (size_t)(nexisting + 1) * sizeof *docs);
    for (int k = 0; k < nexisting; k++) {
        docs[k].name = arena_alloc(&ar, 24);
        snprintf(docs[k].name, 24, "existing-%d", k);
        docs[k].spec = *random_pod(nnodes, false);
        docs[k].spec.node_name = arena_alloc(&ar, NODE_NAME_MAX);
        snprintf(docs[k].spec.node_name, NODE_NAME_MAX, "node-%u", rnd((uint32_t)nnodes));
    }
    if (huge_pod) {
        docs[0].spec.req_mem_bytes = (int64_t)1 << 52;
        docs[0].spec.nz_mem_bytes = (int64_t)1 << 52;
    }
    random_profile(&f->prof);
    f->cfg = (ks_sched_config){.profiles = &f->prof, .nprofiles = 1, .pod_initial_backoff = KS_SEC(1),
                               .pod_max_backoff = KS_SEC(10)};
    ks_timings_default(&f->timings);
    f->sim = ks_sim_create();
    f->rngs = ks_rngs_create(gsl_rng_get(g));
    ks_world_params p = {.nodes = nodes, .nnodes = (size_t)nnodes, .pods = docs, .npods = (size_t)nexisting,
                         .sched = &f->cfg, .timings = &f->timings};
    f->w = ks_world_create(f->sim, f->rngs, &p);
    assert_non_null(f->w);
    f->w->sched.next_start_node = rnd((uint32_t)nnodes);
}

static void teardown(fixture *f)
{
    ks_world_destroy(f->w);
    ks_rngs_destroy(f->rngs);
    ks_sim_destroy(f->sim);
    ks_timings_free(&f->timings);
}

/* ------------------------------------------------------------------ the checks */

static uint64_t seed_now;
static int pod_now;

static void check_explain(const fixture *f, const ks_pod_spec *ps, ks_explain_node *got, ks_explain_node *want)
{
    const ks_cluster *c = &f->w->cluster;
    int best_got = ks_sched_explain(f->w, &f->prof, ps, got);
    int best_want = ks_ref_explain(c, &f->prof, ps, want);
    for (uint32_t i = 0; i < c->nodes.n; i++) {
        const ks_explain_node *a = &got[i], *b = &want[i];
        if (a->feasible != b->feasible || a->nreasons != b->nreasons)
            fail_msg("seed %llu pod %d node %u: feasible %d/%d, %d/%d reasons (first: \"%s\" / \"%s\")",
                     (unsigned long long)seed_now, pod_now, i, a->feasible, b->feasible, a->nreasons, b->nreasons,
                     a->nreasons ? a->reasons[0] : "", b->nreasons ? b->reasons[0] : "");
        for (int r = 0; r < a->nreasons; r++)
            if (strcmp(a->reasons[r], b->reasons[r]))
                fail_msg("seed %llu pod %d node %u: reason \"%s\", reference \"%s\"", (unsigned long long)seed_now,
                         pod_now, i, a->reasons[r], b->reasons[r]);
        if (!a->feasible) continue;
        for (int k = 0; k < KS_PLUGIN_COUNT; k++) {
            if (!ks_plugin_weight(&f->prof, ps, k)) continue;
            if (a->raw[k] != b->raw[k] || a->normalized[k] != b->normalized[k])
                fail_msg("seed %llu pod %d node %u %s: raw %lld normalized %lld, reference %lld %lld",
                         (unsigned long long)seed_now, pod_now, i, ks_plugin_names[k], (long long)a->raw[k],
                         (long long)a->normalized[k], (long long)b->raw[k], (long long)b->normalized[k]);
        }
        if (a->total != b->total)
            fail_msg("seed %llu pod %d node %u: total %lld, reference %lld", (unsigned long long)seed_now, pod_now, i,
                     (long long)a->total, (long long)b->total);
    }
    if (best_got != best_want)
        fail_msg("seed %llu pod %d: explain chose %d, reference %d", (unsigned long long)seed_now, pod_now, best_got,
                 best_want);
}

/* ks_sched_select against ks_ref_select from the same start index and a clone of the same RNG
 * stream; the pod is then assumed on the chosen node. Returns the result. */
static ks_select_result check_select(fixture *f, const ks_pod_spec *ps, int32_t pct)
{
    ks_world *w = f->w;
    f->prof.percentage_of_nodes_to_score = pct;
    uint32_t start = w->sched.next_start_node;
    gsl_rng *clone = gsl_rng_clone(w->rng_sched);
    ks_select_result got = ks_sched_select(w, &f->prof, ps);
    uint32_t ref_start = start;
    ks_select_result want = ks_ref_select(&w->cluster, &f->prof, ps, pct, &ref_start, clone);
    if (got.chosen != want.chosen || got.processed != want.processed || got.nfeasible != want.nfeasible ||
        w->sched.next_start_node != ref_start || gsl_rng_get(clone) != gsl_rng_get(w->rng_sched))
        fail_msg("seed %llu pod %d (pct %d, start %u of %u): chose %u processed %u feasible %u next %u; reference "
                 "%u %u %u %u",
                 (unsigned long long)seed_now, pod_now, pct, start, got.nnodes, got.chosen, got.processed,
                 got.nfeasible, w->sched.next_start_node, want.chosen, want.processed, want.nfeasible, ref_start);
    gsl_rng_free(clone);
    if (got.chosen != KS_NONE) {
        char name[32];
        snprintf(name, sizeof name, "pod-%d", pod_now);
        uint32_t pod = ks_cluster_add_pod(&w->cluster, name, ps, KS_NONE, 0);
        ks_cluster_assign(&w->cluster, pod, got.chosen);
    }
    /* A kubelet pulls an image now and then: ImageLocality's inputs change between cycles. */
    if (chance(30)) {
        static const char *const pulled[] = {"img-a:latest", "img-b:1", "img-e:2", "reg:5000/img-c:latest"};
        int k = (int)rnd(4);
        ks_node_add_image(&w->cluster, rnd((uint32_t)w->cluster.nodes.n), ks_cluster_image_id(&w->cluster, pulled[k]),
                          k == 2 ? 300 << 20 : image_bytes[k]);
    }
    return got;
}

static void run_small(uint64_t base_seed, int clusters)
{
    size_t cap = 16;
    ks_explain_node *got = malloc(cap * sizeof *got), *want = malloc(cap * sizeof *want);
    for (int it = 0; it < clusters; it++) {
        seed_now = base_seed + (uint64_t)it;
        gsl_rng_set(g, (unsigned long)seed_now);
        fixture f;
        int nnodes = 1 + (int)rnd(12);
        build(&f, nnodes, (int)rnd(8), false);
        const ks_pod_spec *pool[2] = {random_pod(nnodes, true), random_pod(nnodes, chance(40))};
        for (pod_now = 0; pod_now < 6; pod_now++) {
            /* Half of them repeat a spec, as a Deployment's pods do: kernel.c serves a pod shape
             * seen before from its per-node results, kept current through the change log. */
            const ks_pod_spec *ps = chance(50) ? pool[rnd(2)] : random_pod(nnodes, chance(40));
            check_explain(&f, ps, got, want);
            uint32_t start = f.w->sched.next_start_node;
            ks_select_result r = check_select(&f, ps, 100);
            /* With percentage 100 every node is filtered and the choice has the best total. */
            assert_int_equal(r.processed, (uint32_t)nnodes);
            int best = -1;
            for (int i = 0; i < nnodes; i++)
                if (want[i].feasible && (best < 0 || want[i].total > want[best].total)) best = i;
            if (best < 0) {
                assert_int_equal(r.chosen, KS_NONE);
            } else if (r.nfeasible > 1 && want[r.chosen].total != want[best].total) {
                fail_msg("seed %llu pod %d (start %u): chose node %u with total %lld, best is %lld",
                         (unsigned long long)seed_now, pod_now, start, r.chosen, (long long)want[r.chosen].total,
                         (long long)want[best].total);
            }
        }
        teardown(&f);
        arena_free(&ar);
    }
    free(got);
    free(want);
}

static void run_medium(uint64_t base_seed, int clusters)
{
    static const int32_t pcts[] = {0, 0, 1, 10, 37, 50, 100};
    for (int it = 0; it < clusters; it++) {
        seed_now = base_seed + (uint64_t)it;
        gsl_rng_set(g, (unsigned long)seed_now);
        fixture f;
        int nnodes = 100 + (int)rnd(600);
        build(&f, nnodes, (int)rnd(200), true);
        const ks_pod_spec *pool[3] = {random_pod(nnodes, true), random_pod(nnodes, true), random_pod(nnodes, chance(70))};
        for (pod_now = 0; pod_now < 24; pod_now++)
            check_select(&f, chance(60) ? pool[rnd(3)] : random_pod(nnodes, chance(70)), pcts[rnd(7)]);
        teardown(&f);
        arena_free(&ar);
    }
}

/* Every node with 0-3 PreferNoSchedule taints, heavy TaintToleration and NodeAffinity weights and
 * one pod spec placed again and again: kernel.c adds those two plugins' normalised scores to the
 * cached totals for each pod and must take them back afterwards (else the next pod of that shape
 * sees them twice). */
static void run_prefer_taints(uint64_t base_seed, int clusters)
{
    static const int32_t pcts[] = {0, 50, 100};
    prefer_taints_only = true;
    for (int it = 0; it < clusters; it++) {
        seed_now = base_seed + (uint64_t)it;
        gsl_rng_set(g, (unsigned long)seed_now);
        fixture f;
        int nnodes = 3 + (int)rnd(chance(50) ? 10 : 400);
        build(&f, nnodes, (int)rnd(50), nnodes > 13);
        f.prof.taint_weight = 1 + (int32_t)rnd(60);
        f.prof.affinity_weight = 1 + (int32_t)rnd(60);
        ks_pod_spec *ps = random_pod(nnodes, true);
        ps->ntolerations = 0;
        /* Half the time preferred node affinity too (and now and then a nodeSelector or required
         * terms): its normalisation is also applied to cached totals and taken back. */
        if (chance(50)) {
            ps->npreferred = 1 + rnd(3);
            ps->preferred = arena_alloc(&ar, 3 * sizeof *ps->preferred);
            for (size_t k = 0; k < ps->npreferred; k++)
                ps->preferred[k] = (ks_preferred_term){(int32_t)(1 + rnd(100)), random_term(nnodes)};
            if (chance(30)) ps->node_selector = random_labels(1);
            if (chance(30)) {
                ps->has_required = true;
                ps->nrequired = 1 + rnd(2);
                ps->required_terms = arena_alloc(&ar, 2 * sizeof *ps->required_terms);
                for (size_t k = 0; k < ps->nrequired; k++) ps->required_terms[k] = random_term(nnodes);
            }
        }
        for (pod_now = 0; pod_now < 16; pod_now++) check_select(&f, ps, pcts[rnd(3)]);
        teardown(&f);
        arena_free(&ar);
    }
    prefer_taints_only = false;
}

/* ------------------------------------------------------------------ inter-pod scores */

static const char *const app_values[] = {"web", "db", "cache"};

static ks_label_selector random_app_selector(void)
{
    ks_label_selector sel = {arena_alloc(&ar, sizeof(ks_node_requirement)), 1, true};
    sel.reqs[0] = (ks_node_requirement){S("app"), chance(80) ? KS_SEL_IN : KS_SEL_NOT_IN,
                                        arena_alloc(&ar, sizeof(char *)), 1, false};
    sel.reqs[0].values[0] = S(app_values[rnd(3)]);
    return sel;
}

static const char *random_topology_key(void)
{
    static const char *const keys[] = {"kubernetes.io/hostname", "zone", "disk", "absent"};
    return keys[rnd(4)];
}

/* A pod labelled app=<one of three>, with ScheduleAnyway spread constraints, preferred pod
 * (anti-)affinity terms, and now and then (EXISTING, or FILTERED) required terms or a
 * DoNotSchedule constraint, which send it to the general path. */
static ks_pod_spec *interpod_pod(int nnodes, bool existing, bool filtered)
{
    ks_pod_spec *ps = random_pod(nnodes, true);
    ps->labels = (ks_labels){arena_alloc(&ar, sizeof(ks_kv)), 1};
    ps->labels.items[0] = (ks_kv){S("app"), S(app_values[rnd(3)])};
    ps->nspread = chance(60) ? 1 + rnd(2) : 0;
    ps->spread = arena_alloc(&ar, 2 * sizeof *ps->spread);
    for (size_t k = 0; k < ps->nspread; k++)
        ps->spread[k] = (ks_spread_constraint){.max_skew = (int32_t)(1 + rnd(3)), .topology_key = S(random_topology_key()),
                                               .do_not_schedule = filtered && chance(30),
                                               .selector = random_app_selector(), .min_domains = 1,
                                               .honor_affinity = true, .honor_taints = chance(30)};
    for (int l = 0; l < KS_AFF_LISTS; l++) {
        bool required = l == KS_AFF_REQUIRED || l == KS_ANTI_REQUIRED;
        if (required && !(existing || filtered)) continue;
        ps->npod_aff[l] = chance(required ? 15 : 40) ? 1 + rnd(2) : 0;
        ps->pod_aff[l] = arena_alloc(&ar, 2 * sizeof(ks_pod_affinity_term));
        for (size_t k = 0; k < ps->npod_aff[l]; k++)
            ps->pod_aff[l][k] = (ks_pod_affinity_term){.weight = required ? 0 : (int32_t)(1 + rnd(100)),
                                                       .selector = random_app_selector(),
                                                       .topology_key = S(random_topology_key())};
    }
    ks_pod_spec_finalize(ps);
    return ps;
}

/* The fast path against the general path on one pod, from the same start index and RNG state;
 * the pod is then assumed on the chosen node. */
static void check_fast_against_general(fixture *f, const ks_pod_spec *ps)
{
    ks_world *w = f->w;
    uint32_t start = w->sched.next_start_node;
    gsl_rng *mine = w->rng_sched, *clone = gsl_rng_clone(mine);
    ks_sched_set_fast_path(false);
    ks_select_result want = ks_sched_select(w, &f->prof, ps);
    uint32_t want_next = w->sched.next_start_node;
    ks_sched_set_fast_path(true);
    w->sched.next_start_node = start;
    w->rng_sched = clone;
    ks_select_result got = ks_sched_select(w, &f->prof, ps);
    w->rng_sched = mine;
    if (got.chosen != want.chosen || got.processed != want.processed || got.nfeasible != want.nfeasible ||
        w->sched.next_start_node != want_next || gsl_rng_get(clone) != gsl_rng_get(mine))
        fail_msg("seed %llu pod %d (start %u of %u): fast path chose %u processed %u feasible %u next %u; general "
                 "%u %u %u %u",
                 (unsigned long long)seed_now, pod_now, start, got.nnodes, got.chosen, got.processed, got.nfeasible,
                 w->sched.next_start_node, want.chosen, want.processed, want.nfeasible, want_next);
    gsl_rng_free(clone);
    if (got.chosen != KS_NONE) {
        char name[32];
        snprintf(name, sizeof name, "pod-%d", pod_now);
        ks_cluster_assign(&w->cluster, ks_cluster_add_pod(&w->cluster, name, ps, KS_NONE, 0), got.chosen);
    }
}

/* Clusters whose pods carry labels, spread constraints and pod (anti-)affinity: PodTopologySpread
 * and InterPodAffinity score over the set the kernel found feasible, and must give what the
 * general path gives. */
static void run_interpod(uint64_t base_seed, int clusters)
{
    static const int32_t pcts[] = {0, 10, 50, 100};
    for (int it = 0; it < clusters; it++) {
        seed_now = base_seed + (uint64_t)it;
        gsl_rng_set(g, (unsigned long)seed_now);
        fixture f;
        int nnodes = 2 + (int)rnd(chance(50) ? 12 : 300);
        build(&f, nnodes, 0, false);
        f.prof.spread_weight = chance(20) ? (int32_t)rnd(4) : 2;
        f.prof.interpod_weight = chance(20) ? (int32_t)rnd(4) : 2;
        f.prof.spread_filter = f.prof.interpod_filter = true;
        f.prof.percentage_of_nodes_to_score = pcts[rnd(4)];
        int nexisting = (int)rnd(3 * (uint32_t)nnodes);
        for (int k = 0; k < nexisting; k++) {
            char name[32];
            snprintf(name, sizeof name, "existing-%d", k);
            const ks_pod_spec *ps = interpod_pod(nnodes, true, false);
            ks_cluster_assign(&f.w->cluster, ks_cluster_add_pod(&f.w->cluster, name, ps, KS_NONE, 0),
                              rnd((uint32_t)nnodes));
        }
        for (pod_now = 0; pod_now < 10; pod_now++) check_fast_against_general(&f, interpod_pod(nnodes, false, chance(20)));
        teardown(&f);
        arena_free(&ar);
    }
}

static void with_threads(int threads, void (*fn)(uint64_t, int), uint64_t seed, int n)
{
    omp_set_num_threads(threads);
    ks_kernel_set_parallel_min_nodes(threads > 1 ? 16 : 0); /* 0: the measured default */
    fn(seed, n);
    ks_kernel_set_parallel_min_nodes(0);
    omp_set_num_threads(1);
}

static void test_small_clusters_1_thread(void **state)
{
    (void)state;
    with_threads(1, run_small, 1000, 2500);
}

static void test_small_clusters_2_threads(void **state)
{
    (void)state;
    with_threads(2, run_small, 500000, 1500);
}

static void test_round_robin_and_percentage_1_thread(void **state)
{
    (void)state;
    with_threads(1, run_medium, 9000, 60);
}

static void test_round_robin_and_percentage_2_threads(void **state)
{
    (void)state;
    with_threads(2, run_medium, 77000, 40);
}

static void test_normalised_scores_on_cached_totals(void **state)
{
    (void)state;
    with_threads(1, run_prefer_taints, 41000, 400);
}

static void test_interpod_scores_1_thread(void **state)
{
    (void)state;
    with_threads(1, run_interpod, 31000, 300);
}

static void test_interpod_scores_2_threads(void **state)
{
    (void)state;
    with_threads(2, run_interpod, 62000, 150);
}

int main(void)
{
    g = gsl_rng_alloc(gsl_rng_mt19937);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_clusters_1_thread),
        cmocka_unit_test(test_small_clusters_2_threads),
        cmocka_unit_test(test_round_robin_and_percentage_1_thread),
        cmocka_unit_test(test_round_robin_and_percentage_2_threads),
        cmocka_unit_test(test_normalised_scores_on_cached_totals),
        cmocka_unit_test(test_interpod_scores_1_thread),
        cmocka_unit_test(test_interpod_scores_2_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gsl_rng_free(g);
    return rc;
}
