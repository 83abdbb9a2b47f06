// LibraryReport: what `hyperion inspect` says about a plugin file, read from the
// file alone (no plugin code runs): its metadata, whether it exports the entry
// point, and everything known to keep a library from ever being unloaded —
// STB_GNU_UNIQUE symbols, libprotobuf descriptor registration, and linking
// gRPC++ or spdlog (docs/abi.md, "Unloading").
// Thread-safety: a plain value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loader/plugin_metadata.h"

namespace hyperion::loader {

struct LibraryReport {
  std::string path;
  std::string sha256;
  std::optional<PluginMetadata> metadata;
  std::string metadata_error;  // when metadata is absent or invalid
  bool exports_entry = false;
  std::vector<std::string> exported;         // defined, default-visibility symbols
  std::vector<std::string> unique_symbols;   // STB_GNU_UNIQUE: pin the library
  std::vector<std::string> protobuf_registration;  // imports that register .proto files
  std::vector<std::string> needed;           // DT_NEEDED
  std::vector<std::string> unload_warnings;  // one line each

  [[nodiscard]] bool is_plugin() const { return metadata.has_value() && exports_entry; }
  [[nodiscard]] bool unloadable() const { return unload_warnings.empty(); }
  [[nodiscard]] std::string to_text() const;
  [[nodiscard]] std::string to_json() const;
};

// What a new build of a plugin with this metadata does in a running host: one
// line for `inspect` (docs/hot-swap.md, "Which changes swap").
std::string swap_behaviour(const PluginMetadata& m);

// kNotFound / kInvalidArgument when the file is missing or not a shared object.
StatusOr<LibraryReport> inspect_library(const std::string& path);

}  // namespace hyperion::loader
