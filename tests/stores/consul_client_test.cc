// The Consul client (plugins/common/stores/consul_client): the blocking-query
// rules and the rate limiter as pure logic, then the client against
// ConsulProtocolFake (not Consul: no Consul server can be installed here; the
// fake follows Consul's documented KV API and injects its faults).
#include "stores/consul_client.h"

#include <gtest/gtest.h>

#include <future>

#include "support/consul_fake.h"
#include "support/test_certificates.h"
#include "support/test_support.h"

namespace hyperion::plugins::consul {
namespace {

using testing::ConsulProtocolFake;
using namespace std::chrono_literals;

ClientSettings settings_for(const ConsulProtocolFake& fake) {
  ClientSettings s;
  s.endpoints = {fake.address()};
  s.timeout = 2s;
  return s;
}

TEST(ConsulBlockingIndex, FollowsConsulsDocumentedRules) {
  BlockingIndex index;
  EXPECT_EQ(index.next(), 0u) << "the first request is a plain read";
  EXPECT_EQ(index.observe(40), BlockingIndex::Seen::kFirst);
  EXPECT_EQ(index.next(), 40u);
  EXPECT_EQ(index.observe(40), BlockingIndex::Seen::kSame) << "the wait ended";
  EXPECT_EQ(index.observe(41), BlockingIndex::Seen::kAdvanced);
  EXPECT_EQ(index.next(), 41u);
  EXPECT_EQ(index.observe(7), BlockingIndex::Seen::kWentBackwards);
  EXPECT_EQ(index.next(), 0u) << "an index that went backwards resets the loop to a plain read";
  EXPECT_EQ(index.observe(0), BlockingIndex::Seen::kFirst);
  EXPECT_EQ(index.next(), 1u) << "an index of 0 is used as 1: index 0 is never sent twice in a row";
  EXPECT_EQ(index.observe(0), BlockingIndex::Seen::kSame) << "Consul's index-0 bug is not a reset";
  EXPECT_EQ(index.next(), 1u) << "it blocks on 1 again (the rate limiter paces a server that keeps answering 0)";
  index.observe(50);
  EXPECT_EQ(index.observe(0), BlockingIndex::Seen::kAdvanced);
  EXPECT_EQ(index.next(), 1u);
}

TEST(ConsulQueryRateLimiter, AllowsABurstOfTwoThenOnePerInterval) {
  QueryRateLimiter limiter(1000ms);
  const auto t0 = QueryRateLimiter::Clock::time_point{} + 1h;
  EXPECT_EQ(limiter.take(t0), 0ms);
  EXPECT_EQ(limiter.take(t0 + 1ms), 0ms) << "two quick deliveries pass";
  EXPECT_EQ(limiter.take(t0 + 2ms), 998ms) << "the third waits for a token";
  // Taken at +1000 (after that wait): the bucket is empty again.
  EXPECT_EQ(limiter.take(t0 + 1000ms), 1000ms);
  // Quiet for a long time: the bucket is full again, and no fuller than 2.
  EXPECT_EQ(limiter.take(t0 + 1h), 0ms);
  EXPECT_EQ(limiter.take(t0 + 1h), 0ms);
  EXPECT_GT(limiter.take(t0 + 1h), 0ms);
  QueryRateLimiter off(0ms);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(off.take(t0), 0ms);
}

TEST(ConsulEscapeKey, KeepsSlashesAndEscapesTheRest) {
  EXPECT_EQ(escape_key("hyperion/shop/a b?c#d%"), "hyperion/shop/a%20b%3Fc%23d%25");
  EXPECT_EQ(escape_key("x-y_z.~"), "x-y_z.~");
}

TEST(ConsulClient, ListsAPrefixDecodingValuesAndSaysEmptyWithTheIndexOfA404) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  KvList empty = consul.list("hyperion/shop/");
  EXPECT_TRUE(empty.pairs.empty());
  EXPECT_GT(empty.index, 0u) << "a 404 still carries X-Consul-Index";

  const std::string bytes("caf\xc3\xa9\n\x01 end", 10);
  consul.put("hyperion/shop/a", bytes);
  consul.put("hyperion/shop/b/c", "{x: 1}");
  consul.put("hyperion/other", "elsewhere");
  KvList listed = consul.list("hyperion/shop/");
  ASSERT_EQ(listed.pairs.size(), 2u);
  EXPECT_EQ(listed.pairs[0].key, "hyperion/shop/a");
  EXPECT_EQ(listed.pairs[0].value, bytes) << "values arrive base64 and are decoded";
  EXPECT_EQ(listed.pairs[1].value, "{x: 1}");
  EXPECT_EQ(listed.index, listed.pairs[1].modify_index);
}

TEST(ConsulClient, ABlockingQueryAnswersWhenThePrefixChangesAndNotForWritesElsewhere) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  consul.put("hyperion/shop/a", "1");
  const uint64_t from = consul.list("hyperion/shop/").index;
  auto blocked = std::async(std::launch::async, [&] { return consul.list("hyperion/shop/", from, 30s); });
  ASSERT_TRUE(testing::eventually([&] {
    for (const auto& r : fake.requests()) {
      if (r.params.count("index") > 0) return true;
    }
    return false;
  }));
  fake.put("hyperion/elsewhere", "x");  // not under the prefix: nobody wakes
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);
  const uint64_t written = fake.put("hyperion/shop/a", "2");
  KvList answer = blocked.get();
  EXPECT_EQ(answer.index, written);
  ASSERT_EQ(answer.pairs.size(), 1u);
  EXPECT_EQ(answer.pairs[0].value, "2");
  bool sent_wait = false;
  for (const auto& r : fake.requests())
    sent_wait = sent_wait || (r.params.count("wait") && r.params.at("wait") == "30s");
  EXPECT_TRUE(sent_wait);
}

TEST(ConsulClient, AQuietBlockingQueryEndsAfterItsWaitWithTheSameIndex) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  consul.put("hyperion/shop/a", "1");
  const uint64_t from = consul.list("hyperion/shop/").index;
  EXPECT_EQ(consul.list("hyperion/shop/", from, 1s).index, from);
}

TEST(ConsulClient, SendsTheTokenInAHeaderAndSaysWhenItIsRefused) {
  ConsulProtocolFake fake(ConsulProtocolFake::Options::requiring_token("s3cret-token"));
  ClientSettings anonymous = settings_for(fake);
  try {
    Client(anonymous).list("hyperion/shop/");
    FAIL() << "a request without the token is refused";
  } catch (const ConsulError& e) {
    EXPECT_EQ(e.status(), 403);
    EXPECT_FALSE(e.unreachable());
    EXPECT_NE(std::string(e.what()).find("the ACL token was refused"), std::string::npos) << e.what();
  }
  ClientSettings with_token = settings_for(fake);
  with_token.token = "s3cret-token";
  Client consul(with_token);
  consul.put("hyperion/shop/a", "1");
  EXPECT_EQ(consul.list("hyperion/shop/").pairs.size(), 1u);
  for (const auto& r : fake.requests()) {
    EXPECT_EQ(r.params.count("token"), 0u) << "never in the URL, where proxies log it";
  }
  EXPECT_EQ(fake.requests().back().token, "s3cret-token");
}

TEST(ConsulClient, AsksForTheConsistencyModeItIsGiven) {
  ConsulProtocolFake fake;
  for (auto [mode, param] : {std::pair{Consistency::kConsistent, "consistent"}, {Consistency::kStale, "stale"}}) {
    ClientSettings s = settings_for(fake);
    s.consistency = mode;
    Client(s).list("hyperion/shop/");
    EXPECT_EQ(fake.requests().back().params.count(param), 1u) << param;
  }
  Client(settings_for(fake)).list("hyperion/shop/");
  EXPECT_EQ(fake.requests().back().params.count("consistent") + fake.requests().back().params.count("stale"), 0u);
}

TEST(ConsulClient, AServerErrorIsAnAnswerThatSaysNoAndTheNextRequestWorks) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  fake.fail_next(1, 500);
  try {
    consul.list("hyperion/shop/");
    FAIL();
  } catch (const ConsulError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_FALSE(e.unreachable());
    EXPECT_NE(std::string(e.what()).find("No cluster leader"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(consul.list("hyperion/shop/"));
}

TEST(ConsulClient, FailsOverToTheNextEndpointWhenOneRefusesConnections) {
  ConsulProtocolFake down;
  ConsulProtocolFake up;
  down.refuse_connections();
  ClientSettings s = settings_for(down);
  s.endpoints.push_back(up.address());
  Client consul(s);
  up.put("hyperion/shop/a", "1");
  EXPECT_EQ(consul.list("hyperion/shop/").pairs.size(), 1u);
  EXPECT_EQ(consul.endpoint(), "http://" + up.address());
  up.refuse_connections();
  try {
    consul.list("hyperion/shop/");
    FAIL();
  } catch (const ConsulError& e) {
    EXPECT_TRUE(e.unreachable()) << e.what();
  }
}

TEST(ConsulClient, ATransactionIsOneIndex) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  consul.put("hyperion/shop/gone", "x");
  const uint64_t before = fake.index();
  consul.transaction({{TxnOp::Verb::kSet, "hyperion/shop/a", "1"},
                      {TxnOp::Verb::kSet, "hyperion/shop/b", "2"},
                      {TxnOp::Verb::kDelete, "hyperion/shop/gone", ""}});
  EXPECT_EQ(fake.index(), before + 1);
  KvList listed = consul.list("hyperion/shop/");
  ASSERT_EQ(listed.pairs.size(), 2u);
  EXPECT_EQ(listed.pairs[0].modify_index, listed.pairs[1].modify_index);
}

TEST(ConsulClient, StopEndsABlockingQueryInFlight) {
  ConsulProtocolFake fake;
  Client consul(settings_for(fake));
  const uint64_t from = consul.list("hyperion/shop/").index;
  auto blocked = std::async(std::launch::async, [&] {
    try {
      consul.list("hyperion/shop/", from, 60s);
      return std::string("answered");
    } catch (const ConsulError& e) {
      return std::string(e.what());
    }
  });
  ASSERT_TRUE(testing::eventually([&] { return fake.count_requests("GET") >= 2; }));
  consul.stop();
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready) << "stop() ends the query";
  EXPECT_NE(blocked.get().find("stopped"), std::string::npos);
  EXPECT_THROW(consul.list("hyperion/shop/"), ConsulError) << "stopped until resume()";
  consul.resume();
  EXPECT_NO_THROW(consul.list("hyperion/shop/"));
}

TEST(ConsulClient, VerifiesTheServerByTheNameItIsGivenAndShowsAClientCertificate) {
  testing::TempDir certs;
  testing::make_test_certificates(certs.path());
  ConsulProtocolFake fake(ConsulProtocolFake::Options::mutual_tls(certs.path(), "named"));
  ClientSettings s = settings_for(fake);
  s.tls = {true, certs.path() + "/ca.pem", certs.path() + "/client.pem", certs.path() + "/client.key",
           "store.internal"};
  Client consul(s);
  consul.put("hyperion/shop/a", "1");
  EXPECT_EQ(consul.list("hyperion/shop/").pairs.size(), 1u);
  EXPECT_EQ(consul.endpoint(), "https://" + fake.address());

  ClientSettings by_ip = s;
  by_ip.tls.server_name.clear();  // the certificate names store.internal, not 127.0.0.1
  EXPECT_THROW(Client(by_ip).list("hyperion/shop/"), ConsulError);
  ClientSettings no_client_cert = s;
  no_client_cert.tls.cert_file.clear();
  no_client_cert.tls.key_file.clear();
  EXPECT_THROW(Client(no_client_cert).list("hyperion/shop/"), ConsulError);
}

}  // namespace
}  // namespace hyperion::plugins::consul
