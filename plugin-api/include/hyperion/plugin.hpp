// hyperion/plugin.hpp — the header-only C++ SDK for writing Hyperion plugins.
//
// A plugin is an ordinary class plus one macro:
//
//   class Hello {
//    public:
//     Hello(hyperion::Context& ctx, const boost::json::object& config);
//     void start(hyperion::Deadline deadline);
//     void stop(hyperion::Deadline deadline);
//     hyperion::HealthReport health();                        // optional
//   };
//   HYPERION_PLUGIN(Hello)
//
// The SDK generates the C entry point and tables of hyperion/plugin.h, parses the
// JSON the host passes, and catches every exception at the boundary: a
// hyperion::Error keeps its status code, any other exception becomes
// HYPERION_ERR_INTERNAL carrying what() as the message. Nothing C++ crosses the ABI.
//
// The config can be a C++ struct instead (`using Config = MyStruct;` in the
// class, see "Typed config" below).
//
// Optional hooks are detected from the class: define a member with the signature
// below and its vtable slot is filled; leave it out and the slot is NULL
// ("not supported"). The metadata's "capabilities" must list what you implement
// ("health", "reload", "state"); the host checks the two agree, and with
// hyperion_add_plugin(... METADATA plugin.json) so does the compiler
// (HYPERION_CHECK_CAPABILITIES below).
//
//   hyperion::HealthReport health();
//   void reload_prepare(const boost::json::object& new_config, const boost::json::array& diff);
//   void reload_commit();
//   void reload_abort();
//   std::string state_export();                 // hot swap: called on the old instance
//   void state_import(std::string_view state);  // ...and on the new one, before its start()
//   hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);
//
// Metadata: hyperion_add_plugin(NAME SOURCES ... METADATA plugin.json) embeds the
// JSON file in the metadata section. Without CMake, write once in one source file:
//   HYPERION_PLUGIN_METADATA_JSON(R"({"name": "hello", ...})");
//
// Thread-safety: Context is safe to use from any thread; see hyperion/plugin.h
// (convention 6) for which of your hooks may run concurrently.
#ifndef HYPERION_PLUGIN_HPP_
#define HYPERION_PLUGIN_HPP_

#include <hyperion/plugin.h>

#include <algorithm>
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

extern "C" const char hyperion_plugin_metadata[];

namespace hyperion {

// An error with an ABI status code. Throw it from any hook to fail with `code`.
class Error : public std::runtime_error {
 public:
  Error(hyperion_status_t code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  [[nodiscard]] hyperion_status_t code() const noexcept { return code_; }

 private:
  hyperion_status_t code_;
};

inline hyperion_str_t to_str(std::string_view s) noexcept { return {s.data(), s.size()}; }
inline std::string_view to_view(hyperion_str_t s) noexcept {
  return s.size == 0 ? std::string_view{} : std::string_view{s.data, s.size};
}

// The labels_json of a metric, from name/value pairs, escaped as JSON: a
// quote or a backslash in a value (a host name from a registry, a path) stays
// inside its label instead of breaking the object.
//   ctx.counter_add("cache_misses_total", 1, hyperion::labels({{"cache", name}}));
inline std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  boost::json::object o;
  for (const auto& [name, value] : pairs) o[name] = value;
  return boost::json::serialize(o);
}

// ---- Typed config --------------------------------------------------------
// A plugin may take its config as a C++ struct instead of JSON: declare the
// struct with Boost.Describe and name it `Config` in the class, and the SDK
// fills it from the validated config (defaults already applied by the host)
// for the constructor and for reload_prepare:
//
//   struct Settings {
//     std::string greeting;
//     int max_stream_count = 100;
//     std::optional<std::string> motd;         // absent or null: nullopt
//     std::vector<std::string> tags;           // arrays; std::map<std::string, T> for objects
//   };
//   BOOST_DESCRIBE_STRUCT(Settings, (), (greeting, max_stream_count, motd, tags))
//
//   class Greeter {
//    public:
//     using Config = Settings;
//     Greeter(hyperion::Context& ctx, const Settings& config);
//     void reload_prepare(const Settings& next, const boost::json::array& diff);  // optional
//     ...
//   };
//
// A field the JSON lacks keeps the struct's own initialiser; keys the struct
// does not name are ignored (the schema decides what is allowed). A value of
// the wrong type throws hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT) naming
// the field as a JSON Pointer. Nested described structs work the same way.
// hyperion::config_as<T>(json) does the same conversion anywhere.
namespace sdk {

template <typename T>
struct IsOptional : std::false_type {};
template <typename U>
struct IsOptional<std::optional<U>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename U, typename A>
struct IsVector<std::vector<U, A>> : std::true_type {};
template <typename T>
struct IsStringMap : std::false_type {};
template <typename U, typename C, typename A>
struct IsStringMap<std::map<std::string, U, C, A>> : std::true_type {};

template <typename T>
T read_config(const boost::json::value& v, const std::string& pointer) {
  auto wrong = [&](const char* expected) {
    return Error(HYPERION_ERR_INVALID_ARGUMENT,
                 "config field " + (pointer.empty() ? std::string("/") : pointer) + ": expected " + expected);
  };
  if constexpr (IsOptional<T>::value) {
    if (v.is_null()) return T{};
    return T{read_config<typename T::value_type>(v, pointer)};
  } else if constexpr (IsVector<T>::value) {
    const boost::json::array* a = v.if_array();
    if (a == nullptr) throw wrong("an array");
    T out;
    for (size_t i = 0; i < a->size(); ++i) {
      out.push_back(read_config<typename T::value_type>((*a)[i], pointer + "/" + std::to_string(i)));
    }
    return out;
  } else if constexpr (IsStringMap<T>::value) {
    const boost::json::object* o = v.if_object();
    if (o == nullptr) throw wrong("an object");
    T out;
    for (const auto& kv : *o) {
      out.emplace(std::string(kv.key()),
                  read_config<typename T::mapped_type>(kv.value(), pointer + "/" + std::string(kv.key())));
    }
    return out;
  } else if constexpr (boost::describe::has_describe_members<T>::value) {
    const boost::json::object* o = v.if_object();
    if (o == nullptr) throw wrong("an object");
    T out{};
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
      if (const boost::json::value* field = o->if_contains(member.name)) {
        using Field = std::remove_cvref_t<decltype(out.*member.pointer)>;
        out.*member.pointer = read_config<Field>(*field, pointer + "/" + member.name);
      }
    });
    return out;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) throw wrong("true or false");
    return v.get_bool();
  } else if constexpr (std::is_arithmetic_v<T>) {
    if (!v.is_number()) throw wrong("a number");
    boost::system::error_code ec;
    T n = v.to_number<T>(ec);
    if (ec) throw wrong("a number that fits");
    return n;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) throw wrong("a string");
    return std::string(v.get_string());
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return v;
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    if (!v.is_object()) throw wrong("an object");
    return v.get_object();
  } else {
    try {
      return boost::json::value_to<T>(v);
    } catch (const std::exception& e) {
      throw Error(HYPERION_ERR_INVALID_ARGUMENT, "config field " + pointer + ": " + e.what());
    }
  }
}

// The plugin class's config type: its `Config` when it takes one, else the JSON object.
template <typename P>
struct ConfigOf {
  using type = boost::json::object;
};
template <typename P>
requires requires { typename P::Config; }
struct ConfigOf<P> {
  using type = typename P::Config;
};

}  // namespace sdk

// Converts JSON (a validated config) into T (see "Typed config" above).
template <typename T>
T config_as(const boost::json::value& v) {
  return sdk::read_config<T>(v, "");
}

// An absolute CLOCK_MONOTONIC deadline (the clock of std::chrono::steady_clock
// on Linux).
class Deadline {
 public:
  explicit Deadline(uint64_t monotonic_ns) noexcept : ns_(monotonic_ns) {}
  [[nodiscard]] uint64_t ns() const noexcept { return ns_; }
  [[nodiscard]] std::chrono::steady_clock::time_point time_point() const noexcept {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns_));
  }
  [[nodiscard]] bool expired() const noexcept {
    return std::chrono::steady_clock::now() >= time_point();
  }

 private:
  uint64_t ns_;
};

namespace sdk {
// The deadline to hand a service's unregister call (host clock, ns) so that a
// stop() passing its own `deadline` still returns in time: a tenth of the time
// left before it, at most 50 ms; `fallback` from now without one.
inline uint64_t drain_deadline_ns(const std::optional<Deadline>& deadline, std::chrono::nanoseconds fallback) {
  using namespace std::chrono;
  auto now = steady_clock::now();
  auto end = deadline ? deadline->time_point() : now + duration_cast<steady_clock::duration>(fallback);
  auto margin = end <= now ? nanoseconds(0) : std::min<nanoseconds>((end - now) / 10, milliseconds(50));
  return static_cast<uint64_t>(duration_cast<nanoseconds>((end - margin).time_since_epoch()).count());
}
}  // namespace sdk

// Releases registrations (routes, gRPC methods, descriptor sets: anything with
// release(Deadline)) newest first, each waiting for its calls in flight until
// `deadline`, and empties the container. What a stop() usually does.
template <typename Registrations>
void release_all(Registrations& registrations, Deadline deadline) {
  while (!registrations.empty()) {
    registrations.back().release(deadline);
    registrations.pop_back();
  }
}

enum class HealthStatus { kHealthy, kDegraded, kUnhealthy };

struct HealthReport {
  HealthStatus status = HealthStatus::kHealthy;
  std::string message;
  boost::json::object details;

  [[nodiscard]] std::string to_json() const {
    static constexpr const char* kNames[] = {"healthy", "degraded", "unhealthy"};
    boost::json::object o;
    o["status"] = kNames[static_cast<int>(status)];
    o["message"] = message;
    o["details"] = details;
    return boost::json::serialize(o);
  }
};

// What a provider returns from get_service().
struct ServiceRef {
  const void* vtable = nullptr;
  void* ctx = nullptr;
  uint32_t api_minor = 0;
};

// One use of a service, from ServiceHandle::enter() until destruction.
template <typename VTable>
class ServiceUse {
 public:
  ServiceUse(const hyperion_host_api_t* host, hyperion_service_t* handle,
             hyperion_service_ref_t ref) noexcept
      : host_(host), handle_(handle), ref_(ref) {}
  ServiceUse(ServiceUse&& o) noexcept : host_(o.host_), handle_(std::exchange(o.handle_, nullptr)), ref_(o.ref_) {}
  ServiceUse(const ServiceUse&) = delete;
  ServiceUse& operator=(const ServiceUse&) = delete;
  ServiceUse& operator=(ServiceUse&&) = delete;
  ~ServiceUse() {
    if (handle_ != nullptr) host_->service_leave(handle_);
  }
  [[nodiscard]] const VTable* vtable() const noexcept { return static_cast<const VTable*>(ref_.vtable); }
  [[nodiscard]] void* ctx() const noexcept { return ref_.ctx; }
  [[nodiscard]] uint32_t api_minor() const noexcept { return ref_.api_minor; }

 private:
  const hyperion_host_api_t* host_;
  hyperion_service_t* handle_;
  hyperion_service_ref_t ref_;
};

// A handle on a required service. The host may replace the provider underneath;
// every enter() sees the current one.
class ServiceHandle {
 public:
  ServiceHandle(const hyperion_host_api_t* host, hyperion_service_t* handle) noexcept
      : host_(host), handle_(handle) {}
  ServiceHandle(ServiceHandle&& o) noexcept : host_(o.host_), handle_(std::exchange(o.handle_, nullptr)) {}
  ServiceHandle& operator=(ServiceHandle&& o) noexcept {
    if (this != &o) {
      reset();
      host_ = o.host_;
      handle_ = std::exchange(o.handle_, nullptr);
    }
    return *this;
  }
  ServiceHandle(const ServiceHandle&) = delete;
  ServiceHandle& operator=(const ServiceHandle&) = delete;
  ~ServiceHandle() { reset(); }

  // Throws hyperion::Error (HYPERION_ERR_UNAVAILABLE) while no provider runs.
  template <typename VTable>
  [[nodiscard]] ServiceUse<VTable> enter() const {
    hyperion_service_ref_t ref{};
    ref.struct_size = sizeof ref;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    if (hyperion_status_t s = host_->service_enter(handle_, &ref, &err); s != HYPERION_OK) {
      throw Error(s, err.message);
    }
    return ServiceUse<VTable>(host_, handle_, ref);
  }

 private:
  void reset() noexcept {
    if (handle_ != nullptr) host_->service_release(std::exchange(handle_, nullptr));
  }
  const hyperion_host_api_t* host_;
  hyperion_service_t* handle_;
};

// The plugin's view of the host: logging, metrics, events, services, timers,
// config proposals. Owned by the SDK; valid for the instance's whole life.
namespace sdk {
// A sink that appends to `out` (for reading what the host or a service writes
// into a sink, such as hyperion.health's snapshot). `out` must outlive the
// sink's use.
inline hyperion_sink_t string_sink(std::string& out) {
  return {sizeof(hyperion_sink_t), &out, [](void* ctx, const void* data, size_t size) -> hyperion_status_t {
            static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
            return HYPERION_OK;
          }};
}
}  // namespace sdk

class Context {
 public:
  Context(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, std::string_view name)
      : ctx_(ctx), name_(name) {
    // Copy min(host size, our size) into a zeroed table: fields newer than the
    // host stay NULL (convention: NULL means not supported).
    std::memset(&host_, 0, sizeof host_);
    std::memcpy(&host_, host, std::min<size_t>(host->struct_size, sizeof host_));
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  [[nodiscard]] const std::string& instance_name() const noexcept { return name_; }
  [[nodiscard]] const hyperion_host_api_t& api() const noexcept { return host_; }
  [[nodiscard]] hyperion_host_ctx_t* host_ctx() const noexcept { return ctx_; }

  void log(hyperion_log_level_t level, std::string_view message) const {
    host_.log(ctx_, level, to_str(message));
  }
  // Whether a line at `level` would be written now: skip building lines that
  // would not be (per-call access logs). True on a host too old to say.
  [[nodiscard]] bool logs(hyperion_log_level_t level) const {
    return host_.log_level == nullptr || host_.log_level(ctx_) <= level;
  }
  void debug(std::string_view m) const { log(HYPERION_LOG_DEBUG, m); }
  void info(std::string_view m) const { log(HYPERION_LOG_INFO, m); }
  void warn(std::string_view m) const { log(HYPERION_LOG_WARN, m); }
  void error(std::string_view m) const { log(HYPERION_LOG_ERROR, m); }

  void counter_add(std::string_view name, double delta, std::string_view labels_json = {}) const {
    host_.counter_add(ctx_, to_str(name), to_str(labels_json), delta);
  }
  void gauge_set(std::string_view name, double value, std::string_view labels_json = {}) const {
    host_.gauge_set(ctx_, to_str(name), to_str(labels_json), value);
  }
  void histogram_observe(std::string_view name, double value, std::string_view labels_json = {}) const {
    host_.histogram_observe(ctx_, to_str(name), to_str(labels_json), value);
  }
  // The family's "# HELP" text (metric_describe in hyperion/plugin.h): call it
  // for every family the plugin records, once, at create or start. A host older
  // than ABI 1.2 cannot show it, and the call does nothing there: a missing
  // description must not stop a plugin.
  void describe_metric(std::string_view name, std::string_view help) const {
    if (host_.metric_describe != nullptr) host_.metric_describe(ctx_, to_str(name), to_str(help));
  }
  // histogram_observe whose observation belongs to a sampled trace: its ids
  // become the bucket's exemplar (histogram_observe_traced in
  // hyperion/plugin.h). Empty `trace_id` (an unsampled trace), or a host older
  // than ABI 1.2: a plain observation.
  void histogram_observe(std::string_view name, double value, std::string_view labels_json, std::string_view trace_id,
                         std::string_view span_id = {}) const {
    if (trace_id.empty() || host_.histogram_observe_traced == nullptr) {
      host_.histogram_observe(ctx_, to_str(name), to_str(labels_json), value);
    } else {
      host_.histogram_observe_traced(ctx_, to_str(name), to_str(labels_json), value, to_str(trace_id), to_str(span_id));
    }
  }

  void emit_event(std::string_view type, std::string_view data_json = {}) const {
    check([&](hyperion_error_t* e) { return host_.event_emit(ctx_, to_str(type), to_str(data_json), e); });
  }

  // Subscribes to events whose type starts with `type_prefix`. The callback runs
  // on a host thread. Returns the id for unsubscribe().
  uint64_t subscribe(std::string_view type_prefix, std::function<void(std::string_view)> fn) {
    auto holder = std::make_unique<Callback<void(std::string_view)>>(Callback<void(std::string_view)>{this, std::move(fn)});
    uint64_t id = 0;
    check([&](hyperion_error_t* e) {
      return host_.event_subscribe(
          ctx_, to_str(type_prefix),
          [](void* user, hyperion_str_t event) {
            auto* self = static_cast<Callback<void(std::string_view)>*>(user);
            self->run([&] { self->fn(to_view(event)); });
          },
          holder.get(), &id, e);
    });
    std::lock_guard lock(mu_);
    subscriptions_[id] = std::move(holder);
    return id;
  }
  void unsubscribe(uint64_t id) {
    host_.event_unsubscribe(ctx_, id);
    std::lock_guard lock(mu_);
    subscriptions_.erase(id);
  }

  // Runs `fn` after `delay`, then every `period` unless it is zero.
  uint64_t start_timer(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                       std::function<void()> fn) {
    auto holder = std::make_unique<Callback<void()>>(Callback<void()>{this, std::move(fn)});
    uint64_t id = 0;
    check([&](hyperion_error_t* e) {
      return host_.timer_start(
          ctx_, static_cast<uint64_t>(delay.count()), static_cast<uint64_t>(period.count()),
          [](void* user) {
            auto* self = static_cast<Callback<void()>*>(user);
            self->run([&] { self->fn(); });
          },
          holder.get(), &id, e);
    });
    std::lock_guard lock(mu_);
    timers_[id] = std::move(holder);
    return id;
  }
  void cancel_timer(uint64_t id) {
    host_.timer_cancel(ctx_, id);
    std::lock_guard lock(mu_);
    timers_.erase(id);
  }

  // Obtains a handle on a service this plugin declared in "requires".
  [[nodiscard]] ServiceHandle acquire(std::string_view api, uint32_t api_major) const {
    hyperion_service_t* handle = nullptr;
    check([&](hyperion_error_t* e) { return host_.service_acquire(ctx_, to_str(api), api_major, &handle, e); });
    return ServiceHandle(&host_, handle);
  }

  // Proposes new configuration (see config_propose in hyperion/plugin.h).
  // Returns the applied revision; throws hyperion::Error with the host's reason.
  uint64_t propose_config(std::string_view source, std::string_view desired_json) const {
    uint64_t revision = 0;
    check([&](hyperion_error_t* e) {
      return host_.config_propose(ctx_, to_str(source), to_str(desired_json), &revision, e);
    });
    return revision;
  }

  // A folder private to this instance that survives restarts (ABI 1.1: see
  // instance_state_dir in hyperion/plugin.h); throws HYPERION_ERR_UNSUPPORTED
  // from a 1.0 host.
  [[nodiscard]] std::string state_dir() const {
    if (host_.instance_state_dir == nullptr) {
      throw Error(HYPERION_ERR_UNSUPPORTED, "state_dir: this host speaks ABI 1.0 (instance_state_dir is 1.1)");
    }
    std::string path;
    const hyperion_sink_t sink = sdk::string_sink(path);
    check([&](hyperion_error_t* e) { return host_.instance_state_dir(ctx_, &sink, e); });
    return path;
  }

  // Whether the host takes layered proposals (ABI 1.1; propose_layer).
  [[nodiscard]] bool host_takes_layers() const noexcept { return host_.config_propose_layer != nullptr; }
  // Proposes this source's whole layer: {"instances": {name: merge patch}, "host": {...}}
  // (see config_propose_layer in hyperion/plugin.h). Returns the applied (or
  // current) revision; throws hyperion::Error with the host's reason, or with
  // HYPERION_ERR_UNSUPPORTED from a 1.0 host.
  uint64_t propose_layer(std::string_view source, std::string_view layer_json) const {
    if (!host_takes_layers()) {
      throw Error(HYPERION_ERR_UNSUPPORTED, "propose_layer: this host speaks ABI 1.0 (config_propose_layer is 1.1)");
    }
    uint64_t revision = 0;
    check([&](hyperion_error_t* e) {
      return host_.config_propose_layer(ctx_, to_str(source), to_str(layer_json), &revision, e);
    });
    return revision;
  }

 private:
  // A callback the host calls through a C function pointer: nothing may be
  // thrown back into the host, so an exception is logged and dropped.
  template <typename Signature>
  struct Callback {
    Context* context;
    std::function<Signature> fn;
    template <typename Body>
    void run(Body&& body) noexcept {
      try {
        body();
      } catch (const std::exception& e) {
        context->error(std::string("callback threw: ") + e.what());
      } catch (...) {
        context->error("callback threw an unknown exception");
      }
    }
  };

  template <typename Call>
  void check(Call&& call) const {
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    if (hyperion_status_t s = call(&err); s != HYPERION_OK) throw Error(s, err.message);
  }

  hyperion_host_api_t host_;
  hyperion_host_ctx_t* ctx_;
  std::string name_;
  std::mutex mu_;
  std::map<uint64_t, std::unique_ptr<Callback<void(std::string_view)>>> subscriptions_;
  std::map<uint64_t, std::unique_ptr<Callback<void()>>> timers_;
};

// Parses a JSON object handed over by the host; throws hyperion::Error.
inline boost::json::object parse_object(std::string_view json, const char* what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) {
    throw Error(HYPERION_ERR_INVALID_ARGUMENT, std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

namespace sdk {

// Runs `body`, turning every exception into a status and an error message.
template <typename Body>
hyperion_status_t guarded(hyperion_error_t* err, Body&& body) noexcept {
  try {
    body();
    return HYPERION_OK;
  } catch (const Error& e) {
    return hyperion_error_set(err, e.code(), e.what());
  } catch (const std::exception& e) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL, e.what());
  } catch (...) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL, "unknown exception");
  }
}

// Writes a string into a host sink; throws if the host refuses it.
inline void write_sink(const hyperion_sink_t* sink, std::string_view data) {
  if (sink->write(sink->ctx, data.data(), data.size()) != HYPERION_OK) {
    throw Error(HYPERION_ERR_INVALID_ARGUMENT, "host refused the output (too large?)");
  }
}

// What the SDK allocates per instance: the context and the author's object.
template <typename Plugin>
struct Instance {
  Instance(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx, std::string_view name)
      : context(host, ctx, name) {}
  Context context;
  std::optional<Plugin> plugin;
};

template <typename Plugin>
Instance<Plugin>* self(hyperion_instance_t* instance) noexcept {
  return reinterpret_cast<Instance<Plugin>*>(instance);
}

template <typename P> concept HasHealth = requires(P p) { { p.health() } -> std::same_as<HealthReport>; };
template <typename P>
concept HasReload = requires(P p, const typename ConfigOf<P>::type& c, const boost::json::array& d) {
  p.reload_prepare(c, d);
  p.reload_commit();
  p.reload_abort();
};
template <typename P> concept HasState = requires(P p, std::string_view s) {
  { p.state_export() } -> std::convertible_to<std::string>;
  p.state_import(s);
};
template <typename P> concept HasServices = requires(P p, std::string_view api, uint32_t major) {
  { p.get_service(api, major) } -> std::same_as<ServiceRef>;
};
template <typename P> concept HasStart = requires(P p, Deadline d) { p.start(d); };
template <typename P> concept HasStop = requires(P p, Deadline d) { p.stop(d); };

template <typename Plugin>
struct Thunks {
  static hyperion_status_t create(const hyperion_host_api_t* host, hyperion_host_ctx_t* ctx,
                                  hyperion_str_t name, hyperion_str_t config,
                                  hyperion_instance_t** out, hyperion_error_t* err) noexcept {
    Instance<Plugin>* created = nullptr;
    hyperion_status_t s = guarded(err, [&] {
      auto holder = std::make_unique<Instance<Plugin>>(host, ctx, to_view(name));
      boost::json::object cfg = parse_object(to_view(config), "config");
      if constexpr (std::is_same_v<typename ConfigOf<Plugin>::type, boost::json::object>) {
        holder->plugin.emplace(holder->context, cfg);
      } else {
        holder->plugin.emplace(holder->context, read_config<typename ConfigOf<Plugin>::type>(cfg, ""));
      }
      created = holder.release();
    });
    if (s == HYPERION_OK) *out = reinterpret_cast<hyperion_instance_t*>(created);
    return s;
  }
  static hyperion_status_t start(hyperion_instance_t* i, uint64_t deadline, hyperion_error_t* err) noexcept {
    return guarded(err, [&] {
      if constexpr (HasStart<Plugin>) self<Plugin>(i)->plugin->start(Deadline(deadline));
    });
  }
  static hyperion_status_t stop(hyperion_instance_t* i, uint64_t deadline, hyperion_error_t* err) noexcept {
    return guarded(err, [&] {
      if constexpr (HasStop<Plugin>) self<Plugin>(i)->plugin->stop(Deadline(deadline));
    });
  }
  static void destroy(hyperion_instance_t* i) noexcept {
    try {
      delete self<Plugin>(i);
    } catch (...) {
      // A throwing destructor must not cross the boundary; the memory is lost.
    }
  }
  static hyperion_status_t health(hyperion_instance_t* i, const hyperion_sink_t* report,
                                  hyperion_error_t* err) noexcept {
    return guarded(err, [&] { write_sink(report, self<Plugin>(i)->plugin->health().to_json()); });
  }
  static hyperion_status_t reload_prepare(hyperion_instance_t* i, hyperion_str_t config,
                                          hyperion_str_t diff, hyperion_error_t* err) noexcept {
    return guarded(err, [&] {
      boost::json::object cfg = parse_object(to_view(config), "new config");
      boost::system::error_code ec;
      boost::json::value d = boost::json::parse(to_view(diff), ec);
      if (ec || !d.is_array()) throw Error(HYPERION_ERR_INVALID_ARGUMENT, "diff is not a JSON array");
      if constexpr (std::is_same_v<typename ConfigOf<Plugin>::type, boost::json::object>) {
        self<Plugin>(i)->plugin->reload_prepare(cfg, d.as_array());
      } else {
        self<Plugin>(i)->plugin->reload_prepare(read_config<typename ConfigOf<Plugin>::type>(cfg, ""), d.as_array());
      }
    });
  }
  static hyperion_status_t reload_commit(hyperion_instance_t* i, hyperion_error_t* err) noexcept {
    return guarded(err, [&] { self<Plugin>(i)->plugin->reload_commit(); });
  }
  static void reload_abort(hyperion_instance_t* i) noexcept {
    hyperion_error_t ignored{};
    ignored.struct_size = sizeof ignored;
    (void)guarded(&ignored, [&] { self<Plugin>(i)->plugin->reload_abort(); });
  }
  static hyperion_status_t state_export(hyperion_instance_t* i, const hyperion_sink_t* out,
                                        hyperion_error_t* err) noexcept {
    return guarded(err, [&] { write_sink(out, self<Plugin>(i)->plugin->state_export()); });
  }
  static hyperion_status_t state_import(hyperion_instance_t* i, hyperion_bytes_t state,
                                        hyperion_error_t* err) noexcept {
    return guarded(err, [&] {
      std::string_view bytes(reinterpret_cast<const char*>(state.data), state.size);
      self<Plugin>(i)->plugin->state_import(state.size == 0 ? std::string_view{} : bytes);
    });
  }
  static hyperion_status_t get_service(hyperion_instance_t* i, hyperion_str_t api, uint32_t major,
                                       hyperion_service_ref_t* out, hyperion_error_t* err) noexcept {
    return guarded(err, [&] {
      ServiceRef ref = self<Plugin>(i)->plugin->get_service(to_view(api), major);
      if (ref.vtable == nullptr) {
        throw Error(HYPERION_ERR_NOT_FOUND, "no service " + std::string(to_view(api)));
      }
      out->api_minor = ref.api_minor;
      out->vtable = ref.vtable;
      out->ctx = ref.ctx;
    });
  }
};

template <typename Plugin>
constexpr hyperion_plugin_vtable_t make_vtable() {
  static_assert(std::is_constructible_v<Plugin, Context&, const typename ConfigOf<Plugin>::type&>,
                "a Hyperion plugin class needs a constructor (hyperion::Context&, const "
                "boost::json::object& config), or (hyperion::Context&, const Config&) when it names a Config type");
  using T = Thunks<Plugin>;
  hyperion_plugin_vtable_t v{};
  v.struct_size = sizeof(hyperion_plugin_vtable_t);
  v.create = &T::create;
  v.start = &T::start;
  v.stop = &T::stop;
  v.destroy = &T::destroy;
  if constexpr (HasHealth<Plugin>) v.health = &T::health;
  if constexpr (HasReload<Plugin>) {
    v.reload_prepare = &T::reload_prepare;
    v.reload_commit = &T::reload_commit;
    v.reload_abort = &T::reload_abort;
  }
  if constexpr (HasState<Plugin>) {
    v.state_export = &T::state_export;
    v.state_import = &T::state_import;
  }
  if constexpr (HasServices<Plugin>) v.get_service = &T::get_service;
  return v;
}

// Whether a plugin built with this descriptor can serve a host speaking ABI
// `host_major`.0 .. `host_major`.`host_minor_max` (the entry point's rule in
// hyperion/plugin.h): same major, and the host offers the minor the plugin needs.
constexpr bool can_serve(const hyperion_plugin_t& descriptor, uint32_t host_major, uint32_t host_minor_max) noexcept {
  return host_major == descriptor.abi_major && host_minor_max >= descriptor.abi_minor;
}

// Whether `capability` is in `declared` ("health,reload": the metadata's list
// as hyperion_add_plugin() passes it in HYPERION_DECLARED_CAPABILITIES).
constexpr bool declares(std::string_view declared, std::string_view capability) noexcept {
  for (size_t start = 0; start <= declared.size();) {
    size_t end = declared.find(',', start);
    if (end == std::string_view::npos) end = declared.size();
    if (declared.substr(start, end - start) == capability) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace sdk
}  // namespace hyperion

// Embeds the metadata JSON when the build does not (see the top of this file).
#define HYPERION_PLUGIN_METADATA_JSON(json) \
  extern "C" HYPERION_METADATA(hyperion_plugin_metadata) = json

// The ABI minor a plugin declares (the descriptor's abi_minor): the newest minor
// whose host functions it cannot do without. Everything the SDK offers from a
// newer minor checks for the host's NULL slot and throws HYPERION_ERR_UNSUPPORTED
// on an older host, so the default is 1.0: the plugin loads into every 1.x host.
// A plugin that needs a newer function to work at all (a config source that
// proposes layers) defines it, e.g. -DHYPERION_PLUGIN_ABI_MINOR=1, and an older
// host then refuses it at load time, naming the minor.
#ifndef HYPERION_PLUGIN_ABI_MINOR
#define HYPERION_PLUGIN_ABI_MINOR 0
#endif
static_assert(HYPERION_PLUGIN_ABI_MINOR <= HYPERION_ABI_MINOR, "HYPERION_PLUGIN_ABI_MINOR is newer than this header");

// The metadata's "capabilities" must match the hooks the class has (the host
// refuses a mismatch at load). hyperion_add_plugin() passes the list from
// plugin.json, so the compiler says so first, naming the capability.
#ifdef HYPERION_DECLARED_CAPABILITIES
#define HYPERION_CHECK_CAPABILITIES(PluginClass)                                                                      \
  static_assert(                                                                                                      \
      ::hyperion::sdk::declares(HYPERION_DECLARED_CAPABILITIES, "health") == ::hyperion::sdk::HasHealth<PluginClass>, \
      "plugin.json: list \"health\" in \"capabilities\" exactly when the class has health()");                        \
  static_assert(                                                                                                      \
      ::hyperion::sdk::declares(HYPERION_DECLARED_CAPABILITIES, "reload") == ::hyperion::sdk::HasReload<PluginClass>, \
      "plugin.json: list \"reload\" in \"capabilities\" exactly when the class has "                                  \
      "reload_prepare(), reload_commit() and reload_abort()");                                                        \
  static_assert(                                                                                                      \
      ::hyperion::sdk::declares(HYPERION_DECLARED_CAPABILITIES, "state") == ::hyperion::sdk::HasState<PluginClass>,   \
      "plugin.json: list \"state\" in \"capabilities\" exactly when the class has "                                   \
      "state_export() and state_import()");
#else
#define HYPERION_CHECK_CAPABILITIES(PluginClass)
#endif

// Generates the entry point for `PluginClass`. Use once per library, at global
// namespace scope.
#define HYPERION_PLUGIN(PluginClass)                                                                       \
  HYPERION_CHECK_CAPABILITIES(PluginClass)                                                                 \
  namespace {                                                                                              \
  constexpr hyperion_plugin_vtable_t hyperion_sdk_vtable = ::hyperion::sdk::make_vtable<PluginClass>();    \
  const hyperion_plugin_t hyperion_sdk_descriptor = {HYPERION_PLUGIN_MAGIC,    sizeof(hyperion_plugin_t),  \
                                                     HYPERION_ABI_MAJOR,       HYPERION_PLUGIN_ABI_MINOR,  \
                                                     hyperion_plugin_metadata, &hyperion_sdk_vtable};      \
  }                                                                                                        \
  extern "C" HYPERION_EXPORT const hyperion_plugin_t* hyperion_plugin_entry(uint32_t host_abi_major,       \
                                                                            uint32_t host_abi_minor_max) { \
    return ::hyperion::sdk::can_serve(hyperion_sdk_descriptor, host_abi_major, host_abi_minor_max)         \
               ? &hyperion_sdk_descriptor                                                                  \
               : nullptr;                                                                                  \
  }

#endif  // HYPERION_PLUGIN_HPP_
