// A planted secret must never leave the plugin that is given it: not in the
// host's logs (trace level, JSON), its events, the admin API's answers (status,
// plugins, config, revisions and their diffs, refusals), the metrics, nor any
// file in the state folder (the SQLite database and its WAL included). One real
// `hyperion run`, driven the way an operator would, with a careless plugin that
// logs, emits and labels its secrets itself; then every output grepped.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace hyperion {
namespace {

// Every planted value contains it; nothing else does.
constexpr const char* kMarker = "7f3a91c0de";

class SecretLeakTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& secret_file, const std::string& extra_config = "") const {
    return "app: leak\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: trace\n  log_format: json\n" +
           "  reload: {watch: false}\n  admin:\n    listen: 127.0.0.1:" + std::to_string(admin_port_) +
           "\n    token_file: " + dir_.path() + "/token\n" +
           "plugins:\n"
           "  - name: keeper\n    library: behave_plain\n    config:\n      leak: true\n      password: ${file:" +
           secret_file + "}\n" + extra_config +
           "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:" + std::to_string(health_port_) +
           "\"}\n";
  }

  testing::TempDir dir_;
  int admin_port_ = testing::free_loopback_port();
  int health_port_ = testing::free_loopback_port();
};

TEST_F(SecretLeakTest, APlantedSecretAppearsInNoLogEventDiffMetricOrStateFile) {
  ::chmod(dir_.write("token", "leak-test-token-0123456789abcdef-xyz\n").c_str(), 0600);
  dir_.write("pw1", std::string("first-") + kMarker + "\n");
  dir_.write("pw2", std::string("second-") + kMarker + "\n");
  dir_.write("pw3", std::string("third-") + kMarker + "\n");
  std::string path = dir_.write("app.yaml", manifest("pw1"));
  const std::string plugin_dir = std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string();
  testing::ChildProcess host({testing::hyperion_binary(), "run", path, "--plugin-path", plugin_dir, "--plugin-path",
                              testing::example_plugin_dir()});
  // The admin API listens once every instance has started.
  ASSERT_TRUE(host.wait_for_stderr("admin API on http://127.0.0.1:", std::chrono::seconds(30)));

  httplib::Client admin("127.0.0.1", admin_port_);
  admin.set_bearer_token_auth("leak-test-token-0123456789abcdef-xyz");
  admin.set_read_timeout(30, 0);
  std::vector<std::string> answers;  // every admin and metrics answer, for the grep
  auto keep = [&](const httplib::Result& r, int expected_status) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, expected_status) << r->body;
    answers.push_back(r->body);
  };

  // One answer parsed before a second thread uses cpp-httplib: its response
  // parser builds a function-local static std::regex on first use, and two
  // threads doing that at once race (docs/decisions/0007-tsan-and-grpc.md).
  ASSERT_TRUE(admin.Get("/v1/status"));

  // Events, as a subscriber sees them, for the whole session.
  std::mutex events_mu;  // the subscriber appends while this thread waits for it
  std::string events;
  std::atomic<bool> streaming{true};
  httplib::Client event_client("127.0.0.1", admin_port_);
  event_client.set_bearer_token_auth("leak-test-token-0123456789abcdef-xyz");
  std::thread subscriber([&] {
    event_client.Get("/v1/events", [&](const char* data, size_t n) {
      std::lock_guard lock(events_mu);
      events.append(data, n);
      return streaming.load();
    });
  });

  // 1. The secret file changes and the manifest is re-read: a live reload.
  dir_.write("pw1", std::string("first-changed-") + kMarker + "\n");
  keep(admin.Post("/v1/reload", "", "application/yaml"), 200);
  // 2. A new manifest names another secret file.
  keep(admin.Post("/v1/reload", manifest("pw2"), "application/yaml"), 200);
  // 3. A reload the plugin refuses, with a new secret in it: rolled back.
  keep(admin.Post("/v1/reload", manifest("pw3", "      fail_prepare: true\n"), "application/yaml"), 409);
  // 4. A secret in a field that wants a number: the new manifest is invalid.
  keep(admin.Post("/v1/reload", manifest("pw2", "      static_value: ${file:pw3}\n"), "application/yaml"), 422);
  for (const char* get : {"/v1/status", "/v1/plugins", "/v1/config", "/v1/revisions"}) keep(admin.Get(get), 200);
  for (int revision = 1; revision <= 5; ++revision) {
    keep(admin.Get("/v1/revisions/" + std::to_string(revision)), 200);
  }
  httplib::Client health("127.0.0.1", health_port_);
  keep(health.Get("/metrics"), 200);
  keep(health.Get("/readyz?verbose"), 200);

  // The subscriber has seen the reloads once the last one's event is in.
  EXPECT_TRUE(testing::eventually([&] {
    std::lock_guard lock(events_mu);
    return events.find("revision") != std::string::npos;
  }));
  streaming = false;
  event_client.stop();
  subscriber.join();
  host.signal(SIGTERM);
  auto result = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << result.err;

  // The checks above would pass on a host that did nothing: make sure each
  // output is really there and about these reloads.
  ASSERT_EQ(answers.size(), 4u + 4u + 5u + 2u);
  EXPECT_NE(result.err.find("reload from admin: refused (revision 5)"), std::string::npos) << result.err;
  EXPECT_NE(answers[0].find("applied"), std::string::npos) << answers[0];
  EXPECT_NE(answers[2].find("keeper"), std::string::npos) << answers[2];
  EXPECT_NE(events.find("reload"), std::string::npos) << events;
  // The careless plugin (behave with leak: true) did log, emit and label its
  // config each time: the host scrubbed what it passed on.
  EXPECT_NE(result.err.find("my config: "), std::string::npos) << result.err;
  EXPECT_NE(events.find("behave.config"), std::string::npos) << events;
  EXPECT_NE(answers[answers.size() - 2].find("behave_config_seen_total"), std::string::npos);
  EXPECT_NE(answers[2].find("(password <redacted>)"), std::string::npos) << answers[2];
  const std::string& config = answers[4 + 2];  // GET /v1/config
  EXPECT_NE(config.find("<redacted>"), std::string::npos) << config;

  auto expect_clean = [&](const std::string& what, const std::string& text) {
    EXPECT_EQ(text.find(kMarker), std::string::npos) << what << " holds the secret:\n" << text;
  };
  expect_clean("the host's log (stderr)", result.err);
  expect_clean("the host's stdout", result.out);
  expect_clean("the event stream", events);
  for (const auto& a : answers) expect_clean("an admin or health answer", a);
  size_t state_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() + "/state")) {
    if (!entry.is_regular_file()) continue;
    ++state_files;
    expect_clean(entry.path().string(), testing::read_file(entry.path().string()));
  }
  EXPECT_GE(state_files, 2u);  // at least the database and the admin URL
}

}  // namespace
}  // namespace hyperion
