#include "graph/dependency_graph.h"

#include <functional>
#include <queue>
#include <set>

namespace hyperion::graph {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Finds one cycle among `nodes` (those Kahn's algorithm could not order) and
// prints it as "a -(reason)-> b -(reason)-> a".
std::string describe_cycle(const std::set<std::string>& stuck, const std::vector<Edge>& edges) {
  std::map<std::string, std::vector<const Edge*>> out;
  for (const Edge& e : edges) {
    if (stuck.count(e.provider) && stuck.count(e.dependent)) out[e.dependent].push_back(&e);
  }
  // Walk "depends on" edges from any stuck node until a node repeats.
  std::vector<const Edge*> path;
  std::map<std::string, size_t> index;
  std::string at = *stuck.begin();
  while (!index.count(at)) {
    index[at] = path.size();
    const Edge* next = out[at].front();  // every stuck node waits on a stuck node
    path.push_back(next);
    at = next->provider;
  }
  std::string text = at;
  for (size_t i = index[at]; i < path.size(); ++i) {
    text += " -(" + path[i]->reason + ")-> " + path[i]->provider;
  }
  return text;
}

}  // namespace

StatusOr<DependencyGraph> DependencyGraph::build(const std::vector<GraphNode>& nodes,
                                                 const std::vector<loader::ApiVersion>& host_apis,
                                                 std::string* first_instance) {
  DependencyGraph g;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;

  std::vector<std::string> problems;
  for (const GraphNode& node : nodes) {
    for (const loader::Requirement& req : node.requires_) {
      bool from_host = false;
      for (const loader::ApiVersion& api : host_apis) from_host = from_host || loader::satisfies(api, req.api);
      if (from_host) {
        g.bindings_[node.name][req.api.api] = kHostProvider;
        continue;
      }
      std::vector<const GraphNode*> providers;
      std::vector<std::string> near;  // same API, wrong version
      for (const GraphNode& other : nodes) {
        if (other.name == node.name) continue;
        for (const loader::ApiVersion& api : other.provides) {
          if (loader::satisfies(api, req.api)) providers.push_back(&other);
          else if (api.api == req.api.api) near.push_back(api.to_string() + " by \"" + other.name + "\"");
        }
      }
      if (providers.empty()) {
        if (req.optional) continue;
        std::string msg = "instance \"" + node.name + "\" requires " + req.api.to_string() +
                          ", but no instance in the manifest provides it";
        if (!near.empty()) {
          msg += " (found";
          for (const std::string& n : near) msg += " " + n;
          msg += ", which is not compatible)";
        }
        if (first_instance != nullptr && problems.empty()) *first_instance = node.name;
        problems.push_back(msg);
        continue;
      }
      if (providers.size() > 1) {
        if (first_instance != nullptr && problems.empty()) *first_instance = node.name;
        problems.push_back("instance \"" + node.name + "\" requires " + req.api.to_string() +
                           ", which both \"" + providers[0]->name + "\" and \"" + providers[1]->name +
                           "\" provide; keep one of them");
        continue;
      }
      g.bindings_[node.name][req.api.api] = providers[0]->name;
      g.edges_.push_back({providers[0]->name, node.name, "requires " + req.api.to_string(), req.optional});
    }
    for (const std::string& dep : node.after) {
      if (!index.count(dep)) {
        if (first_instance != nullptr && problems.empty()) *first_instance = node.name;
        problems.push_back("instance \"" + node.name + "\" starts after \"" + dep + "\", which does not exist");
        continue;
      }
      g.edges_.push_back({dep, node.name, "after", false});
    }
  }
  if (!problems.empty()) {
    std::string msg = "graph: ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "\n" : "") + problems[i];
    return invalid_argument(msg);
  }

  // Kahn's algorithm; the ready set is ordered by manifest position.
  std::vector<size_t> waiting(nodes.size(), 0);
  std::vector<std::vector<size_t>> unblocks(nodes.size());
  for (const Edge& e : g.edges_) {
    ++waiting[index[e.dependent]];
    unblocks[index[e.provider]].push_back(index[e.dependent]);
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    g.order_.push_back(nodes[i].name);
    for (size_t d : unblocks[i]) {
      if (--waiting[d] == 0) ready.push(d);
    }
  }
  if (g.order_.size() != nodes.size()) {
    std::set<std::string> stuck;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (waiting[i] > 0) stuck.insert(nodes[i].name);
    }
    if (first_instance != nullptr) *first_instance = *stuck.begin();
    return invalid_argument("graph: dependency cycle: " + describe_cycle(stuck, g.edges_));
  }
  return g;
}

std::optional<std::string> DependencyGraph::provider_for(const std::string& dependent, const std::string& api) const {
  auto it = bindings_.find(dependent);
  if (it == bindings_.end()) return std::nullopt;
  auto jt = it->second.find(api);
  if (jt == it->second.end()) return std::nullopt;
  return jt->second;
}

std::vector<std::string> DependencyGraph::dependents_of(const std::string& name) const {
  std::set<std::string> found;
  std::vector<std::string> frontier{name};
  while (!frontier.empty()) {
    std::string at = frontier.back();
    frontier.pop_back();
    for (const Edge& e : edges_) {
      if (e.provider == at && found.insert(e.dependent).second) frontier.push_back(e.dependent);
    }
  }
  std::vector<std::string> out;
  for (const std::string& n : order_) {
    if (found.count(n)) out.push_back(n);
  }
  return out;
}

std::string DependencyGraph::to_dot(const std::string& graph_name) const {
  std::string dot = "digraph " + quoted(graph_name) + " {\n  rankdir=LR;\n  node [shape=box];\n";
  for (size_t i = 0; i < order_.size(); ++i) {
    dot += "  " + quoted(order_[i]) + " [label=" + quoted(std::to_string(i + 1) + ". " + order_[i]) + "];\n";
  }
  for (const Edge& e : edges_) {
    dot += "  " + quoted(e.provider) + " -> " + quoted(e.dependent) + " [label=" + quoted(e.reason) +
           (e.optional ? ", style=dashed" : "") + "];\n";
  }
  return dot + "}\n";
}

}  // namespace hyperion::graph
