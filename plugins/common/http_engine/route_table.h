// RouteTable: which handler serves a request, by method, path template and
// host (the rules are in hyperion/services/http_server.h). Registering a route
// again stacks the new registration on top (new requests go to it; requests in
// flight stay with theirs), and removing one uncovers the previous: this is
// what lets a handler plugin be swapped while requests are in flight.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/services/http_server.h>

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drain_gate.h"

namespace hyperion::http_engine {

using plugins::Cancellable;
using plugins::DrainGate;

struct PathTemplate {
  enum class Kind { kLiteral, kParam, kRest };
  struct Segment {
    Kind kind;
    std::string text;  // the literal, or the parameter's name
  };
  std::string text;
  std::vector<Segment> segments;
  // The template with parameter names erased ("/users/{}/{...}"): two
  // templates with the same shape match the same paths.
  [[nodiscard]] std::string shape() const;
};

// Parses "/a/{b}/{c...}"; returns false with `error` naming what is wrong.
bool parse_template(std::string_view text, PathTemplate& out, std::string& error);

// One registration: the handler, and (DrainGate) the requests it has in flight.
class RouteRegistration : public DrainGate {
 public:
  RouteRegistration(uint64_t id, std::string method, PathTemplate path, std::string host,
                    const hyperion_http_handler_t& handler)
      : id_(id), method_(std::move(method)), path_(std::move(path)), host_(std::move(host)), handler_(handler) {}

  [[nodiscard]] uint64_t id() const noexcept { return id_; }
  [[nodiscard]] const std::string& method() const noexcept { return method_; }
  [[nodiscard]] const PathTemplate& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] const hyperion_http_handler_t& handler() const noexcept { return handler_; }

 private:
  const uint64_t id_;
  const std::string method_;
  const PathTemplate path_;
  const std::string host_;
  const hyperion_http_handler_t handler_;
};

struct RouteMatch {
  enum class Outcome { kFound, kNoRoute, kNoMethod };
  Outcome outcome = Outcome::kNoRoute;
  std::shared_ptr<RouteRegistration> registration;          // kFound
  std::vector<std::pair<std::string, std::string>> params;  // kFound: name, decoded value
  std::vector<std::string> allow;                           // kFound, kNoMethod: methods the path answers
};

class RouteTable {
 public:
  // Validates everything; returns the new id, or 0 with `error` set.
  uint64_t add(std::string_view method, std::string_view path, std::string_view host,
               const hyperion_http_handler_t& handler, std::string& error);
  // Takes the registration out of the table (nullptr when unknown).
  std::shared_ptr<RouteRegistration> remove(uint64_t id);

  // `host` as the Host header gave it (port and case do not matter); `raw_path`
  // still percent-encoded, without the query. `want_allow`: fill `allow` even
  // when a route serves the method (OPTIONS, CORS preflights).
  [[nodiscard]] RouteMatch find(std::string_view method, std::string_view host, std::string_view raw_path,
                                bool want_allow = false) const;
  [[nodiscard]] size_t route_count() const;

 private:
  struct Entry {
    std::string host;  // lower-case; empty: any
    PathTemplate path;
    std::map<std::string, std::vector<std::shared_ptr<RouteRegistration>>, std::less<>> by_method;  // newest last
  };
  const std::shared_ptr<RouteRegistration>* top(const Entry& entry, std::string_view method) const;

  mutable std::shared_mutex mu_;
  uint64_t next_id_ = 1;
  std::vector<Entry> entries_;
};

// Percent-decodes `in` ("+" stays unless `plus_is_space`); false when malformed.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space = false);
// The Host header's name part, lower-case, without the port.
std::string host_name(std::string_view host_header);

}  // namespace hyperion::http_engine
