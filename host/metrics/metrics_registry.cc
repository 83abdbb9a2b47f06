#include "metrics/metrics_registry.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

#include "metrics/metric_text.h"

namespace hyperion::metrics {
namespace {

// {plugin_instance="x",k="v"} with keys sorted, so equal label sets render
// equally. The instance label is not "instance": Prometheus attaches its own
// "instance" (the scrape target) to every series and would rename ours to
// "exported_instance". Plugins may use neither name.
StatusOr<std::string> render_labels(const std::string& instance, const std::string& labels_json) {
  std::map<std::string, std::string> labels;
  if (!labels_json.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(labels_json, ec);
    if (ec || !v.is_object()) return invalid_argument("metrics: labels must be a JSON object");
    for (const auto& kv : v.as_object()) {
      std::string key(kv.key());
      if (!valid_metric_name(key, false) || key.starts_with("__") || key == "instance" || key == "plugin_instance") {
        return invalid_argument("metrics: bad label name \"" + key + "\"");
      }
      if (!kv.value().is_string()) return invalid_argument("metrics: label \"" + key + "\" must be a string");
      labels[key] = std::string(kv.value().as_string());
    }
  }
  std::string out = "plugin_instance=\"";
  append_escaped(out, instance);
  out += '"';
  for (const auto& [k, v] : labels) {
    out += "," + k + "=\"";
    append_escaped(out, v);
    out += '"';
  }
  return out;
}

bool lower_hex(std::string_view s, size_t size) {
  if (s.size() != size) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

double unix_now_seconds() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
}

}  // namespace

const std::vector<double>& MetricsRegistry::bucket_bounds() {
  static const std::vector<double> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBounds;
}

StatusOr<std::string> MetricsRegistry::series_key(const std::string& instance, const std::string& name,
                                                  const std::string& labels_json) {
  // Validation and label parsing happen before the registry's lock is taken:
  // every plugin thread records metrics, and only the map lookup is shared.
  if (!valid_metric_name(name, true)) return invalid_argument("metrics: bad metric name \"" + name + "\"");
  return render_labels(instance, labels_json);
}

StatusOr<MetricsRegistry::Series*> MetricsRegistry::series_locked(MetricKind kind, const std::string& name,
                                                                  const std::string& labels) {
  auto [it, inserted] = families_.try_emplace(name, Family{kind, {}});
  if (!inserted && it->second.kind != kind) {
    return invalid_argument("metrics: \"" + name + "\" is already used as another kind of metric");
  }
  Series& s = it->second.series[labels];
  if (kind == MetricKind::kHistogram && !s.buckets) {
    s.buckets = std::make_unique<std::atomic<uint64_t>[]>(bucket_bounds().size());
    s.exemplars = std::make_unique<Exemplars>();
    s.exemplars->by_bucket.resize(bucket_bounds().size() + 1);
  }
  return &s;
}

template <typename Apply>
Status MetricsRegistry::record(MetricKind kind, const std::string& instance, std::string_view name,
                               std::string_view labels_json, Apply&& apply) {
  // Fast path: this exact (instance, name, labels text) was seen before, so
  // neither the name check nor the label parsing is needed again. The key is
  // built in a buffer each thread keeps, so a hot metric allocates nothing.
  thread_local std::string raw;
  raw.clear();
  raw.append(instance).append(1, '\x1f').append(name).append(1, '\x1f').append(labels_json);
  Series* series = nullptr;
  {
    std::shared_lock lock(mu_);
    if (auto it = by_raw_key_.find(raw); it != by_raw_key_.end() && it->second.first == kind) series = it->second.second;
  }
  if (series == nullptr) {
    const std::string name_text(name);
    auto key = series_key(instance, name_text, std::string(labels_json));
    if (!key.ok()) return key.status();
    std::unique_lock lock(mu_);
    auto s = series_locked(kind, name_text, *key);
    if (!s.ok()) return s.status();
    series = *s;
    by_raw_key_[raw] = {kind, series};  // Series live as long as the registry
  }
  return apply(*series);
}

Status MetricsRegistry::counter_add(const std::string& instance, std::string_view name,
                                    std::string_view labels_json, double delta) {
  if (!(delta >= 0)) return invalid_argument("metrics: counter \"" + std::string(name) + "\" can only go up");
  return record(MetricKind::kCounter, instance, name, labels_json, [&](Series& s) {
    s.value.fetch_add(delta, std::memory_order_relaxed);
    return ok_status();
  });
}

Status MetricsRegistry::gauge_set(const std::string& instance, std::string_view name,
                                  std::string_view labels_json, double value) {
  return record(MetricKind::kGauge, instance, name, labels_json, [&](Series& s) {
    s.value.store(value, std::memory_order_relaxed);
    return ok_status();
  });
}

Status MetricsRegistry::histogram_observe(const std::string& instance, std::string_view name,
                                          std::string_view labels_json, double value, const TraceExemplar* exemplar) {
  const auto& bounds = bucket_bounds();
  size_t bucket = std::upper_bound(bounds.begin(), bounds.end(), value, [](double v, double b) { return v <= b; }) -
                  bounds.begin();
  return record(MetricKind::kHistogram, instance, name, labels_json, [&](Series& s) {
    if (bucket < bounds.size()) s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    s.sum.fetch_add(value, std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
    if (exemplar == nullptr) return ok_status();
    if (!lower_hex(exemplar->trace_id, 32) || (!exemplar->span_id.empty() && !lower_hex(exemplar->span_id, 16))) {
      return invalid_argument("metrics: exemplar of \"" + std::string(name) +
                              "\" needs a 32-digit trace id and a 16-digit span id (lowercase hex)");
    }
    std::lock_guard lock(s.exemplars->mu);
    Exemplar& slot = s.exemplars->by_bucket[bucket];
    slot.trace_id.assign(exemplar->trace_id);
    slot.span_id.assign(exemplar->span_id);
    slot.value = value;
    slot.unix_seconds = unix_now_seconds();
    return ok_status();
  });
}

Status MetricsRegistry::describe(std::string_view name, std::string_view help) {
  if (!valid_metric_name(name, true)) return invalid_argument("metrics: bad metric name \"" + std::string(name) + "\"");
  if (help.empty() || help.size() > kMaxHelpBytes) {
    return invalid_argument("metrics: the description of \"" + std::string(name) + "\" must be 1.." +
                            std::to_string(kMaxHelpBytes) + " bytes");
  }
  if (std::any_of(help.begin(), help.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return invalid_argument("metrics: the description of \"" + std::string(name) +
                            "\" must be one line without control characters");
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = help_.try_emplace(std::string(name), help);
  if (!inserted && it->second != help) {
    return failed_precondition("metrics: \"" + std::string(name) +
                               "\" was already described differently; the first description is kept");
  }
  return ok_status();
}

}  // namespace hyperion::metrics
