// rogue: a plugin written straight against the C ABI (no SDK to catch its
// mistakes) that misbehaves in the one callback its config names:
//   error    returns an error status with a message
//   throw    lets a C++ exception escape through the C ABI
//   garbage  returns what the ABI forbids: a status no enum has with an
//            unterminated message, OK without an instance, a report that is not
//            JSON, a service with no vtable
//   hang     sleeps for hang_ms, past any deadline the host sets
// Used by tests/security/misbehaving_plugin_test.cc (the misbehaving-plugin
// matrix). Everything else it does correctly.
#include <hyperion/plugin.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

// Embedded from rogue.json by hyperion_add_plugin(... METADATA).
extern "C" const char hyperion_plugin_metadata[];

struct hyperion_instance {
  std::string callback;
  std::string how;
  int64_t hang_ms = 1500;
};

namespace {

constexpr hyperion_status_t kNoSuchStatus = static_cast<hyperion_status_t>(0x7fff);

struct TestApi {
  uint32_t struct_size;
  int (*answer)(void* ctx);
};
int answer(void*) { return 42; }
const TestApi kApi = {sizeof(TestApi), &answer};

// What `callback` does on `instance`'s command; HYPERION_OK to behave.
hyperion_status_t act(const hyperion_instance* self, const char* callback, hyperion_error_t* err) {
  if (self == nullptr || self->callback != callback) return HYPERION_OK;
  if (self->how == "error") return hyperion_error_set(err, HYPERION_ERR_UNAVAILABLE, "rogue refuses");
  if (self->how == "throw") throw std::runtime_error(std::string("rogue threw in ") + callback);
  if (self->how == "hang") {
    std::this_thread::sleep_for(std::chrono::milliseconds(self->hang_ms));
    return HYPERION_OK;
  }
  // garbage: an unknown status and a message with no terminating NUL
  if (err != nullptr) std::memset(err->message, 'x', sizeof err->message);
  return kNoSuchStatus;
}

void parse(hyperion_instance* self, hyperion_str_t config) {
  auto v = boost::json::parse(std::string_view(config.data, config.size)).as_object();
  self->callback = v.at("callback").as_string();
  self->how = v.at("how").as_string();
  self->hang_ms = v.at("hang_ms").as_int64();
}

hyperion_status_t create(const hyperion_host_api_t*, hyperion_host_ctx_t*, hyperion_str_t, hyperion_str_t config,
                         hyperion_instance_t** out, hyperion_error_t* err) {
  auto* self = new hyperion_instance;
  parse(self, config);
  if (self->callback == "create" && self->how == "garbage") {
    delete self;
    *out = nullptr;  // "OK" without an instance
    return HYPERION_OK;
  }
  hyperion_status_t s = HYPERION_OK;
  try {
    s = act(self, "create", err);
  } catch (...) {
    delete self;
    throw;
  }
  if (s != HYPERION_OK) {
    delete self;
    return s;
  }
  *out = self;
  return HYPERION_OK;
}

hyperion_status_t start(hyperion_instance_t* self, uint64_t, hyperion_error_t* err) { return act(self, "start", err); }
hyperion_status_t stop(hyperion_instance_t* self, uint64_t, hyperion_error_t* err) { return act(self, "stop", err); }

void destroy(hyperion_instance_t* self) {
  if (self->callback == "destroy" && self->how == "throw") {
    delete self;  // rogue throws, but does not leak as well
    throw std::runtime_error("rogue threw in destroy");
  }
  if (self->callback == "destroy" && self->how == "hang") {
    std::this_thread::sleep_for(std::chrono::milliseconds(self->hang_ms));
  }
  delete self;
}

hyperion_status_t health(hyperion_instance_t* self, const hyperion_sink_t* report, hyperion_error_t* err) {
  if (self->callback == "health" && self->how == "garbage") {
    static constexpr char kNotJson[] = "{\"status\": \"healthy\", oops";
    report->write(report->ctx, kNotJson, sizeof kNotJson - 1);
    return HYPERION_OK;
  }
  if (hyperion_status_t s = act(self, "health", err); s != HYPERION_OK) return s;
  static constexpr char kHealthy[] = "{\"status\": \"healthy\"}";
  return report->write(report->ctx, kHealthy, sizeof kHealthy - 1);
}

hyperion_status_t reload_prepare(hyperion_instance_t* self, hyperion_str_t, hyperion_str_t, hyperion_error_t* err) {
  return act(self, "reload_prepare", err);
}
hyperion_status_t reload_commit(hyperion_instance_t* self, hyperion_error_t* err) {
  return act(self, "reload_commit", err);
}
void reload_abort(hyperion_instance_t* self) {
  if (self->callback == "reload_abort" && self->how == "throw") throw std::runtime_error("rogue threw in reload_abort");
  if (self->callback == "reload_abort" && self->how == "hang") {
    std::this_thread::sleep_for(std::chrono::milliseconds(self->hang_ms));
  }
}

hyperion_status_t state_export(hyperion_instance_t* self, const hyperion_sink_t* out, hyperion_error_t* err) {
  if (hyperion_status_t s = act(self, "state_export", err); s != HYPERION_OK) return s;
  return out->write(out->ctx, "state", 5);
}
hyperion_status_t state_import(hyperion_instance_t* self, hyperion_bytes_t, hyperion_error_t* err) {
  return act(self, "state_import", err);
}

hyperion_status_t get_service(hyperion_instance_t* self, hyperion_str_t api, uint32_t, hyperion_service_ref_t* out,
                              hyperion_error_t* err) {
  if (self->callback == "get_service" && self->how == "garbage") {
    out->struct_size = 0;  // and no vtable
    out->vtable = nullptr;
    return HYPERION_OK;
  }
  if (hyperion_status_t s = act(self, "get_service", err); s != HYPERION_OK) return s;
  if (std::string_view(api.data, api.size) != "test.api") return HYPERION_ERR_NOT_FOUND;
  out->api_minor = 0;
  out->vtable = &kApi;
  out->ctx = nullptr;
  return HYPERION_OK;
}

const hyperion_plugin_vtable_t kVtable = {sizeof(hyperion_plugin_vtable_t),
                                          &create,
                                          &start,
                                          &stop,
                                          &destroy,
                                          &health,
                                          &reload_prepare,
                                          &reload_commit,
                                          &reload_abort,
                                          &state_export,
                                          &state_import,
                                          &get_service};

}  // namespace

extern "C" HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t, uint32_t) {
  static const hyperion_plugin_t descriptor = {HYPERION_PLUGIN_MAGIC, sizeof(hyperion_plugin_t), HYPERION_ABI_MAJOR,
                                               HYPERION_ABI_MINOR,    hyperion_plugin_metadata,  &kVtable};
  return &descriptor;
}
