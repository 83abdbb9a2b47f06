// gRPC status codes by name, as the grpc-client's config, the gateway's
// problems and both plugins' metric labels spell them.
#pragma once

#include <cstdint>
#include <string_view>

namespace hyperion::plugins {

// 14 -> "UNAVAILABLE"; "UNKNOWN" for a number that is not a code.
const char* code_name(int32_t code);
// "UNAVAILABLE" -> 14; -1 for a name that is not a gRPC code.
int32_t code_of(std::string_view name);

}  // namespace hyperion::plugins
