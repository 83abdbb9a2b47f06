/*
 * A plugin "built against ABI 1.1" (the simulated header tests/abi/plugin_v1_1_sim.h):
 * its descriptor and vtable are larger than 1.0's and carry a field and a slot
 * a 1.0 host does not know. It uses nothing of 1.1 that it cannot do without, so
 * it honours the host: to a 1.0 host it says abi_minor 0 and must be loaded
 * (the extra field and slot ignored); to a 1.1 host it says abi_minor 1.
 */
#include <stdlib.h>

#include "abi/plugin_v1_1_sim.h"

HYPERION_METADATA(future_metadata) =
    "{\"name\": \"abi-future\", \"version\": \"1.1.0\", \"status\": \"alpha\", \"config_schema\": {\"type\": "
    "\"object\"}}";

struct hyperion_instance {
  int started;
};

static hyperion_status_t create(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, hyperion_str_t name,
                                hyperion_str_t config, hyperion_instance_t** out, hyperion_error_t* err) {
  (void)host, (void)ctx, (void)name, (void)config, (void)err;
  *out = (hyperion_instance_t*)calloc(1, sizeof(hyperion_instance_t));
  return *out != NULL ? HYPERION_OK : hyperion_error_set(err, HYPERION_ERR_INTERNAL, "out of memory");
}
static hyperion_status_t start(hyperion_instance_t* i, uint64_t d, hyperion_error_t* e) {
  (void)d, (void)e;
  i->started = 1;
  return HYPERION_OK;
}
static hyperion_status_t stop(hyperion_instance_t* i, uint64_t d, hyperion_error_t* e) {
  (void)d, (void)e;
  i->started = 0;
  return HYPERION_OK;
}
static void destroy(hyperion_instance_t* i) { free(i); }
static hyperion_status_t added_in_1_1(hyperion_instance_t* i, hyperion_error_t* e) {
  (void)i;
  return hyperion_error_set(e, HYPERION_ERR_INTERNAL, "a 1.0 host must never call a 1.1 slot");
}

static const sim_plugin_vtable_1_1_t kVtable = {sizeof(sim_plugin_vtable_1_1_t),
                                                create,
                                                start,
                                                stop,
                                                destroy,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                added_in_1_1};

static const sim_plugin_1_1_t kFor1_0 = {
    HYPERION_PLUGIN_MAGIC,     sizeof(sim_plugin_1_1_t), HYPERION_ABI_MAJOR, 0, future_metadata, &kVtable,
    "only 1.1 hosts read this"};
static const sim_plugin_1_1_t kFor1_1 = {HYPERION_PLUGIN_MAGIC,     sizeof(sim_plugin_1_1_t), HYPERION_ABI_MAJOR,
                                         SIM_ABI_MINOR_1_1,         future_metadata,          &kVtable,
                                         "only 1.1 hosts read this"};

HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t major, uint32_t minor) {
  if (major != HYPERION_ABI_MAJOR) return NULL;
  /* The two layouts start alike; the host reads struct_size before anything past 1.0. */
  return (const hyperion_plugin_t*)(minor >= SIM_ABI_MINOR_1_1 ? (const void*)&kFor1_1 : (const void*)&kFor1_0);
}
