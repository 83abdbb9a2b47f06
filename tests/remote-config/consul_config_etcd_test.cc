// The consul-config plugin on a real etcd (started by each test) in a real host:
// initial load, live changes as revisions, bursts as one reload, refusals that
// keep the last good config, deletes that restore the manifest, an outage and
// its recovery, last-known-good and fallback at start, required stores, secrets.
#include <sys/stat.h>

#include "remote-config/remote_config_fixture.h"
#include "stores/etcd_client.h"
#include "support/etcd_server.h"

namespace hyperion::app {
namespace {

using testing::EtcdServer;

#define REQUIRE_ETCD() \
  if (!EtcdServer::available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)"

class RemoteConfigTest : public RemoteConfigFixture {
 protected:
  // Kills etcd and waits until the plugin says it lost it.
  void lose(EtcdServer& server) {
    server.stop();
    wait_until_lost();
  }
  // The common start: value 5 in the store, the host started and following it.
  void start_following(const EtcdServer& server, plugins::etcd::Client& etcd,
                       const std::string& retry = "{initial_ms: 100, max_ms: 400}") {
    etcd.put("hyperion/shop/target/value", "5");
    start(manifest(server.endpoint(), "", retry));
    ASSERT_TRUE(value_becomes(5)) << remote_status();
  }
};

plugins::etcd::Client writer_for(const EtcdServer& server) {
  plugins::etcd::ClientSettings s;
  s.endpoints = {server.endpoint()};
  return plugins::etcd::Client(std::move(s));
}

TEST_F(RemoteConfigTest, TheStoreIsLoadedAtStartAndEveryChangeBecomesARevision) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  etcd.put("hyperion/shop/target/value", "5");
  start(manifest(server.endpoint()));
  ASSERT_TRUE(value_becomes(5)) << remote_status();
  auto latest = host_->store().revisions(1);
  ASSERT_TRUE(latest.ok() && !latest->empty());
  EXPECT_EQ(latest->front().source, "plugin:remote (etcd:hyperion/shop)");
  EXPECT_EQ(host_->snapshot().sources.at("target").at("/value").as_string(), "etcd:hyperion/shop");

  // etcdctl, as an operator would.
  ASSERT_EQ(server.etcdctl({"put", "hyperion/shop/target/value", "6"}).exit_code, 0);
  ASSERT_TRUE(value_becomes(6)) << remote_status();
  EXPECT_EQ(remote_status().rfind("healthy", 0), 0u) << remote_status();

  // A burst (quieter than debounce_ms between changes) is one reload.
  const size_t before = revisions();
  etcd.put("hyperion/shop/target/value", "7");
  etcd.put("hyperion/shop/host/log_level", "error");
  etcd.put("hyperion/shop/target/value", "8");
  ASSERT_TRUE(value_becomes(8)) << remote_status();
  EXPECT_EQ(revisions(), before + 1);
  EXPECT_EQ(host_->plan().manifest.host.log_level, "error");
}

TEST_F(RemoteConfigTest, AMultiKeyTransactionIsOneRevision) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  start_following(server, etcd);
  const size_t before = revisions();
  // etcdctl txn reads compares, a blank line, the puts, a blank line, the else-branch.
  auto txn = testing::run_process(
      {"/bin/sh", "-c",
       "printf '\\nput hyperion/shop/target/value 21\\nput hyperion/shop/host/log_level error\\n\\n\\n' | "
       "/usr/bin/etcdctl --endpoints=" +
           server.url() + " txn"});
  ASSERT_EQ(txn.exit_code, 0) << txn.err << txn.out;
  ASSERT_TRUE(value_becomes(21)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return revisions() == before + 1; })) << revisions() - before;
  EXPECT_EQ(host_->plan().manifest.host.log_level, "error");
}

TEST_F(RemoteConfigTest, TalksToEtcdWithTlsAndAuthentication) {
  REQUIRE_ETCD();
  EtcdServer server(EtcdServer::Options{true});
  ASSERT_EQ(server.etcdctl({"user", "add", "root:rootpw"}).exit_code, 0);
  ASSERT_EQ(server.etcdctl({"auth", "enable"}).exit_code, 0);
  ASSERT_EQ(server.etcdctl({"put", "hyperion/shop/target/value", "31"}, {"--user=root:rootpw"}).exit_code, 0);
  const std::string password = dir_.write("etcd-password", "rootpw\n");
  start(manifest(server.endpoint(), "      username: root\n      password: ${file:" + password +
                                        "}\n      tls: {ca_file: " + server.cert_dir() + "/ca.pem}\n"));
  ASSERT_TRUE(value_becomes(31)) << remote_status();
  EXPECT_NE(remote_status().find("following etcd:hyperion/shop"), std::string::npos) << remote_status();
  ASSERT_EQ(server.etcdctl({"put", "hyperion/shop/target/value", "32"}, {"--user=root:rootpw"}).exit_code, 0);
  ASSERT_TRUE(value_becomes(32)) << remote_status();
}

TEST_F(RemoteConfigTest, AnInvalidValueIsRefusedAndADeletedKeyRestoresTheManifest) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  start_following(server, etcd);
  etcd.put("hyperion/shop/target/value", "\"high\"");
  ASSERT_TRUE(testing::eventually([&] { return remote_status().find("refused") != std::string::npos; }))
      << remote_status();
  EXPECT_NE(remote_status().find("config.value"), std::string::npos) << remote_status();
  EXPECT_EQ(remote_status().rfind("degraded", 0), 0u);
  EXPECT_EQ(target_value(), 5) << "the last good configuration keeps running";
  // The plugin records the refusal (its status) and then emits the event: wait for it.
  EXPECT_TRUE(testing::eventually([&] {
    for (const auto& e : recorded_events()) {
      if (e.type == "dev.hyperion.remote_config.refused") return true;
    }
    return false;
  }));

  etcd.delete_prefix("hyperion/shop/target/value");
  ASSERT_TRUE(value_becomes(1)) << "the manifest's value is back; " << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return remote_status().rfind("healthy", 0) == 0; })) << remote_status();
}

TEST_F(RemoteConfigTest, AnOutageDegradesAndTheRecoveryMissesNothing) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  start_following(server, etcd);
  lose(server);
  EXPECT_EQ(target_value(), 5);
  server.start();
  etcd.put("hyperion/shop/target/value", "9");  // before the plugin is back on the stream
  ASSERT_TRUE(value_becomes(9)) << remote_status();
  EXPECT_TRUE(testing::eventually([&] { return remote_status().rfind("healthy", 0) == 0; })) << remote_status();
}

TEST_F(RemoteConfigTest, ACompactionWhileAwayIsRecoveredByReadingAgain) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  start_following(server, etcd, "{initial_ms: 1500, max_ms: 1500}");
  lose(server);
  server.start();
  etcd.put("hyperion/shop/target/value", "10");
  const int64_t newest = etcd.put("hyperion/shop/target/value", "11");
  ASSERT_EQ(server.etcdctl({"compact", std::to_string(newest)}).exit_code, 0);
  ASSERT_TRUE(value_becomes(11)) << remote_status();
}

TEST_F(RemoteConfigTest, AtStartAnUnreachableStoreMeansLastKnownGoodOrAStartFailureWhenRequired) {
  REQUIRE_ETCD();
  {
    EtcdServer server;
    writer_for(server).put("hyperion/shop/target/value", "9");
    start(manifest(server.endpoint()));
    ASSERT_TRUE(value_becomes(9));
    ASSERT_TRUE(host_->stop().ok());
    host_.reset();
  }
  const std::string snapshot = dir_.path() + "/state/instances/remote/last-known-good.json";
  ASSERT_TRUE(std::filesystem::exists(snapshot));
  struct stat st {};
  ASSERT_EQ(::stat(snapshot.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  start(manifest(dead));
  ASSERT_TRUE(value_becomes(9)) << remote_status();
  EXPECT_NE(remote_status().find("serving the last-known-good snapshot"), std::string::npos) << remote_status();
  EXPECT_EQ(remote_status().rfind("degraded", 0), 0u);
  ASSERT_TRUE(host_->stop().ok());
  host_.reset();

  auto required = prepare(manifest(dead, "      required: true\n"));
  ASSERT_TRUE(required.ok()) << required.status().to_string();
  Status started = (*required)->start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("cannot read etcd:hyperion/shop at http://" + dead), std::string::npos)
      << started.message();
}

TEST_F(RemoteConfigTest, AClientCertificateWithoutItsKeyIsAStartFailureNamingTheField) {
  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  auto host = prepare(manifest(dead, "      tls: {cert_file: client.pem}\n"));
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  Status started = (*host)->start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("instance \"remote\""), std::string::npos) << started.message();
  EXPECT_NE(started.message().find("tls.cert_file needs tls.key_file"), std::string::npos) << started.message();
  EXPECT_TRUE((*host)->lifecycle().running().empty()) << "nothing is left running";
}

TEST_F(RemoteConfigTest, AFallbackFileServesWhenTheStoreIsDownAtStart) {
  REQUIRE_ETCD();
  const std::string fallback = dir_.write("shop.remote.yaml", "target/value: 12\ntarget: {static_value: 0}\n");
  const std::string dead = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  start(manifest(dead, "      fallback_file: " + fallback + "\n"));
  ASSERT_TRUE(value_becomes(12)) << remote_status();
  EXPECT_NE(remote_status().find("serving fallback_file " + fallback), std::string::npos) << remote_status();
}

TEST_F(RemoteConfigTest, ASecretFromTheStoreIsNeverShown) {
  REQUIRE_ETCD();
  EtcdServer server;
  auto etcd = writer_for(server);
  const std::string secret = "store-secret-4242";
  etcd.put("hyperion/shop/target/password", secret);
  etcd.put("hyperion/shop/target/value", "3");
  start(manifest(server.endpoint()));
  ASSERT_TRUE(value_becomes(3));
  expect_never_shown(secret);
}

}  // namespace
}  // namespace hyperion::app
