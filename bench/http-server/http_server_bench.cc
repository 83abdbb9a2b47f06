// bench/http-server: keep-alive GET answering 64 bytes of JSON.
//
//   - through Hyperion: a real host, the http-server plugin (2 I/O threads) and
//     the bench-hello handler plugin (C++ helpers);
//   - the bare engine it is built on: Boost.Beast serving the same bytes from a
//     lambda on 2 I/O threads (bare_beast_server.cc);
//   - the other engine considered: a bare cpp-httplib server (docs/decisions/0013).
// Same load client (common/raw_http_client.cc), same connections, rounds interleaved;
// prints medians and the ratios (goal: Hyperion at least 0.9x the bare engine's
// requests/s, p99 at most 1.2x). Then the same load while 16 slow clients hold
// connections open with half a request each: what an engine with a fixed
// worker pool cannot survive.
//
//   http_server_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [ROUNDS] [hyperion|beast|httplib]
// The last argument loads one server only, for a profiler (perf record -p).
#include <httplib.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "app/host.h"
#include "bare_beast_server.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "hello_body.h"
#include "common/raw_http_client.h"

namespace {

using hyperion::bench::LoadResult;
using hyperion::bench::median;

constexpr int kConnections = 4;
constexpr int kSlowClients = 16;

LoadResult drive(int port, std::chrono::duration<double> duration) {
  std::vector<std::unique_ptr<bench::RawHttpClient>> clients;
  for (int c = 0; c < kConnections; ++c) clients.push_back(std::make_unique<bench::RawHttpClient>(port));
  return hyperion::bench::drive_threads(kConnections, duration, [&](int c) { return clients[c]->get("/hello"); });
}

// Slow clients: each opens a connection and sends half a request, then nothing.
std::vector<std::unique_ptr<bench::RawHttpClient>> slow_clients(int port) {
  std::vector<std::unique_ptr<bench::RawHttpClient>> out;
  for (int i = 0; i < kSlowClients; ++i) {
    out.push_back(std::make_unique<bench::RawHttpClient>(port));
    out.back()->send_partial("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let every server accept them
  return out;
}

void print(const char* name, const std::vector<LoadResult>& rounds) {
  long errors = 0;
  for (const auto& r : rounds) errors += r.errors;
  std::printf("%-34s %12.0f %10.3f %10.3f %8ld\n", name, median(rounds, &LoadResult::rps),
              median(rounds, &LoadResult::p50_ms), median(rounds, &LoadResult::p99_ms), errors);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: http_server_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [ROUNDS]\n");
    return 2;
  }
  const std::vector<std::string> plugin_path = {argv[1], argv[2]};
  const std::chrono::duration<double> round(argc > 3 ? std::atof(argv[3]) : 1.0);
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
  char tmpl[] = "/tmp/hyperion-http-server-bench-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);

  auto host = hyperion::bench::start_host(
      dir,
      "app: bench\nhost:\n  state_dir: " + (dir / "state").string() +
          "\n  admin: {enabled: false}\nplugins:\n"
          "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:0\", threads: 2}\n"
          "  - name: hello\n    library: bench-hello\n",
      plugin_path);
  int hyperion_port =
      static_cast<int>(boost::json::parse(*host->instance_health("web")).at("details").at("port").as_int64());

  bench::BareBeastServer beast(2);
  httplib::Server httplib_server;
  httplib_server.set_tcp_nodelay(true);
  httplib_server.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kHelloBody), "application/json");
  });
  int httplib_port = httplib_server.bind_to_any_port("127.0.0.1");
  std::thread httplib_thread([&] { httplib_server.listen_after_bind(); });
  while (!httplib_server.is_running()) std::this_thread::yield();

  if (argc > 5) {
    std::string only = argv[5];
    int port = only == "beast" ? beast.port() : only == "httplib" ? httplib_port : hyperion_port;
    std::vector<LoadResult> one;
    for (int r = 0; r < rounds; ++r) one.push_back(drive(port, round));
    print(only.c_str(), one);
    httplib_server.stop();
    httplib_thread.join();
    return 0;
  }
  for (int port : {beast.port(), httplib_port, hyperion_port}) drive(port, std::chrono::milliseconds(200));  // warm up
  std::vector<LoadResult> b, c, h;
  for (int r = 0; r < rounds; ++r) {
    b.push_back(drive(beast.port(), round));
    c.push_back(drive(httplib_port, round));
    h.push_back(drive(hyperion_port, round));
  }
  std::printf("bench/http-server: GET 64 bytes of JSON, %d keep-alive connections, %d rounds of %.1f s, interleaved\n",
              kConnections, rounds, round.count());
  std::printf("%-34s %12s %10s %10s %8s\n", "", "requests/s", "p50 ms", "p99 ms", "errors");
  print("bare Boost.Beast (lambda)", b);
  print("bare cpp-httplib (lambda)", c);
  print("hyperion http-server + plugin", h);
  double rps_ratio = median(h, &LoadResult::rps) / median(b, &LoadResult::rps);
  double p99_ratio = median(h, &LoadResult::p99_ms) / median(b, &LoadResult::p99_ms);
  std::printf("hyperion / bare Beast: throughput %.2fx (goal >= 0.9: %s), p99 %.2fx (goal <= 1.2: %s)\n", rps_ratio,
              rps_ratio >= 0.9 ? "met" : "NOT met", p99_ratio, p99_ratio <= 1.2 ? "met" : "NOT met");
  std::printf("cpp-httplib / bare Beast: throughput %.2fx, p99 %.2fx\n\n",
              median(c, &LoadResult::rps) / median(b, &LoadResult::rps),
              median(c, &LoadResult::p99_ms) / median(b, &LoadResult::p99_ms));

  // The same load with slow clients holding connections.
  std::vector<LoadResult> bs, cs, hs;
  {
    auto s1 = slow_clients(beast.port());
    auto s2 = slow_clients(httplib_port);
    auto s3 = slow_clients(hyperion_port);
    bs.push_back(drive(beast.port(), round));
    cs.push_back(drive(httplib_port, round));
    hs.push_back(drive(hyperion_port, round));
  }
  std::printf("with %d slow clients each holding half a request open:\n", kSlowClients);
  std::printf("%-34s %12s %10s %10s %8s\n", "", "requests/s", "p50 ms", "p99 ms", "errors");
  print("bare Boost.Beast (lambda)", bs);
  print("bare cpp-httplib (lambda)", cs);
  print("hyperion http-server + plugin", hs);

  httplib_server.stop();
  httplib_thread.join();
  (void)host->stop();
  host.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
