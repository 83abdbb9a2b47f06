/*
 * One tiny C plugin compiled several ways, each broken in exactly one way the
 * loader must diagnose. The variant is chosen with -DVARIANT_<NAME>:
 *   GOOD           a correct minimal plugin
 *   BAD_MAGIC      descriptor magic is wrong
 *   BAD_MAJOR      descriptor claims ABI 2.0
 *   NEWER_MINOR    descriptor needs ABI 1.99
 *   REFUSES        entry point returns NULL
 *   NO_ENTRY       metadata present, entry point not exported
 *   UNRESOLVED     references a function that exists nowhere
 *   SMALL_VTABLE   vtable struct_size too small for the required functions
 *   CAPABILITY     declares "health" but leaves the slot NULL
 *   META_MISMATCH  descriptor metadata differs from the ELF section
 *   NO_METADATA    exports the entry point but has no .hyperion_meta section
 */
#include <hyperion/plugin.h>
#include <stdlib.h>

#ifndef VARIANT_NAME
#define VARIANT_NAME "variant"
#endif

#ifdef VARIANT_CAPABILITY
#define CAPABILITIES "[\"health\"]"
#else
#define CAPABILITIES "[]"
#endif

#ifdef VARIANT_NO_METADATA
static const char variant_metadata[] =
#else
HYPERION_METADATA(variant_metadata) =
#endif
    "{\"name\": \"" VARIANT_NAME "\", \"version\": \"0.1.0\", \"capabilities\": " CAPABILITIES
    ", \"config_schema\": {\"type\": \"object\"}}";

#ifdef VARIANT_UNRESOLVED
extern int hyperion_test_symbol_that_does_not_exist(void);
#endif

struct hyperion_instance {
  int unused;
};

static hyperion_status_t create(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, hyperion_str_t name,
                                hyperion_str_t config, hyperion_instance_t** out, hyperion_error_t* err) {
  (void)host, (void)ctx, (void)name, (void)config, (void)err;
#ifdef VARIANT_UNRESOLVED
  if (hyperion_test_symbol_that_does_not_exist() != 0) return HYPERION_ERR_INTERNAL;
#endif
  *out = (hyperion_instance_t*)calloc(1, sizeof(hyperion_instance_t));
  return HYPERION_OK;
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

static const hyperion_plugin_vtable_t kVtable = {
#ifdef VARIANT_SMALL_VTABLE
    8,
#else
    sizeof(hyperion_plugin_vtable_t),
#endif
    create, start, stop, destroy, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

static const hyperion_plugin_t kDescriptor = {
#ifdef VARIANT_BAD_MAGIC
    0xDEADBEEFu,
#else
    HYPERION_PLUGIN_MAGIC,
#endif
    sizeof(hyperion_plugin_t),
#ifdef VARIANT_BAD_MAJOR
    2, 0,
#elif defined(VARIANT_NEWER_MINOR)
    HYPERION_ABI_MAJOR, 99,
#else
    HYPERION_ABI_MAJOR, 0, /* a 1.0 plugin: it needs nothing newer */
#endif
#ifdef VARIANT_META_MISMATCH
    "{\"name\": \"something-else\", \"version\": \"0.1.0\"}",
#else
    variant_metadata,
#endif
    &kVtable};

#ifdef VARIANT_NO_ENTRY
/* Hidden: present in the library but not exported. */
__attribute__((visibility("hidden")))
#else
HYPERION_EXPORT
#endif
const hyperion_plugin_t* hyperion_plugin_entry(uint32_t major, uint32_t minor) {
  (void)major, (void)minor;
#ifdef VARIANT_REFUSES
  return NULL;
#else
  return &kDescriptor;
#endif
}
