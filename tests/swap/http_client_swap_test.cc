// Hot swap of a provider under a dependent: the http-client instance is swapped
// (a rebuilt copy, and a static config change it opts into with "swap") while
// a plugin that depends on it GETs in a loop. No request may fail and the
// dependent must never restart.
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/host.h"
#include "support/loopback_http_server.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

namespace json = boost::json;

// A plain upstream answering GET /ok, quick to let idle connections go.
class LoopbackServer {
 public:
  LoopbackServer() {
    http_.server().set_tcp_nodelay(true);
    http_.server().set_keep_alive_timeout(1);
    http_.server().Get("/ok",
                       [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    http_.start();
  }
  [[nodiscard]] int port() const { return http_.port(); }

 private:
  testing::LoopbackHttpServer http_;
};

TEST(HttpClientSwap, ADependentCallingInALoopSeesNoFailureAndNeverRestarts) {
  LoopbackServer server;
  testing::TempDir dir;
  // A second build of the same plugin: the same code with other bytes, as a
  // rebuild would give (ELF ignores what follows its last section).
  const std::string original = testing::example_plugin_dir() + "/http-client.so";
  const std::string rebuilt = testing::rebuilt_copy(original, dir.path() + "/http-client-rebuilt.so");
  const std::string manifest = "app: swap\nhost:\n  state_dir: " + dir.path() + "/state\n  log_level: warn\n" +
                               "  admin: {enabled: false}\nplugins:\n" +
                               "  - name: http\n    library: http-client\n    config: {workers: 4}\n" +
                               "  - name: caller\n    library: http_caller\n    config: {url: \"http://127.0.0.1:" +
                               std::to_string(server.port()) + "/ok\"}\n";
  HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("http_caller")).parent_path().string(),
                         testing::example_plugin_dir()};
  auto prepared = Host::prepare(dir.write("app.yaml", manifest), options);
  ASSERT_TRUE(prepared.ok()) << prepared.status().to_string();
  std::unique_ptr<Host> host = std::move(*prepared);
  ASSERT_TRUE(host->start().ok());
  auto caller = [&] { return json::parse(*host->instance_health("caller")).at("details").as_object(); };
  auto wait_for_calls = [&](int64_t more) {
    int64_t target = caller().at("calls").as_int64() + more;
    return testing::eventually([&] { return caller().at("calls").as_int64() >= target; });
  };
  ASSERT_TRUE(wait_for_calls(20));
  const int64_t started_at = caller().at("started_at_ns").as_int64();
  for (int i = 0; i < 6; ++i) {
    auto r = host->reloads().swap("http", {i % 2 == 0 ? rebuilt : original, std::nullopt}, "test", "tester");
    ASSERT_EQ(r.outcome, reload::ReloadOutcome::kApplied) << r.summary();
    EXPECT_EQ(r.diff.at("http").at("action"), "swap");
    EXPECT_EQ(r.diff.count("caller"), 0u);
    EXPECT_TRUE(r.diff.at("http").at("old_library").at("unloaded").as_bool())
        << json::serialize(r.diff.at("http").at("old_library"));
    ASSERT_TRUE(wait_for_calls(20));
  }
  // A static field of a plugin that declares "swap" is make-before-break too.
  std::string more_workers = manifest;
  more_workers.replace(more_workers.find("workers: 4"), 10, "workers: 8");
  auto r = host->reloads().reload({"test", "tester", more_workers, std::nullopt});
  ASSERT_EQ(r.outcome, reload::ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("http").at("action"), "swap") << json::serialize(r.diff);
  ASSERT_TRUE(wait_for_calls(20));
  EXPECT_EQ(caller().at("failures").as_int64(), 0) << caller().at("first_failure");
  EXPECT_EQ(caller().at("started_at_ns").as_int64(), started_at);  // never restarted
  EXPECT_TRUE(host->stop().ok());
}

}  // namespace
}  // namespace hyperion::app
