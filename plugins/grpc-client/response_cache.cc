#include "response_cache.h"

namespace hyperion::plugins::grpc_client {
namespace {

void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string ResponseCache::key(std::string_view method,
                               const std::vector<std::pair<std::string, std::string>>& metadata,
                               std::string_view request) {
  std::string out;
  out.reserve(method.size() + request.size() + 16);
  append_field(out, method);
  for (const auto& [k, v] : metadata) {
    if (k == "traceparent" || k == "tracestate") continue;  // differ on every call, never change the answer
    append_field(out, k);
    append_field(out, v);
  }
  append_field(out, request);
  return out;
}

std::optional<std::string> ResponseCache::get(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    erase(it);
    return std::nullopt;
  }
  return it->second.response;
}

void ResponseCache::put(const std::string& key, std::string response, Clock::time_point expires, size_t max_entries) {
  if (max_entries == 0) return;
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) erase(it);
  if (entries_.size() >= max_entries) {
    const auto now = Clock::now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto next = std::next(it);
      if (it->second.expires <= now) erase(it);
      it = next;
    }
  }
  while (entries_.size() >= max_entries) erase(entries_.find(oldest_.front()));
  oldest_.push_back(key);
  entries_.emplace(key, Entry{std::move(response), expires, std::prev(oldest_.end())});
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void ResponseCache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  oldest_.erase(it->second.order);
  entries_.erase(it);
}

}  // namespace hyperion::plugins::grpc_client
