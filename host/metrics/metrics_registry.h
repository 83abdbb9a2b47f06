// MetricsRegistry: the counters, gauges and histograms plugins (and the host)
// record through the host API, labelled by instance, rendered in the Prometheus
// text exposition format (version 0.0.4).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hyperion::metrics {

enum class MetricKind { kCounter, kGauge, kHistogram };

class MetricsRegistry {
 public:
  // `labels_json` is empty or a JSON object of string values. kInvalidArgument
  // for a bad name, bad labels, a negative counter delta, or a name already used
  // with another kind.
  Status counter_add(const std::string& instance, std::string_view name, std::string_view labels_json, double delta);
  Status gauge_set(const std::string& instance, std::string_view name, std::string_view labels_json, double value);
  Status histogram_observe(const std::string& instance, std::string_view name, std::string_view labels_json,
                           double value);

  // Prometheus text exposition of everything recorded.
  [[nodiscard]] std::string render() const;

  // Upper bounds of histogram buckets (seconds-friendly defaults, as Prometheus'
  // client libraries use).
  static const std::vector<double>& bucket_bounds();

 private:
  // Updated with atomics outside the registry's lock: every plugin thread
  // records, and a hot series must not serialize them.
  struct Series {
    std::atomic<double> value{0};                          // counter / gauge
    std::unique_ptr<std::atomic<uint64_t>[]> buckets;      // histogram, cumulative on render
    std::atomic<double> sum{0};
    std::atomic<uint64_t> count{0};
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

  // Shared for lookups and rendering, exclusive for a new series.
  mutable std::shared_mutex mu_;
  std::map<std::string, Family> families_;
  // "<instance>\x1f<name>\x1f<labels as passed>" -> its series, so a hot metric
  // skips validation and label parsing after its first use.
  std::unordered_map<std::string, std::pair<MetricKind, Series*>> by_raw_key_;
};

}  // namespace hyperion::metrics
