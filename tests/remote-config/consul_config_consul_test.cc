// The consul-config plugin on Consul, in a real host. No Consul server can be
// installed on these machines, so these run against ConsulProtocolFake (a
// protocol fake, not Consul: Consul's documented KV and blocking-query
// behaviour, with its faults injected); RealConsul runs the same first steps
// against a `consul` binary when one is on PATH, and says it skipped otherwise.
#include <future>

#include "remote-config/remote_config_fixture.h"
#include "stores/consul_client.h"
#include "support/consul_fake.h"
#include "support/test_certificates.h"

namespace hyperion::app {
namespace {

using testing::ConsulProtocolFake;
using namespace std::chrono_literals;

constexpr const char* kValueKey = "hyperion/shop/target/value";

class ConsulRemoteConfigTest : public RemoteConfigFixture {
 protected:
  ConsulRemoteConfigTest() { type_ = "consul"; }
  // The common start: value 5 in the store, the host started and following it.
  void start_following(ConsulProtocolFake& fake, const std::string& extra = "") {
    fake.put(kValueKey, "5");
    start(manifest(fake.address(), extra));
    ASSERT_TRUE(value_becomes(5)) << remote_status();
  }
  bool healthy() { return remote_status().rfind("healthy", 0) == 0; }
  // The watcher's GETs (the test's own writes are PUTs and DELETEs).
  static std::vector<ConsulProtocolFake::SeenRequest> gets(const ConsulProtocolFake& fake) {
    std::vector<ConsulProtocolFake::SeenRequest> out;
    for (auto& r : fake.requests()) {
      if (r.method == "GET") out.push_back(r);
    }
    return out;
  }
};

plugins::consul::Client writer_for(const ConsulProtocolFake& fake, const std::string& token = "") {
  plugins::consul::ClientSettings s;
  s.endpoints = {fake.address()};
  s.token = token;
  return plugins::consul::Client(std::move(s));
}

TEST_F(ConsulRemoteConfigTest, TheStoreIsLoadedAtStartAndEveryChangeBecomesARevision) {
  ConsulProtocolFake fake;
  start_following(fake);
  auto latest = host_->store().revisions(1);
  ASSERT_TRUE(latest.ok() && !latest->empty());
  EXPECT_EQ(latest->front().source, "plugin:remote (consul:hyperion/shop)");
  EXPECT_EQ(host_->snapshot().sources.at("target").at("/value").as_string(), "consul:hyperion/shop");

  auto consul = writer_for(fake);
  consul.put(kValueKey, "6");
  ASSERT_TRUE(value_becomes(6)) << remote_status();
  EXPECT_TRUE(healthy()) << remote_status();
  EXPECT_NE(remote_status().find("following consul:hyperion/shop"), std::string::npos) << remote_status();

  // A transaction is one index, and one reload.
  const size_t before = revisions();
  consul.transaction({{plugins::consul::TxnOp::Verb::kSet, kValueKey, "21"},
                      {plugins::consul::TxnOp::Verb::kSet, "hyperion/shop/host/log_level", "error"}});
  ASSERT_TRUE(value_becomes(21)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return revisions() == before + 1; })) << revisions() - before;
  EXPECT_EQ(host_->plan().manifest.host.log_level, "error");

  // The plugin's metrics, with the instance's label.
  const std::string metrics = host_->metrics_text();
  EXPECT_NE(metrics.find("remote_config_changes_total{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("outcome=\"applied\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("remote_config_apply_seconds_bucket{"), std::string::npos) << metrics;

  // A deleted key restores the manifest's value; a folder key (the UI's) is no value.
  consul.put("hyperion/shop/target/", "");
  consul.delete_tree(kValueKey);
  ASSERT_TRUE(value_becomes(1)) << remote_status();
  EXPECT_TRUE(healthy()) << remote_status();

  // Every query after the first read blocked (carried an index and a wait).
  auto seen = gets(fake);
  ASSERT_GE(seen.size(), 3u);
  for (size_t i = 1; i < seen.size(); ++i) {
    if (seen[i].params.count("index") == 0) continue;  // a read after an ended stream
    EXPECT_EQ(seen[i].params.at("wait"), "60s");
  }
}

TEST_F(ConsulRemoteConfigTest, TheTokenTravelsInAHeaderIsNeverShownAndARefusedOneIsReported) {
  const std::string token = "consul-token-7781";
  ConsulProtocolFake fake(ConsulProtocolFake::Options::requiring_token(token));
  writer_for(fake, token).put(kValueKey, "5");
  const std::string token_file = dir_.write("consul-token", token + "\n");
  start(manifest(fake.address(), "      token: ${file:" + token_file + "}\n"));
  ASSERT_TRUE(value_becomes(5)) << remote_status();
  writer_for(fake, token).put(kValueKey, "7");
  ASSERT_TRUE(value_becomes(7)) << remote_status();
  for (const auto& r : fake.requests()) EXPECT_EQ(r.params.count("token"), 0u);
  expect_never_shown(token);
  ASSERT_TRUE(host_->stop().ok());
  host_.reset();

  dir_.write("consul-token", "wrong-token\n");
  std::filesystem::remove_all(dir_.path() + "/state");
  start(manifest(fake.address(), "      token: ${file:" + token_file + "}\n"));
  EXPECT_EQ(remote_status().rfind("degraded", 0), 0u) << remote_status();
  EXPECT_NE(remote_status().find("the ACL token was refused"), std::string::npos) << remote_status();
  EXPECT_EQ(target_value(), 1) << "no fallback: the manifest's config runs";
}

TEST_F(ConsulRemoteConfigTest, ServerErrorsAndAnOutageDegradeAndTheRecoveryMissesNothing) {
  ConsulProtocolFake fake;
  start_following(fake, "      wait_s: 1\n");
  // A leaderless cluster answers 500 for a while.
  fake.fail_next(1000, 500);
  wait_until_lost();
  EXPECT_NE(remote_status().find("No cluster leader"), std::string::npos) << remote_status();
  fake.fail_next(0);
  fake.put(kValueKey, "8");
  ASSERT_TRUE(value_becomes(8)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return healthy(); })) << remote_status();

  // The agent goes away: connections are refused.
  fake.refuse_connections();
  wait_until_lost();
  EXPECT_EQ(target_value(), 8) << "the last good configuration keeps running";
  fake.put(kValueKey, "9");  // written while the plugin cannot see it
  fake.accept_connections();
  ASSERT_TRUE(value_becomes(9)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return healthy(); })) << remote_status();
  EXPECT_NE(host_->metrics_text().find("remote_config_watch_reconnects_total"), std::string::npos);
}

TEST_F(ConsulRemoteConfigTest, AnIndexThatGoesBackwardsRestartsTheLoopAndLaterChangesArrive) {
  ConsulProtocolFake fake;
  for (int i = 0; i < 40; ++i) fake.put("hyperion/shop/target/static_value", std::to_string(i));
  start_following(fake);
  const uint64_t high = fake.index();
  // A snapshot from long ago is restored: the index is now far below what the
  // plugin blocks on. Without the reset it would wait for index > high and
  // miss every change until then. (Restored while the plugin's query waits,
  // which the restore answers; a query arriving just after it would wait out
  // its 60 s, with Consul as with the fake.)
  ASSERT_TRUE(testing::eventually([&] { return fake.blocked_queries() > 0; }));
  fake.restore_snapshot({{kValueKey, "15"}}, 3);
  ASSERT_TRUE(value_becomes(15)) << remote_status();
  const uint64_t after = fake.put(kValueKey, "16");
  ASSERT_LT(after, high);
  ASSERT_TRUE(value_becomes(16)) << remote_status();

  // Reaping a tombstone that was the prefix's newest index moves it backwards too.
  fake.put("hyperion/shop/target/static_value", "1");
  fake.erase("hyperion/shop/target/static_value");
  ASSERT_TRUE(testing::eventually([&] { return gets(fake).back().params.count("index") == 1; }));
  fake.reap_tombstones();
  fake.put("hyperion/elsewhere", "wakes nobody");
  fake.put(kValueKey, "17");
  ASSERT_TRUE(value_becomes(17)) << remote_status();
}

TEST_F(ConsulRemoteConfigTest, AServerThatAnswersIndexZeroIsNotABusyLoop) {
  ConsulProtocolFake fake;
  fake.answer_index_zero(true);
  start_following(fake, "      wait_s: 1\n");
  fake.put(kValueKey, "18");
  ASSERT_TRUE(value_becomes(18)) << remote_status();
  auto seen = gets(fake);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_FALSE(seen[i - 1].params.count("index") == 0 && seen[i].params.count("index") == 0)
        << "two plain reads in a row at " << i;
    if (seen[i].params.count("index")) {
      EXPECT_EQ(seen[i].params.at("index"), "1");
    }
  }
}

TEST_F(ConsulRemoteConfigTest, AnswersHeldPastTheWaitTimeOutAndTheStoreIsReadAgain) {
  ConsulProtocolFake fake;
  start_following(fake, "      wait_s: 1\n");
  // Reads time out at connect_timeout (1 s) + wait + wait/16; answers are held 60 s past the wait, longer than the test
  // waits.
  fake.hold_answers(60s);
  fake.put(kValueKey, "19");
  ASSERT_TRUE(value_becomes(19)) << "a held answer is timed out and the prefix read again; " << remote_status();
  fake.hold_answers(0s);
  fake.put(kValueKey, "20");
  ASSERT_TRUE(value_becomes(20)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return healthy(); })) << remote_status();
}

TEST_F(ConsulRemoteConfigTest, AChurningPrefixDegradesIntoPollingNotABusyLoop) {
  ConsulProtocolFake fake;
  start_following(fake, "      rate_limit_ms: 400\n");
  const size_t before = gets(fake).size();
  const auto started = std::chrono::steady_clock::now();
  for (int i = 100; i < 160; ++i) {
    fake.put(kValueKey, std::to_string(i));
    std::this_thread::sleep_for(20ms);  // the churn itself: a write every 20 ms for 1.2 s
  }
  ASSERT_TRUE(value_becomes(159)) << remote_status();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const size_t queries = gets(fake).size() - before;
  // 60 writes; a loop without a limit would query about 60 times. With a burst
  // of 2 and one per 400 ms: at most 2 + seconds/0.4, plus reads after ends.
  EXPECT_LE(queries, static_cast<size_t>(2 + seconds / 0.4 + 3)) << queries << " queries in " << seconds << " s";
}

TEST_F(ConsulRemoteConfigTest, TalksTlsWithAServerNameAndAClientCertificateAndTheConsistencyAsked) {
  testing::TempDir certs;
  testing::make_test_certificates(certs.path());
  ConsulProtocolFake fake(ConsulProtocolFake::Options::mutual_tls(certs.path(), "named"));
  const std::string c = certs.path() + "/";
  start_following(fake, "      consistency: stale\n      tls: {ca_file: " + c + "ca.pem, cert_file: " + c +
                            "client.pem, key_file: " + c + "client.key, server_name: store.internal}\n");
  EXPECT_NE(remote_status().find("following consul:hyperion/shop"), std::string::npos) << remote_status();
  for (const auto& r : gets(fake)) EXPECT_EQ(r.params.count("stale"), 1u) << r.path;
}

TEST_F(ConsulRemoteConfigTest, AnUnreachableRequiredStoreAndEtcdsCredentialsAreStartFailures) {
  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  auto required = prepare(manifest(dead, "      required: true\n"));
  ASSERT_TRUE(required.ok()) << required.status().to_string();
  Status started = (*required)->start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("cannot read consul:hyperion/shop at http://" + dead), std::string::npos)
      << started.message();
  required->reset();  // one host per state folder

  auto with_user = prepare(manifest(dead, "      username: root\n"));
  ASSERT_TRUE(with_user.ok()) << with_user.status().to_string();
  started = (*with_user)->start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("Consul takes an ACL token"), std::string::npos) << started.message();
}

// Against a real Consul when the machine has one (Debian does not package it).
TEST_F(ConsulRemoteConfigTest, RealConsul) {
  auto which = testing::run_process({"/bin/sh", "-c", "command -v consul"});
  if (which.exit_code != 0) GTEST_SKIP() << "no consul binary on PATH: ran against ConsulProtocolFake only";
  const int http = testing::free_loopback_port();
  testing::TempDir data;
  testing::ChildProcess agent(
      {"consul", "agent", "-dev", "-bind=127.0.0.1", "-client=127.0.0.1", "-http-port=" + std::to_string(http),
       "-dns-port=-1", "-grpc-port=-1", "-serf-lan-port=" + std::to_string(testing::free_loopback_port()),
       "-serf-wan-port=" + std::to_string(testing::free_loopback_port()),
       "-server-port=" + std::to_string(testing::free_loopback_port()), "-data-dir=" + data.path()});
  plugins::consul::ClientSettings s;
  s.endpoints = {"127.0.0.1:" + std::to_string(http)};
  plugins::consul::Client consul(s);
  ASSERT_TRUE(testing::eventually(
      [&] {
        try {
          consul.put(kValueKey, "5");
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      30s));
  start(manifest(s.endpoints[0]));
  ASSERT_TRUE(value_becomes(5)) << remote_status();
  consul.put(kValueKey, "6");
  ASSERT_TRUE(value_becomes(6)) << remote_status();
  consul.delete_tree(kValueKey);
  ASSERT_TRUE(value_becomes(1)) << remote_status();
}

}  // namespace
}  // namespace hyperion::app
