// bench/http-client: GET requests per second and latency through the
// http-client plugin (host + plugin, called through the http.client ABI with the
// C++ helpers, as a plugin would) beside raw cpp-httplib clients, against the
// same local keep-alive server (one_write_server.h), with the same closed-loop
// threads, in the same run (rounds interleaved, the side that goes first
// alternating). Goal: at least 0.9x the raw client's throughput.
//
//   http_client_bench PLUGIN_DIR [SECONDS_PER_ROUND] [THREADS] [ROUNDS]
#include <httplib.h>

#include <hyperion/services/http_client.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "app/host.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "one_write_server.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"

using hyperion::bench::drive_threads;
using hyperion::bench::LoadResult;
using hyperion::bench::median;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: http_client_bench PLUGIN_DIR [SECONDS_PER_ROUND] [THREADS] [ROUNDS]\n");
    return 2;
  }
  double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  int threads = argc > 3 ? std::stoi(argv[3]) : 4;
  int rounds = argc > 4 ? std::stoi(argv[4]) : 5;

  hyperion::bench::OneWriteServer server("ok");
  const int port = server.port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/ok";

  auto dir = std::filesystem::temp_directory_path() / ("hyperion-http-bench-" + std::to_string(::getpid()));
  std::unique_ptr<hyperion::app::Host> host;
  try {
    host = hyperion::bench::start_host(dir,
                                       "app: http-bench\nhost:\n  state_dir: " + (dir / "state").string() +
                                           "\nplugins:\n  - name: http\n    library: http-client\n",
                                       {argv[1]});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  // The service as a plugin reaches it (the handle has no owning instance).
  hyperion_host_api_t api = *hyperion::hostapi::host_api_table();
  api.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
  hyperion::http::Client client(
      hyperion::ServiceHandle(&api, host->facilities().services.acquire(nullptr, "http", HYPERION_HTTP_CLIENT_API, 1)));

  // One raw keep-alive client per thread, as a careful user would write it.
  std::vector<std::unique_ptr<httplib::Client>> raw;
  for (int t = 0; t < threads; ++t) {
    raw.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    raw.back()->set_keep_alive(true);
    raw.back()->set_tcp_nodelay(true);
  }
  auto raw_call = [&](int t) {
    auto res = raw[t]->Get("/ok");
    return res && res->status == 200 && res->body == "ok";
  };
  auto plugin_call = [&](int) {
    try {
      auto r = client.get(url);
      return r.status == 200 && r.body == "ok";
    } catch (const std::exception&) {
      return false;
    }
  };
  (void)drive_threads(threads, std::chrono::duration<double>(std::min(seconds, 0.5)), raw_call);
  (void)drive_threads(threads, std::chrono::duration<double>(std::min(seconds, 0.5)), plugin_call);

  std::printf("bench/http-client: GET %s, %d closed-loop threads, %d rounds of %.1f s each side\n", url.c_str(),
              threads, rounds, seconds);
  std::printf("(the side that goes first alternates between rounds, so drift favours neither)\n");
  std::printf("%-6s %-22s %12s %9s %9s %7s\n", "round", "client", "req/s", "p50 ms", "p99 ms", "errors");
  std::vector<LoadResult> b, h, ratios;
  auto print = [](int round, const char* side, const LoadResult& x) {
    std::printf("%-6d %-22s %12.0f %9.3f %9.3f %7ld\n", round, side, x.rps, x.p50_ms, x.p99_ms, x.errors);
  };
  for (int r = 1; r <= rounds; ++r) {
    auto run_raw = [&] { b.push_back(drive_threads(threads, std::chrono::duration<double>(seconds), raw_call)); };
    auto run_plugin = [&] { h.push_back(drive_threads(threads, std::chrono::duration<double>(seconds), plugin_call)); };
    if (r % 2 == 1) {
      run_raw();
      run_plugin();
    } else {
      run_plugin();
      run_raw();
    }
    print(r, "raw cpp-httplib", b.back());
    print(r, "http-client plugin", h.back());
    LoadResult ratio;
    ratio.rps = h.back().rps / b.back().rps;
    ratio.p99_ms = h.back().p99_ms / b.back().p99_ms;
    ratios.push_back(ratio);
  }
  double br = median(b, &LoadResult::rps), hr = median(h, &LoadResult::rps);
  double bp99 = median(b, &LoadResult::p99_ms), hp99 = median(h, &LoadResult::p99_ms);
  std::printf("median   raw %.0f req/s p99 %.3f ms | plugin %.0f req/s p99 %.3f ms\n", br, bp99, hr, hp99);
  std::printf("ratio    throughput %.3f (goal >= 0.9)   p99 %.3f   (medians of the per-round ratios)\n",
              median(ratios, &LoadResult::rps), median(ratios, &LoadResult::p99_ms));

  long errors = 0;
  for (auto& r : b) errors += r.errors;
  for (auto& r : h) errors += r.errors;
  (void)host->stop();
  std::filesystem::remove_all(dir);
  return errors == 0 ? 0 : 1;
}
