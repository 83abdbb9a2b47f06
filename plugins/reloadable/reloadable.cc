#include "reloadable.h"

#include "reloadable/runtime_settings.h"

namespace hyperion::plugins::reloadable {
namespace {

using hyperion::sdk::guarded;
using hyperion::sdk::write_sink;

Reloadable* self(void* ctx) { return static_cast<Reloadable*>(ctx); }

uint64_t generation_thunk(void* ctx) { return self(ctx)->generation(); }
hyperion_status_t log_level_thunk(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] { write_sink(out, self(ctx)->log_level()); });
}
int32_t feature_thunk(void* ctx, hyperion_str_t flag, int32_t default_value) {
  try {
    return self(ctx)->feature_enabled(hyperion::to_view(flag), default_value);
  } catch (...) {
    return default_value;
  }
}
double rate_thunk(void* ctx, hyperion_str_t name, double default_value) {
  try {
    return self(ctx)->rate_limit(hyperion::to_view(name), default_value);
  } catch (...) {
    return default_value;
  }
}
hyperion_status_t snapshot_thunk(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] { write_sink(out, self(ctx)->snapshot_json()); });
}

constexpr runtime_settings_v1_t kService = {sizeof(runtime_settings_v1_t), &generation_thunk, &log_level_thunk,
                                            &feature_thunk, &rate_thunk, &snapshot_thunk};

}  // namespace

Settings Settings::from_config(const boost::json::object& config) {
  Settings s;
  s.log_level = std::string(config.at("log_level").as_string());
  for (const auto& kv : config.at("features").as_object()) s.features.emplace(std::string(kv.key()), kv.value().as_bool());
  for (const auto& kv : config.at("rate_limits").as_object()) {
    s.rate_limits.emplace(std::string(kv.key()), kv.value().is_double() ? kv.value().as_double()
                                                                        : static_cast<double>(kv.value().to_number<double>()));
  }
  return s;
}

boost::json::object Settings::to_json() const {
  boost::json::object features_json, limits_json;
  for (const auto& [k, v] : features) features_json[k] = v;
  for (const auto& [k, v] : rate_limits) limits_json[k] = v;
  return {{"log_level", log_level}, {"features", std::move(features_json)}, {"rate_limits", std::move(limits_json)}};
}

Reloadable::Reloadable(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), current_(std::make_shared<const Settings>(Settings::from_config(config))) {}

void Reloadable::start(hyperion::Deadline) { ctx_.info("runtime settings: " + snapshot_json()); }

void Reloadable::stop(hyperion::Deadline) {}

hyperion::HealthReport Reloadable::health() {
  hyperion::HealthReport report;
  report.message = "generation " + std::to_string(generation());
  report.details = {{"generation", generation()}, {"settings", current_.read([](const auto& s) { return s->to_json(); })}};
  return report;
}

void Reloadable::reload_prepare(const boost::json::object& new_config, const boost::json::array&) {
  // Build everything the new config needs here, beside the running settings:
  // whatever can fail fails now, before any instance commits.
  pending_ = std::make_shared<const Settings>(Settings::from_config(new_config));
}

void Reloadable::reload_commit() {
  // Nothing here can fail: one publish of what prepare built.
  current_.publish(std::move(pending_));
  pending_.reset();
  uint64_t generation = ++generation_;
  ctx_.info("runtime settings now at generation " + std::to_string(generation));
  try {
    ctx_.emit_event("dev.hyperion.runtime-settings.changed", "{\"generation\":" + std::to_string(generation) + "}");
  } catch (const hyperion::Error&) {
    // The settings are committed; a lost notification must not turn that into a failure.
  }
}

void Reloadable::reload_abort() { pending_.reset(); }

hyperion::ServiceRef Reloadable::get_service(std::string_view api, uint32_t api_major) {
  if (api == RUNTIME_SETTINGS_API && api_major == RUNTIME_SETTINGS_MAJOR) return {&kService, this, 0};
  return {};
}

std::string Reloadable::log_level() const {
  return current_.read([](const auto& s) { return s->log_level; });
}

int32_t Reloadable::feature_enabled(std::string_view flag, int32_t default_value) const {
  return current_.read([&](const auto& s) {
    auto it = s->features.find(flag);
    return it == s->features.end() ? default_value : static_cast<int32_t>(it->second);
  });
}

double Reloadable::rate_limit(std::string_view name, double default_value) const {
  return current_.read([&](const auto& s) {
    auto it = s->rate_limits.find(name);
    return it == s->rate_limits.end() ? default_value : it->second;
  });
}

std::string Reloadable::snapshot_json() const {
  return current_.read([](const auto& s) { return boost::json::serialize(s->to_json()); });
}

}  // namespace hyperion::plugins::reloadable
