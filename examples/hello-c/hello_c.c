/*
 * hello-c: the example plugin in plain C against hyperion/plugin.h — no SDK.
 * At start it asks the optional hello.greeter service (from the hello plugin)
 * to greet it, through a host handle, and logs the answer.
 *
 * Its metadata is plugin.json, embedded by hyperion_add_plugin(... METADATA
 * plugin.json) as the array hyperion_plugin_metadata (see HYPERION_METADATA in
 * plugin.h); the tables below name each slot they fill (C99 designated
 * initialisers), so every slot left out is NULL: "not supported".
 */
#include <hyperion/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello/greeter.h"


struct hyperion_instance {
  const hyperion_host_api_t* host;
  hyperion_host_ctx_t* ctx;
  char who[128];
};

/* Collects what the greeter writes. */
struct buffer {
  char data[256];
  size_t size;
};

static hyperion_status_t buffer_write(void* ctx, const void* data, size_t size) {
  struct buffer* b = (struct buffer*)ctx;
  if (size > sizeof b->data - 1 - b->size) return HYPERION_ERR_INVALID_ARGUMENT;
  memcpy(b->data + b->size, data, size);
  b->size += size;
  b->data[b->size] = '\0';
  return HYPERION_OK;
}

static void log_line(hyperion_instance_t* self, hyperion_log_level_t level, const char* text) {
  self->host->log(self->ctx, level, hyperion_str_from_cstr(text));
}

/* The config is JSON validated by the host: {"who": "..."}. A C plugin may use
 * any JSON parser; this one only needs one string, so it finds it by hand. */
static void read_who(hyperion_str_t config, char* out, size_t capacity) {
  const char* key = "\"who\":\"";
  size_t n = strlen(key);
  snprintf(out, capacity, "%s", "C plugin");
  for (size_t i = 0; i + n <= config.size; ++i) {
    if (memcmp(config.data + i, key, n) == 0) {
      size_t start = i + n, end = start;
      while (end < config.size && config.data[end] != '"') ++end;
      size_t len = end - start < capacity - 1 ? end - start : capacity - 1;
      memcpy(out, config.data + start, len);
      out[len] = '\0';
      return;
    }
  }
}

static hyperion_status_t create(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, hyperion_str_t name,
                                hyperion_str_t config, hyperion_instance_t** out, hyperion_error_t* err) {
  (void)name;
  hyperion_instance_t* self = (hyperion_instance_t*)calloc(1, sizeof *self);
  if (self == NULL) return hyperion_error_set(err, HYPERION_ERR_INTERNAL, "out of memory");
  self->host = host;
  self->ctx = ctx;
  read_who(config, self->who, sizeof self->who);
  *out = self;
  return HYPERION_OK;
}

static hyperion_status_t start(hyperion_instance_t* self, uint64_t deadline_ns, hyperion_error_t* err) {
  (void)deadline_ns;
  hyperion_service_t* greeter = NULL;
  hyperion_error_t lookup = {sizeof lookup, 0, {0}};
  if (self->host->service_acquire(self->ctx, hyperion_str_from_cstr(HELLO_GREETER_API), HELLO_GREETER_MAJOR,
                                  &greeter, &lookup) != HYPERION_OK) {
    log_line(self, HYPERION_LOG_INFO, "no greeter in this app; greeting myself: hello from C");
    return HYPERION_OK;
  }
  hyperion_service_ref_t ref = {sizeof ref, 0, NULL, NULL};
  hyperion_status_t rc = self->host->service_enter(greeter, &ref, err);
  if (rc == HYPERION_OK) {
    const hello_greeter_v1_t* api = (const hello_greeter_v1_t*)ref.vtable;
    struct buffer answer = {{0}, 0};
    hyperion_sink_t sink = {sizeof sink, &answer, buffer_write};
    rc = api->greet(ref.ctx, hyperion_str_from_cstr(self->who), &sink, err);
    self->host->service_leave(greeter);
    if (rc == HYPERION_OK) log_line(self, HYPERION_LOG_INFO, answer.data);
  }
  self->host->service_release(greeter);
  return rc;
}

static hyperion_status_t stop(hyperion_instance_t* self, uint64_t deadline_ns, hyperion_error_t* err) {
  (void)deadline_ns;
  (void)err;
  log_line(self, HYPERION_LOG_INFO, "stopping");
  return HYPERION_OK;
}

static void destroy(hyperion_instance_t* self) { free(self); }

static const hyperion_plugin_vtable_t kVtable = {
    .struct_size = sizeof(hyperion_plugin_vtable_t),
    .create = create,
    .start = start,
    .stop = stop,
    .destroy = destroy,
    /* No health, reload, state or get_service: those slots stay NULL. */
};

/* This plugin calls only host functions of ABI 1.0, so it asks for minor 0
 * and loads in every 1.x host. */

static const hyperion_plugin_t kDescriptor = {
    .magic = HYPERION_PLUGIN_MAGIC,
    .struct_size = sizeof(hyperion_plugin_t),
    .abi_major = HYPERION_ABI_MAJOR,
    .abi_minor = 0,
    .metadata_json = hyperion_plugin_metadata,
    .vtable = &kVtable,
};

HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor_max) {
  /* Every 1.x host speaks minor 0; a plugin that needs 1.N also returns NULL
   * when host_abi_minor_max < N. */
  (void)host_abi_minor_max;
  return host_abi_major == HYPERION_ABI_MAJOR ? &kDescriptor : NULL;
}
