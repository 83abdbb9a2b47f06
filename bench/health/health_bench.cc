// bench/health: two figures for the health room, each beside its baseline.
//
// 1. /readyz requests per second and p99 latency through a real host (the health
//    plugin over cpp-httplib, asking the host's aggregator), beside a bare
//    cpp-httplib server answering a constant 200, driven by the same in-repo
//    closed-loop client in the same run; prints the ratio (goal: at least 0.8).
// 2. Aggregation latency with 50 instances, one of which hangs: the p99 of a
//    fresh round (cache expired each time) against the per-check timeout
//    (goal: p99 at most the timeout + 5 ms).
//
//   health_bench PLUGIN_DIR TEST_PLUGIN_DIR [SECONDS]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "app/host.h"
#include "common/bench_host.h"
#include "common/load_stats.h"

namespace {

using Clock = std::chrono::steady_clock;
using hyperion::bench::LoadResult;
using hyperion::bench::percentile;
using hyperion::bench::start_host;

// `concurrency` keep-alive clients, each sending the next request when the last answered.
LoadResult drive(const std::string& url, const std::string& path, int concurrency, std::chrono::milliseconds duration) {
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int c = 0; c < concurrency; ++c) {
    clients.push_back(std::make_unique<httplib::Client>(url));
    clients.back()->set_keep_alive(true);
    clients.back()->set_tcp_nodelay(true);  // else Nagle + delayed ACK add ~40 ms per request
  }
  return hyperion::bench::drive_threads(concurrency, duration, [&](int c) {
    auto res = clients[c]->Get(path);
    return res && res->status == 200;
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: health_bench PLUGIN_DIR TEST_PLUGIN_DIR [SECONDS]\n");
    return 2;
  }
  const std::vector<std::string> plugin_path = {argv[1], argv[2]};
  const auto duration = std::chrono::milliseconds(static_cast<long>(1000 * (argc > 3 ? std::atof(argv[3]) : 3.0)));
  char tmpl[] = "/tmp/hyperion-health-bench-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  constexpr int kConcurrency = 4;

  // 1. /readyz through the host vs a bare server.
  auto host = start_host(dir / "readyz",
                         "app: bench\nhost:\n  state_dir: " + (dir / "readyz/state").string() +
                             "\nplugins:\n  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:0\"}\n"
                             "  - name: a\n    library: behave_plain\n  - name: b\n    library: behave_plain\n",
                         plugin_path);
  auto report = host->instance_health("health");
  std::string url(boost::json::parse(*report).at("details").at("url").as_string());
  httplib::Server bare;
  bare.set_tcp_nodelay(true);  // as the health plugin does
  bare.Get("/readyz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  int bare_port = bare.bind_to_any_port("127.0.0.1");
  std::thread bare_thread([&] { bare.listen_after_bind(); });
  while (!bare.is_running()) std::this_thread::yield();
  const std::string bare_url = "http://127.0.0.1:" + std::to_string(bare_port);
  drive(bare_url, "/readyz", kConcurrency, std::chrono::milliseconds(200));  // warm up both
  drive(url, "/readyz", kConcurrency, std::chrono::milliseconds(200));
  LoadResult b = drive(bare_url, "/readyz", kConcurrency, duration);
  LoadResult h = drive(url, "/readyz", kConcurrency, duration);
  bare.stop();
  bare_thread.join();
  std::printf("bench/health: GET /readyz, %d keep-alive clients, %.1f s each, loopback\n", kConcurrency,
              std::chrono::duration<double>(duration).count());
  std::printf("%-28s %12s %10s %10s %8s\n", "", "requests/s", "p50 ms", "p99 ms", "errors");
  std::printf("%-28s %12.0f %10.3f %10.3f %8ld\n", "bare cpp-httplib (200)", b.rps, b.p50_ms, b.p99_ms, b.errors);
  std::printf("%-28s %12.0f %10.3f %10.3f %8ld\n", "hyperion health plugin", h.rps, h.p50_ms, h.p99_ms, h.errors);
  std::printf("throughput ratio %.2f (goal >= 0.8), p99 ratio %.2f\n\n", h.rps / b.rps, h.p99_ms / b.p99_ms);
  (void)host->stop();
  host.reset();

  // 2. Aggregation with 50 instances, one hanging past the timeout.
  std::string manifest = "app: agg\nhost:\n  state_dir: " + (dir / "agg/state").string() +
                         "\n  health: {timeout_ms: 200}\nplugins:\n";
  for (int i = 0; i < 49; ++i) manifest += "  - name: i" + std::to_string(i) + "\n    library: behave_plain\n";
  manifest += "  - name: stuck\n    library: behave_plain\n    stop_timeout_ms: 2000\n"
              "    config: {fail_in: health, how: hang, hang_ms: 300}\n";
  auto agg = start_host(dir / "agg", manifest, plugin_path);
  std::vector<double> rounds;
  auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    agg->health().aggregator().expire();
    auto begin = Clock::now();
    (void)agg->health().check();
    rounds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
  }
  size_t n = rounds.size();
  double p50 = percentile(rounds, 0.50), p99 = percentile(rounds, 0.99), max = rounds.back();
  std::printf("bench/health: aggregation, 50 instances, one hanging (300 ms > 200 ms timeout), %zu fresh rounds\n", n);
  std::printf("round p50 %.3f ms, p99 %.3f ms, max %.3f ms; goal p99 <= 205 ms (timeout + 5 ms): %s\n", p50, p99, max,
              p99 <= 205.0 ? "met" : "NOT met");
  (void)agg->stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
