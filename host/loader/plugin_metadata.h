// PluginMetadata: what a plugin declares about itself in its metadata JSON (the
// ".hyperion_meta" ELF section): name, version, the service APIs it provides and
// requires, its capabilities and its config schema. Format: PLUGIN METADATA in hyperion/plugin.h.
// Thread-safety: a plain value.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "os/elf_file.h"

namespace hyperion::loader {

struct ApiVersion {
  std::string api;
  uint32_t major = 0;
  uint32_t minor = 0;
  [[nodiscard]] std::string to_string() const {
    return api + " " + std::to_string(major) + "." + std::to_string(minor);
  }
};

struct Requirement {
  ApiVersion api;
  bool optional = false;
};

// A provider satisfies a requirement when the API names and majors are equal and
// the provider's minor is at least the required minor.
bool satisfies(const ApiVersion& provided, const ApiVersion& required);

struct PluginMetadata {
  std::string name;
  std::string version;  // semver
  std::string description;
  std::string status = "stable";  // "stable", "beta" or "alpha"
  std::vector<ApiVersion> provides;
  std::vector<Requirement> requires_;
  std::set<std::string> capabilities;  // "health", "reload", "state", "swap"
  boost::json::object config_schema;   // JSON Schema (draft 7); {} accepts anything
  std::string json;                    // the document as read

  [[nodiscard]] bool has(std::string_view capability) const {
    return capabilities.count(std::string(capability)) != 0;
  }
};

// Parses and checks a metadata document; `origin` names it in errors.
StatusOr<PluginMetadata> parse_plugin_metadata(std::string_view json, const std::string& origin);

// Reads the metadata section of the library at `path` without loading it.
StatusOr<PluginMetadata> read_plugin_metadata(const std::string& path);
// The same, from an already parsed file; `origin` names it in errors.
StatusOr<PluginMetadata> read_plugin_metadata(const os::ElfFile& elf, const std::string& origin);

}  // namespace hyperion::loader
