#include "app/host.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "paths/plugin_search_path.h"
#include "paths/state_directory.h"
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
  host->loader_ = std::make_unique<loader::Loader>(
      paths::plugin_search_path(options.plugin_path, manifest->host.plugin_path),
      (std::filesystem::path(host->state_dir_) / "cache").string());
  auto plan = planning::plan_app(std::move(*manifest), *host->loader_, planning::LoadMode::kLoad);
  if (!plan.ok()) return plan.status();
  host->plan_ = std::move(*plan);
  host->facilities_ = std::make_unique<hostapi::HostFacilities>(host->plan_->manifest.app);

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
  auto log = logging::host_logger();
  auto* events = &host->facilities_->events;
  host->lifecycle_ = std::make_unique<lifecycle::Lifecycle>(
      std::move(plans), [log, events](const std::string& what, const std::string& instance, const std::string& detail) {
        if (what == "started" || what == "stopped") {
          if (detail.empty()) log->info("instance \"{}\" {}", instance, what);
          else log->info("instance \"{}\" {} ({})", instance, what, detail);
        } else {
          log->error("{}", detail);
        }
        (void)events->emit("host", "dev.hyperion.plugin." + what, "{\"instance\":\"" + instance + "\"}");
      });
  return host;
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
  std::lock_guard lock(mu_);
  auto log = logging::host_logger();
  log->info("starting app \"{}\" ({} instances)", plan_->manifest.app, plan_->instances.size());
  Status s = lifecycle_->start_all();
  if (s.ok()) log->info("all {} instances started", plan_->instances.size());
  return s;
}

Status Host::stop() {
  std::lock_guard lock(mu_);
  return lifecycle_->stop_all();
}

StatusOr<std::unique_ptr<planning::AppPlan>> Host::plan_manifest(const std::optional<std::string>& text) {
  std::string contents;
  if (text) {
    contents = *text;
  } else {
    std::ifstream in(manifest_path_, std::ios::binary);
    if (!in) return not_found("manifest: cannot read " + manifest_path_);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    contents = std::move(buffer).str();
  }
  std::string dir = std::filesystem::absolute(manifest_path_).parent_path().string();
  auto manifest = manifest::parse_manifest_text(contents, manifest_path_, manifest::process_env(dir));
  if (!manifest.ok()) return manifest.status();
  HYPERION_RETURN_IF_ERROR(check_host_settings(plan_->manifest.host, manifest->host));
  return planning::plan_app(std::move(*manifest), *loader_, planning::LoadMode::kLoad);
}

reload::ReloadResult Host::refuse(const std::string& reason, const std::string& field) {
  reload::ReloadResult r;
  r.outcome = reload::ReloadOutcome::kRefused;
  r.field = field;
  r.reason = reason;
  return r;
}

reload::ReloadResult Host::reload(const ReloadRequest& request) {
  std::lock_guard lock(mu_);
  auto log = logging::host_logger();
  reload::ReloadResult result;
  auto next = plan_manifest(request.manifest_text);
  if (!next.ok()) {
    result = refuse(next.status().message());
  } else {
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
      plan_ = std::move(*next);
    }
  }
  if (result.outcome != reload::ReloadOutcome::kUnchanged) result.revision = next_revision_++;
  if (result.ok()) log->info("reload from {}: {}", request.source, result.summary());
  else log->error("reload from {}: {}", request.source, result.summary());
  for (const std::string& w : result.warnings) log->warn("reload: {}", w);
  return result;
}

StatusOr<std::string> Host::instance_health(const std::string& name) {
  for (const lifecycle::InstancePlan& p : lifecycle_->plans()) {
    if (p.instance->name() == name) return p.instance->health(Clock::now() + std::chrono::seconds(5));
  }
  return not_found("no running instance \"" + name + "\"");
}

}  // namespace hyperion::app
