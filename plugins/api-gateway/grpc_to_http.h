// gRPC status codes as HTTP statuses, per Google's mapping
// (google/rpc/code.proto, the one grpc-gateway and Cloud Endpoints use).
#pragma once

#include <hyperion/services/grpc_types.h>

namespace hyperion::plugins::api_gateway {

int http_status_of(hyperion_grpc_code_t code);

}  // namespace hyperion::plugins::api_gateway
