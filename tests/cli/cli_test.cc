// The hyperion binary end to end: exit codes, messages and signals.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <regex>

#include "support/test_support.h"

namespace hyperion::cli {
namespace {

using testing::hyperion_binary;
using testing::run_process;

class CliTest : public ::testing::Test {
 protected:
  // The demo's admin API listens on a fixed port and keeps its state in the
  // default folder; tests run in parallel, so every host they start picks a
  // free port and a folder of its own (one host per state folder).
  void SetUp() override {
    setenv("HYPERION_ADMIN_LISTEN", "127.0.0.1:0", 1);
    setenv("HYPERION_HEALTH_LISTEN", "127.0.0.1:0", 1);
    setenv("HYPERION_STATE_DIR", (dir_.path() + "/default-state").c_str(), 1);
  }
  void TearDown() override { unsetenv("HYPERION_STATE_DIR"); }
  std::string manifest(const std::string& plugins) {
    return dir_.write("app.yaml", "app: cli\nhost:\n  state_dir: " + dir_.path() + "/state\nplugins:\n" + plugins);
  }
  std::string test_plugin_dir() const {
    return std::filesystem::path(testing::test_plugin("abi_good")).parent_path().string();
  }
  testing::TempDir dir_;
};

TEST_F(CliTest, VersionAndHelp) {
  auto v = run_process({hyperion_binary(), "--version"});
  EXPECT_EQ(v.exit_code, 0);
  // The version is CMake's project version (one place), then the ABI and the git revision.
  EXPECT_TRUE(std::regex_search(
      v.out,
      std::regex("^hyperion " + std::regex_replace(std::string(HYPERION_TEST_VERSION), std::regex("\\."), "\\.") +
                 " \\(plugin ABI 1\\.2, git ([0-9a-f]{12}(-dirty)?|unknown)\\)\n$")))
      << v.out;
  auto h = run_process({hyperion_binary(), "--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd : {"run", "validate", "inspect", "graph"}) EXPECT_NE(h.out.find(cmd), std::string::npos);
  auto sub = run_process({hyperion_binary(), "run", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--plugin-path"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run_process({hyperion_binary()}).exit_code, 2);
  EXPECT_EQ(run_process({hyperion_binary(), "run"}).exit_code, 2);
  EXPECT_EQ(run_process({hyperion_binary(), "fly"}).exit_code, 2);
  EXPECT_EQ(run_process({hyperion_binary(), "run", "x.yaml", "--log-format", "xml"}).exit_code, 2);
}

// #25 point 12: every bad input to the admin commands is a usage error (exit 2)
// that says what is wrong, before anything is sent; nothing aborts, nothing
// reads without bound.
TEST_F(CliTest, BadAdminCommandInputsAreUsageErrorsSayingWhy) {
  testing::TempDir dir;
  const std::string token = dir.write("token", std::string(40, 't') + "\n");
  const std::vector<std::string> admin = {"--admin", "http://127.0.0.1:1", "--token-file", token};
  auto usage = [&](std::vector<std::string> argv, const std::string& expected) {
    argv.insert(argv.begin(), hyperion_binary());
    if (std::find(argv.begin(), argv.end(), "--admin") == argv.end())
      argv.insert(argv.end(), admin.begin(), admin.end());
    auto r = run_process(argv, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2) << argv[1] << " " << argv[2] << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  };
  usage({"status", "--admin", "ftp://127.0.0.1:7450", "--token-file", token}, "only http:// and https://");
  usage({"status", "--admin", "http://", "--token-file", token}, "no host in the URL");
  usage({"status", "--admin", "http://127.0.0.1:99999", "--token-file", token}, "the port is not 0-65535");
  usage({"status", "--admin", "http://127.0.0.1:7450/v1", "--token-file", token}, "no path");
  usage({"rollback", "-1"}, "a revision is a number from 1");
  usage({"rollback", "0"}, "a revision is a number from 1");
  usage({"reload", "--expect-revision", "x"}, "a revision is a number from 1");
  usage({"show", "18446744073709551615"}, "a revision is a number from 1");
  usage({"history", "--limit", "0"}, "Value 0 not in range 1 to 10000");
  usage({"reload", "--file", dir.path()}, "--file: " + dir.path() + " is a directory");
  usage({"reload", "--file", "/dev/zero"}, "--file: /dev/zero is not a regular file");
  usage({"status", "--token-file", "/dev/zero", "--admin", "http://127.0.0.1:1"}, "/dev/zero is not a regular file");
}

TEST_F(CliTest, RunsTheDemoAndStopsOnSigterm) {
  testing::ChildProcess host({hyperion_binary(), "run", testing::source_dir() + "/manifests/demo.yaml"});
  ASSERT_TRUE(host.wait_for_stderr("all 3 instances started", std::chrono::seconds(30)));
  host.signal(SIGTERM);
  auto r = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("[greeter-c] Hello, "), std::string::npos) << r.err;  // the C plugin used the C++ service
  EXPECT_NE(r.err.find("received SIGTERM, stopping"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stopped cleanly"), std::string::npos) << r.err;
  // Reverse order: the consumer stops before its provider.
  EXPECT_LT(r.err.find("instance \"greeter-c\" stopped"), r.err.find("instance \"hello\" stopped")) << r.err;
}

TEST_F(CliTest, SigintStopsGracefullyToo) {
  testing::ChildProcess host({hyperion_binary(), "run", testing::source_dir() + "/manifests/demo.yaml"});
  ASSERT_TRUE(host.wait_for_stderr("all 3 instances started", std::chrono::seconds(30)));
  host.signal(SIGINT);
  auto r = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("received SIGINT"), std::string::npos) << r.err;
}

TEST_F(CliTest, StartFailureExitsNonZeroNamingThePlugin) {
  std::string m = manifest("  - name: ok\n    library: behave_plain\n  - name: broken\n    library: behave_plain\n"
                           "    config: {fail_in: start}\n");
  auto r = run_process({hyperion_binary(), "run", m, "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("hyperion: start failed at instance \"broken\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("behave refuses start"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("instance \"ok\" stopped"), std::string::npos) << r.err;
}

TEST_F(CliTest, HangInStopIsReportedAndTheHostStillExits) {
  std::string m = manifest("  - name: stuck\n    library: behave_plain\n    stop_timeout_ms: 200\n"
                           "    config: {fail_in: stop, how: hang, hang_ms: 60000}\n");
  auto r = run_process({hyperion_binary(), "run", m, "--plugin-path", test_plugin_dir(), "--exit-after-start"},
                       std::chrono::seconds(20));
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stop did not return before its deadline (hung)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("never returned; exiting without unloading them"), std::string::npos) << r.err;
}

TEST_F(CliTest, ValidateReportsEveryProblemWithFileLineAndField) {
  std::string m = manifest(
      "  - name: a\n    library: behave_plain\n    config: {how: explode}\n"
      "  - name: b\n    library: abi_bad_major\n"
      "  - name: c\n    library: missing_plugin\n");
  // Read-only, the default: what the files say. The ABI major is in the code,
  // not the file, so only --load finds that one.
  auto r = run_process({hyperion_binary(), "validate", m, "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("app.yaml:7:14: plugins[0].config.how: instance \"a\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("app.yaml:11:5: plugins[2].library: instance \"c\": loader: library \"missing_plugin\" not found"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("ABI major mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not valid"), std::string::npos);
  auto loaded = run_process({hyperion_binary(), "validate", "--load", m, "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(loaded.exit_code, 1);
  EXPECT_NE(loaded.err.find("app.yaml:9:5: plugins[1].library: instance \"b\": loader:"), std::string::npos)
      << loaded.err;
  EXPECT_NE(loaded.err.find("ABI major mismatch"), std::string::npos) << loaded.err;
  EXPECT_NE(loaded.err.find("plugins[0].config.how"), std::string::npos) << loaded.err;
}

TEST_F(CliTest, ValidateWritesNothingAndRunsNoPluginCode) {
  // behave journals every callback it runs; a sha256 pin and a missing entry
  // point are still found from the files.
  const std::string state = dir_.path() + "/validate-state";
  std::string journal = dir_.path() + "/journal";
  std::string text = "app: v\nhost:\n  state_dir: " + state + "\nplugins:\n  - name: a\n    library: behave_plain\n" +
                     "    config: {journal: " + journal + "}\n";
  auto ok =
      run_process({hyperion_binary(), "validate", dir_.write("v.yaml", text), "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("a: behave-plain 1.0.0 (sha256 "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("no plugin code run"), std::string::npos) << ok.out;
  EXPECT_FALSE(std::filesystem::exists(state)) << "validate wrote the state folder";
  EXPECT_FALSE(std::filesystem::exists(journal));
  auto with_load = run_process(
      {hyperion_binary(), "validate", "--load", dir_.write("v.yaml", text), "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(with_load.exit_code, 0) << with_load.err;
  EXPECT_NE(with_load.out.find("(ABI 1."), std::string::npos) << with_load.out;
  EXPECT_FALSE(std::filesystem::exists(state)) << "validate --load wrote the state folder";

  std::string pinned = text + "    sha256: " + std::string(64, '0') + "\n";
  auto mismatch =
      run_process({hyperion_binary(), "validate", dir_.write("v.yaml", pinned), "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_NE(mismatch.err.find("sha256 mismatch"), std::string::npos) << mismatch.err;
  std::string no_entry =
      "app: v\nhost:\n  state_dir: " + state + "\nplugins:\n  - name: a\n    library: abi_no_entry\n";
  auto entry =
      run_process({hyperion_binary(), "validate", dir_.write("v.yaml", no_entry), "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(entry.exit_code, 1);
  EXPECT_NE(entry.err.find("does not export the entry symbol"), std::string::npos) << entry.err;
  EXPECT_FALSE(std::filesystem::exists(state));
}

TEST_F(CliTest, ValidateAcceptsTheDemo) {
  auto r = run_process({hyperion_binary(), "validate", testing::source_dir() + "/manifests/demo.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("start order: hello greeter-c health"), std::string::npos) << r.out;
}

TEST_F(CliTest, GraphPrintsDot) {
  auto r = run_process({hyperion_binary(), "graph", testing::source_dir() + "/manifests/demo.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"hello\" -> \"greeter-c\" [label=\"requires hello.greeter 1.0\", style=dashed]"),
            std::string::npos)
      << r.out;
}

TEST_F(CliTest, GraphReportsACycle) {
  std::string m = manifest("  - name: a\n    library: abi_good\n    after: [b]\n  - name: b\n    library: abi_good\n"
                           "    after: [a]\n");
  auto r = run_process({hyperion_binary(), "graph", m, "--plugin-path", test_plugin_dir()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("dependency cycle: "), std::string::npos) << r.err;
}

TEST_F(CliTest, InspectTextAndJson) {
  std::string hello = testing::example_plugin_dir() + "/hello.so";
  auto text = run_process({hyperion_binary(), "inspect", hello});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("plugin:    hello 1.0.0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("provides:  hello.greeter 1.0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("unload:    yes"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("swap:      a new build is swapped in beside it while no instance uses its services"),
            std::string::npos)
      << text.out;
  // A build that stays mapped says so, and why.
  auto pinned = run_process({hyperion_binary(), "inspect", test_plugin_dir() + "/swappable_pinned.so"});
  EXPECT_NE(pinned.out.find("unload:    no (1 reason(s), below: a swap leaves this build mapped)"), std::string::npos)
      << pinned.out;
  EXPECT_NE(pinned.out.find("STB_GNU_UNIQUE"), std::string::npos) << pinned.out;
  EXPECT_NE(pinned.out.find("swap:      a new build, or a static config change, is swapped in beside it"),
            std::string::npos)
      << pinned.out;
  auto json = run_process({hyperion_binary(), "inspect", hello, "--json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"exported_symbols\":[\"hyperion_plugin_entry\"]"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"unloadable\":true"), std::string::npos) << json.out;
}

TEST_F(CliTest, InspectRejectsWhatIsNotAPlugin) {
  std::string junk = dir_.write("junk.so", "not an elf");
  auto r = run_process({hyperion_binary(), "inspect", junk});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a shared object"), std::string::npos) << r.err;
  auto missing = run_process({hyperion_binary(), "inspect", dir_.path() + "/none.so"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
}

TEST_F(CliTest, JsonLogFormat) {
  auto r = run_process({hyperion_binary(), "run", testing::source_dir() + "/manifests/demo.yaml", "--exit-after-start",
                        "--log-format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("{\"time\":\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"logger\":\"hello\",\"msg\":\"Hello, world!\"}"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hyperion::cli

namespace hyperion::cli {
namespace {

class CliReloadTest : public CliTest {
 protected:
  std::string app(const std::string& greeting, const std::string& reload_settings) {
    return "app: cli\nhost:\n  state_dir: " + dir_.path() + "/state\n  reload: " + reload_settings +
           "\nplugins:\n  - name: hello\n    library: hello\n    config:\n      greeting: " + greeting + "\n";
  }
};

TEST_F(CliReloadTest, SighupReloadsTheManifest) {
  std::string path = dir_.write("app.yaml", app("Hello", "{watch: false}"));
  testing::ChildProcess host({hyperion_binary(), "run", path});
  ASSERT_TRUE(host.wait_for_stderr("all 1 instances started (revision 1)", std::chrono::seconds(30)));
  dir_.write("app.yaml", app("Howdy", "{watch: false}"));
  host.signal(SIGHUP);
  ASSERT_TRUE(host.wait_for_stderr("reload from sighup: applied (revision 2)", std::chrono::seconds(30)));
  dir_.write("app.yaml", app("[unclosed", "{watch: false}"));
  host.signal(SIGHUP);
  ASSERT_TRUE(host.wait_for_stderr("reload from sighup: refused (revision 3)", std::chrono::seconds(30)));
  host.signal(SIGTERM);
  auto r = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// #24: with the admin API on a port of its own choosing, the CLI finds it
// through the state folder (admin.url, admin.token) from --manifest or --state-dir.
TEST_F(CliReloadTest, TheCliFindsTheAdminApiThroughTheStateFolder) {
  std::string text = app("Hello", "{watch: false}");
  text.replace(text.find("  reload:"), 0, "  admin: {listen: 127.0.0.1:0}\n");
  const std::string path = dir_.write("app.yaml", text);
  testing::ChildProcess host({hyperion_binary(), "run", path});
  ASSERT_TRUE(host.wait_for_stderr("all 1 instances started", std::chrono::seconds(30)));
  ASSERT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir_.path() + "/state/admin.url"); }));
  auto by_manifest = testing::run_process({hyperion_binary(), "status", "--manifest", path});
  EXPECT_EQ(by_manifest.exit_code, 0) << by_manifest.err;
  EXPECT_NE(by_manifest.out.find("\"app\":\"cli\""), std::string::npos) << by_manifest.out;
  auto by_state_dir = testing::run_process({hyperion_binary(), "history", "--state-dir", dir_.path() + "/state"});
  EXPECT_EQ(by_state_dir.exit_code, 0) << by_state_dir.err;
  host.signal(SIGTERM);
  EXPECT_EQ(host.wait(std::chrono::seconds(30)).exit_code, 0);
  // Gone: the stopped host took its admin.url with it (#25), and the message
  // says where the CLI looked and why it failed.
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/state/admin.url"));
  auto gone = testing::run_process({hyperion_binary(), "status", "--state-dir", dir_.path() + "/state"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("cannot reach the admin API at http://127.0.0.1:"), std::string::npos) << gone.err;
  EXPECT_NE(gone.err.find("<state_dir>/admin.url in " + dir_.path() + "/state"), std::string::npos) << gone.err;
}

TEST_F(CliReloadTest, EditingTheManifestReloadsIt) {
  std::string path = dir_.write("app.yaml", app("Hello", "{debounce_ms: 20}"));
  testing::ChildProcess host({hyperion_binary(), "run", path});
  ASSERT_TRUE(host.wait_for_stderr("watching " + path + " for changes", std::chrono::seconds(30)));
  dir_.write("app.yaml", app("Howdy", "{debounce_ms: 20}"));
  ASSERT_TRUE(host.wait_for_stderr("reload from file-watch: applied (revision 2)", std::chrono::seconds(30)));
  host.signal(SIGTERM);
  auto r = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace hyperion::cli

namespace hyperion::cli {
namespace {

TEST_F(CliReloadTest, AdminClientCommands) {
  std::string path = dir_.write("app.yaml", app("Hello", "{watch: false}\n  admin: {listen: \"127.0.0.1:0\"}"));
  testing::ChildProcess host({hyperion_binary(), "run", path});
  ASSERT_TRUE(host.wait_for_stderr("admin API on http://127.0.0.1:", std::chrono::seconds(30)));
  // A peer closing a connection mid-write must not end the host (os::ignore_broken_pipes):
  // SIGPIPE (13) is in the running host's ignored set.
  const std::string proc = testing::read_file("/proc/" + std::to_string(host.pid()) + "/status");
  const size_t ignored = proc.find("SigIgn:");
  ASSERT_NE(ignored, std::string::npos);
  EXPECT_NE(std::stoull(proc.substr(ignored + 7, proc.find('\n', ignored) - ignored - 7), nullptr, 16) &
                (1ull << (SIGPIPE - 1)),
            0u)
      << proc.substr(ignored, 30);
  std::string url = testing::read_file(dir_.path() + "/state/admin.url");
  url.pop_back();
  std::string token = dir_.path() + "/state/admin.token";
  auto status = run_process({hyperion_binary(), "status", "--admin", url, "--token-file", token});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"phase\":\"running\""), std::string::npos) << status.out;

  std::string next = dir_.write("next.yaml", app("Howdy", "{watch: false}\n  admin: {listen: \"127.0.0.1:0\"}"));
  auto reload = run_process({hyperion_binary(), "reload", "--admin", url, "--token-file", token, "--file", next});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_NE(reload.err.find("reload applied (revision 2)"), std::string::npos) << reload.err;

  std::string bad = dir_.write("bad.yaml", app("42", "{watch: false}\n  admin: {listen: \"127.0.0.1:0\"}"));
  auto refused = run_process({hyperion_binary(), "reload", "--admin", url, "--token-file", token, "--file", bad});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("reload refused [invalid_configuration]:"), std::string::npos) << refused.err;

  auto history = run_process({hyperion_binary(), "history", "--admin", url, "--token-file", token});
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_NE(history.out.find("2\t"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("\tapplied\tstartup"), std::string::npos) << history.out;

  // One revision, readable: who, the outcome, each change with its old and new value.
  auto show = run_process({hyperion_binary(), "show", "2", "--admin", url, "--token-file", token});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("revision 2 "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("applied"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("replace /greeting  \"Hello\" -> \"Howdy\""), std::string::npos) << show.out;
  auto show_refused = run_process({hyperion_binary(), "show", "3", "--admin", url, "--token-file", token});
  EXPECT_NE(show_refused.out.find("error    [invalid_configuration]"), std::string::npos) << show_refused.out;
  auto show_json = run_process({hyperion_binary(), "show", "2", "--json", "--admin", url, "--token-file", token});
  EXPECT_NE(show_json.out.find("\"manifest\":"), std::string::npos) << show_json.out;
  auto missing = run_process({hyperion_binary(), "show", "99", "--admin", url, "--token-file", token});
  EXPECT_EQ(missing.exit_code, 1);

  // Optimistic locking: an operator who last saw revision 1 cannot roll over revision 2.
  auto stale = run_process(
      {hyperion_binary(), "rollback", "1", "--expect-revision", "1", "--admin", url, "--token-file", token});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("reload refused [revision_moved]: the running revision is 2, not 1"), std::string::npos)
      << stale.err;
  EXPECT_NE(stale.err.find("hint: someone changed the app since"), std::string::npos) << stale.err;
  auto rollback = run_process(
      {hyperion_binary(), "rollback", "1", "--expect-revision", "2", "--admin", url, "--token-file", token});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.err;

  dir_.write("wrong-token", "nope\n");
  auto denied = run_process({hyperion_binary(), "status", "--admin", url, "--token-file", dir_.path() + "/wrong-token"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("refused the token (401)"), std::string::npos) << denied.err;
  host.signal(SIGTERM);
  auto r = host.wait(std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace hyperion::cli
