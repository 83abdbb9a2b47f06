// bench/grpc: unary echo requests per second and latency through Hyperion
// (the host, the grpc-server plugin, the bench-echo handler plugin) beside a
// bare gRPC C++ callback server built from the same proto, driven by the same
// in-repo closed-loop load generator in the same run (rounds interleaved, both
// servers in this process so both share the machine the same way).
// Goal: at least 0.9x the bare server's throughput, p99 at most 1.2x.
//
//   grpc_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [CONCURRENCY] [ROUNDS]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "app/host.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "echo.grpc.pb.h"
#include "echo_bench.h"

namespace {

using Clock = std::chrono::steady_clock;
using hyperion::bench::BareEcho;
using hyperion::bench::EchoLoad;
using hyperion::bench::LoadResult;

// A second reference, not the baseline: the same echo on gRPC's generic
// callback API (raw bytes, one bidi reactor per call), which is what the
// grpc-server plugin must use because its methods are registered after the
// server started. It tells how much of the gap is gRPC's generic path.
class BareGenericEcho final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      Reactor() { StartRead(&buffer_); }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request"));
          return;
        }
        std::vector<grpc::Slice> slices;
        (void)buffer_.Dump(&slices);
        std::string bytes;
        for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        bench::EchoMessage in, out;
        in.ParseFromString(bytes);
        out.set_payload(in.payload());
        std::string reply = out.SerializeAsString();
        grpc::Slice slice(reply);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer buffer_, response_;
    };
    return new Reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: grpc_bench PLUGIN_DIR BENCH_PLUGIN_DIR [SECONDS_PER_ROUND] [CONCURRENCY] [ROUNDS]\n");
    return 2;
  }
  double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  int concurrency = argc > 4 ? std::stoi(argv[4]) : 16;
  int rounds = argc > 5 ? std::stoi(argv[5]) : 3;

  BareEcho bare_service;
  grpc::ServerBuilder builder;
  int bare_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &bare_port);
  builder.RegisterService(&bare_service);
  auto bare = builder.BuildAndStart();
  BareGenericEcho generic_service;
  grpc::ServerBuilder generic_builder;
  int generic_port = 0;
  generic_builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &generic_port);
  generic_builder.RegisterCallbackGenericService(&generic_service);
  auto generic = generic_builder.BuildAndStart();
  if (!bare || !generic) {
    std::fprintf(stderr, "a bare server did not start\n");
    return 1;
  }

  auto dir = std::filesystem::temp_directory_path() / ("hyperion-grpc-bench-" + std::to_string(::getpid()));
  // The access log is on, but below the host's level (error): no line is built.
  std::unique_ptr<hyperion::app::Host> host;
  try {
    host = hyperion::bench::start_host(dir,
                                       "app: grpc-bench\nhost:\n  state_dir: " + (dir / "state").string() +
                                           "\nplugins:\n"
                                           "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:0\"}\n"
                                           "  - name: echo\n    library: bench-echo\n",
                                       {argv[1], argv[2]});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  int hyperion_port =
      static_cast<int>(boost::json::parse(*host->instance_health("grpc")).at("details").at("port").as_int64());

  EchoLoad bare_load("127.0.0.1:" + std::to_string(bare_port), concurrency);
  EchoLoad hyperion_load("127.0.0.1:" + std::to_string(hyperion_port), concurrency);
  EchoLoad generic_load("127.0.0.1:" + std::to_string(generic_port), concurrency);
  // Warm both (connections, thread pools, allocator).
  (void)bare_load.run(std::chrono::duration<double>(std::min(seconds, 0.5)));
  (void)hyperion_load.run(std::chrono::duration<double>(std::min(seconds, 0.5)));
  (void)generic_load.run(std::chrono::duration<double>(std::min(seconds, 0.5)));

  std::printf("bench/grpc: unary echo (32-byte payload), %d in flight on one channel, %d rounds of %.1f s each side\n",
              concurrency, rounds, seconds);
  std::printf("%-6s %-16s %12s %9s %9s %7s\n", "round", "server", "req/s", "p50 ms", "p99 ms", "errors");
  std::vector<LoadResult> b, h, g;
  auto row = [](int r, const char* name, const LoadResult& x) {
    std::printf("%-6d %-16s %12.0f %9.3f %9.3f %7ld\n", r, name, x.rps, x.p50_ms, x.p99_ms, x.errors);
  };
  for (int r = 1; r <= rounds; ++r) {
    b.push_back(bare_load.run(std::chrono::duration<double>(seconds)));
    row(r, "bare", b.back());
    h.push_back(hyperion_load.run(std::chrono::duration<double>(seconds)));
    row(r, "hyperion", h.back());
    g.push_back(generic_load.run(std::chrono::duration<double>(seconds)));
    row(r, "bare-generic", g.back());
  }
  using hyperion::bench::median;
  double br = median(b, &LoadResult::rps), hr = median(h, &LoadResult::rps);
  double bp50 = median(b, &LoadResult::p50_ms), hp50 = median(h, &LoadResult::p50_ms);
  double bp99 = median(b, &LoadResult::p99_ms), hp99 = median(h, &LoadResult::p99_ms);
  std::printf("median   bare %.0f req/s p50 %.3f ms p99 %.3f ms | hyperion %.0f req/s p50 %.3f ms p99 %.3f ms\n", br,
              bp50, bp99, hr, hp50, hp99);
  double gr = median(g, &LoadResult::rps), gp99 = median(g, &LoadResult::p99_ms);
  std::printf("ratio    throughput %.3f (goal >= 0.9)   p99 %.3f (goal <= 1.2)   [vs bare]\n", hr / br, hp99 / bp99);
  std::printf("         throughput %.3f                p99 %.3f                 [vs bare-generic %.0f req/s, p99 %.3f ms]\n",
              hr / gr, hp99 / gp99, gr, gp99);
  std::printf("original target: > 50000 req/s with p99 < 5 ms -> hyperion %s (%.0f req/s, p99 %.3f ms)\n",
              hr > 50000 && hp99 < 5 ? "meets it" : "does not meet it on this machine", hr, hp99);

  long errors = 0;
  for (auto& r : b) errors += r.errors;
  for (auto& r : h) errors += r.errors;
  for (auto& r : g) errors += r.errors;
  (void)host->stop();
  bare->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  generic->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::filesystem::remove_all(dir);
  return errors == 0 ? 0 : 1;
}
