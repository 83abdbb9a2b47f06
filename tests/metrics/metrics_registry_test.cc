#include "metrics/metrics_registry.h"

#include <gtest/gtest.h>

namespace hyperion::metrics {
namespace {

TEST(MetricsRegistry, RendersPrometheusText) {
  MetricsRegistry m;
  ASSERT_TRUE(m.counter_add("web", "requests_total", R"({"code":"200"})", 2).ok());
  ASSERT_TRUE(m.counter_add("web", "requests_total", R"({"code":"200"})", 1).ok());
  ASSERT_TRUE(m.gauge_set("db", "connections", "", 4).ok());
  ASSERT_TRUE(m.histogram_observe("web", "latency_seconds", "", 0.02).ok());
  ASSERT_TRUE(m.histogram_observe("web", "latency_seconds", "", 3).ok());
  std::string text = m.render();
  EXPECT_NE(text.find("# TYPE requests_total counter\nrequests_total{plugin_instance=\"web\",code=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("connections{plugin_instance=\"db\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{plugin_instance=\"web\",le=\"0.025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{plugin_instance=\"web\",le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_count{plugin_instance=\"web\"} 2\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, RejectsBadInput) {
  MetricsRegistry m;
  EXPECT_FALSE(m.counter_add("a", "bad name", "", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "ok", "[1]", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "ok", R"({"instance":"spoof"})", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "ok", R"({"plugin_instance":"spoof"})", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "ok", R"({"k":1})", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "ok", "", -1).ok());
  ASSERT_TRUE(m.gauge_set("a", "g", "", 1).ok());
  EXPECT_FALSE(m.counter_add("a", "g", "", 1).ok());  // kind clash
}

TEST(MetricsRegistry, EscapesLabelValues) {
  MetricsRegistry m;
  ASSERT_TRUE(m.gauge_set("a", "g", R"({"path":"a\"b\\c\nd"})", 1).ok());
  EXPECT_NE(m.render().find(R"(path="a\"b\\c\nd")"), std::string::npos) << m.render();
}

TEST(MetricsRegistry, EveryFamilyHasHelpAndType) {
  MetricsRegistry m;
  ASSERT_TRUE(m.describe("requests_total", "Requests answered, by \\ code.").ok());
  ASSERT_TRUE(m.counter_add("web", "requests_total", "", 1).ok());
  ASSERT_TRUE(m.gauge_set("db", "connections", "", 4).ok());
  const std::string text = m.render();
  EXPECT_NE(text.find("# HELP requests_total Requests answered, by \\\\ code.\n# TYPE requests_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP connections Recorded by a plugin that gave no description"), std::string::npos) << text;
}

TEST(MetricsRegistry, DescriptionsAreCheckedAndTheFirstWins) {
  MetricsRegistry m;
  EXPECT_TRUE(m.describe("a_total", "First.").ok());
  EXPECT_TRUE(m.describe("a_total", "First.").ok()) << "every instance of a plugin describes its families";
  Status clash = m.describe("a_total", "Second.");
  EXPECT_EQ(clash.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(clash.message().find("already described differently"), std::string::npos) << clash.message();
  EXPECT_EQ(m.describe("bad name", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.describe("b", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.describe("b", "two\nlines").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.describe("b", std::string(MetricsRegistry::kMaxHelpBytes + 1, 'x')).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(m.counter_add("p", "a_total", "", 1).ok());
  EXPECT_NE(m.render().find("# HELP a_total First.\n"), std::string::npos) << m.render();
}

TEST(MetricsRegistry, RendersOpenMetricsWithExemplars) {
  MetricsRegistry m;
  ASSERT_TRUE(m.describe("requests_total", "Requests \"answered\".").ok());
  ASSERT_TRUE(m.counter_add("web", "requests_total", "", 2).ok());
  ASSERT_TRUE(m.counter_add("web", "legacy_count", "", 1).ok());
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string span = "00f067aa0ba902b7";
  const TraceExemplar exemplar{trace, span};
  ASSERT_TRUE(m.histogram_observe("web", "latency_seconds", "", 0.02, &exemplar).ok());
  ASSERT_TRUE(m.histogram_observe("web", "latency_seconds", "", 0.3).ok());
  const std::string text = m.render(Exposition::kOpenMetrics);
  // A counter's family drops "_total"; its sample keeps (or gains) it.
  EXPECT_NE(text.find("# HELP requests Requests \\\"answered\\\".\n# TYPE requests counter\n"
                      "requests_total{plugin_instance=\"web\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE legacy_count counter\nlegacy_count_total{plugin_instance=\"web\"} 1\n"),
            std::string::npos)
      << text;
  // Bounds as floats; the traced observation is its bucket's exemplar, the other bucket has none.
  EXPECT_NE(text.find("latency_seconds_bucket{plugin_instance=\"web\",le=\"0.025\"} 1 # {trace_id=\"" + trace +
                      "\",span_id=\"" + span + "\"} 0.02 "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("latency_seconds_bucket{plugin_instance=\"web\",le=\"0.5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{plugin_instance=\"web\",le=\"1.0\"} 2\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("# EOF\n")) << text;
  // The text format has neither exemplars nor "# EOF".
  const std::string plain = m.render();
  EXPECT_EQ(plain.find(trace), std::string::npos) << plain;
  EXPECT_EQ(plain.find("# EOF"), std::string::npos) << plain;
  EXPECT_NE(plain.find("# TYPE requests_total counter\n"), std::string::npos) << plain;
}

TEST(MetricsRegistry, MalformedExemplarKeepsTheObservation) {
  MetricsRegistry m;
  const TraceExemplar bad{"not-a-trace", ""};
  EXPECT_EQ(m.histogram_observe("web", "latency_seconds", "", 0.02, &bad).code(), StatusCode::kInvalidArgument);
  const std::string zeros(32, '0');
  const TraceExemplar zero{zeros, ""};
  EXPECT_EQ(m.histogram_observe("web", "latency_seconds", "", 0.02, &zero).code(), StatusCode::kInvalidArgument);
  const std::string text = m.render(Exposition::kOpenMetrics);
  EXPECT_NE(text.find("latency_seconds_count{plugin_instance=\"web\"} 2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find(" # {"), std::string::npos) << text;
}

}  // namespace
}  // namespace hyperion::metrics
