// The http-client plugin's client spans: a host with tracing and http-client,
// calling a real cpp-httplib server on loopback; the span reaches the in-test
// OTLP receiver, and its id is the traceparent the server saw.
#include <gtest/gtest.h>
#include <httplib.h>

#include <hyperion/services/trace.h>
#include <hyperion/services/http_client.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "support/in_process_host.h"
#include "support/loopback_http_server.h"
#include "tracing/otlp_receiver.h"

namespace hyperion::tracing_test {
namespace {

const std::string kCaller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TracingHttpClient, EachCallIsAClientSpanAndItsIdIsWhatTheServerSaw) {
  OtlpReceiver receiver;
  testing::LoopbackHttpServer upstream;
  std::mutex mu;
  std::vector<std::string> seen;
  std::atomic<int> calls{0};
  upstream.server().Get("/flaky", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu);
      seen.push_back(req.get_header_value("traceparent"));
    }
    if (++calls == 1)
      res.status = 503;
    else
      res.set_content("ok", "text/plain");
  });
  upstream.start();
  const int port = upstream.port();

  testing::InProcessHost host("  - name: tracing\n    library: tracing\n    config: {exporter: {endpoint: \"" +
                              receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 20}}\n" +
                              "  - name: http\n    library: http-client\n"
                              "    config: {retry_wait_min: 1ms, retry_wait_max: 5ms}\n");
  {
    http::Client client(host.acquire("http", HYPERION_HTTP_CLIENT_API, HYPERION_HTTP_CLIENT_MAJOR));
    http::client::Request request;
    request.url = "http://127.0.0.1:" + std::to_string(port) + "/flaky";
    request.traceparent = kCaller;
    http::client::Response r = client.request(request);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.attempts, 2u);
  }
  ASSERT_TRUE(receiver.wait_for(1));
  EXPECT_TRUE(receiver.violations().empty());
  ReceivedSpan s = receiver.spans().front();
  EXPECT_EQ(s.span.at("kind").as_int64(), HYPERION_SPAN_CLIENT);
  EXPECT_EQ(s.str("traceId"), kCaller.substr(3, 32));
  EXPECT_EQ(s.str("parentSpanId"), kCaller.substr(36, 16));
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].substr(36, 16), s.str("spanId")) << "the server saw the client span";
    EXPECT_EQ(seen[1], seen[0]) << "a retry is the same span";
  }
  EXPECT_EQ(s.attribute("http.request.method").at("stringValue").as_string(), "GET");
  EXPECT_EQ(s.attribute("http.response.status_code").at("intValue").as_string(), "200");
  EXPECT_EQ(s.attribute("http.request.resend_count").at("intValue").as_string(), "1");
  EXPECT_EQ(s.attribute("server.port").at("intValue").as_string(), std::to_string(port));
  ASSERT_EQ(s.span.at("events").as_array().size(), 1u);
  EXPECT_NE(std::string(s.span.at("events").at(0).at("name").as_string()).find("HTTP 503"), std::string::npos);
  host.stop();
}

}  // namespace
}  // namespace hyperion::tracing_test
