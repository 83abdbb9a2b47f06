/*
 * hyperion/services/health.h — the "hyperion.health" service API, version 1.1,
 * provided by the host itself (provider instance name "hyperion"). A plugin that
 * lists {"api": "hyperion.health", "version": "1.0"} in its "requires" reaches it
 * through service_acquire like any other service. The health plugin serves it
 * over HTTP; any plugin may read it.
 */
#ifndef HYPERION_SERVICES_HEALTH_H_
#define HYPERION_SERVICES_HEALTH_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYPERION_HEALTH_API "hyperion.health"
#define HYPERION_HEALTH_MAJOR 1

typedef struct hyperion_health_v1_t {
  uint32_t struct_size;
  /* --- Version 1.0 --- THREAD: any thread, concurrently. */

  /* Writes the host's aggregated health as one JSON object into `out`:
   *   {"status": "healthy"|"degraded"|"unhealthy", "live": bool, "ready": bool,
   *    "phase": "created"|"starting"|"running"|"stopping"|"stopped"|"failed",
   *    "draining": bool,
   *    "instances": {"<name>": {"status", "message", "details", "duration_ms",
   *                             "optional", "cause"?}},
   *    "revision": N,
   *    "reload": {"breaker": {"state": "closed"|"open"|"half_open", ...},
   *               "instances": {"<name>": {"revision": N, "outcome": "applied"|
   *                             "refused"|"rolled_back", "action": "reload"|"restart"|
   *                             "add"|"remove"}}}}
   * ("reload.instances" holds the last reload that touched each instance.)
   * The host caches it briefly and computes it once for concurrent callers
   * (docs/health.md). */
  hyperion_status_t (*snapshot)(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err);

  /* Writes every metric (plugins' and the host's) in the Prometheus text
   * exposition format 0.0.4 into `out`, each family with "# HELP" and
   * "# TYPE" (docs/health.md#metrics-and-their-labels). */
  hyperion_status_t (*metrics)(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err);

  /* --- Added in 1.1 (check the ref's api_minor, or struct_size) --- */

  /* The same metrics in OpenMetrics 1.0.0 (Content-Type
   * "application/openmetrics-text; version=1.0.0; charset=utf-8"): counters'
   * families named without "_total", histogram buckets with the latest
   * exemplar of a sampled trace, "# EOF" at the end. */
  hyperion_status_t (*openmetrics)(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err);
} hyperion_health_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_HEALTH_H_ */
