// LoadedPlugin: one plugin library mapped into the process, its metadata and its
// negotiated vtable. Instances of the same library share one LoadedPlugin; the
// library is unloaded when the last reference goes away, unless it was marked
// pinned (a call into it never returned).
// Thread-safety: immutable after load, except pin(), which is atomic.
#pragma once

#include <hyperion/plugin.h>

#include <atomic>
#include <string>

#include "loader/plugin_metadata.h"
#include "os/shared_library.h"

namespace hyperion::loader {

struct LoadedPlugin {
  ~LoadedPlugin() {
    if (pinned.load()) library.leak();
  }

  os::SharedLibrary library;
  std::string source_path;  // where the manifest pointed
  std::string cached_path;  // the content-addressed copy that is mapped
  std::string sha256;
  PluginMetadata metadata;
  uint32_t abi_minor = 0;
  hyperion_plugin_vtable_t vtable{};
  // Set when plugin code may still be running (a hung call): never dlclose.
  std::atomic<bool> pinned{false};
};

}  // namespace hyperion::loader
