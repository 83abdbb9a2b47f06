#include "planning/resolved_app.h"

#include "config/config_validator.h"
#include "manifest/diagnostic.h"

namespace hyperion::planning {

const std::vector<loader::ApiVersion>& host_provided_apis() {
  static const std::vector<loader::ApiVersion> kApis = {{"hyperion.health", 1, 0}};
  return kApis;
}

StatusOr<std::unique_ptr<ResolvedApp>> resolve_app(manifest::Manifest manifest, loader::Loader& loader, LoadMode mode,
                                                   manifest::Diagnostics* problems) {
  auto plan = std::make_unique<ResolvedApp>();
  plan->manifest = std::move(manifest);
  const manifest::Manifest& m = plan->manifest;
  manifest::Diagnostics diags;
  const manifest::InstanceSpec* current = nullptr;
  auto report = [&](const std::string& pointer, const std::string& message) {
    diags.push_back({m.locate(pointer), manifest::pointer_to_field(pointer), message, current->name,
                     pointer.starts_with(current->pointer + "/config") ? pointer.substr(current->pointer.size() + 7)
                                                                       : std::string()});
  };

  for (const manifest::InstanceSpec& spec : m.plugins) {
    current = &spec;
    ResolvedInstance planned;
    planned.spec = &spec;
    if (mode == LoadMode::kLoad) {
      auto loaded = loader.load(spec.library, m.dir, spec.sha256, spec.allow_world_writable);
      if (!loaded.ok()) {
        report(spec.pointer + "/library", "instance \"" + spec.name + "\": " + loaded.status().message());
        continue;
      }
      planned.plugin = *loaded;
      planned.metadata = planned.plugin->metadata;
      planned.sha256 = planned.plugin->sha256;
    } else {
      auto inspected = loader.inspect(spec.library, m.dir, spec.sha256, spec.allow_world_writable);
      if (!inspected.ok()) {
        report(spec.pointer + "/library", "instance \"" + spec.name + "\": " + inspected.status().message());
        continue;
      }
      planned.metadata = std::move(inspected->metadata);
      planned.sha256 = std::move(inspected->sha256);
    }
    auto validator = config::ConfigValidator::compile(planned.metadata.config_schema);
    if (!validator.ok()) {
      report(spec.pointer + "/library", "plugin " + planned.metadata.name + ": " + validator.status().message());
      continue;
    }
    planned.config = spec.config;
    for (const config::ConfigError& e : validator->apply_defaults_and_validate(planned.config)) {
      report(spec.pointer + "/config" + e.pointer, "instance \"" + spec.name + "\" (plugin " + planned.metadata.name +
                                                       " " + planned.metadata.version + "): " + e.message);
    }
    plan->instances.push_back(std::move(planned));
  }
  if (!diags.empty()) {
    if (problems != nullptr) *problems = diags;
    return manifest::to_status(diags);
  }

  std::vector<graph::GraphNode> nodes;
  for (const ResolvedInstance& p : plan->instances) {
    nodes.push_back({p.spec->name, p.metadata.provides, p.metadata.requires_, p.spec->after});
  }
  std::string concerned;
  auto graph = graph::DependencyGraph::build(nodes, host_provided_apis(), &concerned);
  if (!graph.ok()) {
    if (problems != nullptr && !concerned.empty()) {
      problems->push_back({m.locate("/plugins"), "", graph.status().message(), concerned});
    }
    return graph.status().with_prefix(m.path);
  }
  plan->graph = std::move(*graph);
  return plan;
}

std::map<std::string, std::string> provider_bindings(const ResolvedInstance& instance,
                                                     const graph::DependencyGraph& graph, bool required_only) {
  std::map<std::string, std::string> out;
  for (const loader::Requirement& r : instance.metadata.requires_) {
    if (required_only && r.optional) continue;
    if (auto provider = graph.provider_for(instance.spec->name, r.api.api)) out[r.api.api] = *provider;
  }
  return out;
}

}  // namespace hyperion::planning
