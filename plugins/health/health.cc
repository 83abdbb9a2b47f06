#include "health.h"

#include <hyperion/services/health.h>

#include <chrono>
#include <cstddef>

#include "health_endpoints.h"
#include "metrics_format.h"

namespace hyperion::plugins::health {

HealthPlugin::HealthPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      listen_(config.at("listen").as_string()),
      max_connections_(static_cast<uint32_t>(config.at("max_connections").to_number<int64_t>())),
      header_timeout_(config.at("header_timeout_ms").to_number<int64_t>()),
      details_(config.at("details").as_bool()) {}

HealthPlugin::~HealthPlugin() = default;  // the engine stops itself if stop() was not called

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
  if (!exclude.empty()) return answer(path, *cached_, exclude, verbose, details_);
  auto key = std::make_pair(path, verbose);
  auto it = answers_.find(key);
  if (it == answers_.end()) {
    if (answers_.size() >= kMaxCachedAnswers) answers_.clear();  // /readyz/<any name> must not grow it forever
    it = answers_.emplace(std::move(key), answer(path, *cached_, exclude, verbose, details_)).first;
  }
  return it->second;
}

void HealthPlugin::handler_failed(std::string_view route, std::string_view what) {
  ctx_.warn("health: " + std::string(route) + " failed: " + std::string(what));
}

void HealthPlugin::routes() {
  auto serve = [this](const hyperion::http::Request& req, hyperion::http::Response& res) {
    try {
      std::vector<std::string> exclude;
      bool verbose = false;
      for (const auto& [key, value] : req.queries()) {
        if (key == "exclude") exclude.emplace_back(value);
        verbose = verbose || key == "verbose";
      }
      std::string path(req.path());
      // Instance names are lower-case letters, digits, '-' and '_' (the manifest's rule).
      if (path.starts_with("/readyz/") &&
          path.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-", 8) != std::string::npos) {
        res.status(404).body("no such endpoint\n");
        return;
      }
      Answer a = respond(path, exclude, verbose);
      res.status(a.status).body(a.body, a.content_type);
    } catch (const std::exception& e) {
      // The host could not be asked: that is not "healthy".
      res.status(503).body(std::string("health unavailable: ") + e.what() + "\n");
    }
  };
  for (const char* path :
       {"/livez", "/readyz", "/startupz", "/healthz", "/health/live", "/health/ready", "/readyz/{instance}"}) {
    routes_.add("GET", path, serve);
  }
  routes_.add("GET", "/metrics", [this](const hyperion::http::Request& req, hyperion::http::Response& res) {
    try {
      Read what =
          wants_openmetrics(std::string(req.header("accept").value_or(""))) ? Read::kOpenMetrics : Read::kMetrics;
      std::string body = read_host(what);  // a host without OpenMetrics answers text: `what` says which
      res.header("vary", "Accept")
          .body(std::move(body), what == Read::kOpenMetrics ? kOpenMetricsContentType : kTextContentType);
    } catch (const std::exception& e) {
      res.status(503).body(std::string("metrics unavailable: ") + e.what() + "\n");
    }
  });
}

void HealthPlugin::start(hyperion::Deadline) {
  host_health_.emplace(ctx_.acquire(HYPERION_HEALTH_API, HYPERION_HEALTH_MAJOR));
  routes();
  // The engine's limits (docs/security.md); probes answer at once or not at all.
  auto settings = std::make_shared<http_engine::Settings>();
  settings->max_body_bytes = 0;
  settings->max_connections = max_connections_;
  settings->header_timeout = header_timeout_;
  settings->handler_timeout = std::chrono::seconds(30);
  settings->access_log = false;
  engine_ = std::make_unique<http_engine::Engine>(2, routes_.table(), *this, std::move(settings));
  std::unique_ptr<http_engine::BoundListener> listener;
  try {
    listener = engine_->bind(http_engine::Endpoint{listen_, std::nullopt});
  } catch (const hyperion::Error& e) {
    if (e.code() != HYPERION_ERR_UNAVAILABLE) throw;  // names the listen field already
    throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "cannot listen on " + listen_ + ": " + e.what());
  }
  url_ = listener->url();
  engine_->serve(std::move(listener));
  ctx_.info("health endpoints on " + url_);
}

void HealthPlugin::stop(hyperion::Deadline deadline) {
  if (engine_) engine_->stop(deadline.time_point());
}

hyperion::HealthReport HealthPlugin::health() {
  hyperion::HealthReport report;
  report.message = "serving on " + url_;
  report.details["url"] = url_;
  return report;
}

}  // namespace hyperion::plugins::health
