// /metrics as the ecosystem's own tools read it (issue #26). One host runs every
// in-tree plugin (health, tracing, grpc-server + greeter, grpc-client,
// http-server + notes, http-client, discovery and consul-config on a real etcd,
// reloadable, api-gateway), serves traffic through each, and is scraped twice:
//  - the Prometheus text format must pass `promtool check metrics` (Prometheus'
//    own linter: HELP on every family, naming rules) with nothing to report;
//  - OpenMetrics (asked for with Prometheus' Accept header) must parse with
//    the reference parser (python3-prometheus-client) and carry exemplars with
//    the trace ids of the sampled calls.
// (Named Grpc*: it runs gRPC in this process, which the TSan run leaves out,
// decision 0007.)
#include <gtest/gtest.h>
#include <httplib.h>

#include <hyperion/services/grpc_client.hpp>
#include <hyperion/services/http_client.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "hello/greeter.pb.h"
#include "support/etcd_server.h"
#include "support/in_process_host.h"
#include "tracing/otlp_receiver.h"

namespace hyperion::metrics {
namespace {

using namespace std::chrono_literals;

const std::string kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

// The in-tree plugins' families and the host's, once traffic went through all.
const std::set<std::string> kExpectedFamilies = {"hyperion_instance_running",
                                                 "hyperion_instance_healthy",
                                                 "hyperion_health_check_duration_seconds",
                                                 "hyperion_reloads_total",
                                                 "grpc_server_handled_total",
                                                 "grpc_server_handling_seconds",
                                                 "grpc_client_handled_total",
                                                 "grpc_client_handling_seconds",
                                                 "http_server_requests_total",
                                                 "http_server_request_duration_seconds",
                                                 "http_client_requests_total",
                                                 "http_client_request_duration_seconds",
                                                 "discovery_registrations_total",
                                                 "discovery_instances",
                                                 "remote_config_changes_total",
                                                 "remote_config_apply_seconds",
                                                 "tracing_spans_started_total",
                                                 "tracing_spans_sampled_total",
                                                 "tracing_spans_exported_total",
                                                 "tracing_export_duration_seconds",
                                                 "gateway_requests_total",
                                                 "gateway_request_duration_seconds",
                                                 "gateway_upstream_requests_total",
                                                 "gateway_upstream_duration_seconds"};

std::set<std::string> families_in(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# TYPE ")) names.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  return names;
}

std::string scrape(httplib::Client& client, const std::string& accept, std::string* content_type = nullptr) {
  auto r = client.Get("/metrics", {{"Accept", accept}});
  if (!r || r->status != 200) return {};
  if (content_type != nullptr) *content_type = r->get_header_value("Content-Type");
  return r->body;
}

TEST(GrpcMetricsConventions, EveryInTreePluginsMetricsPassPrometheusToolsAsTheyAre) {
  if (!testing::EtcdServer::available()) GTEST_SKIP() << "etcd-server is not installed (scripts/setup.sh)";
  ASSERT_EQ(testing::run_process({"/bin/sh", "-c", "command -v promtool"}).exit_code, 0)
      << "promtool is missing: scripts/setup.sh installs it";
  testing::EtcdServer etcd;
  tracing_test::OtlpReceiver receiver;
  const int health_port = testing::free_loopback_port();
  const int grpc_port = testing::free_loopback_port();
  const int http_port = testing::free_loopback_port();
  const std::string port_text = std::to_string(http_port);
  testing::InProcessHost host(
      "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:" + std::to_string(health_port) +
          "\"}\n"
          "  - name: tracing\n    library: tracing\n    config: {service_name: shop, exporter: {endpoint: \"" +
          receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 20}}\n" +
          "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:" + std::to_string(grpc_port) +
          "\"}\n" + "  - name: greeter\n    library: greeter\n" +
          "  - name: grpc-out\n    library: grpc-client\n    config: {targets: {greeter: {address: \"127.0.0.1:" +
          std::to_string(grpc_port) + "\"}}}\n" + "  - name: web\n    library: http-server\n" +
          "    config: {listen: \"127.0.0.1:" + port_text + "\"}\n" + "  - name: notes\n    library: notes\n" +
          "  - name: http-out\n    library: http-client\n" +
          "  - name: registry\n    library: discovery\n    config:\n      backend: etcd\n      endpoints: [" +
          etcd.endpoint() + "]\n      register: [{service: notes, address: 127.0.0.1, port: " + port_text +
          "}]\n      follow: [notes]\n" +
          "  - name: remote\n    library: consul-config\n    config:\n      type: etcd\n      address: " +
          etcd.endpoint() + "\n      prefix: hyperion/shop\n      debounce_ms: 50\n" +
          "  - name: settings\n    library: reloadable\n" +
          "  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" +
          std::string(HYPERION_TEST_DESCRIPTORS) + "/greeter.pb\"]\n" +
          "      routes: [{method: GET, path: \"/gw/hello/{name}\", grpc: {target: greeter, method: "
          "hello.Greeter/SayHello}}]\n",
      "shop");

  // Traffic through every plugin: a gRPC call (client and server spans, both
  // sampled), HTTP calls through discovery to the notes API, and a remote
  // config change that reloads the settings instance.
  {
    grpc::Client client(host.acquire("grpc-out", HYPERION_GRPC_CLIENT_API, HYPERION_GRPC_CLIENT_MAJOR));
    hello::HelloRequest request;
    request.set_name("Ada");
    EXPECT_EQ(client.call<hello::HelloReply>("greeter", "/hello.Greeter/SayHello", request).message(), "Hello, Ada!");
  }
  {
    http::Client client(host.acquire("http-out", HYPERION_HTTP_CLIENT_API, HYPERION_HTTP_CLIENT_MAJOR));
    http::client::Response listed;
    // The registration reaches the registry once the host is ready: bounded wait.
    for (int i = 0; i < 200 && listed.status != 200; ++i) {
      try {
        listed = client.get("discovery://notes/api/v1/notes");
      } catch (const std::exception&) {
        std::this_thread::sleep_for(50ms);
      }
    }
    EXPECT_EQ(listed.status, 200) << listed.body;
  }
  {
    httplib::Client web("127.0.0.1", http_port);
    auto r = web.Get("/gw/hello/Ada");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  ASSERT_EQ(etcd.etcdctl({"put", "hyperion/shop/settings/log_level", "debug"}).exit_code, 0);

  httplib::Client scraper("127.0.0.1", health_port);
  std::string text;
  std::set<std::string> missing = kExpectedFamilies;
  for (int i = 0; i < 200 && !missing.empty(); ++i) {
    (void)scraper.Get("/readyz");  // a health round records the check metrics
    text = scrape(scraper, "text/plain");
    const auto found = families_in(text);
    std::erase_if(missing, [&](const std::string& name) { return found.contains(name); });
    if (!missing.empty()) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(missing.empty()) << "families never seen, first: " << *missing.begin() << "\n" << text;

  // Prometheus' linter, as an operator would run it.
  testing::TempDir dir;
  const std::string text_file = dir.write("metrics.txt", text);
  testing::ProcessResult lint = testing::run_process({"/bin/sh", "-c", "promtool check metrics < " + text_file});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  EXPECT_EQ(lint.out + lint.err, "") << "promtool has something to say about:\n" << text;
  EXPECT_EQ(text.find("gave no description"), std::string::npos) << "every in-tree family is described:\n" << text;

  // OpenMetrics, as Prometheus asks for it, through the reference parser.
  std::string content_type;
  const std::string open_metrics = scrape(scraper, kPrometheusAccept, &content_type);
  EXPECT_EQ(content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(open_metrics.ends_with("# EOF\n"));
  const std::string om_file = dir.write("metrics.om", open_metrics);
  testing::ProcessResult parsed = testing::run_process(
      {"/usr/bin/python3", testing::source_dir() + "/tests/metrics/check_openmetrics.py", om_file});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out << parsed.err << "\n" << open_metrics;
  EXPECT_NE(parsed.out.find("family grpc_server_handled counter help=True"), std::string::npos) << parsed.out;
  // Each traced histogram carries the trace of a sampled call as an exemplar.
  ASSERT_TRUE(receiver.wait_for(4));
  std::set<std::string> trace_ids;
  for (const auto& span : receiver.spans()) trace_ids.insert(span.str("traceId"));
  for (const char* histogram : {"grpc_server_handling_seconds", "grpc_client_handling_seconds",
                                "http_server_request_duration_seconds", "http_client_request_duration_seconds"}) {
    const std::string prefix = std::string("exemplar ") + histogram + "_bucket span_id=";
    const size_t at = parsed.out.find(prefix);
    ASSERT_NE(at, std::string::npos) << histogram << "\n" << parsed.out;
    const size_t trace_at = parsed.out.find("trace_id=", at);
    ASSERT_NE(trace_at, std::string::npos);
    EXPECT_TRUE(trace_ids.contains(parsed.out.substr(trace_at + 9, 32)))
        << histogram << ": the exemplar names a trace that was exported\n"
        << parsed.out;
  }
}

}  // namespace
}  // namespace hyperion::metrics
