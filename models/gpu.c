/* gpu.c — the cluster's GPU table (cluster.h, ks_gpu_table): which GPUs of which node every pod
 * holds, in milli-GPU, as the FGD artifact (hkust-adsl/kubernetes-scheduler-simulator,
 * pkg/type/open-gpu-share) tracks them; the scheduler's GPU filter, policies and the
 * fragmentation series read it. The formulas themselves are in scheduler/gpushare.c. */
#include <string.h>

#include "alloc.h"
#include "cluster.h"

static ks_mem_id gpu_mem(void) { return ks_mem_purpose("nodes"); }

static void table_fit(ks_gpu_table *g, size_t want)
{
    if (want <= g->cap) return;
    size_t cap = g->cap ? g->cap * 2 : 64;
    while (cap < want) cap *= 2;
    g->node = g->node ? ks_realloc(g->node, cap * sizeof *g->node) : ks_malloc(gpu_mem(), cap * sizeof *g->node);
    g->frag = g->frag ? ks_realloc(g->frag, cap * sizeof *g->frag) : ks_malloc(gpu_mem(), cap * sizeof *g->frag);
    g->untracked = g->untracked ? ks_realloc(g->untracked, cap) : ks_malloc(gpu_mem(), cap);
    g->version = g->version ? ks_realloc(g->version, cap * sizeof *g->version) : ks_malloc(gpu_mem(), cap * sizeof *g->version);
    g->cap = cap;
}

/* The id of model VALUE, KS_GPU_MODEL_UNKNOWN when no node has it. */
static int find_model(const ks_gpu_table *g, const char *value)
{
    for (int k = 0; k < g->nmodels; k++)
        if (!strcmp(g->models[k], value)) return k;
    return KS_GPU_MODEL_UNKNOWN;
}

/* Interns VALUE; past KS_GPU_MODEL_UNKNOWN models the rest share the unknown id, which no pod
 * mask can name, so they are only usable by pods that allow any model. */
static int intern_model(ks_gpu_table *g, const char *value)
{
    int k = find_model(g, value);
    if (k != KS_GPU_MODEL_UNKNOWN || g->nmodels == KS_GPU_MODEL_UNKNOWN) return k;
    g->models[g->nmodels] = ks_strdup(gpu_mem(), value);
    return g->nmodels++;
}

static const char *label_of(const ks_labels *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].key, key)) return l->items[i].value;
    return NULL;
}

void ks_gpu_add_node(ks_cluster *c, uint32_t i)
{
    ks_gpu_table *g = &c->gpu;
    table_fit(g, (size_t)i + 1);
    const ks_node_spec *spec = &c->nodes.spec[i];
    int64_t gpus = 0;
    for (uint8_t k = 0; k < spec->next; k++)
        if (!strcmp(spec->ext[k].name, "nvidia.com/gpu")) gpus = spec->ext[k].value;
    ks_gpu_node *n = &g->node[i];
    memset(n, 0, sizeof *n);
    g->version[i] = 1;
    g->untracked[i] = gpus > KS_GPU_MAX;
    n->gpu_count = gpus > KS_GPU_MAX ? 0 : (int32_t)gpus;
    for (int k = 0; k < n->gpu_count; k++) n->free_milli[k] = KS_GPU_MILLI;
    n->cpu_left_milli = c->nodes.alloc_cpu[i] - c->nodes.req_cpu[i];
    const char *model = label_of(&spec->labels, KS_GPU_MODEL_LABEL);
    /* artifact pkg/utils GetNodeGpuModel: a node without GPUs has no model. */
    n->model = n->gpu_count && model ? intern_model(g, model) : KS_GPU_MODEL_NONE;
    g->capacity_milli += (int64_t)n->gpu_count * KS_GPU_MILLI;
    g->frag[i] = ks_gpu_node_frag(n, g->typical, g->ntypical);
}

/* The models a required node affinity allows: the union over its terms (ORed) of each term's
 * "KS_GPU_MODEL_LABEL In (...)" values; a term without one allows any model (0). A nodeSelector
 * on the label narrows to one model. */
static uint64_t model_mask(const ks_cluster *c, const ks_pod_spec *ps)
{
    const ks_gpu_table *g = &c->gpu;
    uint64_t mask = 0;
    for (size_t t = 0; t < ps->nrequired; t++) {
        const ks_node_term *term = &ps->required_terms[t];
        uint64_t m = 0;
        for (size_t r = 0; r < term->n; r++) {
            const ks_node_requirement *req = &term->reqs[r];
            if (req->op != KS_SEL_IN || strcmp(req->key, KS_GPU_MODEL_LABEL)) continue;
            for (size_t v = 0; v < req->nvalues; v++) m |= 1ull << find_model(g, req->values[v]);
        }
        if (!m) return 0; /* this term lets any model through */
        mask |= m;
    }
    const char *sel = label_of(&ps->node_selector, KS_GPU_MODEL_LABEL);
    if (sel) {
        uint64_t one = 1ull << find_model(g, sel);
        mask = mask ? (mask & one ? one : 1ull << KS_GPU_MODEL_UNKNOWN) : one;
    }
    return mask;
}

ks_gpu_pod ks_gpu_pod_of(const ks_cluster *c, const ks_pod_spec *ps)
{
    ks_gpu_pod p = {.cpu_milli = ps->req_cpu_milli};
    if (ps->gpu_milli > 0 && ps->gpu_count > 0) {
        p.gpu_count = ps->gpu_count;
        p.gpu_milli = ps->gpu_milli;
    } else {
        for (uint8_t k = 0; k < ps->next_req; k++)
            if (!strcmp(ps->ext_req[k].name, "nvidia.com/gpu") && ps->ext_req[k].value > 0) {
                p.gpu_count = (int32_t)(ps->ext_req[k].value > KS_GPU_MAX ? KS_GPU_MAX + 1 : ps->ext_req[k].value);
                p.gpu_milli = KS_GPU_MILLI;
            }
    }
    if (p.gpu_count && (ps->nrequired || ps->node_selector.n)) p.model_mask = model_mask(c, ps);
    return p;
}

void ks_gpu_account(ks_cluster *c, uint32_t pod, int sign)
{
    ks_gpu_table *g = &c->gpu;
    ks_pod *p = &c->pods[pod];
    uint32_t i = p->node;
    if (i == KS_NONE || i >= c->nodes.n || !g->node) return;
    ks_gpu_node *n = &g->node[i];
    ks_gpu_pod gp = ks_gpu_pod_of(c, p->spec);
    if (sign > 0) {
        /* A pod the scheduler did not place (spec.nodeName) takes the best-fit GPUs; one that
         * does not fit holds none (the kubelet's device plugin would refuse it; not modelled). */
        if (!p->gpu_mask && gp.gpu_count && n->gpu_count) p->gpu_mask = ks_gpu_pick_best_fit(n, &gp);
        if (!p->gpu_mask) gp.gpu_count = gp.gpu_milli = 0; /* its cpu still counts */
        ks_gpu_node_assume(n, &gp, p->gpu_mask);
    } else {
        if (!p->gpu_mask) gp.gpu_count = gp.gpu_milli = 0;
        ks_gpu_node_release(n, &gp, p->gpu_mask);
    }
    g->used_milli += sign * (int64_t)__builtin_popcount(p->gpu_mask) * gp.gpu_milli;
    g->version[i]++;
    if (g->ntypical) g->frag[i] = ks_gpu_node_frag(n, g->typical, g->ntypical);
}

void ks_gpu_set_typical(ks_cluster *c, const ks_gpu_pod *pods, size_t n)
{
    ks_gpu_table *g = &c->gpu;
    ks_free(g->typical);
    /* artifact pkg/simulator/core.go: typical pods cover 95 % of the original pods. */
    g->typical = n ? ks_gpu_typical_pods(pods, n, 95.0, &g->ntypical) : NULL;
    if (!n) g->ntypical = 0;
    for (size_t i = 0; i < c->nodes.n; i++) {
        g->frag[i] = ks_gpu_node_frag(&g->node[i], g->typical, g->ntypical);
        g->version[i]++;
    }
}

double ks_gpu_cluster_frag_milli(const ks_cluster *c)
{
    double sum = 0;
    for (size_t i = 0; i < c->nodes.n; i++) sum += c->gpu.frag[i];
    return sum;
}

void ks_gpu_free(ks_gpu_table *g)
{
    ks_free(g->node);
    ks_free(g->frag);
    ks_free(g->untracked);
    ks_free(g->version);
    for (int k = 0; k < g->nmodels; k++) ks_free(g->models[k]);
    ks_free(g->typical);
    memset(g, 0, sizeof *g);
}
