// The grpc-client plugin's policies against bare grpc++ servers on loopback:
// retries (only where allowed), the circuit breaker and its expected codes,
// balancing over fixed and discovered instances, an instance that dies, TLS
// and mTLS, live reconfiguration, health, and config errors that name the field.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "grpc-client/echo_server.h"
#include "grpc-client/grpc_client_host.h"
#include "support/test_certificates.h"

namespace hyperion::grpc_client_test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kFastRetry = "retry: {max_attempts: 3, initial_backoff_ms: 1, max_backoff_ms: 5}";

TEST(GrpcClientPolicy, AnIdempotentMethodIsRetriedAfterUnavailable) {
  EchoServer server("a");
  server.flaky_failures = 2;
  ClientHost h("{targets: {echo: {address: \"" + server.address() + "\", " + kFastRetry +
               ", methods: {/test.Echo/Flaky: {idempotent: true}}, circuit_breaker: {enabled: false}}}}");
  grpc::Reply r = h.client().unary("echo", "/test.Echo/Flaky", "");
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(server.calls("/test.Echo/Flaky"), 3);
  EXPECT_NE(
      h.host().metrics_text().find(
          R"(grpc_client_retries_total{plugin_instance="grpc",grpc_method="/test.Echo/Flaky",grpc_target="echo"} 2)"),
      std::string::npos)
      << h.host().metrics_text();
}

TEST(GrpcClientPolicy, AMethodNotMarkedIdempotentIsNotRetriedUnlessTheCallConsents) {
  EchoServer server("a");
  server.flaky_failures = 1;
  ClientHost h("{targets: {echo: {address: \"" + server.address() + "\", " + kFastRetry +
               ", circuit_breaker: {enabled: false}}}}");
  grpc::Reply r = h.client().unary("echo", "/test.Echo/Flaky", "");
  EXPECT_EQ(r.code, HYPERION_GRPC_UNAVAILABLE);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(server.calls("/test.Echo/Flaky"), 1);
  server.flaky_failures = 2;  // one more failure to come
  r = h.client().unary("echo", "/test.Echo/Flaky", "", grpc::CallOptions().with_idempotent(true));
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.attempts, 2u);
  // Codes not in retry.on are never retried.
  r = h.client().unary("echo", "/test.Echo/Fail", "13", grpc::CallOptions().with_idempotent(true));
  EXPECT_EQ(r.code, HYPERION_GRPC_INTERNAL);
  EXPECT_EQ(r.attempts, 1u);
}

TEST(GrpcClientPolicy, ACachedMethodIsAnsweredFromMemoryUntilItsTtlPasses) {
  EchoServer server("a");
  ClientHost h("{targets: {echo: {address: \"" + server.address() +
               "\", methods: {/test.Echo/Unary: {cache_ttl_ms: 300}}, cache_max_entries: 2}}}");
  auto call = [&](const std::string& request, const std::string& tenant = "1") {
    return h.client().unary("echo", "/test.Echo/Unary", request, grpc::CallOptions().with_metadata("x-tenant", tenant));
  };
  grpc::Reply first = call("apple");
  ASSERT_TRUE(first.ok()) << first.message;
  EXPECT_EQ(first.attempts, 1u);
  grpc::Reply again = call("apple");
  ASSERT_TRUE(again.ok()) << again.message;
  EXPECT_EQ(again.response, "apple");
  EXPECT_EQ(again.attempts, 0u);  // no RPC
  EXPECT_EQ(server.calls("/test.Echo/Unary"), 1);
  // Another request, or the same one with other metadata, is another answer.
  EXPECT_EQ(call("pear").attempts, 1u);
  EXPECT_EQ(call("apple", "2").attempts, 1u);
  const auto last_cached = Clock::now();
  EXPECT_EQ(server.calls("/test.Echo/Unary"), 3);
  // Methods without a ttl are never cached.
  EXPECT_EQ(h.client().unary("echo", "/test.Echo/Trace", "").attempts, 1u);
  EXPECT_EQ(h.client().unary("echo", "/test.Echo/Trace", "").attempts, 1u);
  const std::string metrics = h.host().metrics_text();
  EXPECT_NE(
      metrics.find(
          R"(grpc_client_cache_hits_total{plugin_instance="grpc",grpc_method="/test.Echo/Unary",grpc_target="echo"} 1)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(h.health().find("\"cached_answers\":2"), std::string::npos) << h.health();  // at cache_max_entries
  // Past the ttl the same call goes to the server again (the ttl is the
  // condition waited for, so this waits on the clock).
  std::this_thread::sleep_until(last_cached + 310ms);
  EXPECT_EQ(call("apple", "2").attempts, 1u);
}

TEST(GrpcClientPolicy, ErrorsAreNeverCached) {
  EchoServer server("a");
  ClientHost h("{targets: {echo: {address: \"" + server.address() +
               "\", methods: {/test.Echo/Fail: {cache_ttl_ms: 60000}}, circuit_breaker: {enabled: false}}}}");
  for (int i = 0; i < 3; ++i) {
    grpc::Reply r = h.client().unary("echo", "/test.Echo/Fail", "5");
    EXPECT_EQ(r.code, HYPERION_GRPC_NOT_FOUND);
    EXPECT_EQ(r.attempts, 1u);
  }
  EXPECT_EQ(server.calls("/test.Echo/Fail"), 3);
}

TEST(GrpcClientPolicy, TheBreakerOpensFailsFastGoesHalfOpenAndCloses) {
  EchoServer server("a");
  ClientHost h("{targets: {echo: {address: \"" + server.address() +
               "\", circuit_breaker: {failure_threshold: 3, timeout: 300ms}}}}");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(h.client().unary("echo", "/test.Echo/Fail", "14").code, HYPERION_GRPC_UNAVAILABLE);
  const int before = server.total_calls();
  grpc::Reply fast = h.client().unary("echo", "/test.Echo/Unary", "x");
  EXPECT_EQ(fast.code, HYPERION_GRPC_UNAVAILABLE);
  EXPECT_NE(fast.message.find("circuit breaker open for target echo"), std::string::npos) << fast.message;
  EXPECT_EQ(fast.attempts, 0u);
  EXPECT_EQ(server.total_calls(), before) << "an open breaker fails fast, without a call";
  EXPECT_NE(h.health().find("circuit breaker open for target echo"), std::string::npos) << h.health();
  // After its timeout one trial goes through; its success closes the breaker.
  ASSERT_TRUE(testing::eventually([&] { return h.client().unary("echo", "/test.Echo/Unary", "x").ok(); }, 5s));
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Unary", "x").ok());
  EXPECT_NE(h.health().find("\"healthy\""), std::string::npos) << h.health();
  // A failed trial while half-open opens it again.
  for (int i = 0; i < 3; ++i) (void)h.client().unary("echo", "/test.Echo/Fail", "14");
  ASSERT_TRUE(testing::eventually(
      [&] {
        grpc::Reply r = h.client().unary("echo", "/test.Echo/Fail", "14");
        return r.attempts == 1;  // the half-open trial reached the server
      },
      5s));
  EXPECT_EQ(h.client().unary("echo", "/test.Echo/Unary", "x").attempts, 0u) << "open again";
}

TEST(GrpcClientPolicy, ExpectedCodesNeverOpenTheBreaker) {
  EchoServer server("a");
  ClientHost h("{targets: {echo: {address: \"" + server.address() +
               "\", circuit_breaker: {failure_threshold: 2, expected_codes: [NOT_FOUND, ALREADY_EXISTS]}}}}");
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(h.client().unary("echo", "/test.Echo/Fail", "5").code, HYPERION_GRPC_NOT_FOUND);
  for (int i = 0; i < 10; ++i) (void)h.client().unary("echo", "/test.Echo/Fail", "6");
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Unary", "x").ok()) << "closed after 20 expected answers";
  // A code the list does not hold counts.
  for (int i = 0; i < 2; ++i) (void)h.client().unary("echo", "/test.Echo/Fail", "3");
  EXPECT_EQ(h.client().unary("echo", "/test.Echo/Unary", "x").attempts, 0u) << "INVALID_ARGUMENT is not in this list";
}

std::map<std::string, int> spread(const ClientHost& h, int calls) {
  std::map<std::string, int> out;
  for (int i = 0; i < calls; ++i) {
    grpc::Reply r = h.client().unary("echo", "/test.Echo/Unary", "x");
    ++out[r.ok() ? r.metadata("x-server") : "error: " + r.message];
  }
  return out;
}

TEST(GrpcClientPolicy, PoliciesSpreadCallsOverFixedAddresses) {
  EchoServer a("a"), b("b"), c("c");
  const std::string addresses = a.address() + "," + b.address() + "," + c.address();
  {
    ClientHost h("{targets: {echo: {address: \"" + addresses + "\"}}}");
    auto counts = spread(h, 30);
    std::cout << "round_robin over 3: a=" << counts["a"] << " b=" << counts["b"] << " c=" << counts["c"] << "\n";
    EXPECT_EQ(counts, (std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}}));
  }
  {
    ClientHost h("{targets: {echo: {address: \"" + addresses + "\", policy: pick_first}}}");
    EXPECT_EQ(spread(h, 10), (std::map<std::string, int>{{"a", 10}}));
  }
  {
    ClientHost h("{targets: {echo: {address: \"" + addresses + "\", policy: least_request}}}");
    auto counts = spread(h, 60);
    EXPECT_EQ(counts["a"] + counts["b"] + counts["c"], 60);
    EXPECT_GT(counts["a"], 0);
    EXPECT_GT(counts["b"], 0);
    EXPECT_GT(counts["c"], 0);
  }
}

TEST(GrpcClientPolicy, AnInstanceThatGoesAwayCostsNoFailedIdempotentCall) {
  EchoServer a("a"), b("b"), c("c");
  ClientHost h("{targets: {echo: {address: \"" + a.address() + "," + b.address() + "," + c.address() + "\", " +
               kFastRetry + ", methods: {/test.Echo/Unary: {idempotent: true}}}}}");
  EXPECT_EQ(spread(h, 30).size(), 3u);
  b.shutdown();
  auto counts = spread(h, 60);
  std::cout << "after b went away: a=" << counts["a"] << " c=" << counts["c"] << "\n";
  EXPECT_EQ(counts["a"] + counts["c"], 60) << "every call answered";
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts["a"], 10);
  EXPECT_GT(counts["c"], 10);
}

TEST(GrpcClientPolicy, DiscoveryTargetsFollowTheRegistryLive) {
  EchoServer a("a"), b("b"), c("c");
  auto instance = [](const EchoServer& s) {
    return "{service: echo, id: " + s.name() + ", address: 127.0.0.1, port: " + std::to_string(s.port()) + "}";
  };
  const std::string config = "{targets: {echo: {address: \"discovery:///echo\"}}}";
  ClientHost h(config, "{static: [" + instance(a) + ", " + instance(b) + "]}");
  ASSERT_TRUE(testing::eventually([&] { return h.client().unary("echo", "/test.Echo/Unary", "x").ok(); }));
  EXPECT_EQ(spread(h, 20), (std::map<std::string, int>{{"a", 10}, {"b", 10}}));
  // A third instance registered: it gets calls without the client reloading.
  EXPECT_NE(
      h.reload(config, "{static: [" + instance(a) + ", " + instance(b) + ", " + instance(c) + "]}").find("applied"),
      std::string::npos);
  ASSERT_TRUE(testing::eventually([&] { return spread(h, 3).size() == 3; }));
  auto counts = spread(h, 30);
  std::cout << "discovery:///echo over 3: a=" << counts["a"] << " b=" << counts["b"] << " c=" << counts["c"] << "\n";
  EXPECT_EQ(counts, (std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}}));
  EXPECT_NE(h.health().find(R"("instances":3)"), std::string::npos) << h.health();
}

TEST(GrpcClientPolicy, ADiscoveryTargetWithoutTheDiscoveryPluginIsRefusedNamingIt) {
  const std::string error = start_error("{targets: {users: {address: \"discovery:///users\"}}}");
  EXPECT_NE(error.find("targets.users.address"), std::string::npos) << error;
  EXPECT_NE(error.find("add the discovery plugin"), std::string::npos) << error;
}

TEST(GrpcClientPolicy, TlsAndMutualTls) {
  testing::TempDir dir;
  testing::make_test_certificates(dir.path());
  const std::string d = dir.path() + "/";
  EchoTls tls{d + "server.pem", d + "server.key", ""};
  EchoServer server("tls", 0, &tls);
  {
    ClientHost h("{targets: {echo: {address: \"" + server.address() + "\", tls: {ca_file: \"" + d + "ca.pem\"}}}}");
    grpc::Reply r = h.client().unary("echo", "/test.Echo/Unary", "secret");
    EXPECT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.response, "secret");
  }
  {
    // Not trusting the server's CA: no call gets through.
    ClientHost h("{targets: {echo: {address: \"" + server.address() + "\", tls: {}}}}");
    EXPECT_EQ(h.client().unary("echo", "/test.Echo/Unary", "x").code, HYPERION_GRPC_UNAVAILABLE);
  }
  EchoTls mutual{d + "server.pem", d + "server.key", d + "ca.pem"};
  EchoServer strict("mtls", 0, &mutual);
  {
    ClientHost h("{targets: {echo: {address: \"" + strict.address() + "\", tls: {ca_file: \"" + d + "ca.pem\"}}}}");
    EXPECT_EQ(h.client().unary("echo", "/test.Echo/Unary", "x").code, HYPERION_GRPC_UNAVAILABLE)
        << "no client certificate";
  }
  {
    ClientHost h("{targets: {echo: {address: \"" + strict.address() + "\", tls: {ca_file: \"" + d +
                 "ca.pem\", cert_file: \"" + d + "client.pem\", key_file: \"" + d + "client.key\"}}}}");
    grpc::Reply r = h.client().unary("echo", "/test.Echo/Unary", "x");
    EXPECT_TRUE(r.ok()) << r.message;
  }
  const std::string error = start_error("{targets: {echo: {address: \"" + strict.address() + "\", tls: {ca_file: \"" +
                                        d + "missing.pem\"}}}}");
  EXPECT_NE(error.find("targets.echo.tls.ca_file"), std::string::npos) << error;
}

TEST(GrpcClientPolicy, AReconfiguredTargetSwitchesWhileCallsInFlightFinish) {
  EchoServer a("a"), b("b");
  auto config = [](const EchoServer& s) { return "{targets: {echo: {address: \"" + s.address() + "\"}}}"; };
  ClientHost h(config(a));
  EXPECT_EQ(spread(h, 3), (std::map<std::string, int>{{"a", 3}}));
  std::promise<grpc::Reply> slow;
  h.client().unary_async("echo", "/test.Echo/Sleep", "400", {}, [&](grpc::Reply r) { slow.set_value(std::move(r)); });
  ASSERT_TRUE(testing::eventually([&] { return a.calls("/test.Echo/Sleep") == 1; }));
  EXPECT_NE(h.reload(config(b)).find("applied"), std::string::npos);
  EXPECT_EQ(spread(h, 3), (std::map<std::string, int>{{"b", 3}})) << "new calls go to the new address";
  auto f = slow.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(f.get().ok()) << "the call in flight finished on the old channel";
  // A reload that changes nothing of a target keeps its channel and breaker.
  EXPECT_NE(h.reload("{slow_call: 2s, targets: {echo: {address: \"" + b.address() + "\"}}}").find("applied"),
            std::string::npos);
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Unary", "x").ok());
}

TEST(GrpcClientPolicy, BadConfigsAreRefusedNamingTheField) {
  struct Case {
    std::string config;
    std::string names;
  };
  for (const Case& c : std::vector<Case>{
           {"{targets: {users: {address: \"nohost\"}}}", "targets.users.address"},
           {"{targets: {users: {address: \"127.0.0.1:0\"}}}", "no valid port"},
           {"{targets: {users: {address: \"discovery:///\"}}}", "discovery:///<service>"},
           {"{targets: {users: {address: \"a:1\", retry: {on: [UNAVAILABLE, NOPE]}}}}", "targets.users.retry.on"},
           {"{targets: {users: {address: \"a:1\", circuit_breaker: {expected_codes: [nope]}}}}",
            "targets.users.circuit_breaker.expected_codes"},
           {"{targets: {users: {address: \"a:1\", retry: {initial_backoff_ms: 10, max_backoff_ms: 1}}}}",
            "targets.users.retry.initial_backoff_ms"},
           {"{targets: {users: {address: \"a:1\", methods: {Get: {}}}}}", "targets.users.methods"},
           {"{targets: {users: {address: \"a:1\", tls: {cert_file: c.pem}}}}", "targets.users.tls.cert_file"},
           {"{targets: {users: {address: \"a:1\", policy: random}}}", "config.targets.users.policy"},
           {"{targets: {users: {}}}", "address"},
       }) {
    const std::string error = start_error(c.config);
    EXPECT_NE(error.find(c.names), std::string::npos) << c.config << " -> " << error;
  }
}

TEST(GrpcClientPolicy, HealthIsDegradedWhileARequiredTargetHasNoInstance) {
  EchoServer a("a");
  ClientHost h("{targets: {echo: {address: \"" + a.address() +
                   "\"}, spare: {address: \"discovery:///spare\", required: false},"
                   " orders: {address: \"discovery:///orders\"}}}",
               "{static: []}");
  const std::string health = h.health();
  EXPECT_NE(health.find("degraded"), std::string::npos) << health;
  EXPECT_NE(health.find("target orders has no instance"), std::string::npos) << health;
  EXPECT_EQ(health.find("target spare has"), std::string::npos) << health;
  grpc::Reply r = h.client().unary("orders", "/test.Echo/Unary", "x");
  EXPECT_EQ(r.code, HYPERION_GRPC_UNAVAILABLE);
  EXPECT_NE(r.message.find("no instance of discovery:///orders"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace hyperion::grpc_client_test
