// From an etcd put to the host's applied revision: how long a fleet waits for a
// configuration change, beside how long etcd itself takes to acknowledge the put.
//
//   remote_config_bench <plugin_dir> <test_plugin_dir> [changes]
//
// A real etcd (started here, on free loopback ports) and a real host in this
// process with consul-config (debounce_ms: 0) and the reloadable plugin, whose
// reload is trivial. Each round puts settings/log_level, times etcd's answer,
// and waits for the host's dev.hyperion.reload.applied event (the same event
// the admin API streams at /v1/events). Changes are sequential: the latency of
// one change on an idle host. Prints p50 and p99 of both, and their ratio.
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "common/bench_host.h"
#include "common/load_stats.h"
#include "stores/etcd_client.h"
#include "support/etcd_server.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace json = boost::json;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: remote_config_bench <plugin_dir> <test_plugin_dir> [changes]\n");
    return 2;
  }
  const int changes = argc > 3 ? std::atoi(argv[3]) : 200;
  if (!hyperion::testing::EtcdServer::available()) {
    std::printf("remote-config bench: etcd is not installed (scripts/setup.sh installs etcd-server); skipped\n");
    return 0;
  }
  hyperion::testing::EtcdServer etcd;
  hyperion::testing::TempDir dir;
  const std::string manifest = "app: bench\nhost:\n  state_dir: " + dir.path() +
                               "/state\n  log_level: error\nplugins:\n"
                               "  - name: remote\n    library: consul-config\n    config:\n      address: " +
                               etcd.endpoint() +
                               "\n      prefix: bench\n      debounce_ms: 0\n"
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

  hyperion::plugins::etcd::ClientSettings settings;
  settings.endpoints = {etcd.endpoint()};
  hyperion::plugins::etcd::Client writer(settings);
  std::vector<double> put_ms, applied_ms;
  long timeouts = 0;
  const char* levels[] = {"debug", "info"};
  for (int i = 0; i < changes; ++i) {
    uint64_t before;
    {
      std::lock_guard lock(mu);
      before = applied;
    }
    const auto start = Clock::now();
    writer.put("bench/settings/log_level", levels[i % 2]);
    put_ms.push_back(ms(Clock::now() - start));
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return applied > before; })) {
      ++timeouts;
      continue;
    }
    applied_ms.push_back(ms(Clock::now() - start));
  }
  (void)host->stop();
  const double put_p50 = hyperion::bench::percentile(put_ms, 0.5), put_p99 = hyperion::bench::percentile(put_ms, 0.99);
  const double app_p50 = hyperion::bench::percentile(applied_ms, 0.5),
               app_p99 = hyperion::bench::percentile(applied_ms, 0.99);
  std::printf("remote-config (etcd), %d sequential changes, debounce 0, trivial reload\n", changes);
  std::printf("  %-46s p50 %7.2f ms   p99 %7.2f ms\n", "etcd put acknowledged (baseline)", put_p50, put_p99);
  std::printf("  %-46s p50 %7.2f ms   p99 %7.2f ms\n", "put -> host revision applied (Hyperion)", app_p50, app_p99);
  std::printf("  ratio applied/put: p50 %.1fx, p99 %.1fx; goal p99 <= 20 ms: %s; timeouts %ld\n",
              put_p50 > 0 ? app_p50 / put_p50 : 0, put_p99 > 0 ? app_p99 / put_p99 : 0,
              app_p99 <= 20 ? "met" : "NOT met", timeouts);
  return timeouts == 0 ? 0 : 1;
}
