#include <algorithm>
#include "metrics/metrics_registry.h"

#include <boost/json.hpp>
#include <cmath>
#include <charconv>

namespace hyperion::metrics {
namespace {

bool valid_name(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

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
      if (!valid_name(key, false) || key.starts_with("__") || key == "instance" || key == "plugin_instance") {
        return invalid_argument("metrics: bad label name \"" + key + "\"");
      }
      if (!kv.value().is_string()) return invalid_argument("metrics: label \"" + key + "\" must be a string");
      labels[key] = std::string(kv.value().as_string());
    }
  }
  std::string out = "plugin_instance=\"" + escape_label_value(instance) + "\"";
  for (const auto& [k, v] : labels) out += "," + k + "=\"" + escape_label_value(v) + "\"";
  return out;
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  // Shortest text that reads back as the same double: 0.025, not 0.025000000000000001.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
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
  if (!valid_name(name, true)) return invalid_argument("metrics: bad metric name \"" + name + "\"");
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
  apply(*series);
  return ok_status();
}

Status MetricsRegistry::counter_add(const std::string& instance, std::string_view name,
                                    std::string_view labels_json, double delta) {
  if (!(delta >= 0)) return invalid_argument("metrics: counter \"" + std::string(name) + "\" can only go up");
  return record(MetricKind::kCounter, instance, name, labels_json, [&](Series& s) { s.value.fetch_add(delta, std::memory_order_relaxed); });
}

Status MetricsRegistry::gauge_set(const std::string& instance, std::string_view name,
                                  std::string_view labels_json, double value) {
  return record(MetricKind::kGauge, instance, name, labels_json, [&](Series& s) { s.value.store(value, std::memory_order_relaxed); });
}

Status MetricsRegistry::histogram_observe(const std::string& instance, std::string_view name,
                                          std::string_view labels_json, double value) {
  const auto& bounds = bucket_bounds();
  size_t bucket = std::upper_bound(bounds.begin(), bounds.end(), value, [](double v, double b) { return v <= b; }) -
                  bounds.begin();
  return record(MetricKind::kHistogram, instance, name, labels_json, [&](Series& s) {
    if (bucket < bounds.size()) s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    s.sum.fetch_add(value, std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
  });
}

std::string MetricsRegistry::render() const {
  // Values are read one by one while others may record: a scrape can see a
  // histogram's count one ahead of its sum, as with Prometheus' own clients.
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
    out += "# TYPE " + name + " " + kTypes[static_cast<int>(family.kind)] + "\n";
    for (const auto& [labels, s] : family.series) {
      if (family.kind != MetricKind::kHistogram) {
        out += name + "{" + labels + "} " + format_number(s.value.load(std::memory_order_relaxed)) + "\n";
        continue;
      }
      uint64_t cumulative = 0;
      const auto& bounds = bucket_bounds();
      for (size_t i = 0; i < bounds.size(); ++i) {
        cumulative += s.buckets[i].load(std::memory_order_relaxed);
        out += name + "_bucket{" + labels + ",le=\"" + format_number(bounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
      }
      uint64_t count = std::max(cumulative, s.count.load(std::memory_order_relaxed));
      out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
      out += name + "_sum{" + labels + "} " + format_number(s.sum.load(std::memory_order_relaxed)) + "\n";
      out += name + "_count{" + labels + "} " + std::to_string(count) + "\n";
    }
  }
  return out;
}

}  // namespace hyperion::metrics
