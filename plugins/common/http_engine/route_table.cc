#include "route_table.h"

#include "http_syntax.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace hyperion::http_engine {
namespace {

bool valid_method(std::string_view m) {
  if (m == "*") return true;
  if (m.empty() || m.size() > 32) return false;
  return is_token(m) && std::none_of(m.begin(), m.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool valid_param_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

bool valid_host(std::string_view h) {
  if (h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.'; });
}

// Fills `out` (reused across calls: no allocation per request).
void split_path(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  size_t at = 1;  // after the leading "/"
  while (true) {
    size_t slash = path.find('/', at);
    out.push_back(path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
}

// "Most specific wins": segment kinds compared from the left (literal <
// param < rest), then the shorter template; <0 when `a` is more specific.
int compare_specificity(const PathTemplate& a, const PathTemplate& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    int ka = static_cast<int>(a.segments[i].kind);
    int kb = static_cast<int>(b.segments[i].kind);
    if (ka != kb) return ka - kb;
  }
  return static_cast<int>(a.segments.size()) - static_cast<int>(b.segments.size());
}

// Matches `segments` (raw) against `t`; fills decoded params. False on no match
// or a parameter that does not decode.
bool match(const PathTemplate& t, const std::vector<std::string_view>& segments,
           std::vector<std::pair<std::string, std::string>>* params) {
  size_t i = 0;
  for (const auto& seg : t.segments) {
    if (seg.kind == PathTemplate::Kind::kRest) {
      std::string rest;
      for (size_t j = i; j < segments.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest.append(segments[j]);
      }
      std::string decoded;
      if (!percent_decode(rest, decoded)) return false;
      if (params != nullptr) params->emplace_back(seg.text, std::move(decoded));
      return true;
    }
    if (i >= segments.size()) return false;
    std::string decoded;
    if (!percent_decode(segments[i], decoded)) return false;
    if (seg.kind == PathTemplate::Kind::kLiteral) {
      if (decoded != seg.text) return false;
    } else {
      if (decoded.empty()) return false;
      if (params != nullptr) params->emplace_back(seg.text, std::move(decoded));
    }
    ++i;
  }
  return i == segments.size();
}

}  // namespace

std::string PathTemplate::shape() const {
  std::string out;
  for (const auto& s : segments) {
    out.push_back('/');
    if (s.kind == Kind::kLiteral) out.append(s.text);
    if (s.kind == Kind::kParam) out.append("{}");
    if (s.kind == Kind::kRest) out.append("{...}");
  }
  return out;
}

bool parse_template(std::string_view text, PathTemplate& out, std::string& error) {
  out = {};
  out.text = std::string(text);
  if (text.empty() || text[0] != '/') {
    error = "path \"" + std::string(text) + "\" must start with \"/\"";
    return false;
  }
  if (text.size() > 2048) {
    error = "path template longer than 2048 bytes";
    return false;
  }
  std::vector<std::string_view> parts;
  split_path(text, parts);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      std::string_view name = p.substr(1, p.size() - 2);
      bool rest = name.size() > 3 && name.substr(name.size() - 3) == "...";
      if (rest) name.remove_suffix(3);
      if (!valid_param_name(name)) {
        error = "path \"" + std::string(text) + "\": parameter \"" + std::string(p) +
                "\" needs a name of letters, digits and _";
        return false;
      }
      if (rest && i + 1 != parts.size()) {
        error = "path \"" + std::string(text) + "\": \"" + std::string(p) + "\" must be the last segment";
        return false;
      }
      for (const auto& s : out.segments) {
        if (s.kind != PathTemplate::Kind::kLiteral && s.text == name) {
          error = "path \"" + std::string(text) + "\": parameter \"" + std::string(name) + "\" appears twice";
          return false;
        }
      }
      out.segments.push_back({rest ? PathTemplate::Kind::kRest : PathTemplate::Kind::kParam, std::string(name)});
      continue;
    }
    if (p.find_first_of("{}?#") != std::string_view::npos) {
      error = "path \"" + std::string(text) + "\": segment \"" + std::string(p) +
              "\" mixes text and braces (a parameter is a whole segment) or holds ? or #";
      return false;
    }
    std::string decoded;
    if (!percent_decode(p, decoded)) {
      error = "path \"" + std::string(text) + "\": segment \"" + std::string(p) + "\" is not valid percent-encoding";
      return false;
    }
    out.segments.push_back({PathTemplate::Kind::kLiteral, std::move(decoded)});
  }
  return true;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]);
      int lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string host_name(std::string_view h) {
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    h = close == std::string_view::npos ? h : h.substr(0, close + 1);
  } else if (size_t colon = h.rfind(':'); colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  return to_lower(h);
}

uint64_t RouteTable::add(std::string_view method, std::string_view path, std::string_view host,
                         const hyperion_http_handler_t& handler, std::string& error) {
  if (!valid_method(method)) {
    error = "method \"" + std::string(method) + "\" is not an upper-case HTTP method or \"*\"";
    return 0;
  }
  if (method == "HEAD" || method == "OPTIONS") {
    error =
        "method " + std::string(method) + " is answered by the server itself (HEAD from GET, OPTIONS from the routes)";
    return 0;
  }
  PathTemplate tmpl;
  if (!parse_template(path, tmpl, error)) return 0;
  std::string host_lower = host_name(host);
  if (!host.empty() && !valid_host(host)) {
    error = "host \"" + std::string(host) + "\" is not a host name";
    return 0;
  }
  if (handler.struct_size < sizeof(hyperion_http_handler_t) || handler.on_request == nullptr) {
    error = "handler for " + std::string(method) + " " + std::string(path) + " lacks on_request";
    return 0;
  }
  std::unique_lock lock(mu_);
  const std::string shape = tmpl.shape();
  Entry* entry = nullptr;
  for (auto& e : entries_) {
    if (e.host != host_lower || e.path.shape() != shape) continue;
    if (e.path.text != tmpl.text) {
      error = "path \"" + tmpl.text + "\" conflicts with the registered \"" + e.path.text +
              "\": they match the same requests but name their parameters differently";
      return 0;
    }
    entry = &e;
  }
  if (entry == nullptr) entry = &entries_.emplace_back(Entry{host_lower, tmpl, {}});
  uint64_t id = next_id_++;
  entry->by_method[std::string(method)].push_back(
      std::make_shared<RouteRegistration>(id, std::string(method), std::move(tmpl), host_lower, handler));
  return id;
}

std::shared_ptr<RouteRegistration> RouteTable::remove(uint64_t id) {
  std::unique_lock lock(mu_);
  for (auto e = entries_.begin(); e != entries_.end(); ++e) {
    for (auto m = e->by_method.begin(); m != e->by_method.end(); ++m) {
      auto& stack = m->second;
      auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& r) { return r->id() == id; });
      if (it == stack.end()) continue;
      auto found = *it;
      stack.erase(it);
      if (stack.empty()) e->by_method.erase(m);
      if (e->by_method.empty()) entries_.erase(e);
      return found;
    }
  }
  return nullptr;
}

const std::shared_ptr<RouteRegistration>* RouteTable::top(const Entry& entry, std::string_view method) const {
  auto pick = [&](std::string_view m) -> const std::shared_ptr<RouteRegistration>* {
    auto it = entry.by_method.find(m);
    return it == entry.by_method.end() || it->second.empty() ? nullptr : &it->second.back();
  };
  if (const auto* r = pick(method)) return r;
  if (method == "HEAD") {
    if (const auto* r = pick("GET")) return r;
  }
  if (method == "OPTIONS") return nullptr;  // the server answers OPTIONS itself
  return pick("*");
}

RouteMatch RouteTable::find(std::string_view method, std::string_view host, std::string_view raw_path,
                            bool want_allow) const {
  RouteMatch result;
  if (raw_path.empty() || raw_path[0] != '/') return result;
  thread_local std::vector<std::string_view> segments;
  split_path(raw_path, segments);
  const std::string request_host = host_name(host);
  std::shared_lock lock(mu_);
  const Entry* best = nullptr;
  bool path_matched = false;
  for (const auto& e : entries_) {
    if (!e.host.empty() && e.host != request_host) continue;
    if (!match(e.path, segments, nullptr)) continue;
    path_matched = true;
    if (top(e, method) == nullptr) continue;
    int order = best == nullptr ? -1 : compare_specificity(e.path, best->path);
    if (order < 0 || (order == 0 && !e.host.empty() && best->host.empty())) best = &e;
  }
  if (!path_matched) return result;
  if (best == nullptr || want_allow) {
    // What the path answers, for 405 and OPTIONS: a second pass, off the hot path.
    std::vector<std::string> allow;
    for (const auto& e : entries_) {
      if ((!e.host.empty() && e.host != request_host) || !match(e.path, segments, nullptr)) continue;
      for (const auto& [m, stack] : e.by_method) {
        if (stack.empty()) continue;
        if (m == "*") {
          allow.insert(allow.end(), {"DELETE", "GET", "PATCH", "POST", "PUT"});
        } else {
          allow.push_back(m);
        }
      }
    }
    if (std::find(allow.begin(), allow.end(), "GET") != allow.end()) allow.emplace_back("HEAD");
    allow.emplace_back("OPTIONS");
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    result.allow = std::move(allow);
  }
  if (best == nullptr) {
    result.outcome = RouteMatch::Outcome::kNoMethod;
    return result;
  }
  result.outcome = RouteMatch::Outcome::kFound;
  result.registration = *top(*best, method);
  match(best->path, segments, &result.params);
  return result;
}

size_t RouteTable::route_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& e : entries_) n += e.by_method.size();
  return n;
}

}  // namespace hyperion::http_engine
