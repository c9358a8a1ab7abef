/* endpointslice.h — Services and the EndpointSlice controller (kube-controller-manager).
 *
 * Owns the Services (from the config), each Service's members (the pods its selector matches
 * that are endpoints: they have an IP and are not terminal), and the EndpointSlices as committed
 * to etcd. The controller reconciles a Service's slices with its members the way upstream's
 * reconciler does (staging/src/k8s.io/endpointslice/reconciler.go reconcileByPortMapping):
 * slices that lost or changed endpoints are updated (or deleted when empty), new endpoints fill
 * the slices being updated first, then the unchanged slice that would be closest to full, then
 * new slices of at most maxEndpointsPerSlice; a delete and a create in the same sync become one
 * update (reconciler.finalize). Each create, update and delete is an API write through the
 * controller's own client (token bucket), issued one after another as upstream's sync does, and
 * committed slices reach every kube-proxy after a watch delay (kubeproxy.h).
 *
 * Endpoint conditions (staging/src/k8s.io/endpointslice/utils.go podToEndpoint, KEP-1672):
 * serving = the pod is Ready; terminating = the pod has a deletionTimestamp; ready = serving and
 * not terminating. Pods are endpoints once the kubelet has reported their status (the pod IP
 * comes with it) and until they are terminal or removed
 * (staging/src/k8s.io/endpointslice/util/controller_utils.go ShouldPodBeInEndpoints with
 * includeTerminating, as the EndpointSlice controller calls it).
 *
 * Memory: per Service a sorted member array (8 bytes per endpoint) and its slices (5 bytes per
 * endpoint); per pod three bytes (its Ready condition as the API shows it, its endpoint's
 * readiness, what the informer last delivered). Per-pod work is O(Services matching the pod's label class), cached per
 * class; a sync costs O(endpoints of the Service).
 *
 * Not modelled: the placeholder slice of a Service without endpoints, topology hints, dual-stack
 * (one IPv4 slice family), ports (every endpoint serves every port of its Service), the 5
 * concurrent workers (syncs of different Services run concurrently without limit; one Service's
 * syncs never overlap, as upstream's workqueue guarantees).
 */
#ifndef KS_ENDPOINTSLICE_H
#define KS_ENDPOINTSLICE_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "ks_time.h"
#include "spec.h"
#include "trace.h"

struct ks_world;

/* Endpoint condition bits. */
enum { KS_EP_READY = 1, KS_EP_SERVING = 2, KS_EP_TERMINATING = 4 };

typedef struct ks_eps_member {
    uint32_t pod;
    uint8_t cond;      /* conditions as the controller's informer last saw them */
    uint8_t gone;      /* no longer an endpoint; kept until a sync has written it out */
    ks_time changed_at; /* the Ready change not yet written to a slice (KS_NEVER: none) */
} ks_eps_member;

typedef struct ks_eps_slice {
    char *name;
    uint32_t service;
    uint32_t *pods; /* committed endpoints */
    uint8_t *cond;
    uint32_t n, cap;
    bool live;      /* created and not deleted */
    uint64_t resource_version;
} ks_eps_slice;

/* One write of a sync: the slice's content after it, and the readiness changes it carries. */
typedef struct ks_eps_write {
    uint32_t slice;
    uint8_t verb; /* ks_api_verb: CREATE, UPDATE or DELETE */
    uint32_t *pods;
    uint8_t *cond;
    uint32_t n;
    ks_time *changes;
    uint32_t nchanges;
} ks_eps_write;

typedef struct ks_eps_service {
    const ks_service_spec *spec;
    ks_eps_member *members; /* sorted by pod */
    uint32_t nmembers;
    size_t members_cap;
    uint32_t *slices; /* ids in ks_eps.slices, live or being created */
    uint32_t nslices;
    size_t slices_cap;
    ks_eps_write *writes; /* of the sync in progress */
    uint32_t nwrites, next_write;
    size_t writes_cap;
    bool queued, syncing, dirty;
    bool live; /* created and not deleted (a Scenario may create or delete it during the run) */
    /* As committed: endpoints and ready endpoints over the live slices, and writes made. */
    int64_t endpoints, ready;
    uint64_t creates, updates, deletes;
} ks_eps_service;

typedef struct ks_eps {
    struct ks_world *w;
    ks_eps_service *services;
    uint32_t nservices;
    ks_eps_slice *slices;
    size_t nslices, slices_cap;
    uint32_t client; /* the controller's API client */
    gsl_rng *rng; /* slice names */
    ks_time last_seen; /* the informer delivers in commit order */
    uint32_t ev_pod_seen, ev_sync, ev_write_done, ev_service_seen;
    /* Per pod (grown with the pod table): Ready as the API shows it, whether its endpoint is
     * ready, and what the informer last delivered. */
    uint8_t *pod_ready, *pod_ep_ready;
    uint8_t *pod_state; /* what the informer last delivered: conditions, 0x80 if an endpoint */
    size_t pods_cap;
    /* Per pod label class: the Services whose selector matches it (offsets into class_svcs). */
    uint32_t *class_first, *class_count;
    size_t nclasses_done, classes_cap;
    uint32_t *class_svcs;
    size_t nclass_svcs, class_svcs_cap;
    uint32_t *scratch; /* reconcile: per member, where it went */
    size_t scratch_cap;
    /* Totals over live slices, for the series. */
    int64_t endpoints, ready, live_slices;
    uint64_t writes, ready_changes;
    /* What kube-proxy programs: Services that are not headless, and their endpoints. */
    uint32_t proxied_services;
    int64_t proxied_endpoints;
} ks_eps;

/* Builds the controller over SERVICES (borrowed; they outlive it) and registers its handlers. */
/* kubectl delete service NAME (a Scenario action): the controller sees it after a watch delay and
 * deletes its EndpointSlices; no-op when there is no such live Service. */
void ks_eps_delete_service(ks_eps *e, const char *name, const char *namespace);
ks_eps *ks_eps_create(struct ks_world *w, const ks_service_spec *services, size_t nservices);
void ks_eps_destroy(ks_eps *e);
/* A pod's endpoint-relevant state (its IP, Ready condition, deletionTimestamp, phase, removal)
 * changed now; READY is its Ready condition (kept from the last call when KEEP is set). */
void ks_eps_pod_changed(ks_eps *e, uint32_t pod, bool ready, bool keep);
/* /services and /endpointslices: one row per Service and per slice that exists at the end. */
void ks_eps_write_tables(const ks_eps *e, ks_trace *t);

#endif
