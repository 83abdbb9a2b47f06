#include "key_mapping.h"

#include <yaml-cpp/yaml.h>

namespace hyperion::plugins::consul_config {
namespace {

namespace json = boost::json;

// YAML -> JSON; a scalar is typed the way parse_value types a key's value.
json::value yaml_to_json(const YAML::Node& node, int depth = 0) {
  if (depth > 64) throw std::runtime_error("nested more than 64 levels");
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : node) o[kv.first.as<std::string>()] = yaml_to_json(kv.second, depth + 1);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : node) a.push_back(yaml_to_json(item, depth + 1));
      return a;
    }
    case YAML::NodeType::Scalar:
      // A quoted scalar stays a string ("5" in quotes is text).
      return node.Tag() == "!" ? json::value(node.as<std::string>()) : parse_value(node.as<std::string>());
    default: return nullptr;
  }
}

json::value parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec) return v;
  return yaml_to_json(YAML::Load(text));
}

void set_field(json::object& root, const std::vector<std::string>& path, size_t from, json::value value) {
  json::object* node = &root;
  for (size_t i = from; i + 1 < path.size(); ++i) {
    json::value& child = (*node)[path[i]];
    if (!child.is_object()) child = json::object{};
    node = &child.as_object();
  }
  (*node)[path.back()] = std::move(value);
}

std::vector<std::string> split(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = key.find('/', start);
    parts.push_back(key.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

}  // namespace

json::value parse_value(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec) return v;
  return json::string(text);
}

MappedLayer map_keys(const std::string& prefix, const std::map<std::string, std::string>& kvs) {
  const std::string base = prefix.empty() || prefix.back() == '/' ? prefix : prefix + "/";
  MappedLayer out;
  json::object instances;
  json::object host;
  // Whole objects first, so a deeper key always wins over them.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [key, value] : kvs) {
      if (!key.starts_with(base)) continue;
      const std::string relative = key.substr(base.size());
      if (relative.empty()) continue;  // the prefix itself (a folder marker)
      std::vector<std::string> path = split(relative);
      if (path.back().empty()) path.pop_back();  // "a/b/": a folder marker
      if (path.empty()) continue;
      bool empty_segment = false;
      for (const std::string& p : path) empty_segment = empty_segment || p.empty();
      if (empty_segment) {
        if (pass == 0) out.errors.push_back("key " + key + ": an empty path segment");
        continue;
      }
      const bool whole = path.size() == 1;
      if ((pass == 0) != whole) continue;
      if (path[0] == "host") {
        if (whole || path.size() != 2 || (path[1] != "log_level" && path[1] != "log_format")) {
          out.errors.push_back("key " + key + ": under host/ only log_level and log_format can be set");
          continue;
        }
        host[path[1]] = json::string(value);
        continue;
      }
      try {
        if (whole) {
          json::value object = parse_object(value);
          if (!object.is_object()) {
            out.errors.push_back("key " + key + ": expected a YAML or JSON object (the instance's config)");
            continue;
          }
          instances[path[0]] = std::move(object);
        } else {
          json::value& patch = instances[path[0]];
          if (!patch.is_object()) patch = json::object{};
          set_field(patch.as_object(), path, 1, parse_value(value));
        }
      } catch (const std::exception& e) {
        out.errors.push_back("key " + key + ": " + e.what());
      }
    }
  }
  if (!instances.empty()) out.layer["instances"] = std::move(instances);
  if (!host.empty()) out.layer["host"] = std::move(host);
  return out;
}

}  // namespace hyperion::plugins::consul_config
