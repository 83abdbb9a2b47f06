// bench/grpc-client: unary echo calls per second and latency through the
// grpc-client plugin (a host with the plugin, called through the grpc.client
// ABI as a plugin would, asynchronously) beside a bare grpc++ generic client
// (GenericStub, callback API, raw bytes), both against the same bare grpc++
// callback echo server in this process, with the same number of calls in
// flight, in the same run (rounds interleaved, the side that goes first
// alternating). Goal: at least 0.9x the bare client's calls/s, p99 at most 1.2x.
//
//   grpc_client_bench PLUGIN_DIR [SECONDS_PER_ROUND] [IN_FLIGHT] [ROUNDS]
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <hyperion/services/grpc_client.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "app/host.h"
#include "common/bench_host.h"
#include "common/load_stats.h"
#include "echo.grpc.pb.h"
#include "echo_bench.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"

namespace {

using Clock = std::chrono::steady_clock;
using hyperion::bench::BareEcho;
using hyperion::bench::LoadResult;

// A closed loop of `in_flight` asynchronous calls: `issue(slot, done)` starts
// one call and must call done(ok) once when it ends; each completion starts
// the slot's next call until the time is up.
class ClosedLoop {
 public:
  using Issue = std::function<void(size_t slot, std::function<void(bool)> done)>;
  ClosedLoop(int in_flight, Issue issue) : issue_(std::move(issue)), latencies_(in_flight) {}

  LoadResult run(std::chrono::duration<double> duration) {
    for (auto& l : latencies_) l.clear();
    errors_ = 0;
    const auto begin = Clock::now();
    until_ = begin + std::chrono::duration_cast<Clock::duration>(duration);
    outstanding_ = static_cast<int>(latencies_.size());
    for (size_t slot = 0; slot < latencies_.size(); ++slot) next(slot);
    {
      std::unique_lock lock(mu_);
      done_.wait(lock, [&] { return outstanding_ == 0; });
    }
    return hyperion::bench::summarize(latencies_, std::chrono::duration<double>(Clock::now() - begin).count(), errors_);
  }

 private:
  // Calls of one slot never overlap, so its latency vector needs no lock.
  void next(size_t slot) {
    const auto start = Clock::now();
    issue_(slot, [this, slot, start](bool ok) {
      const auto now = Clock::now();
      latencies_[slot].push_back(std::chrono::duration<double, std::milli>(now - start).count());
      if (!ok) ++errors_;
      if (now < until_) return next(slot);
      std::lock_guard lock(mu_);
      if (--outstanding_ == 0) done_.notify_all();
    });
  }

  Issue issue_;
  std::vector<std::vector<double>> latencies_;
  std::atomic<long> errors_{0};
  Clock::time_point until_;
  std::mutex mu_;
  std::condition_variable done_;
  int outstanding_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: grpc_client_bench PLUGIN_DIR [SECONDS_PER_ROUND] [IN_FLIGHT] [ROUNDS]\n");
    return 2;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  const int in_flight = argc > 3 ? std::stoi(argv[3]) : 16;
  const int rounds = argc > 4 ? std::stoi(argv[4]) : 3;

  BareEcho service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server) {
    std::fprintf(stderr, "the echo server did not start\n");
    return 1;
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::string method = "/bench.Echo/Echo";
  bench::EchoMessage message;
  message.set_payload(std::string(32, 'x'));
  const std::string request = message.SerializeAsString();
  auto answered_well = [&](const std::string& bytes) {
    bench::EchoMessage m;
    return m.ParseFromString(bytes) && m.payload().size() == 32;
  };

  // The baseline: a bare generic client on one channel.
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::Slice request_slice(request.data(), request.size());
  const grpc::ByteBuffer request_buffer(&request_slice, 1);
  struct BareCall {
    grpc::ClientContext ctx;
    grpc::ByteBuffer response;
  };
  ClosedLoop bare(in_flight, [&](size_t, std::function<void(bool)> done) {
    auto* call = new BareCall;
    stub.UnaryCall(&call->ctx, method, grpc::StubOptions(), &request_buffer, &call->response,
                   [&, call, done = std::move(done)](grpc::Status s) {
                     grpc::Slice flat;
                     bool ok = s.ok() && call->response.DumpToSingleSlice(&flat).ok() &&
                               answered_well(std::string(reinterpret_cast<const char*>(flat.begin()), flat.size()));
                     delete call;
                     done(ok);
                   });
  });

  // Hyperion: the plugin in a host, its service called as a plugin would.
  auto dir = std::filesystem::temp_directory_path() / ("hyperion-grpc-client-bench-" + std::to_string(::getpid()));
  std::unique_ptr<hyperion::app::Host> host;
  try {
    host = hyperion::bench::start_host(dir,
                                       "app: grpc-client-bench\nhost:\n  state_dir: " + (dir / "state").string() +
                                           "\nplugins:\n  - name: grpc\n    library: grpc-client\n"
                                           "    config: {targets: {echo: {address: \"" +
                                           address + "\"}}}\n",
                                       {argv[1]});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  hyperion_host_api_t api = *hyperion::hostapi::host_api_table();
  api.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
  hyperion::grpc::Client client(
      hyperion::ServiceHandle(&api, host->facilities().services.acquire(nullptr, "grpc", HYPERION_GRPC_CLIENT_API, 1)));
  const hyperion::grpc::CallOptions options;
  ClosedLoop plugin(in_flight, [&](size_t, std::function<void(bool)> done) {
    client.unary_async("echo", method, request, options, [&, done = std::move(done)](hyperion::grpc::Reply r) {
      done(r.ok() && answered_well(r.response));
    });
  });

  // Warm both (connections, thread pools, allocator).
  (void)bare.run(std::chrono::duration<double>(std::min(seconds, 0.5)));
  (void)plugin.run(std::chrono::duration<double>(std::min(seconds, 0.5)));

  std::printf(
      "bench/grpc-client: unary echo (32-byte payload) to a bare grpc++ server, %d in flight, %d rounds of "
      "%.1f s each side\n",
      in_flight, rounds, seconds);
  const long errors = hyperion::bench::side_by_side(
      rounds, "calls/s", "bare grpc++ generic", [&] { return bare.run(std::chrono::duration<double>(seconds)); },
      "grpc-client plugin", [&] { return plugin.run(std::chrono::duration<double>(seconds)); });
  (void)host->stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::filesystem::remove_all(dir);
  return errors == 0 ? 0 : 1;
}
