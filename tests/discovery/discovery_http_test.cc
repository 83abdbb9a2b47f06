// discovery:// URLs in the http-client: three real HTTP servers on loopback
// registered as one service (static discovery), called through http.client as
// a plugin would. Each policy's spread (printed), a server killed mid-run
// (no failed call: retries go to another pick, and the dead one is ejected),
// least_outstanding against a slow server, and the URL without discovery.
#include <gtest/gtest.h>
#include <httplib.h>

#include <hyperion/services/http_client.hpp>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "app/host.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"
#include "support/test_support.h"

namespace hyperion::discovery_test {
namespace {

using namespace std::chrono_literals;

// A loopback HTTP server answering GET /who with its name, after `delay`.
class Backend {
 public:
  explicit Backend(std::string name) : name_(std::move(name)) {
    server_.set_tcp_nodelay(true);      // else Nagle holds the body behind the headers: ~40 ms a call
    server_.set_keep_alive_timeout(1);  // kill() waits for idle keep-alive connections this long
    server_.Get("/who", [this](const httplib::Request&, httplib::Response& res) {
      ++calls_;
      if (delay_.load().count() > 0) std::this_thread::sleep_for(delay_.load());
      res.set_content(name_, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    testing::eventually([&] { return server_.is_running(); });
  }
  ~Backend() { kill(); }
  void kill() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int calls() const { return calls_; }
  void slow_down(std::chrono::milliseconds d) { delay_ = d; }

 private:
  std::string name_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> calls_{0};
  std::atomic<std::chrono::milliseconds> delay_{0ms};
};

// A host with discovery (the three backends as "users") and http-client.
class BalancedHost {
 public:
  BalancedHost(const std::vector<Backend*>& backends, const std::string& policy, bool with_discovery = true) {
    std::string statics;
    for (size_t i = 0; i < backends.size(); ++i) {
      statics += std::string(i ? ", " : "") + "{service: users, id: b" + std::to_string(i + 1) +
                 ", address: 127.0.0.1, port: " + std::to_string(backends[i]->port()) + "}";
    }
    std::string manifest =
        "app: balanced\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\nplugins:\n";
    if (with_discovery) {
      manifest += "  - name: registry\n    library: discovery\n    config: {static: [" + statics +
                  "], balance: {policy: " + policy +
                  "}, outlier: {consecutive_failures: 2, base_ejection_ms: 60000}}\n";
    }
    manifest +=
        "  - name: http\n    library: http-client\n    config: {max_retries: 3, retry_wait_min: 1ms, "
        "retry_wait_max: 5ms, workers: 8}\n";
    app::HostOptions options;
    options.plugin_path = {testing::example_plugin_dir()};
    auto host = app::Host::prepare(dir_.write("app.yaml", manifest), options);
    if (!host.ok()) throw std::runtime_error(host.status().to_string());
    host_ = std::move(*host);
    if (auto s = host_->start(); !s.ok()) throw std::runtime_error(s.to_string());
    api_ = *hostapi::host_api_table();
    api_.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
    client_.emplace(
        ServiceHandle(&api_, host_->facilities().services.acquire(nullptr, "http", HYPERION_HTTP_CLIENT_API, 1)));
  }
  ~BalancedHost() {
    client_.reset();
    (void)host_->stop();
  }
  const http::Client& http() const { return *client_; }
  std::string registry_health() { return *host_->instance_health("registry"); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<app::Host> host_;
  hyperion_host_api_t api_{};
  std::optional<http::Client> client_;
};

std::map<std::string, int> spread(const BalancedHost& h, int calls, int* failed = nullptr,
                                  const std::function<void(int)>& at_call = {}) {
  std::map<std::string, int> count;
  for (int i = 0; i < calls; ++i) {
    if (at_call) at_call(i);
    try {
      http::client::Response r = h.http().get("discovery://users/who");
      ++count[r.body];
    } catch (const Error& e) {
      if (failed != nullptr) ++*failed;
      ADD_FAILURE() << "call " << i << " failed: " << e.what();
    }
  }
  return count;
}

std::string printed(const std::map<std::string, int>& count) {
  std::string out;
  for (const auto& [name, n] : count) out += name + "=" + std::to_string(n) + " ";
  return out;
}

TEST(DiscoveryHttp, EachPolicySpreadsCallsOverTheInstances) {
  Backend b1("b1"), b2("b2"), b3("b3");
  for (const std::string policy : {"round_robin", "random", "least_outstanding"}) {
    BalancedHost h({&b1, &b2, &b3}, policy);
    auto count = spread(h, 300);
    std::printf("%-17s 300 calls: %s\n", policy.c_str(), printed(count).c_str());
    ASSERT_EQ(count.size(), 3u) << policy << ": " << printed(count);
    if (policy == "round_robin") {
      EXPECT_EQ(count, (std::map<std::string, int>{{"b1", 100}, {"b2", 100}, {"b3", 100}}));
    }
    for (const auto& [name, n] : count) EXPECT_GT(n, 50) << policy << ": " << printed(count);
  }
}

TEST(DiscoveryHttp, AServerKilledMidRunCostsNoFailedCall) {
  Backend b1("b1"), b2("b2"), b3("b3");
  BalancedHost h({&b1, &b2, &b3}, "round_robin");
  int failed = 0;
  auto count = spread(h, 300, &failed, [&](int i) {
    if (i == 100) b2.kill();
  });
  std::printf("round_robin, b2 killed after 100 calls: %s\n", printed(count).c_str());
  EXPECT_EQ(failed, 0) << "every call that met the dead server was retried on another instance";
  EXPECT_EQ(count["b1"] + count["b2"] + count["b3"], 300);
  EXPECT_LE(count["b2"], 34) << "b2 took its share of the first 100 calls only";
  EXPECT_NE(h.registry_health().find("\"ejected\":1"), std::string::npos)
      << "two failures in a row ejected it: " << h.registry_health();
}

TEST(DiscoveryHttp, LeastOutstandingSendsFewerCallsToASlowInstance) {
  Backend b1("b1"), b2("b2"), b3("b3");
  b3.slow_down(100ms);
  std::map<std::string, std::map<std::string, int>> by_policy;
  for (const std::string policy : {"round_robin", "least_outstanding"}) {
    BalancedHost h({&b1, &b2, &b3}, policy);
    std::mutex mu;
    std::map<std::string, int> count;
    std::vector<std::future<void>> callers;
    for (int c = 0; c < 6; ++c) {
      callers.push_back(std::async(std::launch::async, [&] {
        for (int i = 0; i < 20; ++i) {
          http::client::Response r = h.http().get("discovery://users/who");
          std::lock_guard lock(mu);
          ++count[r.body];
        }
      }));
    }
    for (auto& f : callers) f.get();
    std::printf("%-17s 6 callers x 20, b3 100 ms slower: %s\n", policy.c_str(), printed(count).c_str());
    by_policy[policy] = count;
  }
  EXPECT_GE(by_policy["round_robin"]["b3"], 35) << "round robin gives the slow one its third";
  EXPECT_LT(by_policy["least_outstanding"]["b3"], by_policy["round_robin"]["b3"] / 2)
      << "least_outstanding sends it far fewer";
}

TEST(DiscoveryHttp, WithoutDiscoveryADiscoveryUrlIsAnErrorNamingTheService) {
  Backend b1("b1");
  BalancedHost h({&b1}, "round_robin", false);
  EXPECT_EQ(h.http().get("http://127.0.0.1:" + std::to_string(b1.port()) + "/who").body, "b1") << "plain URLs work";
  try {
    (void)h.http().get("discovery://users/who");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_FAILED_PRECONDITION);
    EXPECT_NE(std::string(e.what()).find("discovery://users: no instance provides the discovery service"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hyperion::discovery_test
