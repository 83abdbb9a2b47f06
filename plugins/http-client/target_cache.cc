#include "target_cache.h"

#include <mutex>

namespace hyperion::plugins::http_client {
namespace {

// "scheme://authority": up to the first '/' or '?' after "://" (all of the URL
// when it has neither); empty when there is no "://".
std::string_view url_start(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  return url.substr(0, url.find_first_of("/?", scheme_end + 3));
}

}  // namespace

const Target* TargetCache::resolve(std::string_view url, Target& scratch, std::string_view& path, std::string& error) {
  const std::string_view start = url_start(url);
  if (!start.empty()) {
    std::shared_lock lock(mu_);
    if (auto it = targets_.find(start); it != targets_.end()) {
      path = url.substr(start.size());
      return it->second.get();
    }
  }
  // First sight of this start (or an invalid URL): parse the whole URL, so
  // its errors are the parser's.
  ParsedUrl parsed;
  if (!parse_url(url, parsed, error)) return nullptr;
  auto target = std::make_unique<Target>();
  target->origin = std::move(parsed.origin);
  target->service = std::move(parsed.service);
  if (target->service.empty()) {
    target->pool_key = target->origin.key();
    target->host_port = target->origin.host_port();
  }
  path = url.substr(start.size());
  std::unique_lock lock(mu_);
  if (auto it = targets_.find(start); it != targets_.end()) return it->second.get();
  if (targets_.size() >= kMaxEntries) {
    scratch = std::move(*target);
    return &scratch;
  }
  return targets_.emplace(std::string(start), std::move(target)).first->second.get();
}

size_t TargetCache::size() const {
  std::shared_lock lock(mu_);
  return targets_.size();
}

}  // namespace hyperion::plugins::http_client
