#include "users.h"

#include "grpc_methods.h"
#include "http_routes.h"

namespace users {
namespace {

// The dynamic part of the config; refuses limits that contradict each other
// (the schema checks each field alone).
Limits limits_of(const Settings& s) {
  if (s.default_page_size > s.max_page_size) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "default_page_size (" + std::to_string(s.default_page_size) +
                                                             ") is larger than max_page_size (" +
                                                             std::to_string(s.max_page_size) + ")");
  }
  return {s.max_name_length, s.default_page_size, s.max_page_size};
}

}  // namespace

UsersPlugin::UsersPlugin(hyperion::Context& ctx, const Settings& config) : ctx_(ctx), settings_(config) {
  (void)limits_of(settings_);
}

void UsersPlugin::start(hyperion::Deadline) {
  // No path configured: a file in the instance's own state folder, which
  // survives restarts (docs/manifest.md, "State directory").
  std::string path = settings_.database.empty() ? ctx_.state_dir() + "/users.db" : settings_.database;
  repository_ = std::make_unique<UserRepository>(path, static_cast<int>(settings_.busy_timeout_ms));
  service_ = std::make_unique<UserService>(*repository_, limits_of(settings_));
  ctx_.info("users in " + path + " (schema version " + std::to_string(repository_->schema_version()) + ")");

  http_.emplace(ctx_.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
  routes_ = serve_http(*http_, *service_, settings_.http_prefix);
  grpc_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  methods_ = serve_grpc(*grpc_, *service_);
}

void UsersPlugin::stop(hyperion::Deadline deadline) {
  // Newest first; each release waits for the requests it is serving.
  hyperion::release_all(methods_, deadline);
  hyperion::release_all(routes_, deadline);
  grpc_.reset();
  http_.reset();
  service_.reset();
  repository_.reset();
}

hyperion::HealthReport UsersPlugin::health() {
  hyperion::HealthReport r;
  if (!repository_) {
    r.status = hyperion::HealthStatus::kUnhealthy;
    r.message = "not started";
    return r;
  }
  // A query, so a database that went away or is locked shows here.
  int64_t count = repository_->count();
  r.message = std::to_string(count) + " users";
  r.details["database"] = repository_->path();
  r.details["schema_version"] = repository_->schema_version();
  r.details["users"] = count;
  return r;
}

void UsersPlugin::reload_prepare(const Settings& next, const boost::json::array&) { prepared_ = limits_of(next); }

void UsersPlugin::reload_commit() {
  if (prepared_ && service_) service_->set_limits(*prepared_);
  prepared_.reset();
}

void UsersPlugin::reload_abort() { prepared_.reset(); }

}  // namespace users
