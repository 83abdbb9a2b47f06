#include "secrets/secret_scrubber.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <mutex>

namespace hyperion::secrets {

void SecretScrubber::add(const std::vector<std::string>& values) {
  std::vector<std::string> candidates;
  for (const std::string& v : values) {
    if (v.size() < kMinLength) continue;
    candidates.push_back(v);
    std::string quoted = boost::json::serialize(boost::json::string(v));
    std::string escaped = quoted.substr(1, quoted.size() - 2);
    if (escaped != v) candidates.push_back(std::move(escaped));
  }
  if (candidates.empty()) return;
  std::unique_lock lock(mu_);
  for (auto& c : candidates) {
    if (std::find(secrets_.begin(), secrets_.end(), c) == secrets_.end()) secrets_.push_back(std::move(c));
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

std::string SecretScrubber::scrub(std::string_view text) const {
  std::string out(text);
  scrub_in_place(out);
  return out;
}

}  // namespace hyperion::secrets
