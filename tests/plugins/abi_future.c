/*
 * A plugin "built against the next ABI minor" (the simulated header
 * tests/abi/plugin_next_minor_sim.h): its descriptor and vtable are larger than
 * this host's and carry a field and a slot this host does not know. It uses
 * nothing of that minor that it cannot do without, so it honours the host: to
 * this host it says abi_minor 0 and must be loaded (the extra field and slot
 * ignored); to a host of the next minor it says that minor.
 */
#include <stdlib.h>

#include "abi/plugin_next_minor_sim.h"

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
static hyperion_status_t added_in_next(hyperion_instance_t* i, hyperion_error_t* e) {
  (void)i;
  return hyperion_error_set(e, HYPERION_ERR_INTERNAL, "this host must never call a slot of a newer minor");
}

static const sim_plugin_vtable_next_t kVtable = {sizeof(sim_plugin_vtable_next_t),
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
                                                 added_in_next};

static const sim_plugin_next_t kForThisHost = {HYPERION_PLUGIN_MAGIC,
                                               sizeof(sim_plugin_next_t),
                                               HYPERION_ABI_MAJOR,
                                               0,
                                               future_metadata,
                                               &kVtable,
                                               "only hosts of the next minor read this"};
static const sim_plugin_next_t kForNextHost = {HYPERION_PLUGIN_MAGIC,
                                               sizeof(sim_plugin_next_t),
                                               HYPERION_ABI_MAJOR,
                                               SIM_NEXT_MINOR,
                                               future_metadata,
                                               &kVtable,
                                               "only hosts of the next minor read this"};

HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t major, uint32_t minor) {
  if (major != HYPERION_ABI_MAJOR) return NULL;
  /* The two layouts start alike; the host reads struct_size before anything past 1.0. */
  return (const hyperion_plugin_t*)(minor >= SIM_NEXT_MINOR ? (const void*)&kForNextHost : (const void*)&kForThisHost);
}
