// The discovery plugin's Balancer as pure logic: each policy's spread, the
// power of two choices against a slow instance, outlier ejection with its
// backoff and its limits, tickets of instances that left.
#include "balancer.h"

#include <gtest/gtest.h>

#include <map>

namespace hyperion::plugins::discovery {
namespace {

using namespace std::chrono_literals;
using Clock = Balancer::Clock;

std::vector<Instance> three() {
  std::vector<Instance> out;
  for (const char* id : {"a", "b", "c"}) {
    Instance i;
    i.service = "users";
    i.id = id;
    i.address = "127.0.0.1";
    i.port = 9000;
    out.push_back(i);
  }
  return out;
}

std::map<std::string, int> spread(Balancer& b, int picks, Clock::time_point now = Clock::now()) {
  std::map<std::string, int> count;
  for (int i = 0; i < picks; ++i) {
    auto c = b.pick(nullptr, now);
    EXPECT_TRUE(c.has_value());
    ++count[c->instance->id];
    b.report(c->ticket, HYPERION_DISCOVERY_SUCCESS, now);
  }
  return count;
}

TEST(DiscoveryBalancer, RoundRobinVisitsEachInstanceInTurn) {
  Balancer b(Policy::kRoundRobin, {});
  b.update(three());
  auto count = spread(b, 300);
  EXPECT_EQ(count, (std::map<std::string, int>{{"a", 100}, {"b", 100}, {"c", 100}}));
}

TEST(DiscoveryBalancer, RandomSpreadsOverEveryInstance) {
  Balancer b(Policy::kRandom, {});
  b.update(three());
  auto count = spread(b, 3000);
  for (const auto& [id, n] : count) EXPECT_GT(n, 700) << id;  // 1000 expected each
  EXPECT_EQ(count.size(), 3u);
}

TEST(DiscoveryBalancer, LeastOutstandingAvoidsTheInstanceWithCallsInFlight) {
  Balancer b(Policy::kLeastOutstanding, {});
  b.update(three());
  // "c" never answers (its calls stay in flight); the others answer at once.
  std::map<std::string, int> count;
  for (int i = 0; i < 3000; ++i) {
    auto c = b.pick(nullptr);
    ++count[c->instance->id];
    if (c->instance->id != "c") b.report(c->ticket, HYPERION_DISCOVERY_SUCCESS);
  }
  EXPECT_LT(count["c"], 30) << "once c has calls in flight, two choices with it prefer the other";
  EXPECT_EQ(b.outstanding("c"), count["c"]);
  EXPECT_EQ(b.outstanding("a"), 0);
}

TEST(DiscoveryBalancer, ConsecutiveFailuresEjectForABackoffThatGrows) {
  OutlierSettings outlier;
  outlier.consecutive_failures = 3;
  outlier.base_ejection = 10s;
  outlier.max_ejection = 25s;
  Balancer b(Policy::kRoundRobin, outlier);
  b.update(three());
  const auto t0 = Clock::now();
  // Three calls to "b" that fail (the others answer well); true when the last ejected it.
  auto fail_b = [&](Clock::time_point now) {
    bool ejected = false;
    for (int failures = 0, picks = 0; failures < 3 && picks < 100; ++picks) {
      auto c = b.pick(nullptr, now);
      if (c->instance->id != "b") {
        b.report(c->ticket, HYPERION_DISCOVERY_SUCCESS, now);
        continue;
      }
      ejected = b.report(c->ticket, HYPERION_DISCOVERY_FAILURE, now);
      ++failures;
    }
    return ejected;
  };
  EXPECT_TRUE(fail_b(t0)) << "the third failure in a row ejects";
  EXPECT_EQ(b.ejected(t0), 1u);
  EXPECT_EQ(spread(b, 100, t0 + 9s).count("b"), 0u) << "skipped while ejected";
  EXPECT_GT(spread(b, 100, t0 + 10s)["b"], 0) << "back after base_ejection";
  EXPECT_TRUE(fail_b(t0 + 11s));
  EXPECT_EQ(spread(b, 100, t0 + 11s + 19s).count("b"), 0u) << "the second ejection lasts twice as long";
  EXPECT_GT(spread(b, 100, t0 + 11s + 20s)["b"], 0);
}

TEST(DiscoveryBalancer, ASuccessBetweenFailuresStartsTheCountOver) {
  OutlierSettings outlier;
  outlier.consecutive_failures = 2;
  Balancer b(Policy::kRoundRobin, outlier);
  std::vector<Instance> one = {three()[0]};
  std::vector<Instance> two = {three()[0], three()[1]};
  b.update(two);
  const auto now = Clock::now();
  auto ticket_of = [&](const std::string& id) {
    for (;;) {
      auto c = b.pick(nullptr, now);
      if (c->instance->id == id) return c->ticket;
      b.report(c->ticket, HYPERION_DISCOVERY_CANCELLED, now);
    }
  };
  EXPECT_FALSE(b.report(ticket_of("a"), HYPERION_DISCOVERY_FAILURE, now));
  EXPECT_FALSE(b.report(ticket_of("a"), HYPERION_DISCOVERY_SUCCESS, now));
  EXPECT_FALSE(b.report(ticket_of("a"), HYPERION_DISCOVERY_FAILURE, now));
  EXPECT_TRUE(b.report(ticket_of("a"), HYPERION_DISCOVERY_FAILURE, now));
}

TEST(DiscoveryBalancer, NeverEjectsMoreThanItsShareAndNeverRefusesForEjectionsAlone) {
  OutlierSettings outlier;
  outlier.consecutive_failures = 1;
  outlier.max_ejection_percent = 34;  // one of three
  Balancer b(Policy::kRoundRobin, outlier);
  b.update(three());
  const auto now = Clock::now();
  int ejections = 0;
  for (int i = 0; i < 30; ++i) {
    auto c = b.pick(nullptr, now);
    ejections += b.report(c->ticket, HYPERION_DISCOVERY_FAILURE, now) ? 1 : 0;
  }
  EXPECT_EQ(ejections, 1);
  EXPECT_EQ(b.ejected(now), 1u);

  Balancer alone(Policy::kRoundRobin, outlier);
  alone.update({three()[0]});
  auto c = alone.pick(nullptr, now);
  EXPECT_TRUE(alone.report(c->ticket, HYPERION_DISCOVERY_FAILURE, now)) << "at least one may be ejected";
  auto again = alone.pick(nullptr, now);
  ASSERT_TRUE(again.has_value()) << "every instance ejected: ejection is ignored (panic), not a refusal";
  EXPECT_EQ(again->instance->id, "a");
}

TEST(DiscoveryBalancer, KeepsCountersAcrossUpdatesAndIgnoresTicketsOfInstancesThatLeft) {
  Balancer b(Policy::kRoundRobin, {});
  b.update(three());
  auto picked = b.pick(nullptr);
  const std::string id = picked->instance->id;
  b.update(three());  // the same instances again: counters stay
  EXPECT_EQ(b.outstanding(id), 1);
  auto others = three();
  others.erase(std::remove_if(others.begin(), others.end(), [&](const Instance& i) { return i.id == id; }),
               others.end());
  b.update(others);
  Instance newcomer = three()[0];
  newcomer.id = "d";
  others.push_back(newcomer);
  b.update(others);  // "d" may take the freed slot, with a new generation
  EXPECT_FALSE(b.report(picked->ticket, HYPERION_DISCOVERY_FAILURE));
  EXPECT_EQ(b.outstanding("d"), 0) << "the old ticket did not touch the newcomer";
  EXPECT_EQ(b.size(), 3u);
}

TEST(DiscoveryBalancer, FiltersByTagsAndMetadata) {
  Balancer b(Policy::kRoundRobin, {});
  auto all = three();
  all[1].tags = {"grpc"};
  all[1].meta = {{"version", "2"}};
  b.update(all);
  Query q;
  q.service = "users";
  q.tags = {"grpc"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.pick(&q)->instance->id, "b");
  q.meta = {{"version", "3"}};
  EXPECT_FALSE(b.pick(&q).has_value());
}

}  // namespace
}  // namespace hyperion::plugins::discovery
