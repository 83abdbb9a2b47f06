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

StatusOr<std::unique_ptr<planning::ResolvedApp>> Reloader::resolve(const std::string& text,
                                                                   const json::object& overrides) {
  std::string dir = std::filesystem::absolute(manifest_path_).parent_path().string();
  auto manifest = manifest::parse_manifest_text(text, manifest_path_, manifest::process_env(dir));
  if (!manifest.ok()) return manifest.status();
  for (const auto& kv : overrides) {
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
  HYPERION_RETURN_IF_ERROR(check_host_settings(running_->manifest.host, manifest->host));
  return planning::resolve_app(std::move(*manifest), rooms_.loader, planning::LoadMode::kLoad);
}

ReloadResult Reloader::apply(const std::string& text, const json::object& overrides) {
  auto next = resolve(text, overrides);
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
  if (result.ok()) {
    if (rooms_.apply_host_settings) {
      if (Status s = rooms_.apply_host_settings((*next)->manifest.host); !s.ok())
        result.warnings.push_back(s.message());
    }
    breaker_.configure(settings.breaker_failures, settings.breaker_backoff, settings.breaker_max_backoff);
    overrides_ = overrides;
    running_ = std::move(*next);
  }
  return result;
}

void Reloader::record(const ReloadRequest& request, const std::string& text, const json::object& overrides,
                      ReloadResult& result) {
  if (result.outcome == ReloadOutcome::kUnchanged) return;
  state::Revision revision;
  revision.source = request.source;
  revision.author = request.author;
  revision.manifest = text;
  revision.diff = json::serialize(result.diff);
  revision.outcome = outcome_name(result.outcome);
  secrets::Redacted stored = redacted_overrides(overrides, *running_);
  revision.overrides = json::serialize(stored.value);
  revision.secrets_withheld = stored.withheld;
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
  GateGuard gate(rooms_.gate);
  if (!gate.entered()) return ReloadResult::refused(ReloadError::kHostStopping, "the host is stopping");
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
  std::string text;
  json::object overrides = request.overrides ? *request.overrides : overrides_;
  ReloadResult result;
  bool have_text = true;
  if (!request.proposal.empty()) {
    // Merged inside the gate, so concurrent proposals never drop each other.
    for (const auto& kv : request.proposal) overrides[kv.key()] = kv.value();
    text = running_->manifest.text;
  } else if (request.manifest_text) {
    text = *request.manifest_text;
  } else if (auto file = os::read_file(manifest_path_, os::kMaxManifestBytes); file.ok()) {
    text = std::move(*file);
  } else {
    result = ReloadResult::refused(ReloadError::kManifestUnreadable, "manifest: " + file.status().message());
    have_text = false;
  }
  if (have_text) result = apply(text, overrides);
  record(request, text, overrides, result);
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

ReloadResult Reloader::propose(const std::string& instance, const std::string& source,
                               const std::string& desired_json) {
  boost::system::error_code ec;
  json::value desired = json::parse(desired_json, ec);
  if (ec || !desired.is_object()) {
    auto r = ReloadResult::refused(ReloadError::kInvalidConfiguration,
                                   "config_propose: the proposal is not a JSON object of instance -> config");
    r.instance = instance;
    return r;
  }
  if (desired.as_object().empty()) return ReloadResult{};  // nothing proposed: unchanged
  return reload({"plugin:" + instance + (source.empty() ? "" : " (" + source + ")"), instance, std::nullopt,
                 std::nullopt, desired.as_object()});
}

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
  return reload({"rollback:" + std::to_string(number), author, revision->manifest, overrides.as_object()});
}

}  // namespace hyperion::reload
