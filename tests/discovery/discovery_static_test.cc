// The discovery plugin in a real host with the static backend, called through
// the discovery ABI (with the C++ helpers): resolve with filters, pick and
// report with ejection, registration that follows the host's readiness,
// watches in order, and bad input refused with a clear error.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "discovery/discovery_host.h"

namespace hyperion::discovery_test {
namespace {

const std::string kUsers =
    "static: [{service: users, id: u1, address: 127.0.0.1, port: 9001, tags: [grpc], meta: {version: '2'}},"
    " {service: users, id: u2, address: 127.0.0.1, port: 9002},"
    " {service: users, id: u3, address: 127.0.0.1, port: 9003}]";

discovery::Query users(std::vector<std::string> tags = {}, std::map<std::string, std::string> meta = {}) {
  return {"users", std::move(tags), std::move(meta)};
}

TEST(DiscoveryStatic, ResolvesTheListWithFiltersAndPicksInTurn) {
  DiscoveryHost h("{" + kUsers + "}");
  EXPECT_EQ(ids(h.client().resolve(users())), (std::vector<std::string>{"u1", "u2", "u3"}));
  EXPECT_EQ(ids(h.client().resolve(users({"grpc"}))), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(ids(h.client().resolve(users({}, {{"version", "2"}}))), (std::vector<std::string>{"u1"}));
  EXPECT_TRUE(h.client().resolve({"nobody", {}, {}}).empty()) << "no instance is an answer, not an error";
  std::map<std::string, int> spread;
  for (int i = 0; i < 30; ++i) {
    discovery::Picked p = h.client().pick(users());
    ++spread[p.instance.id];
    p.report(HYPERION_DISCOVERY_SUCCESS);
  }
  EXPECT_EQ(spread, (std::map<std::string, int>{{"u1", 10}, {"u2", 10}, {"u3", 10}}));
  try {
    (void)h.client().pick({"nobody", {}, {}});
    FAIL() << "no instance to pick";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("no healthy instance of \"nobody\""), std::string::npos) << e.what();
  }
}

TEST(DiscoveryStatic, ConcurrentFirstPicksOfAServiceAllWaitForTheRegistrysAnswer) {
  for (int round = 0; round < 20; ++round) {
    DiscoveryHost h("{" + kUsers + "}");
    std::vector<std::future<std::string>> pickers;
    for (int t = 0; t < 8; ++t) {
      pickers.push_back(std::async(std::launch::async, [&] {
        try {
          return h.client().pick(users()).instance.id;
        } catch (const Error& e) {
          return std::string(e.what());
        }
      }));
    }
    for (auto& p : pickers) {
      const std::string got = p.get();
      EXPECT_TRUE(got == "u1" || got == "u2" || got == "u3") << "round " << round << ": " << got;
    }
  }
}

TEST(DiscoveryStatic, AnInstanceThatKeepsFailingIsEjectedAndCounted) {
  DiscoveryHost h("{" + kUsers + ", outlier: {consecutive_failures: 2, base_ejection_ms: 60000}}");
  for (int failures = 0, picks = 0; failures < 2 && picks < 30; ++picks) {
    discovery::Picked p = h.client().pick(users());
    if (p.instance.id == "u2") {
      p.report(HYPERION_DISCOVERY_FAILURE);
      ++failures;
    } else {
      p.report(HYPERION_DISCOVERY_SUCCESS);
    }
  }
  for (int i = 0; i < 20; ++i) EXPECT_NE(h.client().pick(users()).instance.id, "u2");
  EXPECT_NE(h.host().metrics_text().find("discovery_ejections_total"), std::string::npos);
  EXPECT_NE(h.health().find("\"ejected\":1"), std::string::npos) << h.health();
}

TEST(DiscoveryStatic, RegistrationFollowsReadinessAndWatchesSeeEachChangeInOrder) {
  // Declared before the host: its watch writes into them until it stops.
  std::mutex mu;
  std::vector<std::vector<std::string>> seen;
  DiscoveryHost h("{register: [{service: web, address: 127.0.0.1, port: 8080}]}");
  // The host's readiness reaches the plugin as an event, just after start.
  ASSERT_TRUE(testing::eventually([&] { return !h.client().resolve({"web", {}, {}}).empty(); }));
  EXPECT_EQ(ids(h.client().resolve({"web", {}, {}})), (std::vector<std::string>{"web-127.0.0.1-8080"}));
  h.client().watch({"web", {}, {}}, [&](const std::vector<discovery::Instance>& set) {
    std::lock_guard lock(mu);
    seen.push_back(ids(set));
  });
  auto seen_now = [&] {
    std::lock_guard lock(mu);
    return seen;
  };
  ASSERT_TRUE(testing::eventually([&] { return !seen_now().empty(); }));

  // Another plugin registers through the API, then withdraws.
  h.client().register_instance({"web", "extra", "127.0.0.2", 8081, {"canary"}, {}});
  h.client().deregister_instance("web", "extra");
  // Draining (SIGTERM) withdraws everything while nothing has stopped yet.
  h.host().drain();
  ASSERT_TRUE(testing::eventually([&] { return seen_now().back().empty(); })) << seen_now().size();
  EXPECT_EQ(seen_now(), (std::vector<std::vector<std::string>>{
                            {"web-127.0.0.1-8080"}, {"extra", "web-127.0.0.1-8080"}, {"web-127.0.0.1-8080"}, {}}));
}

TEST(DiscoveryStatic, BadInstancesAreRefusedNamingWhatIsWrong) {
  DiscoveryHost h("{}");
  try {
    h.client().register_instance({"web", "x", "127.0.0.1", 0, {}, {}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("instance \"x\" of \"web\": port must be 1..65535"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(h.client().register_instance({"", "x", "127.0.0.1", 80, {}, {}}), Error);
  EXPECT_THROW((void)h.client().resolve({"", {}, {}}), Error);

  // In the manifest, the schema names the field.
  EXPECT_THROW(DiscoveryHost("{register: [{service: web, address: 127.0.0.1, port: 70000}]}"), std::runtime_error);
  try {
    DiscoveryHost bad("{backend: etcd}");
    FAIL() << "etcd without endpoints";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("endpoints: the etcd backend needs at least one"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hyperion::discovery_test
