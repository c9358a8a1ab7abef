/* endpointslice.c — see endpointslice.h. */
#include "endpointslice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "kubeproxy.h"
#include "world.h"

static ks_mem_id mem_eps;

/* Event args of the pod informer: the change's time in the low 58 bits, flags above. */
#define SEEN_TIME_MASK (((uint64_t)1 << 58) - 1)
#define SEEN_IS_EP ((uint64_t)1 << 58)
#define SEEN_CHANGE ((uint64_t)1 << 59)
#define SEEN_COND_SHIFT 60

static bool proxied(const ks_service_spec *s) { return !s->headless && !s->external_name; }

/* ---- which Services select a pod: per pod label class, computed once */

static bool selects(const ks_service_spec *s, const ks_pod_class *k)
{
    if (!s->has_selector || s->external_name || strcmp(s->namespace, k->namespace) != 0) return false;
    for (size_t i = 0; i < s->selector.n; i++) {
        const char *v = ks_pod_class_label(k, s->selector.items[i].key);
        if (!v || strcmp(v, s->selector.items[i].value) != 0) return false;
    }
    return true;
}

static void classes_fit(ks_eps *e)
{
    const ks_cluster *c = &e->w->cluster;
    if (e->nclasses_done == c->nclasses) return;
    size_t cap = e->classes_cap;
    ks_grow(mem_eps, (void **)&e->class_first, &cap, c->nclasses, sizeof *e->class_first);
    cap = e->classes_cap;
    ks_grow(mem_eps, (void **)&e->class_count, &cap, c->nclasses, sizeof *e->class_count);
    e->classes_cap = cap;
    for (size_t k = e->nclasses_done; k < c->nclasses; k++) {
        e->class_first[k] = (uint32_t)e->nclass_svcs;
        e->class_count[k] = 0;
        for (uint32_t s = 0; s < e->nservices; s++) {
            if (!selects(e->services[s].spec, &c->classes[k])) continue;
            ks_grow(mem_eps, (void **)&e->class_svcs, &e->class_svcs_cap, e->nclass_svcs + 1, sizeof *e->class_svcs);
            e->class_svcs[e->nclass_svcs++] = s;
            e->class_count[k]++;
        }
    }
    e->nclasses_done = c->nclasses;
}

static void pods_fit(ks_eps *e, size_t need)
{
    if (need <= e->pods_cap) return;
    size_t cap = e->pods_cap ? e->pods_cap : 1024;
    while (cap < need) cap *= 2;
    if (!e->pods_cap) {
        e->pod_ready = ks_malloc(mem_eps, cap);
        e->pod_ep_ready = ks_malloc(mem_eps, cap);
        e->pod_state = ks_malloc(mem_eps, cap);
    } else {
        e->pod_ready = ks_realloc(e->pod_ready, cap);
        e->pod_ep_ready = ks_realloc(e->pod_ep_ready, cap);
        e->pod_state = ks_realloc(e->pod_state, cap);
    }
    memset(e->pod_ready + e->pods_cap, 0, cap - e->pods_cap);
    memset(e->pod_ep_ready + e->pods_cap, 0, cap - e->pods_cap);
    memset(e->pod_state + e->pods_cap, 0, cap - e->pods_cap);
    e->pods_cap = cap;
}

/* ---- the pod informer */

void ks_eps_pod_changed(ks_eps *e, uint32_t pod, bool ready, bool keep)
{
    if (!e || !e->nservices) return;
    ks_world *w = e->w;
    const ks_pod *p = &w->cluster.pods[pod];
    pods_fit(e, (size_t)pod + 1);
    if (!keep) e->pod_ready[pod] = ready;
    /* ShouldPodBeInEndpoints(pod, includeTerminating=true) (staging/src/k8s.io/endpointslice/util/
     * controller_utils.go): not terminal, and it has an IP (the kubelet has reported its status);
     * podToEndpoint (staging/src/k8s.io/endpointslice/utils.go) sets the conditions. */
    bool is_ep = p->node != KS_NONE && p->running != KS_NEVER && p->deleted == KS_NEVER &&
                 p->phase != KS_PHASE_SUCCEEDED && p->phase != KS_PHASE_FAILED;
    uint8_t cond = 0;
    if (is_ep) {
        if (e->pod_ready[pod]) cond |= KS_EP_SERVING;
        if (p->terminating) cond |= KS_EP_TERMINATING;
        else if (e->pod_ready[pod]) cond |= KS_EP_READY;
    }
    ks_time now = ks_sim_now(w->sim);
    uint64_t flags = is_ep ? SEEN_IS_EP : 0;
    uint8_t ep_ready = (cond & KS_EP_READY) != 0;
    if (ep_ready != e->pod_ep_ready[pod]) {
        e->pod_ep_ready[pod] = ep_ready;
        flags |= SEEN_CHANGE;
    }
    /* podEndpointsChanged (pkg/controller/endpointslice/endpointslice_controller.go updatePod):
     * an update that changes nothing endpoints show does not queue the Services. */
    uint8_t state = (uint8_t)(cond | (is_ep ? 0x80 : 0));
    if (state == e->pod_state[pod] && !(flags & SEEN_CHANGE)) return;
    e->pod_state[pod] = state;
    classes_fit(e);
    if (!e->class_count[p->pclass]) return;
    ks_time at = now + ks_world_watch(w);
    if (at < e->last_seen) at = e->last_seen;
    e->last_seen = at;
    ks_sim_at(w->sim, at, e->ev_pod_seen, pod,
              ((uint64_t)now & SEEN_TIME_MASK) | flags | ((uint64_t)cond << SEEN_COND_SHIFT));
}

void ks_endpoints_pod_ready_changed(ks_world *w, uint32_t pod, bool ready) { ks_eps_pod_changed(w->eps, pod, ready, false); }

void ks_endpoints_pod_changed(ks_world *w, uint32_t pod) { ks_eps_pod_changed(w->eps, pod, false, true); }

static uint32_t member_find(const ks_eps_service *s, uint32_t pod, bool *found)
{
    uint32_t lo = 0, hi = s->nmembers;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->members[mid].pod < pod) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < s->nmembers && s->members[lo].pod == pod;
    return lo;
}

static void enqueue(ks_eps *e, uint32_t svc)
{
    ks_eps_service *s = &e->services[svc];
    if (s->syncing) {
        s->dirty = true;
        return;
    }
    if (s->queued) return;
    s->queued = true;
    ks_sim_after(e->w->sim, e->w->timings->services.endpoint_updates_batch_period, e->ev_sync, svc, 0);
}

/* The controller's pod informer: every Service selecting the pod updates its member. */
static void on_pod_seen(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_eps *e = ctx;
    uint32_t pod = ev->target;
    bool is_ep = ev->arg & SEEN_IS_EP, change = ev->arg & SEEN_CHANGE;
    uint8_t cond = (uint8_t)(ev->arg >> SEEN_COND_SHIFT);
    ks_time t = (ks_time)(ev->arg & SEEN_TIME_MASK);
    uint32_t k = e->w->cluster.pods[pod].pclass;
    for (uint32_t i = 0; i < e->class_count[k]; i++) {
        uint32_t svc = e->class_svcs[e->class_first[k] + i];
        ks_eps_service *s = &e->services[svc];
        if (!s->live) continue;
        bool found;
        uint32_t m = member_find(s, pod, &found);
        if (!found) {
            if (!is_ep) continue;
            ks_grow(mem_eps, (void **)&s->members, &s->members_cap, s->nmembers + 1, sizeof *s->members);
            memmove(s->members + m + 1, s->members + m, (s->nmembers - m) * sizeof *s->members);
            s->members[m] = (ks_eps_member){pod, cond, 0, KS_NEVER};
            s->nmembers++;
        } else {
            s->members[m].cond = is_ep ? cond : 0;
            s->members[m].gone = !is_ep;
        }
        if (change) s->members[m].changed_at = t;
        enqueue(e, svc);
    }
}

/* ---- the reconciler (staging/src/k8s.io/endpointslice/reconciler.go) */

static ks_eps_write *new_write(ks_eps *e, ks_eps_service *s, uint32_t slice, uint8_t verb)
{
    ks_grow(mem_eps, (void **)&s->writes, &s->writes_cap, s->nwrites + 1, sizeof *s->writes);
    uint32_t max = (uint32_t)e->w->timings->services.max_endpoints_per_slice;
    ks_eps_write *wr = &s->writes[s->nwrites++];
    *wr = (ks_eps_write){.slice = slice, .verb = verb};
    wr->pods = ks_malloc(mem_eps, max * sizeof *wr->pods);
    wr->cond = ks_malloc(mem_eps, max);
    wr->changes = ks_malloc(mem_eps, 2 * (size_t)max * sizeof *wr->changes);
    return wr;
}

static void write_free(ks_eps_write *wr)
{
    ks_free(wr->pods);
    ks_free(wr->cond);
    ks_free(wr->changes);
    memset(wr, 0, sizeof *wr);
}

/* Adds member M to write WR; its pending Ready change, if it makes the endpoint ready, goes with it. */
static void add_endpoint(ks_eps_write *wr, ks_eps_member *m)
{
    wr->pods[wr->n] = m->pod;
    wr->cond[wr->n++] = m->cond;
    if (m->changed_at != KS_NEVER && (m->cond & KS_EP_READY)) wr->changes[wr->nchanges++] = m->changed_at;
    m->changed_at = KS_NEVER;
}

/* Sort write indices by endpoint count, most first (endpointSliceEndpointLen), stable. */
static void sort_by_len_desc(uint32_t *idx, uint32_t n, const uint32_t *len)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = idx[i], j = i;
        while (j > 0 && len[idx[j - 1]] < len[x]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = x;
    }
}

static void reconcile(ks_eps *e, uint32_t svc)
{
    ks_eps_service *s = &e->services[svc];
    uint32_t max = (uint32_t)e->w->timings->services.max_endpoints_per_slice;
    ks_grow(mem_eps, (void **)&e->scratch, &e->scratch_cap, s->nmembers + 1, sizeof *e->scratch);
    uint8_t *placed = (uint8_t *)e->scratch;
    memset(placed, 0, s->nmembers);
    /* 1. Existing slices: keep the endpoints still desired (with their current conditions), drop
     * the others; a slice that changed is updated, or deleted when nothing is left. */
    uint32_t nupd = 0, nunchanged = 0;
    uint32_t *unchanged = ks_malloc(mem_eps, (s->nslices + 1) * sizeof *unchanged);
    uint32_t *unchanged_len = ks_malloc(mem_eps, (e->nslices + 1) * sizeof *unchanged_len);
    for (uint32_t i = 0; i < s->nslices; i++) {
        uint32_t id = s->slices[i];
        ks_eps_slice *sl = &e->slices[id];
        ks_eps_write *wr = new_write(e, s, id, KS_VERB_UPDATE);
        bool changed = false;
        for (uint32_t j = 0; j < sl->n; j++) {
            bool found;
            uint32_t m = member_find(s, sl->pods[j], &found);
            ks_eps_member *mb = found ? &s->members[m] : NULL;
            if (!mb || mb->gone) { /* removed: a ready endpoint leaving is a readiness change */
                changed = true;
                if (mb && mb->changed_at != KS_NEVER && (sl->cond[j] & KS_EP_READY))
                    wr->changes[wr->nchanges++] = mb->changed_at;
                if (mb) mb->changed_at = KS_NEVER;
                continue;
            }
            placed[m] = 1;
            if (mb->cond != sl->cond[j]) changed = true;
            wr->pods[wr->n] = mb->pod;
            wr->cond[wr->n++] = mb->cond;
            if (mb->changed_at != KS_NEVER && (mb->cond & KS_EP_READY) != (sl->cond[j] & KS_EP_READY))
                wr->changes[wr->nchanges++] = mb->changed_at;
            mb->changed_at = KS_NEVER; /* written, or undone before it was */
        }
        if (!changed) {
            unchanged_len[id] = sl->n;
            unchanged[nunchanged++] = id;
            write_free(wr);
            s->nwrites--;
            continue;
        }
        if (wr->n == 0) wr->verb = KS_VERB_DELETE;
        else nupd++;
    }
    /* The members still to place; a pending change of one that is not ready is no change. */
    uint32_t left = 0;
    for (uint32_t m = 0; m < s->nmembers; m++) {
        if (placed[m] || s->members[m].gone) continue;
        left++;
    }
    uint32_t next = 0; /* scan position over the members */
    /* 2. Fill the slices being updated, fullest first. */
    if (left && nupd) {
        uint32_t *idx = ks_malloc(mem_eps, s->nwrites * sizeof *idx), n = 0;
        uint32_t *len = ks_malloc(mem_eps, s->nwrites * sizeof *len);
        for (uint32_t i = 0; i < s->nwrites; i++) {
            len[i] = s->writes[i].n;
            if (s->writes[i].verb == KS_VERB_UPDATE) idx[n++] = i;
        }
        sort_by_len_desc(idx, n, len);
        for (uint32_t i = 0; i < n && left; i++) {
            ks_eps_write *wr = &s->writes[idx[i]];
            while (left && wr->n < max) {
                while (placed[next] || s->members[next].gone) next++;
                placed[next] = 1;
                add_endpoint(wr, &s->members[next]);
                left--;
            }
        }
        ks_free(idx);
        ks_free(len);
    }
    /* 3. Then the unchanged slice that will be closest to full (getSliceToFill), else new slices. */
    sort_by_len_desc(unchanged, nunchanged, unchanged_len);
    while (left) {
        ks_eps_write *wr = NULL;
        if (left < max) {
            for (uint32_t i = 0; i < nunchanged; i++) {
                uint32_t id = unchanged[i];
                if (id == KS_NONE || unchanged_len[id] + left > max) continue;
                const ks_eps_slice *sl = &e->slices[id];
                wr = new_write(e, s, id, KS_VERB_UPDATE);
                memcpy(wr->pods, sl->pods, sl->n * sizeof *sl->pods);
                memcpy(wr->cond, sl->cond, sl->n);
                wr->n = sl->n;
                unchanged[i] = KS_NONE;
                break;
            }
        }
        if (!wr) wr = new_write(e, s, KS_NONE, KS_VERB_CREATE);
        while (left && wr->n < max) {
            while (placed[next] || s->members[next].gone) next++;
            placed[next] = 1;
            add_endpoint(wr, &s->members[next]);
            left--;
        }
    }
    ks_free(unchanged);
    ks_free(unchanged_len);
    /* finalize: while there are slices to create and to delete, the last slice to create takes
     * the place of the first slice to delete (an update instead of a delete and a create,
     * appended to the updates); then the creates go out, the updates, the deletes. */
    uint32_t nw = s->nwrites, n = 0, ncreate = 0;
    uint32_t *creates = ks_malloc(mem_eps, (nw + 1) * sizeof *creates);
    uint32_t *converted = ks_malloc(mem_eps, (nw + 1) * sizeof *converted), nconverted = 0;
    for (uint32_t i = 0; i < nw; i++)
        if (s->writes[i].verb == KS_VERB_CREATE) creates[ncreate++] = i;
    for (uint32_t j = 0; j < nw && ncreate; j++) {
        if (s->writes[j].verb != KS_VERB_DELETE) continue;
        ks_eps_write *c = &s->writes[creates[--ncreate]], *d = &s->writes[j];
        /* The delete's removals and the create's content become one update. */
        for (uint32_t k = 0; k < c->nchanges; k++) d->changes[d->nchanges++] = c->changes[k];
        memcpy(d->pods, c->pods, c->n * sizeof *c->pods);
        memcpy(d->cond, c->cond, c->n);
        d->n = c->n;
        d->verb = 0xfe; /* an update, after the others */
        c->verb = 0xff; /* dropped */
        converted[nconverted++] = j;
    }
    ks_eps_write *sorted = ks_malloc(mem_eps, (nw + 1) * sizeof *sorted);
    for (uint32_t i = 0; i < nw; i++)
        if (s->writes[i].verb == KS_VERB_CREATE) sorted[n++] = s->writes[i];
    for (uint32_t i = 0; i < nw; i++)
        if (s->writes[i].verb == KS_VERB_UPDATE) sorted[n++] = s->writes[i];
    for (uint32_t i = 0; i < nconverted; i++) {
        sorted[n] = s->writes[converted[i]];
        sorted[n++].verb = KS_VERB_UPDATE;
    }
    for (uint32_t i = 0; i < nw; i++)
        if (s->writes[i].verb == KS_VERB_DELETE) sorted[n++] = s->writes[i];
    for (uint32_t i = 0; i < nw; i++)
        if (s->writes[i].verb == 0xff) write_free(&s->writes[i]);
    if (n) memcpy(s->writes, sorted, n * sizeof *sorted);
    ks_free(sorted);
    ks_free(creates);
    ks_free(converted);
    s->nwrites = n;
    /* New slices get their names now (metadata.generateName "<service>-"). */
    for (uint32_t i = 0; i < s->nwrites; i++) {
        ks_eps_write *wr = &s->writes[i];
        if (wr->verb != KS_VERB_CREATE) continue;
        ks_grow(mem_eps, (void **)&e->slices, &e->slices_cap, e->nslices + 1, sizeof *e->slices);
        uint32_t id = (uint32_t)e->nslices++;
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        char name[300];
        int len = snprintf(name, sizeof name - 6, "%s-", s->spec->name);
        for (int k = 0; k < 5; k++) name[len + k] = alphabet[ks_rng_below(e->rng, sizeof alphabet - 1)];
        name[len + 5] = 0;
        e->slices[id] = (ks_eps_slice){.name = ks_strdup(mem_eps, name), .service = svc};
        wr->slice = id;
        ks_grow(mem_eps, (void **)&s->slices, &s->slices_cap, s->nslices + 1, sizeof *s->slices);
        s->slices[s->nslices++] = id;
    }
    /* Members that are gone have been written out (or were never in a slice): forget them. */
    uint32_t kept = 0;
    for (uint32_t m = 0; m < s->nmembers; m++) {
        if (s->members[m].gone) continue;
        s->members[kept++] = s->members[m];
    }
    s->nmembers = kept;
}

static void issue(ks_eps *e, uint32_t svc)
{
    ks_eps_service *s = &e->services[svc];
    ks_api_call(&e->w->api, ks_sim_now(e->w->sim), e->client, (ks_api_verb)s->writes[s->next_write].verb,
                e->ev_write_done, svc, s->next_write);
}

static void on_sync(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_eps *e = ctx;
    ks_eps_service *s = &e->services[ev->target];
    s->queued = false;
    s->dirty = false;
    reconcile(e, ev->target);
    if (!s->nwrites) return;
    s->syncing = true;
    s->next_write = 0;
    issue(e, ev->target);
}

static uint32_t count_ready(const uint8_t *cond, uint32_t n)
{
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++) r += (cond[i] & KS_EP_READY) != 0;
    return r;
}

/* A slice write has committed: the slice is what the write says; kube-proxies will see it. */
static void on_write_done(ks_sim *sim, void *ctx, const ks_event *ev)
{
    (void)sim;
    ks_eps *e = ctx;
    uint32_t svc = ev->target;
    ks_eps_service *s = &e->services[svc];
    ks_eps_write *wr = &s->writes[ev->arg];
    ks_eps_slice *sl = &e->slices[wr->slice];
    int64_t d_n = (int64_t)(wr->verb == KS_VERB_DELETE ? 0 : wr->n) - sl->n;
    int64_t d_ready = (int64_t)(wr->verb == KS_VERB_DELETE ? 0 : count_ready(wr->cond, wr->n)) - count_ready(sl->cond, sl->n);
    s->endpoints += d_n;
    s->ready += d_ready;
    e->endpoints += d_n;
    e->ready += d_ready;
    if (proxied(s->spec)) e->proxied_endpoints += d_n;
    e->writes++;
    e->ready_changes += wr->nchanges;
    sl->resource_version = ks_cluster_bump(&e->w->cluster);
    if (wr->verb == KS_VERB_DELETE) {
        s->deletes++;
        sl->live = false;
        e->live_slices--;
        sl->n = 0;
        for (uint32_t i = 0; i < s->nslices; i++)
            if (s->slices[i] == wr->slice) {
                memmove(s->slices + i, s->slices + i + 1, (s->nslices - i - 1) * sizeof *s->slices);
                s->nslices--;
                break;
            }
    } else {
        if (wr->verb == KS_VERB_CREATE) {
            s->creates++;
            sl->live = true;
            e->live_slices++;
        } else {
            s->updates++;
        }
        if (sl->cap < wr->n) { /* slices never grow past maxEndpointsPerSlice */
            uint32_t max = (uint32_t)e->w->timings->services.max_endpoints_per_slice;
            ks_free(sl->pods);
            ks_free(sl->cond);
            sl->pods = ks_malloc(mem_eps, max * sizeof *sl->pods);
            sl->cond = ks_malloc(mem_eps, max);
            sl->cap = max;
        }
        memcpy(sl->pods, wr->pods, wr->n * sizeof *wr->pods);
        memcpy(sl->cond, wr->cond, wr->n);
        sl->n = wr->n;
    }
    if (proxied(s->spec)) ks_proxy_slice_committed(e->w->proxy, svc, wr->changes, wr->nchanges);
    if (++s->next_write < s->nwrites) {
        issue(e, svc);
        return;
    }
    for (uint32_t i = 0; i < s->nwrites; i++) write_free(&s->writes[i]);
    s->nwrites = 0;
    s->syncing = false;
    if (s->dirty) {
        s->dirty = false;
        enqueue(e, svc);
    }
}

static void on_service_seen(ks_sim *sim, void *ctx, const ks_event *ev);

ks_eps *ks_eps_create(ks_world *w, const ks_service_spec *services, size_t nservices)
{
    mem_eps = ks_mem_purpose("endpointslice");
    ks_eps *e = ks_calloc(mem_eps, 1, sizeof *e);
    e->w = w;
    e->rng = ks_rng_stream(w->rngs, "endpointslice");
    e->nservices = (uint32_t)nservices;
    e->services = ks_calloc(mem_eps, nservices ? nservices : 1, sizeof *e->services);
    for (size_t i = 0; i < nservices; i++) {
        e->services[i].spec = &services[i];
        e->services[i].live = services[i].at == 0;
        if (e->services[i].live) e->proxied_services += proxied(&services[i]);
    }
    if (!nservices) return e; /* nothing to do: no client, no handlers */
    e->client = ks_api_add_client(&w->api, &w->timings->controller_manager, KS_COMP_ENDPOINTSLICE);
    e->ev_pod_seen = ks_sim_register(w->sim, "endpointslice.pod_seen", on_pod_seen, e);
    e->ev_sync = ks_sim_register(w->sim, "endpointslice.sync", on_sync, e);
    e->ev_write_done = ks_sim_register(w->sim, "endpointslice.committed", on_write_done, e);
    e->ev_service_seen = ks_sim_register(w->sim, "endpointslice.service_seen", on_service_seen, e);
    /* Services a Scenario creates later: the controller's informer sees each one watch after. */
    for (size_t i = 0; i < nservices; i++)
        if (services[i].at > 0) ks_sim_at(w->sim, services[i].at + ks_world_watch(w), e->ev_service_seen, (uint32_t)i, 1);
    return e;
}

/* The controller's Service informer: a Service created during the run (ARG 1) takes as members
 * the endpoint pods its selector matches now; one deleted (ARG 0) loses them all, and the sync
 * deletes its EndpointSlices (the garbage collector's job upstream: they are its dependents). */
static void on_service_seen(ks_sim *sim, void *ctx, const ks_event *ev)
{
    ks_eps *e = ctx;
    ks_eps_service *s = &e->services[ev->target];
    const ks_cluster *c = &e->w->cluster;
    bool live = ev->arg != 0;
    if (s->live == live) return;
    s->live = live;
    e->proxied_services += (live ? 1 : -1) * proxied(s->spec);
    s->nmembers = 0;
    if (live) {
        ks_time now = ks_sim_now(sim);
        for (uint32_t pod = 0; pod < c->npods && pod < e->pods_cap; pod++) {
            uint8_t state = e->pod_state[pod];
            if (!(state & 0x80) || !selects(s->spec, &c->classes[c->pods[pod].pclass])) continue;
            ks_grow(mem_eps, (void **)&s->members, &s->members_cap, s->nmembers + 1, sizeof *s->members);
            s->members[s->nmembers++] = (ks_eps_member){pod, (uint8_t)(state & 0x7f), 0, now};
        }
    }
    enqueue(e, ev->target);
}

void ks_eps_delete_service(ks_eps *e, const char *name, const char *namespace)
{
    for (uint32_t i = 0; e && i < e->nservices; i++) {
        const ks_service_spec *sp = e->services[i].spec;
        if (strcmp(sp->name, name) || strcmp(sp->namespace, namespace) || !e->services[i].live) continue;
        ks_sim_after(e->w->sim, ks_world_watch(e->w), e->ev_service_seen, i, 0);
        return;
    }
}

void ks_eps_destroy(ks_eps *e)
{
    if (!e) return;
    for (uint32_t i = 0; i < e->nservices; i++) {
        ks_eps_service *s = &e->services[i];
        for (uint32_t k = 0; k < s->nwrites; k++) write_free(&s->writes[k]);
        ks_free(s->writes);
        ks_free(s->members);
        ks_free(s->slices);
    }
    for (size_t i = 0; i < e->nslices; i++) {
        ks_free(e->slices[i].name);
        ks_free(e->slices[i].pods);
        ks_free(e->slices[i].cond);
    }
    void *arrays[] = {e->services, e->slices, e->pod_ready, e->pod_ep_ready, e->pod_state,
                      e->class_first, e->class_count, e->class_svcs, e->scratch};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) ks_free(arrays[i]);
    ks_free(e);
}

typedef struct service_row {
    const char *name, *namespace;
    uint8_t headless;
    int64_t endpoints, ready, slices, slice_creates, slice_updates, slice_deletes;
} service_row;

typedef struct slice_row {
    const char *name, *namespace, *service;
    int64_t endpoints, ready, serving, terminating;
} slice_row;

void ks_eps_write_tables(const ks_eps *e, ks_trace *t)
{
    if (!e->nservices) return;
    static const ks_column svc_cols[] = {
        KS_COLUMN(service_row, name, KS_COL_STR),       KS_FSTR_COLUMN(service_row, namespace, 64),
        KS_COLUMN(service_row, headless, KS_COL_U8),     KS_COLUMN(service_row, endpoints, KS_COL_I64),
        KS_COLUMN(service_row, ready, KS_COL_I64),       KS_COLUMN(service_row, slices, KS_COL_I64),
        KS_COLUMN(service_row, slice_creates, KS_COL_I64), KS_COLUMN(service_row, slice_updates, KS_COL_I64),
        KS_COLUMN(service_row, slice_deletes, KS_COL_I64),
    };
    ks_table *tab = ks_trace_table(t, "/services", svc_cols, sizeof svc_cols / sizeof *svc_cols, sizeof(service_row), 256);
    for (uint32_t i = 0; i < e->nservices; i++) {
        const ks_eps_service *s = &e->services[i];
        int64_t live = 0;
        for (uint32_t k = 0; k < s->nslices; k++) live += e->slices[s->slices[k]].live;
        service_row r = {s->spec->name, s->spec->namespace, s->spec->headless, s->endpoints, s->ready, live,
                         (int64_t)s->creates, (int64_t)s->updates, (int64_t)s->deletes};
        ks_table_append(tab, &r);
    }
    static const ks_column slice_cols[] = {
        KS_COLUMN(slice_row, name, KS_COL_STR),      KS_FSTR_COLUMN(slice_row, namespace, 64),
        KS_COLUMN(slice_row, service, KS_COL_STR),   KS_COLUMN(slice_row, endpoints, KS_COL_I64),
        KS_COLUMN(slice_row, ready, KS_COL_I64),     KS_COLUMN(slice_row, serving, KS_COL_I64),
        KS_COLUMN(slice_row, terminating, KS_COL_I64),
    };
    tab = ks_trace_table(t, "/endpointslices", slice_cols, sizeof slice_cols / sizeof *slice_cols, sizeof(slice_row), 256);
    for (size_t i = 0; i < e->nslices; i++) {
        const ks_eps_slice *sl = &e->slices[i];
        if (!sl->live) continue;
        const ks_service_spec *sp = e->services[sl->service].spec;
        slice_row r = {sl->name, sp->namespace, sp->name, sl->n, 0, 0, 0};
        for (uint32_t k = 0; k < sl->n; k++) {
            r.ready += (sl->cond[k] & KS_EP_READY) != 0;
            r.serving += (sl->cond[k] & KS_EP_SERVING) != 0;
            r.terminating += (sl->cond[k] & KS_EP_TERMINATING) != 0;
        }
        ks_table_append(tab, &r);
    }
}
