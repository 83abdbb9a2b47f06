// The consul-config plugin on a real etcd (started by each test) in a real host:
// initial load, live changes as revisions, bursts as one reload, refusals that
// keep the last good config, deletes that restore the manifest, an outage and
// its recovery, last-known-good and fallback at start, required stores, secrets.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>

#include "app/host.h"
#include "etcd/etcd_client.h"
#include "support/etcd_server.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

using testing::EtcdServer;
namespace json = boost::json;

#define REQUIRE_ETCD() \
  if (!EtcdServer::available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)"

class RemoteConfigTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& endpoint, const std::string& remote_extra = "",
                       const std::string& retry = "{initial_ms: 100, max_ms: 400}") {
    return "app: remote\nhost:\n  state_dir: " + dir_.path() +
           "/state\n  log_level: warn\nplugins:\n"
           "  - name: remote\n    library: consul-config\n    config:\n      address: " +
           endpoint +
           "\n      prefix: hyperion/shop\n      debounce_ms: 300\n      connect_timeout_ms: 1000\n"
           "      retry: " +
           retry + "\n" + remote_extra + "  - name: target\n    library: behave_plain\n    config:\n      value: 1\n";
  }
  StatusOr<std::unique_ptr<Host>> prepare(const std::string& text) {
    std::string path = dir_.write("app.yaml", text);
    HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string(),
                           testing::example_plugin_dir()};
    return Host::prepare(path, options);
  }
  void start(const std::string& text) {
    auto host = prepare(text);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    Status started = host_->start();
    ASSERT_TRUE(started.ok()) << started.to_string();
  }
  json::object report(const std::string& instance) {
    auto r = host_->instance_health(instance);
    return r.ok() ? json::parse(*r).as_object() : json::object{};
  }
  int64_t target_value() {
    json::object r = report("target");
    return r.empty() ? -1 : r.at("details").at("config").at("value").as_int64();
  }
  bool value_becomes(int64_t expected) {
    return testing::eventually([&] { return target_value() == expected; }, std::chrono::seconds(15));
  }
  std::string remote_status() {
    json::object r = report("remote");
    return r.empty() ? "" : std::string(r.at("status").as_string()) + ": " + std::string(r.at("message").as_string());
  }
  // Kills etcd and waits until the plugin says it lost it.
  void lose(EtcdServer& server) {
    server.stop();
    ASSERT_TRUE(testing::eventually([&] { return remote_status().find("store unreachable") != std::string::npos; }))
        << remote_status();
  }
  // The common start: value 5 in the store, the host started and following it.
  void start_following(const EtcdServer& server, plugins::etcd::Client& etcd,
                       const std::string& retry = "{initial_ms: 100, max_ms: 400}") {
    etcd.put("hyperion/shop/target/value", "5");
    start(manifest(server.endpoint(), "", retry));
    ASSERT_TRUE(value_becomes(5)) << remote_status();
  }
  size_t revisions() {
    auto all = host_->store().revisions(1000);
    return all.ok() ? all->size() : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<Host> host_;
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
  host_->facilities().events.flush();
  host_->store().flush();
  auto events = host_->store().events_after(0, 10000);
  ASSERT_TRUE(events.ok());
  bool announced = false;
  for (const auto& e : *events) announced = announced || e.type == "dev.hyperion.remote_config.refused";
  EXPECT_TRUE(announced);

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
  AppSnapshot snap = host_->snapshot();
  EXPECT_EQ(json::serialize(snap.configs).find(secret), std::string::npos);
  EXPECT_EQ(json::serialize(snap.layers).find(secret), std::string::npos);
  auto stored = host_->store().revisions(100);
  ASSERT_TRUE(stored.ok());
  for (const auto& r : *stored) {
    EXPECT_EQ((r.diff + r.overrides + r.layers + r.manifest).find(secret), std::string::npos) << r.number;
  }
  host_->facilities().events.flush();
  host_->store().flush();
  auto events = host_->store().events_after(0, 10000);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) EXPECT_EQ(e.json.find(secret), std::string::npos);
  EXPECT_EQ(host_->metrics_text().find(secret), std::string::npos);
}

}  // namespace
}  // namespace hyperion::app
