// ABI negotiation: calls a plugin's entry point with the host's ABI version and
// checks what comes back — magic, sizes, major, minor, metadata, required
// vtable slots, declared capabilities against implemented ones — before any
// other plugin code runs. Thread-safety: stateless.
#pragma once

#include <hyperion/plugin.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "loader/plugin_metadata.h"

namespace hyperion::loader {

struct NegotiatedPlugin {
  uint32_t abi_minor = 0;
  // min(plugin's size, host's size) copied into a zeroed table.
  hyperion_plugin_vtable_t vtable{};
};

// kFailedPrecondition for version mismatches, kInvalidArgument for malformed
// descriptors. `origin` names the library in errors. `host_minor` is the minor
// the host offers (HYPERION_ABI_MINOR unless a test says otherwise).
StatusOr<NegotiatedPlugin> negotiate_abi(hyperion_plugin_entry_fn entry, const std::string& origin,
                                         const PluginMetadata& metadata,
                                         uint32_t host_minor = HYPERION_ABI_MINOR);

}  // namespace hyperion::loader
