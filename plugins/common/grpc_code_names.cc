#include "grpc_code_names.h"

#include <array>

namespace hyperion::plugins {
namespace {

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

}  // namespace

const char* code_name(int32_t code) {
  return code >= 0 && static_cast<size_t>(code) < kCodeNames.size() ? kCodeNames[code] : "UNKNOWN";
}

int32_t code_of(std::string_view name) {
  for (size_t i = 0; i < kCodeNames.size(); ++i) {
    if (name == kCodeNames[i]) return static_cast<int32_t>(i);
  }
  return -1;
}

}  // namespace hyperion::plugins
