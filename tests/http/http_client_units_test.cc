// The http-client plugin's pieces without a network: breaker, backoff,
// Retry-After, URLs, durations; the connection pool against a loopback server.
#include <gtest/gtest.h>
#include <httplib.h>

#include <future>
#include <thread>

#include <boost/json.hpp>

#include "backoff.h"
#include "call_executor.h"
#include "circuit_breaker.h"
#include "client_settings.h"
#include "connection_pool.h"
#include "retry_policy.h"
#include "target_cache.h"

namespace hyperion::plugins::http_client {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(CircuitBreaker, OpensAfterThresholdWithinIntervalThenHalfOpensAndCloses) {
  BreakerSettings s;
  s.failure_threshold = 3;
  s.interval = 10s;
  s.timeout = 1s;
  s.max_requests = 2;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.allow(s, t));
    b.record(s, false, t);
  }
  EXPECT_EQ(b.state(s, t), CircuitBreaker::State::kClosed);
  ASSERT_TRUE(b.allow(s, t));
  b.record(s, false, t);
  EXPECT_EQ(b.state(s, t), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow(s, t + 999ms));  // fails fast while open
  // After the timeout: half-open, max_requests (2) trials, no more.
  EXPECT_TRUE(b.allow(s, t + 1s));
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kHalfOpen);
  EXPECT_TRUE(b.allow(s, t + 1s));
  EXPECT_FALSE(b.allow(s, t + 1s));
  b.record(s, true, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kHalfOpen);
  b.record(s, true, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kClosed);
}

TEST(CircuitBreaker, AFailedTrialOpensItAgain) {
  BreakerSettings s;
  s.failure_threshold = 1;
  s.timeout = 1s;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  b.allow(s, t);
  b.record(s, false, t);
  ASSERT_TRUE(b.allow(s, t + 1s));
  b.record(s, false, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow(s, t + 1500ms));  // a new full timeout from the failed trial
  EXPECT_TRUE(b.allow(s, t + 2s));
}

TEST(CircuitBreaker, FailuresInOldWindowsDoNotCount) {
  BreakerSettings s;
  s.failure_threshold = 2;
  s.interval = 1s;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  b.allow(s, t);
  b.record(s, false, t);
  b.allow(s, t + 1500ms);
  b.record(s, false, t + 1500ms);  // the first failure's window is over
  EXPECT_EQ(b.state(s, t + 1500ms), CircuitBreaker::State::kClosed);
  s.enabled = false;
  for (int i = 0; i < 10; ++i) b.record(s, false, t + 1500ms);
  EXPECT_TRUE(b.allow(s, t + 1500ms));
}

TEST(RetryPolicy, BackoffGrowsWithFullJitterInsideTheBounds) {
  std::mt19937_64 rng(7);
  for (int retry = 0; retry < 12; ++retry) {
    for (int i = 0; i < 200; ++i) {
      Millis d = backoff(retry, 100ms, 2s, rng);
      EXPECT_GE(d, 100ms);
      EXPECT_LE(d, std::min<Millis>(2s, Millis(100 << std::min(retry, 10))));
    }
  }
  EXPECT_EQ(backoff(3, 50ms, 50ms, rng), 50ms);
}

TEST(RetryPolicy, WhatIsRetried) {
  EXPECT_TRUE(retryable_status(503));
  EXPECT_TRUE(retryable_status(429));
  EXPECT_TRUE(retryable_status(500));
  EXPECT_FALSE(retryable_status(501));
  EXPECT_FALSE(retryable_status(404));
  EXPECT_TRUE(idempotent_method("GET"));
  EXPECT_TRUE(idempotent_method("PUT"));
  EXPECT_FALSE(idempotent_method("POST"));
  EXPECT_FALSE(idempotent_method("PATCH"));
}

TEST(RetryPolicy, RetryAfterSecondsOrHttpDate) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("3", now), Millis(3000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Millis(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), Millis(10000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Millis(0));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

TEST(Urls, ParsedOrRefusedWithTheReason) {
  ParsedUrl u;
  std::string error;
  ASSERT_TRUE(parse_url("http://127.0.0.1:8500/v1/kv/app?recurse", u, error));
  EXPECT_EQ(u.origin.key(), "http://127.0.0.1:8500");
  EXPECT_EQ(u.path, "/v1/kv/app?recurse");
  ASSERT_TRUE(parse_url("https://example.com", u, error));
  EXPECT_EQ(u.origin.port, 443);
  EXPECT_EQ(u.path, "/");
  ASSERT_TRUE(parse_url("http://[::1]:9/x", u, error));
  EXPECT_EQ(u.origin.host, "::1");
  EXPECT_EQ(u.origin.port, 9);
  ASSERT_TRUE(parse_url("http://h?q=1", u, error));
  EXPECT_EQ(u.path, "/?q=1");
  EXPECT_FALSE(parse_url("ftp://h/", u, error));
  EXPECT_EQ(error, "url \"ftp://h/\" must start with http://, https://, discovery:// or discovery+https://");
  EXPECT_FALSE(parse_url("http://h:99999/", u, error));
  EXPECT_FALSE(parse_url("http://:80/", u, error));
  EXPECT_FALSE(parse_url("http://user:pw@h/", u, error));

  ParsedUrl d;
  ASSERT_TRUE(parse_url("discovery://users/api/v1/users/7?x=1", d, error)) << error;
  EXPECT_EQ(d.service, "users");
  EXPECT_EQ(d.path, "/api/v1/users/7?x=1");
  EXPECT_FALSE(d.origin.https);
  ASSERT_TRUE(parse_url("discovery+https://users", d, error)) << error;
  EXPECT_TRUE(d.origin.https);
  EXPECT_EQ(d.path, "/");
  EXPECT_FALSE(parse_url("discovery://users:8080/x", d, error));
  EXPECT_EQ(error,
            "url \"discovery://users:8080/x\": discovery:// names a service (discovery://users/path), not a host");
}

TEST(HostLabels, AQuoteInAHostNameStaysInsideItsLabel) {
  // #24: labels were concatenated by hand; a registry may hand out any address.
  HostState hs("we\"ird\\host:80");
  boost::json::value parsed = boost::json::parse(hs.host_label);
  EXPECT_EQ(parsed.at("host").as_string(), "we\"ird\\host:80");
  EXPECT_EQ(hyperion::labels({{"a", "1"}, {"b", "x\"y"}}), R"({"a":"1","b":"x\"y"})");
}

TEST(Durations, Units) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("3s"), Millis(3000));
  EXPECT_EQ(parse_duration("2m"), Millis(120000));
  EXPECT_EQ(parse_duration("1h"), Millis(3600000));
  EXPECT_THROW(parse_duration("3"), std::invalid_argument);
  EXPECT_THROW(parse_duration("s"), std::invalid_argument);
  EXPECT_THROW(parse_duration("3d"), std::invalid_argument);
}

// A local server answering "ok" on "/", listening until the end of the scope
// (close the clients first, or it waits out their keep-alive).
class OkServer {
 public:
  OkServer() {
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~OkServer() {
    server_.stop();
    listener_.join();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread listener_;
};

TEST(ConnectionPool, AThreadGetsBackTheConnectionItUsedLast) {
  OkServer server;
  ConnectionPool pool;
  ParsedUrl url;
  std::string error;
  ASSERT_TRUE(parse_url(server.url(), url, error)) << error;
  TlsSettings tls;
  const std::string key = url.origin.key();
  auto open_client = [&] {
    auto c = pool.take(key, url.origin, tls);
    EXPECT_TRUE(c->Get("/")) << "the test server did not answer";
    return c;
  };

  // This thread and a worker each use a connection; the worker gives its back
  // first, so this thread's is on top of the idle stack. Then each takes one.
  auto mine = open_client();
  httplib::ClientImpl* mine_ptr = mine.get();
  std::promise<httplib::ClientImpl*> worker_gave_back;
  std::promise<void> main_gave_back;
  httplib::ClientImpl* worker_took = nullptr;
  std::thread worker([&] {
    auto c = open_client();
    httplib::ClientImpl* ptr = c.get();
    pool.give_back(key, tls, std::move(c), 8);
    worker_gave_back.set_value(ptr);
    main_gave_back.get_future().wait();
    worker_took = pool.take(key, url.origin, tls).release();
  });
  httplib::ClientImpl* workers = worker_gave_back.get_future().get();
  pool.give_back(key, tls, std::move(mine), 8);
  EXPECT_EQ(pool.idle(key), 2u);
  main_gave_back.set_value();
  worker.join();
  std::unique_ptr<httplib::ClientImpl> worker_owned(worker_took);
  // Each thread got its own back, not the top of the stack.
  EXPECT_EQ(worker_took, workers);
  EXPECT_EQ(pool.take(key, url.origin, tls).get(), mine_ptr);

  // A thread that used none gets the most recently given back.
  auto a = open_client();
  auto b = open_client();
  httplib::ClientImpl* b_ptr = b.get();
  pool.give_back(key, tls, std::move(a), 8);
  pool.give_back(key, tls, std::move(b), 8);
  std::thread([&] { EXPECT_EQ(pool.take(key, url.origin, tls).get(), b_ptr); }).join();

  // At most max_idle are kept; a closed connection is not kept.
  auto c1 = open_client();
  auto c2 = open_client();
  pool.clear();
  pool.give_back(key, tls, std::move(c1), 1);
  pool.give_back(key, tls, std::move(c2), 1);
  EXPECT_EQ(pool.idle(key), 1u);
  auto closed = pool.take(key, url.origin, tls);
  closed->stop();
  pool.give_back(key, tls, std::move(closed), 8);
  EXPECT_EQ(pool.idle(key), 0u);

  // Close every connection first, or the server waits out its keep-alive timeout.
  worker_owned.reset();
  pool.clear();
}

TEST(ConnectionPool, KeysSeparateSchemesHostsAndAClientIsReusedOnlyWithItsTlsSettings) {
  ParsedUrl a, b, c;
  std::string error;
  ASSERT_TRUE(parse_url("http://h:80/", a, error));
  ASSERT_TRUE(parse_url("https://h:80/", b, error));
  ASSERT_TRUE(parse_url("http://h:81/", c, error));
  EXPECT_NE(a.origin.key(), b.origin.key());
  EXPECT_NE(a.origin.key(), c.origin.key());

  // A reload that changes the TLS settings: the idle client made with the old
  // ones is not handed out again (and no longer kept).
  OkServer server;
  ParsedUrl url;
  ASSERT_TRUE(parse_url(server.url(), url, error)) << error;
  TlsSettings plain, pinned;
  pinned.fingerprint = "ca.pem\n\n\nverify";
  ConnectionPool pool;
  auto first = pool.take(url.origin.key(), url.origin, plain);
  ASSERT_TRUE(first->Get("/"));
  ASSERT_TRUE(first->is_socket_open());
  pool.give_back(url.origin.key(), plain, std::move(first), 8);
  ASSERT_EQ(pool.idle(url.origin.key()), 1u);
  // A new client (not yet connected), not the kept-alive one.
  auto second = pool.take(url.origin.key(), url.origin, pinned);
  EXPECT_FALSE(second->is_socket_open());
  EXPECT_EQ(pool.idle(url.origin.key()), 0u);
  second.reset();
  pool.clear();
}

TEST(TargetCache, ParsesEachUrlStartOnceAndKeepsThePathAsWritten) {
  TargetCache cache;
  Target scratch;
  std::string_view path;
  std::string error;
  const Target* t = cache.resolve("http://127.0.0.1:8500/v1/kv/app?index=7", scratch, path, error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(t->pool_key, "http://127.0.0.1:8500");
  EXPECT_EQ(t->host_port, "127.0.0.1:8500");
  EXPECT_EQ(path, "/v1/kv/app?index=7");
  // Another path on the same origin: the same entry.
  EXPECT_EQ(cache.resolve("http://127.0.0.1:8500/v1/kv/app?index=8", scratch, path, error), t);
  EXPECT_EQ(path, "/v1/kv/app?index=8");
  EXPECT_EQ(cache.size(), 1u);
  std::string request_path;
  ASSERT_NE(cache.resolve("http://h?q=1", scratch, path, error), nullptr);
  assign_request_path(path, request_path);
  EXPECT_EQ(request_path, "/?q=1");
  ASSERT_NE(cache.resolve("https://h", scratch, path, error), nullptr);
  assign_request_path(path, request_path);
  EXPECT_EQ(request_path, "/");
  const Target* d = cache.resolve("discovery+https://users/api", scratch, path, error);
  ASSERT_NE(d, nullptr) << error;
  EXPECT_EQ(d->service, "users");
  EXPECT_TRUE(d->origin.https);
  EXPECT_EQ(path, "/api");

  // An invalid URL is refused with the parser's message, every time, and not kept.
  const size_t kept = cache.size();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(cache.resolve("http://user:pw@h/", scratch, path, error), nullptr);
    EXPECT_EQ(error, "url \"http://user:pw@h/\": user information in URLs is not supported (use a header)");
  }
  EXPECT_EQ(cache.resolve("http://h:99999/x", scratch, path, error), nullptr);
  EXPECT_EQ(cache.size(), kept);

  // Past the bound, new starts are parsed into the caller's scratch target.
  for (size_t i = 0; cache.size() < TargetCache::kMaxEntries; ++i) {
    ASSERT_NE(cache.resolve("http://h" + std::to_string(i) + ":1/", scratch, path, error), nullptr);
    ASSERT_LT(i, 2 * TargetCache::kMaxEntries);
  }
  EXPECT_EQ(cache.resolve("http://beyond:2/x", scratch, path, error), &scratch);
  EXPECT_EQ(scratch.host_port, "beyond:2");
  EXPECT_EQ(cache.size(), TargetCache::kMaxEntries);
}

}  // namespace
}  // namespace hyperion::plugins::http_client
