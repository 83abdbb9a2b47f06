#include "http_server.h"

#include "http_engine/exchange.h"

#include <sstream>

namespace hyperion::plugins::http_server {
namespace {

// Log values: quoted when they hold spaces or quotes, never a raw control
// character (a request target must not forge log lines).
std::string logfmt_value(std::string_view s) {
  bool quote = s.empty() || s.find_first_of(" \"=") != std::string_view::npos;
  std::string out;
  if (quote) out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  if (quote) out.push_back('"');
  return out;
}

// Appends `s` as the inside of a JSON string (labels are JSON text for the host).
void append_label_value(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
}

// Metrics label a method only by the methods HTTP defines: an attacker must
// not create a series per made-up method.
std::string_view method_label(std::string_view m) {
  static constexpr std::string_view kKnown[] = {"GET",   "HEAD",    "POST",    "PUT",  "DELETE",
                                                "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (auto k : kKnown) {
    if (k == m) return k;
  }
  return "_OTHER";
}

}  // namespace

const hyperion_http_server_v1_t HttpServerPlugin::kService = {
    sizeof(hyperion_http_server_v1_t),
    /*register_route=*/
    [](void* ctx, const hyperion_http_route_t* route, const hyperion_http_handler_t* handler, uint64_t* out_id,
       hyperion_error_t* err) {
      return hyperion::sdk::guarded(
          err, [&] { static_cast<HttpServerPlugin*>(ctx)->register_route(route, handler, out_id); });
    },
    /*unregister_route=*/
    [](void* ctx, uint64_t id, uint64_t deadline_ns, hyperion_error_t* err) {
      return hyperion::sdk::guarded(err,
                                    [&] { static_cast<HttpServerPlugin*>(ctx)->unregister_route(id, deadline_ns); });
    },
};

HttpServerPlugin::HttpServerPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      endpoint_(endpoint_config(config)),
      settings_(std::make_shared<const Settings>(settings_config(config))),
      engine_(thread_count(config), table_, *this, settings_) {
  access_log_ = settings_->access_log;
}

HttpServerPlugin::~HttpServerPlugin() = default;

void HttpServerPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("http_server_requests_total",
                       "HTTP requests answered, by method, route template and status code.");
  ctx_.describe_metric("http_server_request_duration_seconds",
                       "Time from a request's first byte to the end of its answer, in seconds, by method and route.");
  tracer_ = hyperion::trace::Tracer::optional(ctx_);
  engine_.serve(engine_.bind(endpoint_));
  serving_ = true;
  ctx_.info("serving HTTP on " + endpoint_.listen + " (port " + std::to_string(engine_.port()) +
            (endpoint_.tls ? ", TLS" : "") + ")");
}

void HttpServerPlugin::stop(hyperion::Deadline deadline) {
  if (!serving_) return;
  serving_ = false;
  // Answers in flight get drain_timeout_ms, never past the host's deadline.
  auto drain = std::chrono::steady_clock::now() + settings_->drain_timeout;
  engine_.stop(std::min(drain, deadline.time_point() - std::chrono::milliseconds(50)));
}

hyperion::HealthReport HttpServerPlugin::health() {
  hyperion::HealthReport r;
  if (!serving_) {
    r.status = hyperion::HealthStatus::kUnhealthy;
    r.message = "not serving";
    return r;
  }
  r.message = "serving on port " + std::to_string(engine_.port());
  r.details["listen"] = endpoint_.listen;
  r.details["port"] = engine_.port();
  r.details["tls"] = endpoint_.tls.has_value();
  r.details["mtls"] = endpoint_.tls && endpoint_.tls->require_client_cert;
  r.details["routes"] = table_.route_count();
  r.details["connections"] = engine_.connections();
  return r;
}

void HttpServerPlugin::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  Prepared p;
  p.settings = std::make_shared<const Settings>(settings_config(config));
  p.endpoint = endpoint_config(config);
  // Bind the new address now: a port in use refuses the reload before anything changed.
  if (serving_ && !(p.endpoint == endpoint_)) p.listener = engine_.bind(p.endpoint);
  prepared_ = std::move(p);
}

void HttpServerPlugin::reload_commit() {
  if (!prepared_) return;
  Prepared p = std::move(*std::exchange(prepared_, std::nullopt));
  settings_ = p.settings;
  engine_.set_settings(p.settings);
  access_log_ = p.settings->access_log;
  if (p.listener) {
    engine_.serve(std::move(p.listener));
    ctx_.info("listener moved to " + p.endpoint.listen + " (port " + std::to_string(engine_.port()) +
              (p.endpoint.tls ? ", TLS" : "") + "); open connections stay");
  }
  endpoint_ = std::move(p.endpoint);
}

void HttpServerPlugin::reload_abort() { prepared_.reset(); }

hyperion::ServiceRef HttpServerPlugin::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_HTTP_SERVER_API || api_major != HYPERION_HTTP_SERVER_MAJOR) return {};
  return {&kService, this, 0};
}

void HttpServerPlugin::request_finished(const RequestRecord& r) {
  // Per request, on an I/O thread: label texts are built in reused buffers.
  thread_local std::string labels;
  thread_local std::string with_code;
  labels.assign(R"({"method":")").append(method_label(r.method)).append(R"(","route":")");
  if (r.route.empty()) {
    labels.append("unmatched");
  } else {
    append_label_value(labels, r.route);
  }
  labels.push_back('"');
  with_code.assign(labels).append(R"(,"code":")").append(std::to_string(r.status)).append("\"}");
  labels.push_back('}');
  double seconds = std::chrono::duration<double>(r.duration).count();
  ctx_.counter_add("http_server_requests_total", 1, with_code);
  hyperion::trace::observe_histogram(ctx_, "http_server_request_duration_seconds", seconds, labels,
                                     r.request != nullptr ? &r.request->span : nullptr);
  if (!access_log_.load(std::memory_order_relaxed)) return;
  hyperion_log_level_t level = r.status >= 500 ? HYPERION_LOG_WARN : HYPERION_LOG_INFO;
  if (ctx_.api().log_level(ctx_.host_ctx()) > level) return;
  std::ostringstream line;
  line << "http request method=" << logfmt_value(r.method) << " target=" << logfmt_value(r.target)
       << " route=" << logfmt_value(r.route.empty() ? "-" : r.route) << " status=" << r.status
       << " bytes=" << r.bytes_out << " duration_ms=" << seconds * 1e3 << " peer=" << r.peer
       << " request_id=" << logfmt_value(r.request_id);
  if (r.request != nullptr)
    line << " trace_id=" << r.request->trace().trace_id << " span_id=" << r.request->trace().span_id;
  if (!r.error.empty()) line << " error=" << logfmt_value(r.error);
  ctx_.log(level, line.str());
}

void HttpServerPlugin::handler_failed(std::string_view route, std::string_view what) {
  ctx_.error("handler of " + std::string(route) + " failed: " + std::string(what) + " (answered 500)");
}

void HttpServerPlugin::register_route(const hyperion_http_route_t* route, const hyperion_http_handler_t* handler,
                                      uint64_t* out_id) {
  if (route == nullptr || handler == nullptr || out_id == nullptr ||
      route->struct_size < sizeof(hyperion_http_route_t)) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "register_route: NULL or short route, handler or out_id");
  }
  std::string method(hyperion::to_view(route->method));
  std::string path(hyperion::to_view(route->path));
  std::string host(hyperion::to_view(route->host));
  std::string error;
  uint64_t id = table_.add(method, path, host, *handler, error);
  if (id == 0) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, error);
  *out_id = id;
  ctx_.info("route registered: " + method + " " + path + (host.empty() ? "" : " (host " + host + ")"));
}

void HttpServerPlugin::unregister_route(uint64_t id, uint64_t deadline_ns) {
  std::shared_ptr<RouteRegistration> registration = table_.remove(id);
  if (registration == nullptr)
    throw hyperion::Error(HYPERION_ERR_NOT_FOUND, "no route registration " + std::to_string(id));
  auto deadline = deadline_ns == UINT64_MAX
                      ? std::chrono::steady_clock::time_point::max()
                      : std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns));
  std::string name = registration->method() + " " + registration->path().text;
  size_t running = registration->in_flight();
  if (!registration->close_and_drain(deadline)) {
    std::string message = std::to_string(registration->in_flight()) + " request(s) to " + name +
                          " were still running at the deadline and were cancelled";
    ctx_.warn(message);
    throw hyperion::Error(HYPERION_ERR_DEADLINE_EXCEEDED, message);
  }
  ctx_.info("route unregistered: " + name +
            (running > 0 ? " after draining " + std::to_string(running) + " request(s)" : ""));
}

}  // namespace hyperion::plugins::http_server
