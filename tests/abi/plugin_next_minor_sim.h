/* A simulated header of the next ABI minor: hyperion/plugin.h as it would look
 * once a future minor adds one field at the end of the descriptor and one slot
 * at the end of the plugin vtable. Used by a test plugin "built against the next
 * minor" (tests/plugins/abi_future.c) and by a test that reads a 1.0 plugin the
 * way such a host would (tests/loader/abi_growth_test.cc). Only ever grows at
 * the end, like the real header must. */
#ifndef HYPERION_TESTS_PLUGIN_NEXT_MINOR_SIM_H_
#define HYPERION_TESTS_PLUGIN_NEXT_MINOR_SIM_H_

#include <hyperion/plugin.h>

#define SIM_NEXT_MINOR (HYPERION_ABI_MINOR + 1u)

typedef struct sim_plugin_vtable_next_t {
  uint32_t struct_size;
  /* --- Version 1.0 (same order as hyperion_plugin_vtable_t) --- */
  hyperion_status_t (*create)(const hyperion_host_api_t*, hyperion_host_ctx_t*, hyperion_str_t, hyperion_str_t,
                              hyperion_instance_t**, hyperion_error_t*);
  hyperion_status_t (*start)(hyperion_instance_t*, uint64_t, hyperion_error_t*);
  hyperion_status_t (*stop)(hyperion_instance_t*, uint64_t, hyperion_error_t*);
  void (*destroy)(hyperion_instance_t*);
  hyperion_status_t (*health)(hyperion_instance_t*, const hyperion_sink_t*, hyperion_error_t*);
  hyperion_status_t (*reload_prepare)(hyperion_instance_t*, hyperion_str_t, hyperion_str_t, hyperion_error_t*);
  hyperion_status_t (*reload_commit)(hyperion_instance_t*, hyperion_error_t*);
  void (*reload_abort)(hyperion_instance_t*);
  hyperion_status_t (*state_export)(hyperion_instance_t*, const hyperion_sink_t*, hyperion_error_t*);
  hyperion_status_t (*state_import)(hyperion_instance_t*, hyperion_bytes_t, hyperion_error_t*);
  hyperion_status_t (*get_service)(hyperion_instance_t*, hyperion_str_t, uint32_t, hyperion_service_ref_t*,
                                   hyperion_error_t*);
  /* --- Added in the (simulated) next minor --- */
  hyperion_status_t (*added_in_next)(hyperion_instance_t*, hyperion_error_t*);
} sim_plugin_vtable_next_t;

typedef struct sim_plugin_next_t {
  uint32_t magic;
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* metadata_json;
  const sim_plugin_vtable_next_t* vtable;
  /* --- Added in the (simulated) next minor --- */
  const char* added_in_next;
} sim_plugin_next_t;

#endif /* HYPERION_TESTS_PLUGIN_NEXT_MINOR_SIM_H_ */
