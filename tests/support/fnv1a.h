// FNV-1a (64-bit) as 16 hex digits: the behave test plugin reports its
// password's hash (the host scrubs the password itself), and tests compare.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace hyperion::testing {

inline std::string fnv1a_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace hyperion::testing
