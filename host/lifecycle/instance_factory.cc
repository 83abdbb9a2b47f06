#include "lifecycle/instance_factory.h"

namespace hyperion::lifecycle {

LiveInstance InstanceFactory::make(const planning::ResolvedInstance& resolved,
                                   const graph::DependencyGraph& graph) const {
  LiveInstance live;
  live.instance = std::make_unique<PluginInstance>(resolved.spec->name, resolved.plugin, facilities_, runner_,
                                                   planning::provider_bindings(resolved, graph));
  live.config = resolved.config;
  live.start_timeout = resolved.spec->start_timeout;
  live.stop_timeout = resolved.spec->stop_timeout;
  return live;
}

}  // namespace hyperion::lifecycle
