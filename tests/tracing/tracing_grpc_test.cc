// One trace across processes: a caller's span -> the grpc-client plugin's
// client span (this process, exported by its tracing instance) -> the
// grpc-server plugin's server span for the greeter (a `hyperion run` process,
// exported by its own tracing instance when SIGTERM flushes it), all seen by
// one in-test OTLP/HTTP receiver, parents and ids matching. (Named Grpc*: it
// runs gRPC in this process, which the TSan run leaves out, decision 0007.)
#include <gtest/gtest.h>
#include <signal.h>

#include <hyperion/services/trace.h>
#include <hyperion/services/grpc_client.hpp>

#include "hello/greeter.pb.h"
#include "support/in_process_host.h"
#include "tracing/otlp_receiver.h"

namespace hyperion::tracing_test {
namespace {

using namespace std::chrono_literals;

const std::string kCaller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const ReceivedSpan* find(const std::vector<ReceivedSpan>& spans, int64_t kind) {
  for (const auto& s : spans) {
    if (s.span.at("kind").as_int64() == kind) return &s;
  }
  return nullptr;
}

TEST(GrpcTracingAcrossHosts, CallerClientSpanAndServerSpanFormOneTrace) {
  OtlpReceiver receiver;
  // The server: grpc-server + greeter + tracing, flushed only by its stop.
  testing::TempDir server_dir;
  const int port = testing::free_loopback_port();
  const std::string server_manifest =
      "app: greeter\nhost:\n  state_dir: " + server_dir.path() +
      "/state\n  log_level: info\n  admin: {enabled: false}\nplugins:\n"
      "  - name: tracing\n    library: tracing\n    config: {service_name: greeter-svc, exporter: {endpoint: \"" +
      receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 60000}}\n" +
      "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:" + std::to_string(port) + "\"}\n" +
      "  - name: greeter\n    library: greeter\n";
  testing::ChildProcess server({testing::hyperion_binary(), "run", server_dir.write("app.yaml", server_manifest),
                                "--plugin-path", testing::example_plugin_dir()});
  ASSERT_TRUE(server.wait_for_stderr("serving gRPC on", 30s));

  // The client: grpc-client + tracing in this process.
  testing::InProcessHost host(
      "  - name: tracing\n    library: tracing\n    config: {service_name: caller-svc, exporter: {endpoint: \"" +
          receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 20}}\n" +
          "  - name: grpc\n    library: grpc-client\n    config: {targets: {greeter: {address: \"127.0.0.1:" +
          std::to_string(port) + "\"}}}\n",
      "caller");
  {
    grpc::Client client(host.acquire("grpc", HYPERION_GRPC_CLIENT_API, HYPERION_GRPC_CLIENT_MAJOR));
    hello::HelloRequest request;
    request.set_name("Ada");
    auto reply = client.call<hello::HelloReply>("greeter", "/hello.Greeter/SayHello", request,
                                                grpc::CallOptions().with_traceparent(kCaller));
    EXPECT_EQ(reply.message(), "Hello, Ada!");
  }
  ASSERT_TRUE(receiver.wait_for(1)) << "the client span";
  EXPECT_EQ(receiver.spans().size(), 1u) << "the server's span waits for its flush";

  // SIGTERM: the server drains, and its tracing instance's stop sends the last batch.
  server.signal(SIGTERM);
  auto result = server.wait(30s);
  EXPECT_EQ(result.exit_code, 0) << result.err.substr(result.err.size() > 2000 ? result.err.size() - 2000 : 0);
  ASSERT_TRUE(receiver.wait_for(2)) << "the server span, flushed on SIGTERM";
  EXPECT_TRUE(receiver.violations().empty());

  const auto spans = receiver.spans();
  const ReceivedSpan* client_span = find(spans, HYPERION_SPAN_CLIENT);
  const ReceivedSpan* server_span = find(spans, HYPERION_SPAN_SERVER);
  ASSERT_NE(client_span, nullptr);
  ASSERT_NE(server_span, nullptr);
  EXPECT_EQ(client_span->service_name, "caller-svc");
  EXPECT_EQ(server_span->service_name, "greeter-svc");
  EXPECT_EQ(client_span->str("traceId"), kCaller.substr(3, 32));
  EXPECT_EQ(server_span->str("traceId"), kCaller.substr(3, 32)) << "one trace";
  EXPECT_EQ(client_span->str("parentSpanId"), kCaller.substr(36, 16)) << "child of the caller";
  EXPECT_EQ(server_span->str("parentSpanId"), client_span->str("spanId"))
      << "the server span is the client span's child";
  EXPECT_EQ(server_span->attribute("rpc.system").at("stringValue").as_string(), "grpc");
  EXPECT_EQ(server_span->attribute("rpc.service").at("stringValue").as_string(), "hello.Greeter");
  EXPECT_EQ(server_span->attribute("rpc.method").at("stringValue").as_string(), "SayHello");
  EXPECT_EQ(server_span->attribute("rpc.grpc.status_code").at("intValue").as_string(), "0");
  EXPECT_EQ(client_span->attribute("server.port").at("intValue").as_string(), std::to_string(port));
  EXPECT_EQ(client_span->str("name"), "/hello.Greeter/SayHello");
  // The server's access log carries the same trace id.
  EXPECT_NE(result.err.find("trace_id=" + kCaller.substr(3, 32)), std::string::npos);
}

}  // namespace
}  // namespace hyperion::tracing_test
