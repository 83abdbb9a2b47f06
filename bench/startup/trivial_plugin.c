/* The trivial plugin the startup benchmark loads N copies of: it does nothing in
 * create, start, stop, so the figure is the host's own overhead. */
#include <hyperion/plugin.h>
#include <stdlib.h>

HYPERION_METADATA(trivial_metadata) =
    "{\"name\": \"trivial\", \"version\": \"1.0.0\", \"config_schema\": {\"type\": \"object\"}}";

struct hyperion_instance {
  int unused;
};

static hyperion_status_t create(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, hyperion_str_t name,
                                hyperion_str_t config, hyperion_instance_t** out, hyperion_error_t* err) {
  (void)host, (void)ctx, (void)name, (void)config, (void)err;
  *out = (hyperion_instance_t*)calloc(1, sizeof(hyperion_instance_t));
  return *out != NULL ? HYPERION_OK : hyperion_error_set(err, HYPERION_ERR_INTERNAL, "out of memory");
}
static hyperion_status_t start(hyperion_instance_t* i, uint64_t d, hyperion_error_t* e) {
  (void)i, (void)d, (void)e;
  return HYPERION_OK;
}
static hyperion_status_t stop(hyperion_instance_t* i, uint64_t d, hyperion_error_t* e) {
  (void)i, (void)d, (void)e;
  return HYPERION_OK;
}
static void destroy(hyperion_instance_t* i) { free(i); }

static const hyperion_plugin_vtable_t kVtable = {sizeof(hyperion_plugin_vtable_t), create, start, stop, destroy,
                                                 NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const hyperion_plugin_t kDescriptor = {HYPERION_PLUGIN_MAGIC, sizeof(hyperion_plugin_t), HYPERION_ABI_MAJOR,
                                              HYPERION_ABI_MINOR, trivial_metadata, &kVtable};

HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t major, uint32_t minor) {
  (void)minor;
  return major == HYPERION_ABI_MAJOR ? &kDescriptor : NULL;
}
