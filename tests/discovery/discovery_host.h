// A host running the discovery plugin as instance "registry" with `config`
// (YAML flow mapping), and a client of its service as a plugin would have.
#pragma once

#include <hyperion/services/discovery.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "app/host.h"
#include "hostapi/host_api_table.h"
#include "services/service_registry.h"
#include "support/test_support.h"

namespace hyperion::discovery_test {

class DiscoveryHost {
 public:
  explicit DiscoveryHost(const std::string& config) {
    const std::string manifest = "app: discovery\nhost:\n  state_dir: " + dir_.path() +
                                 "/state\n  log_level: error\nplugins:\n" +
                                 "  - name: registry\n    library: discovery\n    config: " + config + "\n";
    app::HostOptions options;
    options.plugin_path = {testing::example_plugin_dir()};
    auto host = app::Host::prepare(dir_.write("app.yaml", manifest), options);
    if (!host.ok()) throw std::runtime_error(host.status().to_string());
    host_ = std::move(*host);
    if (auto s = host_->start(); !s.ok()) throw std::runtime_error(s.to_string());
    // The host API as a plugin sees it; the handle has no owning instance, so
    // it is released straight into the registry.
    api_ = *hostapi::host_api_table();
    api_.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
    auto* handle = host_->facilities().services.acquire(nullptr, "registry", HYPERION_DISCOVERY_API, 1);
    client_.emplace(ServiceHandle(&api_, handle));
  }
  ~DiscoveryHost() { stop(); }
  void stop() {
    client_.reset();
    if (host_) (void)host_->stop();
  }
  discovery::Client& client() { return *client_; }
  app::Host& host() { return *host_; }
  std::string health() { return *host_->instance_health("registry"); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<app::Host> host_;
  hyperion_host_api_t api_{};
  std::optional<discovery::Client> client_;
};

inline std::vector<std::string> ids(const std::vector<discovery::Instance>& instances) {
  std::vector<std::string> out;
  for (const auto& i : instances) out.push_back(i.id);
  return out;
}

}  // namespace hyperion::discovery_test
