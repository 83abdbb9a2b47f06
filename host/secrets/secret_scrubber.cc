#include "secrets/secret_scrubber.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>

namespace hyperion::secrets {

namespace {

// The value of `text` when all of it is a finite number.
std::optional<double> as_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

void SecretScrubber::add(const std::vector<std::string>& values) {
  std::vector<std::string> candidates;
  std::vector<double> numbers;
  for (const std::string& v : values) {
    if (v.size() < kMinLength) continue;
    candidates.push_back(v);
    std::string quoted = boost::json::serialize(boost::json::string(v));
    std::string escaped = quoted.substr(1, quoted.size() - 2);
    if (escaped != v) candidates.push_back(std::move(escaped));
    // A number is also written the ways JSON writers write it: "1234" may come
    // back as 1.234E3 from a plugin that holds it as a double.
    if (auto n = as_number(v)) {
      numbers.push_back(*n);
      for (std::string form : {boost::json::serialize(boost::json::value(*n)),
                               std::trunc(*n) == *n && std::fabs(*n) < 9e15
                                   ? boost::json::serialize(boost::json::value(static_cast<int64_t>(*n)))
                                   : std::string()}) {
        if (form.size() >= kMinLength && form != v) candidates.push_back(std::move(form));
      }
    }
  }
  if (candidates.empty()) return;
  std::unique_lock lock(mu_);
  for (auto& c : candidates) {
    if (std::find(secrets_.begin(), secrets_.end(), c) == secrets_.end()) secrets_.push_back(std::move(c));
  }
  for (double n : numbers) {
    if (std::find(numbers_.begin(), numbers_.end(), n) == numbers_.end()) numbers_.push_back(n);
  }
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  any_.store(true, std::memory_order_release);
}

bool SecretScrubber::scrub_in_place(std::string& text) const {
  if (!any_.load(std::memory_order_acquire) || text.size() < kMinLength) return false;
  std::shared_lock lock(mu_);
  bool replaced = false;
  for (const std::string& secret : secrets_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kRedactedMarker.size())) {
      text.replace(at, secret.size(), kRedactedMarker);
      replaced = true;
    }
  }
  return replaced;
}

bool SecretScrubber::scrub_health_report(std::string& report) const {
  if (!any_.load(std::memory_order_acquire)) return false;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(report, ec);
  if (ec || !parsed.is_object()) return scrub_in_place(report);
  bool replaced = false;
  auto scrub_string = [&](boost::json::string& s) {
    std::string text(s);
    if (scrub_in_place(text)) {
      s = text;
      replaced = true;
    }
  };
  std::function<void(boost::json::value&)> walk = [&](boost::json::value& v) {
    if (v.is_string()) {
      scrub_string(v.as_string());
    } else if (v.is_number()) {
      const double n = v.to_number<double>();
      std::shared_lock lock(mu_);
      if (std::find(numbers_.begin(), numbers_.end(), n) != numbers_.end()) {
        v = kRedactedMarker;
        replaced = true;
      }
    } else if (v.is_array()) {
      for (auto& item : v.as_array()) walk(item);
    } else if (v.is_object()) {
      boost::json::object out;
      for (auto& [key, item] : v.as_object()) {
        std::string k(key);
        if (scrub_in_place(k)) replaced = true;
        walk(item);
        out[k] = std::move(item);
      }
      v = std::move(out);
    }
  };
  boost::json::object& o = parsed.as_object();
  if (auto* message = o.if_contains("message"); message != nullptr && message->is_string()) {
    scrub_string(message->as_string());
  }
  if (auto* details = o.if_contains("details")) walk(*details);
  if (replaced) report = boost::json::serialize(parsed);
  return replaced;
}

std::string SecretScrubber::scrub(std::string_view text) const {
  std::string out(text);
  scrub_in_place(out);
  return out;
}

}  // namespace hyperion::secrets
