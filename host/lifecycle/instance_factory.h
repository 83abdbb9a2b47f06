// InstanceFactory: the one place a resolved instance (planning/) becomes a live
// one — bound to its providers as the graph resolved them, to the host's
// facilities and call runner, with its config and deadlines. Used at start and
// by every reload that adds or restarts an instance.
// Thread-safety: make() may be called from any thread.
#pragma once

#include "graph/dependency_graph.h"
#include "hostapi/host_context.h"
#include "lifecycle/call_runner.h"
#include "lifecycle/lifecycle.h"
#include "planning/resolved_app.h"

namespace hyperion::lifecycle {

class InstanceFactory {
 public:
  InstanceFactory(hostapi::HostFacilities& facilities, CallRunner& runner) : facilities_(facilities), runner_(runner) {}

  // Not created yet: the lifecycle (or a reload) calls create and start.
  [[nodiscard]] LiveInstance make(const planning::ResolvedInstance& resolved,
                                  const graph::DependencyGraph& graph) const;

 private:
  hostapi::HostFacilities& facilities_;
  CallRunner& runner_;
};

}  // namespace hyperion::lifecycle
