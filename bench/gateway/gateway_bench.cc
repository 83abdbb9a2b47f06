// bench/gateway: GET -> gRPC unary through the api-gateway (http-server +
// api-gateway + grpc-client in a host, JSON <-> protobuf both ways) beside the
// same gRPC call made directly (a typed grpc++ stub), both against the same
// bare grpc++ callback echo server in this process, with the same number of
// closed-loop clients, in the same run (rounds interleaved, the side that goes
// first alternating). Prints calls/s and p50/p99 for both, their ratio, and the
// latency the gateway adds. Goal (#19): p99 overhead under 1 ms on loopback.
//
//   gateway_bench PLUGIN_DIR DESCRIPTOR_SET [SECONDS_PER_ROUND] [CLIENTS] [ROUNDS]
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/bench_host.h"
#include "common/free_port.h"
#include "common/load_stats.h"
#include "echo.grpc.pb.h"
#include "echo_bench.h"
#include "common/raw_http_client.h"

using hyperion::bench::free_port;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gateway_bench PLUGIN_DIR DESCRIPTOR_SET [SECONDS_PER_ROUND] [CLIENTS] [ROUNDS]\n");
    return 2;
  }
  const double seconds = argc > 3 ? std::stod(argv[3]) : 2.0;
  const int clients = argc > 4 ? std::stoi(argv[4]) : 4;
  const int rounds = argc > 5 ? std::stoi(argv[5]) : 5;

  hyperion::bench::BareEcho service;
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server) {
    std::fprintf(stderr, "the echo server did not start\n");
    return 1;
  }
  const std::string address = "127.0.0.1:" + std::to_string(grpc_port);
  const std::string payload(32, 'x');

  // The baseline: the call made directly, one typed stub per client thread.
  std::vector<std::unique_ptr<bench::Echo::Stub>> stubs;
  for (int i = 0; i < clients; ++i) {
    stubs.push_back(bench::Echo::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
  }
  auto direct = [&](int t) {
    grpc::ClientContext ctx;
    bench::EchoMessage request, reply;
    request.set_payload(payload);
    return stubs[t]->Echo(&ctx, request, &reply).ok() && reply.payload() == payload;
  };

  // Hyperion: GET /echo/<payload> through the gateway to the same server.
  const int web_port = free_port();
  auto dir = std::filesystem::temp_directory_path() / ("hyperion-gateway-bench-" + std::to_string(::getpid()));
  std::unique_ptr<hyperion::app::Host> host;
  try {
    host = hyperion::bench::start_host(
        dir,
        "app: gateway-bench\nhost:\n  state_dir: " + (dir / "state").string() +
            "\nplugins:\n"
            "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:" +
            std::to_string(web_port) +
            "\", access_log: false}\n"
            "  - name: grpc\n    library: grpc-client\n    config: {targets: {echo: {address: \"" +
            address +
            "\"}}}\n"
            "  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" +
            std::string(argv[2]) +
            "\"]\n      routes: [{method: GET, path: \"/echo/{payload}\", "
            "grpc: {target: echo, method: bench.Echo/Echo}}]\n",
        {argv[1]});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::vector<std::unique_ptr<bench::RawHttpClient>> http;
  for (int i = 0; i < clients; ++i) http.push_back(std::make_unique<bench::RawHttpClient>(web_port));
  const std::string path = "/echo/" + payload;
  auto through_gateway = [&](int t) { return http[t]->get(path); };

  std::printf(
      "GET -> gRPC unary through the api-gateway vs the same call made directly: %d clients, %.1f s x %d "
      "rounds\n",
      clients, seconds, rounds);
  std::vector<hyperion::bench::LoadResult> base, gw;
  const long errors = hyperion::bench::side_by_side(
      rounds, "calls/s", "direct grpc++ stub",
      [&] {
        base.push_back(hyperion::bench::drive_threads(clients, std::chrono::duration<double>(seconds), direct));
        return base.back();
      },
      "gateway (HTTP/JSON)",
      [&] {
        gw.push_back(hyperion::bench::drive_threads(clients, std::chrono::duration<double>(seconds), through_gateway));
        return gw.back();
      },
      "no goal: the gateway parses HTTP and JSON and then makes the gRPC call");
  using hyperion::bench::LoadResult;
  using hyperion::bench::median;
  std::printf("added by the gateway: p50 %+.3f ms, p99 %+.3f ms (medians; goal: p99 under 1 ms)\n",
              median(gw, &LoadResult::p50_ms) - median(base, &LoadResult::p50_ms),
              median(gw, &LoadResult::p99_ms) - median(base, &LoadResult::p99_ms));
  http.clear();
  (void)host->stop();
  host.reset();
  server->Shutdown();
  std::filesystem::remove_all(dir);
  return errors == 0 ? 0 : 1;
}
