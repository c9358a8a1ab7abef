/* interpod.c — PodTopologySpread and InterPodAffinity; see interpod.h. */
#include "interpod.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "scheduler.h"

static ks_mem_id mem_ip;

/* ---------------------------------------------------------------- labels and selectors */

/* What a selector sees of a pod: its labels, the pod-template-hash included. */
typedef struct lview {
    const ks_labels *labels;
    const char *hash;
} lview;

static const char *lv_get(const lview *v, const char *key)
{
    if (v->hash && strcmp(key, "pod-template-hash") == 0) return v->hash;
    return ks_labels_get(v->labels, key);
}

static lview class_view(const ks_pod_class *k) { return (lview){k->labels, k->template_hash}; }

/* labels.Requirement.Matches: In needs the label with one of the values; NotIn matches when the
 * label is absent or has none of them; Exists / DoesNotExist. */
static bool req_matches(const ks_node_requirement *r, const lview *v)
{
    const char *have = lv_get(v, r->key);
    switch (r->op) {
    case KS_SEL_EXISTS: return have != NULL;
    case KS_SEL_DOES_NOT_EXIST: return have == NULL;
    case KS_SEL_IN:
    case KS_SEL_NOT_IN: {
        bool in = false;
        for (size_t i = 0; have && i < r->nvalues && !in; i++) in = strcmp(have, r->values[i]) == 0;
        return r->op == KS_SEL_IN ? in : !in;
    }
    default: return false; /* Gt / Lt are not label selector operators */
    }
}

/* A selector as one cycle evaluates it: the written one (NULL: no written requirement) ANDed with
 * single-value requirements taken from a pod's labels — matchLabelKeys (key = value),
 * mismatchLabelKeys (key != value), or a default selector's matchLabels. nothing: a nil
 * selector, which matches no pod. */
#define MAX_EXTRA 32
typedef struct eff_sel {
    const ks_label_selector *base;
    bool nothing;
    const char *key[MAX_EXTRA], *value[MAX_EXTRA];
    bool negate[MAX_EXTRA];
    int n;
} eff_sel;

static void sel_extra(eff_sel *e, const char *key, const char *value, bool negate)
{
    if (e->n == MAX_EXTRA) return; /* config.c caps the keys well below this */
    e->key[e->n] = key;
    e->value[e->n] = value;
    e->negate[e->n++] = negate;
}

static bool sel_matches(const eff_sel *e, const lview *v)
{
    if (e->nothing) return false;
    for (size_t i = 0; e->base && i < e->base->n; i++)
        if (!req_matches(&e->base->reqs[i], v)) return false;
    for (int i = 0; i < e->n; i++) {
        const char *have = lv_get(v, e->key[i]);
        bool eq = have && strcmp(have, e->value[i]) == 0;
        if (eq == e->negate[i]) return false;
    }
    return true;
}

/* A written selector with matchLabelKeys / mismatchLabelKeys resolved from OWNER's labels (keys
 * the owner lacks are left out): podtopologyspread/common.go filterTopologySpreadConstraints and,
 * for pod affinity, the API server's merge of matchLabelKeys (KEP-3633, beta in v1.31). */
static eff_sel written_sel(const ks_label_selector *sel, char *const *match, size_t nmatch, char *const *mismatch,
                           size_t nmismatch, const lview *owner)
{
    eff_sel e = {.base = sel, .nothing = !sel->set};
    for (size_t i = 0; i < nmatch; i++) {
        const char *v = lv_get(owner, match[i]);
        if (v) sel_extra(&e, match[i], v, false);
    }
    for (size_t i = 0; i < nmismatch; i++) {
        const char *v = lv_get(owner, mismatch[i]);
        if (v) sel_extra(&e, mismatch[i], v, true);
    }
    return e;
}

/* helper.DefaultSelector for a pod a ReplicaSet owns: the ReplicaSet's selector, which is the
 * Deployment's matchLabels plus the pod-template-hash. Services, ReplicationControllers and
 * StatefulSets are not modelled. An empty result selects nothing (no default constraints). */
static eff_sel default_sel(const ks_sched_pod *pod)
{
    eff_sel e = {.nothing = pod->owner_selector == NULL};
    if (e.nothing) return e;
    for (size_t i = 0; i < pod->owner_selector->n; i++)
        sel_extra(&e, pod->owner_selector->items[i].key, pod->owner_selector->items[i].value, false);
    if (pod->template_hash) sel_extra(&e, "pod-template-hash", pod->template_hash, false);
    e.nothing = e.n == 0;
    return e;
}

/* The namespaces of a pod affinity term (pkg/scheduler/util GetNamespacesFromPodAffinityTerm
 * and AffinityTerm.Matches): none listed and no namespaceSelector means the owner's namespace;
 * otherwise the listed ones, or any namespace the selector matches by its
 * kubernetes.io/metadata.name label. */
static bool term_ns_matches(const ks_pod_affinity_term *t, const char *owner_ns, const char *ns)
{
    if (t->nnamespaces == 0 && !t->ns_selector.set) return strcmp(owner_ns, ns) == 0;
    for (size_t i = 0; i < t->nnamespaces; i++)
        if (strcmp(t->namespaces[i], ns) == 0) return true;
    if (!t->ns_selector.set) return false;
    ks_kv kv = {(char *)"kubernetes.io/metadata.name", (char *)ns};
    ks_labels nl = {&kv, 1};
    lview v = {&nl, NULL};
    eff_sel e = {.base = &t->ns_selector};
    return sel_matches(&e, &v);
}

/* Does term T, written in a pod of namespace OWNER_NS with labels OWNER, match a pod of namespace
 * NS seen as V? */
static bool term_matches(const ks_pod_affinity_term *t, const char *owner_ns, const lview *owner, const char *ns,
                         const lview *v)
{
    if (!term_ns_matches(t, owner_ns, ns)) return false;
    eff_sel e = written_sel(&t->selector, t->match_label_keys, t->nmatch_label_keys, t->mismatch_label_keys,
                            t->nmismatch_label_keys, owner);
    return sel_matches(&e, v);
}

bool ks_selector_matches_pod(const ks_cluster *c, const ks_label_selector *sel, uint32_t pod)
{
    lview v = class_view(&c->classes[c->pods[pod].pclass]);
    eff_sel e = {.base = sel, .nothing = !sel->set};
    return sel_matches(&e, &v);
}

/* ---------------------------------------------------------------- counts */

static void counts_reset(ks_ip_counts *k, const ks_topology *topo)
{
    k->topo = topo;
    size_t n = topo->ndom ? topo->ndom : 1;
    if (n > k->cap) {
        ks_free(k->count);
        ks_free(k->entry);
        k->count = ks_malloc(mem_ip, n * sizeof *k->count);
        k->entry = ks_malloc(mem_ip, n);
        k->cap = n;
    }
    memset(k->count, 0, n * sizeof *k->count);
    memset(k->entry, 0, n);
}

static void counts_free(ks_ip_counts *k)
{
    ks_free(k->count);
    ks_free(k->entry);
}

/* The counts for KEY in L, added (zeroed) if it is not there yet. */
static ks_ip_counts *keyed(ks_interpod *s, ks_ip_keyed *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].topo->key, key) == 0) return &l->v[i];
    if (l->n == l->cap) {
        size_t cap = l->cap;
        ks_grow(mem_ip, (void **)&l->v, &cap, l->n + 1, sizeof *l->v);
        memset(l->v + l->cap, 0, (cap - l->cap) * sizeof *l->v);
        l->cap = cap;
    }
    ks_ip_counts *k = &l->v[l->n++];
    counts_reset(k, ks_cluster_topology(s->c, key));
    return k;
}

static void keyed_add(ks_interpod *s, ks_ip_keyed *l, const char *key, uint32_t node, int64_t delta)
{
    ks_ip_counts *k = keyed(s, l, key);
    if (!k->topo->has[node]) return;
    uint32_t d = k->topo->dom[node];
    k->count[d] += delta;
    k->entry[d] = 1;
}

/* The classes whose pods are in namespace NS (any namespace if NULL) and match E, into OUT. */
static size_t match_classes(const ks_cluster *c, const char *ns, const eff_sel *e, uint32_t **out, size_t *cap)
{
    size_t n = 0;
    if (e->nothing) return 0;
    for (uint32_t k = 0; k < c->nclasses; k++) {
        const ks_pod_class *pc = &c->classes[k];
        if (pc->nlive + pc->nterminating == 0) continue;
        if (ns && strcmp(pc->namespace, ns) != 0) continue;
        lview v = class_view(pc);
        if (!sel_matches(e, &v)) continue;
        ks_grow(mem_ip, (void **)out, cap, n + 1, sizeof **out);
        (*out)[n++] = k;
    }
    return n;
}

/* Pods of CLASSES on NODE; TERMINATING: count pods with a deletionTimestamp too. */
static int64_t count_on(const ks_cluster *c, const uint32_t *classes, size_t n, uint32_t node, bool terminating)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        const ks_pod_class *pc = &c->classes[classes[i]];
        if (pc->live) sum += pc->live[node];
        if (terminating && pc->terminating) sum += pc->terminating[node];
    }
    return sum;
}

/* The pods of CLASSES per node, as (node, count) pairs in S's scratch (a node may appear once per
 * class): only the nodes where a class has pods are visited. Returns the number of pairs. */
static size_t gather(ks_interpod *s, const uint32_t *classes, size_t n, bool terminating)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const ks_pod_class *pc = &s->c->classes[classes[i]];
        for (uint32_t j = 0; j < pc->nocc; j++) {
            uint32_t node = pc->occ[j];
            int64_t cnt = (pc->live ? pc->live[node] : 0) + (terminating && pc->terminating ? pc->terminating[node] : 0);
            if (!cnt) continue;
            if (m == s->gcap) {
                size_t cap = s->gcap, cap2 = s->gcap;
                ks_grow(mem_ip, (void **)&s->gnode, &cap, m + 1, sizeof *s->gnode);
                ks_grow(mem_ip, (void **)&s->gcount, &cap2, m + 1, sizeof *s->gcount);
                s->gcap = cap < cap2 ? cap : cap2;
            }
            s->gnode[m] = node;
            s->gcount[m++] = cnt;
        }
    }
    return m;
}

/* ---------------------------------------------------------------- PodTopologySpread */

static ks_ip_spread *spread_add(ks_interpod *s, ks_ip_spreads *l, const char *key, int32_t max_skew,
                                int32_t min_domains, bool honor_affinity, bool honor_taints, const eff_sel *sel)
{
    if (l->n == l->cap) {
        size_t cap = l->cap;
        ks_grow(mem_ip, (void **)&l->v, &cap, l->n + 1, sizeof *l->v);
        memset(l->v + l->cap, 0, (cap - l->cap) * sizeof *l->v);
        l->cap = cap;
    }
    ks_ip_spread *k = &l->v[l->n++];
    k->topo = ks_cluster_topology(s->c, key);
    k->max_skew = max_skew;
    k->min_domains = min_domains;
    k->honor_affinity = honor_affinity;
    k->honor_taints = honor_taints;
    k->hostname = strcmp(key, "kubernetes.io/hostname") == 0;
    lview self = {&s->pod.spec->labels, s->pod.template_hash};
    k->self_match = sel_matches(sel, &self);
    /* countPodsMatchSelector: same namespace, not terminating. */
    k->nclasses = match_classes(s->c, s->pod.spec->namespace, sel, &k->classes, &k->classes_cap);
    counts_reset(&k->counts, k->topo);
    k->min_match = 0;
    k->weight = 0;
    return k;
}

/* getConstraints / initPreScoreState: the pod's own constraints of one kind
 * (whenUnsatisfiable), else the profile's defaults with the default selector. */
static void spread_constraints(ks_interpod *s, ks_ip_spreads *l, bool do_not_schedule)
{
    const ks_pod_spec *ps = s->pod.spec;
    const ks_sched_profile *prof = s->prof;
    lview self = {&ps->labels, s->pod.template_hash};
    l->n = 0;
    if (ps->nspread) {
        for (size_t i = 0; i < ps->nspread; i++) {
            const ks_spread_constraint *k = &ps->spread[i];
            if (k->do_not_schedule != do_not_schedule) continue;
            eff_sel e = written_sel(&k->selector, k->match_label_keys, k->nmatch_label_keys, NULL, 0, &self);
            spread_add(s, l, k->topology_key, k->max_skew, k->min_domains, k->honor_affinity, k->honor_taints, &e);
        }
        return;
    }
    eff_sel e = default_sel(&s->pod);
    if (e.nothing) return; /* buildDefaultConstraints: an empty selector, no constraints */
    if (prof->spread_system_defaulted) {
        /* pkg/scheduler/framework/plugins/podtopologyspread/plugin.go systemDefaultConstraints. */
        if (do_not_schedule) return;
        spread_add(s, l, "kubernetes.io/hostname", 3, 1, true, false, &e);
        spread_add(s, l, "topology.kubernetes.io/zone", 5, 1, true, false, &e);
        return;
    }
    for (size_t i = 0; i < prof->nspread_defaults; i++) {
        const ks_spread_constraint *k = &prof->spread_defaults[i];
        if (k->do_not_schedule == do_not_schedule)
            spread_add(s, l, k->topology_key, k->max_skew, k->min_domains, k->honor_affinity, k->honor_taints, &e);
    }
}

/* nodeLabelsMatchSpreadConstraints: the node has every constraint's key. */
static bool has_all_keys(const ks_ip_spreads *l, uint32_t node)
{
    for (size_t i = 0; i < l->n; i++)
        if (!l->v[i].topo->has[node]) return false;
    return true;
}

/* matchNodeInclusionPolicies: nodeAffinityPolicy Honor needs the pod's required node affinity,
 * nodeTaintsPolicy Honor needs every NoSchedule / NoExecute taint tolerated. */
static bool node_included(const ks_interpod *s, const ks_ip_spread *k, uint32_t node)
{
    const ks_node_spec *n = &s->c->nodes.spec[node];
    if (k->honor_affinity && !ks_node_affinity_matches(s->pod.spec, n)) return false;
    if (k->honor_taints && !ks_node_taints_tolerated(n, s->pod.spec)) return false;
    return true;
}

/* filtering.go calPreFilterState. */
static void spread_prefilter(ks_interpod *s)
{
    const ks_cluster *c = s->c;
    ks_ip_spreads *l = &s->filter;
    spread_constraints(s, l, true);
    s->spread_filtering = s->prof->spread_filter && l->n > 0;
    if (!s->spread_filtering) return;
    for (uint32_t node = 0; node < c->nodes.n; node++) { /* the eligible domains */
        if (!has_all_keys(l, node)) continue;
        for (size_t i = 0; i < l->n; i++)
            if (node_included(s, &l->v[i], node)) l->v[i].counts.entry[l->v[i].topo->dom[node]] = 1;
    }
    for (size_t i = 0; i < l->n; i++) { /* the matching pods on eligible nodes */
        ks_ip_spread *k = &l->v[i];
        size_t m = gather(s, k->classes, k->nclasses, false);
        for (size_t j = 0; j < m; j++) {
            uint32_t node = s->gnode[j];
            if (has_all_keys(l, node) && node_included(s, k, node)) k->counts.count[k->topo->dom[node]] += s->gcount[j];
        }
    }
    for (size_t i = 0; i < l->n; i++) { /* criticalPaths[0]: the global minimum */
        ks_ip_spread *k = &l->v[i];
        int64_t min = INT32_MAX, domains = 0;
        for (uint32_t d = 0; d < k->topo->ndom; d++) {
            if (!k->counts.entry[d]) continue;
            domains++;
            if (k->counts.count[d] < min) min = k->counts.count[d];
        }
        k->min_match = domains < k->min_domains ? 0 : min; /* minMatchNum with minDomains */
    }
}

static int spread_filter(const ks_interpod *s, uint32_t node)
{
    for (size_t i = 0; i < s->filter.n; i++) {
        const ks_ip_spread *k = &s->filter.v[i];
        if (!k->topo->has[node]) return KS_IP_SPREAD_LABEL;
        uint32_t d = k->topo->dom[node];
        int64_t match = k->counts.entry[d] ? k->counts.count[d] : 0;
        if (match + (k->self_match ? 1 : 0) - k->min_match > k->max_skew) return KS_IP_SPREAD_SKEW;
    }
    return KS_IP_OK;
}

/* scoring.go PreScore and initPreScoreState. */
static void spread_prescore(ks_interpod *s, const uint32_t *feasible, uint32_t nfeasible)
{
    ks_cluster *c = s->c;
    ks_ip_spreads *l = &s->score;
    spread_constraints(s, l, false);
    s->spread_scoring = s->prof->spread_weight && l->n > 0 && c->nodes.n > 0;
    if (!s->spread_scoring) return;
    /* Only the pod's own constraints need every key on a node; with the system defaults a node
     * without a zone still gets hostname spreading. */
    s->require_all = s->pod.spec->nspread > 0 || !s->prof->spread_system_defaulted;
    if (c->nodes.n > s->ignored_cap) {
        ks_free(s->ignored);
        s->ignored = ks_malloc(mem_ip, c->nodes.n);
        s->ignored_cap = c->nodes.n;
    }
    memset(s->ignored, 0, c->nodes.n);
    uint32_t nignored = 0;
    for (uint32_t f = 0; f < nfeasible; f++) {
        uint32_t node = feasible[f];
        if (s->require_all && !has_all_keys(l, node)) {
            s->ignored[node] = 1;
            nignored++;
            continue;
        }
        for (size_t i = 0; i < l->n; i++) { /* the domains of the feasible nodes */
            ks_ip_spread *k = &l->v[i];
            if (!k->hostname) k->counts.entry[k->topo->dom[node]] = 1;
        }
    }
    for (size_t i = 0; i < l->n; i++) {
        ks_ip_spread *k = &l->v[i];
        uint32_t size = 0;
        if (k->hostname) size = nfeasible - nignored;
        else
            for (uint32_t d = 0; d < k->topo->ndom; d++) size += k->counts.entry[d];
        k->weight = log((double)size + 2); /* topologyNormalizingWeight */
    }
    for (size_t i = 0; i < l->n; i++) { /* processAllNode, over the nodes with matching pods */
        ks_ip_spread *k = &l->v[i];
        if (k->hostname) continue;
        size_t m = gather(s, k->classes, k->nclasses, false);
        for (size_t j = 0; j < m; j++) {
            uint32_t node = s->gnode[j], d = k->topo->dom[node];
            if (s->require_all && !has_all_keys(l, node)) continue;
            if (k->counts.entry[d] && node_included(s, k, node)) k->counts.count[d] += s->gcount[j];
        }
    }
}

int64_t ks_interpod_spread_score(const ks_interpod *s, uint32_t node)
{
    if (s->ignored[node]) return 0;
    double score = 0;
    for (size_t i = 0; i < s->score.n; i++) {
        const ks_ip_spread *k = &s->score.v[i];
        if (!k->topo->has[node]) continue;
        int64_t cnt = k->hostname ? count_on(s->c, k->classes, k->nclasses, node, false)
                                  : k->counts.count[k->topo->dom[node]];
        score += (double)cnt * k->weight + (double)(k->max_skew - 1); /* scoreForCount */
    }
    return (int64_t)round(score); /* math.Round: halves away from zero */
}

void ks_interpod_spread_normalize(const ks_interpod *s, const uint32_t *feasible, const int64_t *raw, int64_t *out,
                                  uint32_t n)
{
    int64_t min = INT64_MAX, max = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (s->ignored[feasible[k]]) continue;
        if (raw[k] < min) min = raw[k];
        if (raw[k] > max) max = raw[k];
    }
    for (uint32_t k = 0; k < n; k++) {
        if (s->ignored[feasible[k]]) out[k] = 0;
        else if (max == 0) out[k] = 100;
        else out[k] = 100 * (max + min - raw[k]) / max;
    }
}

/* ---------------------------------------------------------------- InterPodAffinity */

static void keyed_clear(ks_ip_keyed *l) { l->n = 0; }

static lview pod_view(const ks_cluster *c, uint32_t pod) { return class_view(&c->classes[c->pods[pod].pclass]); }

/* The classes with pods whose pods match all NTERMS TERMS of the pod being scheduled (seen as
 * SELF), into S's class scratch; returns how many. */
static size_t term_classes(ks_interpod *s, const ks_pod_affinity_term *terms, size_t nterms, const lview *self)
{
    const ks_cluster *c = s->c;
    const char *ns = s->pod.spec->namespace;
    size_t n = 0;
    for (uint32_t k = 0; k < c->nclasses; k++) {
        const ks_pod_class *pc = &c->classes[k];
        if (pc->nlive + pc->nterminating == 0) continue;
        lview v = class_view(pc);
        bool all = true;
        for (size_t t = 0; t < nterms && all; t++) all = term_matches(&terms[t], ns, self, pc->namespace, &v);
        if (!all) continue;
        ks_grow(mem_ip, (void **)&s->classes, &s->classes_cap, n + 1, sizeof *s->classes);
        s->classes[n++] = k;
    }
    return n;
}

/* filtering.go PreFilter: getExistingAntiAffinityCounts and getIncomingAffinityAntiAffinityCounts. */
static void affinity_prefilter(ks_interpod *s)
{
    ks_cluster *c = s->c;
    const ks_pod_spec *ps = s->pod.spec;
    lview self = {&ps->labels, s->pod.template_hash};
    keyed_clear(&s->aff);
    keyed_clear(&s->anti);
    keyed_clear(&s->existing);
    s->aff_any = false;
    s->interpod_filtering = false;
    if (!s->prof->interpod_filter) return;
    bool any_existing = false;
    for (size_t i = 0; i < c->naff_pods; i++) { /* existing pods' required anti-affinity */
        uint32_t pod = c->aff_pods[i];
        const ks_pod *p = &c->pods[pod];
        lview owner = pod_view(c, pod);
        for (size_t t = 0; t < p->spec->npod_aff[KS_ANTI_REQUIRED]; t++) {
            const ks_pod_affinity_term *term = &p->spec->pod_aff[KS_ANTI_REQUIRED][t];
            if (!term_matches(term, p->spec->namespace, &owner, ps->namespace, &self)) continue;
            if (!ks_cluster_topology(c, term->topology_key)->has[p->node]) continue;
            keyed_add(s, &s->existing, term->topology_key, p->node, 1);
            any_existing = true;
        }
    }
    size_t naff = ps->npod_aff[KS_AFF_REQUIRED], nanti = ps->npod_aff[KS_ANTI_REQUIRED];
    if (naff) {
        /* Existing pods (terminating ones too) matching ALL the required affinity terms. */
        size_t n = term_classes(s, ps->pod_aff[KS_AFF_REQUIRED], naff, &self);
        for (size_t t = 0; t < naff; t++) keyed(s, &s->aff, ps->pod_aff[KS_AFF_REQUIRED][t].topology_key);
        size_t m = gather(s, s->classes, n, true);
        for (size_t j = 0; j < m; j++)
            for (size_t t = 0; t < naff; t++)
                keyed_add(s, &s->aff, ps->pod_aff[KS_AFF_REQUIRED][t].topology_key, s->gnode[j], s->gcount[j]);
        for (size_t i = 0; i < s->aff.n; i++)
            for (uint32_t d = 0; d < s->aff.v[i].topo->ndom; d++) s->aff_any |= s->aff.v[i].count[d] > 0;
        /* podMatchesAllAffinityTerms(terms, pod): the pod may be the first of a self-affine group. */
        s->self_affine = true;
        for (size_t t = 0; t < naff && s->self_affine; t++)
            s->self_affine = term_matches(&ps->pod_aff[KS_AFF_REQUIRED][t], ps->namespace, &self, ps->namespace, &self);
    }
    for (size_t t = 0; t < nanti; t++) {
        const ks_pod_affinity_term *term = &ps->pod_aff[KS_ANTI_REQUIRED][t];
        keyed(s, &s->anti, term->topology_key);
        size_t n = term_classes(s, term, 1, &self);
        size_t m = gather(s, s->classes, n, true);
        for (size_t j = 0; j < m; j++) keyed_add(s, &s->anti, term->topology_key, s->gnode[j], s->gcount[j]);
    }
    /* PreFilter returns Skip when nothing can fail. */
    s->interpod_filtering = any_existing || naff || nanti;
}

static bool keyed_positive(const ks_ip_keyed *l, const char *key, uint32_t node)
{
    for (size_t i = 0; i < l->n; i++) {
        const ks_ip_counts *k = &l->v[i];
        if (strcmp(k->topo->key, key) != 0) continue;
        return k->topo->has[node] && k->count[k->topo->dom[node]] > 0;
    }
    return false;
}

static int affinity_filter(const ks_interpod *s, uint32_t node)
{
    const ks_pod_spec *ps = s->pod.spec;
    size_t naff = ps->npod_aff[KS_AFF_REQUIRED];
    if (naff) { /* satisfyPodAffinity */
        bool exist = true;
        for (size_t t = 0; t < naff; t++) {
            const char *key = ps->pod_aff[KS_AFF_REQUIRED][t].topology_key;
            if (!ks_cluster_topology(s->c, key)->has[node]) return KS_IP_AFFINITY; /* every key must be there */
            if (!keyed_positive(&s->aff, key, node)) exist = false;
        }
        if (!exist && (s->aff_any || !s->self_affine)) return KS_IP_AFFINITY;
    }
    for (size_t t = 0; t < ps->npod_aff[KS_ANTI_REQUIRED]; t++) /* satisfyPodAntiAffinity */
        if (keyed_positive(&s->anti, ps->pod_aff[KS_ANTI_REQUIRED][t].topology_key, node)) return KS_IP_ANTI_AFFINITY;
    for (size_t i = 0; i < s->existing.n; i++) { /* satisfyExistingPodsAntiAffinity */
        const ks_ip_counts *k = &s->existing.v[i];
        if (k->topo->has[node] && k->count[k->topo->dom[node]] > 0) return KS_IP_EXISTING_ANTI;
    }
    return KS_IP_OK;
}

/* scoring.go processTerm: a matching term adds WEIGHT to the domain of the existing pod's node. */
static void pref_add(ks_interpod *s, const char *key, uint32_t node, int64_t weight)
{
    if (!ks_cluster_topology(s->c, key)->has[node]) return;
    keyed_add(s, &s->pref, key, node, weight);
    s->interpod_scoring = true; /* topologyScore has an entry */
}

/* scoring.go PreScore / processExistingPod. */
static void affinity_prescore(ks_interpod *s)
{
    ks_cluster *c = s->c;
    const ks_pod_spec *ps = s->pod.spec;
    lview self = {&ps->labels, s->pod.template_hash};
    keyed_clear(&s->pref);
    s->interpod_scoring = false;
    if (!s->prof->interpod_weight) return;
    bool has_constraints = ps->npod_aff[KS_AFF_PREFERRED] || ps->npod_aff[KS_ANTI_PREFERRED];
    if (s->prof->ignore_preferred_terms_of_existing_pods && !has_constraints) return;
    /* The pod's preferred terms against every existing pod (through the classes). */
    for (int list = KS_AFF_PREFERRED; list <= KS_ANTI_PREFERRED; list += KS_ANTI_PREFERRED - KS_AFF_PREFERRED) {
        int64_t sign = list == KS_AFF_PREFERRED ? 1 : -1;
        for (size_t t = 0; t < ps->npod_aff[list]; t++) {
            const ks_pod_affinity_term *term = &ps->pod_aff[list][t];
            size_t n = term_classes(s, term, 1, &self);
            size_t m = gather(s, s->classes, n, true);
            for (size_t j = 0; j < m; j++)
                if (c->nodes.spec[s->gnode[j]].labels.n)
                    pref_add(s, term->topology_key, s->gnode[j], sign * s->gcount[j] * term->weight);
        }
    }
    /* The existing pods' terms against the pod. */
    for (size_t i = 0; i < c->naff_pods; i++) {
        uint32_t pod = c->aff_pods[i];
        const ks_pod *p = &c->pods[pod];
        const ks_pod_spec *es = p->spec;
        if (!c->nodes.spec[p->node].labels.n) continue;
        lview owner = pod_view(c, pod);
        if (s->prof->hard_pod_affinity_weight > 0)
            for (size_t t = 0; t < es->npod_aff[KS_AFF_REQUIRED]; t++) {
                const ks_pod_affinity_term *term = &es->pod_aff[KS_AFF_REQUIRED][t];
                if (term_matches(term, es->namespace, &owner, ps->namespace, &self))
                    pref_add(s, term->topology_key, p->node, s->prof->hard_pod_affinity_weight);
            }
        for (int list = KS_AFF_PREFERRED; list <= KS_ANTI_PREFERRED; list += KS_ANTI_PREFERRED - KS_AFF_PREFERRED)
            for (size_t t = 0; t < es->npod_aff[list]; t++) {
                const ks_pod_affinity_term *term = &es->pod_aff[list][t];
                if (term_matches(term, es->namespace, &owner, ps->namespace, &self))
                    pref_add(s, term->topology_key, p->node, (list == KS_AFF_PREFERRED ? 1 : -1) * (int64_t)term->weight);
            }
    }
}

bool ks_interpod_may_score(const ks_interpod *s)
{
    const ks_pod_spec *ps = s->pod.spec;
    if (s->prof->spread_weight && (ps->nspread || !default_sel(&s->pod).nothing)) return true;
    if (!s->prof->interpod_weight) return false;
    if (ps->npod_aff[KS_AFF_PREFERRED] || ps->npod_aff[KS_ANTI_PREFERRED]) return true;
    return !s->prof->ignore_preferred_terms_of_existing_pods && s->c->naff_pods > 0;
}

int64_t ks_interpod_affinity_score(const ks_interpod *s, uint32_t node)
{
    int64_t score = 0;
    for (size_t i = 0; i < s->pref.n; i++) {
        const ks_ip_counts *k = &s->pref.v[i];
        if (k->topo->has[node]) score += k->count[k->topo->dom[node]];
    }
    return score;
}

void ks_interpod_affinity_normalize(const int64_t *raw, int64_t *out, uint32_t n)
{
    int64_t min = INT64_MAX, max = INT64_MIN;
    for (uint32_t k = 0; k < n; k++) {
        if (raw[k] > max) max = raw[k];
        if (raw[k] < min) min = raw[k];
    }
    int64_t diff = max - min;
    for (uint32_t k = 0; k < n; k++) {
        double f = 0;
        if (diff > 0) f = (double)100 * ((double)(raw[k] - min) / (double)diff);
        out[k] = (int64_t)f;
    }
}

/* ---------------------------------------------------------------- the cycle */

void ks_interpod_prefilter(ks_interpod *s, ks_cluster *c, const ks_sched_profile *prof, const ks_sched_pod *pod)
{
    if (!mem_ip) mem_ip = ks_mem_purpose("scheduler");
    s->c = c;
    s->prof = prof;
    s->pod = *pod;
    s->spread_scoring = s->interpod_scoring = false;
    spread_prefilter(s);
    affinity_prefilter(s);
}

int ks_interpod_filter(const ks_interpod *s, uint32_t node)
{
    int r = s->spread_filtering ? spread_filter(s, node) : KS_IP_OK;
    if (r == KS_IP_OK && s->interpod_filtering) r = affinity_filter(s, node);
    return r;
}

void ks_interpod_prescore(ks_interpod *s, const uint32_t *feasible, uint32_t nfeasible)
{
    spread_prescore(s, feasible, nfeasible);
    affinity_prescore(s);
}

static void spreads_free(ks_ip_spreads *l)
{
    for (size_t i = 0; i < l->cap; i++) {
        ks_free(l->v[i].classes);
        counts_free(&l->v[i].counts);
    }
    ks_free(l->v);
}

static void keyed_free(ks_ip_keyed *l)
{
    for (size_t i = 0; i < l->cap; i++) counts_free(&l->v[i]);
    ks_free(l->v);
}

void ks_interpod_free(ks_interpod *s)
{
    spreads_free(&s->filter);
    spreads_free(&s->score);
    keyed_free(&s->aff);
    keyed_free(&s->anti);
    keyed_free(&s->existing);
    keyed_free(&s->pref);
    ks_free(s->ignored);
    ks_free(s->classes);
    ks_free(s->gnode);
    ks_free(s->gcount);
    memset(s, 0, sizeof *s);
}
