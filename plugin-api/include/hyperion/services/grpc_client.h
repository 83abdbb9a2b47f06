/*
 * hyperion/services/grpc_client.h — the "grpc.client" service API, version 1.0,
 * provided by the grpc-client plugin. A plugin that lists
 * {"api": "grpc.client", "version": "1.0"} in its "requires" calls gRPC
 * services through it, so that channels, balancing over discovery, deadlines,
 * retries, the circuit breaker, TLS, tracing and metrics live in one place and
 * one configuration (docs/grpc-client.md).
 *
 * TARGETS. A call names a target of the plugin's config ("users"), not an
 * address: the target says where its instances are (a "host:port" list or
 * "discovery:///<service>"), how to balance over them, and its defaults.
 * Messages cross this ABI as serialized bytes, the same shape as grpc.server:
 * the calling plugin serializes and parses with its own protobuf build.
 *
 * OUTCOMES. A call that is accepted (the function returns HYPERION_OK) ends
 * exactly once with a hyperion_grpc_client_result_t: a gRPC status code and
 * message (the server's, or the client's own: DEADLINE_EXCEEDED, UNAVAILABLE
 * when no instance can be reached or the target's circuit breaker is open,
 * CANCELLED), the response for unary calls, the metadata, the attempts made.
 * A call that is refused (an unknown target, a malformed method name or
 * metadata key, the client stopping) returns an error status with `err` set,
 * and its callbacks never run:
 *   HYPERION_ERR_NOT_FOUND         no target of that name in the config
 *   HYPERION_ERR_INVALID_ARGUMENT  method not "/pkg.Service/Method", bad metadata key
 *   HYPERION_ERR_ABORTED           the client is stopping
 *
 * RETRIES. A unary call that ends with one of the target's retry.on codes
 * (default UNAVAILABLE) is tried again, on another instance when there is one,
 * after an exponential backoff with full jitter, up to retry.max_attempts in
 * all and within the call's deadline — only when the method is marked
 * idempotent in the config or the call says `idempotent = 1`. Streams are
 * never retried.
 *
 * DEADLINES. timeout_ms of the call, else the method's deadline_ms in the
 * config, else the target's deadline_ms; 0 everywhere means none. The deadline
 * covers every attempt and wait and is sent to the server.
 *
 * THREAD: every function may be called from any thread, concurrently.
 * Callbacks run on the client's threads (gRPC's): keep them short, never wait
 * in them for another call of this client.
 */
#ifndef HYPERION_SERVICES_GRPC_CLIENT_H_
#define HYPERION_SERVICES_GRPC_CLIENT_H_

#include <hyperion/plugin.h>
#include <hyperion/services/grpc_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_GRPC_CLIENT_API "grpc.client"
#define HYPERION_GRPC_CLIENT_MAJOR 1

/* What to call and how. OWNERSHIP: the caller's; the client copies what it
 * needs before the function returns. Zero-initialize it and set struct_size. */
typedef struct hyperion_grpc_client_call_t {
  uint32_t struct_size;
  hyperion_str_t target; /* a target name of the plugin's config: "users" */
  hyperion_str_t method; /* the full method name: "/users.v1.Users/Get" */
  const hyperion_grpc_metadata_t* metadata;
  size_t metadata_count;
  int64_t timeout_ms; /* 0: the configured deadline (see DEADLINES) */
  int32_t idempotent; /* -1: as the config marks the method; 0: never retried; 1: may be retried */
  /* The caller's W3C traceparent. The call carries a child span of it (or a
   * new trace when empty) in its "traceparent" metadata. */
  hyperion_str_t traceparent;
} hyperion_grpc_client_call_t;

/* How a call ended. OWNERSHIP: the client's; valid only during the callback it
 * is passed to. */
typedef struct hyperion_grpc_client_result_t {
  uint32_t struct_size;
  hyperion_grpc_code_t code;
  hyperion_str_t message;
  hyperion_bytes_t response; /* unary: the response message when code is OK; else empty */
  const hyperion_grpc_metadata_t* initial_metadata;
  size_t initial_metadata_count;
  const hyperion_grpc_metadata_t* trailing_metadata;
  size_t trailing_metadata_count;
  uint32_t attempts;   /* 1 + retries made; 0 when no instance was ever tried */
  hyperion_str_t peer; /* "host:port" of the instance that answered last; empty if none */
} hyperion_grpc_client_result_t;

typedef void (*hyperion_grpc_client_done_fn)(void* user, const hyperion_grpc_client_result_t* result);

/* A stream in progress (server-streaming, client-streaming and bidi calls are
 * all streams). OWNERSHIP: the client's, until stream_release. */
typedef struct hyperion_grpc_client_stream_t hyperion_grpc_client_stream_t;

/* What a stream calls back. OWNERSHIP: the caller's; copied by open_stream. */
typedef struct hyperion_grpc_client_stream_handler_t {
  uint32_t struct_size;
  void* user;
  /* Each response message, in order; the next is read after it returns (flow
   * control). Required. */
  void (*on_message)(void* user, hyperion_bytes_t message);
  /* Exactly once, last: the stream's outcome (result->response is empty).
   * No callback of the stream runs after it. Required. */
  hyperion_grpc_client_done_fn on_done;
} hyperion_grpc_client_stream_handler_t;

/* The service vtable (hyperion_service_ref_t.vtable). */
typedef struct hyperion_grpc_client_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* A unary call on the calling thread: `done` runs before it returns. */
  hyperion_status_t (*unary)(void* ctx, const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                             hyperion_grpc_client_done_fn done, void* user, hyperion_error_t* err);
  /* A unary call that returns at once; `done` runs later on a client thread.
   * On success *out_id (when not NULL) identifies the call for cancel(). */
  hyperion_status_t (*unary_async)(void* ctx, const hyperion_grpc_client_call_t* call, hyperion_bytes_t request,
                                   hyperion_grpc_client_done_fn done, void* user, uint64_t* out_id,
                                   hyperion_error_t* err);
  /* Cancels an async unary call still in flight: it ends with CANCELLED
   * (unless it ended already). Unknown or finished ids are ignored. */
  void (*cancel)(void* ctx, uint64_t id);

  /* Starts a stream to one instance of the target. Send requests with
   * stream_write, then stream_close_send (a server-streaming call: one write,
   * then close_send). The handler's callbacks run until on_done. */
  hyperion_status_t (*open_stream)(void* ctx, const hyperion_grpc_client_call_t* call,
                                   const hyperion_grpc_client_stream_handler_t* handler,
                                   hyperion_grpc_client_stream_t** out_stream, hyperion_error_t* err);
  /* Queues one request message (copied). Blocks while more than the client's
   * write window (1 MiB) is queued and not yet sent. Fails with
   * HYPERION_ERR_ABORTED once the stream has ended, and with
   * HYPERION_ERR_FAILED_PRECONDITION after stream_close_send. */
  hyperion_status_t (*stream_write)(void* ctx, hyperion_grpc_client_stream_t* stream, hyperion_bytes_t message,
                                    hyperion_error_t* err);
  /* The caller has sent everything (half-close), after the queued writes. */
  void (*stream_close_send)(void* ctx, hyperion_grpc_client_stream_t* stream);
  /* Ends the stream now: it ends with CANCELLED unless it ended already. */
  void (*stream_cancel)(void* ctx, hyperion_grpc_client_stream_t* stream);
  /* The caller is done with the handle: cancels the stream if it has not
   * ended, waits until on_done has returned, and frees the handle. Call it
   * exactly once per stream, never from inside the stream's own callbacks. */
  void (*stream_release)(void* ctx, hyperion_grpc_client_stream_t* stream);
} hyperion_grpc_client_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_GRPC_CLIENT_H_ */
