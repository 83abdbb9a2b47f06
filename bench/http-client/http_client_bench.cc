// bench/http-client: GET requests per second and latency through the
// http-client plugin (host + plugin, called through the http.client ABI with the
// C++ helpers, as a plugin would) beside raw cpp-httplib clients, against the
// same local keep-alive server (one_write_server.h), with the same closed-loop
// threads, in the same run (rounds interleaved, the side that goes first
// alternating). Goal: at least 0.9x the raw client's throughput. A second
// comparison runs the raw clients with the request the plugin sends (its
// traceparent header, its capped body receiver), to tell the plugin's own cost
// from what the request itself costs.
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
  // The same raw clients sending what the plugin sends on every call: a
  // traceparent header (a child span; the plugin makes a new one per call) and
  // the body through a size-capped receiver. What separates this side from the
  // plugin is the plugin's own work; what separates it from the first side is
  // what every call of the client's contract costs on the wire and in cpp-httplib.
  auto raw_same_request_call = [&](int t) {
    httplib::Request req;
    req.method = "GET";
    req.path = "/ok";
    req.headers.emplace("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    std::string body;
    req.content_receiver = [&body](const char* data, size_t n, uint64_t, uint64_t) {
      if (body.size() + n > (64u << 20)) return false;
      body.append(data, n);
      return true;
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    return raw[t]->send(req, res, err) && res.status == 200 && body == "ok";
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
  const long errors = hyperion::bench::side_by_side(
      rounds, "req/s", "raw cpp-httplib",
      [&] { return drive_threads(threads, std::chrono::duration<double>(seconds), raw_call); }, "http-client plugin",
      [&] { return drive_threads(threads, std::chrono::duration<double>(seconds), plugin_call); });
  std::printf("\nthe same raw clients sending what the plugin sends (a traceparent, a size-capped body receiver):\n");
  const long errors_same = hyperion::bench::side_by_side(
      rounds, "req/s", "raw, same request",
      [&] { return drive_threads(threads, std::chrono::duration<double>(seconds), raw_same_request_call); },
      "http-client plugin",
      [&] { return drive_threads(threads, std::chrono::duration<double>(seconds), plugin_call); });
  (void)host->stop();
  std::filesystem::remove_all(dir);
  return errors + errors_same == 0 ? 0 : 1;
}
