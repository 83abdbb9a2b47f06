#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/host_options.h"
#include "loader/loader.h"
#include "logging/log_setup.h"
#include "manifest/manifest_parser.h"
#include "os/scratch_folder.h"
#include "paths/plugin_search_path.h"
#include "paths/state_directory.h"
#include "planning/resolved_app.h"

namespace hyperion::cli {
namespace {

// Shared by validate and graph: parse the manifest and plan the app. Only
// LoadMode::kLoad maps libraries (copies in `cache_dir`).
StatusOr<std::unique_ptr<planning::ResolvedApp>> plan_from_file(const std::string& path, const CommonOptions& common,
                                                                planning::LoadMode mode, const std::string& cache_dir) {
  auto manifest = manifest::parse_manifest_file(path);
  if (!manifest.ok()) return manifest.status();
  HYPERION_RETURN_IF_ERROR(
      logging::configure(common.log_level.empty() ? "warn" : common.log_level,
                         common.log_format.empty() ? manifest->host.log_format : common.log_format));
  // Plans outlive this function only through the plugins they hold, which keep
  // their own reference; the loader itself may go.
  loader::Loader loader(paths::plugin_search_path(common.plugin_path, manifest->host.plugin_path), cache_dir);
  return planning::resolve_app(std::move(*manifest), loader, mode);
}

}  // namespace

int validate_command(const std::string& path, const CommonOptions& common, bool load) {
  // Read-only unless --load: the manifest and each library's file (ELF, entry
  // symbol, metadata, sha256 pin, permissions), no plugin code, nothing written.
  // A folder of its own for the copies `validate --load` maps, removed after:
  // validating never writes into the host's state folder.
  std::optional<os::ScratchFolder> scratch;
  if (load) {
    scratch.emplace("hyperion-validate");
    if (scratch->path().empty()) {
      std::cerr << "hyperion: cannot create a temporary folder for validate --load\n";
      return 1;
    }
  }
  auto plan = plan_from_file(path, common, load ? planning::LoadMode::kLoad : planning::LoadMode::kMetadataOnly,
                             load ? scratch->path() + "/cache" : "");
  if (!plan.ok()) {
    std::cerr << plan.status().message() << "\n";
    std::cerr << "hyperion: " << path << " is not valid\n";
    return 1;
  }
  const planning::ResolvedApp& p = **plan;
  std::cout << path << ": valid: app \"" << p.manifest.app << "\", " << p.instances.size() << " instance(s)\n";
  std::cout << "start order:";
  for (const std::string& name : p.graph.start_order()) std::cout << " " << name;
  std::cout << "\n";
  for (const planning::ResolvedInstance& i : p.instances) {
    std::cout << "  " << i.spec->name << ": " << i.metadata.name << " " << i.metadata.version << " (";
    if (i.plugin) std::cout << "ABI 1." << i.plugin->abi_minor << ", ";
    std::cout << "sha256 " << i.sha256.substr(0, 12) << ")\n";
  }
  if (!load) {
    std::cout << "read from the files, no plugin code run; `validate --load` also loads each library and checks its "
                 "ABI\n";
  }
  return 0;
}

int graph_command(const std::string& path, const CommonOptions& common) {
  auto plan = plan_from_file(path, common, planning::LoadMode::kMetadataOnly, "");
  if (!plan.ok()) {
    std::cerr << plan.status().message() << "\n";
    return 1;
  }
  std::cout << (*plan)->graph.to_dot((*plan)->manifest.app);
  return 0;
}

}  // namespace hyperion::cli
