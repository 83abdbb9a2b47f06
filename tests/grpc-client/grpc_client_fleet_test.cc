// The grpc-client plugin over a fleet: Hyperion greeter hosts (grpc-server +
// the greeter example), each a separate `hyperion run` process registering in
// a real etcd through the discovery plugin; the client in this process
// follows discovery:///greeter. Calls spread round-robin; a host SIGKILLed
// mid-run costs no failed call (retries go to the others); a fourth host
// started gets calls without any reload; the four call kinds work against a
// real Hyperion server.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "grpc-client/grpc_client_host.h"
#include "hello/greeter.pb.h"
#include "support/etcd_server.h"

namespace hyperion::grpc_client_test {
namespace {

using namespace std::chrono_literals;
using testing::EtcdServer;

#define REQUIRE_ETCD() \
  if (!EtcdServer::available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)"

// `hyperion run` with grpc-server on a free port, the greeter, and the
// discovery plugin registering greeter/<id> on `etcd` with a 2-second ttl.
class GreeterHost {
 public:
  GreeterHost(const EtcdServer& etcd, const std::string& id) : port_(testing::free_loopback_port()) {
    const std::string manifest =
        "app: " + id + "\nhost:\n  state_dir: " + dir_.path() +
        "/state\n  log_level: info\n  admin: {enabled: false}\nplugins:\n" +
        "  - name: registry\n    library: discovery\n    config:\n      backend: etcd\n      endpoints: [" +
        etcd.endpoint() + "]\n      ttl_s: 2\n      retry: {initial_ms: 100, max_ms: 500}\n" +
        "      register: [{service: greeter, id: " + id + ", address: 127.0.0.1, port: " + std::to_string(port_) +
        "}]\n  - name: grpc\n    library: grpc-server\n    config: {listen: \"" + address() + "\"}\n" +
        "  - name: greeter\n    library: greeter\n    config: {greeting: Hello}\n";
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::hyperion_binary(), "run", dir_.write("app.yaml", manifest), "--plugin-path",
                                 testing::example_plugin_dir()});
    if (!process_->wait_for_stderr("publishing 1 instance(s)", 30s)) throw std::runtime_error(id + " did not start");
  }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  testing::ChildProcess& process() { return *process_; }

 private:
  testing::TempDir dir_;
  int port_;
  std::unique_ptr<testing::ChildProcess> process_;
};

std::string discovery_config(const EtcdServer& etcd) {
  return "{backend: etcd, endpoints: [" + etcd.endpoint() + "], retry: {initial_ms: 100, max_ms: 500}}";
}

const std::string kClient =
    "{targets: {greeter: {address: \"discovery:///greeter\", deadline_ms: 2000,"
    " retry: {max_attempts: 3, initial_backoff_ms: 10, max_backoff_ms: 100},"
    " methods: {/hello.Greeter/SayHello: {idempotent: true}}, circuit_breaker: {enabled: false}}}}";

hello::HelloRequest named(const std::string& name) {
  hello::HelloRequest r;
  r.set_name(name);
  return r;
}

TEST(GrpcClientFleet, CallsSpreadOverDiscoveredHostsAndSurviveAKill) {
  REQUIRE_ETCD();
  EtcdServer etcd;
  GreeterHost a(etcd, "a"), b(etcd, "b"), c(etcd, "c");
  ClientHost h(kClient, discovery_config(etcd));
  ASSERT_TRUE(testing::eventually([&] { return h.health().find(R"("instances":3)") != std::string::npos; }, 15s))
      << h.health();

  std::map<std::string, int> before;
  for (int i = 0; i < 90; ++i) {
    grpc::Reply r = h.client().unary("greeter", "/hello.Greeter/SayHello", named("x").SerializeAsString());
    ASSERT_TRUE(r.ok()) << r.message;
    ++before[r.peer];
  }
  std::cout << "3 hosts, 90 calls:";
  for (const auto& [peer, n] : before) std::cout << " " << peer << "=" << n;
  std::cout << "\n";
  EXPECT_EQ(before, (std::map<std::string, int>{{a.address(), 30}, {b.address(), 30}, {c.address(), 30}}));

  // Two callers keep calling while b is killed: no call may fail.
  std::atomic<bool> running{true};
  std::atomic<int> calls{0}, failed{0}, retried{0};
  std::mutex mu;
  std::map<std::string, int> during;
  std::string first_failure;
  int64_t slowest_ms = 0;
  std::vector<std::thread> callers;
  // However the test ends, the callers stop first.
  struct StopCallers {
    std::atomic<bool>& running;
    std::vector<std::thread>& threads;
    ~StopCallers() {
      running = false;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } stop_callers{running, callers};
  for (int t = 0; t < 2; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 100000 && running; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        grpc::Reply r = h.client().unary("greeter", "/hello.Greeter/SayHello", named("y").SerializeAsString());
        const int64_t ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        ++calls;
        if (r.attempts > 1) ++retried;
        std::lock_guard lock(mu);
        slowest_ms = std::max(slowest_ms, ms);
        if (!r.ok()) {
          ++failed;
          if (first_failure.empty()) first_failure = r.message;
        } else {
          ++during[r.peer];
        }
      }
    });
  }
  ASSERT_TRUE(testing::eventually([&] { return calls >= 100; }));
  b.process().signal(SIGKILL);
  const int at_kill = calls;
  // Until etcd lets b's lease go (2 s) and a while after.
  ASSERT_TRUE(testing::eventually([&] { return h.health().find(R"("instances":2)") != std::string::npos; }, 15s))
      << h.health();
  const int at_removal = calls;
  ASSERT_TRUE(testing::eventually([&] { return calls >= at_removal + 200; }));
  running = false;
  for (auto& t : callers) t.join();
  std::cout << "calls while b was killed: " << calls << " (" << at_kill << " before the kill, " << retried
            << " needed a retry), failed: " << failed << ", slowest call: " << slowest_ms << " ms\n";
  EXPECT_EQ(failed, 0) << first_failure;

  // A fourth host registers: it gets calls, no reload.
  GreeterHost d(etcd, "d");
  ASSERT_TRUE(testing::eventually([&] { return h.health().find(R"("instances":3)") != std::string::npos; }, 15s))
      << h.health();
  std::map<std::string, int> after;
  for (int i = 0; i < 60; ++i) {
    grpc::Reply r = h.client().unary("greeter", "/hello.Greeter/SayHello", named("z").SerializeAsString());
    ASSERT_TRUE(r.ok()) << r.message;
    ++after[r.peer];
  }
  std::cout << "after d joined:";
  for (const auto& [peer, n] : after) std::cout << " " << peer << "=" << n;
  std::cout << "\n";
  EXPECT_EQ(after, (std::map<std::string, int>{{a.address(), 20}, {c.address(), 20}, {d.address(), 20}}));
}

TEST(GrpcClientFleet, TheFourCallKindsAgainstAHyperionGreeter) {
  REQUIRE_ETCD();
  EtcdServer etcd;
  GreeterHost a(etcd, "a");
  ClientHost h("{targets: {greeter: {address: \"" + a.address() + "\"}}}");
  auto reply = h.client().call<hello::HelloReply>("greeter", "/hello.Greeter/SayHello", named("Ada"));
  EXPECT_EQ(reply.message(), "Hello, Ada!");

  std::vector<std::string> parts;
  hello::HelloRequest three = named("Bo");
  three.set_count(3);
  grpc::Reply end =
      h.client().server_stream("greeter", "/hello.Greeter/SayHelloStream", three.SerializeAsString(), parts);
  EXPECT_TRUE(end.ok()) << end.message;
  EXPECT_EQ(parts.size(), 3u);
  for (const auto& p : parts) {
    hello::HelloReply r;
    ASSERT_TRUE(r.ParseFromString(p));
    EXPECT_NE(r.message().find("Bo"), std::string::npos) << r.message();
  }

  std::string collected;
  auto collect =
      h.client().open_stream("greeter", "/hello.Greeter/CollectHellos", {}, [&](std::string_view m) { collected = m; });
  for (const char* n : {"x", "y", "z"}) ASSERT_TRUE(collect->write(named(n).SerializeAsString()));
  collect->close_send();
  EXPECT_TRUE(collect->wait().ok());
  hello::HelloReply all;
  ASSERT_TRUE(all.ParseFromString(collected));
  EXPECT_NE(all.message().find("x"), std::string::npos) << all.message();
  EXPECT_NE(all.message().find("z"), std::string::npos) << all.message();

  std::mutex mu;
  std::vector<std::string> chat;
  auto talk = h.client().open_stream("greeter", "/hello.Greeter/Chat", {}, [&](std::string_view m) {
    hello::HelloReply r;
    r.ParseFromString(std::string(m));
    std::lock_guard lock(mu);
    chat.push_back(r.message());
  });
  for (const char* n : {"p", "q"}) ASSERT_TRUE(talk->write(named(n).SerializeAsString()));
  talk->close_send();
  EXPECT_TRUE(talk->wait().ok());
  std::lock_guard lock(mu);
  ASSERT_EQ(chat.size(), 2u);
  EXPECT_NE(chat[0].find("p"), std::string::npos) << chat[0];
}

}  // namespace
}  // namespace hyperion::grpc_client_test
