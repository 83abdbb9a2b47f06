// What every shop plugin does with gRPC messages: parse a request or end the
// call with INVALID_ARGUMENT naming the type it expected.
#pragma once

#include <hyperion/services/grpc_server.hpp>

#include <string_view>

namespace shop {

template <typename Message>
Message parse(std::string_view bytes) {
  Message m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw hyperion::grpc::Failure(HYPERION_GRPC_INVALID_ARGUMENT, "not a " + m.GetTypeName());
  }
  return m;
}

}  // namespace shop
