/* interpod.h — the scheduler plugins that look at other pods: PodTopologySpread and
 * InterPodAffinity, with upstream's PreFilter / Filter / PreScore / Score / NormalizeScore split.
 *
 * Upstream sources (kubernetes v1.31):
 *   pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,scoring,plugin}.go
 *   pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring,plugin}.go
 *   pkg/scheduler/framework/types.go (AffinityTerm.Matches, NewPodInfo)
 *   pkg/scheduler/util/utils.go (GetNamespacesFromPodAffinityTerm)
 *   pkg/scheduler/framework/plugins/helper/spread.go (DefaultSelector)
 *
 * Counting goes through the cluster's pod classes (cluster.h): a selector is evaluated once per
 * class, and a node's count of matching pods is the sum of the matching classes' counts there.
 * Topology domains are the interned values of a node label key (ks_cluster_topology).
 *
 * One ks_interpod holds the state of one scheduling cycle; its buffers are reused.
 */
#ifndef KS_INTERPOD_H
#define KS_INTERPOD_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster.h"
#include "spec.h"

/* The pod being scheduled, as these plugins see it: its spec, the pod-template-hash label its
 * ReplicaSet gives it (NULL: none), and the ReplicaSet's selector, which PodTopologySpread's
 * default constraints spread by (NULL: no ReplicaSet owns it, so there are no defaults). */
typedef struct ks_sched_pod {
    const ks_pod_spec *spec;
    const char *template_hash;
    const ks_labels *owner_selector;
    bool has_self; /* the pod is a row of the cluster (not a what-if of explain or bench) */
    uint32_t self;
} ks_sched_pod;

/* Filter verdicts, in the order the filters run. */
enum {
    KS_IP_OK,
    KS_IP_SPREAD_LABEL, /* UnschedulableAndUnresolvable */
    KS_IP_SPREAD_SKEW,
    KS_IP_AFFINITY,     /* UnschedulableAndUnresolvable */
    KS_IP_ANTI_AFFINITY,
    KS_IP_EXISTING_ANTI,
};

/* Counts of matching pods per domain of one topology key. */
typedef struct ks_ip_counts {
    const ks_topology *topo;
    int64_t *count; /* per domain */
    uint8_t *entry; /* per domain: the domain is in upstream's map (its count may be 0) */
    size_t cap;
} ks_ip_counts;

/* A list of counts, one per distinct topology key (upstream keys its maps by (key, value)). */
typedef struct ks_ip_keyed {
    ks_ip_counts *v;
    size_t n, cap;
} ks_ip_keyed;

/* One topology spread constraint as this cycle uses it. */
typedef struct ks_ip_spread {
    const ks_topology *topo;
    int32_t max_skew, min_domains;
    bool honor_affinity, honor_taints, hostname, self_match;
    uint32_t *classes; /* the pod classes its selector matches, in the pod's namespace */
    size_t nclasses, classes_cap;
    ks_ip_counts counts;
    int64_t min_match;
    double weight; /* scoring: ln(domains + 2) */
} ks_ip_spread;

typedef struct ks_ip_spreads {
    ks_ip_spread *v;
    size_t n, cap;
} ks_ip_spreads;

typedef struct ks_interpod {
    ks_cluster *c;
    const ks_sched_profile *prof;
    ks_sched_pod pod;
    /* PodTopologySpread: the filter's (DoNotSchedule) and the score's (ScheduleAnyway)
     * constraints. */
    ks_ip_spreads filter, score;
    bool spread_filtering, spread_scoring, require_all;
    uint8_t *ignored; /* per node: missing a topology key, scores 0 */
    size_t ignored_cap;
    /* InterPodAffinity: per topology key, the existing pods matching all of the pod's required
     * affinity terms, matching its required anti-affinity terms, and the existing pods whose
     * required anti-affinity terms match it; then the preference scores. */
    ks_ip_keyed aff, anti, existing, pref;
    bool aff_any, self_affine, interpod_filtering, interpod_scoring;
    uint32_t *classes; /* scratch: matching classes */
    size_t classes_cap;
    uint32_t *gnode; /* scratch: (node, count) pairs of gathered classes */
    int64_t *gcount;
    size_t gcap;
} ks_interpod;

void ks_interpod_free(ks_interpod *s);
/* Whether SEL (a LabelSelector; unset matches nothing) matches the labels of pod POD. */
bool ks_selector_matches_pod(const ks_cluster *c, const ks_label_selector *sel, uint32_t pod);
/* PreFilter of both plugins, for POD against the cluster as it is. */
void ks_interpod_prefilter(ks_interpod *s, ks_cluster *c, const ks_sched_profile *prof, const ks_sched_pod *pod);
/* Filter of both plugins on NODE: KS_IP_OK or the first failure. */
int ks_interpod_filter(const ks_interpod *s, uint32_t node);
/* PreScore of both plugins over the feasible nodes. */
void ks_interpod_prescore(ks_interpod *s, const uint32_t *feasible, uint32_t nfeasible);
/* Score: the raw PodTopologySpread and InterPodAffinity scores of NODE. */
int64_t ks_interpod_spread_score(const ks_interpod *s, uint32_t node);
int64_t ks_interpod_affinity_score(const ks_interpod *s, uint32_t node);
/* NormalizeScore over the feasible nodes: RAW[k] is node FEASIBLE[k]'s raw score; OUT gets the
 * normalised one. */
void ks_interpod_spread_normalize(const ks_interpod *s, const uint32_t *feasible, const int64_t *raw, int64_t *out,
                                  uint32_t n);
void ks_interpod_affinity_normalize(const int64_t *raw, int64_t *out, uint32_t n);
/* Whether each plugin scores this pod (PreScore did not return Skip). */
/* After prefilter, before the feasible set is known: false when PreScore is sure to skip both
 * score plugins for this pod (no spread constraint of its own or by default, no preferred pod
 * (anti-)affinity term, and no existing pod whose terms could score it). */
bool ks_interpod_may_score(const ks_interpod *s);
static inline bool ks_interpod_spread_scores(const ks_interpod *s) { return s->spread_scoring; }
static inline bool ks_interpod_affinity_scores(const ks_interpod *s) { return s->interpod_scoring; }

#endif
