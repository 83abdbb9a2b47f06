#include "grpc_to_http.h"

namespace hyperion::plugins::api_gateway {

int http_status_of(hyperion_grpc_code_t code) {
  switch (code) {
    case HYPERION_GRPC_OK: return 200;
    case HYPERION_GRPC_CANCELLED: return 499;
    case HYPERION_GRPC_UNKNOWN: return 500;
    case HYPERION_GRPC_INVALID_ARGUMENT: return 400;
    case HYPERION_GRPC_DEADLINE_EXCEEDED: return 504;
    case HYPERION_GRPC_NOT_FOUND: return 404;
    case HYPERION_GRPC_ALREADY_EXISTS: return 409;
    case HYPERION_GRPC_PERMISSION_DENIED: return 403;
    case HYPERION_GRPC_RESOURCE_EXHAUSTED: return 429;
    case HYPERION_GRPC_FAILED_PRECONDITION: return 400;
    case HYPERION_GRPC_ABORTED: return 409;
    case HYPERION_GRPC_OUT_OF_RANGE: return 400;
    case HYPERION_GRPC_UNIMPLEMENTED: return 501;
    case HYPERION_GRPC_INTERNAL: return 500;
    case HYPERION_GRPC_UNAVAILABLE: return 503;
    case HYPERION_GRPC_DATA_LOSS: return 500;
    case HYPERION_GRPC_UNAUTHENTICATED: return 401;
  }
  return 500;
}

}  // namespace hyperion::plugins::api_gateway
