#include "stores/store_config.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <random>

namespace hyperion::plugins::stores {
namespace {

std::string string_or(const boost::json::object& o, const char* key, std::string fallback = "") {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}

}  // namespace

std::vector<std::string> endpoints_from(const boost::json::value* field) {
  std::vector<std::string> out;
  if (field == nullptr) return out;
  if (field->is_string()) out.emplace_back(field->as_string());
  if (field->is_array()) {
    for (const boost::json::value& e : field->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string());
    }
  }
  return out;
}

TlsSettings tls_from(const boost::json::object& config) {
  TlsSettings tls;
  const boost::json::value* field = config.if_contains("tls");
  if (field == nullptr || !field->is_object()) return tls;
  const boost::json::object& t = field->as_object();
  const boost::json::value* enabled = t.if_contains("enabled");
  tls.enabled = enabled == nullptr || (enabled->is_bool() && enabled->as_bool());
  tls.ca_file = string_or(t, "ca_file");
  tls.cert_file = string_or(t, "cert_file");
  tls.key_file = string_or(t, "key_file");
  tls.server_name = string_or(t, "server_name");
  return tls;
}

consul::Consistency consistency_from(const boost::json::object& config) {
  const std::string mode = string_or(config, "consistency", "default");
  if (mode == "consistent") return consul::Consistency::kConsistent;
  if (mode == "stale") return consul::Consistency::kStale;
  return consul::Consistency::kDefault;
}

std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds& backoff, std::chrono::milliseconds max) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::chrono::milliseconds wait(std::uniform_int_distribution<int64_t>(0, backoff.count())(random));
  backoff = std::min(backoff * 2, max);
  return std::max(wait, std::chrono::milliseconds(10));
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool LineSplitter::feed(std::string_view data, const std::function<bool(const std::string& line)>& on_line) {
  pending_.append(data);
  for (size_t nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
    std::string line = pending_.substr(0, nl);
    pending_.erase(0, nl + 1);
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    if (!on_line(line)) return false;
  }
  return true;
}

}  // namespace hyperion::plugins::stores
