// Keeping a plugin's library mapped for the rest of the process's life, for
// plugins whose code runs on threads they do not own after their last
// callback returned (gRPC's callback threads finish inlined gRPC++ template
// code of the plugin after a call's reactor is done). Unloading such a
// library crashes the process a moment later; keeping it loaded is the
// honest answer, and the host reports the library as pinned.
#pragma once

namespace hyperion::plugins {

// Marks the library holding this code RTLD_NODELETE; idempotent.
void keep_library_loaded();

}  // namespace hyperion::plugins
