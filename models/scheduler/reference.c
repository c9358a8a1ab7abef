/* reference.c — see reference.h. Every rule below names the upstream file it restates (kubernetes
 * v1.31; plugin paths under pkg/scheduler/framework/plugins/). Written for clarity, not speed. */
#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"

enum { REF_MAX_SCORE = 100 }; /* framework/interface.go MaxNodeScore */
enum { REF_MAX_EXT = 16, REF_MAX_IMAGES = 32 };

/* What PreFilter and PreScore derive from the pod, recomputed on every call. */
typedef struct ref_pod {
    /* pkg/api/v1/resource/helpers.go PodRequests: per resource, max(sum of the app containers,
     * max of the init containers) + overhead. */
    int64_t cpu, mem, eph;
    /* The same with NonMissingContainerRequests (noderesources/resource_allocation.go
     * calculatePodResourceRequest): a container without a cpu / memory key counts 100m / 200Mi
     * (pkg/scheduler/util/pod_resources.go). */
    int64_t nz_cpu, nz_mem;
    const char *ext_name[REF_MAX_EXT];
    int64_t ext[REF_MAX_EXT];
    int next;
    /* imagelocality/image_locality.go: each container's normalised image, how many nodes have it. */
    char image[REF_MAX_IMAGES][256];
    int64_t image_nodes[REF_MAX_IMAGES];
    int nimages, ncontainers;
} ref_pod;

static int64_t max_i64(int64_t a, int64_t b) { return a > b ? a : b; }

static void ref_add_ext(ref_pod *rp, const char *name, int64_t v, bool init)
{
    int k = 0;
    while (k < rp->next && strcmp(rp->ext_name[k], name) != 0) k++;
    if (k == rp->next) {
        if (rp->next == REF_MAX_EXT) return;
        rp->ext_name[rp->next] = name;
        rp->ext[rp->next++] = 0;
    }
    rp->ext[k] = init ? max_i64(rp->ext[k], v) : rp->ext[k] + v;
}

/* imagelocality/image_locality.go normalizedImageName: ":latest" when the last ':' does not come
 * after the last '/'. */
static void ref_normalize_image(const char *image, char *out, size_t size)
{
    const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
    long ci = colon ? colon - image : -1, si = slash ? slash - image : -1;
    snprintf(out, size, ci <= si ? "%s:latest" : "%s", image);
}

static int64_t ref_node_image_bytes(const ks_cluster *c, uint32_t node, const char *name)
{
    for (uint32_t k = 0; k < c->nodes.nimages[node]; k++)
        if (strcmp(c->images[c->nodes.images[node][k]], name) == 0) return c->nodes.image_sizes[node][k];
    return -1;
}

static void ref_pod_init(const ks_cluster *c, const ks_pod_spec *ps, ref_pod *rp)
{
    memset(rp, 0, sizeof *rp);
    int64_t cpu = 0, mem = 0, eph = 0, nz_cpu = 0, nz_mem = 0;
    for (size_t i = 0; i < ps->ncontainers; i++) {
        const ks_container *ct = &ps->containers[i];
        cpu += ct->cpu_milli;
        mem += ct->mem_bytes;
        eph += ct->eph_bytes;
        nz_cpu += ct->cpu_set ? ct->cpu_milli : KS_DEFAULT_MILLI_CPU_REQUEST;
        nz_mem += ct->mem_set ? ct->mem_bytes : KS_DEFAULT_MEMORY_REQUEST;
        for (int k = 0; k < ct->next; k++) ref_add_ext(rp, ct->ext[k].name, ct->ext[k].value, false);
    }
    for (size_t i = 0; i < ps->ninit; i++) {
        const ks_container *ct = &ps->init_containers[i];
        cpu = max_i64(cpu, ct->cpu_milli);
        mem = max_i64(mem, ct->mem_bytes);
        eph = max_i64(eph, ct->eph_bytes);
        nz_cpu = max_i64(nz_cpu, ct->cpu_set ? ct->cpu_milli : KS_DEFAULT_MILLI_CPU_REQUEST);
        nz_mem = max_i64(nz_mem, ct->mem_set ? ct->mem_bytes : KS_DEFAULT_MEMORY_REQUEST);
        for (int k = 0; k < ct->next; k++) ref_add_ext(rp, ct->ext[k].name, ct->ext[k].value, true);
    }
    rp->cpu = cpu + ps->overhead_cpu_milli;
    rp->mem = mem + ps->overhead_mem_bytes;
    rp->eph = eph;
    rp->nz_cpu = nz_cpu + ps->overhead_cpu_milli;
    rp->nz_mem = nz_mem + ps->overhead_mem_bytes;
    /* sumImageScores walks the init containers, then the app containers. */
    rp->ncontainers = (int)(ps->ninit + ps->ncontainers);
    for (size_t i = 0; i < ps->ninit + ps->ncontainers && rp->nimages < REF_MAX_IMAGES; i++) {
        const ks_container *ct = i < ps->ninit ? &ps->init_containers[i] : &ps->containers[i - ps->ninit];
        char *name = rp->image[rp->nimages];
        ref_normalize_image(ct->image ? ct->image : "", name, sizeof rp->image[0]);
        for (uint32_t n = 0; n < c->nodes.n; n++) rp->image_nodes[rp->nimages] += ref_node_image_bytes(c, n, name) >= 0;
        rp->nimages++;
    }
}

/* ------------------------------------------------------------------ filters */

/* k8s.io/api/core/v1 toleration.go ToleratesTaint: a non-empty effect must equal the taint's, a
 * non-empty key must equal it, then Exists matches any value and Equal (or "") compares values. */
static bool ref_tolerates(const ks_toleration *t, const char *key, const char *value, int effect)
{
    if (t->effect >= 0 && t->effect != effect) return false;
    if (t->key && t->key[0] && strcmp(t->key, key) != 0) return false;
    if (t->op == KS_TOL_EXISTS) return true;
    return strcmp(t->value ? t->value : "", value) == 0;
}

static bool ref_tolerated(const ks_toleration *tols, size_t n, const ks_taint *taint)
{
    for (size_t i = 0; i < n; i++)
        if (ref_tolerates(&tols[i], taint->key, taint->value, (int)taint->effect)) return true;
    return false;
}

/* Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits, within int64. */
static bool ref_parse_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (*s == '+' || *s == '-') s++;
    if (!*s) return false;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go, with the operators of
 * k8s.io/apimachinery/pkg/labels/selector.go Requirement.Matches: NotIn and DoesNotExist match a
 * missing label; Gt and Lt need an integer label and an integer value. matchFields read the
 * node's metadata.name. */
static bool ref_requirement(const ks_node_requirement *r, const ks_node_spec *node)
{
    const char *v = r->field ? node->name : ks_labels_get(&node->labels, r->key);
    bool found = false;
    for (size_t i = 0; v && i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0) found = true;
    int64_t have, want;
    switch (r->op) {
    case KS_SEL_IN: return v && found;
    case KS_SEL_NOT_IN: return !v || !found;
    case KS_SEL_EXISTS: return v != NULL;
    case KS_SEL_DOES_NOT_EXIST: return v == NULL;
    case KS_SEL_GT:
        return v && r->nvalues == 1 && ref_parse_int(v, &have) && ref_parse_int(r->values[0], &want) && have > want;
    case KS_SEL_LT:
        return v && r->nvalues == 1 && ref_parse_int(v, &have) && ref_parse_int(r->values[0], &want) && have < want;
    }
    return false;
}

/* A NodeSelectorTerm ANDs its requirements; an empty term matches nothing. */
static bool ref_term(const ks_node_term *t, const ks_node_spec *node)
{
    bool all = t->n > 0;
    for (size_t i = 0; i < t->n; i++) all = all && ref_requirement(&t->reqs[i], node);
    return all;
}

/* nodeaffinity/node_affinity.go Filter: every nodeSelector label equal, and (when the pod has
 * required terms) one of the terms matching. */
static bool ref_node_affinity(const ks_pod_spec *ps, const ks_node_spec *node)
{
    for (size_t i = 0; i < ps->node_selector.n; i++) {
        const char *v = ks_labels_get(&node->labels, ps->node_selector.items[i].key);
        if (v == NULL || strcmp(v, ps->node_selector.items[i].value) != 0) return false;
    }
    if (!ps->has_required) return true;
    bool any = false;
    for (size_t i = 0; i < ps->nrequired; i++) any = any || ref_term(&ps->required_terms[i], node);
    return any;
}

/* nodeports/node_ports.go fitsPorts with framework/types.go HostPortInfo.CheckConflict: the app
 * containers' host ports; an empty address is 0.0.0.0, which conflicts with every address of the
 * same protocol and port; otherwise the same address, or a 0.0.0.0 in use, conflicts. */
static bool ref_ports_fit(const ks_cluster *c, uint32_t node, const ks_pod_spec *ps)
{
    for (size_t k = 0; k < ps->ncontainers; k++)
        for (int j = 0; j < ps->containers[k].nhost_ports; j++) {
            const ks_host_port *want = &ps->containers[k].host_ports[j];
            const char *want_ip = want->host_ip[0] ? want->host_ip : "0.0.0.0";
            for (uint32_t q = 0; q < c->nodes.nports[node]; q++) {
                const ks_host_port *used = &c->nodes.ports[node][q];
                const char *used_ip = used->host_ip[0] ? used->host_ip : "0.0.0.0";
                if (used->port != want->port || used->protocol != want->protocol) continue;
                if (!strcmp(want_ip, "0.0.0.0") || !strcmp(used_ip, "0.0.0.0") || !strcmp(want_ip, used_ip))
                    return false;
            }
        }
    return true;
}

static int64_t ref_node_ext_alloc(const ks_cluster *c, uint32_t node, const char *name)
{
    const ks_node_spec *s = &c->nodes.spec[node];
    for (int k = 0; k < s->next; k++)
        if (strcmp(s->ext[k].name, name) == 0) return s->ext[k].value;
    return 0;
}

static int64_t ref_node_ext_requested(const ks_cluster *c, uint32_t node, const char *name)
{
    int id = ks_cluster_find_ext(c, name);
    return id < 0 ? 0 : c->nodes.ext_req[(size_t)node * KS_MAX_EXT_CLUSTER + (size_t)id];
}

static void ref_reason(ks_explain_node *e, const char *fmt, const char *arg1, const char *arg2)
{
    if (e->nreasons < 8) snprintf(e->reasons[e->nreasons++], sizeof e->reasons[0], fmt, arg1, arg2);
}

/* kubesim's MaxPerNode filter (kubesim.io/max-per-node; no upstream plugin), stated plainly: walk
 * the node's assigned pods and count those in the pod's namespace with its app label; refuse the
 * node when they number max_per_node or more. Returns whether the node passes. */
static bool ref_max_per_node(const ks_cluster *c, const ks_pod_spec *ps, uint32_t i, ks_explain_node *e)
{
    const char *app = ks_labels_get(&ps->labels, KS_APP_LABEL);
    if (ps->max_per_node <= 0 || !app) return true;
    int64_t count = 0;
    for (uint32_t q = c->nodes.pod_head[i]; q != KS_NONE; q = c->pods[q].node_next) {
        const ks_pod_spec *qs = c->pods[q].spec;
        const char *qa = ks_labels_get(&qs->labels, KS_APP_LABEL);
        count += qa && !strcmp(qa, app) && !strcmp(qs->namespace ? qs->namespace : "", ps->namespace ? ps->namespace : "");
    }
    if (count < ps->max_per_node) return true;
    ref_reason(e, "node(s) had the maximum pods of the app (kubesim.io/max-per-node)", "", "");
    return false;
}

/* framework/runtime/framework.go RunFilterPlugins: the default profile's filter order, the first
 * failing plugin's reasons only (kubesim's MaxPerNode after NodeResourcesFit). Returns whether
 * the node is feasible. */
static bool ref_filter(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, const ref_pod *rp,
                       uint32_t i, ks_explain_node *e)
{
    const ks_node_spec *node = &c->nodes.spec[i];
    /* nodeunschedulable/node_unschedulable.go: unless the pod tolerates
     * node.kubernetes.io/unschedulable:NoSchedule. */
    if (prof->unschedulable_filter && node->unschedulable) {
        ks_taint t = {(char *)"node.kubernetes.io/unschedulable", (char *)"", KS_NO_SCHEDULE};
        if (!ref_tolerated(ps->tolerations, ps->ntolerations, &t)) {
            ref_reason(e, "node(s) were unschedulable", "", "");
            return false;
        }
    }
    /* nodename/node_name.go: spec.nodeName, when set, must be this node. */
    if (prof->node_name_filter && ps->node_name && ps->node_name[0] && strcmp(ps->node_name, node->name) != 0) {
        ref_reason(e, "node(s) didn't match the requested node name", "", "");
        return false;
    }
    /* tainttoleration/taint_toleration.go Filter: the first NoSchedule / NoExecute taint not
     * tolerated (v1helper.FindMatchingUntoleratedTaint). */
    if (prof->taint_filter)
        for (size_t k = 0; k < node->ntaints; k++) {
            const ks_taint *t = &node->taints[k];
            if (t->effect == KS_PREFER_NO_SCHEDULE || ref_tolerated(ps->tolerations, ps->ntolerations, t)) continue;
            ref_reason(e, "node(s) had untolerated taint {%s: %s}", t->key, t->value);
            return false;
        }
    if (prof->affinity_filter && !ref_node_affinity(ps, node)) {
        ref_reason(e, "node(s) didn't match Pod's node affinity/selector", "", "");
        return false;
    }
    if (prof->ports_filter && !ref_ports_fit(c, i, ps)) {
        ref_reason(e, "node(s) didn't have free ports for the requested pod ports", "", "");
        return false;
    }
    if (!prof->fit_filter) return ref_max_per_node(c, ps, i, e);
    /* noderesources/fit.go fitsRequest: the pod count, then cpu, memory, ephemeral-storage and
     * each scalar resource the pod asks for, every shortage reported. */
    const ks_nodes *n = &c->nodes;
    int before = e->nreasons;
    if (n->npods[i] + 1 > n->alloc_pods[i]) ref_reason(e, "Too many pods", "", "");
    if (rp->cpu > 0 && rp->cpu > n->alloc_cpu[i] - n->req_cpu[i]) ref_reason(e, "Insufficient cpu", "", "");
    if (rp->mem > 0 && rp->mem > n->alloc_mem[i] - n->req_mem[i]) ref_reason(e, "Insufficient memory", "", "");
    if (rp->eph > 0 && rp->eph > n->alloc_eph[i] - n->req_eph[i])
        ref_reason(e, "Insufficient ephemeral-storage", "", "");
    for (int k = 0; k < rp->next; k++) {
        if (rp->ext[k] == 0) continue;
        int64_t free_amount = ref_node_ext_alloc(c, i, rp->ext_name[k]) - ref_node_ext_requested(c, i, rp->ext_name[k]);
        if (rp->ext[k] > free_amount) ref_reason(e, "Insufficient %s", rp->ext_name[k], "");
    }
    return e->nreasons == before && ref_max_per_node(c, ps, i, e);
}

/* ------------------------------------------------------------------ scores */

/* One resource as resource_allocation.go hands it to a scorer: allocatable, requested (node +
 * pod) and the configured weight. */
typedef struct ref_res {
    int64_t alloc, req, weight;
} ref_res;

static int64_t ref_pod_ext(const ref_pod *rp, const char *name)
{
    for (int k = 0; k < rp->next; k++)
        if (strcmp(rp->ext_name[k], name) == 0) return rp->ext[k];
    return 0;
}

/* resource_allocation.go calculateResourceAllocatableRequest: cpu and memory from
 * NonZeroRequested (useRequested false) or Requested; an extended resource the pod does not ask
 * for is (0, 0); a resource with allocatable 0 is left out (score skips it). */
static int ref_rows(const ks_cluster *c, uint32_t i, const ref_pod *rp, bool use_requested, int64_t w_cpu,
                    int64_t w_mem, const ks_score_ext *ext, int next, ref_res *out)
{
    const ks_nodes *n = &c->nodes;
    int m = 0;
    if (w_cpu > 0)
        out[m++] = (ref_res){n->alloc_cpu[i], use_requested ? n->req_cpu[i] + rp->cpu : n->nz_cpu[i] + rp->nz_cpu, w_cpu};
    if (w_mem > 0)
        out[m++] = (ref_res){n->alloc_mem[i], use_requested ? n->req_mem[i] + rp->mem : n->nz_mem[i] + rp->nz_mem, w_mem};
    for (int k = 0; k < next; k++) {
        int64_t want = ref_pod_ext(rp, ext[k].name);
        if (want == 0) continue;
        out[m++] = (ref_res){ref_node_ext_alloc(c, i, ext[k].name),
                             ref_node_ext_requested(c, i, ext[k].name) + want, ext[k].weight};
    }
    int kept = 0;
    for (int k = 0; k < m; k++)
        if (out[k].alloc != 0) out[kept++] = out[k];
    return kept;
}

/* plugins/helper/shape_score.go BuildBrokenLinearFunction over the shape scaled by
 * MaxNodeScore / MaxCustomPriorityScore = 10 (requested_to_capacity_ratio.go). */
static int64_t ref_shape(const ks_sched_profile *prof, int64_t p)
{
    for (int i = 0; i < prof->nshape; i++) {
        int64_t ui = prof->shape_util[i], si = 10 * (int64_t)prof->shape_score[i];
        if (p > ui) continue;
        if (i == 0) return si;
        int64_t up = prof->shape_util[i - 1], sp = 10 * (int64_t)prof->shape_score[i - 1];
        return sp + (si - sp) * (p - up) / (ui - up);
    }
    return 10 * (int64_t)prof->shape_score[prof->nshape - 1];
}

static int64_t ref_fit_score(const ks_sched_profile *prof, const ref_res *r, int m)
{
    int64_t sum = 0, weights = 0;
    for (int k = 0; k < m; k++) {
        int64_t s;
        switch (prof->fit_strategy) {
        case KS_FIT_LEAST_ALLOCATED: /* least_allocated.go leastRequestedScore */
            s = r[k].req > r[k].alloc ? 0 : (r[k].alloc - r[k].req) * REF_MAX_SCORE / r[k].alloc;
            break;
        case KS_FIT_MOST_ALLOCATED: /* most_allocated.go mostRequestedScore */
            s = (r[k].req > r[k].alloc ? r[k].alloc : r[k].req) * REF_MAX_SCORE / r[k].alloc;
            break;
        default: /* requested_to_capacity_ratio.go: a resource scoring 0 leaves both sums */
            s = ref_shape(prof, r[k].req > r[k].alloc ? 100 : r[k].req * 100 / r[k].alloc);
            if (s <= 0) continue;
            break;
        }
        sum += s * r[k].weight;
        weights += r[k].weight;
    }
    if (weights == 0) return 0;
    if (prof->fit_strategy == KS_FIT_REQUESTED_TO_CAPACITY_RATIO)
        return (int64_t)round((double)sum / (double)weights); /* math.Round: half away from zero */
    return sum / weights;
}

/* balanced_allocation.go balancedResourceScorer. */
static int64_t ref_balanced_score(const ref_res *r, int m)
{
    double f[KS_MAX_SCORE_RES + REF_MAX_EXT], total = 0;
    for (int k = 0; k < m; k++) {
        f[k] = (double)r[k].req / (double)r[k].alloc;
        if (f[k] > 1) f[k] = 1;
        total += f[k];
    }
    double std = 0;
    if (m == 2) {
        std = fabs((f[0] - f[1]) / 2);
    } else if (m > 2) {
        double mean = total / (double)m, sum = 0;
        for (int k = 0; k < m; k++) sum = sum + (f[k] - mean) * (f[k] - mean);
        std = sqrt(sum / (double)m);
    }
    return (int64_t)((1 - std) * (double)REF_MAX_SCORE);
}

/* tainttoleration/taint_toleration.go Score: PreferNoSchedule taints that none of the pod's
 * tolerations with effect "" or PreferNoSchedule tolerate. */
static int64_t ref_taint_score(const ks_pod_spec *ps, const ks_node_spec *node)
{
    ks_toleration tols[64];
    size_t nt = 0;
    for (size_t k = 0; k < ps->ntolerations && nt < 64; k++)
        if (ps->tolerations[k].effect < 0 || ps->tolerations[k].effect == KS_PREFER_NO_SCHEDULE)
            tols[nt++] = ps->tolerations[k];
    int64_t count = 0;
    for (size_t k = 0; k < node->ntaints; k++)
        if (node->taints[k].effect == KS_PREFER_NO_SCHEDULE && !ref_tolerated(tols, nt, &node->taints[k])) count++;
    return count;
}

/* nodeaffinity/node_affinity.go Score: the weights of the preferred terms that match. */
static int64_t ref_affinity_score(const ks_pod_spec *ps, const ks_node_spec *node)
{
    int64_t sum = 0;
    for (size_t k = 0; k < ps->npreferred; k++)
        if (ps->preferred[k].weight != 0 && ref_term(&ps->preferred[k].term, node)) sum += ps->preferred[k].weight;
    return sum;
}

/* imagelocality/image_locality.go: sumImageScores with scaledImageScore
 * int64(float64(size) * (float64(numNodes) / float64(totalNumNodes))), then calculatePriority. */
static int64_t ref_image_score(const ks_cluster *c, const ref_pod *rp, uint32_t i)
{
    const int64_t mib = 1024 * 1024, min_threshold = 23 * mib;
    int64_t max_threshold = 1000 * mib * rp->ncontainers, sum = 0;
    for (int k = 0; k < rp->nimages; k++) {
        int64_t bytes = ref_node_image_bytes(c, i, rp->image[k]);
        if (bytes < 0) continue;
        double spread = (double)rp->image_nodes[k] / (double)c->nodes.n;
        sum += (int64_t)((double)bytes * spread);
    }
    if (sum < min_threshold) sum = min_threshold;
    else if (sum > max_threshold) sum = max_threshold;
    if (max_threshold == min_threshold) return 0;
    return REF_MAX_SCORE * (sum - min_threshold) / (max_threshold - min_threshold);
}

/* The plugin's weight for this pod: 0 when disabled, and NodeAffinity's PreScore returns Skip for a
 * pod without preferred terms (node_affinity.go PreScore). */
static int64_t ref_weight(const ks_sched_profile *prof, const ks_pod_spec *ps, int plugin)
{
    switch (plugin) {
    case KS_PLUGIN_TAINT: return prof->taint_weight;
    case KS_PLUGIN_AFFINITY: return ps->npreferred > 0 ? prof->affinity_weight : 0;
    case KS_PLUGIN_FIT: return prof->fit_weight;
    case KS_PLUGIN_BALANCED: return prof->balanced_weight;
    default: return prof->image_weight;
    }
}

static void ref_score(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, const ref_pod *rp,
                      uint32_t i, ks_explain_node *e)
{
    ref_res r[KS_MAX_SCORE_RES + REF_MAX_EXT];
    const ks_node_spec *node = &c->nodes.spec[i];
    if (ref_weight(prof, ps, KS_PLUGIN_FIT)) {
        int m = ref_rows(c, i, rp, false, prof->fit_cpu_weight, prof->fit_mem_weight, prof->fit_ext, prof->nfit_ext, r);
        e->raw[KS_PLUGIN_FIT] = ref_fit_score(prof, r, m);
    }
    if (ref_weight(prof, ps, KS_PLUGIN_BALANCED)) {
        int m = ref_rows(c, i, rp, true, prof->bal_cpu, prof->bal_mem, prof->bal_ext, prof->nbal_ext, r);
        e->raw[KS_PLUGIN_BALANCED] = ref_balanced_score(r, m);
    }
    if (ref_weight(prof, ps, KS_PLUGIN_TAINT)) e->raw[KS_PLUGIN_TAINT] = ref_taint_score(ps, node);
    if (ref_weight(prof, ps, KS_PLUGIN_AFFINITY)) e->raw[KS_PLUGIN_AFFINITY] = ref_affinity_score(ps, node);
    if (ref_weight(prof, ps, KS_PLUGIN_IMAGE)) e->raw[KS_PLUGIN_IMAGE] = ref_image_score(c, rp, i);
}

/* plugins/helper/normalize_score.go DefaultNormalizeScore over the scored nodes E[IDX[0..N)]. */
static void ref_normalize(ks_explain_node *e, const uint32_t *idx, size_t n, int plugin, bool reverse)
{
    int64_t max = 0;
    for (size_t k = 0; k < n; k++) max = max_i64(max, e[idx[k]].raw[plugin]);
    for (size_t k = 0; k < n; k++) {
        int64_t *s = &e[idx[k]].normalized[plugin];
        if (max == 0) {
            *s = reverse ? REF_MAX_SCORE : e[idx[k]].raw[plugin];
            continue;
        }
        *s = REF_MAX_SCORE * e[idx[k]].raw[plugin] / max;
        if (reverse) *s = REF_MAX_SCORE - *s;
    }
}

/* framework/runtime/framework.go RunScorePlugins: score, NormalizeScore (TaintToleration reversed,
 * NodeAffinity), then weighted sums. */
static void ref_prioritize(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, const ref_pod *rp,
                           ks_explain_node *e, const uint32_t *idx, size_t n)
{
    for (size_t k = 0; k < n; k++) ref_score(c, prof, ps, rp, idx[k], &e[idx[k]]);
    for (size_t k = 0; k < n; k++)
        for (int p = 0; p < KS_PLUGIN_COUNT; p++) e[idx[k]].normalized[p] = e[idx[k]].raw[p];
    if (ref_weight(prof, ps, KS_PLUGIN_TAINT)) ref_normalize(e, idx, n, KS_PLUGIN_TAINT, true);
    if (ref_weight(prof, ps, KS_PLUGIN_AFFINITY)) ref_normalize(e, idx, n, KS_PLUGIN_AFFINITY, false);
    for (size_t k = 0; k < n; k++) {
        ks_explain_node *x = &e[idx[k]];
        x->total = 0;
        for (int p = 0; p < KS_PLUGIN_COUNT; p++) x->total += ref_weight(prof, ps, p) * x->normalized[p];
    }
}

int ks_ref_explain(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, ks_explain_node *out)
{
    ref_pod rp;
    ref_pod_init(c, ps, &rp);
    uint32_t *idx = ks_malloc(ks_mem_purpose("scheduler"), (c->nodes.n + 1) * sizeof *idx);
    size_t n = 0;
    for (uint32_t i = 0; i < c->nodes.n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].node = i;
        out[i].feasible = ref_filter(c, prof, ps, &rp, i, &out[i]);
        if (out[i].feasible) idx[n++] = i;
    }
    ref_prioritize(c, prof, ps, &rp, out, idx, n);
    int best = -1;
    for (size_t k = 0; k < n; k++)
        if (best < 0 || out[idx[k]].total > out[best].total) best = (int)idx[k];
    ks_free(idx);
    return best;
}

/* schedule_one.go numFeasibleNodesToFind (minFeasibleNodesToFind 100,
 * minFeasibleNodesPercentageToFind 5). */
static uint32_t ref_num_to_find(int32_t pct, uint32_t all)
{
    if (all < 100) return all;
    int64_t p = pct;
    if (p == 0) {
        p = 50 - (int64_t)all / 125;
        if (p < 5) p = 5;
    }
    int64_t num = (int64_t)all * p / 100;
    return num < 100 ? 100 : (uint32_t)num;
}

ks_select_result ks_ref_select(const ks_cluster *c, const ks_sched_profile *prof, const ks_pod_spec *ps, int32_t pct,
                               uint32_t *next_start, gsl_rng *rng)
{
    uint32_t all = (uint32_t)c->nodes.n;
    ks_select_result res = {KS_NONE, 0, 0, all};
    if (all == 0) return res;
    ref_pod rp;
    ref_pod_init(c, ps, &rp);
    ks_mem_id mem = ks_mem_purpose("scheduler");
    ks_explain_node *e = ks_malloc(mem, all * sizeof *e);
    uint32_t *feasible = ks_malloc(mem, all * sizeof *feasible);
    /* findNodesThatPassFilters: from nextStartNodeIndex, stop at numNodesToFind feasible nodes;
     * nextStartNodeIndex advances by the nodes processed. */
    uint32_t want = ref_num_to_find(pct, all);
    while (res.processed < all && res.nfeasible < want) {
        uint32_t i = (*next_start + res.processed) % all;
        memset(&e[i], 0, sizeof e[i]);
        if (ref_filter(c, prof, ps, &rp, i, &e[i])) feasible[res.nfeasible++] = i;
        res.processed++;
    }
    *next_start = (*next_start + res.processed) % all;
    if (res.nfeasible == 1) res.chosen = feasible[0]; /* schedulePod: one feasible node, no scoring */
    if (res.nfeasible > 1) {
        ref_prioritize(c, prof, ps, &rp, e, feasible, res.nfeasible);
        bool any = false; /* prioritizeNodes: without score plugins every node scores 1 */
        for (int p = 0; p < KS_PLUGIN_COUNT; p++) any = any || ref_weight(prof, ps, p) != 0;
        if (!any)
            for (uint32_t k = 0; k < res.nfeasible; k++) e[feasible[k]].total = 1;
        /* selectHost: the highest total; each further node with that total replaces the choice
         * with probability 1/count (rand.Intn(count) == 0), in the order of the list — drawn as
         * the index of the next replacement (ks_rng_reservoir_next), the same law. */
        int64_t top = INT64_MIN;
        for (uint32_t k = 0; k < res.nfeasible; k++) top = e[feasible[k]].total > top ? e[feasible[k]].total : top;
        uint64_t nties = 0, count = 0, next = 1;
        for (uint32_t k = 0; k < res.nfeasible; k++) nties += e[feasible[k]].total == top;
        for (uint32_t k = 0; k < res.nfeasible; k++) {
            if (e[feasible[k]].total != top || ++count != next) continue;
            res.chosen = feasible[k];
            if (count < nties) next = ks_rng_reservoir_next(rng, count); /* none after the last tie */
        }
    }
    ks_free(feasible);
    ks_free(e);
    return res;
}
