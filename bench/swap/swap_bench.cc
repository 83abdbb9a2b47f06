// What a hot swap costs: how long one takes, and what clients see while swaps
// run back to back, beside the same clients in steady state, in the same run.
//
//   swap_bench <plugin_dir> [seconds per phase] [client threads] [rounds] [ms between swaps]
//
// A host runs grpc-server and the greeter example. Client threads call
// hello.Greeter/SayHello in closed loops. Each round measures a steady phase
// (no swap), then a swapping phase (greeter <-> greeter-v2, a new swap every
// few milliseconds — 20 a second by default, far more than any deployment —
// for the same time). With 0 ms between swaps they run back to back, and on
// a 2-core machine the swapping thread then takes a core from the clients. Printed: swap time p50/p99 over every swap,
// the clients' p50/p99 and failed calls in each phase, and the p99 ratio. Goal: no failed call, p99 while swapping at
// most 2x steady.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/bench_host.h"
#include "common/load_stats.h"
#include "hello/greeter.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using hyperion::bench::LoadResult;

LoadResult drive(hello::Greeter::Stub& stub, int threads, double seconds) {
  return hyperion::bench::drive_threads(threads, std::chrono::duration<double>(seconds), [&](int) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    hello::HelloRequest request;
    request.set_name("bench");
    hello::HelloReply reply;
    return stub.SayHello(&ctx, request, &reply).ok() && !reply.message().empty();
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: swap_bench <plugin_dir> [seconds per phase] [client threads] [rounds]\n");
    return 2;
  }
  const std::string plugin_dir = argv[1];
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  const int threads = argc > 3 ? std::stoi(argv[3]) : 4;
  const int rounds = argc > 4 ? std::stoi(argv[4]) : 3;
  const auto gap = std::chrono::milliseconds(argc > 5 ? std::stoi(argv[5]) : 50);
  const auto dir = std::filesystem::temp_directory_path() / ("hyperion-swap-bench-" + std::to_string(::getpid()));
  const std::string manifest = "app: swap-bench\nhost:\n  state_dir: " + (dir / "state").string() +
                               "\n  admin: {enabled: false}\nplugins:\n"
                               "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:0\"}\n"
                               "  - name: greeter\n    library: greeter\n";
  int status = 0;
  try {
    auto host = hyperion::bench::start_host(dir, manifest, {plugin_dir});
    auto report = host->instance_health("grpc");
    const int port = static_cast<int>(boost::json::parse(*report).at("details").at("port").as_int64());
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    auto stub = hello::Greeter::NewStub(channel);
    (void)drive(*stub, threads, 0.2);  // warm up: connections, workers

    std::vector<double> swap_ms;
    std::vector<LoadResult> steady, swapping;
    long unloaded = 0, pinned = 0, failed_swaps = 0;
    bool to_v2 = true;
    for (int round = 0; round < rounds; ++round) {
      steady.push_back(drive(*stub, threads, seconds));
      std::atomic<bool> load_done{false};
      std::thread swapper([&] {
        while (!load_done.load()) {
          const auto begin = Clock::now();
          auto r = host->reloads().swap("greeter", {to_v2 ? "greeter-v2" : "greeter", std::nullopt}, "bench", "");
          swap_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
          if (!r.ok()) {
            ++failed_swaps;
            std::fprintf(stderr, "swap failed: %s\n", r.summary().c_str());
            continue;
          }
          to_v2 = !to_v2;
          (r.diff.at("greeter").at("old_library").at("unloaded").as_bool() ? unloaded : pinned) += 1;
          for (auto until = Clock::now() + gap; !load_done.load() && Clock::now() < until;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        }
      });
      swapping.push_back(drive(*stub, threads, seconds));
      load_done = true;
      swapper.join();
    }
    auto field = [](const std::vector<LoadResult>& v, double LoadResult::*f) { return hyperion::bench::median(v, f); };
    long steady_errors = 0, swapping_errors = 0;
    for (const auto& r : steady) steady_errors += r.errors;
    for (const auto& r : swapping) swapping_errors += r.errors;
    const size_t swaps = swap_ms.size();
    const double swap_p50 = hyperion::bench::percentile(swap_ms, 0.5),
                 swap_p99 = hyperion::bench::percentile(swap_ms, 0.99);
    std::printf(
        "hot swap of a gRPC handler plugin (greeter <-> greeter-v2), %d client threads, %d rounds of %.1f s, a swap "
        "every %lld ms\n",
        threads, rounds, seconds, static_cast<long long>(gap.count()));
    std::printf(
        "  swaps: %zu (%ld old libraries unloaded, %ld pinned, %ld failed); time per swap p50 %.2f ms, p99 %.2f ms\n",
        swaps, unloaded, pinned, failed_swaps, swap_p50, swap_p99);
    std::printf("  %-26s %10s %10s %10s %8s\n", "clients", "calls/s", "p50 ms", "p99 ms", "failed");
    std::printf("  %-26s %10.0f %10.3f %10.3f %8ld\n", "steady (baseline)", field(steady, &LoadResult::rps),
                field(steady, &LoadResult::p50_ms), field(steady, &LoadResult::p99_ms), steady_errors);
    std::printf("  %-26s %10.0f %10.3f %10.3f %8ld\n", "while swapping", field(swapping, &LoadResult::rps),
                field(swapping, &LoadResult::p50_ms), field(swapping, &LoadResult::p99_ms), swapping_errors);
    const double ratio = field(swapping, &LoadResult::p99_ms) / std::max(1e-9, field(steady, &LoadResult::p99_ms));
    std::printf("  p99 while swapping / steady: %.2fx (goal: at most 2x, no failed call)\n", ratio);
    if (swapping_errors != 0 || steady_errors != 0 || failed_swaps != 0 || pinned != 0) status = 1;
    (void)host->stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "swap_bench: %s\n", e.what());
    status = 1;
  }
  std::filesystem::remove_all(dir);
  return status;
}
