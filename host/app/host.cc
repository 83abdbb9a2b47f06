#include "app/host.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/host_services.h"
#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "paths/plugin_search_path.h"
#include "paths/state_directory.h"
#include "reload/config_diff.h"
#include "reload/reload_transaction.h"

namespace hyperion::app {
namespace {

using Clock = std::chrono::steady_clock;

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

}  // namespace

StatusOr<std::unique_ptr<Host>> Host::prepare(const std::string& manifest_path, const HostOptions& options) {
  auto manifest = manifest::parse_manifest_file(manifest_path);
  if (!manifest.ok()) return manifest.status();
  HYPERION_RETURN_IF_ERROR(logging::configure(options.log_level.value_or(manifest->host.log_level),
                                              options.log_format.value_or(manifest->host.log_format)));
  std::unique_ptr<Host> host(new Host());
  host->manifest_path_ = manifest_path;
  host->options_ = options;
  host->state_dir_ = manifest->host.state_dir.empty() ? paths::default_state_dir(manifest->app) : manifest->host.state_dir;
  auto store = state::StateStore::open((std::filesystem::path(host->state_dir_) / "hyperion.db").string());
  if (!store.ok()) return store.status();
  host->store_ = std::move(*store);
  const manifest::ReloadSettings& rs = manifest->host.reload;
  host->breaker_ = std::make_unique<reload::ReloadBreaker>(rs.breaker_failures, rs.breaker_backoff, rs.breaker_max_backoff);
  Host* self = host.get();
  host->coalescer_ = std::make_unique<reload::ReloadCoalescer>(
      [self](const std::string& source, const std::string& author) { return self->reload({source, author, std::nullopt, std::nullopt}); });
  host->loader_ = std::make_unique<loader::Loader>(
      paths::plugin_search_path(options.plugin_path, manifest->host.plugin_path),
      (std::filesystem::path(host->state_dir_) / "cache").string());
  auto plan = planning::plan_app(std::move(*manifest), *host->loader_, planning::LoadMode::kLoad);
  if (!plan.ok()) return plan.status();
  host->plan_ = std::move(*plan);
  host->facilities_ = std::make_unique<hostapi::HostFacilities>(host->plan_->manifest.app);
  host->remember_secrets(*host->plan_);
  host->facilities_->propose_config = [self](const std::string& instance, const std::string& source,
                                             const std::string& json) -> StatusOr<uint64_t> {
    reload::ReloadResult r = self->propose(instance, source, json);
    if (r.ok()) return r.revision != 0 ? r.revision : self->current_revision_.load();
    StatusCode code = r.invalid ? StatusCode::kInvalidArgument
                      : r.reason.find("circuit breaker") != std::string::npos || r.reason == "the host is stopping"
                          ? StatusCode::kUnavailable
                          : StatusCode::kAborted;
    return Status(code, r.summary());
  };
  // Every event the host or a plugin emits is kept in the state database.
  state::StateStore* db = host->store_.get();
  host->facilities_->events.subscribe("host", "", [db](const std::string& json) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    std::string type = !ec && v.is_object() && v.as_object().contains("type") ? std::string(v.at("type").as_string()) : "";
    db->enqueue_event(type, json);
  });

  std::vector<lifecycle::InstancePlan> plans;
  for (const std::string& name : host->plan_->graph.start_order()) {
    const planning::PlannedInstance& p = *host->plan_->find(name);
    lifecycle::InstancePlan ip;
    ip.instance = host->make_instance(p, host->plan_->graph);
    ip.config = p.config;
    ip.start_timeout = p.spec->start_timeout;
    ip.stop_timeout = p.spec->stop_timeout;
    plans.push_back(std::move(ip));
  }
  host->health_ = std::make_unique<health::HealthAggregator>(
      host->runner_,
      health::HealthAggregator::Source{[self] { return self->health_targets(); },
                                       [self] { return std::string(self->phase_.load()); },
                                       [self] { return self->draining_.load(); }},
      host->plan_->manifest.host.health.cache);
  publish_host_services(*host);
  host->lifecycle_ = std::make_unique<lifecycle::Lifecycle>(
      std::move(plans),
      [self](const std::string& what, const lifecycle::PluginInstance& instance, const std::string& detail) {
        self->observe_instance(what, instance, detail);
      });
  return host;
}

void Host::observe_instance(const std::string& what, const lifecycle::PluginInstance& inst, const std::string& detail) {
  const std::string& instance = inst.name();
  auto log = logging::host_logger();
  if (what == "started" || what == "stopped") {
    if (detail.empty()) log->info("instance \"{}\" {}", instance, what);
    else log->info("instance \"{}\" {} ({})", instance, what, detail);
  } else {
    log->error("{}", detail);
  }
  const loader::LoadedPlugin& plugin = inst.plugin();
  store_->enqueue_plugin_history(
      {"", instance, what, plugin.metadata.name, plugin.metadata.version, plugin.sha256, detail});
  boost::json::object data{{"instance", instance}};
  if (!detail.empty()) data["detail"] = detail;
  (void)facilities_->events.emit("host", "dev.hyperion.plugin." + what, boost::json::serialize(data));
}

Host::~Host() {
  if (lifecycle_) (void)stop();
}

std::unique_ptr<lifecycle::PluginInstance> Host::make_instance(const planning::PlannedInstance& planned,
                                                               const graph::DependencyGraph& graph) {
  std::map<std::string, std::string> providers;
  for (const loader::Requirement& r : planned.metadata.requires_) {
    if (auto provider = graph.provider_for(planned.spec->name, r.api.api)) providers[r.api.api] = *provider;
  }
  return std::make_unique<lifecycle::PluginInstance>(planned.spec->name, planned.plugin, *facilities_, runner_,
                                                     std::move(providers));
}

Status Host::start() {
  GateGuard gate(gate_, true);
  auto log = logging::host_logger();
  phase_ = "starting";
  log->info("starting app \"{}\" ({} instances)", plan_->manifest.app, plan_->instances.size());
  Status s = lifecycle_->start_all();
  if (!s.ok()) {
    phase_ = "failed";
    return s;
  }
  phase_ = "running";
  // What runs now is a revision too: history starts with it, and it can be rolled back to.
  state::Revision revision;
  revision.source = "startup";
  revision.manifest = plan_->manifest.text;
  revision.outcome = "applied";
  auto number = store_->add_revision(revision);
  if (number.ok()) current_revision_ = *number;
  else log->error("{}", number.status().message());
  log->info("all {} instances started (revision {})", plan_->instances.size(), current_revision_);
  return s;
}

Status Host::stop() {
  // Before entering: a proposal waiting for the gate (from a plugin's timer,
  // which stop() is about to cancel) gives up instead of deadlocking.
  gate_.begin_stopping();
  GateGuard gate(gate_, true);
  phase_ = "stopping";
  Status s = lifecycle_->stop_all();
  phase_ = "stopped";
  facilities_->events.flush();
  store_->flush();
  return s;
}

StatusOr<std::string> Host::read_manifest_file() const {
  std::ifstream in(manifest_path_, std::ios::binary);
  if (!in) return not_found("manifest: cannot read " + manifest_path_);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

StatusOr<std::unique_ptr<planning::AppPlan>> Host::plan_manifest(const std::string& text,
                                                                 const boost::json::object& overrides) {
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
  HYPERION_RETURN_IF_ERROR(check_host_settings(plan_->manifest.host, manifest->host));
  return planning::plan_app(std::move(*manifest), *loader_, planning::LoadMode::kLoad);
}

void Host::remember_secrets(const planning::AppPlan& plan) {
  for (const planning::PlannedInstance& p : plan.instances) {
    facilities_->secrets->add(reload::secret_values(p.config, "", p.metadata.config_schema, p.spec->secret_fields));
  }
}

reload::ReloadResult Host::apply(const std::string& text, const boost::json::object& overrides) {
  reload::ReloadResult result;
  auto next = plan_manifest(text, overrides);
  if (!next.ok()) {
    result = reload::ReloadResult::refused(next.status().message());
    result.invalid = true;
    return result;
  }
  // Before any plugin sees the new configs (reload_prepare may log them).
  remember_secrets(**next);
  const manifest::ReloadSettings& settings = (*next)->manifest.host.reload;
  reload::ReloadTransaction transaction(
      *plan_, **next, *lifecycle_,
      [this](const planning::PlannedInstance& p, const graph::DependencyGraph& g) { return make_instance(p, g); },
      {settings.refuse_static_changes, settings.call_timeout});
  result = transaction.run();
  if (result.ok()) {
    const manifest::HostSettings& host = (*next)->manifest.host;
    Status logs = logging::configure(options_.log_level.value_or(host.log_level),
                                     options_.log_format.value_or(host.log_format));
    if (!logs.ok()) result.warnings.push_back(logs.message());
    breaker_->configure(settings.breaker_failures, settings.breaker_backoff, settings.breaker_max_backoff);
    overrides_ = overrides;
    plan_ = std::move(*next);
  }
  return result;
}

void Host::record(const ReloadRequest& request, const std::string& text, const boost::json::object& overrides,
                  reload::ReloadResult& result) {
  if (result.outcome == reload::ReloadOutcome::kUnchanged) return;
  state::Revision revision;
  revision.source = request.source;
  revision.author = request.author;
  revision.manifest = text;
  revision.diff = boost::json::serialize(result.diff);
  revision.outcome = reload::outcome_name(result.outcome);
  revision.overrides = redacted_overrides(overrides);
  if (!result.ok()) {
    revision.error = boost::json::serialize(
        boost::json::object{{"plugin", result.instance}, {"field", result.field}, {"reason", result.reason}});
  }
  auto number = store_->add_revision(revision);
  if (!number.ok()) {
    result.warnings.push_back(number.status().message());
    return;
  }
  result.revision = *number;
  if (result.outcome == reload::ReloadOutcome::kApplied) current_revision_ = *number;
}

std::string Host::redacted_overrides(const boost::json::object& overrides) const {
  boost::json::object out;
  for (const auto& kv : overrides) {
    const planning::PlannedInstance* p = plan_->find(std::string(kv.key()));
    out[kv.key()] = p ? reload::redact(kv.value(), "", p->metadata.config_schema, {}) : kv.value();
  }
  return boost::json::serialize(out);
}

reload::ReloadResult Host::reload(const ReloadRequest& request) {
  GateGuard gate(gate_);
  if (!gate.entered()) return reload::ReloadResult::refused("the host is stopping");
  auto log = logging::host_logger();
  auto& events = facilities_->events;
  reload::ReloadResult result;
  if (auto refused = breaker_->admit()) {
    result = reload::ReloadResult::refused(*refused);
    count_reload(result);
    log->warn("reload from {}: {}", request.source, result.summary());
    (void)events.emit("host", "dev.hyperion.reload.refused",
                      boost::json::serialize(boost::json::object{{"source", request.source}, {"reason", result.reason}}));
    return result;
  }
  (void)events.emit("host", "dev.hyperion.reload.started",
                    boost::json::serialize(boost::json::object{{"source", request.source}, {"author", request.author}}));
  std::string text;
  boost::json::object overrides = request.overrides ? *request.overrides : overrides_;
  if (!request.proposal.empty()) {
    // Merged under the lock, so concurrent proposals never drop each other.
    for (const auto& kv : request.proposal) overrides[kv.key()] = kv.value();
    text = plan_->manifest.text;
  } else if (request.manifest_text) {
    text = *request.manifest_text;
  } else if (auto file = read_manifest_file(); file.ok()) {
    text = std::move(*file);
  } else {
    result = reload::ReloadResult::refused(file.status().message());
  }
  if (result.reason.empty()) result = apply(text, overrides);
  record(request, text, overrides, result);
  remember_per_instance(result);

  switch (breaker_->record(result.ok())) {
    case reload::ReloadBreaker::Transition::kOpened:
      log->warn("reload circuit breaker opened: {}", boost::json::serialize(breaker_->to_json()));
      (void)events.emit("host", "dev.hyperion.reload.breaker.opened", boost::json::serialize(breaker_->to_json()));
      break;
    case reload::ReloadBreaker::Transition::kClosed:
      log->info("reload circuit breaker closed");
      (void)events.emit("host", "dev.hyperion.reload.breaker.closed", "");
      break;
    case reload::ReloadBreaker::Transition::kNone: break;
  }
  count_reload(result);
  if (result.outcome != reload::ReloadOutcome::kUnchanged) {
    boost::json::object data = result.to_json();
    data["source"] = request.source;
    (void)events.emit("host", std::string("dev.hyperion.reload.") + reload::outcome_name(result.outcome),
                      boost::json::serialize(data));
  }
  if (result.ok()) log->info("reload from {}: {}", request.source, result.summary());
  else log->error("reload from {}: {}", request.source, result.summary());
  for (const std::string& w : result.warnings) log->warn("reload: {}", w);
  return result;
}

void Host::count_reload(const reload::ReloadResult& result) {
  (void)facilities_->metrics.counter_add(
      "hyperion", "hyperion_reloads_total",
      boost::json::serialize(boost::json::object{{"outcome", reload::outcome_name(result.outcome)}}), 1);
}

void Host::remember_per_instance(const reload::ReloadResult& result) {
  if (result.outcome == reload::ReloadOutcome::kUnchanged) return;
  std::lock_guard lock(last_reload_mu_);
  for (const auto& kv : result.diff) {
    boost::json::object entry{{"revision", result.revision},
                              {"outcome", reload::outcome_name(result.outcome)},
                              {"action", kv.value().as_object().at("action")}};
    last_reload_[kv.key()] = std::move(entry);
  }
}

reload::ReloadResult Host::propose(const std::string& instance, const std::string& source,
                                   const std::string& desired_json) {
  boost::system::error_code ec;
  boost::json::value desired = boost::json::parse(desired_json, ec);
  if (ec || !desired.is_object()) {
    auto r = reload::ReloadResult::refused("config_propose: the proposal is not a JSON object of instance -> config");
    r.invalid = true;
    r.instance = instance;
    return r;
  }
  if (desired.as_object().empty()) {
    reload::ReloadResult r;
    r.outcome = reload::ReloadOutcome::kUnchanged;
    return r;
  }
  return reload({"plugin:" + instance + (source.empty() ? "" : " (" + source + ")"), instance, std::nullopt, std::nullopt,
                 desired.as_object()});
}

reload::ReloadResult Host::reload_from_file(const std::string& source, const std::string& author) {
  return coalescer_->run(source, author);
}

reload::ReloadResult Host::rollback(uint64_t number, const std::string& author) {
  const auto refuse = reload::ReloadResult::refused;
  auto revision = store_->revision(number);
  if (!revision.ok()) return refuse(revision.status().message());
  boost::system::error_code ec;
  boost::json::value overrides = boost::json::parse(revision->overrides, ec);
  if (ec || !overrides.is_object()) return refuse("revision " + std::to_string(number) + " has unreadable overrides");
  if (revision->overrides.find("<redacted>") != std::string::npos) {
    return refuse("revision " + std::to_string(number) +
                  " carries secrets proposed by a config source, which are never stored; ask the source to propose "
                  "them again");
  }
  return reload({"rollback:" + std::to_string(number), author, revision->manifest, overrides.as_object()});
}

boost::json::object Host::status() {
  GateGuard gate(gate_, true);
  boost::json::array instances;
  for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
    const loader::LoadedPlugin& plugin = p.instance->plugin();
    instances.push_back(boost::json::object{{"name", p.instance->name()},
                                            {"state", lifecycle::instance_state_name(p.instance->state())},
                                            {"plugin", plugin.metadata.name},
                                            {"version", plugin.metadata.version},
                                            {"sha256", plugin.sha256},
                                            {"library", plugin.source_path}});
  }
  return boost::json::object{{"app", plan_->manifest.app},
                             {"phase", phase_.load()},
                             {"revision", current_revision_},
                             {"instances", std::move(instances)},
                             {"breaker", breaker_->to_json()}};
}

std::optional<std::vector<health::HealthTarget>> Host::health_targets() {
  // Never wait behind a reload: while one runs, the last findings are served.
  if (!gate_.try_enter()) return std::nullopt;
  std::vector<health::HealthTarget> targets;
  for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
    const planning::PlannedInstance* planned = plan_->find(p.instance->name());
    health::HealthTarget t;
    t.name = p.instance->name();
    t.optional = planned != nullptr && planned->spec->optional;
    t.timeout = planned != nullptr ? planned->spec->health_timeout : plan_->manifest.host.health.timeout;
    if (planned != nullptr) {
      for (const loader::Requirement& r : planned->metadata.requires_) {
        if (r.optional) continue;
        if (auto provider = plan_->graph.provider_for(t.name, r.api.api)) t.depends_on.push_back(*provider);
      }
    }
    t.state = lifecycle::instance_state_name(p.instance->state());
    t.has_check = p.instance->has_health_check();
    if (t.has_check) t.check = p.instance->prepare_health_check();
    targets.push_back(std::move(t));
  }
  gate_.leave();
  return targets;
}

health::HealthSnapshot Host::health() {
  health::HealthSnapshot snap = health_->check();
  if (snap.round != last_metered_round_.exchange(snap.round)) {
    for (const health::InstanceHealth& i : snap.instances) {
      (void)facilities_->metrics.histogram_observe(i.name, "hyperion_health_check_duration_seconds", "",
                                                   i.duration_ms / 1000.0);
      (void)facilities_->metrics.gauge_set(i.name, "hyperion_instance_healthy", "",
                                           i.status == health::HealthStatus::kHealthy ? 1 : 0);
    }
  }
  return snap;
}

std::string Host::health_json() {
  health::HealthSnapshot snap = health();
  std::string body;
  {
    // The snapshot's JSON is the same for every request of a round: serialize once.
    std::lock_guard lock(health_json_mu_);
    if (health_json_round_ != snap.round) {
      health_json_round_ = snap.round;
      health_json_cache_ = boost::json::serialize(snap.to_json());
    }
    body = health_json_cache_;
  }
  // Revision and breaker change between rounds: appended fresh every time.
  body.pop_back();  // the closing brace
  boost::json::object reload{{"breaker", breaker_->to_json()}};
  {
    std::lock_guard lock(last_reload_mu_);
    reload["instances"] = last_reload_;
  }
  body += ",\"revision\":" + std::to_string(current_revision_.load()) + ",\"reload\":" +
          boost::json::serialize(reload) + "}";
  return body;
}

std::string Host::metrics_text() {
  // Instance states as of now; the registry keeps everything else.
  {
    GateGuard gate(gate_, true);
    for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
      (void)facilities_->metrics.gauge_set(p.instance->name(), "hyperion_instance_running", "",
                                           p.instance->state() == lifecycle::InstanceState::kRunning ? 1 : 0);
    }
  }
  return facilities_->metrics.render();
}

boost::json::object Host::config_view() {
  GateGuard gate(gate_, true);
  boost::json::object instances;
  for (const planning::PlannedInstance& p : plan_->instances) {
    instances[p.spec->name] = reload::redact(p.config, "", p.metadata.config_schema, p.spec->secret_fields);
  }
  return boost::json::object{{"manifest", plan_->manifest.text}, {"revision", current_revision_},
                             {"instances", std::move(instances)}};
}

boost::json::array Host::plugins_view() {
  GateGuard gate(gate_, true);
  boost::json::array out;
  for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
    const loader::LoadedPlugin& plugin = p.instance->plugin();
    boost::json::array provides, requires_list, capabilities;
    for (const auto& a : plugin.metadata.provides) provides.emplace_back(a.to_string());
    for (const auto& r : plugin.metadata.requires_) {
      requires_list.push_back(boost::json::object{{"api", r.api.to_string()}, {"optional", r.optional}});
    }
    for (const auto& c : plugin.metadata.capabilities) capabilities.emplace_back(c);
    out.push_back(boost::json::object{{"name", p.instance->name()},
                                      {"state", lifecycle::instance_state_name(p.instance->state())},
                                      {"plugin", plugin.metadata.name},
                                      {"version", plugin.metadata.version},
                                      {"abi_minor", plugin.abi_minor},
                                      {"sha256", plugin.sha256},
                                      {"library", plugin.source_path},
                                      {"provides", std::move(provides)},
                                      {"requires", std::move(requires_list)},
                                      {"capabilities", std::move(capabilities)}});
  }
  return out;
}

StatusOr<std::string> Host::instance_health(const std::string& name) {
  for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
    if (p.instance->name() == name) return p.instance->health(Clock::now() + std::chrono::seconds(5));
  }
  return not_found("no running instance \"" + name + "\"");
}

}  // namespace hyperion::app
