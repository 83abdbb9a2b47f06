#include "admin/admin_views.h"

namespace hyperion::admin {

namespace json = boost::json;

json::object status_view(const app::AppSnapshot& snap) {
  json::array instances;
  for (const app::InstanceSnapshot& i : snap.instances) {
    instances.push_back(json::object{{"name", i.name},
                                     {"state", i.state},
                                     {"plugin", i.plugin.name},
                                     {"version", i.plugin.version},
                                     {"sha256", i.sha256},
                                     {"library", i.library}});
    if (!i.last_swap.empty()) instances.back().as_object()["last_swap"] = i.last_swap;
  }
  json::array edges;
  for (const graph::Edge& e : snap.edges) {
    edges.push_back(json::object{
        {"provider", e.provider}, {"dependent", e.dependent}, {"reason", e.reason}, {"optional", e.optional}});
  }
  return json::object{{"app", snap.app},           {"phase", snap.phase},
                      {"revision", snap.revision}, {"instances", std::move(instances)},
                      {"edges", std::move(edges)}, {"breaker", snap.breaker}};
}

json::array plugins_view(const app::AppSnapshot& snap) {
  json::array out;
  for (const app::InstanceSnapshot& i : snap.instances) {
    json::array provides, requires_list, capabilities;
    for (const auto& a : i.plugin.provides) provides.emplace_back(a.to_string());
    for (const auto& r : i.plugin.requires_) {
      requires_list.push_back(json::object{{"api", r.api.to_string()}, {"optional", r.optional}});
    }
    for (const auto& c : i.plugin.capabilities) capabilities.emplace_back(c);
    out.push_back(json::object{{"name", i.name},
                               {"state", i.state},
                               {"plugin", i.plugin.name},
                               {"version", i.plugin.version},
                               {"status", i.plugin.status},
                               {"abi_minor", i.abi_minor},
                               {"sha256", i.sha256},
                               {"library", i.library},
                               {"provides", std::move(provides)},
                               {"requires", std::move(requires_list)},
                               {"capabilities", std::move(capabilities)}});
  }
  return out;
}

json::object config_view(const app::AppSnapshot& snap) {
  return json::object{{"manifest", snap.manifest_text}, {"revision", snap.revision}, {"instances", snap.configs},
                      {"sources", snap.sources},        {"layers", snap.layers},     {"libraries", snap.libraries}};
}

json::object revision_view(const state::Revision& r, bool full) {
  json::object o{{"number", r.number},
                 {"created_at", r.created_at},
                 {"source", r.source},
                 {"author", r.author},
                 {"outcome", r.outcome}};
  boost::system::error_code ec;
  if (!r.error.empty()) o["error"] = json::parse(r.error, ec);
  if (full) {
    o["manifest"] = r.manifest;
    o["diff"] = json::parse(r.diff, ec);
    o["secrets_withheld"] = r.secrets_withheld;
  }
  return o;
}

}  // namespace hyperion::admin
