// The gRPC face of UserService (users.v1.UserService, proto/users/v1/users.proto)
// on the grpc-server plugin, with its descriptors for reflection (grpcurl).
// Errors: INVALID_ARGUMENT (the message names every broken rule), NOT_FOUND,
// ALREADY_EXISTS, ABORTED (expected_version is stale), UNAVAILABLE (the
// database is busy), INTERNAL.
#pragma once

#include "user_service.h"

#include <hyperion/services/grpc_server.hpp>

#include <vector>

namespace users {

std::vector<hyperion::grpc::Registration> serve_grpc(hyperion::grpc::Server& server, UserService& service);

}  // namespace users
