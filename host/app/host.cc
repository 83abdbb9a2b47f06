#include "app/host.h"

#include <filesystem>

#include "app/host_services.h"
#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "paths/plugin_search_path.h"
#include "paths/state_directory.h"
#include "paths/state_lock.h"
#include "secrets/secret_fields.h"

namespace hyperion::app {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

StatusOr<std::unique_ptr<Host>> Host::prepare(const std::string& manifest_path, const HostOptions& options) {
  auto manifest = manifest::parse_manifest_file(manifest_path);
  if (!manifest.ok()) return manifest.status();
  auto configure_logs = [options](const manifest::HostSettings& s) {
    return logging::configure(options.log_level.value_or(s.log_level), options.log_format.value_or(s.log_format));
  };
  HYPERION_RETURN_IF_ERROR(configure_logs(manifest->host));
  std::unique_ptr<Host> host(new Host());
  Host* self = host.get();
  host->manifest_path_ = manifest_path;
  host->options_ = options;
  host->state_dir_ = manifest->host.state_dir.empty() ? paths::default_state_dir(manifest->app) : manifest->host.state_dir;
  auto lock = paths::StateLock::acquire(host->state_dir_);
  if (!lock.ok()) return lock.status();
  host->state_lock_ = std::move(*lock);
  auto store = state::StateStore::open((std::filesystem::path(host->state_dir_) / "hyperion.db").string());
  if (!store.ok()) return store.status();
  host->store_ = std::move(*store);
  host->loader_ = std::make_unique<loader::Loader>(
      paths::plugin_search_path(options.plugin_path, manifest->host.plugin_path),
      (std::filesystem::path(host->state_dir_) / "cache").string());
  auto plan = planning::resolve_app(std::move(*manifest), *host->loader_, planning::LoadMode::kLoad);
  if (!plan.ok()) return plan.status();

  host->facilities_ = std::make_unique<hostapi::HostFacilities>((*plan)->manifest.app);
  hostapi::HostFacilities& facilities = *host->facilities_;
  facilities.state_dir = host->state_dir_;
  (void)facilities.metrics.describe("hyperion_instance_running",
                                    "1 while the instance is running (started and not stopping), else 0.");
  host->accept_proposals();
  // Every event the host or a plugin emits is kept in the state database.
  state::StateStore* db = host->store_.get();
  facilities.events.subscribe("host", "", [db](const std::string& json) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    std::string type = !ec && v.is_object() && v.as_object().contains("type") ? std::string(v.at("type").as_string()) : "";
    db->enqueue_event(type, json);
  });

  host->instances_ = std::make_unique<lifecycle::InstanceFactory>(facilities, host->runner_);
  std::vector<lifecycle::LiveInstance> live;
  for (const std::string& name : (*plan)->graph.start_order())
    live.push_back(host->instances_->make(*(*plan)->find(name), (*plan)->graph));
  host->lifecycle_ = std::make_unique<lifecycle::Lifecycle>(
      std::move(live), [self](lifecycle::InstanceEvent event, const lifecycle::PluginInstance& instance,
                              const std::string& detail) { self->observe_instance(event, instance, detail); });
  const manifest::HostSettings settings = (*plan)->manifest.host;
  host->reloader_ = std::make_unique<reload::Reloader>(
      reload::Reloader::Rooms{host->gate_, *host->lifecycle_, *host->instances_, *host->loader_, *host->store_,
                              facilities.events, facilities.metrics, *facilities.secrets, configure_logs,
                              options.reload_observer},
      std::move(*plan), manifest_path);
  host->wire_health(settings);
  publish_host_services(*host);
  return host;
}

void Host::wire_health(const manifest::HostSettings& settings) {
  health::HealthAggregator::Source source{
      [this]() -> std::optional<std::vector<health::HealthTarget>> {
        // Never wait behind a reload: while one runs, the last findings are served.
        if (!gate_.try_enter()) return std::nullopt;
        std::vector<health::HealthTarget> targets = health::health_targets(*lifecycle_, reloader_->running());
        gate_.leave();
        return targets;
      },
      [this] { return std::string(phase_.load()); }, [this] { return draining_.load(); }};
  // Revision and breaker change between rounds: added fresh to every report.
  auto extras = [this](boost::json::object& report) {
    report["revision"] = reloader_->current_revision();
    report["reload"] =
        boost::json::object{{"breaker", reloader_->breaker().to_json()}, {"instances", reloader_->last_per_instance()}};
  };
  // While running, a round that finds readiness changed (a required instance
  // turned unhealthy, or recovered) is announced; start, drain and stop
  // announce themselves.
  auto on_round = [this](const health::HealthSnapshot& round) {
    if (round.phase == "running" && !round.draining) {
      announce_readiness(round.ready, round.ready ? "healthy again" : "a required instance is unhealthy");
    }
  };
  health_ = std::make_unique<health::HealthReport>(runner_, std::move(source), settings.health.cache,
                                                   facilities_->metrics, std::move(extras), std::move(on_round));
}

void Host::announce_readiness(bool ready, const std::string& reason) {
  std::lock_guard lock(readiness_mu_);
  if (announced_ready_ == (ready ? 1 : 0)) return;
  announced_ready_ = ready ? 1 : 0;
  logging::host_logger()->info("readiness: {} ({})", ready ? "ready" : "not ready", reason);
  (void)facilities_->events.emit("host", "dev.hyperion.host.readiness",
                                 boost::json::serialize(boost::json::object{{"ready", ready}, {"reason", reason}}));
}

void Host::drain() {
  draining_ = true;
  announce_readiness(false, "draining");
}

void Host::observe_instance(lifecycle::InstanceEvent event, const lifecycle::PluginInstance& inst,
                            const std::string& detail) {
  const std::string& instance = inst.name();
  const char* what = lifecycle::instance_event_name(event);
  auto log = logging::host_logger();
  if (event == lifecycle::InstanceEvent::kStarted || event == lifecycle::InstanceEvent::kStopped) {
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
  (void)facilities_->events.emit("host", std::string("dev.hyperion.plugin.") + what, boost::json::serialize(data));
}

Host::~Host() {
  if (lifecycle_) (void)stop();
}

Status Host::start() {
  GateGuard gate(gate_, true);
  auto log = logging::host_logger();
  phase_ = "starting";
  const planning::ResolvedApp& app = reloader_->running();
  log->info("starting app \"{}\" ({} instances)", app.manifest.app, app.instances.size());
  Status s = lifecycle_->start_all();
  if (!s.ok()) {
    phase_ = "failed";
    return s;
  }
  phase_ = "running";
  if (!draining_) announce_readiness(true, "started");
  // What runs now is a revision too: history starts with it, and it can be rolled back to.
  if (Status recorded = reloader_->record_startup(); !recorded.ok()) log->error("{}", recorded.message());
  log->info("all {} instances started (revision {})", app.instances.size(), reloader_->current_revision());
  // Copies of builds an earlier run loaded: after the announcement, since
  // tidying the cache is not part of starting (a directory scan per start).
  loader_->prune_cache();
  return s;
}

Status Host::stop() {
  // Before entering: a proposal waiting for the gate (from a plugin's timer,
  // which stop() is about to cancel) gives up instead of deadlocking.
  gate_.begin_stopping();
  GateGuard gate(gate_, true);
  phase_ = "stopping";
  announce_readiness(false, "stopping");
  Status s = lifecycle_->stop_all();
  phase_ = "stopped";
  facilities_->events.flush();
  store_->flush();
  return s;
}

std::string Host::metrics_text(metrics::Exposition format) {
  // Instance states as of now; the registry keeps everything else.
  {
    GateGuard gate(gate_, true);
    for (const lifecycle::LiveInstance& live : lifecycle_->instances()) {
      (void)facilities_->metrics.gauge_set(live.instance->name(), "hyperion_instance_running", "",
                                           live.instance->state() == lifecycle::InstanceState::kRunning ? 1 : 0);
    }
  }
  return facilities_->metrics.render(format);
}

AppSnapshot Host::snapshot() {
  GateGuard gate(gate_, true);
  const planning::ResolvedApp& app = reloader_->running();
  AppSnapshot snap{app.manifest.app,
                   phase_.load(),
                   reloader_->current_revision(),
                   reloader_->breaker().to_json(),
                   {},
                   app.manifest.text,
                   {},
                   reloader_->field_sources(),
                   reloader_->layers_view(),
                   reloader_->libraries_view(),
                   app.graph.edges()};
  const boost::json::object swaps = reloader_->last_swaps();
  for (const lifecycle::LiveInstance& live : lifecycle_->instances()) {
    const loader::LoadedPlugin& plugin = live.instance->plugin();
    const boost::json::value* last_swap = swaps.if_contains(live.instance->name());
    snap.instances.push_back({live.instance->name(), lifecycle::instance_state_name(live.instance->state()),
                              plugin.metadata, plugin.sha256, plugin.source_path, plugin.abi_minor,
                              last_swap != nullptr ? last_swap->as_object() : boost::json::object{}});
  }
  for (const planning::ResolvedInstance& p : app.instances) {
    snap.configs[p.spec->name] = secrets::redact(p.config, "", p.metadata.config_schema, p.spec->secret_fields).value;
  }
  return snap;
}

manifest::HostSettings Host::settings() {
  GateGuard gate(gate_, true);
  return reloader_->running().manifest.host;
}

StatusOr<std::string> Host::instance_health(const std::string& name) {
  // Inside the gate: a reload (a config source's, say) may be replacing the instances.
  GateGuard gate(gate_, true);
  for (const lifecycle::LiveInstance& live : lifecycle_->instances()) {
    if (live.instance->name() == name) return live.instance->health(Clock::now() + std::chrono::seconds(5));
  }
  return not_found("no running instance \"" + name + "\"");
}

}  // namespace hyperion::app
