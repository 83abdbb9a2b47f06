// `hyperion check` end to end: every in-tree plugin passes it, and each
// misbehaving test plugin fails it for its own reason (docs/plugin-guide.md,
// "Testing your plugin").
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <iostream>

#include "support/test_support.h"

namespace hyperion::check {
namespace {

namespace json = boost::json;
using testing::hyperion_binary;
using testing::run_process;
using testing::test_plugin;

struct CheckRun {
  int exit_code = -1;
  json::object report;  // --json
  std::string out;
  std::string err;
};

CheckRun run_check(const std::string& library, std::vector<std::string> more = {}) {
  std::vector<std::string> argv = {hyperion_binary(), "check", library, "--json"};
  argv.insert(argv.end(), more.begin(), more.end());
  auto r = run_process(argv, std::chrono::seconds(180));
  CheckRun run{r.exit_code, {}, r.out, r.err};
  boost::system::error_code ec;
  json::value v = json::parse(r.out, ec);
  if (!ec && v.is_object()) run.report = v.as_object();
  return run;
}

// The row whose check starts with `check` in `group`, or null.
const json::object* row(const CheckRun& run, const std::string& group, const std::string& check) {
  if (!run.report.contains("checks")) return nullptr;
  for (const json::value& r : run.report.at("checks").as_array()) {
    const json::object& o = r.as_object();
    if (o.at("group").as_string() == group && o.at("check").as_string().subview().substr(0, check.size()) == check) {
      return &o;
    }
  }
  return nullptr;
}

std::string result_of(const CheckRun& run, const std::string& group, const std::string& check) {
  const json::object* r = row(run, group, check);
  return r == nullptr ? "(no such row)" : std::string(r->at("result").as_string());
}

std::string detail_of(const CheckRun& run, const std::string& group, const std::string& check) {
  const json::object* r = row(run, group, check);
  return r == nullptr ? "" : std::string(r->at("detail").as_string());
}

class CheckCommand : public ::testing::Test {
 protected:
  std::string config(const std::string& yaml) {
    return dir_.write("config-" + std::to_string(++files_) + ".yaml", yaml);
  }
  std::string listen_config() {
    return config("listen: 127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "\n");
  }
  testing::TempDir dir_;
  int files_ = 0;
};

// --- every in-tree plugin passes -------------------------------------------

struct InTree {
  const char* plugin;
  const char* config;  // "listen": a free loopback port; "store": an address nothing answers on
};

void PrintTo(const InTree& p, std::ostream* os) { *os << p.plugin; }

class InTreePlugin : public CheckCommand, public ::testing::WithParamInterface<InTree> {};

TEST_P(InTreePlugin, PassesCheck) {
  const InTree p = GetParam();
  std::vector<std::string> args = {p.plugin};
  const std::string c = p.config;
  if (c == "listen") args = {p.plugin, "--config", listen_config()};
  if (c == "store") {
    args = {p.plugin, "--config",
            config("address: 127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "\nprefix: check\n")};
  }
  // The table as a person sees it, in the test's output.
  std::vector<std::string> argv = {hyperion_binary(), "check"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--log-level", "error"});
  auto r = run_process(argv, std::chrono::seconds(180));
  std::cout << r.out;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Plugins, InTreePlugin,
                         ::testing::Values(InTree{"api-gateway", ""}, InTree{"consul-config", "store"},
                                           InTree{"discovery", ""}, InTree{"grpc-client", ""},
                                           InTree{"grpc-server", "listen"}, InTree{"health", "listen"},
                                           InTree{"http-client", ""}, InTree{"http-server", "listen"},
                                           InTree{"reloadable", ""}, InTree{"tracing", ""}, InTree{"hello", ""},
                                           InTree{"hello-c", ""}, InTree{"notes", ""}, InTree{"greeter", ""},
                                           InTree{"greeter-v2", ""}, InTree{"users", ""}, InTree{"shop-users", ""},
                                           InTree{"shop-orders", ""}, InTree{"shop-products", ""},
                                           InTree{"shop-products-v2", ""}, InTree{"shop-notifications", ""}),
                         [](const ::testing::TestParamInfo<InTree>& info) {
                           std::string name = info.param.plugin;
                           for (char& ch : name) ch = ch == '-' ? '_' : ch;
                           return name;
                         });

TEST_F(CheckCommand, JsonHasEveryGroupAndCounts) {
  auto run = run_check("hello");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.report.at("plugin").as_string(), "hello 1.0.0");
  EXPECT_TRUE(run.report.at("passed").as_bool());
  EXPECT_EQ(run.report.at("hung_in").as_string(), "");
  for (const char* group : {"metadata", "abi", "lifecycle", "health", "services", "reload", "state", "unload"}) {
    EXPECT_NE(row(run, group, ""), nullptr) << group;
  }
  EXPECT_EQ(result_of(run, "reload", "reload /greeting"), "pass") << detail_of(run, "reload", "reload /greeting");
  EXPECT_EQ(result_of(run, "unload", "the library leaves"), "pass");
  EXPECT_EQ(result_of(run, "health", "64 health calls"), "pass");
  EXPECT_EQ(run.report.at("counts").at("fail").as_int64(), 0);
}

// --- each misbehaviour fails for its reason --------------------------------

TEST_F(CheckCommand, AHangInStopFailsTheLifecycleAndNothingCallsItAgain) {
  auto run = run_check(test_plugin("behave_plain"),
                       {"--config", config("fail_in: stop\nhow: hang\nhang_ms: 3000\n"), "--stop-timeout-ms", "300"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(result_of(run, "lifecycle", "create -> start"), "fail");
  EXPECT_NE(detail_of(run, "lifecycle", "create -> start").find("round 1, stop: "), std::string::npos)
      << detail_of(run, "lifecycle", "create -> start");
  EXPECT_NE(detail_of(run, "lifecycle", "create -> start").find("hung"), std::string::npos);
  EXPECT_EQ(run.report.at("hung_in").as_string(), "stop");
  EXPECT_EQ(row(run, "health", ""), nullptr) << "no call into a hung plugin";
  EXPECT_EQ(result_of(run, "unload", "the library leaves"), "skip");
}

TEST_F(CheckCommand, ACapabilityTheVtableLacksFailsTheAbi) {
  auto run = run_check(test_plugin("abi_capability"));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(result_of(run, "abi", "loads"), "fail");
  EXPECT_NE(detail_of(run, "abi", "loads").find("declares capability \"health\" but does not implement health"),
            std::string::npos)
      << detail_of(run, "abi", "loads");
}

TEST_F(CheckCommand, ADynamicFieldWhoseChangeIsRefusedFailsReload) {
  auto run = run_check(test_plugin("behave_plain"));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(result_of(run, "reload", "reload /sticky"), "fail");
  EXPECT_NE(detail_of(run, "reload", "reload /sticky").find("refused by reload but accepted by create"),
            std::string::npos)
      << detail_of(run, "reload", "reload /sticky");
  // A commit that fails after its prepare succeeded breaks the two-phase promise.
  EXPECT_EQ(result_of(run, "reload", "reload /fail_commit"), "fail");
  EXPECT_NE(detail_of(run, "reload", "reload /fail_commit").find("commit failed after a successful prepare"),
            std::string::npos);
  // A value create refuses too is the plugin's own validation, not a lie.
  EXPECT_EQ(result_of(run, "reload", "reload /fail_prepare"), "skip");
  EXPECT_EQ(result_of(run, "reload", "reload /value"), "pass");
  EXPECT_EQ(detail_of(run, "reload", "reload /password").find("secret") != std::string::npos, true)
      << "a secret's values are never shown: " << detail_of(run, "reload", "reload /password");
}

TEST_F(CheckCommand, ALibraryPinnedByUniqueSymbolsFailsUnload) {
  auto run = run_check(test_plugin("swappable_pinned"));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(result_of(run, "unload", "the library leaves"), "fail");
  EXPECT_NE(detail_of(run, "unload", "the library leaves").find("STB_GNU_UNIQUE"), std::string::npos);
  EXPECT_NE(detail_of(run, "unload", "the library leaves").find("-fno-gnu-unique"), std::string::npos);
  // The same code built the SDK's way unloads.
  auto clean = run_check(test_plugin("swappable_v1"));
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(result_of(clean, "unload", "the library leaves"), "pass");
}

TEST_F(CheckCommand, StateRoundTripsAndARefusedImportFails) {
  auto good = run_check(test_plugin("swappable_v1"));
  EXPECT_EQ(result_of(good, "state", "export -> import"), "pass") << detail_of(good, "state", "export -> import");
  auto refused = run_check(test_plugin("rogue"), {"--config", config("callback: state_import\nhow: error\n")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(result_of(refused, "state", "export -> import"), "fail");
  EXPECT_NE(detail_of(refused, "state", "export -> import").find("rogue refuses"), std::string::npos)
      << detail_of(refused, "state", "export -> import");
}

TEST_F(CheckCommand, AHealthCallThatIsNotThreadSafeIsCaughtUnderTsan) {
#if defined(__SANITIZE_THREAD__)
  auto run = run_check(test_plugin("behave_plain"), {"--config", config("racy_health: true\n")});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("ThreadSanitizer: data race"), std::string::npos) << run.err.substr(0, 2000);
  EXPECT_NE(run.err.find("health"), std::string::npos) << "the race is in health()";
#else
  GTEST_SKIP() << "a data race is only seen by ThreadSanitizer: this test runs in the TSan build of .ci/run";
#endif
}

// --- what it needs, and bad input --------------------------------------------

TEST_F(CheckCommand, ARequiredServiceComesFromWithOrTheCheckSaysWhatIsMissing) {
  auto alone = run_check(test_plugin("behave_consumer"));
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_EQ(result_of(alone, "services", "required services"), "fail");
  EXPECT_NE(detail_of(alone, "services", "required services")
                .find("requires test.api 1.0, which nothing provides: "
                      "name a provider with --with LIB.so"),
            std::string::npos)
      << detail_of(alone, "services", "required services");
  auto with = run_check(test_plugin("behave_consumer"), {"--with", test_plugin("behave_provider")});
  EXPECT_EQ(result_of(with, "services", "required services"), "pass") << with.out << with.err;
  EXPECT_NE(detail_of(with, "services", "required services").find("runs as \"with-behave-provider\""),
            std::string::npos);
  EXPECT_EQ(result_of(with, "lifecycle", "create -> start"), "pass") << detail_of(with, "lifecycle", "create");
}

TEST_F(CheckCommand, AKnownRequiredApiIsProvidedByTheInstalledPlugin) {
  auto run = run_check("api-gateway");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(detail_of(run, "services", "required services").find("http.server 1.0 from the installed http-server"),
            std::string::npos)
      << detail_of(run, "services", "required services");
}

TEST_F(CheckCommand, BadInputIsNamed) {
  auto missing = run_check(dir_.path() + "/nothing.so");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(result_of(missing, "metadata", "read from the file"), "fail");
  EXPECT_NE(detail_of(missing, "metadata", "read from the file").find("nothing.so"), std::string::npos);

  auto invalid = run_check("hello", {"--config", config("greeting: 5\n")});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_EQ(result_of(invalid, "metadata", "--config is valid"), "fail");
  EXPECT_NE(detail_of(invalid, "metadata", "--config is valid").find("/greeting"), std::string::npos);

  auto unreadable = run_process({hyperion_binary(), "check", "hello", "--config", dir_.path() + "/absent.yaml"});
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.err.find("absent.yaml"), std::string::npos) << unreadable.err;

  auto not_a_mapping = run_process({hyperion_binary(), "check", "hello", "--config", config("- a\n- b\n")});
  EXPECT_EQ(not_a_mapping.exit_code, 2);
  EXPECT_NE(not_a_mapping.err.find("a config is a mapping of fields, not a list"), std::string::npos)
      << not_a_mapping.err;

  auto bad_yaml = run_process({hyperion_binary(), "check", "hello", "--config", config("greeting: [\n")});
  EXPECT_EQ(bad_yaml.exit_code, 2);
  EXPECT_NE(bad_yaml.err.find(":1"), std::string::npos) << "names the line: " << bad_yaml.err;

  EXPECT_EQ(run_process({hyperion_binary(), "check"}).exit_code, 2);
  EXPECT_EQ(run_process({hyperion_binary(), "check", "hello", "--rounds", "0"}).exit_code, 2);
}

}  // namespace
}  // namespace hyperion::check
