// The reloadable plugin through Hyperion::testing (hyperion/testing.hpp), as
// its author would test it: its service, live reloads, refusals.
#include <gtest/gtest.h>
#include <hyperion/service.hpp>
#include <hyperion/testing.hpp>

#include <boost/json.hpp>

#include "reloadable/runtime_settings.h"

namespace {

using hyperion::call;
using hyperion::testing::TestHost;

std::string settings(const std::string& config) {
  return "- name: settings\n  library: reloadable\n  config: " + config + "\n";
}

class ReloadablePluginTest : public ::testing::Test {
 protected:
  TestHost host_{settings("{features: {beta: true}}")};
  hyperion::ServiceHandle service_ = host_.service("settings", RUNTIME_SETTINGS_API, RUNTIME_SETTINGS_MAJOR);

  int32_t feature(const char* name, int32_t fallback) {
    return call<&runtime_settings_v1_t::feature_enabled>(service_, name, fallback);
  }
};

TEST_F(ReloadablePluginTest, ServesSettingsAndDefaults) {
  EXPECT_EQ(feature("beta", 0), 1);
  EXPECT_EQ(feature("unknown", 7), 7);
  EXPECT_EQ(call<&runtime_settings_v1_t::generation>(service_), 0u);
  EXPECT_DOUBLE_EQ(call<&runtime_settings_v1_t::rate_limit>(service_, "search", 2.5), 2.5);
  EXPECT_EQ(host_.status("settings"), "healthy");
}

TEST_F(ReloadablePluginTest, ALiveReloadChangesWhatReadersSee) {
  auto r =
      host_.reload(settings("{log_level: debug, features: {beta: false, gamma: true}, rate_limits: {search: 40}}"));
  ASSERT_TRUE(r.applied) << r.summary;
  EXPECT_EQ(r.revision, 2u);
  EXPECT_EQ(r.actions["settings"], "reload") << "live, not a restart: " << r.summary;
  EXPECT_EQ(feature("beta", 1), 0);
  EXPECT_EQ(feature("gamma", 0), 1);
  EXPECT_EQ(call<&runtime_settings_v1_t::generation>(service_), 1u);
  EXPECT_DOUBLE_EQ(call<&runtime_settings_v1_t::rate_limit>(service_, "search", 0), 40);
  std::string snapshot = call<&runtime_settings_v1_t::snapshot_json>(service_);
  EXPECT_EQ(boost::json::parse(snapshot).at("log_level").as_string(), "debug");
  // The host told everyone: the reload's CloudEvent names the revision.
  auto event = host_.wait_for_event("dev.hyperion.reload.applied");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(boost::json::parse(*event).at("data").at("revision").as_int64(), 2);
}

TEST_F(ReloadablePluginTest, InvalidSettingsAreRefusedAndTheOldOnesKeepServing) {
  auto r = host_.reload(settings("{rate_limits: {search: -1}}"));
  EXPECT_FALSE(r.applied);
  EXPECT_NE(r.summary.find("rate_limits/search"), std::string::npos) << r.summary;
  EXPECT_EQ(feature("beta", 0), 1);
  auto unknown = host_.reload(settings("{colour: blue}"));
  EXPECT_FALSE(unknown.applied);
  EXPECT_NE(unknown.summary.find("colour"), std::string::npos) << unknown.summary;
  EXPECT_EQ(host_.status(), "healthy") << "the host still runs revision 1";
}

TEST(ReloadablePluginStart, AnInvalidConfigStopsTheHostFromStartingWithTheField) {
  try {
    TestHost host(settings("{rate_limits: {search: -1}}"));
    FAIL() << "started with an invalid config";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rate_limits"), std::string::npos) << e.what();
  }
}

}  // namespace
