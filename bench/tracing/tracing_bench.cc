// bench/tracing: unary echo throughput and latency through a Hyperion gRPC
// server (grpc-server + the bench-echo handler plugin) with no tracing
// instance, and with one sampling at ratio 0, 0.1 and 1.0 (exporting over
// OTLP/HTTP to a sink in this process that answers 200), driven by the same
// closed-loop load in the same run, rounds interleaved. Goal: ratio 0 costs at
// most 2% of the untraced throughput, ratio 1.0 at most 10%.
//
//   tracing_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [CONCURRENCY] [ROUNDS]
#include <httplib.h>

#include <boost/json.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/host.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "echo_bench.h"

using hyperion::bench::EchoLoad;
using hyperion::bench::LoadResult;
using hyperion::bench::median;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: tracing_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [CONCURRENCY] [ROUNDS]\n");
    return 2;
  }
  const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  const int concurrency = argc > 4 ? std::stoi(argv[4]) : 16;
  const int rounds = argc > 5 ? std::stoi(argv[5]) : 3;

  // The collector: takes every export and counts the bytes.
  httplib::Server sink;
  std::atomic<long> exports{0};
  sink.Post("/v1/traces", [&](const httplib::Request&, httplib::Response& res) {
    ++exports;
    res.set_content("{}", "application/json");
  });
  const int sink_port = sink.bind_to_any_port("127.0.0.1");
  std::thread sink_thread([&] { sink.listen_after_bind(); });

  struct Variant {
    const char* name;
    std::string tracing;  // the tracing instance's config, empty: none
    std::unique_ptr<hyperion::app::Host> host;
    std::unique_ptr<EchoLoad> load;
    std::vector<LoadResult> results;
  };
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(sink_port) + "/v1/traces";
  auto with_ratio = [&](const char* ratio) {
    return "{service_name: bench, exporter: {endpoint: \"" + endpoint +
           "\"}, sampler: {type: parent_based_ratio, ratio: " + ratio + "}, batch: {max_queue: 65536}}";
  };
  std::vector<Variant> variants;
  variants.push_back({"no tracing", "", nullptr, nullptr, {}});
  variants.push_back({"ratio 0", with_ratio("0"), nullptr, nullptr, {}});
  variants.push_back({"ratio 0.1", with_ratio("0.1"), nullptr, nullptr, {}});
  variants.push_back({"ratio 1.0", with_ratio("1.0"), nullptr, nullptr, {}});
  const auto base = std::filesystem::temp_directory_path() / ("hyperion-tracing-bench-" + std::to_string(::getpid()));
  for (size_t i = 0; i < variants.size(); ++i) {
    auto dir = base / std::to_string(i);
    std::string manifest = "app: tracing-bench\nhost:\n  state_dir: " + (dir / "state").string() + "\nplugins:\n";
    if (!variants[i].tracing.empty()) {
      manifest += "  - name: tracing\n    library: tracing\n    config: " + variants[i].tracing + "\n";
    }
    manifest +=
        "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:0\"}\n"
        "  - name: echo\n    library: bench-echo\n";
    try {
      variants[i].host = hyperion::bench::start_host(dir, manifest, {argv[1], argv[2]});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
    const int port = static_cast<int>(
        boost::json::parse(*variants[i].host->instance_health("grpc")).at("details").at("port").as_int64());
    variants[i].load = std::make_unique<EchoLoad>("127.0.0.1:" + std::to_string(port), concurrency);
    (void)variants[i].load->run(std::chrono::duration<double>(std::min(seconds, 0.5)));  // warm up
  }

  std::printf("bench/tracing: unary echo through grpc-server + bench-echo, %d in flight, %d rounds of %.1f s each\n",
              concurrency, rounds, seconds);
  std::printf("%-6s %-12s %12s %9s %9s %7s\n", "round", "tracing", "req/s", "p50 ms", "p99 ms", "errors");
  for (int r = 1; r <= rounds; ++r) {
    // A different variant leads each round, so drift favours none.
    for (size_t k = 0; k < variants.size(); ++k) {
      Variant& v = variants[(k + static_cast<size_t>(r)) % variants.size()];
      v.results.push_back(v.load->run(std::chrono::duration<double>(seconds)));
      const LoadResult& x = v.results.back();
      std::printf("%-6d %-12s %12.0f %9.3f %9.3f %7ld\n", r, v.name, x.rps, x.p50_ms, x.p99_ms, x.errors);
    }
  }
  const double none = median(variants[0].results, &LoadResult::rps);
  std::printf("median throughput, as a share of no tracing (goal: ratio 0 >= 0.98, ratio 1.0 >= 0.90):\n");
  long errors = 0;
  for (const auto& v : variants) {
    const double rps = median(v.results, &LoadResult::rps);
    std::printf("  %-12s %10.0f req/s  %.3f   p99 %.3f ms\n", v.name, rps, rps / none,
                median(v.results, &LoadResult::p99_ms));
    for (const auto& x : v.results) errors += x.errors;
  }
  std::printf("exports received by the sink: %ld\n", exports.load());
  for (auto& v : variants) (void)v.host->stop();
  sink.stop();
  sink_thread.join();
  std::filesystem::remove_all(base);
  return errors == 0 ? 0 : 1;
}
