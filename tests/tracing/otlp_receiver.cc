#include "tracing/otlp_receiver.h"

#include <algorithm>

namespace hyperion::tracing_test {
namespace {

bool hex_of(const boost::json::value* v, size_t digits) {
  if (v == nullptr || !v->is_string()) return false;
  const auto& s = v->as_string();
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool decimal_string(const boost::json::value* v) {
  if (v == nullptr || !v->is_string() || v->as_string().empty()) return false;
  const auto& s = v->as_string();
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An AnyValue: exactly one of the value fields, of its type.
std::string check_any_value(const boost::json::value& v) {
  if (!v.is_object() || v.as_object().size() != 1) return "an attribute value is not one AnyValue field";
  const auto& [k, x] = *v.as_object().begin();
  if (k == "stringValue" && x.is_string()) return "";
  if (k == "intValue" && decimal_string(&x)) return "";
  if (k == "intValue" && x.is_string() && !x.as_string().empty() && x.as_string()[0] == '-') return "";
  if (k == "doubleValue" && x.is_number()) return "";
  if (k == "boolValue" && x.is_bool()) return "";
  return "attribute value field " + std::string(k) + " has the wrong type";
}

std::string check_attributes(const boost::json::value* v) {
  if (v == nullptr) return "";
  if (!v->is_array()) return "attributes is not an array";
  for (const auto& a : v->as_array()) {
    if (!a.is_object() || !a.as_object().contains("key") || !a.at("key").is_string() ||
        !a.as_object().contains("value")) {
      return "an attribute is not {key, value}";
    }
    if (auto e = check_any_value(a.at("value")); !e.empty()) return e;
  }
  return "";
}

}  // namespace

std::string ReceivedSpan::str(const char* field) const {
  const auto* v = span.if_contains(field);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

boost::json::value ReceivedSpan::attribute(const std::string& key) const {
  if (const auto* attrs = span.if_contains("attributes")) {
    for (const auto& a : attrs->as_array()) {
      if (a.at("key").as_string() == key) return a.at("value");
    }
  }
  return nullptr;
}

OtlpReceiver::OtlpReceiver() {
  server_.Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

OtlpReceiver::~OtlpReceiver() { stop(); }

void OtlpReceiver::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void OtlpReceiver::handle(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  if (int d = delay_ms_.load(); d > 0) std::this_thread::sleep_for(std::chrono::milliseconds(d));
  {
    std::lock_guard lock(mu_);
    if (fail_count_ > 0) {
      --fail_count_;
      res.status = fail_status_;
      if (!fail_retry_after_.empty()) res.set_header("Retry-After", fail_retry_after_);
      return;
    }
  }
  std::string problem;
  std::vector<ReceivedSpan> got;
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    problem = "Content-Type is " + req.get_header_value("Content-Type");
  } else {
    boost::system::error_code ec;
    boost::json::value body = boost::json::parse(req.body, ec);
    problem = ec ? "not JSON: " + ec.message() : check(body, got);
  }
  std::lock_guard lock(mu_);
  if (!problem.empty()) {
    violations_.push_back(problem);
    res.status = 400;
    res.set_content(problem, "text/plain");
    return;
  }
  for (auto& s : got) spans_.push_back(std::move(s));
  res.set_content("{}", "application/json");
}

std::string OtlpReceiver::check(const boost::json::value& body, std::vector<ReceivedSpan>& out) const {
  const auto* rs = body.is_object() ? body.as_object().if_contains("resourceSpans") : nullptr;
  if (rs == nullptr || !rs->is_array()) return "no resourceSpans array";
  for (const auto& r : rs->as_array()) {
    std::string service;
    const auto* resource = r.as_object().if_contains("resource");
    if (resource == nullptr) return "a resourceSpans has no resource";
    if (auto e = check_attributes(resource->as_object().if_contains("attributes")); !e.empty()) return e;
    for (const auto& a : resource->at("attributes").as_array()) {
      if (a.at("key").as_string() == "service.name") service = std::string(a.at("value").at("stringValue").as_string());
    }
    if (service.empty()) return "the resource has no service.name";
    const auto* scopes = r.as_object().if_contains("scopeSpans");
    if (scopes == nullptr || !scopes->is_array()) return "no scopeSpans array";
    for (const auto& scope : scopes->as_array()) {
      const auto* spans = scope.as_object().if_contains("spans");
      if (spans == nullptr || !spans->is_array()) return "a scopeSpans has no spans array";
      for (const auto& sv : spans->as_array()) {
        const auto& s = sv.as_object();
        if (!hex_of(s.if_contains("traceId"), 32)) return "traceId is not 32 hex digits";
        if (!hex_of(s.if_contains("spanId"), 16)) return "spanId is not 16 hex digits";
        if (s.contains("parentSpanId") && !hex_of(s.if_contains("parentSpanId"), 16)) return "bad parentSpanId";
        if (!s.contains("name") || !s.at("name").is_string()) return "a span has no name";
        if (!s.contains("kind") || !s.at("kind").is_int64() || s.at("kind").as_int64() < 0 ||
            s.at("kind").as_int64() > 5) {
          return "kind is not a SpanKind number";
        }
        if (!decimal_string(s.if_contains("startTimeUnixNano")) || !decimal_string(s.if_contains("endTimeUnixNano"))) {
          return "start/endTimeUnixNano are not decimal strings";
        }
        if (auto e = check_attributes(s.if_contains("attributes")); !e.empty()) return e;
        if (const auto* events = s.if_contains("events")) {
          for (const auto& ev : events->as_array()) {
            if (!decimal_string(ev.as_object().if_contains("timeUnixNano"))) return "an event's timeUnixNano";
            if (auto e = check_attributes(ev.as_object().if_contains("attributes")); !e.empty()) return e;
          }
        }
        if (const auto* status = s.if_contains("status")) {
          const auto* code = status->as_object().if_contains("code");
          if (code == nullptr || !code->is_int64() || code->as_int64() < 0 || code->as_int64() > 2) {
            return "status.code is not a StatusCode number";
          }
        }
        for (const auto& [k, v] : s) {
          static const char* const kKnown[] = {"traceId",
                                               "spanId",
                                               "parentSpanId",
                                               "traceState",
                                               "name",
                                               "kind",
                                               "startTimeUnixNano",
                                               "endTimeUnixNano",
                                               "attributes",
                                               "droppedAttributesCount",
                                               "events",
                                               "droppedEventsCount",
                                               "links",
                                               "droppedLinksCount",
                                               "status",
                                               "flags"};
          if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* n) { return k == n; })) {
            return "unknown span field " + std::string(k);
          }
        }
        out.push_back({service, s});
      }
    }
  }
  return "";
}

std::vector<ReceivedSpan> OtlpReceiver::spans() {
  std::lock_guard lock(mu_);
  return spans_;
}

std::vector<std::string> OtlpReceiver::violations() {
  std::lock_guard lock(mu_);
  return violations_;
}

bool OtlpReceiver::wait_for(size_t n, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock(mu_);
      if (spans_.size() >= n) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void OtlpReceiver::fail_next(int count, int status, const std::string& retry_after) {
  std::lock_guard lock(mu_);
  fail_count_ = count;
  fail_status_ = status;
  fail_retry_after_ = retry_after;
}

}  // namespace hyperion::tracing_test
