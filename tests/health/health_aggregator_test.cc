// Health aggregation through a real host: timeouts, hung checks, errors,
// optional instances, dependencies, caching and single flight, draining.
#include "health/health_aggregator.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::health {
namespace {

using Clock = std::chrono::steady_clock;

class HealthAggregatorTest : public ::testing::Test {
 protected:
  // name, build, config lines, extra instance lines
  struct Instance {
    Instance(std::string n, std::string b = "plain", std::string c = "", std::string e = "")
        : name(std::move(n)), build(std::move(b)), config(std::move(c)), extra(std::move(e)) {}
    std::string name, build, config, extra;
  };
  void start(const std::vector<Instance>& instances, const std::string& health = "{timeout_ms: 100}") {
    std::string m = "app: health\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\n  health: " + health +
                    "\nplugins:\n";
    for (const Instance& i : instances) {
      m += "  - name: " + i.name + "\n    library: behave_" + i.build + "\n" + i.extra + "    config:\n      journal: " +
           journal_ + "\n" + i.config;
    }
    app::HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
    auto host = app::Host::prepare(dir_.write("app.yaml", m), options);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    ASSERT_TRUE(host_->start().ok());
  }
  int health_calls(const std::string& name) {
    std::istringstream in(testing::read_file(journal_));
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line == "health " + name;
    return n;
  }

  testing::TempDir dir_;
  std::string journal_ = dir_.path() + "/journal";
  std::unique_ptr<app::Host> host_;
};

TEST_F(HealthAggregatorTest, AllHealthyIsReady) {
  start({{"a"}, {"b"}});
  HealthSnapshot s = host_->health().check();
  EXPECT_EQ(s.status, HealthStatus::kHealthy);
  EXPECT_TRUE(s.ready);
  EXPECT_TRUE(s.live);
  EXPECT_EQ(s.phase, "running");
  ASSERT_EQ(s.instances.size(), 2u);
  auto json = s.to_json();
  EXPECT_EQ(json.at("instances").at("a").at("status").as_string(), "healthy");
}

TEST_F(HealthAggregatorTest, AHungCheckTimesOutAndIsNotCalledAgainUntilItReturns) {
  start({{"a"}, {"stuck", "plain", "      fail_in: health\n      how: hang\n      hang_ms: 1500\n"}});
  auto begin = Clock::now();
  HealthSnapshot first = host_->health().check();
  auto took = Clock::now() - begin;
  EXPECT_LT(took, std::chrono::milliseconds(100 + 400));  // the timeout plus a margin, not the hang
  const InstanceHealth* stuck = first.find("stuck");
  ASSERT_NE(stuck, nullptr);
  EXPECT_EQ(stuck->status, HealthStatus::kUnhealthy);
  EXPECT_EQ(stuck->cause, "timeout");
  EXPECT_FALSE(first.ready);
  EXPECT_EQ(first.find("a")->status, HealthStatus::kHealthy);
  // Later rounds while it hangs report it without calling it.
  host_->health().aggregator().expire();
  HealthSnapshot second = host_->health().check();
  EXPECT_EQ(second.find("stuck")->cause, "timeout");
  EXPECT_NE(second.find("stuck")->message.find("not called again"), std::string::npos);
  EXPECT_EQ(health_calls("stuck"), 1);
  EXPECT_EQ(health_calls("a"), 2);
}

TEST_F(HealthAggregatorTest, ThrowingAndErroringChecksAreUnhealthyWithTheirMessage) {
  start({{"thrower", "plain", "      fail_in: health\n      how: throw\n"}, {"refuser", "plain", "      fail_in: health\n"}});
  HealthSnapshot s = host_->health().check();
  EXPECT_EQ(s.find("thrower")->status, HealthStatus::kUnhealthy);
  EXPECT_EQ(s.find("thrower")->cause, "error");
  EXPECT_NE(s.find("thrower")->message.find("behave threw in health"), std::string::npos) << s.find("thrower")->message;
  EXPECT_NE(s.find("refuser")->message.find("HYPERION_ERR_UNAVAILABLE: behave refuses health"), std::string::npos);
  EXPECT_EQ(s.status, HealthStatus::kUnhealthy);
}

TEST_F(HealthAggregatorTest, OptionalInstancesNeverFailReadiness) {
  start({{"a"}, {"extra", "plain", "      fail_in: health\n", "    optional: true\n"}});
  HealthSnapshot s = host_->health().check();
  EXPECT_EQ(s.find("extra")->status, HealthStatus::kUnhealthy);
  EXPECT_TRUE(s.ready);
  EXPECT_EQ(s.status, HealthStatus::kDegraded);
}

TEST_F(HealthAggregatorTest, AnUnhealthyProviderDegradesItsDependents) {
  start({{"provider", "provider", "      fail_in: health\n"}, {"consumer", "consumer"}});
  HealthSnapshot s = host_->health().check();
  EXPECT_EQ(s.find("provider")->status, HealthStatus::kUnhealthy);
  const InstanceHealth* consumer = s.find("consumer");
  EXPECT_EQ(consumer->status, HealthStatus::kDegraded);
  EXPECT_EQ(consumer->cause, "dependency");
  EXPECT_EQ(consumer->message, "depends on \"provider\", which is unhealthy");
}

TEST_F(HealthAggregatorTest, ConcurrentCallersShareOneRound) {
  start({{"a"}, {"b"}}, "{timeout_ms: 200, cache_ms: 60000}");
  std::vector<std::future<HealthSnapshot>> callers;
  for (int i = 0; i < 16; ++i)
    callers.push_back(std::async(std::launch::async, [&] { return host_->health().check(); }));
  std::set<uint64_t> rounds;
  for (auto& c : callers) rounds.insert(c.get().round);
  EXPECT_EQ(rounds.size(), 1u);
  EXPECT_EQ(host_->health().aggregator().rounds(), 1u);
  EXPECT_EQ(health_calls("a"), 1);
  EXPECT_EQ(health_calls("b"), 1);
}

TEST_F(HealthAggregatorTest, DrainingIsNotReadyAndNeitherIsAStoppedHost) {
  start({{"a"}});
  EXPECT_TRUE(host_->health().check().ready);
  host_->drain();
  host_->health().aggregator().expire();
  HealthSnapshot s = host_->health().check();
  EXPECT_FALSE(s.ready);
  EXPECT_TRUE(s.draining);
  EXPECT_TRUE(s.live);
  ASSERT_TRUE(host_->stop().ok());
  host_->health().aggregator().expire();
  EXPECT_EQ(host_->health().check().phase, "stopped");
  EXPECT_FALSE(host_->health().check().ready);
}

// Plugins hear readiness (the discovery plugin registers by it): a retained
// event, so a late subscriber learns the current state first.
TEST_F(HealthAggregatorTest, ReadinessChangesAreAnnouncedAsARetainedEvent) {
  start({{"a"}, {"sick", "plain", "      fail_in: health\n"}});
  std::mutex mu;
  std::vector<std::string> heard;
  host_->facilities().events.subscribe("test", "dev.hyperion.host.readiness", [&](const std::string& json) {
    auto data = boost::json::parse(json).at("data");
    std::lock_guard lock(mu);
    heard.push_back(std::string(data.at("ready").as_bool() ? "ready: " : "not ready: ") +
                    std::string(data.at("reason").as_string()));
  });
  EXPECT_FALSE(host_->health().check().ready);  // the round finds "sick" unhealthy
  host_->drain();                               // already not ready: nothing new
  ASSERT_TRUE(host_->stop().ok());
  host_->facilities().events.flush();
  std::lock_guard lock(mu);
  EXPECT_EQ(heard, (std::vector<std::string>{"ready: started", "not ready: a required instance is unhealthy"}));
}

TEST_F(HealthAggregatorTest, DrainingAnnouncesNotReadyBeforeAnythingStops) {
  start({{"a"}});
  std::mutex mu;
  std::vector<bool> heard;
  host_->facilities().events.subscribe("test", "dev.hyperion.host.readiness", [&](const std::string& json) {
    std::lock_guard lock(mu);
    heard.push_back(boost::json::parse(json).at("data").at("ready").as_bool());
  });
  host_->drain();
  host_->facilities().events.flush();
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(heard, (std::vector<bool>{true, false}));
  }
  EXPECT_EQ(host_->snapshot().phase, "running") << "nothing has stopped yet";
}

TEST_F(HealthAggregatorTest, APluginWithoutAHealthCheckIsHealthyWhileRunning) {
  std::string m = "app: h\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\nplugins:\n" +
                  "  - name: plain\n    library: abi_good\n";
  app::HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("abi_good")).parent_path().string()};
  auto host = app::Host::prepare(dir_.write("plain.yaml", m), options);
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  ASSERT_TRUE((*host)->start().ok());
  HealthSnapshot s = (*host)->health().check();
  EXPECT_EQ(s.find("plain")->status, HealthStatus::kHealthy);
  EXPECT_TRUE(s.ready);
}

}  // namespace
}  // namespace hyperion::health
