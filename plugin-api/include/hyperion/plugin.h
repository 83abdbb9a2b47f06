/*
 * hyperion/plugin.h — the stable C ABI between the Hyperion host and its plugins.
 *
 * Who this is for: authors of Hyperion plugins (in C, or through the C++ SDK in
 * hyperion/plugin.hpp, which is built entirely on this file) and the host itself.
 * If it is not in this file, it is not ABI.
 *
 * COMPATIBILITY RULE
 *   The ABI has a major and a minor version. A host and a plugin work together when
 *   their majors are equal and the plugin's minor is at most the host's minor. Within
 *   a major, nothing is ever removed, reordered or renumbered: tables and structs only
 *   grow at the end, each addition marked "added in 1.N". Every struct that may grow
 *   starts with `struct_size`; the reader copies min(their size, own size) into a
 *   zeroed struct of its own, so a missing (older) field reads as zero / NULL, and a
 *   NULL function pointer means "not supported". A reader accepts any struct_size
 *   at least the size ABI 1.0 gave the struct (HYPERION_*_SIZE_1_0 below), never
 *   "at least my own sizeof": a host built from a 1.1 header still loads every 1.0
 *   plugin, and a 1.0 host ignores the fields past its own sizeof in a 1.1 plugin.
 *
 * CONVENTIONS
 *   1. One exported symbol. A plugin library exports exactly one function,
 *      `hyperion_plugin_entry` (HYPERION_ENTRY_SYMBOL). Everything else is reached
 *      through the tables it returns. Build with hidden visibility and
 *      -fno-gnu-unique (the SDK's hyperion_add_plugin() does) so the library can be
 *      unloaded.
 *   2. Metadata without running code. A plugin carries its metadata (name, version,
 *      provides, requires, capabilities, config schema) as one NUL-terminated JSON
 *      document in the ELF section ".hyperion_meta" (HYPERION_METADATA_SECTION).
 *      `hyperion inspect` and `hyperion validate` read it from the file; the
 *      descriptor's `metadata_json` must point at those same bytes. Its format
 *      is ABI too and is written in full under PLUGIN METADATA below.
 *   3. Strings and bytes are borrowed. They cross as (pointer, size) pairs and are
 *      valid only for the duration of the call that passes them. Strings are UTF-8
 *      and not necessarily NUL-terminated. Config, diffs, health reports and events
 *      are JSON text.
 *   4. Whoever allocates frees. Nothing allocated on one side is ever freed on the
 *      other. Results that outlive a call are written into a host-provided sink,
 *      which copies them.
 *   5. Errors. Every fallible call returns a hyperion_status_t and takes a
 *      caller-owned hyperion_error_t* as its last parameter. On failure the callee
 *      sets err->code (equal to the returned status) and a NUL-terminated message
 *      that fits err->struct_size. On success the callee leaves err untouched.
 *      No C++ exception and no longjmp ever crosses this boundary. (A host that
 *      meets one anyway reports the call as failed with HYPERION_ERR_INTERNAL
 *      and goes on; the instance may be left in any state. The C++ SDK catches
 *      every exception at the boundary.) A status that is not one of the codes
 *      below counts as failure; a message that is not NUL-terminated is cut.
 *   6. Threading. The host serializes lifecycle and reload calls on one instance
 *      (create, start, stop, destroy, reload_*, state_*): at most one runs at a time
 *      and each sees the effects of the previous one. `health` and `get_service`,
 *      and calls into a published service, may arrive concurrently from any thread,
 *      at any time between the end of a successful `start` and the start of `stop`.
 *      Host API functions may be called from any thread, unless a function says
 *      otherwise.
 *   7. Deadlines are absolute CLOCK_MONOTONIC times in nanoseconds. A call that
 *      cannot finish by its deadline should return HYPERION_ERR_DEADLINE_EXCEEDED.
 *      A call that does not return by its deadline is reported as hung; the host
 *      moves on without it and never calls into, destroys or unloads that instance
 *      again.
 *   8. No NULL arguments unless a parameter says "may be NULL".
 */
#ifndef HYPERION_PLUGIN_H_
#define HYPERION_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions and constants                                                    */
/* ------------------------------------------------------------------------ */

/* The ABI this header describes. */
#define HYPERION_ABI_MAJOR 1
#define HYPERION_ABI_MINOR 2

/* First field of every descriptor: the bytes "HYPR" read as a little-endian u32. */
#define HYPERION_PLUGIN_MAGIC 0x52505948u

/* The one exported symbol of every plugin library. */
#define HYPERION_ENTRY_SYMBOL "hyperion_plugin_entry"

/* The ELF section that carries the metadata JSON document. */
#define HYPERION_METADATA_SECTION ".hyperion_meta"

/* Capacity of hyperion_error_t.message in this version of the header. */
#define HYPERION_ERROR_MESSAGE_CAPACITY 1024

#if defined(__GNUC__) || defined(__clang__)
#define HYPERION_EXPORT __attribute__((visibility("default")))
#else
#define HYPERION_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

/* Values are fixed forever; new codes are only appended. A receiver that does
 * not know a code treats it as HYPERION_ERR_INTERNAL. */
typedef int32_t hyperion_status_t;

/* Success. */
#define HYPERION_OK 0
/* The input (a config, an argument, a request) is malformed or not acceptable. */
#define HYPERION_ERR_INVALID_ARGUMENT 1
/* A named thing (service, instance, key) does not exist. */
#define HYPERION_ERR_NOT_FOUND 2
/* The call is not allowed in the current state (e.g. reload_commit without a
 * successful reload_prepare), or the ABI versions do not match. */
#define HYPERION_ERR_FAILED_PRECONDITION 3
/* A dependency is temporarily unavailable; the same call may succeed later. */
#define HYPERION_ERR_UNAVAILABLE 4
/* A bug or an unexpected condition inside the callee (the SDK maps any C++
 * exception here). */
#define HYPERION_ERR_INTERNAL 5
/* The callee does not implement this operation. */
#define HYPERION_ERR_UNSUPPORTED 6
/* The deadline passed before the work was done. */
#define HYPERION_ERR_DEADLINE_EXCEEDED 7
/* The operation was refused or rolled back as a whole (e.g. a proposed
 * configuration that the host did not apply). */
#define HYPERION_ERR_ABORTED 8

/* Log levels, ordered by severity. */
typedef int32_t hyperion_log_level_t;
#define HYPERION_LOG_TRACE 0
#define HYPERION_LOG_DEBUG 1
#define HYPERION_LOG_INFO 2
#define HYPERION_LOG_WARN 3
#define HYPERION_LOG_ERROR 4

/* ------------------------------------------------------------------------ */
/* Basic types                                                               */
/* ------------------------------------------------------------------------ */

/* A borrowed UTF-8 string; not necessarily NUL-terminated.
 * OWNERSHIP: the passer owns `data`; valid only during the call. */
typedef struct hyperion_str_t {
  const char* data; /* may be NULL when size == 0 */
  size_t size;
} hyperion_str_t;

/* Borrowed bytes. OWNERSHIP: as hyperion_str_t. */
typedef struct hyperion_bytes_t {
  const uint8_t* data; /* may be NULL when size == 0 */
  size_t size;
} hyperion_bytes_t;

/* The error a caller hands to a callee.
 * OWNERSHIP: the caller owns it; the callee only writes into it. */
typedef struct hyperion_error_t {
  /* Set by the caller to sizeof(hyperion_error_t) as it knows it. The callee
   * never writes past it: the message capacity is
   * struct_size - offsetof(hyperion_error_t, message). */
  uint32_t struct_size;
  /* Set by the callee on failure: the status it returns. */
  hyperion_status_t code;
  /* Set by the callee on failure: NUL-terminated UTF-8, truncated to fit. */
  char message[HYPERION_ERROR_MESSAGE_CAPACITY];
} hyperion_error_t;

/* Where a callee writes a result that must outlive the call (a health report,
 * exported state). The host copies what it is given.
 * OWNERSHIP: the host owns the sink and `ctx`; valid only during the call.
 * THREAD: only the thread executing the call may write. */
typedef struct hyperion_sink_t {
  uint32_t struct_size;
  void* ctx;
  /* Appends `size` bytes. May be called several times; the pieces concatenate.
   * Returns HYPERION_OK, or an error status (e.g. the host's size cap was
   * exceeded), after which further writes are ignored. */
  hyperion_status_t (*write)(void* ctx, const void* data, size_t size);
} hyperion_sink_t;

/* What a provider publishes for one service API: its vtable (a C struct of
 * function pointers specific to the API, starting with its own struct_size) and
 * the context to pass to those functions.
 * OWNERSHIP: the provider owns `vtable` and `ctx`; both stay valid until the
 * provider's instance is stopped. */
typedef struct hyperion_service_ref_t {
  uint32_t struct_size;
  /* The minor version of the API the provider implements. */
  uint32_t api_minor;
  const void* vtable;
  void* ctx;
} hyperion_service_ref_t;

/* Opaque: one plugin instance, created and destroyed by the plugin. */
typedef struct hyperion_instance hyperion_instance_t;
/* Opaque: the host's side of one instance; valid from create until destroy
 * returns. Passed back to every host API function. */
typedef struct hyperion_host_ctx hyperion_host_ctx_t;
/* Opaque: a handle on a service, through which the host can replace the
 * provider without the user noticing. */
typedef struct hyperion_service hyperion_service_t;

/* Callback types. `user` is the pointer given when the callback was registered. */
typedef void (*hyperion_task_fn)(void* user);
/* `cloudevent_json` is one CloudEvents 1.0 JSON object. */
typedef void (*hyperion_event_fn)(void* user, hyperion_str_t cloudevent_json);

/* ------------------------------------------------------------------------ */
/* The host API: what the host offers every plugin instance                  */
/* ------------------------------------------------------------------------ */

/* Handed to create(). OWNERSHIP: the host owns the table; it stays valid until
 * destroy() returns. Check struct_size (or a NULL slot) before using a field
 * added after the minor your plugin declares. THREAD: any thread. */
typedef struct hyperion_host_api_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Writes one log line into this instance's logger (the host's spdlog, one
   * logger per instance, named after the instance). Never fails. */
  void (*log)(hyperion_host_ctx_t* ctx, hyperion_log_level_t level, hyperion_str_t message);
  /* The lowest level this instance's logger currently emits; a plugin may skip
   * building messages below it. */
  hyperion_log_level_t (*log_level)(hyperion_host_ctx_t* ctx);

  /* Metrics. `name` follows Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*);
   * `labels_json` is empty or a JSON object of string values. The host adds the
   * label plugin_instance="<instance name>" (not "instance", which Prometheus
   * gives the scrape target); "instance" and "plugin_instance" may not be used.
   * A metric with an invalid name or labels is dropped and reported once in
   * the instance's log. */
  void (*counter_add)(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels_json,
                      double delta);
  void (*gauge_set)(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels_json,
                    double value);
  void (*histogram_observe)(hyperion_host_ctx_t* ctx, hyperion_str_t name,
                            hyperion_str_t labels_json, double value);

  /* Events. Emits a CloudEvents 1.0 event of `type` (reverse-DNS, e.g.
   * "com.example.cache.flushed") with `data_json` (empty or a JSON value) as
   * its data; the host fills id, source (hyperion://<app>/<instance>), time and
   * specversion. */
  hyperion_status_t (*event_emit)(hyperion_host_ctx_t* ctx, hyperion_str_t type,
                                  hyperion_str_t data_json, hyperion_error_t* err);
  /* Calls `fn` for every event whose type starts with `type_prefix` (empty:
   * all). THREAD: `fn` runs on a host thread, never concurrently with itself
   * for one subscription, in the order the events were emitted. On success
   * *out_id identifies the subscription.
   * RETAINED: "dev.hyperion.host.readiness" (data {"ready": bool, "reason":
   * text}; emitted when the host becomes ready after start, when it drains or
   * stops, and when a health round finds a required instance unhealthy or
   * recovered) is also delivered to a new subscriber at once, as the first
   * event it sees, so a plugin learns whether the host is ready now. The
   * discovery plugin registers its services this way. */
  hyperion_status_t (*event_subscribe)(hyperion_host_ctx_t* ctx, hyperion_str_t type_prefix,
                                       hyperion_event_fn fn, void* user, uint64_t* out_id,
                                       hyperion_error_t* err);
  /* Ends a subscription. After it returns `fn` is not running and will not be
   * called again (unless called from inside `fn`, where it cannot wait). */
  void (*event_unsubscribe)(hyperion_host_ctx_t* ctx, uint64_t id);

  /* Services. Obtains a handle on the service `api` with major `api_major`,
   * which this plugin must list in its metadata "requires". Fails with
   * HYPERION_ERR_NOT_FOUND when no running instance provides it (possible only
   * for an optional requirement) and HYPERION_ERR_FAILED_PRECONDITION when the
   * plugin did not declare the requirement.
   * OWNERSHIP: the caller owns the handle and returns it with service_release. */
  hyperion_status_t (*service_acquire)(hyperion_host_ctx_t* ctx, hyperion_str_t api,
                                       uint32_t api_major, hyperion_service_t** out_handle,
                                       hyperion_error_t* err);
  /* Begins one use of the service: fills *out_ref with the current provider's
   * vtable and ctx, valid until the matching service_leave. The host never
   * stops a provider while a use is inside it, so keep uses short (one call).
   * Fails with HYPERION_ERR_UNAVAILABLE while no provider is running. */
  hyperion_status_t (*service_enter)(hyperion_service_t* handle, hyperion_service_ref_t* out_ref,
                                     hyperion_error_t* err);
  /* Ends the use begun by a successful service_enter on the same thread. */
  void (*service_leave)(hyperion_service_t* handle);
  /* Returns a handle. The host releases any handle still held when the
   * instance is destroyed. */
  void (*service_release)(hyperion_service_t* handle);

  /* Work. Runs `fn(user)` on a host thread after `delay_ms`, then every
   * `period_ms` if it is not zero. *out_id identifies the timer. The host
   * cancels every timer of an instance before calling its stop(). */
  hyperion_status_t (*timer_start)(hyperion_host_ctx_t* ctx, uint64_t delay_ms,
                                   uint64_t period_ms, hyperion_task_fn fn, void* user,
                                   uint64_t* out_id, hyperion_error_t* err);
  /* Cancels a timer. After it returns `fn` is not running and will not run
   * again (unless called from inside `fn`). Unknown ids are ignored. */
  void (*timer_cancel)(hyperion_host_ctx_t* ctx, uint64_t id);

  /* Configuration sources. Proposes new configuration for the running app:
   * `desired_json` is a JSON object mapping instance names to their complete new
   * config objects (instances not named keep theirs). `source` names where it
   * came from (e.g. "consul:kv/app"). Returns only when the host has decided:
   * HYPERION_OK with *out_revision set to the applied revision, or an error
   * (HYPERION_ERR_INVALID_ARGUMENT, HYPERION_ERR_ABORTED, HYPERION_ERR_UNAVAILABLE)
   * whose message names the plugin, field and reason. THREAD: must not be called
   * from inside a lifecycle or reload call (it would wait on itself). Called
   * from a timer or a thread of the plugin's, it may wait for a reload in
   * progress; if that reload stops this very instance, the call gives up with
   * HYPERION_ERR_UNAVAILABLE as the stop begins, so stop() can join the thread. */
  hyperion_status_t (*config_propose)(hyperion_host_ctx_t* ctx, hyperion_str_t source,
                                      hyperion_str_t desired_json, uint64_t* out_revision,
                                      hyperion_error_t* err);

  /* CLOCK_MONOTONIC now, in nanoseconds: the clock every deadline uses. */
  uint64_t (*now_ns)(hyperion_host_ctx_t* ctx);

  /* --- Added in 1.1 (NULL in a 1.0 host: check before calling) --- */

  /* Configuration sources, layered. Proposes this source's whole *layer*: what
   * it wants changed, as RFC 7386 JSON Merge Patches over the manifest. The host
   * keeps one layer per (calling instance, `source`) and builds every effective
   * config as: the manifest's config, then config_propose's complete configs,
   * then each layer's patch in the order the layers were first proposed. A new
   * layer replaces the source's previous one entirely, so a field the source no
   * longer mentions goes back to what is underneath (a key deleted in the store
   * restores the manifest's value), and a manifest edit still applies under the
   * layer. `layer_json` is a JSON object:
   *   {"instances": {"<instance>": {<merge patch>}, ...},   (optional)
   *    "host": {"log_level": "...", "log_format": "text"|"json"}}  (optional)
   * `{}` withdraws the layer. Patches for instances the manifest does not have
   * are kept and reported as a warning (they apply once such an instance
   * exists). Applied and answered like config_propose: HYPERION_OK with
   * *out_revision (the current revision if nothing changed), or
   * HYPERION_ERR_INVALID_ARGUMENT / _ABORTED / _UNAVAILABLE with the reason; a
   * refused layer is not kept. THREAD: as config_propose. */
  hyperion_status_t (*config_propose_layer)(hyperion_host_ctx_t* ctx, hyperion_str_t source, hyperion_str_t layer_json,
                                            uint64_t* out_revision, hyperion_error_t* err);
  /* Writes into `out` the absolute path of a folder private to this instance
   * (<state_dir>/instances/<instance name>), created with mode 0700 on the first
   * call. It survives restarts of the host and reloads of the instance: the
   * place for what a plugin must remember (a config source's last-known-good
   * snapshot). Fails with HYPERION_ERR_UNAVAILABLE when it cannot be created. */
  hyperion_status_t (*instance_state_dir)(hyperion_host_ctx_t* ctx, const hyperion_sink_t* out, hyperion_error_t* err);

  /* --- Added in 1.2 (NULL in an older host: check before calling) --- */

  /* Metrics. Gives the family `name` its "# HELP" text: one line, at most
   * 1024 bytes, no control characters; say what is counted and in which unit
   * ("Requests answered, by route and status code."). Call it once, at create
   * or start, for every family the plugin records; describing a family again
   * with the same text is harmless. The first description of a name wins (two
   * plugins recording one name share a family); a different text later, or an
   * invalid one, is reported once in the instance's log. A family nobody
   * describes is exposed with a HELP line saying so. */
  void (*metric_describe)(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t help);
  /* histogram_observe for an observation made inside a sampled trace:
   * `trace_id` (32 lowercase hex digits) and `span_id` (16, or empty) become
   * the exemplar of the bucket the value falls in, which the OpenMetrics
   * exposition shows (`# {trace_id="...",span_id="..."} value time`), so a
   * dashboard can jump from a slow bucket to a trace in it. The value is
   * recorded even when the ids are malformed (then the exemplar is dropped and
   * reported once in the log). Pass empty ids when the trace is not sampled:
   * an exemplar must point at a trace that was exported. */
  void (*histogram_observe_traced)(hyperion_host_ctx_t* ctx, hyperion_str_t name, hyperion_str_t labels_json,
                                   double value, hyperion_str_t trace_id, hyperion_str_t span_id);
} hyperion_host_api_t;

/* ------------------------------------------------------------------------ */
/* The plugin vtable: what a plugin offers the host                          */
/* ------------------------------------------------------------------------ */

/* OWNERSHIP: the plugin owns the table; it is static and lives as long as the
 * library is loaded. THREAD: see convention 6. */
typedef struct hyperion_plugin_vtable_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Required. Creates an instance from `config_json` (a JSON object already
   * validated against the metadata's config_schema, defaults filled in). Must
   * not start threads or serve anything yet. `host` and `host_ctx` stay valid
   * until destroy() returns. On success stores the instance in *out_instance. */
  hyperion_status_t (*create)(const hyperion_host_api_t* host, hyperion_host_ctx_t* host_ctx,
                              hyperion_str_t instance_name, hyperion_str_t config_json,
                              hyperion_instance_t** out_instance, hyperion_error_t* err);
  /* Required. Begins serving. Every required service is running when it is
   * called. On failure the host calls destroy() without stop(). */
  hyperion_status_t (*start)(hyperion_instance_t* instance, uint64_t deadline_ns,
                             hyperion_error_t* err);
  /* Required. Stops serving, by the deadline. Called once, only after a
   * successful start. The instance may still be asked for state_export. */
  hyperion_status_t (*stop)(hyperion_instance_t* instance, uint64_t deadline_ns,
                            hyperion_error_t* err);
  /* Required. Frees the instance. Never fails; the instance is gone after it. */
  void (*destroy)(hyperion_instance_t* instance);

  /* Optional (capability "health"). Writes a JSON report into `report`:
   * {"status": "healthy"|"degraded"|"unhealthy", "message": "...", "details": {...}}.
   * An error status is reported as unhealthy with the error's message. */
  hyperion_status_t (*health)(hyperion_instance_t* instance, const hyperion_sink_t* report,
                              hyperion_error_t* err);

  /* Optional (capability "reload"). Two-phase dynamic reconfiguration.
   * reload_prepare: validate `new_config_json` (complete, validated, defaults
   *   filled in) and build whatever the new config needs beside the running state,
   *   without disturbing it. `diff_json` is a JSON array of the changed fields:
   *   [{"path": "/a/b", "op": "add"|"remove"|"replace"}].
   * reload_commit: switch to the prepared config. Only after a successful prepare.
   *   Should not fail; if it does, the instance must still run its previous config.
   * reload_abort: discard the prepared config. Only after a successful prepare.
   * To roll a committed instance back, the host prepares and commits the previous
   * config. */
  hyperion_status_t (*reload_prepare)(hyperion_instance_t* instance, hyperion_str_t new_config_json,
                                      hyperion_str_t diff_json, hyperion_error_t* err);
  hyperion_status_t (*reload_commit)(hyperion_instance_t* instance, hyperion_error_t* err);
  void (*reload_abort)(hyperion_instance_t* instance);

  /* Optional (capability "state"). State handover for hot swap, used when the
   * running instance's library and the new one both declare "state"
   * (docs/hot-swap.md). The host, in this order:
   *   1. creates the new instance (create) beside the running old one;
   *   2. pauses the old instance's published services: new service_enter calls
   *      wait (they are not refused), and waits for the uses already inside to
   *      leave (at most the old instance's stop timeout, else the swap fails);
   *   3. calls state_export on the old instance;
   *   4. calls state_import on the new instance — after create, BEFORE start,
   *      so start() already serves with the imported state;
   *   5. starts the new instance; its services cover the old ones and the
   *      waiting uses go on in it; then stops and destroys the old instance.
   * If export, import or start fails, the new instance is destroyed, the old one
   * resumes as if nothing happened, and the swap is reported failed.
   * Rules for the bytes: the format is the plugin's own; put a version in it
   * (e.g. "counter/1 ...") and refuse (HYPERION_ERR_INVALID_ARGUMENT, with the
   * reason) a version you do not read — refusing is safe, the old instance
   * keeps serving. At most 64 MiB (a larger export fails the swap). The old
   * instance's own threads and timers run until its stop: what they change
   * after state_export is not carried over. state_import receives exactly the
   * bytes state_export wrote (size 0 is possible). Neither is called at any
   * other time. */
  hyperion_status_t (*state_export)(hyperion_instance_t* instance, const hyperion_sink_t* out,
                                    hyperion_error_t* err);
  hyperion_status_t (*state_import)(hyperion_instance_t* instance, hyperion_bytes_t state,
                                    hyperion_error_t* err);

  /* Optional (needed when the metadata "provides" anything). Fills *out_ref for
   * the service `api` at major `api_major`, or fails with HYPERION_ERR_NOT_FOUND.
   * Called after a successful start, within the same start deadline; a start
   * whose get_service fails (or returns no vtable) fails as a whole. */
  hyperion_status_t (*get_service)(hyperion_instance_t* instance, hyperion_str_t api,
                                   uint32_t api_major, hyperion_service_ref_t* out_ref,
                                   hyperion_error_t* err);
} hyperion_plugin_vtable_t;

/* ------------------------------------------------------------------------ */
/* The descriptor and the entry point                                        */
/* ------------------------------------------------------------------------ */

/* OWNERSHIP: the plugin owns it (a static); valid while the library is loaded. */
typedef struct hyperion_plugin_t {
  /* HYPERION_PLUGIN_MAGIC; checked before anything else is read. */
  uint32_t magic;
  /* sizeof(hyperion_plugin_t) as the plugin knows it. */
  uint32_t struct_size;
  /* Must equal the host's major. */
  uint32_t abi_major;
  /* The newest minor of the host API the plugin uses; must be at most the
   * host's minor. */
  uint32_t abi_minor;
  /* NUL-terminated metadata JSON: the same bytes as the .hyperion_meta section. */
  const char* metadata_json;
  /* The plugin's functions. */
  const hyperion_plugin_vtable_t* vtable;
} hyperion_plugin_t;

/* The size each growing struct had in ABI 1.0 (the end of its last 1.0 field).
 * A reader refuses anything smaller and accepts anything at least this large:
 * fields past its own sizeof are ignored, fields past theirs read as zero/NULL.
 * These values never change. (A plugin vtable needs only create..destroy; its
 * optional 1.0 slots may be cut off, which reads as "not supported".) */
#define HYPERION_PLUGIN_SIZE_1_0 (offsetof(hyperion_plugin_t, vtable) + sizeof(void*))
#define HYPERION_PLUGIN_VTABLE_SIZE_1_0 (offsetof(hyperion_plugin_vtable_t, get_service) + sizeof(void*))
#define HYPERION_PLUGIN_VTABLE_REQUIRED_SIZE (offsetof(hyperion_plugin_vtable_t, destroy) + sizeof(void*))
#define HYPERION_HOST_API_SIZE_1_0 (offsetof(hyperion_host_api_t, now_ns) + sizeof(void*))

/* The entry point every plugin exports as HYPERION_ENTRY_SYMBOL. The host passes
 * its ABI major and the highest minor it speaks. Returns the plugin's static
 * descriptor, or NULL when the plugin cannot serve such a host: when the major
 * differs from the one the plugin was built for, or the host's highest minor is
 * below the minor the plugin needs (the descriptor's abi_minor). The C++ SDK's
 * entry point does exactly this. Must not have side effects: the host may call
 * it more than once. */
typedef const hyperion_plugin_t* (*hyperion_plugin_entry_fn)(uint32_t host_abi_major,
                                                             uint32_t host_abi_minor_max);

/* ------------------------------------------------------------------------ */
/* PLUGIN METADATA: the JSON document in HYPERION_METADATA_SECTION           */
/* ------------------------------------------------------------------------ */

/* One NUL-terminated UTF-8 JSON object, identical in the ELF section and in the
 * descriptor's metadata_json. The host reads it from the file before running
 * any plugin code (`hyperion inspect`, `validate`, `graph`), so everything it
 * needs to plan an app is here. Keys (any other key is refused, so a typo never
 * passes silently; a key added in 1.N says so below):
 *
 *   "name"          string, required. [a-z0-9][a-z0-9_.-]* — the plugin's name
 *                   (not the instance's: the manifest names instances).
 *   "version"       string, required. Semantic version "MAJOR.MINOR.PATCH" with
 *                   optional "-prerelease" and "+build".
 *   "description"   string, optional. One line for `hyperion inspect`.
 *   "status"        string, optional: "stable", "beta" or "alpha" (default
 *                   "stable"). How far the plugin's own promises go; shown by
 *                   `inspect` and the admin API.
 *   "provides"      array, optional, of {"api": string, "version": "MAJOR.MINOR"}:
 *                   the service APIs this plugin serves through get_service.
 *   "requires"      array, optional, of {"api": string, "version": "MAJOR.MINOR",
 *                   "optional": bool (default false)}. A provider satisfies a
 *                   requirement when the api names and majors are equal and its
 *                   minor is at least the required minor. A non-optional
 *                   requirement nobody provides is an error before anything starts.
 *   "capabilities"  array, optional, of "health" | "reload" | "state" | "swap".
 *                   The first three must match the vtable: "health" <=> health;
 *                   "reload" <=> reload_prepare + reload_commit + reload_abort;
 *                   "state" <=> state_export + state_import. A mismatch is a
 *                   load error. "swap" (added in 1.1) has no slot; it is a
 *                   promise that two instances of the plugin may run at once
 *                   and that consumers keep nothing inside an instance that its
 *                   successor would lack. A new library is always swapped in
 *                   make-before-break for plugins that provide nothing; with
 *                   "swap" (on both the old and the new library) a static
 *                   config change is swapped too instead of restarting, and a
 *                   provider is swapped under its consumers, who keep their
 *                   handles and are not restarted. Without it a provider with
 *                   consumers restarts with them (docs/hot-swap.md).
 *   "config_schema" object, optional (default: any object). A JSON Schema (draft
 *                   7; only local "#/..." $refs; patterns without nested unbounded
 *                   repetition; multipleOf > 0). The host validates each
 *                   instance's config against it and fills in "default"s before
 *                   create. Annotations the host reads on any property:
 *                     "x-dynamic": true  the field (or everything under an
 *                                        object) changes by reload_prepare/commit;
 *                                        any other change restarts the instance.
 *                     "x-secret": true   the value is a secret: redacted in every
 *                                        diff, view and revision, and scrubbed
 *                                        from what the plugin logs or reports.
 */

/* Declares the metadata array in the metadata section. Use once per library:
 *   HYPERION_METADATA(my_metadata) = "{\"name\": \"hello\", ...}";
 * and point the descriptor's metadata_json at `my_metadata`.
 * Or keep the metadata in a plugin.json file: the CMake package's
 * hyperion_add_plugin(NAME SOURCES ... METADATA plugin.json) embeds it as the
 * array below, for C and C++ plugins alike (examples/hello-c does this): */
extern const char hyperion_plugin_metadata[];
#if defined(__GNUC__) || defined(__clang__)
#define HYPERION_METADATA(identifier)                                             \
  __attribute__((section(HYPERION_METADATA_SECTION), used, aligned(1))) const char \
      identifier[]
#else
#error "hyperion/plugin.h needs GCC or Clang section attributes"
#endif

/* Fills `err` (which may be NULL) with `code` and `message`, truncated to the
 * capacity err->struct_size allows, and returns `code`. For C plugins. */
static inline hyperion_status_t hyperion_error_set(hyperion_error_t* err, hyperion_status_t code,
                                                   const char* message) {
  size_t capacity;
  size_t i = 0;
  if (err == NULL || err->struct_size < offsetof(hyperion_error_t, message) + 1) return code;
  err->code = code;
  capacity = err->struct_size - offsetof(hyperion_error_t, message);
  if (message != NULL) {
    for (; message[i] != '\0' && i + 1 < capacity; ++i) err->message[i] = message[i];
  }
  err->message[i] = '\0';
  return code;
}

/* Makes a hyperion_str_t from a NUL-terminated string. */
static inline hyperion_str_t hyperion_str_from_cstr(const char* s) {
  hyperion_str_t out;
  size_t n = 0;
  if (s != NULL) {
    while (s[n] != '\0') ++n;
  }
  out.data = s;
  out.size = n;
  return out;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HYPERION_PLUGIN_H_ */
