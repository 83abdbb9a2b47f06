#include "reload/reloader.h"

#include <filesystem>

#include "loader/library_report.h"
#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "os/read_file.h"
#include "os/shared_library.h"
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
  if (now.admin != next.admin) return refuse("admin");
  return ok_status();
}

// The host settings a reload may change (log level and format) are part of
// what it applied: a change of only those is a revision too, under "(host)"
// (no instance can have that name).
void note_host_changes(const manifest::HostSettings& now, const manifest::HostSettings& next, ReloadResult& result) {
  json::array changes;
  auto compare = [&](const char* field, const json::value& a, const json::value& b) {
    if (a != b) {
      changes.push_back(json::object{{"path", std::string("/") + field},
                                     {"op", "replace"},
                                     {"dynamic", true},
                                     {"secret", false},
                                     {"old", a},
                                     {"new", b}});
    }
  };
  compare("log_level", json::value(now.log_level), json::value(next.log_level));
  compare("log_format", json::value(now.log_format), json::value(next.log_format));
  compare("revisions/keep", now.revisions.keep, next.revisions.keep);
  compare("revisions/max_bytes", now.revisions.max_bytes, next.revisions.max_bytes);
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

json::object libraries_to_json(const LibraryChoices& libraries) {
  json::object out;
  for (const auto& [instance, choice] : libraries) {
    json::object one{{"library", choice.library}};
    if (choice.sha256) one["sha256"] = *choice.sha256;
    out[instance] = std::move(one);
  }
  return out;
}

StatusOr<LibraryChoices> libraries_from_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return invalid_argument("unreadable libraries");
  LibraryChoices out;
  for (const auto& kv : v.as_object()) {
    const json::object* one = kv.value().if_object();
    const json::value* library = one != nullptr ? one->if_contains("library") : nullptr;
    if (library == nullptr || !library->is_string()) return invalid_argument("unreadable libraries");
    LibraryChoice choice{std::string(library->as_string()), std::nullopt};
    if (const json::value* sha = one->if_contains("sha256"); sha != nullptr && sha->is_string()) {
      choice.sha256 = std::string(sha->as_string());
    }
    out[std::string(kv.key())] = std::move(choice);
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
  (void)rooms_.metrics.describe("hyperion_reloads_total",
                                "Reloads of the app, by outcome (applied, unchanged, refused, rolled_back).");
  (void)rooms_.metrics.describe("hyperion_swaps_total", "Hot swaps of a plugin library, by outcome (swapped, failed).");
  remember_secrets(*running_);
  for (const manifest::InstanceSpec& spec : running_->manifest.plugins) {
    manifest_libraries_[spec.name] = {spec.library, spec.sha256};
  }
}

void Reloader::remember_secrets(const planning::ResolvedApp& app) {
  for (const planning::ResolvedInstance& p : app.instances) {
    rooms_.secrets.add(secrets::secret_values(p.config, "", p.metadata.config_schema, p.spec->secret_fields));
  }
}

void Reloader::prune_history() {
  const manifest::RevisionSettings& keep = running_->manifest.host.revisions;
  auto pruned = rooms_.store.prune_revisions(keep.keep, keep.max_bytes, current_revision_.load());
  if (!pruned.ok()) {
    logging::host_logger()->warn("revisions: {}", pruned.status().message());
  } else if (*pruned > 0) {
    logging::host_logger()->debug("revisions: {} old revision(s) dropped (host.revisions keeps {} / {} bytes)", *pruned,
                                  keep.keep, keep.max_bytes);
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
  prune_history();
  return ok_status();
}

StatusOr<std::unique_ptr<planning::ResolvedApp>> Reloader::resolve(Desired& desired, std::vector<std::string>& warnings,
                                                                   LibraryChoices& as_written,
                                                                   manifest::Diagnostics& problems) {
  std::string dir = std::filesystem::absolute(manifest_path_).parent_path().string();
  auto manifest = manifest::parse_manifest_text(desired.text, manifest_path_, manifest::process_env(dir));
  if (!manifest.ok()) return manifest.status();
  for (manifest::InstanceSpec& spec : manifest->plugins) as_written[spec.name] = {spec.library, spec.sha256};
  // A swapped library stays on top of the manifest's until the manifest drops
  // the instance or changes its library or sha256 itself (the newer intent).
  for (auto it = desired.libraries.begin(); it != desired.libraries.end();) {
    manifest::InstanceSpec* spec = nullptr;
    for (manifest::InstanceSpec& candidate : manifest->plugins) {
      if (candidate.name == it->first) spec = &candidate;
    }
    auto before = manifest_libraries_.find(it->first);
    bool overruled =
        spec == nullptr || (!desired.keep_all_libraries && it->first != desired.must_swap &&
                            (before == manifest_libraries_.end() || before->second.library != spec->library ||
                             before->second.sha256 != spec->sha256));
    if (overruled) {
      if (it->first == desired.must_swap) {
        return invalid_argument("swap: there is no instance \"" + it->first + "\" in the running app");
      }
      it = desired.libraries.erase(it);
      continue;
    }
    spec->library = it->second.library;
    spec->sha256 = it->second.sha256;
    ++it;
  }
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
  // Every problem at once, as validate reports them: the host settings' and
  // each instance's.
  // The app's name is in every event's source, the metrics and the default
  // state folder: it cannot change under a running host, and a reload that
  // tried must not answer "unchanged" while something changed (#25).
  Status host_settings = running_->manifest.app != manifest->app
                             ? failed_precondition("app cannot change while the host runs (restart it): \"" +
                                                   running_->manifest.app + "\" -> \"" + manifest->app + "\"")
                             : check_host_settings(running_->manifest.host, manifest->host);
  auto app = planning::resolve_app(std::move(*manifest), rooms_.loader, planning::LoadMode::kLoad, &problems);
  if (!host_settings.ok()) {
    return invalid_argument(host_settings.message() + (app.ok() ? "" : "\n" + app.status().message()));
  }
  return app;
}

ReloadResult Reloader::apply(Desired& desired) {
  std::vector<std::string> warnings;
  LibraryChoices as_written;
  manifest::Diagnostics problems;
  auto next = resolve(desired, warnings, as_written, problems);
  if (!next.ok()) {
    ReloadResult refused = ReloadResult::refused(ReloadError::kInvalidConfiguration, next.status().message());
    // The first problem that names an instance says which, and which field
    // (the reason lists them all).
    for (const manifest::Diagnostic& d : problems) {
      if (d.instance.empty()) continue;
      refused.instance = d.instance;
      refused.field = d.config_pointer;
      break;
    }
    if (auto swap = desired.libraries.find(desired.must_swap); swap != desired.libraries.end()) {
      // The manifest location in the message is where the instance is declared;
      // the library in question is the one the swap asked for.
      refused.instance = desired.must_swap;
      refused.reason = "swap to " + swap->second.library + ": " + refused.reason;
    }
    return refused;
  }
  // Before any plugin sees the new configs (reload_prepare may log them).
  remember_secrets(**next);
  const manifest::ReloadSettings& settings = (*next)->manifest.host.reload;
  ReloadResult result;
  {
    // Scoped: the instances a swap replaced go with the transaction, so their
    // libraries can leave the process before verify_unloaded() looks.
    ReloadTransaction::Policy policy;
    policy.refuse_static_changes = settings.refuse_static_changes;
    policy.call_timeout = settings.call_timeout;
    policy.must_swap = desired.must_swap;
    ReloadTransaction transaction(
        *running_, **next, rooms_.lifecycle,
        [this](const planning::ResolvedInstance& p, const graph::DependencyGraph& g) {
          return rooms_.instances.make(p, g);
        },
        policy);
    result = transaction.run();
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
      libraries_ = desired.libraries;
      manifest_libraries_ = std::move(as_written);
      running_ = std::move(*next);
    }
  }
  verify_unloaded(result);
  // The cache keeps what is mapped: a swapped-out build's copy goes with it (a
  // revision names its library by path and pin, never by cache entry).
  if (result.outcome == ReloadOutcome::kApplied) rooms_.loader.prune_cache();
  return result;
}

void Reloader::verify_unloaded(ReloadResult& result) const {
  for (const SwapRecord& swap : result.swaps) {
    bool mapped = os::SharedLibrary::is_loaded(swap.old_cached_path);
    std::string why;
    if (mapped) {
      if (auto still = swap.old_plugin.lock()) {
        for (const planning::ResolvedInstance& p : running_->instances) {
          if (p.plugin == still) why += (why.empty() ? "still used by instance \"" : ", \"") + p.spec->name + "\"";
        }
        if (still->pinned.load()) {
          why = "a call into it never returned (hung), so it is never unloaded";
        } else if (why.empty()) {
          why = "still referenced by a call in flight";
        }
      } else {
        auto report = loader::inspect_library(swap.old_cached_path);
        if (report.ok()) {
          for (const std::string& w : report->unload_warnings) why += (why.empty() ? "" : "; ") + w;
        }
        if (why.empty()) why = "the dynamic loader kept it mapped (a thread it started may still be running)";
      }
    }
    json::object old_library{{"path", swap.old_cached_path}, {"sha256", swap.old_sha256}, {"unloaded", !mapped}};
    if (mapped) old_library["pinned"] = why;
    if (json::object* entry = result.diff[swap.instance].if_object())
      entry->insert_or_assign("old_library", old_library);
  }
}

void Reloader::announce_swaps(const ReloadResult& result) {
  auto announce = [&](bool failed, json::object data) {
    (void)rooms_.events.emit("host", failed ? "dev.hyperion.plugin.swap_failed" : "dev.hyperion.plugin.swapped",
                             json::serialize(data));
    (void)rooms_.metrics.counter_add("hyperion", "hyperion_swaps_total",
                                     json::serialize(json::object{{"outcome", failed ? "failed" : "swapped"}}), 1);
  };
  bool failure_announced = false;
  for (const auto& kv : result.diff) {
    const json::object& entry = kv.value().as_object();
    if (entry.at("action") != "swap") continue;
    const bool failed = !result.ok() && result.instance == kv.key();
    if (!result.ok() && !failed) continue;  // rolled back with another step: not this swap's failure
    json::object data = entry;
    data["instance"] = kv.key();
    data["revision"] = result.revision;
    if (failed) data["reason"] = result.reason;
    announce(failed, std::move(data));
    failure_announced = failure_announced || failed;
  }
  // A swap request refused before any swap step ran: the library does not
  // load or fit, or the instance would have to restart.
  if (result.swap_requested && !result.ok() && !failure_announced && !result.instance.empty()) {
    announce(true,
             json::object{{"instance", result.instance}, {"revision", result.revision}, {"reason", result.reason}});
  }
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
  revision.libraries = json::serialize(libraries_to_json(desired.libraries));
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
  prune_history();
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
  // Checked inside the gate: no other reload can move the revision between
  // this check and the apply below.
  if (request.expected_revision && *request.expected_revision != current_revision_.load()) {
    ReloadResult result = ReloadResult::refused(
        ReloadError::kRevisionMoved, "the running revision is " + std::to_string(current_revision_.load()) + ", not " +
                                         std::to_string(*request.expected_revision) +
                                         " as expected: nothing was applied (look at what changed, then retry)");
    log->warn("reload from {}: {}", request.source, result.summary());
    return result;
  }
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
  if (rooms_.observer) rooms_.observer(nullptr);
  Desired desired{"",
                  request.overrides ? *request.overrides : overrides_,
                  request.layers ? *request.layers : layers_,
                  request.libraries ? *request.libraries : libraries_,
                  request.libraries.has_value(),
                  ""};
  ReloadResult result;
  bool have_text = true;
  if (request.swap) {
    desired.must_swap = request.swap->first;
    desired.libraries[request.swap->first] = request.swap->second;
    desired.text = running_->manifest.text;
  } else if (!request.proposal.empty() || request.layer) {
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
  result.swap_requested = request.swap.has_value();
  if (result.ok()) {
    // Who set the complete configs now in force (shown by field_sources()).
    if (request.overrides) override_sources_.clear();
    for (const auto& kv : request.overrides ? *request.overrides : request.proposal) {
      override_sources_[std::string(kv.key())] = request.source;
    }
  }
  record(request, desired, result);
  announce_swaps(result);
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
  if (rooms_.observer) rooms_.observer(&result);
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
    const json::object& entry = kv.value().as_object();
    last_per_instance_[kv.key()] = json::object{
        {"revision", result.revision}, {"outcome", outcome_name(result.outcome)}, {"action", entry.at("action")}};
    if (result.ok() && entry.at("action") == "swap") {
      json::object swap = entry;
      swap.erase("changes");
      swap["revision"] = result.revision;
      last_swaps_[kv.key()] = std::move(swap);
    }
  }
}

json::object Reloader::last_swaps() const {
  std::lock_guard lock(last_mu_);
  return last_swaps_;
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

json::object Reloader::libraries_view() const { return libraries_to_json(libraries_); }

ReloadResult Reloader::swap(const std::string& instance, const LibraryChoice& library, const std::string& source,
                            const std::string& author, std::optional<uint64_t> expected_revision) {
  ReloadRequest request{source, author, std::nullopt, std::nullopt};
  request.swap = std::make_pair(instance, library);
  request.expected_revision = expected_revision;
  return reload(request);
}

json::array Reloader::layers_view() const { return stored_layers(layers_, *running_).value.as_array(); }

ReloadResult Reloader::reload_from_file(const std::string& source, const std::string& author) {
  return coalescer_.run(source, author);
}

ReloadResult Reloader::rollback(uint64_t number, const std::string& author, std::optional<uint64_t> expected_revision) {
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
  auto libraries = libraries_from_json(revision->libraries);
  if (!libraries.ok())
    return ReloadResult::refused(ReloadError::kInvalidConfiguration, which + " has unreadable libraries");
  ReloadRequest request{"rollback:" + std::to_string(number), author, revision->manifest, overrides.as_object()};
  request.layers = std::move(layers);
  request.libraries = std::move(*libraries);
  request.expected_revision = expected_revision;
  return reload(request);
}

}  // namespace hyperion::reload
