// The etcd client (plugins/common/stores/etcd_client) against a real etcd started by each test.
#include "stores/etcd_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "base64.h"
#include "support/etcd_server.h"

namespace hyperion::plugins::etcd {
namespace {

using testing::EtcdServer;

ClientSettings settings(std::vector<std::string> endpoints, std::string user = "", std::string password = "",
                        TlsSettings tls = {}, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  ClientSettings s;
  s.endpoints = std::move(endpoints);
  s.username = std::move(user);
  s.password = std::move(password);
  s.tls = std::move(tls);
  s.timeout = timeout;
  return s;
}

#define REQUIRE_ETCD() \
  if (!EtcdServer::available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)"

// Collects what a watch delivers, from the watching thread.
struct Collected {
  std::mutex mu;
  std::vector<WatchEvent> events;
  void add(const std::vector<WatchEvent>& batch) {
    std::lock_guard lock(mu);
    events.insert(events.end(), batch.begin(), batch.end());
  }
  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
};

TEST(Base64, RoundTripsAndRefusesGarbage) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", "hyperion/shop/a/value", std::string("\0\xff\x01", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("5"), "NQ==");
  EXPECT_FALSE(base64_decode("abc").has_value());
  EXPECT_FALSE(base64_decode("a$c=").has_value());
}

TEST(EtcdClient, PrefixRangeEnd) {
  EXPECT_EQ(prefix_range_end("hyperion/shop/"), "hyperion/shop0");
  EXPECT_EQ(prefix_range_end("a\xff"), "b");
  EXPECT_EQ(prefix_range_end(""), std::string(1, '\0'));
}

TEST(EtcdClient, ReadsWritesAndDeletesAPrefix) {
  REQUIRE_ETCD();
  EtcdServer server;
  Client etcd(settings({server.endpoint()}));
  const int64_t r1 = etcd.put("app/a/value", "5");
  etcd.put("app/b", "{\"x\": 1}");
  etcd.put("other/key", "not mine");
  RangeResult read = etcd.get_prefix("app/");
  EXPECT_GT(read.revision, r1);
  ASSERT_EQ(read.kvs.size(), 2u);
  EXPECT_EQ(read.kvs[0].key, "app/a/value");
  EXPECT_EQ(read.kvs[0].value, "5");
  EXPECT_EQ(read.kvs[0].mod_revision, r1);
  EXPECT_EQ(read.kvs[1].value, "{\"x\": 1}");
  // What etcdctl wrote, the client reads, and the reverse.
  ASSERT_EQ(server.etcdctl({"put", "app/c", "from-etcdctl"}).exit_code, 0);
  EXPECT_EQ(etcd.get_prefix("app/c").kvs.at(0).value, "from-etcdctl");
  EXPECT_NE(server.etcdctl({"get", "app/a/value"}).out.find("5"), std::string::npos);
  etcd.delete_prefix("app/");
  EXPECT_TRUE(etcd.get_prefix("app/").kvs.empty());
  EXPECT_EQ(etcd.get_prefix("other/").kvs.size(), 1u);
}

TEST(EtcdClient, WatchStreamsPutsAndDeletesFromARevisionUntilStopped) {
  REQUIRE_ETCD();
  EtcdServer server;
  Client etcd(settings({server.endpoint()}));
  etcd.put("app/before", "1");
  const int64_t from = etcd.get_prefix("app/").revision + 1;
  Collected seen;
  WatchOutcome outcome;
  std::thread watcher([&] { outcome = etcd.watch_prefix("app/", from, [&](const auto& b, int64_t) { seen.add(b); }); });
  Client writer(settings({server.endpoint()}));
  writer.put("app/x", "one");
  writer.put("elsewhere/y", "not watched");
  writer.delete_prefix("app/before");
  ASSERT_TRUE(testing::eventually([&] { return seen.size() >= 2; }));
  etcd.stop();
  watcher.join();
  EXPECT_EQ(outcome.end, WatchOutcome::End::kStopped);
  std::lock_guard lock(seen.mu);
  ASSERT_EQ(seen.events.size(), 2u);
  EXPECT_FALSE(seen.events[0].deleted);
  EXPECT_EQ(seen.events[0].kv.key, "app/x");
  EXPECT_EQ(seen.events[0].kv.value, "one");
  EXPECT_TRUE(seen.events[1].deleted);
  EXPECT_EQ(seen.events[1].kv.key, "app/before");
}

TEST(EtcdClient, AWatchFromACompactedRevisionSaysSo) {
  REQUIRE_ETCD();
  EtcdServer server;
  Client etcd(settings({server.endpoint()}));
  const int64_t old = etcd.put("app/k", "1");
  etcd.put("app/k", "2");
  const int64_t newest = etcd.put("app/k", "3");
  ASSERT_EQ(server.etcdctl({"compact", std::to_string(newest)}).exit_code, 0);
  WatchOutcome outcome = etcd.watch_prefix("app/", old + 1, [](const auto&, int64_t) { FAIL() << "no events"; });
  EXPECT_EQ(outcome.end, WatchOutcome::End::kCompacted) << outcome.detail;
  EXPECT_EQ(outcome.compact_revision, newest);
}

TEST(EtcdClient, AWatchEndsWhenEtcdDiesAndResumesWithoutMissingAWrite) {
  REQUIRE_ETCD();
  EtcdServer server;
  Client etcd(settings({server.endpoint()}, "", "", {}, std::chrono::milliseconds(1000)));
  const int64_t from = etcd.put("app/k", "1") + 1;
  Collected seen;
  WatchOutcome outcome;
  std::thread watcher([&] { outcome = etcd.watch_prefix("app/", from, [&](const auto& b, int64_t) { seen.add(b); }); });
  Client writer(settings({server.endpoint()}));
  writer.put("app/k", "2");
  ASSERT_TRUE(testing::eventually([&] { return seen.size() == 1; }));
  server.stop();
  watcher.join();
  EXPECT_EQ(outcome.end, WatchOutcome::End::kDisconnected);
  EXPECT_FALSE(outcome.detail.empty());
  EXPECT_THROW(etcd.get_prefix("app/"), EtcdError);
  server.start();
  writer.put("app/k", "3");  // written while nobody watched
  const int64_t resume = outcome.last_revision + 1;
  std::thread again([&] { etcd.watch_prefix("app/", resume, [&](const auto& b, int64_t) { seen.add(b); }); });
  ASSERT_TRUE(testing::eventually([&] { return seen.size() == 2; }));
  etcd.stop();
  again.join();
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.events[1].kv.value, "3");
}

TEST(EtcdClient, FailsOverToAnEndpointThatAnswers) {
  REQUIRE_ETCD();
  EtcdServer server;
  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  Client etcd(settings({dead, server.endpoint()}, "", "", {}, std::chrono::milliseconds(500)));
  etcd.put("app/k", "v");
  EXPECT_EQ(etcd.endpoint(), "http://" + server.endpoint());
  EXPECT_EQ(etcd.get_prefix("app/").kvs.size(), 1u);
  Client none(settings({dead}, "", "", {}, std::chrono::milliseconds(500)));
  try {
    none.get_prefix("app/");
    FAIL() << "read from a dead endpoint";
  } catch (const EtcdError& e) {
    EXPECT_TRUE(e.unreachable());
    EXPECT_NE(std::string(e.what()).find(dead), std::string::npos) << e.what();
  }
}

TEST(EtcdClient, AuthenticatesWithUserAndPassword) {
  REQUIRE_ETCD();
  EtcdServer server;
  ASSERT_EQ(server.etcdctl({"user", "add", "root:rootpw"}).exit_code, 0);
  ASSERT_EQ(server.etcdctl({"auth", "enable"}).exit_code, 0);
  Client anonymous(settings({server.endpoint()}));
  EXPECT_THROW(anonymous.get_prefix("app/"), EtcdError);
  Client root(settings({server.endpoint()}, "root", "rootpw"));
  root.put("app/k", "secret-ok");
  EXPECT_EQ(root.get_prefix("app/").kvs.at(0).value, "secret-ok");
  Client wrong(settings({server.endpoint()}, "root", "nope"));
  try {
    wrong.get_prefix("app/");
    FAIL() << "a wrong password was accepted";
  } catch (const EtcdError& e) {
    EXPECT_FALSE(e.unreachable());
    EXPECT_NE(std::string(e.what()).find("authentication as \"root\" failed"), std::string::npos) << e.what();
  }
  // A watch authenticates too.
  Collected seen;
  const int64_t from = root.get_prefix("app/").revision + 1;
  std::thread watcher([&] { root.watch_prefix("app/", from, [&](const auto& b, int64_t) { seen.add(b); }); });
  Client writer(settings({server.endpoint()}, "root", "rootpw"));
  writer.put("app/k", "again");
  EXPECT_TRUE(testing::eventually([&] { return seen.size() == 1; }));
  root.stop();
  watcher.join();
}

TEST(EtcdClient, SpeaksTlsWithTheTestCa) {
  REQUIRE_ETCD();
  EtcdServer server(EtcdServer::Options{true});
  TlsSettings tls{true, server.cert_dir() + "/ca.pem", "", "", ""};
  Client etcd(settings({server.endpoint()}, "", "", tls));
  etcd.put("app/k", "over-tls");
  EXPECT_EQ(etcd.get_prefix("app/").kvs.at(0).value, "over-tls");
  EXPECT_EQ(etcd.endpoint(), "https://" + server.endpoint());
  // Without the CA the server is not trusted.
  Client untrusted(
      settings({server.endpoint()}, "", "", TlsSettings{true, "", "", "", ""}, std::chrono::milliseconds(1000)));
  EXPECT_THROW(untrusted.get_prefix("app/"), EtcdError);
}

}  // namespace
}  // namespace hyperion::plugins::etcd
