// MetricsRegistry: the counters, gauges and histograms plugins (and the host)
// record through the host API, labelled by instance, with the HELP text their
// owners give, rendered in the Prometheus text format 0.0.4 or in OpenMetrics
// 1.0.0 (which also carries histogram exemplars).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace hyperion::metrics {

enum class MetricKind { kCounter, kGauge, kHistogram };
enum class Exposition { kPrometheusText, kOpenMetrics };

// The trace an observation belongs to: OpenMetrics shows the latest one per
// histogram bucket, so a slow bucket links to a trace that landed in it.
struct TraceExemplar {
  std::string_view trace_id;  // 32 lowercase hex digits, not all zero
  std::string_view span_id;   // 16 lowercase hex digits, or empty
};

class MetricsRegistry {
 public:
  // `labels_json` is empty or a JSON object of string values. kInvalidArgument
  // for a bad name, bad labels, a negative counter delta, or a name already used
  // with another kind.
  Status counter_add(const std::string& instance, std::string_view name, std::string_view labels_json, double delta);
  Status gauge_set(const std::string& instance, std::string_view name, std::string_view labels_json, double value);
  // With `exemplar`, the observation also becomes its bucket's exemplar; an
  // exemplar with malformed ids is refused (kInvalidArgument) after the value
  // is recorded, so the metric itself never loses an observation.
  Status histogram_observe(const std::string& instance, std::string_view name, std::string_view labels_json,
                           double value, const TraceExemplar* exemplar = nullptr);

  // The HELP text of the family `name` (one line, at most kMaxHelpBytes, no
  // control characters). The first description of a name is kept: a different
  // one later is refused with kFailedPrecondition, the same one again is fine (every
  // instance of a plugin describes its families).
  static constexpr size_t kMaxHelpBytes = 1024;
  Status describe(std::string_view name, std::string_view help);

  // Everything recorded. A family nobody described gets a HELP line saying so.
  [[nodiscard]] std::string render(Exposition format = Exposition::kPrometheusText) const;

  // Upper bounds of histogram buckets (seconds-friendly defaults, as Prometheus'
  // client libraries use).
  static const std::vector<double>& bucket_bounds();

 private:
  struct Exemplar {
    std::string trace_id;
    std::string span_id;
    double value = 0;
    double unix_seconds = 0;
  };
  // One histogram series' exemplars, one slot per bucket (+Inf last). Written
  // only for traced observations, under its own small lock.
  struct Exemplars {
    std::mutex mu;
    std::vector<Exemplar> by_bucket;  // trace_id empty: none yet
  };
  // Updated with atomics outside the registry's lock: every plugin thread
  // records, and a hot series must not serialize them.
  struct Series {
    std::atomic<double> value{0};                      // counter / gauge
    std::unique_ptr<std::atomic<uint64_t>[]> buckets;  // histogram, cumulative on render
    std::atomic<double> sum{0};
    std::atomic<uint64_t> count{0};
    std::unique_ptr<Exemplars> exemplars;  // histogram
  };
  struct Family {
    MetricKind kind;
    std::map<std::string, Series> series;  // by rendered label set
  };
  // The rendered label set of a series (validates the name and labels).
  static StatusOr<std::string> series_key(const std::string& instance, const std::string& name,
                                          const std::string& labels_json);
  StatusOr<Series*> series_locked(MetricKind kind, const std::string& name, const std::string& labels);

  template <typename Apply>
  Status record(MetricKind kind, const std::string& instance, std::string_view name, std::string_view labels_json,
                Apply&& apply);

  void render_family(Exposition format, const std::string& name, const Family& family, std::string& out) const;

  // Shared for lookups and rendering, exclusive for a new series or description.
  mutable std::shared_mutex mu_;
  std::map<std::string, Family> families_;
  std::map<std::string, std::string, std::less<>> help_;  // by family name
  // "<instance>\x1f<name>\x1f<labels as passed>" -> its series, so a hot metric
  // skips validation and label parsing after its first use.
  std::unordered_map<std::string, std::pair<MetricKind, Series*>> by_raw_key_;
};

}  // namespace hyperion::metrics
