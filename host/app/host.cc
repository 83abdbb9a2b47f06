#include "app/host.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "paths/plugin_search_path.h"
#include "paths/state_directory.h"

namespace hyperion::app {

StatusOr<std::unique_ptr<Host>> Host::prepare(const std::string& manifest_path, const HostOptions& options) {
  auto manifest = manifest::parse_manifest_file(manifest_path);
  if (!manifest.ok()) return manifest.status();
  HYPERION_RETURN_IF_ERROR(logging::configure(options.log_level.value_or(manifest->host.log_level),
                                              options.log_format.value_or(manifest->host.log_format)));
  std::unique_ptr<Host> host(new Host());
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
    std::map<std::string, std::string> providers;
    for (const loader::Requirement& r : p.metadata.requires_) {
      if (auto provider = host->plan_->graph.provider_for(name, r.api.api)) providers[r.api.api] = *provider;
    }
    lifecycle::InstancePlan ip;
    ip.instance = std::make_unique<lifecycle::PluginInstance>(name, p.plugin, *host->facilities_, host->runner_,
                                                              std::move(providers));
    ip.config = p.config;
    ip.start_timeout = p.spec->start_timeout;
    ip.stop_timeout = p.spec->stop_timeout;
    plans.push_back(std::move(ip));
  }
  auto log = logging::host_logger();
  auto* events = &host->facilities_->events;
  host->lifecycle_ = std::make_unique<lifecycle::Lifecycle>(
      std::move(plans), [log, events](const std::string& what, const std::string& instance, const std::string& detail) {
        if (what == "started" || what == "stopped") log->info("instance \"{}\" {}", instance, what);
        else log->error("{}", detail);
        (void)events->emit("host", "dev.hyperion.plugin." + what,
                           "{\"instance\":\"" + instance + "\"}");
      });
  return host;
}

Host::~Host() {
  if (lifecycle_) (void)stop();
}

Status Host::start() {
  auto log = logging::host_logger();
  log->info("starting app \"{}\" ({} instances)", plan_->manifest.app, plan_->instances.size());
  Status s = lifecycle_->start_all();
  if (s.ok()) log->info("all {} instances started", plan_->instances.size());
  return s;
}

Status Host::stop() { return lifecycle_->stop_all(); }

}  // namespace hyperion::app
