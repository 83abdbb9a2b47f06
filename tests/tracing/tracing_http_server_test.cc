// The http-server plugin's server spans: a host with tracing, http-server and
// the notes example; a request carrying a caller's traceparent becomes a
// server span named "METHOD route", the caller's child, with the HTTP
// attributes, and the access log line names its trace id.
#include <gtest/gtest.h>
#include <httplib.h>

#include <hyperion/services/trace.h>

#include <boost/json.hpp>

#include "support/in_process_host.h"
#include "tracing/otlp_receiver.h"

namespace hyperion::tracing_test {
namespace {

const std::string kCaller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TracingHttpServer, ARoutedRequestIsAServerSpanNamedByItsRoute) {
  OtlpReceiver receiver;
  testing::InProcessHost host("  - name: tracing\n    library: tracing\n    config: {exporter: {endpoint: \"" +
                              receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 20}}\n" +
                              "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:0\"}\n" +
                              "  - name: notes\n    library: notes\n    config: {prefix: /api/v1}\n");
  const int port = static_cast<int>(boost::json::parse(host.health("web")).at("details").at("port").as_int64());
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/api/v1/notes/42?full=1", {{"traceparent", kCaller}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  ASSERT_TRUE(receiver.wait_for(1));
  EXPECT_TRUE(receiver.violations().empty());
  ReceivedSpan s = receiver.spans().front();
  EXPECT_EQ(s.str("name"), "GET /api/v1/notes/{id}");
  EXPECT_EQ(s.span.at("kind").as_int64(), HYPERION_SPAN_SERVER);
  EXPECT_EQ(s.str("traceId"), kCaller.substr(3, 32));
  EXPECT_EQ(s.str("parentSpanId"), kCaller.substr(36, 16));
  EXPECT_EQ(s.attribute("http.route").at("stringValue").as_string(), "/api/v1/notes/{id}");
  EXPECT_EQ(s.attribute("url.path").at("stringValue").as_string(), "/api/v1/notes/42");
  EXPECT_EQ(s.attribute("http.response.status_code").at("intValue").as_string(), "404");
  EXPECT_EQ(s.span.at("status").at("code").as_int64(), HYPERION_SPAN_STATUS_UNSET) << "a 404 is not the server's fault";
}

}  // namespace
}  // namespace hyperion::tracing_test
