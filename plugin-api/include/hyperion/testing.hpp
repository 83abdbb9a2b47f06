// hyperion/testing.hpp — an in-process test host for a plugin author's own
// tests (GoogleTest or any other): a real Hyperion host, started from a
// manifest string in a temporary state folder, that drives your plugin
// through the real ABI — create, start, services, reloads, health, events,
// stop — exactly as `hyperion run` would. Link Hyperion::testing:
//
//   find_package(Hyperion REQUIRED)
//   add_executable(my_plugin_test my_plugin_test.cc)
//   target_link_libraries(my_plugin_test PRIVATE Hyperion::testing GTest::gtest_main)
//
//   TEST(Hello, GreetsAndReloads) {
//     hyperion::testing::TestHost host(R"(
//       - name: hello
//         library: hello
//         config: {greeting: Hi}
//     )", {.plugin_path = {HELLO_PLUGIN_DIR}});
//     hyperion::ServiceHandle greeter = host.service("hello", HELLO_GREETER_API, HELLO_GREETER_MAJOR);
//     EXPECT_EQ(hyperion::call<&hello_greeter_v1_t::greet>(greeter, "Ada"), "Hi, Ada!");
//     auto r = host.reload("- name: hello\n  library: hello\n  config: {greeting: Hey}\n");
//     EXPECT_TRUE(r.applied) << r.summary;
//     EXPECT_EQ(r.actions["hello"], "reload");   // live, not a restart
//   }
//
// docs/plugin-guide.md, "Testing your plugin", says more. The library holds a
// whole host; only the names in this header are exported from it.
// Thread-safety: a TestHost may be used from any thread; stop() and the
// destructor from one.
#ifndef HYPERION_TESTING_HPP_
#define HYPERION_TESTING_HPP_

#include <hyperion/plugin.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hyperion::testing {

struct TestHostOptions {
  // Folders searched for `library:` names, before the plugins installed with
  // Hyperion (which are always searched last).
  std::vector<std::string> plugin_path;
  // The host's and the plugins' log level (stderr): trace|debug|info|warn|error|off.
  std::string log_level = "warn";
};

struct ReloadOutcome {
  bool applied = false;   // applied, or nothing changed
  uint64_t revision = 0;  // the revision recorded (0: none)
  std::string summary;    // the host's one line: what changed, or which instance refused what and why
  // What happened to each instance the reload touched: "reload" (live),
  // "restart", "add" or "remove" (a "swap" when a new library was swapped in).
  std::map<std::string, std::string> actions;
};

class TestHost {
 public:
  // Starts a host from `manifest_yaml`: a whole manifest, or just the list of
  // plugin instances (what goes under `plugins:`). The host's state folder is
  // a temporary one unless the manifest sets host.state_dir; the admin API is
  // off and the manifest is not watched unless it says otherwise. Throws
  // std::runtime_error with the host's message (file, line, field, instance)
  // when the manifest is invalid or an instance does not start.
  explicit TestHost(const std::string& manifest_yaml, TestHostOptions options = {});
  ~TestHost();  // stops the host and removes the temporary folder
  TestHost(const TestHost&) = delete;
  TestHost& operator=(const TestHost&) = delete;

  // `instance`'s service `api` (major `major`), held the way a consumer plugin
  // holds it: use it with hyperion::call<&vtable::slot>(handle, ...) or
  // handle.enter<vtable>(). Drop it before the TestHost. Throws
  // std::runtime_error when the instance does not provide it.
  ServiceHandle service(const std::string& instance, const char* api, uint32_t major);

  // Applies a new manifest (the same forms as the constructor) as the host
  // applies any reload: all of it or none of it.
  ReloadOutcome reload(const std::string& manifest_yaml);

  // `instance`'s health report as JSON ({"status", "message", "details"}), or
  // the host's aggregated health with an empty name. Throws std::runtime_error
  // when there is none.
  std::string health(const std::string& instance = "");
  // "healthy", "degraded" or "unhealthy" (of one instance, or the host).
  std::string status(const std::string& instance = "");
  // Waits until status(instance) == `status`; false at the timeout.
  bool wait_for_status(const std::string& instance, const std::string& status,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Waits for the next CloudEvent (JSON) whose type starts with `type_prefix`,
  // among those emitted since the host was created and not returned before;
  // nullopt at the timeout. E.g. "dev.hyperion.reload." or your plugin's own.
  std::optional<std::string> wait_for_event(const std::string& type_prefix,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Every metric, in the Prometheus text format.
  std::string metrics();
  // The host's state folder (instances' folders are under instances/<name>).
  [[nodiscard]] const std::string& state_dir() const;

  // Stops every instance in reverse order (once; the destructor does it otherwise).
  // Throws std::runtime_error when an instance failed to stop.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyperion::testing

#endif  // HYPERION_TESTING_HPP_
