// The C++ SDK turns a class into ABI tables: optional slots follow the class,
// and every exception becomes a status and a message.
#include <gtest/gtest.h>

#include <hyperion/plugin.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Minimal {
  Minimal(hyperion::Context&, const boost::json::object&) {}
};

struct Full {
  Full(hyperion::Context&, const boost::json::object& config) {
    if (config.contains("explode")) throw std::runtime_error("constructor exploded");
  }
  void start(hyperion::Deadline) { throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "not yet"); }
  void stop(hyperion::Deadline) { throw 3; }
  hyperion::HealthReport health() { return {hyperion::HealthStatus::kDegraded, "slow", {{"lag", 3}}}; }
  void reload_prepare(const boost::json::object&, const boost::json::array&) {}
  void reload_commit() {}
  void reload_abort() {}
  std::string state_export() { return "state"; }
  void state_import(std::string_view) {}
  hyperion::ServiceRef get_service(std::string_view, uint32_t) { return {}; }
};

// A host API that only logs (the SDK copies the table in create).
void log(hyperion_host_ctx_t*, hyperion_log_level_t, hyperion_str_t) {}
hyperion_host_api_t fake_host() {
  hyperion_host_api_t api{};
  api.struct_size = sizeof api;
  api.log = &log;
  return api;
}

hyperion_error_t new_error() {
  hyperion_error_t e{};
  e.struct_size = sizeof e;
  return e;
}

TEST(PluginSdk, OptionalSlotsFollowTheClass) {
  constexpr hyperion_plugin_vtable_t minimal = hyperion::sdk::make_vtable<Minimal>();
  EXPECT_NE(minimal.create, nullptr);
  EXPECT_NE(minimal.start, nullptr);
  EXPECT_EQ(minimal.health, nullptr);
  EXPECT_EQ(minimal.reload_prepare, nullptr);
  EXPECT_EQ(minimal.state_export, nullptr);
  EXPECT_EQ(minimal.get_service, nullptr);
  constexpr hyperion_plugin_vtable_t full = hyperion::sdk::make_vtable<Full>();
  EXPECT_NE(full.health, nullptr);
  EXPECT_NE(full.reload_commit, nullptr);
  EXPECT_NE(full.state_import, nullptr);
  EXPECT_NE(full.get_service, nullptr);
}

TEST(PluginSdk, ExceptionsBecomeErrors) {
  hyperion_plugin_vtable_t v = hyperion::sdk::make_vtable<Full>();
  hyperion_host_api_t host = fake_host();
  hyperion_instance_t* instance = nullptr;
  hyperion_error_t err = new_error();
  std::string bad = R"({"explode": true})";
  EXPECT_EQ(v.create(&host, nullptr, {"x", 1}, {bad.data(), bad.size()}, &instance, &err), HYPERION_ERR_INTERNAL);
  EXPECT_STREQ(err.message, "constructor exploded");
  EXPECT_EQ(instance, nullptr);

  err = new_error();
  EXPECT_EQ(v.create(&host, nullptr, {"x", 1}, {"[]", 2}, &instance, &err), HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(err.message, "config is not a JSON object");

  err = new_error();
  ASSERT_EQ(v.create(&host, nullptr, {"x", 1}, {"{}", 2}, &instance, &err), HYPERION_OK);
  ASSERT_NE(instance, nullptr);
  EXPECT_EQ(v.start(instance, 0, &err), HYPERION_ERR_UNAVAILABLE);
  EXPECT_STREQ(err.message, "not yet");
  EXPECT_EQ(v.stop(instance, 0, &err), HYPERION_ERR_INTERNAL);
  EXPECT_STREQ(err.message, "unknown exception");
  err = new_error();
  EXPECT_EQ(v.get_service(instance, {"api", 3}, 1, nullptr, &err), HYPERION_ERR_NOT_FOUND);

  std::string report;
  hyperion_sink_t sink{sizeof(hyperion_sink_t), &report, [](void* ctx, const void* data, size_t size) {
                         static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
                         return hyperion_status_t{HYPERION_OK};
                       }};
  ASSERT_EQ(v.health(instance, &sink, &err), HYPERION_OK);
  EXPECT_EQ(report, R"({"status":"degraded","message":"slow","details":{"lag":3}})");
  err = new_error();
  EXPECT_EQ(v.reload_prepare(instance, {"{}", 2}, {"{}", 2}, &err), HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(err.message, "diff is not a JSON array");
  v.destroy(instance);
}

TEST(PluginSdk, ErrorMessagesAreTruncatedToTheCallersSize) {
  // A caller whose header had an 8-byte message: nothing past it is written.
  hyperion_error_t err{};
  err.struct_size = offsetof(hyperion_error_t, message) + 8;
  std::memset(err.message, 'C', sizeof err.message);
  EXPECT_EQ(hyperion_error_set(&err, HYPERION_ERR_INTERNAL, "a long message"), HYPERION_ERR_INTERNAL);
  EXPECT_EQ(err.code, HYPERION_ERR_INTERNAL);
  EXPECT_STREQ(err.message, "a long ");
  for (size_t i = 8; i < sizeof err.message; ++i) ASSERT_EQ(err.message[i], 'C') << i;
}

// Timer and event callbacks reach the plugin through C function pointers: an
// exception in one is logged and goes no further.
std::vector<std::string> g_logged;
hyperion_task_fn g_timer_fn = nullptr;
void* g_timer_user = nullptr;

TEST(PluginSdk, CallbackExceptionsAreLoggedNotThrown) {
  hyperion_host_api_t api{};
  api.struct_size = sizeof api;
  api.log = [](hyperion_host_ctx_t*, hyperion_log_level_t, hyperion_str_t m) { g_logged.emplace_back(m.data, m.size); };
  api.timer_start = [](hyperion_host_ctx_t*, uint64_t, uint64_t, hyperion_task_fn fn, void* user, uint64_t* id,
                       hyperion_error_t*) {
    g_timer_fn = fn;
    g_timer_user = user;
    *id = 1;
    return hyperion_status_t{HYPERION_OK};
  };
  api.timer_cancel = [](hyperion_host_ctx_t*, uint64_t) {};
  hyperion::Context ctx(&api, nullptr, "x");
  ctx.start_timer(std::chrono::milliseconds(1), std::chrono::milliseconds(0), [] { throw std::runtime_error("tick failed"); });
  ASSERT_NE(g_timer_fn, nullptr);
  g_timer_fn(g_timer_user);  // must not throw
  ASSERT_EQ(g_logged.size(), 1u);
  EXPECT_EQ(g_logged[0], "callback threw: tick failed");
  ctx.cancel_timer(1);
}

// ABI 1.2's metric functions: used when the host has them, and on an older
// host (NULL slots) a description is skipped and a traced observation is a
// plain one, never an error.
std::vector<std::string> g_metric_calls;

TEST(PluginSdk, MetricDescriptionsAndExemplarsFallBackOnAnOlderHost) {
  hyperion_host_api_t api{};
  api.struct_size = sizeof api;
  api.log = &log;
  api.histogram_observe = [](hyperion_host_ctx_t*, hyperion_str_t name, hyperion_str_t, double) {
    g_metric_calls.push_back("observe " + std::string(name.data, name.size));
  };
  hyperion_host_api_t older = api;
  older.struct_size = offsetof(hyperion_host_api_t, metric_describe);
  {
    hyperion::Context ctx(&older, nullptr, "x");
    ctx.describe_metric("latency_seconds", "Latency.");
    ctx.histogram_observe("latency_seconds", 0.1, "", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
  }
  EXPECT_EQ(g_metric_calls, std::vector<std::string>({"observe latency_seconds"}));

  g_metric_calls.clear();
  api.metric_describe = [](hyperion_host_ctx_t*, hyperion_str_t name, hyperion_str_t help) {
    g_metric_calls.push_back("describe " + std::string(name.data, name.size) + " " + std::string(help.data, help.size));
  };
  api.histogram_observe_traced = [](hyperion_host_ctx_t*, hyperion_str_t name, hyperion_str_t, double,
                                    hyperion_str_t trace_id, hyperion_str_t span_id) {
    g_metric_calls.push_back("traced " + std::string(name.data, name.size) + " " +
                             std::string(trace_id.data, trace_id.size) + " " + std::string(span_id.data, span_id.size));
  };
  hyperion::Context ctx(&api, nullptr, "x");
  ctx.describe_metric("latency_seconds", "Latency.");
  ctx.histogram_observe("latency_seconds", 0.1, "", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
  ctx.histogram_observe("latency_seconds", 0.1, "", "");  // unsampled: a plain observation
  EXPECT_EQ(g_metric_calls, std::vector<std::string>({"describe latency_seconds Latency.",
                                                      "traced latency_seconds 4bf92f3577b34da6a3ce929d0e0e4736 "
                                                      "00f067aa0ba902b7",
                                                      "observe latency_seconds"}));
}

}  // namespace

namespace typed {

struct Limits {
  int max = 10;
  double ratio = 0.5;
};
BOOST_DESCRIBE_STRUCT(Limits, (), (max, ratio))

struct Settings {
  std::string greeting = "Hello";
  bool loud = false;
  std::optional<std::string> motd;
  std::vector<std::string> tags;
  std::map<std::string, int> weights;
  Limits limits;
};
BOOST_DESCRIBE_STRUCT(Settings, (), (greeting, loud, motd, tags, weights, limits))

// Takes its config as a struct, for create and for reload_prepare.
struct Typed {
  using Config = Settings;
  Typed(hyperion::Context&, const Settings& config) : seen(config) {}
  void reload_prepare(const Settings& next, const boost::json::array&) { prepared = next; }
  void reload_commit() {}
  void reload_abort() {}
  hyperion::HealthReport health() {
    return {hyperion::HealthStatus::kHealthy, seen.greeting + (prepared ? "/" + prepared->greeting : ""), {}};
  }
  Settings seen;
  std::optional<Settings> prepared;
};

}  // namespace typed

TEST(PluginSdk, TypedConfigFillsADescribedStruct) {
  auto s = hyperion::config_as<typed::Settings>(boost::json::parse(
      R"({"greeting": "Hi", "loud": true, "motd": "up", "tags": ["a", "b"], "weights": {"x": 2},
          "limits": {"max": 3}, "unknown": 1})"));
  EXPECT_EQ(s.greeting, "Hi");
  EXPECT_TRUE(s.loud);
  EXPECT_EQ(s.motd, "up");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.weights.at("x"), 2);
  EXPECT_EQ(s.limits.max, 3);
  EXPECT_EQ(s.limits.ratio, 0.5);  // absent: the struct's own initialiser
  auto defaults = hyperion::config_as<typed::Settings>(boost::json::parse(R"({"motd": null})"));
  EXPECT_EQ(defaults.greeting, "Hello");
  EXPECT_FALSE(defaults.motd.has_value());
  try {
    (void)hyperion::config_as<typed::Settings>(boost::json::parse(R"({"limits": {"max": "ten"}})"));
    FAIL() << "a string for an int";
  } catch (const hyperion::Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "config field /limits/max: expected a number");
  }
  EXPECT_THROW((void)hyperion::config_as<typed::Settings>(boost::json::parse(R"({"tags": "a"})")), hyperion::Error);
}

TEST(PluginSdk, APluginCanTakeItsConfigAsAStruct) {
  hyperion_plugin_vtable_t v = hyperion::sdk::make_vtable<typed::Typed>();
  ASSERT_NE(v.reload_prepare, nullptr);  // reload_prepare(const Settings&, ...) counts as the hook
  hyperion_host_api_t host = fake_host();
  hyperion_instance_t* instance = nullptr;
  hyperion_error_t err = new_error();
  std::string config = R"({"greeting": "Howdy"})";
  ASSERT_EQ(v.create(&host, nullptr, {"x", 1}, {config.data(), config.size()}, &instance, &err), HYPERION_OK);
  std::string next = R"({"greeting": "Hey"})";
  ASSERT_EQ(v.reload_prepare(instance, {next.data(), next.size()}, {"[]", 2}, &err), HYPERION_OK);
  std::string report;
  hyperion_sink_t sink{sizeof(hyperion_sink_t), &report, [](void* ctx, const void* data, size_t size) {
                         static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
                         return hyperion_status_t{HYPERION_OK};
                       }};
  ASSERT_EQ(v.health(instance, &sink, &err), HYPERION_OK);
  EXPECT_NE(report.find("Howdy/Hey"), std::string::npos) << report;
  // A config the struct cannot hold fails create, naming the field.
  v.destroy(instance);
  instance = nullptr;
  std::string bad = R"({"loud": "very"})";
  err = new_error();
  EXPECT_EQ(v.create(&host, nullptr, {"x", 1}, {bad.data(), bad.size()}, &instance, &err),
            HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(err.message, "config field /loud: expected true or false");
}
