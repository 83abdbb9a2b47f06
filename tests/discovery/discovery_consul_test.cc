// The discovery plugin on Consul, in real hosts. No Consul server can be
// installed on these machines, so these run against ConsulProtocolFake (a
// protocol fake, not Consul: the agent's documented service registration, TTL
// checks and health queries with blocking, and its faults).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>

#include "discovery/discovery_host.h"
#include "stores/consul_client.h"
#include "support/consul_fake.h"

namespace hyperion::discovery_test {
namespace {

using testing::ConsulProtocolFake;
using namespace std::chrono_literals;
namespace json = boost::json;

// `consul` goes inside the config's consul: {...}.
std::string consul_config(const ConsulProtocolFake& fake, const std::string& extra = "",
                          const std::string& consul = "deregister_critical_after_s: 1") {
  return "{backend: consul, endpoints: [" + fake.address() +
         "], token: t0k3n, ttl_s: 2, retry: {initial_ms: 100, max_ms: 500}, "
         "consul: {wait_s: 5, rate_limit_ms: 0, " +
         consul + "}" + extra + "}";
}

const std::string kRegisterA =
    ", register: [{service: users, id: a, address: 127.0.0.1, port: 9001, tags: [grpc], meta: {version: '2'}}]";

bool registered(const ConsulProtocolFake& fake, const std::string& id) { return fake.registrations().count(id) > 0; }

TEST(DiscoveryConsul, RegistersWithATtlCheckRefreshedWhileReadyAndDeregistersOnStop) {
  ConsulProtocolFake fake(ConsulProtocolFake::Options::requiring_token("t0k3n"));
  DiscoveryHost a(consul_config(fake, kRegisterA));
  ASSERT_TRUE(testing::eventually([&] { return registered(fake, "a"); })) << a.health();
  // The registration, field by field, as Consul's agent API documents it.
  json::object r = json::parse(fake.registrations().at("a")).as_object();
  EXPECT_EQ(r.at("ID").as_string(), "a");
  EXPECT_EQ(r.at("Name").as_string(), "users");
  EXPECT_EQ(r.at("Address").as_string(), "127.0.0.1");
  EXPECT_EQ(r.at("Port").as_int64(), 9001);
  EXPECT_EQ(r.at("Tags"), (json::array{"grpc"}));
  EXPECT_EQ(r.at("Meta"), (json::object{{"version", "2"}}));
  const json::object& check = r.at("Check").as_object();
  EXPECT_EQ(check.at("CheckID").as_string(), "service:a");
  EXPECT_EQ(check.at("TTL").as_string(), "2s");
  EXPECT_EQ(check.at("Status").as_string(), "passing");
  EXPECT_EQ(check.at("DeregisterCriticalServiceAfter").as_string(), "1s");
  // Refreshed every ttl/3 while the host is ready.
  ASSERT_TRUE(testing::eventually([&] { return fake.passes("service:a") >= 3; }, 10s)) << fake.passes("service:a");
  for (const auto& req : fake.requests()) EXPECT_EQ(req.token, "t0k3n") << req.path;
  EXPECT_NE(a.health().find("1 registered with the agent (TTL check 2s)"), std::string::npos) << a.health();
  a.stop();
  EXPECT_FALSE(registered(fake, "a")) << "deregistered when the plugin stopped";
}

TEST(DiscoveryConsul, ResolvesOnlyPassingInstancesAndFollowsChangesWithBlockingQueries) {
  ConsulProtocolFake fake;
  // Declared before the host: its watch writes into them until it stops.
  std::mutex mu;
  std::vector<std::vector<std::string>> seen;
  DiscoveryHost a(consul_config(fake, kRegisterA));
  DiscoveryHost observer(consul_config(fake));
  observer.client().watch({"users", {}, {}}, [&](const std::vector<discovery::Instance>& set) {
    std::lock_guard lock(mu);
    seen.push_back(ids(set));
  });
  auto latest = [&] {
    std::lock_guard lock(mu);
    return seen.empty() ? std::vector<std::string>{} : seen.back();
  };
  ASSERT_TRUE(testing::eventually([&] { return latest() == std::vector<std::string>{"a"}; })) << a.health();
  auto found = observer.client().resolve({"users", {"grpc"}, {{"version", "2"}}});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].port, 9001u);

  // A peer that registers and then dies: nobody refreshes its TTL check.
  plugins::consul::ClientSettings s;
  s.endpoints = {fake.address()};
  plugins::consul::Client peer(s);
  peer.put_path("/v1/agent/service/register",
                R"({"ID":"b","Name":"users","Port":9002,"Check":{"CheckID":"service:b","TTL":"1s","Status":"passing",)"
                R"("DeregisterCriticalServiceAfter":"1s"}})");
  ASSERT_TRUE(testing::eventually([&] { return latest() == std::vector<std::string>{"a", "b"}; }));
  EXPECT_EQ(observer.client().resolve({"users", {}, {}})[1].address, "127.0.0.1") << "the node's, having none";
  ASSERT_TRUE(testing::eventually([&] { return latest() == std::vector<std::string>{"a"}; }, 10s))
      << "critical: no longer passing";
  ASSERT_TRUE(testing::eventually([&] { return !registered(fake, "b"); }, 10s)) << "then deregistered by Consul";

  // Resolving is blocking queries on the passing instances.
  bool blocked = false;
  for (const auto& req : fake.requests()) {
    if (req.path != "/v1/health/service/users") continue;
    EXPECT_EQ(req.params.count("passing"), 1u);
    blocked = blocked || (req.params.count("index") == 1 && req.params.at("wait") == "5s");
  }
  EXPECT_TRUE(blocked);
}

TEST(DiscoveryConsul, AnAgentThatForgetsItsServicesGetsThemBackAndADrainWithdrawsThem) {
  ConsulProtocolFake fake;
  DiscoveryHost a(consul_config(fake, kRegisterA));
  ASSERT_TRUE(testing::eventually([&] { return registered(fake, "a"); }));
  // Registered and heartbeating: no registration of the start can still be in
  // flight and land after the restart (which would hide the agent's loss).
  auto passes = [&] {
    size_t n = 0;
    for (const auto& req : fake.requests()) n += req.path.starts_with("/v1/agent/check/pass/");
    return n;
  };
  ASSERT_TRUE(testing::eventually([&] { return passes() > 0; }, 10s));
  fake.restart_agent();
  ASSERT_FALSE(registered(fake, "a"));
  ASSERT_TRUE(testing::eventually([&] { return registered(fake, "a"); }, 10s)) << a.health();
  ASSERT_TRUE(testing::eventually([&] { return a.health().find("\"reregistrations\":1") != std::string::npos; }))
      << a.health();
  EXPECT_NE(a.host().metrics_text().find("discovery_reregistrations_total"), std::string::npos);

  a.host().drain();
  ASSERT_TRUE(testing::eventually([&] { return !registered(fake, "a"); })) << "withdrawn at the drain";
}

TEST(DiscoveryConsul, AnHttpCheckLetsConsulPollReadinessInsteadOfATtl) {
  ConsulProtocolFake fake;
  DiscoveryHost a(consul_config(fake, kRegisterA,
                                "http_check: 'http://127.0.0.1:8081/readyz', check_interval_s: 3, "
                                "deregister_critical_after_s: 90"));
  ASSERT_TRUE(testing::eventually([&] { return registered(fake, "a"); })) << a.health();
  json::object check = json::parse(fake.registrations().at("a")).as_object().at("Check").as_object();
  EXPECT_EQ(check.at("HTTP").as_string(), "http://127.0.0.1:8081/readyz");
  EXPECT_EQ(check.at("Interval").as_string(), "3s");
  EXPECT_EQ(check.at("DeregisterCriticalServiceAfter").as_string(), "90s");
  EXPECT_FALSE(check.contains("TTL"));
  EXPECT_EQ(fake.passes("service:a"), 0u) << "Consul polls; the plugin refreshes nothing";
}

TEST(DiscoveryConsul, EtcdsCredentialsAreRefusedNamingTheField) {
  ConsulProtocolFake fake;
  try {
    DiscoveryHost bad(consul_config(fake, ", username: root"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Consul takes an ACL token"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hyperion::discovery_test
