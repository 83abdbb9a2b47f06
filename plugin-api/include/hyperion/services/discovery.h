/*
 * hyperion/services/discovery.h — the "discovery" service API, version 1.0,
 * provided by the discovery plugin. A plugin that lists
 * {"api": "discovery", "version": "1.0"} in its "requires" registers the
 * services it serves and finds the instances of others through it, so that
 * the registry (etcd leases, Consul agent checks, Kubernetes EndpointSlices,
 * or a static list in the manifest), balancing and outlier ejection live in
 * one place and one configuration. The registry is always an existing
 * distributed store; Hyperion keeps none of its own.
 *
 * INSTANCES. An instance of a service is (service, id, address, port, tags,
 * metadata). `id` is unique within its service (e.g. "<host>-<port>"); the
 * same id registered again replaces the earlier registration.
 *
 * REGISTRATION FOLLOWS READINESS. Registered instances are published while
 * the host is ready and withdrawn as soon as it is not (a drain on SIGTERM
 * withdraws them before any plugin stops), then kept alive by the plugin (a
 * lease, a TTL check) until deregister_instance or the plugin stops. A
 * registering plugin deregisters what it registered before it stops.
 *
 * HEALTHY INSTANCES. resolve, watch and pick see only the instances the
 * registry says are healthy: a live lease (etcd), passing checks (Consul),
 * ready endpoints (Kubernetes), listed (static). pick also skips instances
 * that outlier detection ejected (below); resolve and watch do not, since a
 * caller that balances by itself judges its own failures.
 *
 * PICK AND REPORT. pick chooses one instance by the service's policy
 * (round_robin, random, least_outstanding) and gives a ticket. The caller
 * reports the call's outcome with report(ticket, outcome) exactly once: it
 * ends the call for least_outstanding, and a run of consecutive failures
 * ejects the instance for a backoff period (outlier detection, as in Envoy).
 *
 * ERRORS (with a message naming the service):
 *   HYPERION_ERR_INVALID_ARGUMENT  a malformed instance or query (empty
 *                                  service, id or address, port 0)
 *   HYPERION_ERR_UNAVAILABLE       pick: no healthy instance of the service;
 *                                  resolve: the registry could not be asked
 *                                  and nothing is known of the service yet
 *   HYPERION_ERR_FAILED_PRECONDITION registering on a read-only backend
 *                                  (kubernetes: the probes do that)
 *
 * OWNERSHIP. Everything passed in is the caller's and is copied before the
 * call returns. Everything passed to a callback is the plugin's and is valid
 * only during the callback.
 *
 * THREAD: every function may be called from any thread, concurrently.
 */
#ifndef HYPERION_SERVICES_DISCOVERY_H_
#define HYPERION_SERVICES_DISCOVERY_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_DISCOVERY_API "discovery"
#define HYPERION_DISCOVERY_MAJOR 1

/* One metadata entry. */
typedef struct hyperion_discovery_pair_t {
  hyperion_str_t key;
  hyperion_str_t value;
} hyperion_discovery_pair_t;

/* An instance of a service. Zero-initialize it and set struct_size. */
typedef struct hyperion_discovery_instance_t {
  uint32_t struct_size;
  hyperion_str_t service; /* "users" */
  hyperion_str_t id;      /* unique within the service */
  hyperion_str_t address; /* an IP or a host name */
  uint32_t port;          /* 1..65535 */
  const hyperion_str_t* tags;
  size_t tag_count;
  const hyperion_discovery_pair_t* meta;
  size_t meta_count;
} hyperion_discovery_instance_t;

/* Which instances: those of `service` that carry every tag in `tags` and
 * every key=value in `meta`. Zero-initialize it and set struct_size. */
typedef struct hyperion_discovery_query_t {
  uint32_t struct_size;
  hyperion_str_t service;
  const hyperion_str_t* tags;
  size_t tag_count;
  const hyperion_discovery_pair_t* meta;
  size_t meta_count;
} hyperion_discovery_query_t;

/* The outcome of a picked call, for report(). */
typedef enum hyperion_discovery_outcome_t {
  HYPERION_DISCOVERY_SUCCESS = 0,   /* it answered (any answer that is not the instance's fault) */
  HYPERION_DISCOVERY_FAILURE = 1,   /* connect failed, reset, timeout, 5xx: counts toward ejection */
  HYPERION_DISCOVERY_CANCELLED = 2, /* the caller gave up: ends the call, judges nothing */
} hyperion_discovery_outcome_t;

/* Every healthy instance that matches, in a stable order (by id). count 0 is
 * an answer too: no instance. */
typedef void (*hyperion_discovery_instances_fn)(void* user, const hyperion_discovery_instance_t* instances,
                                                size_t count);
/* The instance pick chose, and the ticket to report its outcome with. */
typedef void (*hyperion_discovery_picked_fn)(void* user, const hyperion_discovery_instance_t* instance,
                                             uint64_t ticket);

/* The service vtable (hyperion_service_ref_t.vtable). */
typedef struct hyperion_discovery_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Registers (or replaces) an instance; see REGISTRATION FOLLOWS READINESS. */
  hyperion_status_t (*register_instance)(void* ctx, const hyperion_discovery_instance_t* instance,
                                         hyperion_error_t* err);
  /* Withdraws it from the registry. Unknown ids are not an error. */
  hyperion_status_t (*deregister_instance)(void* ctx, hyperion_str_t service, hyperion_str_t id, hyperion_error_t* err);

  /* Calls `fn` once, before returning, with the healthy instances that match
   * now. The first resolve of a service the plugin does not follow yet asks
   * the registry (up to the plugin's resolve timeout) and follows the
   * service from then on. */
  hyperion_status_t (*resolve)(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_instances_fn fn,
                               void* user, hyperion_error_t* err);

  /* Calls `fn` with the full matching set now and after every change of it.
   * THREAD: `fn` runs on a thread of the plugin, never concurrently with
   * itself for one watch, in the order of the changes. On success *out_id
   * identifies the watch. */
  hyperion_status_t (*watch)(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_instances_fn fn,
                             void* user, uint64_t* out_id, hyperion_error_t* err);
  /* Ends a watch. After it returns `fn` is not running and will not be
   * called again (unless called from inside `fn`, where it cannot wait). */
  void (*unwatch)(void* ctx, uint64_t id);

  /* Chooses one healthy, not ejected instance that matches and calls `fn`
   * with it before returning; HYPERION_ERR_UNAVAILABLE when there is none. */
  hyperion_status_t (*pick)(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_picked_fn fn,
                            void* user, hyperion_error_t* err);
  /* Ends a picked call: exactly once per ticket. Unknown tickets are ignored. */
  void (*report)(void* ctx, uint64_t ticket, hyperion_discovery_outcome_t outcome);
} hyperion_discovery_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_DISCOVERY_H_ */
