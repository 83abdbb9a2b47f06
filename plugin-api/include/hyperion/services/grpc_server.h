/*
 * hyperion/services/grpc_server.h — the "grpc.server" service API, version 1.0,
 * provided by the grpc-server plugin. A handler plugin lists
 * {"api": "grpc.server", "version": "1.0"} in its "requires", acquires the
 * service, and registers handlers for full method names ("/pkg.Service/Method").
 *
 * Messages cross this ABI as serialized bytes: a handler plugin parses them with
 * its own protobuf build (use LITE_RUNTIME if it is ever to be hot-swapped; see
 * docs/grpc-server.md), and may register its FileDescriptorSet so server
 * reflection can describe its services.
 *
 * THE CALL MODEL. Every RPC, whatever its kind, is one hyperion_grpc_call_t:
 *   1. on_start(user, call) runs when the call arrives; it returns the handler's
 *      per-call state (any pointer, NULL allowed), passed to every later callback.
 *   2. on_message(state, call, bytes) runs once per request message. Unary and
 *      server-streaming calls get exactly one message, then on_half_close.
 *      The next message is read only after on_message returns (flow control).
 *   3. on_half_close(state, call) runs when the client has sent everything.
 *   4. The handler answers with call->ops->send (any number of times for
 *      server-streaming and bidi; exactly once for unary and client-streaming)
 *      and ends the call with call->ops->finish, exactly once, from any thread,
 *      at any later time (asynchronous completion).
 *   5. on_cancel(state, call), optional, runs if the client cancels, the deadline
 *      passes or the server stops before the handler finished. The handler must
 *      still call finish (its status is then not sent).
 *   6. on_done(state, call) runs exactly once, after finish, when no other
 *      callback of the call is running: free the per-call state there. It may
 *      run inside finish. The call handle is invalid once on_done returns.
 *
 * THREAD: callbacks of one call never run concurrently with each other; callbacks
 * of different calls do. Callbacks run on the server's threads and must not block:
 * hand long work to your own threads and finish from there. The call functions
 * (ops) may be called from any thread until finish returns.
 *
 * ERRORS: a callback cannot fail; a handler reports failure through finish's
 * status. A C++ exception escaping a callback is caught by the server, logged,
 * and the call ends with INTERNAL.
 */
#ifndef HYPERION_SERVICES_GRPC_SERVER_H_
#define HYPERION_SERVICES_GRPC_SERVER_H_

#include <hyperion/plugin.h>
#include <hyperion/services/grpc_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_GRPC_SERVER_API "grpc.server"
#define HYPERION_GRPC_SERVER_MAJOR 1

/* Which metadata add_metadata writes. */
#define HYPERION_GRPC_INITIAL_METADATA 0
#define HYPERION_GRPC_TRAILING_METADATA 1

typedef struct hyperion_grpc_call_ops_t hyperion_grpc_call_ops_t;

/* One RPC in progress. OWNERSHIP: the server owns it; valid from on_start until
 * on_done returns. The server's own fields follow `ops` and are private. */
typedef struct hyperion_grpc_call_t {
  uint32_t struct_size;
  const hyperion_grpc_call_ops_t* ops;
} hyperion_grpc_call_t;

/* What the handler can do with a call. OWNERSHIP: the server owns the table.
 * THREAD: any thread, until finish returns. */
struct hyperion_grpc_call_ops_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* The full method name, "/pkg.Service/Method". Valid until on_done. */
  hyperion_str_t (*method)(const hyperion_grpc_call_t* call);
  /* The client's address as gRPC names it ("ipv4:127.0.0.1:5555"). Valid until on_done. */
  hyperion_str_t (*peer)(const hyperion_grpc_call_t* call);
  /* The W3C traceparent of this call's server span: the trace the client sent
   * in its "traceparent" metadata (with a new span id), or a new trace when it
   * sent none or an invalid one. Pass it on in the handler's outgoing calls.
   * Valid until on_done. */
  hyperion_str_t (*traceparent)(const hyperion_grpc_call_t* call);
  /* The client's deadline on the host's clock (hyperion_host_api_t.now_ns), or
   * UINT64_MAX when it set none. */
  uint64_t (*deadline_ns)(const hyperion_grpc_call_t* call);
  /* Non-zero once the call was cancelled (client cancel, deadline, server stop). */
  int (*is_cancelled)(const hyperion_grpc_call_t* call);

  /* The request metadata: `index` from 0; returns 0 past the end. Keys are
   * lower-case; values of "-bin" keys are raw bytes. Valid until on_done. */
  int (*metadata_at)(const hyperion_grpc_call_t* call, size_t index, hyperion_str_t* out_key,
                     hyperion_bytes_t* out_value);
  /* Adds response metadata (HYPERION_GRPC_INITIAL_METADATA before the first
   * send, HYPERION_GRPC_TRAILING_METADATA before finish). Fails with
   * HYPERION_ERR_FAILED_PRECONDITION when it is too late, and
   * HYPERION_ERR_INVALID_ARGUMENT for an invalid key. */
  hyperion_status_t (*add_metadata)(hyperion_grpc_call_t* call, int32_t which, hyperion_str_t key,
                                    hyperion_bytes_t value, hyperion_error_t* err);

  /* Queues one response message (the server copies it). Fails with
   * HYPERION_ERR_ABORTED once the call is cancelled, and with
   * HYPERION_ERR_FAILED_PRECONDITION after finish or when a unary or
   * client-streaming call already has its response. */
  hyperion_status_t (*send)(hyperion_grpc_call_t* call, hyperion_bytes_t message,
                            hyperion_error_t* err);
  /* Ends the call with `code` and `message` (sent after every queued response).
   * Call exactly once per call, even after cancellation. A unary or
   * client-streaming call finished with HYPERION_GRPC_OK but no response ends
   * with INTERNAL. After it returns the handler must not use `call` again. */
  void (*finish)(hyperion_grpc_call_t* call, hyperion_grpc_code_t code, hyperion_str_t message);
};

/* A handler for one method. OWNERSHIP: the registering plugin owns it and
 * `user`; the server copies the struct. Every callback but on_cancel is required. */
typedef struct hyperion_grpc_handler_t {
  uint32_t struct_size;
  hyperion_grpc_kind_t kind;
  void* user;
  void* (*on_start)(void* user, hyperion_grpc_call_t* call);
  void (*on_message)(void* state, hyperion_grpc_call_t* call, hyperion_bytes_t message);
  void (*on_half_close)(void* state, hyperion_grpc_call_t* call);
  void (*on_cancel)(void* state, hyperion_grpc_call_t* call); /* optional: NULL */
  void (*on_done)(void* state, hyperion_grpc_call_t* call);
} hyperion_grpc_handler_t;

/* The service vtable (hyperion_service_ref_t.vtable). THREAD: any thread. */
typedef struct hyperion_grpc_server_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Routes calls to `method` ("/pkg.Service/Method") to `handler`. Registering a
   * method that already has a handler replaces it atomically: new calls go to
   * the newest registration, calls in flight stay with the one that started
   * them (this is how a handler plugin is hot-swapped). *out_id identifies the
   * registration. Fails with HYPERION_ERR_INVALID_ARGUMENT for a malformed
   * method name or handler. */
  hyperion_status_t (*register_handler)(void* ctx, hyperion_str_t method,
                                        const hyperion_grpc_handler_t* handler, uint64_t* out_id,
                                        hyperion_error_t* err);
  /* Removes a registration: no new call reaches it (the previous registration
   * of the method, if any, takes over). Then waits until every call it started
   * has delivered on_done. Calls still running shortly before `deadline_ns`
   * (host clock; a fifth of the time left, at most 100 ms) are cancelled and
   * get until the deadline to finish. If some are still running then,
   * HYPERION_ERR_DEADLINE_EXCEEDED is returned: their on_done has not run yet,
   * so keep the code loaded until it has. Pass a deadline a little before your
   * own stop deadline. Unknown ids fail with HYPERION_ERR_NOT_FOUND. */
  hyperion_status_t (*unregister_handler)(void* ctx, uint64_t id, uint64_t deadline_ns,
                                          hyperion_error_t* err);

  /* Adds a serialized google.protobuf.FileDescriptorSet (protoc
   * --descriptor_set_out --include_imports) that server reflection serves.
   * The server copies it. When two registered sets hold a file of the same
   * name, the newest registration's version is served (a swapped handler's
   * new build). Fails with HYPERION_ERR_INVALID_ARGUMENT when the bytes are not
   * a FileDescriptorSet or its files do not form a consistent pool. */
  hyperion_status_t (*register_descriptors)(void* ctx, hyperion_bytes_t file_descriptor_set,
                                            uint64_t* out_id, hyperion_error_t* err);
  /* Withdraws a descriptor set added by register_descriptors. */
  void (*unregister_descriptors)(void* ctx, uint64_t id);
} hyperion_grpc_server_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_GRPC_SERVER_H_ */
