/*
 * hyperion/services/http_server.h — the "http.server" service API, version 1.0,
 * provided by the http-server plugin. A handler plugin lists
 * {"api": "http.server", "version": "1.0"} in its "requires", acquires the
 * service, and registers a handler per route: a method and a path template.
 *
 * ROUTES. A path template is "/" followed by segments separated by "/". A
 * segment is literal text, a parameter "{name}" (one whole segment, never
 * empty), or — last only — "{name...}", which takes the rest of the path
 * (possibly empty, slashes included). The most specific route wins, segment by
 * segment from the left: a literal beats a parameter, a parameter beats a rest.
 * The method is upper-case ("GET", "POST", ...) or "*" for every method not
 * registered explicitly on the same template. An optional host restricts the
 * route to requests whose Host header names it (case-insensitive, port
 * ignored); a route with a host beats the same template without one.
 * The server itself answers: 404 when no template matches, 405 with an Allow
 * header when a template matches but not the method, HEAD with the GET
 * handler's answer minus its body, OPTIONS with Allow (and CORS preflights
 * from the server's configuration). Every error the server produces is an
 * RFC 9457 problem (application/problem+json).
 *
 * THE EXCHANGE MODEL. Every request is one hyperion_http_exchange_t:
 *   1. on_request(user, exchange) runs once the whole request has arrived (the
 *      body is buffered up to the server's max_body_bytes; larger ones get 413
 *      without reaching the handler). It returns the handler's per-exchange
 *      state (any pointer, NULL allowed), passed to on_cancel and on_done.
 *   2. The handler answers, during on_request or later from any thread, with
 *      exactly one of:
 *        - ops->respond(status, body): the whole response at once; or
 *        - ops->begin_stream(status), then ops->write(chunk) any number of
 *          times, then ops->end_stream(): a chunked body (Server-Sent Events,
 *          long downloads). Set "content-type: text/event-stream" for SSE.
 *      Headers are added with ops->add_header before respond/begin_stream.
 *   3. on_cancel(state, exchange), optional, runs when the client went away
 *      (noticed when the server writes to it), the handler's deadline passed
 *      (the server then answered 503 itself) or the route is being drained
 *      (an answer is still sent if the client is there). The handler must
 *      still call respond or end_stream so the exchange can end.
 *   4. on_done(state, exchange), optional, runs exactly once, after respond or
 *      end_stream, when no other callback of the exchange is running: free the
 *      per-exchange state there. The exchange handle is invalid once it returns.
 *
 * THREAD: callbacks of one exchange never run concurrently with each other;
 * callbacks of different exchanges do. Callbacks run on the server's I/O
 * threads and must not block for long: a handler that waits (on another
 * service, a database across the network) should answer from its own thread.
 * The ops may be called from any thread until respond or end_stream returns.
 *
 * ERRORS: a callback cannot fail; a handler reports failure with a status code
 * (the C++ helpers write a problem body) and may note the reason for the log
 * (note_error). A C++ exception escaping on_request is caught by the server,
 * logged, and answered with 500 when nothing was sent yet; the exchange then
 * ends at once and on_done runs with a NULL state, so keep nothing of it.
 */
#ifndef HYPERION_SERVICES_HTTP_SERVER_H_
#define HYPERION_SERVICES_HTTP_SERVER_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_HTTP_SERVER_API "http.server"
#define HYPERION_HTTP_SERVER_MAJOR 1

typedef struct hyperion_http_exchange_ops_t hyperion_http_exchange_ops_t;

/* One request and its response. OWNERSHIP: the server owns it; valid from
 * on_request until on_done returns. The server's own fields follow `ops`. */
typedef struct hyperion_http_exchange_t {
  uint32_t struct_size;
  const hyperion_http_exchange_ops_t* ops;
} hyperion_http_exchange_t;

/* What the handler can do with an exchange. OWNERSHIP: the server owns the
 * table. Every string and byte view returned is valid until on_done. */
struct hyperion_http_exchange_ops_t {
  uint32_t struct_size;

  /* --- Version 1.0: the request --- */

  /* The request method, upper-case. A HEAD request served by a GET route says
   * "HEAD" (answer as for GET; the server drops the body). */
  hyperion_str_t (*method)(const hyperion_http_exchange_t* ex);
  /* The path, percent-decoded, without the query ("/api/v1/users/42"). */
  hyperion_str_t (*path)(const hyperion_http_exchange_t* ex);
  /* The request target exactly as the client sent it ("/api/v1/users/42?x=1"). */
  hyperion_str_t (*target)(const hyperion_http_exchange_t* ex);
  /* The template of the route that matched ("/api/v1/users/{id}"). */
  hyperion_str_t (*route)(const hyperion_http_exchange_t* ex);
  /* Path parameters in template order, percent-decoded: `index` from 0;
   * returns 0 past the end. */
  int (*param_at)(const hyperion_http_exchange_t* ex, size_t index, hyperion_str_t* out_name,
                  hyperion_str_t* out_value);
  /* Query parameters in request order, decoded ("+" is a space); a key
   * without "=" has an empty value. Returns 0 past the end. */
  int (*query_at)(const hyperion_http_exchange_t* ex, size_t index, hyperion_str_t* out_key, hyperion_str_t* out_value);
  /* Request headers in request order, names lower-case. Returns 0 past the end. */
  int (*header_at)(const hyperion_http_exchange_t* ex, size_t index, hyperion_str_t* out_name,
                   hyperion_str_t* out_value);
  /* The request body (already decoded from chunked transfer encoding). */
  hyperion_bytes_t (*body)(const hyperion_http_exchange_t* ex);
  /* The client's address, "127.0.0.1:5555" or "[::1]:5555". */
  hyperion_str_t (*peer)(const hyperion_http_exchange_t* ex);
  /* The W3C traceparent of this request's server span: the client's trace with
   * a new span id, or a new trace when it sent none or an invalid one. */
  hyperion_str_t (*traceparent)(const hyperion_http_exchange_t* ex);
  /* The request id: the client's X-Request-Id when it is sane, else a new one.
   * The server echoes it in the response's X-Request-Id. */
  hyperion_str_t (*request_id)(const hyperion_http_exchange_t* ex);
  /* When the server stops waiting for the answer (host clock,
   * hyperion_host_api_t.now_ns); UINT64_MAX for none. */
  uint64_t (*deadline_ns)(const hyperion_http_exchange_t* ex);
  /* Non-zero once the exchange was cancelled (see on_cancel). */
  int (*is_cancelled)(const hyperion_http_exchange_t* ex);
  /* Records why the handler failed, for the server's log (the access line
   * carries it as error="..."); the client never sees it. The last note wins. */
  void (*note_error)(hyperion_http_exchange_t* ex, hyperion_str_t message);

  /* --- Version 1.0: the response --- */

  /* Adds a response header. Fails with HYPERION_ERR_FAILED_PRECONDITION after
   * respond or begin_stream, and with HYPERION_ERR_INVALID_ARGUMENT for a name
   * that is not an HTTP token or a value with a control character. The server
   * sets Content-Length, Transfer-Encoding, Date and Connection itself. */
  hyperion_status_t (*add_header)(hyperion_http_exchange_t* ex, hyperion_str_t name, hyperion_str_t value,
                                  hyperion_error_t* err);
  /* Sends the whole response (the server copies `body`) and ends the exchange.
   * `status` is 200..599; otherwise 500 is sent and
   * HYPERION_ERR_INVALID_ARGUMENT returned. A cancelled exchange is still
   * answered while the client is there. Fails with HYPERION_ERR_ABORTED when
   * the server already answered in the handler's place (its deadline passed)
   * or the client is gone (the exchange still ends), and with
   * HYPERION_ERR_FAILED_PRECONDITION when it was already answered. */
  hyperion_status_t (*respond)(hyperion_http_exchange_t* ex, int32_t status, hyperion_bytes_t body,
                               hyperion_error_t* err);
  /* Sends the status and headers; the body follows in write calls (chunked).
   * Same failures as respond, but the exchange stays open until end_stream. */
  hyperion_status_t (*begin_stream)(hyperion_http_exchange_t* ex, int32_t status, hyperion_error_t* err);
  /* Queues one piece of a streamed body (the server copies it; an empty piece
   * is ignored). Fails with HYPERION_ERR_ABORTED once the client is gone or the
   * exchange was cancelled, and HYPERION_ERR_FAILED_PRECONDITION outside a stream. */
  hyperion_status_t (*write)(hyperion_http_exchange_t* ex, hyperion_bytes_t chunk, hyperion_error_t* err);
  /* Ends a streamed body and the exchange. Call exactly once after
   * begin_stream, even after cancellation. */
  void (*end_stream)(hyperion_http_exchange_t* ex);
};

/* A route: which requests a handler serves. The server copies it. */
typedef struct hyperion_http_route_t {
  uint32_t struct_size;
  hyperion_str_t method; /* "GET", "POST", ... or "*" */
  hyperion_str_t path;   /* template, e.g. "/api/v1/users/{id}" or "/files/{rest...}" */
  hyperion_str_t host;   /* empty: any host */
} hyperion_http_route_t;

/* A handler. OWNERSHIP: the registering plugin owns it and `user`; the server
 * copies the struct. on_request is required. */
typedef struct hyperion_http_handler_t {
  uint32_t struct_size;
  void* user;
  void* (*on_request)(void* user, hyperion_http_exchange_t* ex);
  void (*on_cancel)(void* state, hyperion_http_exchange_t* ex); /* optional: NULL */
  void (*on_done)(void* state, hyperion_http_exchange_t* ex);   /* optional: NULL */
} hyperion_http_handler_t;

/* The service vtable (hyperion_service_ref_t.vtable). THREAD: any thread. */
typedef struct hyperion_http_server_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Routes requests matching `route` to `handler`. Registering a route that
   * already has a handler (same method, template and host) stacks the new one
   * on top: new requests go to the newest registration, requests in flight stay
   * with the one that started them (this is how a handler plugin is
   * hot-swapped). *out_id identifies the registration. Fails with
   * HYPERION_ERR_INVALID_ARGUMENT for a malformed method, template, host or
   * handler, naming what is wrong; and when the template conflicts with a
   * registered one that differs only in parameter names ("/u/{id}" vs "/u/{name}"). */
  hyperion_status_t (*register_route)(void* ctx, const hyperion_http_route_t* route,
                                      const hyperion_http_handler_t* handler, uint64_t* out_id, hyperion_error_t* err);
  /* Removes a registration: no new request reaches it (the previous
   * registration of the route, if any, takes over; else 404/405). Then waits
   * until every exchange it started has delivered on_done. Exchanges still
   * running shortly before `deadline_ns` (host clock; a fifth of the time left,
   * at most 100 ms) are cancelled and get until the deadline to end. If some
   * are still running then, HYPERION_ERR_DEADLINE_EXCEEDED is returned: their
   * on_done has not run yet, so keep the code loaded until it has. Unknown ids
   * fail with HYPERION_ERR_NOT_FOUND. */
  hyperion_status_t (*unregister_route)(void* ctx, uint64_t id, uint64_t deadline_ns, hyperion_error_t* err);
} hyperion_http_server_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_HTTP_SERVER_H_ */
