#include "reload/reloader.h"

#include <filesystem>

#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "os/read_file.h"
#include "reload/reload_transaction.h"
#include "secrets/secret_fields.h"

namespace hyperion::reload {
namespace {

namespace json = boost::json;

// Host settings a running host can change; the rest needs a restart of the host.
Status check_host_settings(const manifest::HostSettings& now, const manifest::HostSettings& next) {
  auto refuse = [](const char* field) {
    return failed_precondition(std::string("host.") + field + " cannot change while the host runs (restart it)");
  };
  if (now.state_dir != next.state_dir) return refuse("state_dir");
  if (now.plugin_path != next.plugin_path) return refuse("plugin_path");
  const manifest::AdminSettings &a = now.admin, &b = next.admin;
  if (a.enabled != b.enabled || a.listen != b.listen || a.token_file != b.token_file ||
      a.max_body_bytes != b.max_body_bytes || a.tls_cert_file != b.tls_cert_file || a.tls_key_file != b.tls_key_file) {
    return refuse("admin");
  }
  return ok_status();
}

// The host settings a reload may change (log level and format) are part of
// what it applied: a change of only those is a revision too, under "(host)"
// (no instance can have that name).
void note_host_changes(const manifest::HostSettings& now, const manifest::HostSettings& next, ReloadResult& result) {
  json::array changes;
  auto compare = [&](const char* field, const std::string& a, const std::string& b) {
    if (a != b) {
      changes.push_back(json::object{{"path", std::string("/") + field},
                                     {"op", "replace"},
                                     {"dynamic", true},
                                     {"secret", false},
                                     {"old", a},
                                     {"new", b}});
    }
  };
  compare("log_level", now.log_level, next.log_level);
  compare("log_format", now.log_format, next.log_format);
  if (changes.empty() || !result.ok()) return;
  result.diff["(host)"] = json::object{{"action", "reload"}, {"changes", std::move(changes)}};
  result.outcome = ReloadOutcome::kApplied;
}

// Proposed configs as stored in a revision: secrets redacted, and whether any were.
secrets::Redacted redacted_overrides(const json::object& overrides, const planning::ResolvedApp& app) {
  secrets::Redacted out{json::object{}, false};
  for (const auto& kv : overrides) {
    const planning::ResolvedInstance* p = app.find(std::string(kv.key()));
    if (p == nullptr) {
      out.value.as_object()[kv.key()] = kv.value();
      continue;
    }
    secrets::Redacted one = secrets::redact(kv.value(), "", p->metadata.config_schema, {});
    out.withheld = out.withheld || one.withheld;
    out.value.as_object()[kv.key()] = std::move(one.value);
  }
  return out;
}

}  // namespace

Reloader::Reloader(Rooms rooms, std::unique_ptr<planning::ResolvedApp> running, std::string manifest_path)
    : rooms_(std::move(rooms)),
      running_(std::move(running)),
      manifest_path_(std::move(manifest_path)),
      breaker_(running_->manifest.host.reload.breaker_failures, running_->manifest.host.reload.breaker_backoff,
               running_->manifest.host.reload.breaker_max_backoff),
      coalescer_([this](const std::string& source, const std::string& author) {
        return reload({source, author, std::nullopt, std::nullopt});
      }) {
  remember_secrets(*running_);
}

void Reloader::remember_secrets(const planning::ResolvedApp& app) {
  for (const planning::ResolvedInstance& p : app.instances) {
    rooms_.secrets.add(secrets::secret_values(p.config, "", p.metadata.config_schema, p.spec->secret_fields));
  }
}

Status Reloader::record_startup() {
  state::Revision revision;
  revision.source = "startup";
  revision.manifest = running_->manifest.text;
  revision.outcome = outcome_name(ReloadOutcome::kApplied);
  auto number = rooms_.store.add_revision(revision);
  if (!number.ok()) return number.status();
  current_revision_ = *number;
  return ok_status();
}

StatusOr<std::unique_ptr<planning::ResolvedApp>> Reloader::resolve(const Desired& desired,
                                                                   std::vector<std::string>& warnings) {
  std::string dir = std::filesystem::absolute(manifest_path_).parent_path().string();
  auto manifest = manifest::parse_manifest_text(desired.text, manifest_path_, manifest::process_env(dir));
  if (!manifest.ok()) return manifest.status();
  for (const auto& kv : desired.overrides) {
    manifest::InstanceSpec* spec = nullptr;
    for (manifest::InstanceSpec& s : manifest->plugins) {
      if (s.name == kv.key()) spec = &s;
    }
    if (spec == nullptr) {
      return invalid_argument("proposed config for instance \"" + std::string(kv.key()) +
                              "\", which is not in the manifest");
    }
    if (!kv.value().is_object()) {
      return invalid_argument("proposed config for instance \"" + std::string(kv.key()) + "\" is not a JSON object");
    }
    spec->config = kv.value().as_object();
    spec->secret_fields.clear();  // the proposal replaced every ${file:...} value
  }
  apply_layers(desired.layers, *manifest, warnings);
  HYPERION_RETURN_IF_ERROR(check_host_settings(running_->manifest.host, manifest->host));
  return planning::resolve_app(std::move(*manifest), rooms_.loader, planning::LoadMode::kLoad);
}

ReloadResult Reloader::apply(const Desired& desired) {
  std::vector<std::string> warnings;
  auto next = resolve(desired, warnings);
  if (!next.ok()) return ReloadResult::refused(ReloadError::kInvalidConfiguration, next.status().message());
  // Before any plugin sees the new configs (reload_prepare may log them).
  remember_secrets(**next);
  const manifest::ReloadSettings& settings = (*next)->manifest.host.reload;
  ReloadTransaction transaction(*running_, **next, rooms_.lifecycle,
                                [this](const planning::ResolvedInstance& p, const graph::DependencyGraph& g) {
                                  return rooms_.instances.make(p, g);
                                },
                                {settings.refuse_static_changes, settings.call_timeout});
  ReloadResult result = transaction.run();
  result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
  note_host_changes(running_->manifest.host, (*next)->manifest.host, result);
  if (result.ok()) {
    if (rooms_.apply_host_settings) {
      if (Status s = rooms_.apply_host_settings((*next)->manifest.host); !s.ok())
        result.warnings.push_back(s.message());
    }
    breaker_.configure(settings.breaker_failures, settings.breaker_backoff, settings.breaker_max_backoff);
    overrides_ = desired.overrides;
    layers_ = desired.layers;
    running_ = std::move(*next);
  }
  return result;
}

void Reloader::record(const ReloadRequest& request, const Desired& desired, ReloadResult& result) {
  if (result.outcome == ReloadOutcome::kUnchanged) return;
  state::Revision revision;
  revision.source = request.source;
  revision.author = request.author;
  revision.manifest = desired.text;
  revision.diff = json::serialize(result.diff);
  revision.outcome = outcome_name(result.outcome);
  secrets::Redacted overrides = redacted_overrides(desired.overrides, *running_);
  secrets::Redacted layers = stored_layers(desired.layers, *running_);
  revision.overrides = json::serialize(overrides.value);
  revision.layers = json::serialize(layers.value);
  revision.secrets_withheld = overrides.withheld || layers.withheld;
  if (!result.ok()) {
    revision.error = json::serialize(json::object{{"code", reload_error_name(result.error)},
                                                  {"plugin", result.instance},
                                                  {"field", result.field},
                                                  {"reason", result.reason}});
  }
  auto number = rooms_.store.add_revision(revision);
  if (!number.ok()) {
    result.warnings.push_back(number.status().message());
    return;
  }
  result.revision = *number;
  if (result.outcome == ReloadOutcome::kApplied) current_revision_ = *number;
}

ReloadResult Reloader::reload(const ReloadRequest& request) {
  GateGuard gate(rooms_.gate, request.give_up);
  if (!gate.entered()) {
    if (request.give_up != nullptr && request.give_up->load()) {
      return ReloadResult::refused(ReloadError::kProposerStopping,
                                   "the proposing instance is being stopped (by the reload or stop in progress)");
    }
    return ReloadResult::refused(ReloadError::kHostStopping, "the host is stopping");
  }
  auto log = logging::host_logger();
  if (auto refused = breaker_.admit()) {
    ReloadResult result = ReloadResult::refused(ReloadError::kBreakerOpen, *refused);
    count(result);
    log->warn("reload from {}: {}", request.source, result.summary());
    (void)rooms_.events.emit(
        "host", "dev.hyperion.reload.refused",
        json::serialize(json::object{
            {"source", request.source}, {"code", reload_error_name(result.error)}, {"reason", result.reason}}));
    return result;
  }
  (void)rooms_.events.emit("host", "dev.hyperion.reload.started",
                           json::serialize(json::object{{"source", request.source}, {"author", request.author}}));
  Desired desired{"", request.overrides ? *request.overrides : overrides_, request.layers ? *request.layers : layers_};
  ReloadResult result;
  bool have_text = true;
  if (!request.proposal.empty() || request.layer) {
    // Merged inside the gate, so concurrent proposals never drop each other.
    for (const auto& kv : request.proposal) desired.overrides[kv.key()] = kv.value();
    if (request.layer) put_layer(desired.layers, *request.layer);
    desired.text = running_->manifest.text;
  } else if (request.manifest_text) {
    desired.text = *request.manifest_text;
  } else if (auto file = os::read_file(manifest_path_, os::kMaxManifestBytes); file.ok()) {
    desired.text = std::move(*file);
  } else {
    result = ReloadResult::refused(ReloadError::kManifestUnreadable, "manifest: " + file.status().message());
    have_text = false;
  }
  if (have_text) result = apply(desired);
  if (result.ok()) {
    // Who set the complete configs now in force (shown by field_sources()).
    if (request.overrides) override_sources_.clear();
    for (const auto& kv : request.overrides ? *request.overrides : request.proposal) {
      override_sources_[std::string(kv.key())] = request.source;
    }
  }
  record(request, desired, result);
  remember_per_instance(result);
  announce_breaker(breaker_.record(result.ok()));
  count(result);
  if (result.outcome != ReloadOutcome::kUnchanged) {
    json::object data = result.to_json();
    data["source"] = request.source;
    (void)rooms_.events.emit("host", std::string("dev.hyperion.reload.") + outcome_name(result.outcome),
                             json::serialize(data));
  }
  if (result.ok())
    log->info("reload from {}: {}", request.source, result.summary());
  else
    log->error("reload from {}: {}", request.source, result.summary());
  for (const std::string& w : result.warnings) log->warn("reload: {}", w);
  return result;
}

void Reloader::announce_breaker(ReloadBreaker::Transition transition) {
  auto log = logging::host_logger();
  switch (transition) {
    case ReloadBreaker::Transition::kOpened:
      log->warn("reload circuit breaker opened: {}", json::serialize(breaker_.to_json()));
      (void)rooms_.events.emit("host", "dev.hyperion.reload.breaker.opened", json::serialize(breaker_.to_json()));
      break;
    case ReloadBreaker::Transition::kClosed:
      log->info("reload circuit breaker closed");
      (void)rooms_.events.emit("host", "dev.hyperion.reload.breaker.closed", "");
      break;
    case ReloadBreaker::Transition::kNone: break;
  }
}

void Reloader::count(const ReloadResult& result) {
  (void)rooms_.metrics.counter_add("hyperion", "hyperion_reloads_total",
                                   json::serialize(json::object{{"outcome", outcome_name(result.outcome)}}), 1);
}

void Reloader::remember_per_instance(const ReloadResult& result) {
  if (result.outcome == ReloadOutcome::kUnchanged) return;
  std::lock_guard lock(last_mu_);
  for (const auto& kv : result.diff) {
    last_per_instance_[kv.key()] = json::object{{"revision", result.revision},
                                                {"outcome", outcome_name(result.outcome)},
                                                {"action", kv.value().as_object().at("action")}};
  }
}

json::object Reloader::last_per_instance() const {
  std::lock_guard lock(last_mu_);
  return last_per_instance_;
}

ReloadResult Reloader::propose(const std::string& instance, const std::string& source, const std::string& desired_json,
                               const std::atomic<bool>* give_up) {
  boost::system::error_code ec;
  json::value desired = json::parse(desired_json, ec);
  if (ec || !desired.is_object()) {
    auto r = ReloadResult::refused(ReloadError::kInvalidConfiguration,
                                   "config_propose: the proposal is not a JSON object of instance -> config");
    r.instance = instance;
    return r;
  }
  if (desired.as_object().empty()) return ReloadResult{};  // nothing proposed: unchanged
  ReloadRequest request{"plugin:" + instance + (source.empty() ? "" : " (" + source + ")"), instance, std::nullopt,
                        std::nullopt, desired.as_object()};
  request.give_up = give_up;
  return reload(request);
}

ReloadResult Reloader::propose_layer(const std::string& instance, const std::string& source,
                                     const std::string& layer_json, const std::atomic<bool>* give_up) {
  auto layer = ConfigLayer::parse(instance, source, layer_json);
  if (!layer.ok()) {
    auto r =
        ReloadResult::refused(ReloadError::kInvalidConfiguration, "config_propose_layer: " + layer.status().message());
    r.instance = instance;
    return r;
  }
  ReloadRequest request{"plugin:" + instance + (source.empty() ? "" : " (" + source + ")"), instance, std::nullopt,
                        std::nullopt};
  request.layer = std::move(*layer);
  request.give_up = give_up;
  return reload(request);
}

json::object Reloader::field_sources() const { return field_origins(overrides_, override_sources_, layers_); }

json::array Reloader::layers_view() const { return stored_layers(layers_, *running_).value.as_array(); }

ReloadResult Reloader::reload_from_file(const std::string& source, const std::string& author) {
  return coalescer_.run(source, author);
}

ReloadResult Reloader::rollback(uint64_t number, const std::string& author) {
  auto revision = rooms_.store.revision(number);
  if (!revision.ok()) {
    return ReloadResult::refused(revision.status().code() == StatusCode::kNotFound ? ReloadError::kUnknownRevision
                                                                                   : ReloadError::kManifestUnreadable,
                                 revision.status().message());
  }
  const std::string which = "revision " + std::to_string(number);
  boost::system::error_code ec;
  json::value overrides = json::parse(revision->overrides, ec);
  if (ec || !overrides.is_object()) {
    return ReloadResult::refused(ReloadError::kInvalidConfiguration, which + " has unreadable overrides");
  }
  if (revision->secrets_withheld) {
    return ReloadResult::refused(ReloadError::kSecretsNotRestorable,
                                 which +
                                     " carries secrets proposed by a config source, which are never stored; ask "
                                     "the source to propose them again");
  }
  json::value stored_layers = json::parse(revision->layers, ec);
  if (ec || !stored_layers.is_array()) {
    return ReloadResult::refused(ReloadError::kInvalidConfiguration, which + " has unreadable layers");
  }
  std::vector<ConfigLayer> layers;
  for (const json::value& stored : stored_layers.as_array()) {
    auto layer = ConfigLayer::from_json(stored);
    if (!layer.ok())
      return ReloadResult::refused(ReloadError::kInvalidConfiguration, which + ": " + layer.status().message());
    layers.push_back(std::move(*layer));
  }
  ReloadRequest request{"rollback:" + std::to_string(number), author, revision->manifest, overrides.as_object()};
  request.layers = std::move(layers);
  return reload(request);
}

}  // namespace hyperion::reload
