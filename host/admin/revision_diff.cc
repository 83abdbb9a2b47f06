#include "admin/revision_diff.h"

#include "manifest/yaml_to_json.h"
#include "reload/config_diff.h"
#include "secrets/redaction.h"

namespace hyperion::admin {
namespace {

namespace json = boost::json;

struct Side {
  json::object app_and_host;                      // {"app", "host"} as written
  std::map<std::string, json::object> instances;  // name -> entry (without "name")
};

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

StatusOr<Side> read_side(const state::Revision& r) {
  manifest::InterpolationEnv env;
  env.as_written = true;
  manifest::Diagnostics diagnostics;
  const std::string name = "revision " + std::to_string(r.number);
  manifest::JsonDocument doc = manifest::yaml_to_json(r.manifest, name, env, diagnostics);
  if (!diagnostics.empty() || !doc.root.is_object()) {
    return invalid_argument(name + "'s manifest cannot be compared: " +
                            (diagnostics.empty() ? "it is not a mapping" : diagnostics.front().to_string()));
  }
  Side side;
  const json::object& root = doc.root.as_object();
  for (const char* key : {"app", "host"}) {
    if (const json::value* v = root.if_contains(key)) side.app_and_host[key] = *v;
  }
  const json::object overrides = parse_object(r.overrides);
  const json::object libraries = parse_object(r.libraries);
  if (const json::value* plugins = root.if_contains("plugins"); plugins != nullptr && plugins->is_array()) {
    for (const json::value& p : plugins->as_array()) {
      const json::value* n = p.is_object() ? p.as_object().if_contains("name") : nullptr;
      if (n == nullptr || !n->is_string()) continue;
      json::object entry = p.as_object();
      entry.erase("name");
      const std::string instance(n->as_string());
      if (const json::value* o = overrides.if_contains(instance)) entry["overrides"] = *o;
      if (const json::value* l = libraries.if_contains(instance)) entry["swapped"] = *l;
      side.instances[instance] = std::move(entry);
    }
  }
  return side;
}

// The schema of an instance entry: the plugin's config schema under "config"
// and "overrides" (both are that plugin's configs).
json::object entry_schema(const json::object& config_schema) {
  return json::object{{"type", "object"},
                      {"properties", json::object{{"config", config_schema}, {"overrides", config_schema}}}};
}

bool under_config(const std::string& path) {
  return path == "/config" || path.starts_with("/config/") || path == "/overrides" || path.starts_with("/overrides/");
}

}  // namespace

StatusOr<json::object> diff_revisions(const state::Revision& from, const state::Revision& to,
                                      const app::AppSnapshot& now) {
  auto a = read_side(from);
  if (!a.ok()) return a.status();
  auto b = read_side(to);
  if (!b.ok()) return b.status();
  json::object out{{"from", from.number}, {"to", to.number}};
  // The app's name and host settings hold no secrets (a ${file:...} there is refused).
  auto host_changes = reload::diff_config(a->app_and_host, b->app_and_host, json::object{}, {});
  out["host"] = reload::changes_to_json(host_changes);

  std::map<std::string, const json::object*> schemas;
  for (const app::InstanceSnapshot& i : now.instances) schemas[i.name] = &i.plugin.config_schema;
  std::set<std::string> names;
  for (const auto& [name, entry] : a->instances) names.insert(name);
  for (const auto& [name, entry] : b->instances) names.insert(name);
  json::object instances;
  static const json::object kEmpty;
  for (const std::string& name : names) {
    auto old_it = a->instances.find(name);
    auto new_it = b->instances.find(name);
    const json::object& before = old_it != a->instances.end() ? old_it->second : kEmpty;
    const json::object& after = new_it != b->instances.end() ? new_it->second : kEmpty;
    if (before == after) continue;
    auto schema_it = schemas.find(name);
    const bool known = schema_it != schemas.end();
    auto changes = reload::diff_config(before, after, entry_schema(known ? *schema_it->second : kEmpty), {});
    if (!known) {
      for (reload::FieldChange& c : changes) {
        if (!under_config(c.path)) continue;
        c.secret = true;
        if (c.op != reload::FieldChange::Op::kAdd) c.old_value = secrets::kRedactedMarker;
        if (c.op != reload::FieldChange::Op::kRemove) c.new_value = secrets::kRedactedMarker;
      }
    }
    const char* action = old_it == a->instances.end() ? "add" : new_it == b->instances.end() ? "remove" : "change";
    instances[name] =
        json::object{{"action", action}, {"schema_known", known}, {"changes", reload::changes_to_json(changes)}};
  }
  out["instances"] = std::move(instances);
  return out;
}

}  // namespace hyperion::admin
