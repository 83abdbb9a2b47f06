// MetricsRegistry::render: the Prometheus text format 0.0.4 and OpenMetrics
// 1.0.0 (https://prometheus.io/docs/instrumenting/exposition_formats/ and the
// OpenMetrics specification). They differ in four ways that matter here:
// OpenMetrics names a counter's family without "_total" (its sample keeps it),
// escapes '"' in HELP, carries exemplars on histogram buckets, and ends with
// "# EOF".
#include <algorithm>
#include <cstdio>

#include "metrics/metric_text.h"
#include "metrics/metrics_registry.h"

namespace hyperion::metrics {
namespace {

constexpr std::string_view kUndescribed = "Recorded by a plugin that gave no description (metric_describe).";

// OpenMetrics wants a bucket bound as a float ("1.0", not "1").
std::string openmetrics_bound(double v) {
  std::string text = format_number(v);
  if (text.find_first_of(".eIN") == std::string::npos) text += ".0";
  return text;
}

std::string seconds_with_millis(double unix_seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", unix_seconds);
  return buf;
}

}  // namespace

void MetricsRegistry::render_family(Exposition format, const std::string& name, const Family& family,
                                    std::string& out) const {
  static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
  const bool open_metrics = format == Exposition::kOpenMetrics;
  // OpenMetrics: the family "requests" has the sample "requests_total". A
  // counter recorded without the suffix still gets it there (the format has
  // no other way to spell a counter).
  std::string family_name = name;
  std::string sample_name = name;
  if (open_metrics && family.kind == MetricKind::kCounter) {
    if (family_name.ends_with("_total")) family_name.resize(family_name.size() - 6);
    sample_name = family_name + "_total";
  }
  auto help = help_.find(name);
  const std::string_view help_text = help == help_.end() ? kUndescribed : std::string_view(help->second);
  out += "# HELP " + family_name + " ";
  if (open_metrics) {
    append_escaped(out, help_text);
  } else {
    // 0.0.4 escapes only backslash and newline in HELP (descriptions hold no newlines).
    for (char c : help_text) {
      if (c == '\\') out += '\\';
      out += c;
    }
  }
  out += "\n# TYPE " + family_name + " " + kTypes[static_cast<int>(family.kind)] + "\n";

  for (const auto& entry : family.series) {
    // Named references, not structured bindings: the lambda below uses them
    // (clang before 16 cannot capture a binding).
    const std::string& labels = entry.first;
    const Series& s = entry.second;
    if (family.kind != MetricKind::kHistogram) {
      out += sample_name + "{" + labels + "} " + format_number(s.value.load(std::memory_order_relaxed)) + "\n";
      continue;
    }
    // Values are read one by one while others may record: a scrape can see a
    // histogram's count one ahead of its sum, as with Prometheus' own clients.
    std::vector<Exemplar> exemplars;
    if (open_metrics) {
      std::lock_guard lock(s.exemplars->mu);
      exemplars = s.exemplars->by_bucket;
    }
    auto bucket_line = [&](const std::string& le, uint64_t cumulative, size_t slot) {
      out += name + "_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(cumulative);
      if (open_metrics && !exemplars[slot].trace_id.empty()) {
        const Exemplar& e = exemplars[slot];
        out += " # {trace_id=\"" + e.trace_id + "\"";
        if (!e.span_id.empty()) out += ",span_id=\"" + e.span_id + "\"";
        out += "} " + format_number(e.value) + " " + seconds_with_millis(e.unix_seconds);
      }
      out += "\n";
    };
    uint64_t cumulative = 0;
    const auto& bounds = bucket_bounds();
    for (size_t i = 0; i < bounds.size(); ++i) {
      cumulative += s.buckets[i].load(std::memory_order_relaxed);
      bucket_line(open_metrics ? openmetrics_bound(bounds[i]) : format_number(bounds[i]), cumulative, i);
    }
    const uint64_t count = std::max(cumulative, s.count.load(std::memory_order_relaxed));
    bucket_line("+Inf", count, bounds.size());
    out += name + "_sum{" + labels + "} " + format_number(s.sum.load(std::memory_order_relaxed)) + "\n";
    out += name + "_count{" + labels + "} " + std::to_string(count) + "\n";
  }
}

std::string MetricsRegistry::render(Exposition format) const {
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) render_family(format, name, family, out);
  if (format == Exposition::kOpenMetrics) out += "# EOF\n";
  return out;
}

}  // namespace hyperion::metrics
