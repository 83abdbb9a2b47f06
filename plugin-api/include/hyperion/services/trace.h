/*
 * hyperion/services/trace.h — the "trace" service API, version 1.0, provided
 * by the tracing plugin. A plugin that lists
 * {"api": "trace", "version": "1.0", "optional": true} in its "requires"
 * records spans of the work it does; the tracing plugin samples them, batches
 * them and exports them over OTLP (Jaeger, any OpenTelemetry collector). With
 * no tracing instance in the manifest the requirement is simply unmet and the
 * plugin records nothing: W3C traceparent still travels (docs/tracing.md).
 *
 * SPANS ARE VALUES. start_span fills a caller-owned hyperion_trace_span_t: the
 * span's W3C ids and flags, and `recording`, the plugin's record of it — NULL
 * when the trace is not sampled. An unsampled span costs no allocation, and
 * every function below returns at once for it; its ids still propagate (pass
 * hyperion_trace_span_t's traceparent downstream, see trace.hpp), so the
 * services called later continue the same, unsampled, trace.
 *
 * LIFETIME. Every span started must be ended exactly once (end_span); after
 * end_span `recording` is NULL and the span is only ids. A recording span
 * never ended is never exported and stays allocated.
 *
 * TIME. Times are nanoseconds since the Unix epoch (OTLP's clock); 0 means now.
 *
 * THREAD: different spans may be used from any threads concurrently; the
 * calls on one span must not overlap (one owner at a time).
 */
#ifndef HYPERION_SERVICES_TRACE_H_
#define HYPERION_SERVICES_TRACE_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_TRACE_API "trace"
#define HYPERION_TRACE_MAJOR 1

/* Span kinds, with OTLP's numbers. */
typedef int32_t hyperion_span_kind_t;
#define HYPERION_SPAN_INTERNAL 1
#define HYPERION_SPAN_SERVER 2
#define HYPERION_SPAN_CLIENT 3
#define HYPERION_SPAN_PRODUCER 4
#define HYPERION_SPAN_CONSUMER 5

/* Span status codes, with OTLP's numbers. */
typedef int32_t hyperion_span_status_t;
#define HYPERION_SPAN_STATUS_UNSET 0
#define HYPERION_SPAN_STATUS_OK 1
#define HYPERION_SPAN_STATUS_ERROR 2

/* Attribute value types. */
#define HYPERION_ATTR_STRING 0
#define HYPERION_ATTR_INT 1
#define HYPERION_ATTR_DOUBLE 2
#define HYPERION_ATTR_BOOL 3

/* One attribute ("rpc.method" = "SayHello"). The value is in the field its
 * type names (a bool in int_value: 0 or 1). OWNERSHIP: the caller's; copied. */
typedef struct hyperion_trace_attribute_t {
  hyperion_str_t key;
  int32_t type;
  hyperion_str_t string_value;
  int64_t int_value;
  double double_value;
} hyperion_trace_attribute_t;

/* A span: its W3C ids, and the plugin's record of it while it records. */
typedef struct hyperion_trace_span_t {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  uint8_t flags;   /* W3C trace-flags: bit 0 set when sampled */
  void* recording; /* the plugin's; NULL when not sampled or once ended */
} hyperion_trace_span_t;

/* What start_span needs. Zero-initialize it and set struct_size. */
typedef struct hyperion_trace_span_start_t {
  uint32_t struct_size;
  hyperion_str_t name; /* "/hello.Greeter/SayHello", "GET /api/users/{id}" */
  hyperion_span_kind_t kind;
  /* The parent: a W3C traceparent ("00-<trace>-<span>-<flags>") as received
   * or as another span gave it. Empty or invalid: the span starts a trace. */
  hyperion_str_t traceparent;
  hyperion_str_t tracestate;   /* the W3C tracestate that came with it, kept on the span */
  uint64_t start_time_unix_ns; /* 0: now */
  const hyperion_trace_attribute_t* attributes;
  size_t attribute_count;
} hyperion_trace_span_start_t;

/* The service vtable (hyperion_service_ref_t.vtable). */
typedef struct hyperion_trace_v1_t {
  uint32_t struct_size;

  /* --- Version 1.0 --- */

  /* Starts a span, child of start->traceparent, sampled by the plugin's
   * sampler (a sampled parent's children are sampled under parent_based).
   * Fills *out (never fails for a bad parent: that starts a new trace).
   * Fails with HYPERION_ERR_INVALID_ARGUMENT for NULL arguments. */
  hyperion_status_t (*start_span)(void* ctx, const hyperion_trace_span_start_t* start, hyperion_trace_span_t* out,
                                  hyperion_error_t* err);
  /* Sets attributes (a key set twice keeps the last value). */
  void (*set_attributes)(void* ctx, hyperion_trace_span_t* span, const hyperion_trace_attribute_t* attributes,
                         size_t count);
  /* Adds an event ("retry", "exception") at `time_unix_ns` (0: now). */
  void (*add_event)(void* ctx, hyperion_trace_span_t* span, hyperion_str_t name, uint64_t time_unix_ns,
                    const hyperion_trace_attribute_t* attributes, size_t count);
  /* Sets the status (ERROR with a message, or OK). */
  void (*set_status)(void* ctx, hyperion_trace_span_t* span, hyperion_span_status_t code, hyperion_str_t message);
  /* Ends the span at `end_time_unix_ns` (0: now) and hands it to the
   * exporter; span->recording is NULL afterwards. */
  void (*end_span)(void* ctx, hyperion_trace_span_t* span, uint64_t end_time_unix_ns);
} hyperion_trace_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_TRACE_H_ */
