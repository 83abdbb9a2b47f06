// ResolvedApp: everything `hyperion validate` checks and `hyperion run` needs before
// any plugin starts — the parsed manifest, each instance's plugin (metadata and,
// when loading, the negotiated library), each config validated against its
// plugin's schema with defaults filled in, and the start order. Building a plan
// reports every problem at once, each with file, line and field.
// Thread-safety: a plain value once built.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "graph/dependency_graph.h"
#include "loader/loaded_plugin.h"
#include "loader/loader.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"

namespace hyperion::planning {

struct ResolvedInstance {
  const manifest::InstanceSpec* spec = nullptr;  // points into ResolvedApp::manifest
  std::shared_ptr<loader::LoadedPlugin> plugin;  // null when planned without loading
  loader::PluginMetadata metadata;
  std::string sha256;          // of the library file
  boost::json::object config;  // validated, defaults filled in
};

struct ResolvedApp {
  manifest::Manifest manifest;
  std::vector<ResolvedInstance> instances;  // manifest order
  graph::DependencyGraph graph;

  [[nodiscard]] const ResolvedInstance* find(const std::string& name) const {
    for (const ResolvedInstance& i : instances) {
      if (i.spec->name == name) return &i;
    }
    return nullptr;
  }
};

// Which instance provides each API `instance` requires, as the graph resolved
// them (API name -> provider instance); optional requirements nobody provides
// are absent. `required_only` leaves optional requirements out altogether.
std::map<std::string, std::string> provider_bindings(const ResolvedInstance& instance,
                                                     const graph::DependencyGraph& graph, bool required_only = false);

// The service APIs the host itself provides (hyperion/services/*.h).
const std::vector<loader::ApiVersion>& host_provided_apis();

enum class LoadMode {
  kMetadataOnly,  // read each library's metadata section; run no plugin code
  kLoad,          // also dlopen and negotiate the ABI (runs static constructors only)
};

// kInvalidArgument listing every problem, one per line, each prefixed with the
// manifest position of the instance or field concerned; `problems`, when given,
// receives them one by one (with the instance and config field of each).
StatusOr<std::unique_ptr<ResolvedApp>> resolve_app(manifest::Manifest manifest, loader::Loader& loader, LoadMode mode,
                                                   manifest::Diagnostics* problems = nullptr);

}  // namespace hyperion::planning
