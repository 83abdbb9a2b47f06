#include "support/in_process_host.h"

#include <stdexcept>

#include "hostapi/host_api_table.h"
#include "services/service_registry.h"

namespace hyperion::testing {

std::string InProcessHost::manifest(const std::string& plugins_yaml) const {
  return "app: " + app_ + "\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\nplugins:\n" +
         plugins_yaml;
}

InProcessHost::InProcessHost(const std::string& plugins_yaml, const std::string& app) : app_(app) {
  app::HostOptions options;
  options.plugin_path = {example_plugin_dir()};
  auto host = app::Host::prepare(dir_.write("app.yaml", manifest(plugins_yaml)), options);
  if (!host.ok()) throw std::runtime_error(host.status().to_string());
  host_ = std::move(*host);
  if (auto s = host_->start(); !s.ok()) throw std::runtime_error(s.to_string());
  // The host API as a plugin sees it, except that handles have no owning
  // instance and are released straight into the registry.
  api_ = *hostapi::host_api_table();
  api_.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
}

InProcessHost::~InProcessHost() { stop(); }

void InProcessHost::stop() {
  if (stopped_) return;
  stopped_ = true;
  (void)host_->stop();
}

ServiceHandle InProcessHost::acquire(const std::string& instance, const char* api, uint32_t major) {
  auto* handle = host_->facilities().services.acquire(nullptr, instance, api, major);
  if (handle == nullptr) throw std::runtime_error("no " + std::string(api) + " on instance " + instance);
  return ServiceHandle(&api_, handle);
}

std::string InProcessHost::reload(const std::string& plugins_yaml) {
  return host_->reloads().reload({"test", "tester", manifest(plugins_yaml), std::nullopt}).summary();
}

std::string InProcessHost::health(const std::string& instance) { return *host_->instance_health(instance); }

}  // namespace hyperion::testing
