/* cluster.c — see cluster.h. */
#include "cluster.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static ks_mem_id mem_pods, mem_nodes, mem_objects, mem_events;

const char *ks_pod_phase_name(ks_pod_phase p)
{
    static const char *names[] = {"Pending", "Running", "Succeeded", "Failed", "Unknown"};
    return p <= KS_PHASE_UNKNOWN ? names[p] : "Unknown";
}

void ks_cluster_init(ks_cluster *c)
{
    memset(c, 0, sizeof *c);
    c->incident_start = KS_NEVER;
    mem_pods = ks_mem_purpose("pods");
    mem_nodes = ks_mem_purpose("nodes");
    mem_objects = ks_mem_purpose("controllers");
    mem_events = ks_mem_purpose("events");
}

#define NODE_COLUMNS(X)                                                                                \
    X(alloc_cpu) X(alloc_mem) X(alloc_eph) X(alloc_pods) X(req_cpu) X(req_mem) X(req_eph) X(nz_cpu)  \
        X(nz_mem) X(npods) X(adm_cpu) X(adm_mem) X(adm_eph) X(adm_pods)

static void class_arrays_fit(ks_cluster *c);

static void topologies_free(ks_cluster *c)
{
    for (size_t i = 0; i < c->ntopologies; i++) {
        ks_free(c->topologies[i]->key);
        ks_free(c->topologies[i]->dom);
        ks_free(c->topologies[i]->has);
        ks_free(c->topologies[i]);
    }
    ks_free(c->topologies);
    c->topologies = NULL;
    c->ntopologies = 0;
}

void ks_cluster_free(ks_cluster *c)
{
    ks_nodes *n = &c->nodes;
    ks_gpu_free(&c->gpu);
    for (size_t i = 0; i < c->nclasses; i++) {
        ks_free(c->classes[i].live);
        ks_free(c->classes[i].terminating);
        ks_free(c->classes[i].occ);
        ks_free(c->classes[i].occ_at);
    }
    ks_free(c->classes);
    ks_free(c->class_slots);
    for (size_t i = 0; i < c->napps; i++) ks_free(c->apps[i].classes);
    ks_free(c->apps);
    ks_free(c->app_slots);
    ks_free(c->name_slots);
    ks_free(c->name_older);
    ks_free(c->aff_pods);
    topologies_free(c);
    for (size_t i = 0; i < n->n; i++) {
        ks_node_spec_free(&n->spec[i]);
        ks_free(n->images[i]);
        ks_free(n->image_sizes[i]);
        ks_free(n->ports[i]);
    }
    ks_free(n->ports);
    ks_free(n->nports);
    ks_free(n->ports_cap);
    ks_free(n->image_sizes);
    ks_free(c->image_nodes);
    ks_free(n->ext_alloc);
    ks_free(n->ext_req);
    ks_free(n->ext_adm);
    for (int k = 0; k < c->next; k++) ks_free(c->ext_names[k]);
#define FREE_COL(col) ks_free(n->col);
    NODE_COLUMNS(FREE_COL)
#undef FREE_COL
    ks_free(n->spec);
    ks_free(n->images);
    ks_free(n->nimages);
    ks_free(n->images_cap);
    ks_free(n->pull_tail);
    ks_free(n->pleg_phase);
    ks_free(n->lease_renewed);
    ks_free(n->status_posted);
    ks_free(n->status_dirty);
    ks_free(n->resource_version);
    ks_free(n->pod_head);
    ks_free(n->nominated_head);
    ks_free(n->changes);
    for (size_t i = 0; i < c->npods; i++) ks_free(c->pods[i].name);
    ks_free(c->pods);
    for (size_t i = 0; i < c->nrs; i++) ks_free(c->rs[i].name);
    ks_free(c->rs);
    ks_free(c->deployments);
    for (size_t i = 0; i < c->nimages; i++) ks_free(c->images[i]);
    ks_free(c->images);
    ks_free(c->ev_keys);
    ks_free(c->ev_counts);
    memset(c, 0, sizeof *c);
}

uint64_t ks_cluster_bump(ks_cluster *c) { return ++c->revision; }

static void nodes_grow(ks_nodes *n)
{
    if (n->n < n->cap) return;
    size_t cap = n->cap ? n->cap * 2 : 64;
#define GROW_COL(col) n->col = n->col ? ks_realloc(n->col, cap * sizeof *n->col) : ks_malloc(mem_nodes, cap * sizeof *n->col);
    NODE_COLUMNS(GROW_COL)
    GROW_COL(spec) GROW_COL(ports) GROW_COL(nports) GROW_COL(ports_cap) GROW_COL(image_sizes) GROW_COL(pleg_phase) GROW_COL(lease_renewed) GROW_COL(status_posted)
    GROW_COL(status_dirty) GROW_COL(images) GROW_COL(nimages) GROW_COL(images_cap) GROW_COL(pull_tail)
    GROW_COL(resource_version) GROW_COL(pod_head) GROW_COL(nominated_head)
#undef GROW_COL
    n->cap = cap;
}

int ks_cluster_find_ext(const ks_cluster *c, const char *name)
{
    for (int k = 0; k < c->next; k++)
        if (strcmp(c->ext_names[k], name) == 0) return k;
    return -1;
}

int ks_cluster_ext_id(ks_cluster *c, const char *name)
{
    int k = ks_cluster_find_ext(c, name);
    if (k >= 0 || c->next == KS_MAX_EXT_CLUSTER) return k;
    c->ext_names[c->next] = ks_strdup(mem_objects, name);
    return c->next++;
}

uint32_t ks_cluster_add_node(ks_cluster *c, ks_node_spec *spec, ks_time now)
{
    ks_nodes *n = &c->nodes;
    nodes_grow(n);
    class_arrays_fit(c);
    uint32_t i = (uint32_t)n->n++;
    size_t need = n->n * KS_MAX_EXT_CLUSTER, cap = n->ext_cap, cap2 = cap, cap3 = cap;
    ks_grow(mem_nodes, (void **)&n->ext_alloc, &cap, need, sizeof *n->ext_alloc);
    ks_grow(mem_nodes, (void **)&n->ext_req, &cap2, need, sizeof *n->ext_req);
    ks_grow(mem_nodes, (void **)&n->ext_adm, &cap3, need, sizeof *n->ext_adm);
    n->ext_cap = cap;
    memset(&n->ext_alloc[i * KS_MAX_EXT_CLUSTER], 0, KS_MAX_EXT_CLUSTER * sizeof *n->ext_alloc);
    memset(&n->ext_req[i * KS_MAX_EXT_CLUSTER], 0, KS_MAX_EXT_CLUSTER * sizeof *n->ext_req);
    memset(&n->ext_adm[i * KS_MAX_EXT_CLUSTER], 0, KS_MAX_EXT_CLUSTER * sizeof *n->ext_adm);
    n->spec[i] = *spec;
    memset(spec, 0, sizeof *spec);
    n->alloc_cpu[i] = n->spec[i].cpu_milli;
    n->alloc_mem[i] = n->spec[i].mem_bytes;
    n->alloc_eph[i] = n->spec[i].eph_bytes;
    n->alloc_pods[i] = n->spec[i].pods;
    n->req_cpu[i] = n->req_mem[i] = n->req_eph[i] = n->nz_cpu[i] = n->nz_mem[i] = n->npods[i] = 0;
    n->adm_cpu[i] = n->adm_mem[i] = n->adm_eph[i] = n->adm_pods[i] = 0;
    n->images[i] = NULL;
    n->image_sizes[i] = NULL;
    n->ports[i] = NULL;
    n->nports[i] = n->ports_cap[i] = 0;
    n->nimages[i] = n->images_cap[i] = 0;
    n->pull_tail[i] = KS_NONE;
    n->pleg_phase[i] = 0;
    n->lease_renewed[i] = n->status_posted[i] = now;
    n->status_dirty[i] = 0;
    n->resource_version[i] = ks_cluster_bump(c);
    n->pod_head[i] = n->nominated_head[i] = KS_NONE;
    n->spec_epoch++;
    for (size_t k = 0; k < n->spec[i].nimages; k++)
        ks_node_add_image(c, i, ks_cluster_image_id(c, n->spec[i].images[k].name), n->spec[i].images[k].bytes);
    for (uint8_t k = 0; k < n->spec[i].next; k++) {
        int id = ks_cluster_ext_id(c, n->spec[i].ext[k].name);
        if (id < 0) {
            fprintf(stderr, "kubesim: a cluster may have at most %d distinct extended resources (node %s: %s)\n",
                    KS_MAX_EXT_CLUSTER, n->spec[i].name, n->spec[i].ext[k].name);
            abort();
        }
        n->ext_alloc[i * KS_MAX_EXT_CLUSTER + (size_t)id] = n->spec[i].ext[k].value;
    }
    c->cpu_allocatable += n->alloc_cpu[i];
    c->mem_allocatable += n->alloc_mem[i];
    ks_gpu_add_node(c, i);
    return i;
}

/* ---------------------------------------------------------------- pod classes */

/* Every class's per-node counts have one entry per node the table has room for. */
static void class_arrays_fit(ks_cluster *c)
{
    size_t want = c->nodes.cap, had = c->class_nodes_cap;
    if (want <= had) return;
    for (size_t k = 0; k < c->nclasses; k++) {
        int32_t **cols[3] = {&c->classes[k].live, &c->classes[k].terminating, (int32_t **)&c->classes[k].occ_at};
        for (int j = 0; j < 3; j++) {
            if (!*cols[j]) continue;
            size_t cap = had;
            ks_grow(mem_nodes, (void **)cols[j], &cap, want, sizeof **cols[j]);
            memset(*cols[j] + had, 0, (want - had) * sizeof **cols[j]);
        }
    }
    c->class_nodes_cap = want;
}

const char *ks_pod_class_label(const ks_pod_class *k, const char *key)
{
    if (k->template_hash && strcmp(key, "pod-template-hash") == 0) return k->template_hash;
    return ks_labels_get(k->labels, key);
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull; /* a separator, so that "ab"+"c" differs from "a"+"bc" */
}

static bool class_equal(const ks_pod_class *k, const char *ns, const ks_labels *l, const char *hash)
{
    if (strcmp(k->namespace, ns) != 0 || k->labels->n != l->n) return false;
    if ((k->template_hash == NULL) != (hash == NULL) || (hash && strcmp(k->template_hash, hash) != 0)) return false;
    for (size_t i = 0; i < l->n; i++) {
        const char *v = ks_labels_get(k->labels, l->items[i].key);
        if (!v || strcmp(v, l->items[i].value) != 0) return false;
    }
    return true;
}

/* ---------------------------------------------------------------- apps (kubesim.io/max-per-node) */

static uint64_t app_hash(const char *ns, const char *app) { return fnv_str(fnv_str(14695981039346656037ull, ns), app); }

uint32_t ks_cluster_find_app(const ks_cluster *c, const char *ns, const char *app)
{
    if (!app || !c->app_slots_cap) return KS_NONE;
    if (!ns) ns = "";
    size_t mask = c->app_slots_cap - 1;
    for (size_t at = app_hash(ns, app) & mask; c->app_slots[at] != KS_NONE; at = (at + 1) & mask) {
        const ks_app_group *g = &c->apps[c->app_slots[at]];
        if (!strcmp(g->app, app) && !strcmp(g->namespace, ns)) return c->app_slots[at];
    }
    return KS_NONE;
}

/* Adds class K (namespace NS, app APP) to its app group, made on first use. Once per class. */
static uint32_t app_add_class(ks_cluster *c, const char *ns, const char *app, uint32_t k)
{
    if (!ns) ns = "";
    uint32_t id = ks_cluster_find_app(c, ns, app);
    if (id == KS_NONE) {
        if (2 * (c->napps + 1) > c->app_slots_cap) { /* rehash at half full */
            size_t cap = c->app_slots_cap ? 2 * c->app_slots_cap : 64;
            ks_free(c->app_slots);
            c->app_slots = ks_malloc(mem_pods, cap * sizeof *c->app_slots);
            memset(c->app_slots, 0xff, cap * sizeof *c->app_slots);
            c->app_slots_cap = cap;
            for (uint32_t g = 0; g < c->napps; g++) {
                size_t at = app_hash(c->apps[g].namespace, c->apps[g].app) & (cap - 1);
                while (c->app_slots[at] != KS_NONE) at = (at + 1) & (cap - 1);
                c->app_slots[at] = g;
            }
        }
        ks_grow(mem_pods, (void **)&c->apps, &c->apps_cap, c->napps + 1, sizeof *c->apps);
        id = (uint32_t)c->napps++;
        c->apps[id] = (ks_app_group){.namespace = ns, .app = app};
        size_t mask = c->app_slots_cap - 1, at = app_hash(ns, app) & mask;
        while (c->app_slots[at] != KS_NONE) at = (at + 1) & mask;
        c->app_slots[at] = id;
    }
    ks_app_group *g = &c->apps[id];
    ks_grow(mem_pods, (void **)&g->classes, &g->classes_cap, g->nclasses + 1, sizeof *g->classes);
    g->classes[g->nclasses++] = k;
    return id;
}

int64_t ks_cluster_app_pods_on(const ks_cluster *c, uint32_t app, uint32_t node)
{
    if (app == KS_NONE) return 0;
    const ks_app_group *g = &c->apps[app];
    int64_t n = 0;
    for (uint32_t j = 0; j < g->nclasses; j++) {
        const ks_pod_class *k = &c->classes[g->classes[j]];
        n += (k->live ? k->live[node] : 0) + (k->terminating ? k->terminating[node] : 0);
    }
    return n;
}

/* The class of pods in namespace NS with labels L (+ pod-template-hash HASH), interned. Labels
 * are compared as sets; the hash of the set is order-independent (a sum). */
static uint32_t pod_class(ks_cluster *c, const char *ns, const ks_labels *l, const char *hash)
{
    uint64_t h = fnv_str(fnv_str(14695981039346656037ull, ns), hash);
    for (size_t i = 0; i < l->n; i++) h += fnv_str(fnv_str(14695981039346656037ull, l->items[i].key), l->items[i].value);
    if (2 * (c->nclasses + 1) > c->class_slots_cap) { /* rehash at half full */
        size_t cap = c->class_slots_cap ? 2 * c->class_slots_cap : 64;
        ks_free(c->class_slots);
        c->class_slots = ks_malloc(mem_pods, cap * sizeof *c->class_slots);
        memset(c->class_slots, 0xff, cap * sizeof *c->class_slots);
        c->class_slots_cap = cap;
        for (uint32_t k = 0; k < c->nclasses; k++) {
            const ks_pod_class *pc = &c->classes[k];
            uint64_t hk = fnv_str(fnv_str(14695981039346656037ull, pc->namespace), pc->template_hash);
            for (size_t i = 0; i < pc->labels->n; i++)
                hk += fnv_str(fnv_str(14695981039346656037ull, pc->labels->items[i].key), pc->labels->items[i].value);
            size_t at = hk & (cap - 1);
            while (c->class_slots[at] != KS_NONE) at = (at + 1) & (cap - 1);
            c->class_slots[at] = k;
        }
    }
    size_t mask = c->class_slots_cap - 1, at = h & mask;
    for (; c->class_slots[at] != KS_NONE; at = (at + 1) & mask)
        if (class_equal(&c->classes[c->class_slots[at]], ns, l, hash)) return c->class_slots[at];
    ks_grow(mem_pods, (void **)&c->classes, &c->classes_cap, c->nclasses + 1, sizeof *c->classes);
    uint32_t id = (uint32_t)c->nclasses++;
    c->classes[id] = (ks_pod_class){.namespace = ns, .labels = l, .template_hash = hash, .app = KS_NONE};
    c->class_slots[at] = id;
    const char *app = ks_labels_get(l, KS_APP_LABEL);
    if (app) c->classes[id].app = app_add_class(c, ns, app, id);
    return id;
}

static void class_count(ks_cluster *c, uint32_t pod, bool terminating, int32_t delta)
{
    ks_pod *p = &c->pods[pod];
    ks_pod_class *k = &c->classes[p->pclass];
    int32_t **col = terminating ? &k->terminating : &k->live;
    class_arrays_fit(c);
    size_t cap = c->class_nodes_cap ? c->class_nodes_cap : 1;
    if (!*col) *col = ks_calloc(mem_nodes, cap, sizeof **col);
    if (!k->occ_at) k->occ_at = ks_calloc(mem_nodes, cap, sizeof *k->occ_at);
    uint32_t node = p->node;
    int32_t before = (k->live ? k->live[node] : 0) + (k->terminating ? k->terminating[node] : 0);
    (*col)[node] += delta;
    int32_t after = before + delta;
    if (before == 0 && after > 0) { /* the node joins the class's occupied set */
        ks_grow(mem_nodes, (void **)&k->occ, &k->occ_cap, k->nocc + 1, sizeof *k->occ);
        k->occ_at[node] = k->nocc;
        k->occ[k->nocc++] = node;
    } else if (before > 0 && after == 0) { /* swap-remove */
        uint32_t last = k->occ[--k->nocc];
        k->occ[k->occ_at[node]] = last;
        k->occ_at[last] = k->occ_at[node];
    }
    *(terminating ? &k->nterminating : &k->nlive) += delta;
}

static bool has_pod_affinity(const ks_pod_spec *s)
{
    for (int l = 0; l < KS_AFF_LISTS; l++)
        if (s->npod_aff[l]) return true;
    return false;
}

void ks_cluster_set_terminating(ks_cluster *c, uint32_t pod)
{
    ks_pod *p = &c->pods[pod];
    if (p->terminating) return;
    p->terminating = 1;
    if (p->node == KS_NONE || p->released) return;
    class_count(c, pod, false, -1);
    class_count(c, pod, true, +1);
}

/* ---------------------------------------------------------------- topologies */

const ks_topology *ks_cluster_topology(ks_cluster *c, const char *key)
{
    if (c->topology_nodes != c->nodes.n) {
        topologies_free(c);
        c->topology_nodes = c->nodes.n;
    }
    for (size_t i = 0; i < c->ntopologies; i++)
        if (strcmp(c->topologies[i]->key, key) == 0) return c->topologies[i];
    c->topologies = c->ntopologies ? ks_realloc(c->topologies, (c->ntopologies + 1) * sizeof *c->topologies)
                                   : ks_malloc(mem_nodes, sizeof *c->topologies);
    ks_topology *t = ks_malloc(mem_nodes, sizeof *t);
    c->topologies[c->ntopologies++] = t;
    size_t n = c->nodes.n ? c->nodes.n : 1;
    *t = (ks_topology){.key = ks_strdup(mem_nodes, key), .dom = ks_malloc(mem_nodes, n * sizeof *t->dom),
                       .has = ks_malloc(mem_nodes, n)};
    /* Values are interned in order of first appearance; a small open table keyed by the string. */
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint32_t *slot = ks_malloc(mem_nodes, cap * sizeof *slot);
    const char **first = ks_malloc(mem_nodes, n * sizeof *first);
    memset(slot, 0xff, cap * sizeof *slot);
    for (size_t i = 0; i < c->nodes.n; i++) {
        const char *v = ks_labels_get(&c->nodes.spec[i].labels, key);
        t->has[i] = v != NULL;
        if (!v) v = "";
        size_t at = fnv_str(14695981039346656037ull, v) & (cap - 1);
        while (slot[at] != KS_NONE && strcmp(first[slot[at]], v) != 0) at = (at + 1) & (cap - 1);
        if (slot[at] == KS_NONE) {
            first[t->ndom] = v;
            slot[at] = t->ndom++;
        }
        t->dom[i] = slot[at];
    }
    ks_free(slot);
    ks_free(first);
    return t;
}

/* ---------------------------------------------------------------- pods by name */

static const char *ns_of(const ks_pod *p) { return p->spec->namespace ? p->spec->namespace : ""; }

static uint64_t pod_name_hash(const ks_cluster *c, uint32_t pod)
{
    return fnv_str(fnv_str(14695981039346656037ull, ns_of(&c->pods[pod])), c->pods[pod].name);
}

/* Makes POD the newest row of its name; its older namesake, if any, follows it in name_older. */
static void name_index_insert(ks_cluster *c, uint32_t pod)
{
    size_t mask = c->name_slots_cap - 1, at = pod_name_hash(c, pod) & mask;
    const ks_pod *p = &c->pods[pod];
    c->name_older[pod] = KS_NONE;
    for (; c->name_slots[at] != KS_NONE; at = (at + 1) & mask) {
        const ks_pod *q = &c->pods[c->name_slots[at]];
        if (!strcmp(q->name, p->name) && !strcmp(ns_of(q), ns_of(p))) {
            c->name_older[pod] = c->name_slots[at];
            break;
        }
    }
    c->name_slots[at] = pod;
}

/* Indexes the newest row, rebuilding the table (rows in order) when it gets half full. */
static void name_index_add(ks_cluster *c, uint32_t pod)
{
    ks_grow(mem_pods, (void **)&c->name_older, &c->name_older_cap, (size_t)pod + 1, sizeof *c->name_older);
    if (2 * c->npods <= c->name_slots_cap) {
        name_index_insert(c, pod);
        return;
    }
    size_t cap = c->name_slots_cap ? 2 * c->name_slots_cap : 1024;
    ks_free(c->name_slots);
    c->name_slots = ks_malloc(mem_pods, cap * sizeof *c->name_slots);
    memset(c->name_slots, 0xff, cap * sizeof *c->name_slots);
    c->name_slots_cap = cap;
    for (uint32_t i = 0; i <= pod; i++) name_index_insert(c, i);
}

uint32_t ks_cluster_find_pod(const ks_cluster *c, const char *ns, const char *name)
{
    if (!c->name_slots_cap) return KS_NONE;
    size_t mask = c->name_slots_cap - 1;
    uint64_t h = fnv_str(fnv_str(14695981039346656037ull, ns), name);
    for (size_t at = h & mask; c->name_slots[at] != KS_NONE; at = (at + 1) & mask) {
        const ks_pod *q = &c->pods[c->name_slots[at]];
        if (strcmp(q->name, name) || strcmp(ns_of(q), ns)) continue;
        uint32_t found = KS_NONE; /* newest to oldest: the last one that qualifies is the first row */
        for (uint32_t i = c->name_slots[at]; i != KS_NONE; i = c->name_older[i])
            if (c->pods[i].deleted == KS_NEVER && !c->pods[i].terminating) found = i;
        return found;
    }
    return KS_NONE;
}

uint32_t ks_cluster_add_pod(ks_cluster *c, const char *name, const ks_pod_spec *spec, uint32_t owner, ks_time now)
{
    ks_grow(mem_pods, (void **)&c->pods, &c->pods_cap, c->npods + 1, sizeof *c->pods);
    uint32_t i = (uint32_t)c->npods++;
    c->pods[i] = (ks_pod){
        .name = ks_strdup(mem_pods, name),
        .spec = spec,
        .owner = owner,
        .node = KS_NONE,
        .created = now,
        .scheduled = KS_NEVER,
        .bound = KS_NEVER,
        .kubelet_seen = KS_NEVER,
        .pull_started = KS_NEVER,
        .pulled = KS_NEVER,
        .started = KS_NEVER,
        .running = KS_NEVER,
        .ready = KS_NEVER,
        .finished = KS_NEVER,
        .deleted = KS_NEVER,
        .phase = KS_PHASE_PENDING,
        .ctr_base = KS_NONE,
        .deletion_requested = KS_NEVER,
        .aff_slot = KS_NONE,
        .node_prev = KS_NONE,
        .node_next = KS_NONE,
        .nominated = KS_NONE,
        .nom_next = KS_NONE,
        .resource_version = ks_cluster_bump(c),
    };
    c->pods[i].pclass = pod_class(c, spec->namespace, &spec->labels, owner == KS_NONE ? NULL : c->rs[owner].hash);
    name_index_add(c, i);
    c->pods_pending++;
    return i;
}

/* Appends NODE to the change log (cluster.h); a full log is emptied first. */
static void log_change(ks_nodes *n, uint32_t node)
{
    size_t cap = n->n > 1024 ? n->n : 1024;
    if (n->nchanges == cap) {
        n->changes_base += n->nchanges;
        n->nchanges = 0;
    }
    if (n->nchanges == n->changes_cap) {
        size_t c = n->changes_cap;
        ks_grow(mem_nodes, (void **)&n->changes, &c, n->nchanges + 1, sizeof *n->changes);
        n->changes_cap = c;
    }
    n->changes[n->nchanges++] = node;
}

/* Adds (SIGN +1) or removes (-1) an assigned pod's requests, host ports, extended resources,
 * class counts and list memberships on its node. */
static void account(ks_cluster *c, uint32_t pod, int sign)
{
    ks_pod *p = &c->pods[pod];
    const ks_pod_spec *s = p->spec;
    ks_nodes *n = &c->nodes;
    uint32_t node = p->node;
    n->req_cpu[node] += sign * s->req_cpu_milli;
    n->req_mem[node] += sign * s->req_mem_bytes;
    n->req_eph[node] += sign * s->req_eph_bytes;
    n->nz_cpu[node] += sign * s->nz_cpu_milli;
    n->nz_mem[node] += sign * s->nz_mem_bytes;
    n->npods[node] += sign;
    log_change(n, node);
    ks_gpu_account(c, pod, sign);
    for (size_t k = 0; k < s->ncontainers; k++)
        for (uint8_t j = 0; j < s->containers[k].nhost_ports; j++) {
            const ks_host_port *hp = &s->containers[k].host_ports[j];
            if (sign > 0) {
                size_t cap = n->ports_cap[node];
                ks_grow(mem_nodes, (void **)&n->ports[node], &cap, n->nports[node] + 1, sizeof **n->ports);
                n->ports_cap[node] = (uint32_t)cap;
                n->ports[node][n->nports[node]++] = *hp;
                continue;
            }
            for (uint32_t q = 0; q < n->nports[node]; q++) { /* give back one entry per port held */
                const ks_host_port *u = &n->ports[node][q];
                if (u->port != hp->port || u->protocol != hp->protocol || strcmp(u->host_ip, hp->host_ip)) continue;
                n->ports[node][q] = n->ports[node][--n->nports[node]];
                break;
            }
        }
    for (uint8_t k = 0; k < s->next_req; k++) {
        int id = ks_cluster_find_ext(c, s->ext_req[k].name);
        if (id >= 0) n->ext_req[node * KS_MAX_EXT_CLUSTER + (size_t)id] += sign * s->ext_req[k].value;
    }
    c->cpu_requested += sign * s->req_cpu_milli;
    c->mem_requested += sign * s->req_mem_bytes;
    class_count(c, pod, p->terminating, sign);
    if (sign > 0) { /* push on the node's pod list */
        p->node_prev = KS_NONE;
        p->node_next = n->pod_head[node];
        if (p->node_next != KS_NONE) c->pods[p->node_next].node_prev = pod;
        n->pod_head[node] = pod;
    } else {
        if (p->node_prev != KS_NONE) c->pods[p->node_prev].node_next = p->node_next;
        else n->pod_head[node] = p->node_next;
        if (p->node_next != KS_NONE) c->pods[p->node_next].node_prev = p->node_prev;
        p->node_prev = p->node_next = KS_NONE;
    }
    if (sign > 0 && has_pod_affinity(s)) {
        ks_grow(mem_pods, (void **)&c->aff_pods, &c->aff_pods_cap, c->naff_pods + 1, sizeof *c->aff_pods);
        p->aff_slot = (uint32_t)c->naff_pods;
        c->aff_pods[c->naff_pods++] = pod;
    } else if (sign < 0 && p->aff_slot != KS_NONE) { /* swap-remove */
        uint32_t last = c->aff_pods[--c->naff_pods];
        c->aff_pods[p->aff_slot] = last;
        c->pods[last].aff_slot = p->aff_slot;
        p->aff_slot = KS_NONE;
    }
}

void ks_cluster_assign(ks_cluster *c, uint32_t pod, uint32_t node)
{
    c->pods[pod].node = node;
    ks_cluster_nominate(c, pod, KS_NONE); /* binding clears the nomination */
    account(c, pod, +1);
    c->pods_scheduled++;
}

void ks_cluster_detach(ks_cluster *c, uint32_t pod) { account(c, pod, -1); }
void ks_cluster_attach(ks_cluster *c, uint32_t pod) { account(c, pod, +1); }

bool ks_cluster_release(ks_cluster *c, uint32_t pod)
{
    ks_pod *p = &c->pods[pod];
    ks_cluster_nominate(c, pod, KS_NONE);
    if (p->node == KS_NONE || p->released) return false;
    p->released = 1;
    account(c, pod, -1);
    return true;
}

void ks_pod_uid(const ks_cluster *c, uint32_t pod, char *buf, size_t size)
{
    /* A version-4 UUID drawn from the pod's name and row, so that it is the same in every run. */
    uint64_t a = fnv_str(fnv_str(14695981039346656037ull, c->pods[pod].spec->namespace), c->pods[pod].name) ^ pod;
    uint64_t b = a;
    a = (a ^ (a >> 30)) * 0xbf58476d1ce4e5b9ull;
    a = (a ^ (a >> 27)) * 0x94d049bb133111ebull;
    a ^= a >> 31;
    b = (b + 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull;
    b ^= b >> 29;
    snprintf(buf, size, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (unsigned long long)(b & 0xffffffffffffull));
}

void ks_cluster_nominate(ks_cluster *c, uint32_t pod, uint32_t node)
{
    ks_pod *p = &c->pods[pod];
    if (p->nominated == node) return;
    if (p->nominated != KS_NONE) { /* unlink from the old node's list */
        uint32_t *at = &c->nodes.nominated_head[p->nominated];
        while (*at != pod) at = &c->pods[*at].nom_next;
        *at = p->nom_next;
        p->nom_next = KS_NONE;
        c->nodes.nnominated--;
    }
    p->nominated = node;
    if (node != KS_NONE) {
        p->nom_next = c->nodes.nominated_head[node];
        c->nodes.nominated_head[node] = pod;
        c->nodes.nnominated++;
    }
}

uint32_t ks_cluster_find_image(const ks_cluster *c, const char *ref)
{
    for (size_t i = 0; i < c->nimages; i++)
        if (strcmp(c->images[i], ref) == 0) return (uint32_t)i;
    return KS_NONE;
}

uint32_t ks_cluster_image_id(ks_cluster *c, const char *ref)
{
    /* Linear: a cluster runs tens of distinct images, and lookups happen once per container start. */
    for (size_t i = 0; i < c->nimages; i++)
        if (strcmp(c->images[i], ref) == 0) return (uint32_t)i;
    ks_grow(mem_objects, (void **)&c->images, &c->images_cap, c->nimages + 1, sizeof *c->images);
    c->images[c->nimages] = ks_strdup(mem_objects, ref);
    size_t old = c->image_nodes_cap;
    ks_grow(mem_objects, (void **)&c->image_nodes, &c->image_nodes_cap, c->nimages + 1, sizeof *c->image_nodes);
    memset(c->image_nodes + old, 0, (c->image_nodes_cap - old) * sizeof *c->image_nodes);
    return (uint32_t)c->nimages++;
}

bool ks_node_has_image(const ks_cluster *c, uint32_t node, uint32_t image)
{
    const ks_nodes *n = &c->nodes;
    for (uint32_t i = 0; i < n->nimages[node]; i++)
        if (n->images[node][i] == image) return true;
    return false;
}

void ks_node_add_image(ks_cluster *c, uint32_t node, uint32_t image, int64_t bytes)
{
    ks_nodes *n = &c->nodes;
    if (ks_node_has_image(c, node, image)) return;
    size_t cap = n->images_cap[node], cap2 = cap;
    ks_grow(mem_nodes, (void **)&n->images[node], &cap, n->nimages[node] + 1, sizeof **n->images);
    ks_grow(mem_nodes, (void **)&n->image_sizes[node], &cap2, n->nimages[node] + 1, sizeof **n->image_sizes);
    n->images_cap[node] = (uint32_t)cap;
    n->image_sizes[node][n->nimages[node]] = bytes;
    n->images[node][n->nimages[node]++] = image;
    c->image_nodes[image]++;
}

int64_t ks_node_image_bytes(const ks_cluster *c, uint32_t node, uint32_t image)
{
    const ks_nodes *n = &c->nodes;
    for (uint32_t i = 0; i < n->nimages[node]; i++)
        if (n->images[node][i] == image) return n->image_sizes[node][i];
    return -1;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h * 0x100000001b3ull; /* separator, so ("ab","c") and ("a","bc") differ */
}

/* The correlator's table maps a 64-bit hash of (kind, namespace, name, reason, message) to the
 * number of times that event was seen. client-go aggregates only within a 10-minute window and
 * drops into "(combined from similar events)" messages after 10 similar events; kubesim keeps the
 * simpler exact count, which is what `kubectl get events` shows in its COUNT column for repeats. */
static uint32_t correlate(ks_cluster *c, uint64_t key)
{
    if (key == 0) key = 1;
    if ((c->ev_used + 1) * 2 > c->ev_cap) {
        size_t ocap = c->ev_cap, ncap = ocap ? ocap * 2 : 1024;
        uint64_t *ok = c->ev_keys;
        uint32_t *oc = c->ev_counts;
        c->ev_keys = ks_calloc(mem_events, ncap, sizeof *c->ev_keys);
        c->ev_counts = ks_calloc(mem_events, ncap, sizeof *c->ev_counts);
        c->ev_cap = ncap;
        for (size_t i = 0; i < ocap; i++) {
            if (!ok[i]) continue;
            size_t j = ok[i] & (ncap - 1);
            while (c->ev_keys[j]) j = (j + 1) & (ncap - 1);
            c->ev_keys[j] = ok[i];
            c->ev_counts[j] = oc[i];
        }
        ks_free(ok);
        ks_free(oc);
    }
    size_t j = key & (c->ev_cap - 1);
    while (c->ev_keys[j] && c->ev_keys[j] != key) j = (j + 1) & (c->ev_cap - 1);
    if (!c->ev_keys[j]) {
        c->ev_keys[j] = key;
        c->ev_used++;
    }
    return ++c->ev_counts[j];
}

void ks_cluster_event(ks_cluster *c, ks_time now, const char *kind, const char *namespace, const char *name,
                      const char *type, const char *reason, const char *source, const char *fmt, ...)
{
    char msg[1100];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Event notes are truncated to 1024 bytes as upstream's recorder does: msg[:1020] + " ..."
     * (pkg/scheduler/schedule_one.go truncateMessage). */
    if (len > 1024) memcpy(msg + 1020, " ...", 5);
    c->events_emitted++;
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv1a(fnv1a(fnv1a(fnv1a(fnv1a(h, kind), namespace), name), reason), msg);
    uint32_t count = correlate(c, h);
    if (!c->events) return;
    ks_event_row row = {ks_time_to_sec(now), kind, namespace, name, type, reason, msg, source, count};
    ks_table_append(c->events, &row);
}

/* ---------------------------------------------------------------- node spec changes */

static void node_changed(ks_cluster *c, uint32_t node)
{
    c->nodes.resource_version[node] = ks_cluster_bump(c);
    c->nodes.spec_epoch++;
}

bool ks_cluster_node_has_taint(const ks_cluster *c, uint32_t node, const char *key, ks_taint_effect effect)
{
    const ks_node_spec *s = &c->nodes.spec[node];
    for (size_t i = 0; i < s->ntaints; i++)
        if (s->taints[i].effect == effect && !strcmp(s->taints[i].key, key)) return true;
    return false;
}

bool ks_cluster_node_add_taint(ks_cluster *c, uint32_t node, const char *key, const char *value, ks_taint_effect effect)
{
    if (ks_cluster_node_has_taint(c, node, key, effect)) return false;
    ks_node_spec *s = &c->nodes.spec[node];
    s->taints = s->taints ? ks_realloc(s->taints, (s->ntaints + 1) * sizeof *s->taints)
                           : ks_malloc(mem_nodes, sizeof *s->taints);
    s->taints[s->ntaints++] = (ks_taint){ks_strdup(mem_nodes, key), ks_strdup(mem_nodes, value), effect};
    node_changed(c, node);
    return true;
}

bool ks_cluster_node_remove_taint(ks_cluster *c, uint32_t node, const char *key, int effect)
{
    ks_node_spec *s = &c->nodes.spec[node];
    size_t keep = 0;
    for (size_t i = 0; i < s->ntaints; i++) {
        ks_taint *t = &s->taints[i];
        if (!strcmp(t->key, key) && (effect < 0 || (int)t->effect == effect)) {
            ks_free(t->key);
            ks_free(t->value);
            continue;
        }
        s->taints[keep++] = *t;
    }
    if (keep == s->ntaints) return false;
    s->ntaints = keep;
    node_changed(c, node);
    return true;
}

void ks_cluster_node_set_unschedulable(ks_cluster *c, uint32_t node, bool on)
{
    if (c->nodes.spec[node].unschedulable == on) return;
    c->nodes.spec[node].unschedulable = on;
    node_changed(c, node);
}

void ks_cluster_node_set_label(ks_cluster *c, uint32_t node, const char *key, const char *value)
{
    ks_labels *l = &c->nodes.spec[node].labels;
    const char *old = ks_labels_get(l, key);
    if (old && !strcmp(old, value)) return;
    size_t i = 0;
    while (i < l->n && strcmp(l->items[i].key, key)) i++;
    if (i < l->n) {
        ks_free(l->items[i].value);
        l->items[i].value = ks_strdup(mem_nodes, value);
    } else {
        l->items = l->items ? ks_realloc(l->items, (l->n + 1) * sizeof *l->items) : ks_malloc(mem_nodes, sizeof *l->items);
        l->items[l->n++] = (ks_kv){ks_strdup(mem_nodes, key), ks_strdup(mem_nodes, value)};
    }
    topologies_free(c); /* the interned label values are rebuilt on next use */
    node_changed(c, node);
}

void ks_cluster_pod_ready(ks_cluster *c, uint32_t pod, bool ready, ks_time now)
{
    ks_pod *p = &c->pods[pod];
    if (p->counted_ready == ready) return;
    p->counted_ready = ready;
    c->pods_ready += ready ? 1 : -1;
    if (p->owner == KS_NONE) return;
    ks_deployment *d = &c->deployments[c->rs[p->owner].deployment];
    d->ready_now += ready ? 1 : -1;
    if (c->incident_start == KS_NEVER) return;
    if (d->ready_now < d->min_ready) d->min_ready = d->ready_now;
    if (d->ready_now < d->replicas) d->dropped = true;
    else if (d->dropped && ready && d->ready_now == d->replicas) d->back_at = now;
}

void ks_cluster_incident(ks_cluster *c, ks_time now)
{
    if (c->incident_start != KS_NEVER) return;
    c->incident_start = now;
    for (size_t i = 0; i < c->ndeployments; i++) {
        ks_deployment *d = &c->deployments[i];
        d->min_ready = d->ready_now;
        d->back_at = KS_NEVER;
        d->dropped = d->ready_now < d->replicas;
    }
}

void ks_cluster_node_delete(ks_cluster *c, uint32_t node)
{
    if (c->nodes.spec[node].deleted) return;
    c->nodes.spec[node].deleted = true;
    c->nodes.ndeleted++;
    node_changed(c, node);
}
