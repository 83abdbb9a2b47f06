// A host running the grpc-client plugin as instance "grpc" (and, when asked,
// the discovery plugin before it), and a grpc.client as a plugin would have.
#pragma once

#include <hyperion/services/grpc_client.hpp>

#include <memory>
#include <optional>
#include <string>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::grpc_client_test {

class ClientHost {
 public:
  // `config`: the grpc instance's config (YAML flow mapping); `discovery`: the
  // discovery instance's config, or empty for none. Throws std::runtime_error
  // with the host's error when it does not start.
  explicit ClientHost(const std::string& config, const std::string& discovery = "");
  ~ClientHost();
  const grpc::Client& client() const { return *client_; }
  app::Host& host() { return *host_; }
  // Applies new configs (same shape as the constructor's); the reload summary.
  std::string reload(const std::string& config, const std::string& discovery = "");
  std::string health();

 private:
  std::string manifest(const std::string& config, const std::string& discovery) const;
  testing::TempDir dir_;
  std::unique_ptr<app::Host> host_;
  hyperion_host_api_t api_{};
  std::optional<grpc::Client> client_;
};

// Starts a host with these configs and stops it; the error text ("" when it started).
std::string start_error(const std::string& config, const std::string& discovery = "");

}  // namespace hyperion::grpc_client_test
