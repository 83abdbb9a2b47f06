// Start in order, stop in reverse, roll back exactly what started, and survive
// plugins that fail, throw or hang — driven through Host with real plugins.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

class HostLifecycleTest : public ::testing::Test {
 protected:
  // One behave instance: name, build (plain|provider|consumer), extra config.
  std::string instance(const std::string& name, const std::string& build, const std::string& config = "",
                       const std::string& extra = "") {
    return "  - name: " + name + "\n    library: behave_" + build + "\n" + extra + "    config:\n      journal: " +
           journal_ + "\n" + config;
  }
  StatusOr<std::unique_ptr<Host>> prepare(const std::string& instances) {
    std::string manifest = dir_.write("app.yaml", "app: test\nhost:\n  state_dir: " + dir_.path() +
                                                      "/state\n  log_level: warn\nplugins:\n" + instances);
    HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
    return Host::prepare(manifest, options);
  }
  std::vector<std::string> journal() const {
    std::vector<std::string> lines;
    std::istringstream in(testing::read_file(journal_));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  testing::TempDir dir_;
  std::string journal_ = dir_.path() + "/journal";
};

using Lines = std::vector<std::string>;

TEST_F(HostLifecycleTest, StartsProvidersFirstAndStopsInReverse) {
  auto host = prepare(instance("consumer", "consumer") + instance("provider", "provider") +
                      instance("last", "plain", "", "    after: [consumer]\n"));
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  EXPECT_EQ((*host)->plan().graph.start_order(), (Lines{"provider", "consumer", "last"}));
  ASSERT_TRUE((*host)->start().ok());
  ASSERT_TRUE((*host)->stop().ok());
  EXPECT_EQ(journal(), (Lines{"create provider", "start provider", "get_service provider", "create consumer",
                              "start consumer", "answer 42 consumer", "create last", "start last", "stop last",
                              "destroy last", "stop consumer", "destroy consumer", "stop provider",
                              "destroy provider"}));
}

TEST_F(HostLifecycleTest, StartFailureStopsExactlyTheStartedOnesInReverse) {
  auto host = prepare(instance("a", "plain") + instance("b", "plain") +
                      instance("c", "plain", "      fail_in: start\n") + instance("d", "plain"));
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  Status s = (*host)->start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("start failed at instance \"c\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("behave refuses start"), std::string::npos) << s.message();
  EXPECT_EQ(journal(), (Lines{"create a", "start a", "create b", "start b", "create c", "start c", "destroy c",
                              "stop b", "destroy b", "stop a", "destroy a"}));
}

TEST_F(HostLifecycleTest, ThrowInCreateBecomesAnError) {
  auto host = prepare(instance("a", "plain") + instance("b", "plain", "      fail_in: create\n      how: throw\n"));
  ASSERT_TRUE(host.ok());
  Status s = (*host)->start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("instance \"b\": create failed (HYPERION_ERR_INTERNAL): behave threw in create"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(journal(), (Lines{"create a", "start a", "create b", "stop a", "destroy a"}));
}

TEST_F(HostLifecycleTest, NonStandardExceptionIsCaughtToo) {
  auto host = prepare(instance("a", "plain", "      fail_in: start\n      how: throw-int\n"));
  ASSERT_TRUE(host.ok());
  Status s = (*host)->start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown exception"), std::string::npos) << s.message();
}

TEST_F(HostLifecycleTest, HungStartIsReportedAndRolledBack) {
  auto host = prepare(instance("a", "plain") +
                      instance("slow", "plain", "      fail_in: start\n      how: hang\n      hang_ms: 3000\n",
                               "    start_timeout_ms: 200\n"));
  ASSERT_TRUE(host.ok());
  auto begin = std::chrono::steady_clock::now();
  Status s = (*host)->start();
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.message().find("instance \"slow\": start did not return before its deadline (hung)"), std::string::npos)
      << s.message();
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_EQ((*host)->hung_calls(), 1u);
  // "a" was stopped; the hung instance is never called again (no destroy).
  EXPECT_EQ(journal(), (Lines{"create a", "start a", "create slow", "start slow", "stop a", "destroy a"}));
}

TEST_F(HostLifecycleTest, HungStopIsReportedAndTheOthersStillStop) {
  auto host = prepare(instance("a", "plain") +
                      instance("b", "plain", "      fail_in: stop\n      how: hang\n      hang_ms: 3000\n",
                               "    stop_timeout_ms: 200\n"));
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE((*host)->start().ok());
  auto begin = std::chrono::steady_clock::now();
  Status s = (*host)->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(2500));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("instance \"b\": stop did not return before its deadline (hung)"), std::string::npos);
  EXPECT_EQ(journal(), (Lines{"create a", "start a", "create b", "start b", "stop b", "stop a", "destroy a"}));
}

TEST_F(HostLifecycleTest, StopErrorIsReportedAndTheOthersStillStop) {
  auto host = prepare(instance("a", "plain") + instance("b", "plain", "      fail_in: stop\n"));
  ASSERT_TRUE(host.ok());
  ASSERT_TRUE((*host)->start().ok());
  Status s = (*host)->stop();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("behave refuses stop"), std::string::npos);
  EXPECT_EQ(journal(), (Lines{"create a", "start a", "create b", "start b", "stop b", "destroy b", "stop a",
                              "destroy a"}));
}

TEST_F(HostLifecycleTest, ServicePublicationFailureFailsTheStart) {
  auto host = prepare(instance("p", "provider", "      fail_in: get_service\n") + instance("c", "consumer"));
  ASSERT_TRUE(host.ok());
  Status s = (*host)->start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("instance \"p\": get_service failed"), std::string::npos) << s.message();
  EXPECT_EQ(journal(), (Lines{"create p", "start p", "get_service p", "stop p", "destroy p"}));
}

TEST_F(HostLifecycleTest, ConfigIsValidatedAgainstTheSchemaWithLineAndField) {
  auto host = prepare(instance("a", "plain", "      how: explode\n"));
  ASSERT_FALSE(host.ok());
  const std::string& m = host.status().message();
  EXPECT_NE(m.find("app.yaml:10:7: plugins[0].config.how: instance \"a\" (plugin behave-plain 1.0.0)"),
            std::string::npos)
      << m;
}

TEST_F(HostLifecycleTest, MissingRequiredProviderIsReported) {
  auto host = prepare(instance("c", "consumer"));
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("instance \"c\" requires test.api 1.0, but no instance in the manifest provides it"),
            std::string::npos)
      << host.status().message();
}

TEST_F(HostLifecycleTest, LoaderErrorsNameTheManifestLine) {
  auto host = prepare("  - name: x\n    library: abi_bad_major\n");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("app.yaml:7:5: plugins[0].library: instance \"x\": loader:"),
            std::string::npos)
      << host.status().message();
  EXPECT_NE(host.status().message().find("ABI major mismatch"), std::string::npos);
}

}  // namespace
}  // namespace hyperion::app
