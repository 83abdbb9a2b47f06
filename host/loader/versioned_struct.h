// Reading a struct that grows at the end (hyperion/plugin.h, COMPATIBILITY
// RULE): the other side says how large its struct is; anything at least the
// oldest size of the major is accepted, the common prefix is copied into a
// zeroed struct of ours, and what only one side knows is ignored (theirs) or
// reads as zero/NULL (ours). Never "at least my own sizeof": that would refuse
// every older plugin the day a field is added.
// Thread-safety: a pure function.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace hyperion::loader {

// False (and `out` untouched) when `their_size` is below `oldest_size`.
template <class Ours>
bool read_versioned(Ours& out, const void* theirs, size_t their_size, size_t oldest_size) {
  static_assert(std::is_trivially_copyable_v<Ours>, "ABI structs are plain C");
  if (their_size < oldest_size) return false;
  Ours copy{};
  std::memcpy(&copy, theirs, std::min(their_size, sizeof(Ours)));
  out = copy;
  return true;
}

}  // namespace hyperion::loader
