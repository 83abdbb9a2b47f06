// AppPlan: everything `hyperion validate` checks and `hyperion run` needs before
// any plugin starts — the parsed manifest, each instance's plugin (metadata and,
// when loading, the negotiated library), each config validated against its
// plugin's schema with defaults filled in, and the start order. Building a plan
// reports every problem at once, each with file, line and field.
// Thread-safety: a plain value once built.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "graph/dependency_graph.h"
#include "loader/loaded_plugin.h"
#include "loader/loader.h"
#include "manifest/manifest.h"

namespace hyperion::planning {

struct PlannedInstance {
  const manifest::InstanceSpec* spec = nullptr;     // points into AppPlan::manifest
  std::shared_ptr<loader::LoadedPlugin> plugin;     // null when planned without loading
  loader::PluginMetadata metadata;
  boost::json::object config;  // validated, defaults filled in
};

struct AppPlan {
  manifest::Manifest manifest;
  std::vector<PlannedInstance> instances;  // manifest order
  graph::DependencyGraph graph;

  [[nodiscard]] const PlannedInstance* find(const std::string& name) const {
    for (const PlannedInstance& i : instances) {
      if (i.spec->name == name) return &i;
    }
    return nullptr;
  }
};

// The service APIs the host itself provides (hyperion/services/*.h).
const std::vector<loader::ApiVersion>& host_provided_apis();

enum class LoadMode {
  kMetadataOnly,  // read each library's metadata section; run no plugin code
  kLoad,          // also dlopen and negotiate the ABI (runs static constructors only)
};

// kInvalidArgument listing every problem, one per line, each prefixed with the
// manifest position of the instance or field concerned.
StatusOr<std::unique_ptr<AppPlan>> plan_app(manifest::Manifest manifest, loader::Loader& loader, LoadMode mode);

}  // namespace hyperion::planning
