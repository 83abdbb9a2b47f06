// The discovery plugin on a real etcd (started by the test) with real host
// processes: each registers while ready; an observer host in this process
// follows them with a watch. A SIGKILLed host leaves once its lease expires
// (measured against the ttl), a SIGTERMed one before its process exits, an
// etcd restart keeps everyone, and lost leases are registered again.
#include <gtest/gtest.h>
#include <signal.h>

#include <httplib.h>

#include <boost/json.hpp>
#include <mutex>

#include "discovery/discovery_host.h"
#include "stores/etcd_client.h"
#include "support/etcd_server.h"

namespace hyperion::discovery_test {
namespace {

using Clock = std::chrono::steady_clock;
using testing::EtcdServer;
using namespace std::chrono_literals;

#define REQUIRE_ETCD() \
  if (!EtcdServer::available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)"

// A hyperion process registering users/<id> on `etcd` with a 2-second ttl,
// following users itself, with the health plugin on a free port (its
// /healthz?verbose shows what this process resolves) and no admin API.
class RegisteringHost {
 public:
  RegisteringHost(const EtcdServer& etcd, const std::string& id, int port)
      : health_port_(testing::free_loopback_port()) {
    const std::string manifest =
        "app: " + id + "\nhost:\n  state_dir: " + dir_.path() +
        "/state\n  log_level: info\n  admin: {enabled: false}\nplugins:\n" +
        "  - name: registry\n    library: discovery\n    config:\n      backend: etcd\n      endpoints: [" +
        etcd.endpoint() + "]\n      ttl_s: 2\n      retry: {initial_ms: 100, max_ms: 500}\n" +
        "      register: [{service: users, id: " + id + ", address: 127.0.0.1, port: " + std::to_string(port) +
        "}]\n      follow: [users]\n  - name: health\n    library: health\n    config: {details: true, listen: 127.0.0.1:" +
        std::to_string(health_port_) + "}\n";
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::hyperion_binary(), "run", dir_.write("app.yaml", manifest), "--plugin-path",
                                 testing::example_plugin_dir()});
    if (!process_->wait_for_stderr("publishing 1 instance(s)", 30s)) throw std::runtime_error(id + " did not start");
  }
  testing::ChildProcess& process() { return *process_; }
  // How many instances of users this process's discovery plugin sees now (-1: no answer).
  [[nodiscard]] int64_t sees() const {
    httplib::Client cli("127.0.0.1", health_port_);
    auto res = cli.Get("/healthz?verbose");
    if (!res) return -1;
    try {
      return boost::json::parse(res->body)
          .at("instances")
          .at("registry")
          .at("details")
          .at("services")
          .at("users")
          .at("instances")
          .as_int64();
    } catch (const std::exception&) {
      return -1;  // not following users yet
    }
  }

 private:
  testing::TempDir dir_;
  int health_port_;
  std::unique_ptr<testing::ChildProcess> process_;
};

// Every set the observer's watch delivered, with when.
class Sightings {
 public:
  void add(const std::vector<discovery::Instance>& set) {
    std::lock_guard lock(mu_);
    sets_.push_back(ids(set));
    times_.push_back(Clock::now());
  }
  std::vector<std::string> latest() {
    std::lock_guard lock(mu_);
    return sets_.empty() ? std::vector<std::string>{} : sets_.back();
  }
  bool becomes(const std::vector<std::string>& wanted, std::chrono::milliseconds timeout = 20s) {
    return testing::eventually([&] { return latest() == wanted; }, timeout);
  }
  // When the latest set was delivered.
  Clock::time_point latest_time() {
    std::lock_guard lock(mu_);
    return times_.back();
  }
  std::vector<std::vector<std::string>> all() {
    std::lock_guard lock(mu_);
    return sets_;
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<std::string>> sets_;
  std::vector<Clock::time_point> times_;
};

std::string observer_config(const EtcdServer& etcd) {
  return "{backend: etcd, endpoints: [" + etcd.endpoint() + "], ttl_s: 2, retry: {initial_ms: 100, max_ms: 500}}";
}

std::vector<std::string> keys_in(const EtcdServer& etcd) {
  plugins::etcd::ClientSettings s;
  s.endpoints = {etcd.endpoint()};
  std::vector<std::string> keys;
  for (const auto& kv : plugins::etcd::Client(s).get_prefix("hyperion/services/users/").kvs) keys.push_back(kv.key);
  return keys;
}

TEST(DiscoveryEtcd, HostsFindEachOtherAndLeaveWhenKilledOrStopped) {
  REQUIRE_ETCD();
  EtcdServer etcd;
  Sightings seen;  // outlives the observer, whose watch writes into it
  DiscoveryHost observer(observer_config(etcd));
  observer.client().watch({"users", {}, {}}, [&](const auto& set) { seen.add(set); });
  RegisteringHost a(etcd, "a", 9001);
  RegisteringHost b(etcd, "b", 9002);
  RegisteringHost c(etcd, "c", 9003);
  ASSERT_TRUE(seen.becomes({"a", "b", "c"})) << ::testing::PrintToString(seen.all());
  // Each host resolves the others (and itself) through the same registry.
  for (RegisteringHost* host : {&a, &b, &c}) {
    EXPECT_TRUE(testing::eventually([&] { return host->sees() == 3; })) << host->sees();
  }
  EXPECT_EQ(ids(observer.client().resolve({"users", {}, {}})), (std::vector<std::string>{"a", "b", "c"}));
  auto picked = observer.client().pick({"users", {}, {}});
  EXPECT_EQ(picked.instance.address, "127.0.0.1");
  picked.report(HYPERION_DISCOVERY_SUCCESS);

  // SIGKILL: nobody withdraws; the lease runs out.
  const auto killed = Clock::now();
  c.process().signal(SIGKILL);
  ASSERT_TRUE(seen.becomes({"a", "b"}, 15s)) << ::testing::PrintToString(seen.all());
  const double gone_after = std::chrono::duration<double>(seen.latest_time() - killed).count();
  std::printf("a SIGKILLed host left its callers %.2f s after the kill (ttl 2 s)\n", gone_after);
  EXPECT_LE(gone_after, 2.0 + 1.5) << "the ttl bounds how long a dead host stays";

  // SIGTERM: drained, withdrawn and revoked before the process is gone.
  b.process().signal(SIGTERM);
  auto exit = b.process().wait(30s);
  EXPECT_EQ(exit.exit_code, 0) << exit.err;
  EXPECT_EQ(keys_in(etcd), (std::vector<std::string>{"hyperion/services/users/a"}))
      << "b's key was gone when its process exited";
  EXPECT_LT(exit.err.find("withdrawing 1 instance(s): the host is not ready (draining)"),
            exit.err.find("instance \"registry\" stopped"))
      << exit.err;
  ASSERT_TRUE(seen.becomes({"a"})) << ::testing::PrintToString(seen.all());

  // Every change reached the watch, in order.
  std::vector<std::vector<std::string>> changes;
  for (const auto& set : seen.all()) {
    if (changes.empty() || changes.back() != set) changes.push_back(set);
  }
  const std::vector<std::vector<std::string>> tail(changes.end() - 3, changes.end());
  EXPECT_EQ(tail, (std::vector<std::vector<std::string>>{{"a", "b", "c"}, {"a", "b"}, {"a"}}));
}

TEST(DiscoveryEtcd, AnEtcdRestartKeepsEveryoneAndLostLeasesAreRegisteredAgain) {
  REQUIRE_ETCD();
  EtcdServer etcd;
  Sightings seen;  // outlives the observer, whose watch writes into it
  DiscoveryHost observer(observer_config(etcd));
  observer.client().watch({"users", {}, {}}, [&](const auto& set) { seen.add(set); });
  RegisteringHost a(etcd, "a", 9001);
  RegisteringHost b(etcd, "b", 9002);
  ASSERT_TRUE(seen.becomes({"a", "b"}));

  // Same data, back within the ttl: leases survive, keepalives resume.
  etcd.stop();
  etcd.start();
  std::this_thread::sleep_for(3s);  // longer than the ttl: a lease nobody refreshed would be gone by now
  EXPECT_EQ(keys_in(etcd), (std::vector<std::string>{"hyperion/services/users/a", "hyperion/services/users/b"}));
  ASSERT_TRUE(seen.becomes({"a", "b"})) << ::testing::PrintToString(seen.all());

  // Every lease revoked behind the hosts' backs (as a lost lease would be):
  // both notice at their next refresh and register again.
  auto leases = etcd.etcdctl({"lease", "list"});
  ASSERT_EQ(leases.exit_code, 0) << leases.err;
  std::istringstream lines(leases.out);
  int revoked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("found") != std::string::npos || line.empty()) continue;
    if (etcd.etcdctl({"lease", "revoke", line}).exit_code == 0) ++revoked;
  }
  EXPECT_GE(revoked, 2);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return keys_in(etcd) == std::vector<std::string>{"hyperion/services/users/a", "hyperion/services/users/b"};
      },
      10s));
  ASSERT_TRUE(seen.becomes({"a", "b"})) << ::testing::PrintToString(seen.all());
}

}  // namespace
}  // namespace hyperion::discovery_test
