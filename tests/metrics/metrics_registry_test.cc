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

}  // namespace
}  // namespace hyperion::metrics
