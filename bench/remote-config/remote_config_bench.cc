// From a store's put to the host's applied revision: how long a fleet waits for
// a configuration change, beside how long the store itself takes to
// acknowledge the put. Two stores, one after the other:
//   etcd   a real etcd (Debian's etcd-server), started here on free loopback ports;
//   consul ConsulProtocolFake (not Consul, which cannot be installed here: an
//          in-process HTTP server following Consul's KV and blocking-query API).
//
//   remote_config_bench <plugin_dir> <test_plugin_dir> [changes]
//
// A real host in this process with consul-config (debounce_ms: 0) and the
// reloadable plugin, whose reload is trivial. Each round puts
// settings/log_level, times the store's answer, and waits for the host's
// dev.hyperion.reload.applied event (the same event the admin API streams at
// /v1/events). Changes are sequential: the latency of one change on an idle
// host. For Consul the plugin's rate limit is off (rate_limit_ms: 0): changes a
// few milliseconds apart are churn, which the limit (a burst of 2, then one
// query a second) turns into polling by design. Prints p50 and p99 of both
// figures and their ratio; the goal (p99 <= 20 ms) is etcd's.
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/bench_host.h"
#include "common/load_stats.h"
#include "stores/consul_client.h"
#include "stores/etcd_client.h"
#include "support/consul_fake.h"
#include "support/etcd_server.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace json = boost::json;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Figures {
  double put_p50 = 0, put_p99 = 0, applied_p50 = 0, applied_p99 = 0;
  long timeouts = 0;
};

// Runs `changes` sequential puts through a host following the store that
// `plugin_config` names; `put` writes one value to the store.
Figures measure(const std::string& plugin_config, const std::function<void(const std::string&)>& put, int changes,
                char** argv) {
  hyperion::testing::TempDir dir;
  const std::string manifest = "app: bench\nhost:\n  state_dir: " + dir.path() +
                               "/state\n  log_level: error\nplugins:\n"
                               "  - name: remote\n    library: consul-config\n    config:\n" +
                               plugin_config +
                               "      prefix: bench\n      debounce_ms: 0\n"
                               "  - name: settings\n    library: reloadable\n";
  auto host = hyperion::bench::start_host(dir.path() + "/host", manifest, {argv[1], argv[2]});

  std::mutex mu;
  std::condition_variable cv;
  uint64_t applied = 0;
  host->facilities().events.subscribe("bench", "dev.hyperion.reload.applied", [&](const std::string& event) {
    boost::system::error_code ec;
    json::value v = json::parse(event, ec);
    if (ec) return;
    std::lock_guard lock(mu);
    applied = v.at("data").at("revision").to_number<uint64_t>();
    cv.notify_all();
  });

  std::vector<double> put_ms, applied_ms;
  Figures f;
  const char* levels[] = {"debug", "info"};
  for (int i = 0; i < changes; ++i) {
    uint64_t before;
    {
      std::lock_guard lock(mu);
      before = applied;
    }
    const auto start = Clock::now();
    put(levels[i % 2]);
    put_ms.push_back(ms(Clock::now() - start));
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return applied > before; })) {
      ++f.timeouts;
      continue;
    }
    applied_ms.push_back(ms(Clock::now() - start));
  }
  (void)host->stop();
  f.put_p50 = hyperion::bench::percentile(put_ms, 0.5);
  f.put_p99 = hyperion::bench::percentile(put_ms, 0.99);
  f.applied_p50 = hyperion::bench::percentile(applied_ms, 0.5);
  f.applied_p99 = hyperion::bench::percentile(applied_ms, 0.99);
  return f;
}

void print(const char* store, const char* baseline, const Figures& f, bool goal) {
  std::printf("  %-56s p50 %7.2f ms   p99 %7.2f ms\n", baseline, f.put_p50, f.put_p99);
  std::printf("  %-56s p50 %7.2f ms   p99 %7.2f ms\n", (std::string(store) + ": put -> host revision applied").c_str(),
              f.applied_p50, f.applied_p99);
  std::printf("  ratio applied/put: p50 %.1fx, p99 %.1fx;%s timeouts %ld\n",
              f.put_p50 > 0 ? f.applied_p50 / f.put_p50 : 0, f.put_p99 > 0 ? f.applied_p99 / f.put_p99 : 0,
              goal ? (f.applied_p99 <= 20 ? " goal p99 <= 20 ms: met;" : " goal p99 <= 20 ms: NOT met;") : "",
              f.timeouts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: remote_config_bench <plugin_dir> <test_plugin_dir> [changes]\n");
    return 2;
  }
  const int changes = argc > 3 ? std::atoi(argv[3]) : 200;
  std::printf("remote-config, %d sequential changes per store, debounce 0, trivial reload\n", changes);
  long timeouts = 0;
  if (hyperion::testing::EtcdServer::available()) {
    hyperion::testing::EtcdServer etcd;
    hyperion::plugins::etcd::ClientSettings settings;
    settings.endpoints = {etcd.endpoint()};
    hyperion::plugins::etcd::Client writer(settings);
    Figures f = measure(
        "      type: etcd\n      address: " + etcd.endpoint() + "\n",
        [&](const std::string& v) { writer.put("bench/settings/log_level", v); }, changes, argv);
    print("etcd", "etcd put acknowledged (baseline)", f, true);
    timeouts += f.timeouts;
  } else {
    std::printf("  etcd: not installed (scripts/setup.sh installs etcd-server); skipped\n");
  }
  {
    hyperion::testing::ConsulProtocolFake consul;
    hyperion::plugins::consul::ClientSettings settings;
    settings.endpoints = {consul.address()};
    hyperion::plugins::consul::Client writer(settings);
    Figures f = measure(
        "      type: consul\n      address: " + consul.address() + "\n      rate_limit_ms: 0\n",
        [&](const std::string& v) { writer.put("bench/settings/log_level", v); }, changes, argv);
    print("consul (protocol fake)", "consul fake put acknowledged (baseline)", f, false);
    timeouts += f.timeouts;
  }
  return timeouts == 0 ? 0 : 1;
}
