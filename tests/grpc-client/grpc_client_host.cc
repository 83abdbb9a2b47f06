#include "grpc-client/grpc_client_host.h"

namespace hyperion::grpc_client_test {

std::string ClientHost::plugins(const std::string& config, const std::string& discovery) {
  std::string text;
  if (!discovery.empty()) text += "  - name: discovery\n    library: discovery\n    config: " + discovery + "\n";
  return text + "  - name: grpc\n    library: grpc-client\n    config: " + config + "\n";
}

ClientHost::ClientHost(const std::string& config, const std::string& discovery)
    : host_(plugins(config, discovery), "grpc-client-test") {
  client_ = std::make_unique<grpc::Client>(host_.acquire("grpc", HYPERION_GRPC_CLIENT_API, HYPERION_GRPC_CLIENT_MAJOR));
}

std::string start_error(const std::string& config, const std::string& discovery) {
  try {
    ClientHost h(config, discovery);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace hyperion::grpc_client_test
