// A host running the grpc-client plugin as instance "grpc" (and, when asked,
// the discovery plugin before it), and a grpc.client as a plugin would have.
#pragma once

#include <hyperion/services/grpc_client.hpp>

#include <memory>
#include <string>

#include "support/in_process_host.h"

namespace hyperion::grpc_client_test {

class ClientHost {
 public:
  // `config`: the grpc instance's config (YAML flow mapping); `discovery`: the
  // discovery instance's config, or empty for none. Throws std::runtime_error
  // with the host's error when it does not start.
  explicit ClientHost(const std::string& config, const std::string& discovery = "");
  ~ClientHost() { client_.reset(); }
  const grpc::Client& client() const { return *client_; }
  app::Host& host() { return host_.host(); }
  // Applies new configs (same shape as the constructor's); the reload summary.
  std::string reload(const std::string& config, const std::string& discovery = "") {
    return host_.reload(plugins(config, discovery));
  }
  std::string health() { return host_.health("grpc"); }

 private:
  static std::string plugins(const std::string& config, const std::string& discovery);
  testing::InProcessHost host_;
  std::unique_ptr<grpc::Client> client_;  // (not optional: GCC 12 warns falsely about it)
};

// Starts a host with these configs and stops it; the error text ("" when it started).
std::string start_error(const std::string& config, const std::string& discovery = "");

}  // namespace hyperion::grpc_client_test
