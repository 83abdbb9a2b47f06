// The http-client plugin in a real host, called through the http.client ABI
// (with the C++ helpers), against a real cpp-httplib server on loopback that
// injects faults.
#include <gtest/gtest.h>
#include <httplib.h>

#include <hyperion/services/http_client.hpp>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "app/host.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"
#include "support/test_certificates.h"
#include "support/test_support.h"

namespace hyperion::http_test {
namespace {

using Clock = std::chrono::steady_clock;

// A server whose routes misbehave on purpose; counts the calls to each path.
class FaultServer {
 public:
  explicit FaultServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : server_(std::move(server)) {
    auto& s = *server_;
    s.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.set_content("ok", "text/plain");
    });
    s.Get("/flaky", [this](const httplib::Request& req, httplib::Response& res) {
      if (count(req) <= flaky_failures.load()) res.status = 503;
      else res.set_content("recovered", "text/plain");
    });
    s.Get("/limited", [this](const httplib::Request& req, httplib::Response& res) {
      if (count(req) == 1) {
        res.status = 429;
        res.set_header("Retry-After", "1");
      } else {
        res.set_content("let in", "text/plain");
      }
    });
    s.Get("/always503", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.status = 503;
    });
    s.Post("/post503", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.status = 503;
    });
    s.Get("/hang", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      std::unique_lock lock(mu_);
      released_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return released_; });
      res.set_content("late", "text/plain");
    });
    s.Get("/big", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.set_content(std::string(64 * 1024, 'x'), "text/plain");
    });
    s.Get("/trace", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.set_content(req.get_header_value("traceparent"), "text/plain");
    });
    s.Get("/json", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.set_content(R"({"answer":42})", "application/json");
    });
    s.Post("/json", [this](const httplib::Request& req, httplib::Response& res) {
      count(req);
      res.set_content(R"({"got":)" + req.body + "}", "application/json");
    });
    port_ = s.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FaultServer() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
    server_->stop();
    thread_.join();
  }
  [[nodiscard]] std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  int calls(const std::string& path) {
    std::lock_guard lock(mu_);
    return calls_[path];
  }
  std::atomic<int> flaky_failures{2};

 private:
  int count(const httplib::Request& req) {
    std::lock_guard lock(mu_);
    return ++calls_[req.path];
  }
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::map<std::string, int> calls_;
};

// A host running the http-client plugin as instance "http" with `config`
// (YAML flow mapping), and a client of its service as a plugin would have.
class ClientHost {
 public:
  explicit ClientHost(const std::string& config) {
    manifest_ = "app: http\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\nplugins:\n" +
                "  - name: http\n    library: http-client\n    config: " + config + "\n";
    app::HostOptions options;
    options.plugin_path = {testing::example_plugin_dir()};
    auto host = app::Host::prepare(dir_.write("app.yaml", manifest_), options);
    if (!host.ok()) throw std::runtime_error(host.status().to_string());
    host_ = std::move(*host);
    if (auto s = host_->start(); !s.ok()) throw std::runtime_error(s.to_string());
    // The host API as a plugin sees it; the handle has no owning instance, so
    // it is released straight into the registry.
    api_ = *hostapi::host_api_table();
    api_.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
    auto* handle = host_->facilities().services.acquire(nullptr, "http", HYPERION_HTTP_CLIENT_API, 1);
    client_.emplace(ServiceHandle(&api_, handle));
  }
  ~ClientHost() {
    client_.reset();
    (void)host_->stop();
  }
  const http::Client& client() const { return *client_; }
  app::Host& host() { return *host_; }
  std::string reload(const std::string& config) {
    std::string text = manifest_.substr(0, manifest_.find("    config: ")) + "    config: " + config + "\n";
    return host_->reloads().reload({"test", "tester", text, std::nullopt}).summary();
  }
  std::string health() { return *host_->instance_health("http"); }

 private:
  testing::TempDir dir_;
  std::string manifest_;
  std::unique_ptr<app::Host> host_;
  hyperion_host_api_t api_{};
  std::optional<http::Client> client_;
};

const std::string kFast = "retry_wait_min: 1ms, retry_wait_max: 5ms";

Error error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  return Error(HYPERION_OK, "no error");
}

TEST(HttpClient, RetriesA503AndSucceeds) {
  FaultServer server;
  // The breaker would open on the failures below: this test is about retries.
  ClientHost h("{max_retries: 3, circuit_breaker: {enabled: false}, " + kFast + "}");
  http::client::Response r = h.client().get(server.url("/flaky"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "recovered");
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(server.calls("/flaky"), 3);
  // Out of retries, the last answer is the response.
  server.flaky_failures = 100;
  http::client::Response last = h.client().get(server.url("/flaky"));
  EXPECT_EQ(last.status, 503);
  EXPECT_EQ(last.attempts, 4u);
}

TEST(HttpClient, HonoursRetryAfter) {
  FaultServer server;
  ClientHost h("{" + kFast + "}");
  auto begin = Clock::now();
  http::client::Response r = h.client().get(server.url("/limited"));
  auto waited = Clock::now() - begin;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 2u);
  // Retry-After: 1 -> about a second, although the backoff alone is at most 5 ms.
  EXPECT_GE(waited, std::chrono::milliseconds(950));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(HttpClient, AServerThatNeverAnswersTimesOut) {
  FaultServer server;
  ClientHost h("{timeout: 300ms, " + kFast + "}");
  auto begin = Clock::now();
  Error e = error_of([&] { h.client().get(server.url("/hang")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_DEADLINE_EXCEEDED) << e.what();
  EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  EXPECT_LT(Clock::now() - begin, std::chrono::seconds(3));
}

TEST(HttpClient, ConnectionRefusedIsUnavailableAfterRetries) {
  int port = testing::free_loopback_port();
  ClientHost h("{max_retries: 2, " + kFast + "}");
  Error e = error_of([&] { h.client().get("http://127.0.0.1:" + std::to_string(port) + "/"); });
  EXPECT_EQ(e.code(), HYPERION_ERR_UNAVAILABLE) << e.what();
  EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port) + ": could not connect (refused or unreachable) (after 3 attempt(s))"),
            std::string::npos)
      << e.what();
}

TEST(HttpClient, PostIsRetriedOnlyWhenTheCallSaysItIsIdempotent) {
  FaultServer server;
  ClientHost h("{max_retries: 2, " + kFast + "}");
  http::client::Request post;
  post.method = "POST";
  post.url = server.url("/post503");
  post.body = "x";
  EXPECT_EQ(h.client().request(post).attempts, 1u);
  EXPECT_EQ(server.calls("/post503"), 1);
  post.idempotent = true;
  EXPECT_EQ(h.client().request(post).attempts, 3u);
  EXPECT_EQ(server.calls("/post503"), 4);
}

TEST(HttpClient, BreakerOpensFailsFastThenHalfOpensAndCloses) {
  FaultServer server;
  ClientHost h("{max_retries: 0, circuit_breaker: {failure_threshold: 3, interval: 60s, timeout: 300ms, max_requests: 1}}");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.client().get(server.url("/always503")).status, 503);
  Error e = error_of([&] { h.client().get(server.url("/ok")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_UNAVAILABLE);
  EXPECT_NE(std::string(e.what()).find("circuit breaker is open"), std::string::npos) << e.what();
  EXPECT_EQ(server.calls("/ok"), 0);  // failed fast: the server never saw it
  auto health = boost::json::parse(h.health()).as_object();
  EXPECT_EQ(health.at("status").as_string(), "degraded");
  EXPECT_NE(std::string(health.at("message").as_string()).find("circuit breaker open for 127.0.0.1:"), std::string::npos);
  // After the breaker's timeout one trial goes through; it succeeds and closes it.
  ASSERT_TRUE(testing::eventually([&] {
    try {
      return h.client().get(server.url("/ok")).status == 200;
    } catch (const Error&) {
      return false;
    }
  }));
  EXPECT_EQ(boost::json::parse(h.health()).at("status").as_string(), "healthy");
  EXPECT_NE(h.host().metrics_text().find("http_client_breaker_state{plugin_instance=\"http\",host=\"127.0.0.1:"),
            std::string::npos);
}

TEST(HttpClient, OversizedResponsesAreRefused) {
  FaultServer server;
  ClientHost h("{max_response_bytes: 1024}");
  Error e = error_of([&] { h.client().get(server.url("/big")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_FAILED_PRECONDITION);
  EXPECT_NE(std::string(e.what()).find("response larger than max_response_bytes (1024)"), std::string::npos) << e.what();
}

TEST(HttpClient, TraceparentIsPropagatedAsAChildSpan) {
  FaultServer server;
  ClientHost h("{}");
  http::client::Request r;
  r.url = server.url("/trace");
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string seen = h.client().request(r).body;
  ASSERT_EQ(seen.size(), 55u) << seen;
  EXPECT_EQ(seen.substr(0, 36), r.traceparent.substr(0, 36));
  EXPECT_NE(seen.substr(36, 16), r.traceparent.substr(36, 16));
  EXPECT_EQ(seen.substr(52), "-01");
  std::string fresh = h.client().get(server.url("/trace")).body;
  ASSERT_EQ(fresh.size(), 55u);
  EXPECT_NE(fresh.substr(3, 32), r.traceparent.substr(3, 32));
  // A new trace: version 00, lower-case hex ids, sampled.
  EXPECT_EQ(fresh.substr(0, 3), "00-");
  EXPECT_EQ(fresh.find_first_not_of("0123456789abcdef-"), std::string::npos) << fresh;
  EXPECT_EQ(fresh.substr(35, 1) + fresh.substr(52), "--01");
  // The caller's flags (here: not sampled) go on with its trace; an invalid
  // traceparent (upper-case hex) starts a new trace instead.
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
  seen = h.client().request(r).body;
  EXPECT_EQ(seen.substr(0, 36), r.traceparent.substr(0, 36));
  EXPECT_EQ(seen.substr(52), "-00");
  r.traceparent = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
  seen = h.client().request(r).body;
  ASSERT_EQ(seen.size(), 55u);
  EXPECT_NE(seen.substr(3, 32), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(seen.substr(52), "-01");
}

TEST(HttpClient, AsyncCallsCompleteOnTheClientsThreads) {
  FaultServer server;
  ClientHost h("{" + kFast + "}");
  std::vector<std::future<http::client::Result>> results;
  for (int i = 0; i < 8; ++i) {
    auto promise = std::make_shared<std::promise<http::client::Result>>();
    results.push_back(promise->get_future());
    http::client::Request r;
    r.url = server.url("/ok");
    h.client().request_async(r, [promise](http::client::Result result) { promise->set_value(std::move(result)); });
  }
  for (auto& f : results) {
    http::client::Result r = f.get();
    EXPECT_EQ(r.status, HYPERION_OK) << r.error;
    EXPECT_EQ(r.response.body, "ok");
  }
  EXPECT_EQ(server.calls("/ok"), 8);
}

TEST(HttpClient, JsonHelpers) {
  FaultServer server;
  ClientHost h("{" + kFast + "}");
  EXPECT_EQ(h.client().get_json(server.url("/json")).at("answer").as_int64(), 42);
  auto echoed = h.client().post_json(server.url("/json"), boost::json::object{{"name", "x"}});
  EXPECT_EQ(echoed.at("got").at("name").as_string(), "x");
  Error e = error_of([&] { h.client().get_json(server.url("/always503")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_FAILED_PRECONDITION);
}

TEST(HttpClient, BadRequestsAreRefusedWithTheReason) {
  ClientHost h("{}");
  Error url = error_of([&] { h.client().get("ftp://x/"); });
  EXPECT_EQ(url.code(), HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(url.what(), "url \"ftp://x/\" must start with http://, https://, discovery:// or discovery+https://");
  Error header = error_of([&] { h.client().get("http://127.0.0.1:1/", {{"X-Bad", "a\r\nInjected: 1"}}); });
  EXPECT_EQ(header.code(), HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(header.what(), "header \"X-Bad\" is not a valid HTTP header");
}

TEST(HttpClient, SettingsChangeLiveOnReload) {
  FaultServer server;
  ClientHost h("{max_retries: 0, " + kFast + "}");
  EXPECT_EQ(h.client().get(server.url("/flaky")).status, 503);
  ASSERT_EQ(h.reload("{max_retries: 3, " + kFast + "}").substr(0, 7), "applied");
  EXPECT_EQ(h.client().get(server.url("/flaky")).status, 200);
}

TEST(HttpClient, UnworkableSettingsFailWithTheFieldNamed) {
  EXPECT_THROW(
      {
        try {
          ClientHost h("{retry_wait_min: 2s, retry_wait_max: 1s}");
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("retry_wait_min: must not be longer than retry_wait_max"), std::string::npos)
              << e.what();
          throw;
        }
      },
      std::runtime_error);
  EXPECT_THROW(ClientHost("{timeout: 3 seconds}"), std::runtime_error);
}

class HttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::make_test_certificates(certs_.path());
    std::string d = certs_.path() + "/";
    server_.emplace(std::make_unique<httplib::SSLServer>((d + "server.pem").c_str(), (d + "server.key").c_str()));
  }
  testing::TempDir certs_;
  std::optional<FaultServer> server_;
};

TEST_F(HttpClientTls, VerifiesTheServerAgainstTheConfiguredCa) {
  ClientHost trusted("{tls: {ca_file: \"" + certs_.path() + "/ca.pem\"}}");
  http::client::Response r = trusted.client().get(server_->url("/ok", "https"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  ClientHost untrusted("{max_retries: 0}");
  Error e = error_of([&] { untrusted.client().get(server_->url("/ok", "https")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_UNAVAILABLE);
  EXPECT_NE(std::string(e.what()).find("TLS"), std::string::npos) << e.what();
  ClientHost insecure("{tls: {insecure_skip_verify: true}}");
  EXPECT_EQ(insecure.client().get(server_->url("/ok", "https")).status, 200);
}

// A server that requires a client certificate signed by the test CA.
TEST(HttpClientMutualTls, PresentsTheConfiguredClientCertificate) {
  testing::TempDir certs;
  testing::make_test_certificates(certs.path());
  std::string d = certs.path() + "/";
  FaultServer server(std::make_unique<httplib::SSLServer>((d + "server.pem").c_str(), (d + "server.key").c_str(),
                                                          (d + "ca.pem").c_str()));
  ClientHost with_cert("{max_retries: 0, tls: {ca_file: \"" + d + "ca.pem\", cert_file: \"" + d + "client.pem\", key_file: \"" +
                       d + "client.key\"}}");
  EXPECT_EQ(with_cert.client().get(server.url("/ok", "https")).body, "ok");
  ClientHost without("{max_retries: 0, tls: {ca_file: \"" + d + "ca.pem\"}}");
  Error e = error_of([&] { without.client().get(server.url("/ok", "https")); });
  EXPECT_EQ(e.code(), HYPERION_ERR_UNAVAILABLE) << e.what();
  EXPECT_EQ(server.calls("/ok"), 1);
}

}  // namespace
}  // namespace hyperion::http_test
