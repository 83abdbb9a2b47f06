// The tracing plugin in a real host, called through the trace ABI (with the
// C++ helpers) as a plugin would, exporting to an in-test OTLP/HTTP receiver
// that checks the OTLP JSON schema: span fields, sampling, limits, the queue
// that never blocks, retries on 503 + Retry-After, a receiver that is down,
// and the flush on stop.
#include <gtest/gtest.h>

#include <hyperion/services/trace.hpp>

#include <chrono>
#include <optional>

#include "support/in_process_host.h"
#include "tracing/otlp_receiver.h"

namespace hyperion::tracing_test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A host running the tracing plugin as instance "tracing" with `config`.
class TracingHost {
 public:
  explicit TracingHost(const std::string& config)
      : host_("  - name: tracing\n    library: tracing\n    config: " + config + "\n", "tracing-test") {
    tracer_.emplace(host_.acquire("tracing", HYPERION_TRACE_API, HYPERION_TRACE_MAJOR));
  }
  ~TracingHost() { stop(); }
  const trace::Tracer& tracer() const { return *tracer_; }
  app::Host& host() { return host_.host(); }
  std::string health() { return host_.health("tracing"); }
  void stop() {
    tracer_.reset();
    host_.stop();
  }

 private:
  testing::InProcessHost host_;
  std::optional<trace::Tracer> tracer_;
};

std::string otlp(const OtlpReceiver& r, const std::string& extra = "") {
  return "{service_name: shop, exporter: {endpoint: \"" + r.endpoint() + "\"" + extra +
         "}, batch: {schedule_delay_ms: 20}}";
}

const std::string kParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

TEST(Tracing, ASpanReachesTheCollectorWithItsFields) {
  OtlpReceiver receiver;
  TracingHost h(otlp(receiver));
  std::string child;
  {
    trace::Span span = h.tracer().start("/hello.Greeter/SayHello", HYPERION_SPAN_SERVER, kParent, "vendor=1");
    ASSERT_TRUE(span.recording());
    span.set("rpc.system", "grpc").set("rpc.grpc.status_code", int64_t{14}).set("ratio", 0.5).set("retried", true);
    span.set("rpc.system", "grpc-again");  // the last value of a key wins
    span.event("retry");
    span.error("unavailable");
    child = span.traceparent();
  }  // ends here
  ASSERT_TRUE(receiver.wait_for(1)) << receiver.violations().size();
  EXPECT_TRUE(receiver.violations().empty()) << receiver.violations().front();
  ReceivedSpan s = receiver.spans().front();
  EXPECT_EQ(s.service_name, "shop");
  EXPECT_EQ(s.str("traceId"), kParent.substr(3, 32)) << "the parent's trace";
  EXPECT_EQ(s.str("parentSpanId"), kParent.substr(36, 16));
  EXPECT_EQ(s.str("spanId"), child.substr(36, 16)) << "what went downstream is this span";
  EXPECT_EQ(child.substr(0, 36), kParent.substr(0, 36));
  EXPECT_EQ(child.substr(53), "01");
  EXPECT_EQ(s.str("name"), "/hello.Greeter/SayHello");
  EXPECT_EQ(s.str("traceState"), "vendor=1");
  EXPECT_EQ(s.span.at("kind").as_int64(), HYPERION_SPAN_SERVER);
  EXPECT_EQ(s.attribute("rpc.system").at("stringValue").as_string(), "grpc-again");
  EXPECT_EQ(s.attribute("rpc.grpc.status_code").at("intValue").as_string(), "14");
  EXPECT_EQ(s.attribute("ratio").at("doubleValue").as_double(), 0.5);
  EXPECT_EQ(s.attribute("retried").at("boolValue").as_bool(), true);
  EXPECT_EQ(s.span.at("events").as_array().size(), 1u);
  EXPECT_EQ(s.span.at("status").at("code").as_int64(), HYPERION_SPAN_STATUS_ERROR);
  EXPECT_EQ(s.span.at("status").at("message").as_string(), "unavailable");
  EXPECT_LE(std::stoull(s.str("startTimeUnixNano")), std::stoull(s.str("endTimeUnixNano")));
}

TEST(Tracing, UnsampledSpansRecordNothingAndStillPropagate) {
  OtlpReceiver receiver;
  TracingHost h("{exporter: {endpoint: \"" + receiver.endpoint() +
                "\"}, sampler: {type: always_off}, batch: {schedule_delay_ms: 20}}");
  trace::Span span = h.tracer().start("op", HYPERION_SPAN_CLIENT, kParent);
  EXPECT_FALSE(span.recording());
  const std::string tp = span.traceparent();
  EXPECT_EQ(tp.substr(0, 36), kParent.substr(0, 36)) << "same trace";
  EXPECT_NE(tp.substr(36, 16), kParent.substr(36, 16)) << "a span of its own";
  EXPECT_EQ(tp.substr(53), "00") << "not sampled";
  span.set("ignored", "x").error("ignored");
  span.end();
  // A parent-based sampler follows a sampled parent even at ratio 0.
  OtlpReceiver other;
  TracingHost follow("{exporter: {endpoint: \"" + other.endpoint() +
                     "\"}, sampler: {type: parent_based_ratio, ratio: 0}, batch: {schedule_delay_ms: 20}}");
  EXPECT_TRUE(follow.tracer().start("child", HYPERION_SPAN_SERVER, kParent).recording());
  EXPECT_FALSE(follow.tracer().start("root", HYPERION_SPAN_SERVER).recording());
  ASSERT_TRUE(other.wait_for(1));
  EXPECT_EQ(receiver.requests(), 0);
}

TEST(Tracing, RatioSamplingIsWithinStatisticalBounds) {
  OtlpReceiver receiver;
  TracingHost h("{exporter: {endpoint: \"" + receiver.endpoint() +
                "\"}, sampler: {type: ratio, ratio: 0.1}, batch: {max_queue: 20000, schedule_delay_ms: 20}}");
  int sampled = 0;
  for (int i = 0; i < 10000; ++i) sampled += h.tracer().start("root", HYPERION_SPAN_INTERNAL).recording() ? 1 : 0;
  std::cout << "ratio 0.1 over 10000 root spans: " << sampled << " sampled\n";
  // Binomial(10000, 0.1): sd = 30; 5 sd either way.
  EXPECT_GT(sampled, 850);
  EXPECT_LT(sampled, 1150);
  ASSERT_TRUE(receiver.wait_for(static_cast<size_t>(sampled)));
  EXPECT_EQ(receiver.spans().size(), static_cast<size_t>(sampled));
}

TEST(Tracing, AFullQueueDropsAndCountsWithoutBlocking) {
  OtlpReceiver receiver;
  receiver.delay(1500ms);  // the worker is stuck sending the first batch
  TracingHost h("{exporter: {endpoint: \"" + receiver.endpoint() +
                "\", timeout_ms: 5000}, batch: {max_queue: 50, max_export_batch: 10, schedule_delay_ms: 10}}");
  const auto begin = Clock::now();
  for (int i = 0; i < 2000; ++i) h.tracer().start("burst", HYPERION_SPAN_INTERNAL);  // each ends at once
  const auto took = Clock::now() - begin;
  std::cout << "2000 spans ended into a queue of 50 while the receiver stalls: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  EXPECT_LT(took, 1000ms) << "never waits for the exporter";
  // Counted by the worker, once it is back from the stalled send.
  std::string health;
  EXPECT_TRUE(testing::eventually([&] {
    health = h.health();
    return boost::json::parse(health).at("details").at("spans").at("dropped_queue_full").as_int64() >= 1900;
  })) << health;
  EXPECT_TRUE(testing::eventually([&] {
    return h.host().metrics_text().find(
               R"(tracing_spans_dropped_total{plugin_instance="tracing",reason="queue_full"})") != std::string::npos;
  }));
  receiver.delay(0ms);  // the stop's flush need not wait
}

TEST(Tracing, A503WithRetryAfterIsRetried) {
  OtlpReceiver receiver;
  receiver.fail_next(1, 503, "1");
  TracingHost h(otlp(receiver));
  const auto begin = Clock::now();
  h.tracer().start("once", HYPERION_SPAN_INTERNAL);
  ASSERT_TRUE(receiver.wait_for(1, 10s));
  EXPECT_GE(Clock::now() - begin, 900ms) << "waited as Retry-After said";
  EXPECT_EQ(receiver.requests(), 2);
  EXPECT_TRUE(testing::eventually([&] {
    return h.host().metrics_text().find("tracing_export_retries_total{plugin_instance=\"tracing\"} 1") !=
           std::string::npos;
  }));
}

TEST(Tracing, AReceiverThatIsDownCostsSpansNotTheHost) {
  const int closed = testing::free_loopback_port();
  TracingHost h("{exporter: {endpoint: \"http://127.0.0.1:" + std::to_string(closed) +
                "/v1/traces\", max_attempts: 2, timeout_ms: 200}, batch: {schedule_delay_ms: 10}}");
  for (int i = 0; i < 5; ++i) h.tracer().start("lost", HYPERION_SPAN_INTERNAL);
  ASSERT_TRUE(testing::eventually([&] { return h.health().find("exporting spans fails") != std::string::npos; }))
      << h.health();
  EXPECT_NE(h.health().find("\"degraded\""), std::string::npos);
  ASSERT_TRUE(testing::eventually([&] {
    return h.host().metrics_text().find(
               R"(tracing_spans_dropped_total{plugin_instance="tracing",reason="export_failed"} 5)") !=
           std::string::npos;
  })) << h.host().metrics_text();
  // Spans still start and end at once.
  const auto begin = Clock::now();
  for (int i = 0; i < 100; ++i) h.tracer().start("still", HYPERION_SPAN_INTERNAL);
  EXPECT_LT(Clock::now() - begin, 500ms);
}

TEST(Tracing, StopFlushesWhatIsQueued) {
  OtlpReceiver receiver;
  TracingHost h("{exporter: {endpoint: \"" + receiver.endpoint() + "\"}, batch: {schedule_delay_ms: 60000}}");
  for (int i = 0; i < 7; ++i) h.tracer().start("last", HYPERION_SPAN_INTERNAL);
  EXPECT_EQ(receiver.requests(), 0) << "nothing sent before the schedule";
  h.stop();
  EXPECT_EQ(receiver.spans().size(), 7u) << "the stop sent the last batch";
}

TEST(Tracing, LimitsCapAttributesEventsAndLengths) {
  OtlpReceiver receiver;
  TracingHost h(
      "{exporter: {endpoint: \"" + receiver.endpoint() +
      "\"}, batch: {schedule_delay_ms: 20}, limits: {max_attributes: 2, max_events: 1, max_attribute_length: 4}}");
  {
    trace::Span span = h.tracer().start("limited", HYPERION_SPAN_INTERNAL);
    span.set("a", "123456789").set("b", int64_t{1}).set("c", int64_t{2});
    span.event("one").event("two");
  }
  ASSERT_TRUE(receiver.wait_for(1));
  ReceivedSpan s = receiver.spans().front();
  EXPECT_EQ(s.attribute("a").at("stringValue").as_string(), "1234");
  EXPECT_TRUE(s.attribute("c").is_null());
  EXPECT_EQ(s.span.at("droppedAttributesCount").as_int64(), 1);
  EXPECT_EQ(s.span.at("events").as_array().size(), 1u);
  EXPECT_EQ(s.span.at("droppedEventsCount").as_int64(), 1);
}

TEST(Tracing, ABadEndpointIsRefusedNamingTheField) {
  try {
    TracingHost h("{exporter: {endpoint: \"127.0.0.1:4318\"}}");
    FAIL() << "started";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("exporter.endpoint"), std::string::npos) << e.what();
  }
}

TEST(Tracing, WithoutATracingInstanceSpansStillPropagate) {
  trace::Tracer none;
  EXPECT_FALSE(none.active());
  trace::Span span = none.start("x", HYPERION_SPAN_CLIENT, kParent);
  EXPECT_FALSE(span.recording());
  EXPECT_EQ(span.traceparent().substr(0, 36), kParent.substr(0, 36));
  EXPECT_EQ(span.traceparent().substr(53), "01") << "the parent's decision travels on";
  trace::Span root = none.start("y", HYPERION_SPAN_CLIENT, "garbage");
  EXPECT_EQ(root.traceparent().size(), 55u);
  EXPECT_TRUE(trace::SpanContext::parse(root.traceparent()).has_value());
}

}  // namespace
}  // namespace hyperion::tracing_test
