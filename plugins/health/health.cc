#include "health.h"

#include <sys/socket.h>

#include <hyperion/services/health.h>

#include <chrono>
#include <cstddef>

#include "health_endpoints.h"
#include "metrics_format.h"

namespace hyperion::plugins::health {

HealthPlugin::HealthPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), listen_(config.at("listen").as_string()) {}

HealthPlugin::~HealthPlugin() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string HealthPlugin::read_host(Read& what) {
  auto use = host_health_->enter<hyperion_health_v1_t>();
  const hyperion_health_v1_t* v = use.vtable();
  // openmetrics is 1.1: a 1.0 host's table ends before it, and it answers the text format.
  if (what == Read::kOpenMetrics &&
      (v->struct_size < offsetof(hyperion_health_v1_t, openmetrics) + sizeof(void*) || v->openmetrics == nullptr)) {
    what = Read::kMetrics;
  }
  std::string out;
  hyperion_sink_t sink = hyperion::sdk::string_sink(out);
  hyperion_error_t err{};
  err.struct_size = sizeof err;
  hyperion_status_t s = what == Read::kSnapshot  ? v->snapshot(use.ctx(), &sink, &err)
                        : what == Read::kMetrics ? v->metrics(use.ctx(), &sink, &err)
                                                 : v->openmetrics(use.ctx(), &sink, &err);
  if (s != HYPERION_OK) throw hyperion::Error(s, err.message);
  return out;
}

Answer HealthPlugin::respond(const std::string& path, const std::vector<std::string>& exclude, bool verbose) {
  Read what = Read::kSnapshot;
  std::string text = read_host(what);
  std::lock_guard lock(cache_mu_);
  if (!cached_ || text != cached_text_) {
    cached_ = std::make_shared<const boost::json::object>(hyperion::parse_object(text, "health snapshot"));
    cached_text_ = std::move(text);
    answers_.clear();
  }
  // Probes ask the same few questions over and over: while the snapshot is the
  // same, so is the answer to a question without ?exclude.
  if (!exclude.empty()) return answer(path, *cached_, exclude, verbose);
  auto key = std::make_pair(path, verbose);
  auto it = answers_.find(key);
  if (it == answers_.end()) {
    if (answers_.size() >= kMaxCachedAnswers) answers_.clear();  // /readyz/<any name> must not grow it forever
    it = answers_.emplace(std::move(key), answer(path, *cached_, exclude, verbose)).first;
  }
  return it->second;
}

void HealthPlugin::routes() {
  // Small answers on kept-alive connections: without this, Nagle's algorithm and
  // delayed ACKs add ~40 ms to every probe.
  server_.set_tcp_nodelay(true);
  auto serve = [this](const httplib::Request& req, httplib::Response& res) {
    try {
      std::vector<std::string> exclude;
      for (size_t i = 0; i < req.get_param_value_count("exclude"); ++i) exclude.push_back(req.get_param_value("exclude", i));
      Answer a = respond(req.path, exclude, req.has_param("verbose"));
      res.status = a.status;
      res.set_content(a.body, a.content_type);
    } catch (const std::exception& e) {
      // The host could not be asked: that is not "healthy".
      res.status = 503;
      res.set_content(std::string("health unavailable: ") + e.what() + "\n", "text/plain");
    }
  };
  for (const char* path : {"/livez", "/readyz", "/startupz", "/healthz", "/health/live", "/health/ready"}) {
    server_.Get(path, serve);
  }
  server_.Get(R"(/readyz/([a-z0-9_-]+))", serve);
  server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      Read what = wants_openmetrics(req.get_header_value("Accept")) ? Read::kOpenMetrics : Read::kMetrics;
      std::string body = read_host(what);  // a host without OpenMetrics answers text: `what` says which
      res.set_content(std::move(body),
                      std::string(what == Read::kOpenMetrics ? kOpenMetricsContentType : kTextContentType));
      res.set_header("Vary", "Accept");
    } catch (const std::exception& e) {
      res.status = 503;
      res.set_content(std::string("metrics unavailable: ") + e.what() + "\n", "text/plain");
    }
  });
}

void HealthPlugin::start(hyperion::Deadline) {
  host_health_.emplace(ctx_.acquire(HYPERION_HEALTH_API, HYPERION_HEALTH_MAJOR));
  routes();
  size_t colon = listen_.rfind(':');
  std::string address = listen_.substr(0, colon);
  const std::string port_text = listen_.substr(colon + 1);
  // The schema says digits; the range is checked here (99999 would bind port 34463).
  if (port_text.empty() || port_text.size() > 5 || std::stoi(port_text) > 65535) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "listen: port " + port_text + " is not 0..65535");
  }
  int port = std::stoi(port_text);
  // SO_REUSEADDR only: cpp-httplib's default SO_REUSEPORT lets a second socket
  // (the admin API, another host) listen on the same port and take half the probes.
  server_.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int bound = port == 0 ? server_.bind_to_any_port(address) : (server_.bind_to_port(address, port) ? port : -1);
  if (bound < 0) throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "cannot listen on " + listen_);
  url_ = "http://" + address + ":" + std::to_string(bound);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // Until the accept loop runs, stop() would be a no-op: wait for it.
  for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ctx_.info("health endpoints on " + url_);
}

void HealthPlugin::stop(hyperion::Deadline) {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

hyperion::HealthReport HealthPlugin::health() {
  hyperion::HealthReport report;
  report.message = "serving on " + url_;
  report.details["url"] = url_;
  return report;
}

}  // namespace hyperion::plugins::health
