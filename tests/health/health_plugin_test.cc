// The health plugin over real HTTP on loopback, in a real host.
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>
#include <filesystem>

#include "app/host.h"
#include "health_endpoints.h"
#include "metrics_format.h"
#include "support/test_support.h"

namespace hyperion::health {
namespace {

class HealthPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string m = "app: web\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\n" +
                    "  health: {timeout_ms: 200, cache_ms: 1}\nplugins:\n" +
                    "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:0\"}\n" +
                    "  - name: good\n    library: behave_plain\n" +
                    "  - name: bad\n    library: behave_plain\n    config: {fail_in: health}\n";
    app::HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
    auto host = app::Host::prepare(dir_.write("app.yaml", m), options);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    ASSERT_TRUE(host_->start().ok());
    auto report = host_->instance_health("health");
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    std::string url(boost::json::parse(*report).at("details").at("url").as_string());
    client_ = std::make_unique<httplib::Client>(url);
  }
  int code(const std::string& path) {
    auto r = client_->Get(path);
    return r ? r->status : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<app::Host> host_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HealthPluginTest, EndpointsFollowTheAggregate) {
  EXPECT_EQ(code("/livez"), 200);
  EXPECT_EQ(code("/health/live"), 200);
  EXPECT_EQ(code("/startupz"), 200);
  // "bad" is required and unhealthy: not ready, not healthy.
  EXPECT_EQ(code("/readyz"), 503);
  EXPECT_EQ(code("/health/ready"), 503);
  EXPECT_EQ(code("/healthz"), 503);
  auto text = client_->Get("/readyz");
  EXPECT_NE(text->body.find("bad: unhealthy: HYPERION_ERR_UNAVAILABLE: behave refuses health"), std::string::npos)
      << text->body;
  // Leaving it out makes the rest ready.
  EXPECT_EQ(code("/readyz?exclude=bad"), 200);
  EXPECT_EQ(code("/healthz?exclude=bad"), 200);
  EXPECT_EQ(code("/readyz/good"), 200);
  EXPECT_EQ(code("/readyz/bad"), 503);
  EXPECT_EQ(code("/readyz/ghost"), 404);
  EXPECT_EQ(code("/nope"), 404);
}

TEST_F(HealthPluginTest, VerboseAnswersJson) {
  auto r = client_->Get("/readyz?verbose");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  auto v = boost::json::parse(r->body).as_object();
  EXPECT_EQ(v.at("ready").as_bool(), false);
  EXPECT_EQ(v.at("phase").as_string(), "running");
  EXPECT_EQ(v.at("instances").at("bad").at("cause").as_string(), "error");
  EXPECT_TRUE(v.at("instances").at("good").as_object().contains("duration_ms"));
  EXPECT_EQ(v.at("reload").at("breaker").at("state").as_string(), "closed");
  EXPECT_EQ(v.at("revision").as_int64(), 1);
}

TEST_F(HealthPluginTest, MetricsInPrometheusText) {
  (void)code("/healthz");  // one round, so durations are recorded
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("# TYPE hyperion_instance_running gauge"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("hyperion_instance_running{plugin_instance=\"good\"} 1"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("hyperion_health_check_duration_seconds_count{plugin_instance=\"good\"}"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("hyperion_instance_healthy{plugin_instance=\"bad\"} 0"), std::string::npos) << r->body;
}

// Prometheus' own Accept header gets OpenMetrics; curl's gets the text format.
TEST_F(HealthPluginTest, MetricsFormatFollowsAccept) {
  (void)code("/healthz");
  const httplib::Headers prometheus = {
      {"Accept",
       "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}};
  auto om = client_->Get("/metrics", prometheus);
  ASSERT_TRUE(om);
  EXPECT_EQ(om->status, 200);
  EXPECT_EQ(om->get_header_value("Content-Type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(om->get_header_value("Vary"), "Accept");
  EXPECT_TRUE(om->body.ends_with("# EOF\n")) << om->body;
  EXPECT_NE(om->body.find("# HELP hyperion_instance_running 1 while the instance is running"), std::string::npos)
      << om->body;
  auto text = client_->Get("/metrics", {{"Accept", "*/*"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(text->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(text->body.find("# EOF"), std::string::npos);
}

TEST(MetricsFormat, NegotiatesByQuality) {
  using plugins::health::wants_openmetrics;
  EXPECT_TRUE(wants_openmetrics("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
  EXPECT_TRUE(wants_openmetrics("application/openmetrics-text"));
  EXPECT_TRUE(wants_openmetrics("Application/OpenMetrics-Text; Version=1.0.0; q=0.9, */*; q=0.1"));
  EXPECT_FALSE(wants_openmetrics(""));
  EXPECT_FALSE(wants_openmetrics("*/*"));
  EXPECT_FALSE(wants_openmetrics("text/plain;version=0.0.4"));
  EXPECT_FALSE(wants_openmetrics("application/openmetrics-text;q=0.5,text/plain"));
  EXPECT_FALSE(wants_openmetrics("application/openmetrics-text;q=0"));
  EXPECT_FALSE(wants_openmetrics("application/openmetrics-text;version=0.0.1")) << "a version we do not write";
  EXPECT_FALSE(wants_openmetrics("application/openmetrics-text;q=bogus"));
}

// #24: a port out of range bound another port; and the health plugin could
// listen on a port another socket already had (SO_REUSEPORT), taking half the
// requests. Both are start failures now, naming the listen address.
Status start_health_on(const std::string& listen) {
  testing::TempDir dir;
  std::string m = "app: web\nhost:\n  state_dir: " + dir.path() + "/state\n  log_level: error\nplugins:\n" +
                  "  - name: health\n    library: health\n    config: {listen: \"" + listen + "\"}\n";
  app::HostOptions options;
  options.plugin_path = {testing::example_plugin_dir()};
  auto host = app::Host::prepare(dir.write("app.yaml", m), options);
  if (!host.ok()) return host.status();
  Status started = (*host)->start();
  (void)(*host)->stop();
  return started;
}

TEST(HealthListen, APortOutOfRangeIsRefused) {
  Status s = start_health_on("127.0.0.1:99999");
  ASSERT_FALSE(s.ok());
  // The schema refuses it before the plugin runs, naming the field.
  EXPECT_NE(s.message().find("plugins[0].config.listen"), std::string::npos) << s.message();
  EXPECT_NE(start_health_on("127.0.0.1:65536").message().find("plugins[0].config.listen"), std::string::npos);
  // The highest port passes the schema (prepare validates every config).
  testing::TempDir dir;
  std::string m = "app: web\nhost:\n  state_dir: " + dir.path() + "/state\n  log_level: error\nplugins:\n" +
                  "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:65535\"}\n";
  app::HostOptions options;
  options.plugin_path = {testing::example_plugin_dir()};
  auto prepared = app::Host::prepare(dir.write("app.yaml", m), options);
  EXPECT_TRUE(prepared.ok()) << prepared.status().to_string();
}

TEST(HealthListen, APortAnotherSocketListensOnIsNotShared) {
  testing::ReusePortListener other;  // as cpp-httplib listens by default
  const std::string listen = other.address();
  Status s = start_health_on(listen);
  ASSERT_FALSE(s.ok()) << "the port was shared";
  EXPECT_NE(s.message().find("cannot listen on " + listen), std::string::npos) << s.message();
}

// #25 point 10: the port has no authentication, and details are what plugins
// report (addresses, counts, limits — much of it from their configs): a
// verbose answer carries them only when the operator asks (details: true).
TEST(HealthEndpoints, VerboseAnswersCarryDetailsOnlyWhenAsked) {
  auto snapshot = boost::json::parse(R"({"status":"healthy","live":true,"ready":true,"phase":"running",
      "draining":false,"instances":{"a":{"status":"healthy","message":"up","details":{"limit":1234,"peer":"10.0.0.7"},
      "duration_ms":1,"optional":false}}})")
                      .as_object();
  namespace health = hyperion::plugins::health;
  for (const char* path : {"/readyz", "/healthz", "/readyz/a"}) {
    auto hidden = health::answer(path, snapshot, {}, true);
    EXPECT_EQ(hidden.body.find("details"), std::string::npos) << path << ": " << hidden.body;
    EXPECT_EQ(hidden.body.find("1234"), std::string::npos) << path;
    EXPECT_NE(hidden.body.find("\"up\""), std::string::npos) << path << ": the message stays";
    auto shown = health::answer(path, snapshot, {}, true, true);
    EXPECT_NE(shown.body.find("\"limit\":1234"), std::string::npos) << path << ": " << shown.body;
  }
}

TEST(HealthEndpoints, DrainingAndStartup) {
  auto snapshot = boost::json::parse(R"({"status":"healthy","live":true,"ready":false,"phase":"running",
      "draining":true,"instances":{"a":{"status":"healthy","message":"","details":{},"duration_ms":1,"optional":false}}})")
                      .as_object();
  EXPECT_EQ(hyperion::plugins::health::answer("/readyz", snapshot, {}, false).status, 503);
  EXPECT_NE(hyperion::plugins::health::answer("/readyz", snapshot, {}, false).body.find("draining"), std::string::npos);
  EXPECT_EQ(hyperion::plugins::health::answer("/livez", snapshot, {}, false).status, 200);
  snapshot["phase"] = "starting";
  snapshot["draining"] = false;
  EXPECT_EQ(hyperion::plugins::health::answer("/startupz", snapshot, {}, false).status, 503);
  EXPECT_EQ(hyperion::plugins::health::answer("/readyz", snapshot, {}, false).status, 503);
  snapshot["phase"] = "running";
  EXPECT_EQ(hyperion::plugins::health::answer("/readyz", snapshot, {}, false).status, 200);
  EXPECT_EQ(hyperion::plugins::health::answer("/readyz", snapshot, {}, true).content_type, "application/json");
}

}  // namespace
}  // namespace hyperion::health

namespace hyperion::health {
namespace {

TEST_F(HealthPluginTest, VerboseShowsEachInstancesLastReload) {
  auto before = boost::json::parse(client_->Get("/readyz?verbose")->body).as_object();
  EXPECT_TRUE(before.at("instances").at("good").at("last_reload").is_null());
  EXPECT_EQ(before.at("instances").at("good").at("reload_breaker").as_string(), "closed");
  // A dynamic change to "good" only.
  std::string text = testing::read_file(dir_.path() + "/app.yaml");
  std::string from = "  - name: good\n    library: behave_plain\n";
  text.replace(text.find(from), from.size(), from + "    config: {value: 7}\n");
  auto result = host_->reloads().reload({"test", "tester", text, std::nullopt});
  ASSERT_TRUE(result.ok()) << result.summary();
  auto after = boost::json::parse(client_->Get("/readyz?verbose")->body).as_object();
  const auto& last = after.at("instances").at("good").at("last_reload").as_object();
  EXPECT_EQ(last.at("revision").as_int64(), static_cast<int64_t>(result.revision));
  EXPECT_EQ(last.at("outcome").as_string(), "applied");
  EXPECT_EQ(last.at("action").as_string(), "reload");
  EXPECT_TRUE(after.at("instances").at("bad").at("last_reload").is_null());
  auto one = boost::json::parse(client_->Get("/readyz/good?verbose")->body).as_object();
  EXPECT_EQ(one.at("last_reload").at("action").as_string(), "reload");
}

}  // namespace
}  // namespace hyperion::health
