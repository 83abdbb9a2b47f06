#include "grpc-client/grpc_client_host.h"

#include <stdexcept>

#include "hostapi/host_api_table.h"
#include "services/service_registry.h"

namespace hyperion::grpc_client_test {

std::string ClientHost::manifest(const std::string& config, const std::string& discovery) const {
  std::string text =
      "app: grpc-client-test\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\nplugins:\n";
  if (!discovery.empty()) text += "  - name: discovery\n    library: discovery\n    config: " + discovery + "\n";
  text += "  - name: grpc\n    library: grpc-client\n    config: " + config + "\n";
  return text;
}

ClientHost::ClientHost(const std::string& config, const std::string& discovery) {
  app::HostOptions options;
  options.plugin_path = {testing::example_plugin_dir()};
  auto host = app::Host::prepare(dir_.write("app.yaml", manifest(config, discovery)), options);
  if (!host.ok()) throw std::runtime_error(host.status().to_string());
  host_ = std::move(*host);
  if (auto s = host_->start(); !s.ok()) throw std::runtime_error(s.to_string());
  // The host API as a plugin sees it; the handle has no owning instance, so
  // it is released straight into the registry.
  api_ = *hostapi::host_api_table();
  api_.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
  auto* handle = host_->facilities().services.acquire(nullptr, "grpc", HYPERION_GRPC_CLIENT_API, 1);
  client_.emplace(ServiceHandle(&api_, handle));
}

ClientHost::~ClientHost() {
  client_.reset();
  (void)host_->stop();
}

std::string ClientHost::reload(const std::string& config, const std::string& discovery) {
  return host_->reloads().reload({"test", "tester", manifest(config, discovery), std::nullopt}).summary();
}

std::string ClientHost::health() { return *host_->instance_health("grpc"); }

std::string start_error(const std::string& config, const std::string& discovery) {
  try {
    ClientHost h(config, discovery);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace hyperion::grpc_client_test
