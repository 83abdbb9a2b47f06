// The hello example through Hyperion::testing (hyperion/testing.hpp): the
// test a plugin author writes for their own plugin, in a few lines each.
#include <gtest/gtest.h>
#include <hyperion/service.hpp>
#include <hyperion/testing.hpp>

#include <boost/json.hpp>
#include <filesystem>

#include "hello/greeter.h"

namespace {

using hyperion::testing::TestHost;

std::string hello(const std::string& config) { return "- name: hello\n  library: hello\n  config: " + config + "\n"; }

std::string greet(hyperion::ServiceHandle& greeter, const char* name) {
  return hyperion::call<&hello_greeter_v1_t::greet>(greeter, name);
}

TEST(HelloPlugin, GreetsThroughItsService) {
  TestHost host(hello("{greeting: Hi}"));
  hyperion::ServiceHandle greeter = host.service("hello", HELLO_GREETER_API, HELLO_GREETER_MAJOR);
  EXPECT_EQ(greet(greeter, "Ada"), "Hi, Ada!");
  auto report = boost::json::parse(host.health("hello"));
  EXPECT_EQ(report.at("status").as_string(), "healthy");
  EXPECT_GE(report.at("details").at("greetings").as_int64(), 2) << "one at start, one for Ada";
}

TEST(HelloPlugin, TheGreetingReloadsLiveAndAStaticChangeRestarts) {
  TestHost host(hello("{greeting: Hi}"));
  hyperion::ServiceHandle greeter = host.service("hello", HELLO_GREETER_API, HELLO_GREETER_MAJOR);
  auto live = host.reload(hello("{greeting: Hey}"));
  ASSERT_TRUE(live.applied) << live.summary;
  EXPECT_EQ(live.actions["hello"], "reload") << live.summary;
  EXPECT_EQ(greet(greeter, "Grace"), "Hey, Grace!") << "the same handle, the new greeting";
  auto restart = host.reload(hello("{greeting: Hey, interval_ms: 60000}"));
  ASSERT_TRUE(restart.applied) << restart.summary;
  EXPECT_EQ(restart.actions["hello"], "restart") << restart.summary;
  EXPECT_EQ(greet(greeter, "Linus"), "Hey, Linus!") << "a handle outlives its provider's restart";
  EXPECT_TRUE(host.wait_for_status("hello", "healthy"));
}

TEST(HelloPlugin, AnEmptyGreetingIsRefusedBeforeThePluginSeesIt) {
  TestHost host(hello("{greeting: Hi}"));
  auto refused = host.reload(hello("{greeting: ''}"));
  EXPECT_FALSE(refused.applied);
  EXPECT_NE(refused.summary.find("greeting"), std::string::npos) << refused.summary;
  hyperion::ServiceHandle greeter = host.service("hello", HELLO_GREETER_API, HELLO_GREETER_MAJOR);
  EXPECT_EQ(greet(greeter, "Ada"), "Hi, Ada!");
  EXPECT_THROW(host.service("hello", "no.such.api", 1), std::runtime_error);
}

TEST(HelloPlugin, LogsAndMetricsAreTheHosts) {
  TestHost host(hello("{}"));
  auto started = host.wait_for_event("dev.hyperion.plugin.started");
  ASSERT_TRUE(started.has_value());
  EXPECT_NE(started->find("\"hello\""), std::string::npos) << *started;
  EXPECT_NE(host.metrics().find("hyperion_instance_running"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(host.state_dir()));
  host.stop();
  EXPECT_NO_THROW(host.stop()) << "stop is once";
}

}  // namespace
