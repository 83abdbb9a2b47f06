/* Pins the ABI 1.x layout (x86-64 / LP64): any change here is an ABI break.
 * Included by a C11 and a C++20 translation unit, both built with -pedantic -Werror. */
#include <hyperion/plugin.h>
#include <hyperion/services/discovery.h>
#include <hyperion/services/grpc_client.h>
#include <hyperion/services/grpc_server.h>
#include <hyperion/services/health.h>
#include <hyperion/services/http_client.h>
#include <hyperion/services/http_server.h>
#include <hyperion/services/trace.h>
#include <stddef.h>

#ifdef __cplusplus
#define ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

ABI_ASSERT(HYPERION_ABI_MAJOR == 1, "major");
ABI_ASSERT(HYPERION_PLUGIN_MAGIC == 0x52505948u, "magic");
ABI_ASSERT(HYPERION_OK == 0 && HYPERION_ERR_INVALID_ARGUMENT == 1 && HYPERION_ERR_NOT_FOUND == 2 &&
               HYPERION_ERR_FAILED_PRECONDITION == 3 && HYPERION_ERR_UNAVAILABLE == 4 && HYPERION_ERR_INTERNAL == 5 &&
               HYPERION_ERR_UNSUPPORTED == 6 && HYPERION_ERR_DEADLINE_EXCEEDED == 7 && HYPERION_ERR_ABORTED == 8,
           "status codes are never renumbered");

ABI_ASSERT(sizeof(hyperion_str_t) == 16 && offsetof(hyperion_str_t, size) == 8, "hyperion_str_t");
ABI_ASSERT(offsetof(hyperion_error_t, code) == 4 && offsetof(hyperion_error_t, message) == 8, "hyperion_error_t");
ABI_ASSERT(sizeof(hyperion_error_t) == 8 + HYPERION_ERROR_MESSAGE_CAPACITY, "hyperion_error_t size");
ABI_ASSERT(offsetof(hyperion_sink_t, ctx) == 8 && offsetof(hyperion_sink_t, write) == 16, "hyperion_sink_t");
ABI_ASSERT(offsetof(hyperion_service_ref_t, api_minor) == 4 && offsetof(hyperion_service_ref_t, vtable) == 8 &&
               offsetof(hyperion_service_ref_t, ctx) == 16,
           "hyperion_service_ref_t");

ABI_ASSERT(offsetof(hyperion_plugin_t, magic) == 0 && offsetof(hyperion_plugin_t, struct_size) == 4 &&
               offsetof(hyperion_plugin_t, abi_major) == 8 && offsetof(hyperion_plugin_t, abi_minor) == 12 &&
               offsetof(hyperion_plugin_t, metadata_json) == 16 && offsetof(hyperion_plugin_t, vtable) == 24 &&
               sizeof(hyperion_plugin_t) == 32,
           "hyperion_plugin_t 1.0");

/* Plugin vtable 1.0: struct_size then 11 function pointers, in this order. */
ABI_ASSERT(offsetof(hyperion_plugin_vtable_t, create) == 8 && offsetof(hyperion_plugin_vtable_t, start) == 16 &&
               offsetof(hyperion_plugin_vtable_t, stop) == 24 && offsetof(hyperion_plugin_vtable_t, destroy) == 32 &&
               offsetof(hyperion_plugin_vtable_t, health) == 40 &&
               offsetof(hyperion_plugin_vtable_t, reload_prepare) == 48 &&
               offsetof(hyperion_plugin_vtable_t, reload_commit) == 56 &&
               offsetof(hyperion_plugin_vtable_t, reload_abort) == 64 &&
               offsetof(hyperion_plugin_vtable_t, state_export) == 72 &&
               offsetof(hyperion_plugin_vtable_t, state_import) == 80 &&
               offsetof(hyperion_plugin_vtable_t, get_service) == 88 && sizeof(hyperion_plugin_vtable_t) == 96,
           "hyperion_plugin_vtable_t 1.0");

/* Host API 1.0: struct_size then 16 function pointers, in this order. */
ABI_ASSERT(
    offsetof(hyperion_host_api_t, log) == 8 && offsetof(hyperion_host_api_t, log_level) == 16 &&
        offsetof(hyperion_host_api_t, counter_add) == 24 && offsetof(hyperion_host_api_t, gauge_set) == 32 &&
        offsetof(hyperion_host_api_t, histogram_observe) == 40 && offsetof(hyperion_host_api_t, event_emit) == 48 &&
        offsetof(hyperion_host_api_t, event_subscribe) == 56 &&
        offsetof(hyperion_host_api_t, event_unsubscribe) == 64 &&
        offsetof(hyperion_host_api_t, service_acquire) == 72 && offsetof(hyperion_host_api_t, service_enter) == 80 &&
        offsetof(hyperion_host_api_t, service_leave) == 88 && offsetof(hyperion_host_api_t, service_release) == 96 &&
        offsetof(hyperion_host_api_t, timer_start) == 104 && offsetof(hyperion_host_api_t, timer_cancel) == 112 &&
        offsetof(hyperion_host_api_t, config_propose) == 120 && offsetof(hyperion_host_api_t, now_ns) == 128 &&
        HYPERION_HOST_API_SIZE_1_0 == 136,
    "hyperion_host_api_t 1.0");
/* Host API 1.1: two slots appended. */
ABI_ASSERT(offsetof(hyperion_host_api_t, config_propose_layer) == 136 &&
               offsetof(hyperion_host_api_t, instance_state_dir) == 144,
           "hyperion_host_api_t 1.1");
/* Host API 1.2: two slots appended. */
ABI_ASSERT(HYPERION_ABI_MINOR == 2 && offsetof(hyperion_host_api_t, metric_describe) == 152 &&
               offsetof(hyperion_host_api_t, histogram_observe_traced) == 160 && sizeof(hyperion_host_api_t) == 168,
           "hyperion_host_api_t 1.2");
ABI_ASSERT(HYPERION_PLUGIN_SIZE_1_0 == 32 && HYPERION_PLUGIN_VTABLE_SIZE_1_0 == 96 &&
               HYPERION_PLUGIN_VTABLE_REQUIRED_SIZE == 40,
           "the 1.0 sizes never change");

/* Service APIs are contracts too (each compiles as C11 above). */
ABI_ASSERT(offsetof(hyperion_health_v1_t, metrics) == 16 && offsetof(hyperion_health_v1_t, openmetrics) == 24 &&
               sizeof(hyperion_health_v1_t) == 32,
           "hyperion_health_v1_t 1.1");
ABI_ASSERT(offsetof(hyperion_discovery_instance_t, service) == 8 &&
               offsetof(hyperion_discovery_instance_t, port) == 56 &&
               offsetof(hyperion_discovery_instance_t, meta_count) == 88 && sizeof(hyperion_discovery_instance_t) == 96,
           "hyperion_discovery_instance_t 1.0");
ABI_ASSERT(offsetof(hyperion_http_exchange_ops_t, method) == 8 &&
               offsetof(hyperion_http_exchange_ops_t, note_error) == 112 &&
               offsetof(hyperion_http_exchange_ops_t, add_header) == 120 &&
               offsetof(hyperion_http_exchange_ops_t, end_stream) == 152 && sizeof(hyperion_http_exchange_ops_t) == 160,
           "hyperion_http_exchange_ops_t 1.0");
ABI_ASSERT(offsetof(hyperion_http_route_t, method) == 8 && offsetof(hyperion_http_route_t, host) == 40 &&
               sizeof(hyperion_http_route_t) == 56,
           "hyperion_http_route_t 1.0");
ABI_ASSERT(offsetof(hyperion_http_handler_t, on_request) == 16 && offsetof(hyperion_http_handler_t, on_done) == 32 &&
               sizeof(hyperion_http_handler_t) == 40,
           "hyperion_http_handler_t 1.0");
ABI_ASSERT(offsetof(hyperion_http_server_v1_t, register_route) == 8 &&
               offsetof(hyperion_http_server_v1_t, unregister_route) == 16 && sizeof(hyperion_http_server_v1_t) == 24,
           "hyperion_http_server_v1_t 1.0");
ABI_ASSERT(offsetof(hyperion_discovery_v1_t, register_instance) == 8 &&
               offsetof(hyperion_discovery_v1_t, report) == 56 && sizeof(hyperion_discovery_v1_t) == 64,
           "hyperion_discovery_v1_t 1.0");

/* grpc.client 1.0 (and the metadata entry it shares with grpc.server). */
ABI_ASSERT(offsetof(hyperion_grpc_metadata_t, value) == 16 && sizeof(hyperion_grpc_metadata_t) == 32,
           "hyperion_grpc_metadata_t");
ABI_ASSERT(offsetof(hyperion_grpc_client_call_t, target) == 8 && offsetof(hyperion_grpc_client_call_t, method) == 24 &&
               offsetof(hyperion_grpc_client_call_t, metadata) == 40 &&
               offsetof(hyperion_grpc_client_call_t, metadata_count) == 48 &&
               offsetof(hyperion_grpc_client_call_t, timeout_ms) == 56 &&
               offsetof(hyperion_grpc_client_call_t, idempotent) == 64 &&
               offsetof(hyperion_grpc_client_call_t, traceparent) == 72 && sizeof(hyperion_grpc_client_call_t) == 88,
           "hyperion_grpc_client_call_t 1.0");
ABI_ASSERT(offsetof(hyperion_grpc_client_result_t, code) == 4 &&
               offsetof(hyperion_grpc_client_result_t, message) == 8 &&
               offsetof(hyperion_grpc_client_result_t, response) == 24 &&
               offsetof(hyperion_grpc_client_result_t, initial_metadata) == 40 &&
               offsetof(hyperion_grpc_client_result_t, trailing_metadata) == 56 &&
               offsetof(hyperion_grpc_client_result_t, attempts) == 72 &&
               offsetof(hyperion_grpc_client_result_t, peer) == 80 && sizeof(hyperion_grpc_client_result_t) == 96,
           "hyperion_grpc_client_result_t 1.0");
ABI_ASSERT(offsetof(hyperion_grpc_client_stream_handler_t, user) == 8 &&
               offsetof(hyperion_grpc_client_stream_handler_t, on_message) == 16 &&
               offsetof(hyperion_grpc_client_stream_handler_t, on_done) == 24 &&
               sizeof(hyperion_grpc_client_stream_handler_t) == 32,
           "hyperion_grpc_client_stream_handler_t 1.0");
ABI_ASSERT(offsetof(hyperion_grpc_client_v1_t, unary) == 8 && offsetof(hyperion_grpc_client_v1_t, unary_async) == 16 &&
               offsetof(hyperion_grpc_client_v1_t, cancel) == 24 &&
               offsetof(hyperion_grpc_client_v1_t, open_stream) == 32 &&
               offsetof(hyperion_grpc_client_v1_t, stream_write) == 40 &&
               offsetof(hyperion_grpc_client_v1_t, stream_close_send) == 48 &&
               offsetof(hyperion_grpc_client_v1_t, stream_cancel) == 56 &&
               offsetof(hyperion_grpc_client_v1_t, stream_release) == 64 && sizeof(hyperion_grpc_client_v1_t) == 72,
           "hyperion_grpc_client_v1_t 1.0");

/* trace 1.0. */
ABI_ASSERT(HYPERION_SPAN_SERVER == 2 && HYPERION_SPAN_CLIENT == 3 && HYPERION_SPAN_STATUS_ERROR == 2,
           "span kinds and status codes are OTLP's numbers");
ABI_ASSERT(offsetof(hyperion_trace_attribute_t, type) == 16 &&
               offsetof(hyperion_trace_attribute_t, string_value) == 24 &&
               offsetof(hyperion_trace_attribute_t, int_value) == 40 &&
               offsetof(hyperion_trace_attribute_t, double_value) == 48 && sizeof(hyperion_trace_attribute_t) == 56,
           "hyperion_trace_attribute_t");
ABI_ASSERT(offsetof(hyperion_trace_span_t, span_id) == 16 && offsetof(hyperion_trace_span_t, flags) == 24 &&
               offsetof(hyperion_trace_span_t, recording) == 32 && sizeof(hyperion_trace_span_t) == 40,
           "hyperion_trace_span_t");
ABI_ASSERT(offsetof(hyperion_trace_span_start_t, name) == 8 && offsetof(hyperion_trace_span_start_t, kind) == 24 &&
               offsetof(hyperion_trace_span_start_t, traceparent) == 32 &&
               offsetof(hyperion_trace_span_start_t, tracestate) == 48 &&
               offsetof(hyperion_trace_span_start_t, start_time_unix_ns) == 64 &&
               offsetof(hyperion_trace_span_start_t, attributes) == 72 &&
               offsetof(hyperion_trace_span_start_t, attribute_count) == 80 &&
               sizeof(hyperion_trace_span_start_t) == 88,
           "hyperion_trace_span_start_t 1.0");
ABI_ASSERT(offsetof(hyperion_trace_v1_t, start_span) == 8 && offsetof(hyperion_trace_v1_t, set_attributes) == 16 &&
               offsetof(hyperion_trace_v1_t, add_event) == 24 && offsetof(hyperion_trace_v1_t, set_status) == 32 &&
               offsetof(hyperion_trace_v1_t, end_span) == 40 && sizeof(hyperion_trace_v1_t) == 48,
           "hyperion_trace_v1_t 1.0");
