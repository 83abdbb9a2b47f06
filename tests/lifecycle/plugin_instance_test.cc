// PluginInstance's health calls: many at once (convention 6 of hyperion/plugin.h
// allows it; `hyperion check` relies on it), and none that begins once stop has.
#include "lifecycle/plugin_instance.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <thread>

#include "config/config_validator.h"
#include "loader/loader.h"
#include "support/test_support.h"

namespace hyperion::lifecycle {
namespace {

using Clock = PluginInstance::Clock;

class PluginInstanceHealth : public ::testing::Test {
 protected:
  std::unique_ptr<PluginInstance> running(const std::string& config_json) {
    auto plugin = loader_.load("behave_plain", dir_.path(), std::nullopt);
    EXPECT_TRUE(plugin.ok()) << plugin.status().message();
    auto validator = config::ConfigValidator::compile((*plugin)->metadata.config_schema);
    boost::json::object config = boost::json::parse(config_json).as_object();
    config["journal"] = journal_;
    EXPECT_TRUE(validator->apply_defaults_and_validate(config).empty());
    auto instance =
        std::make_unique<PluginInstance>("behave", *plugin, facilities_, runner_, std::map<std::string, std::string>{});
    EXPECT_TRUE(instance->create(config, Clock::now() + std::chrono::seconds(5)).ok());
    EXPECT_TRUE(instance->start(Clock::now() + std::chrono::seconds(5)).ok());
    return instance;
  }

  testing::TempDir dir_;
  std::string journal_ = dir_.path() + "/journal";
  hostapi::HostFacilities facilities_{"test"};
  CallRunner runner_;
  loader::Loader loader_{{std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()},
                         dir_.path() + "/cache"};
};

TEST_F(PluginInstanceHealth, ABurstCallsHealthManyTimesAtOnce) {
  auto instance = running("{}");
  auto answers = instance->health_burst(32, Clock::now() + std::chrono::seconds(5));
  ASSERT_EQ(answers.size(), 32u);
  for (const auto& a : answers) {
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_EQ(boost::json::parse(*a).at("status").as_string(), "healthy");
  }
  EXPECT_TRUE(instance->stop(Clock::now() + std::chrono::seconds(5)).ok());
  auto after = instance->health_burst(2, Clock::now() + std::chrono::seconds(1));
  EXPECT_FALSE(after[0].ok()) << "not running";
}

TEST_F(PluginInstanceHealth, NoCheckBeginsOnceStopHasBegun) {
  // The plugin's stop takes 400 ms; while it runs, the instance is still
  // "running" to anyone reading its state, but no health check may begin.
  auto instance = running(R"({"fail_in": "stop", "how": "hang", "hang_ms": 400})");
  std::thread stopper([&] { (void)instance->stop(Clock::now() + std::chrono::seconds(5)); });
  ASSERT_TRUE(
      testing::eventually([&] { return testing::read_file(journal_).find("stop behave") != std::string::npos; }));
  EXPECT_FALSE(instance->prepare_health_check().has_value()) << "a check would run beside the plugin's stop";
  auto burst = instance->health_burst(4, Clock::now() + std::chrono::seconds(1));
  for (const auto& a : burst) {
    EXPECT_FALSE(a.ok());
    EXPECT_NE(a.status().message().find("stopping"), std::string::npos) << a.status().message();
  }
  stopper.join();
  EXPECT_EQ(testing::read_file(journal_).find("health behave", testing::read_file(journal_).find("stop behave")),
            std::string::npos)
      << testing::read_file(journal_);
}

}  // namespace
}  // namespace hyperion::lifecycle
