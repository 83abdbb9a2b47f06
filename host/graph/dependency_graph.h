// DependencyGraph: the start order of a manifest's instances, from what each
// provides and requires (plus explicit `after:`). Providers start before their
// dependents; ties keep manifest order, so the order is deterministic. A cycle
// is an error that prints the cycle; a missing provider names who needed what.
// Thread-safety: immutable after build().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loader/plugin_metadata.h"

namespace hyperion::graph {

struct GraphNode {
  std::string name;
  std::vector<loader::ApiVersion> provides;
  std::vector<loader::Requirement> requires_;
  std::vector<std::string> after;
};

struct Edge {
  std::string provider;   // starts first
  std::string dependent;  // starts after `provider`
  std::string reason;     // "requires greeter 1.0" or "after"
  bool optional = false;
};

// The provider name of the services the host itself offers.
inline constexpr const char* kHostProvider = "hyperion";

class DependencyGraph {
 public:
  // kInvalidArgument for a missing required provider, an ambiguous API (two
  // providers), an unknown `after`, or a cycle.
  // `host_apis` are provided by the host itself (provider name "hyperion"): they
  // satisfy requirements without an edge.
  // `first_instance`, when given, receives the instance the first problem is
  // about (the one that requires or starts after, or one in a cycle).
  static StatusOr<DependencyGraph> build(const std::vector<GraphNode>& nodes,
                                         const std::vector<loader::ApiVersion>& host_apis = {},
                                         std::string* first_instance = nullptr);

  // Instance names, providers first. Stop in reverse.
  [[nodiscard]] const std::vector<std::string>& start_order() const { return order_; }
  [[nodiscard]] const std::vector<Edge>& edges() const { return edges_; }
  // The instance that serves `api` for `dependent`, if any.
  [[nodiscard]] std::optional<std::string> provider_for(const std::string& dependent, const std::string& api) const;
  // Every instance that (transitively) depends on `name`.
  [[nodiscard]] std::vector<std::string> dependents_of(const std::string& name) const;

  // Graphviz DOT: one node per instance, one edge per dependency.
  [[nodiscard]] std::string to_dot(const std::string& graph_name) const;

 private:
  std::vector<std::string> order_;
  std::vector<Edge> edges_;
  std::map<std::string, std::map<std::string, std::string>> bindings_;  // dependent -> api -> provider
};

}  // namespace hyperion::graph
