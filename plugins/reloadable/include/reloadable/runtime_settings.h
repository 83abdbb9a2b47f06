/*
 * reloadable/runtime_settings.h — the "runtime.settings" service API, version
 * 1.0, provided by the reloadable plugin: settings other plugins read on every
 * request (log level, feature flags, rate limits) and that change with a live
 * reload. Reads never take a lock (see settings_cell.h in the plugin).
 */
#ifndef RELOADABLE_RUNTIME_SETTINGS_H_
#define RELOADABLE_RUNTIME_SETTINGS_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUNTIME_SETTINGS_API "runtime.settings"
#define RUNTIME_SETTINGS_MAJOR 1

typedef struct runtime_settings_v1_t {
  uint32_t struct_size;
  /* --- Version 1.0 --- THREAD: every function may be called from any thread. */
  /* How many times the settings changed since the instance started (0 = as created). */
  uint64_t (*generation)(void* ctx);
  /* Writes the log level ("trace" ... "error") into `out`. */
  hyperion_status_t (*log_level)(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err);
  /* 1 if feature `flag` is on, 0 if off, `default_value` if the flag is not configured. */
  int32_t (*feature_enabled)(void* ctx, hyperion_str_t flag, int32_t default_value);
  /* Requests per second allowed for `name`, or `default_value` if not configured. */
  double (*rate_limit)(void* ctx, hyperion_str_t name, double default_value);
  /* The whole current settings as one JSON object. */
  hyperion_status_t (*snapshot_json)(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err);
} runtime_settings_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* RELOADABLE_RUNTIME_SETTINGS_H_ */
