/*
 * hyperion/services/http_client.h — the "http.client" service API, version 1.0,
 * provided by the http-client plugin. A plugin that lists
 * {"api": "http.client", "version": "1.0"} in its "requires" makes HTTP calls
 * through it, so that retries, timeouts, connection pooling, the circuit
 * breaker, TLS and tracing live in one place and one configuration.
 *
 * OUTCOMES. A call ends in exactly one of two ways:
 *   - HYPERION_OK with a response: the server answered (any HTTP status; a 503
 *     after the last retry is still a response);
 *   - an error status, with no response:
 *       HYPERION_ERR_INVALID_ARGUMENT  bad request (URL, method, header)
 *       HYPERION_ERR_UNAVAILABLE       connection failed (refused, reset, TLS),
 *                                      or the host's circuit breaker is open
 *       HYPERION_ERR_DEADLINE_EXCEEDED the call's total timeout passed
 *       HYPERION_ERR_FAILED_PRECONDITION the response was larger than
 *                                      max_response_bytes
 *       HYPERION_ERR_ABORTED           the client stopped while the call waited
 *     The error message names the URL's host and the reason.
 *
 * RETRIES. Connection errors, 5xx and 429 are retried up to max_retries times
 * with exponential backoff and full jitter between retry_wait_min and
 * retry_wait_max; a Retry-After header (seconds or HTTP date) sets the wait
 * instead. Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) are
 * retried unless the call says `idempotent = 1`.
 *
 * THREAD: every function may be called from any thread, concurrently.
 */
#ifndef HYPERION_SERVICES_HTTP_CLIENT_H_
#define HYPERION_SERVICES_HTTP_CLIENT_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_HTTP_CLIENT_API "http.client"
#define HYPERION_HTTP_CLIENT_MAJOR 1

/* One header. OWNERSHIP: whoever passes it; valid only during the call. */
typedef struct hyperion_http_header_t {
  hyperion_str_t name;
  hyperion_str_t value;
} hyperion_http_header_t;

/* A request. OWNERSHIP: the caller's; the client copies what it needs before
 * request_async returns. Zero-initialize it and set struct_size: every option
 * left at 0 (or -1 where noted) takes the client's configured default. */
typedef struct hyperion_http_request_t {
  uint32_t struct_size;
  hyperion_str_t method;  /* "GET", "POST", ... (upper case) */
  hyperion_str_t url;     /* "http://host:port/path?query" or "https://..." */
  const hyperion_http_header_t* headers;
  size_t header_count;
  hyperion_bytes_t body;
  /* Per-call options. */
  int64_t timeout_ms;     /* total time for the call, retries included; 0: default */
  int32_t max_retries;    /* -1: default; 0: no retry */
  int32_t idempotent;     /* -1: by method; 0: never retried; 1: may be retried */
  /* The caller's W3C traceparent. The client sends a child span of it (or
   * starts a new trace when empty) in the "traceparent" header. */
  hyperion_str_t traceparent;
} hyperion_http_request_t;

/* A response. OWNERSHIP: the client's; valid only during the completion
 * callback it is passed to. Header names are lower case. */
typedef struct hyperion_http_response_t {
  uint32_t struct_size;
  int32_t status;  /* HTTP status code */
  const hyperion_http_header_t* headers;
  size_t header_count;
  hyperion_bytes_t body;
  uint32_t attempts;  /* 1 + retries made */
} hyperion_http_response_t;

/* The completion: `status` is HYPERION_OK with `response` set, or an error with
 * `response` NULL and `error` describing it. Runs exactly once. */
typedef void (*hyperion_http_done_fn)(void* user, hyperion_status_t status, const hyperion_http_response_t* response,
                                      const hyperion_error_t* error);

/* The service vtable (hyperion_service_ref_t.vtable). */
typedef struct hyperion_http_client_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Performs the call on the calling thread and calls `done` before returning. */
  void (*request)(void* ctx, const hyperion_http_request_t* request, hyperion_http_done_fn done, void* user);
  /* Queues the call and returns at once; `done` runs later on one of the
   * client's threads (or at once, on this thread, when the request is invalid
   * or the client is stopping). */
  void (*request_async)(void* ctx, const hyperion_http_request_t* request, hyperion_http_done_fn done, void* user);
} hyperion_http_client_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_HTTP_CLIENT_H_ */
