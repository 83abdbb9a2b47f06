#include "events/event_bus.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <vector>

namespace hyperion::events {
namespace {

TEST(EventBus, DeliversCloudEventsInOrderByPrefix) {
  EventBus bus("shop");
  std::mutex mu;
  std::vector<std::string> seen;
  bus.subscribe("x", "dev.hyperion.plugin.", [&](const std::string& json) {
    std::lock_guard lock(mu);
    seen.push_back(json);
  });
  ASSERT_TRUE(bus.emit("host", "dev.hyperion.plugin.started", R"({"instance":"a"})").ok());
  ASSERT_TRUE(bus.emit("host", "dev.hyperion.reload.applied", "").ok());
  ASSERT_TRUE(bus.emit("web", "dev.hyperion.plugin.stopped", "").ok());
  bus.flush();
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  auto first = boost::json::parse(seen[0]).as_object();
  EXPECT_EQ(first.at("specversion").as_string(), "1.0");
  EXPECT_EQ(first.at("type").as_string(), "dev.hyperion.plugin.started");
  EXPECT_EQ(first.at("source").as_string(), "hyperion://shop/host");
  EXPECT_EQ(first.at("data").at("instance").as_string(), "a");
  EXPECT_FALSE(first.at("id").as_string().empty());
  EXPECT_FALSE(first.at("time").as_string().empty());
  EXPECT_EQ(boost::json::parse(seen[1]).at("source").as_string(), "hyperion://shop/web");
}

TEST(EventBus, ARetainedTypeReachesANewSubscriberFirstAndOnlyItsLatestEvent) {
  EventBus bus("a");
  bus.retain_latest("dev.hyperion.host.readiness");
  std::mutex mu;
  std::vector<std::string> early, late, unrelated;
  auto keep = [&](std::vector<std::string>& into) {
    return [&](const std::string& json) {
      std::lock_guard lock(mu);
      into.push_back(std::string(boost::json::parse(json).at("data").at("reason").as_string()));
    };
  };
  bus.subscribe("early", "dev.hyperion.host.", keep(early));
  (void)bus.emit("host", "dev.hyperion.host.readiness", R"({"ready":true,"reason":"started"})");
  (void)bus.emit("host", "dev.hyperion.host.readiness", R"({"ready":false,"reason":"draining"})");
  (void)bus.emit("host", "dev.hyperion.host.other", R"({"reason":"not retained"})");
  bus.flush();
  bus.subscribe("late", "dev.hyperion.host.", keep(late));
  bus.subscribe("unrelated", "dev.hyperion.plugin.", keep(unrelated));
  (void)bus.emit("host", "dev.hyperion.host.readiness", R"({"ready":true,"reason":"healthy again"})");
  bus.flush();
  std::lock_guard lock(mu);
  EXPECT_EQ(early, (std::vector<std::string>{"started", "draining", "not retained", "healthy again"}));
  EXPECT_EQ(late, (std::vector<std::string>{"draining", "healthy again"})) << "the latest first, then what follows";
  EXPECT_TRUE(unrelated.empty());
}

TEST(EventBus, RejectsBadEvents) {
  EventBus bus("a");
  EXPECT_EQ(bus.emit("x", "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bus.emit("x", "t", "{not json").status().code(), StatusCode::kInvalidArgument);
}

TEST(EventBus, UnsubscribeStopsDeliveryAndWorksFromInsideTheCallback) {
  EventBus bus("a");
  int calls = 0;
  uint64_t id = 0;
  id = bus.subscribe("x", "", [&](const std::string&) {
    ++calls;
    bus.unsubscribe(id);
  });
  (void)bus.emit("x", "t", "");
  (void)bus.emit("x", "t", "");
  bus.flush();
  EXPECT_EQ(calls, 1);
  int others = 0;
  bus.subscribe("owner", "", [&](const std::string&) { ++others; });
  bus.unsubscribe_all("owner");
  (void)bus.emit("x", "t", "");
  bus.flush();
  EXPECT_EQ(others, 0);
}

}  // namespace
}  // namespace hyperion::events
