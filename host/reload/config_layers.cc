#include "reload/config_layers.h"

#include <algorithm>

#include "base/json_merge_patch.h"

namespace hyperion::reload {
namespace {

namespace json = boost::json;

Status check_host_part(const json::object& host) {
  for (const auto& kv : host) {
    if (kv.key() == "log_level") {
      static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
      if (!kv.value().is_string() || std::none_of(std::begin(kLevels), std::end(kLevels),
                                                  [&](const char* l) { return kv.value().as_string() == l; })) {
        return invalid_argument("layer: host.log_level must be one of trace, debug, info, warn, error, off");
      }
    } else if (kv.key() == "log_format") {
      if (!kv.value().is_string() || (kv.value().as_string() != "text" && kv.value().as_string() != "json")) {
        return invalid_argument("layer: host.log_format must be text or json");
      }
    } else {
      return invalid_argument("layer: host." + std::string(kv.key()) +
                              " cannot be set by a config source (only log_level and log_format)");
    }
  }
  return ok_status();
}

StatusOr<ConfigLayer> from_object(std::string proposer, std::string source, const json::value& doc) {
  if (!doc.is_object())
    return invalid_argument("layer: expected a JSON object {\"instances\": {...}, \"host\": {...}}");
  ConfigLayer layer{std::move(proposer), std::move(source), {}, {}};
  for (const auto& kv : doc.as_object()) {
    if (kv.key() == "instances") {
      if (!kv.value().is_object()) return invalid_argument("layer: \"instances\" must map instance names to objects");
      for (const auto& inst : kv.value().as_object()) {
        if (!inst.value().is_object()) {
          return invalid_argument("layer: the patch for instance \"" + std::string(inst.key()) +
                                  "\" is not a JSON object (a merge patch of its config)");
        }
      }
      layer.instances = kv.value().as_object();
    } else if (kv.key() == "host") {
      if (!kv.value().is_object()) return invalid_argument("layer: \"host\" must be an object");
      HYPERION_RETURN_IF_ERROR(check_host_part(kv.value().as_object()));
      layer.host = kv.value().as_object();
    } else if (kv.key() != "proposer" && kv.key() != "source") {
      return invalid_argument("layer: unknown key \"" + std::string(kv.key()) + "\" (expected instances, host)");
    }
  }
  return layer;
}

}  // namespace

json::object ConfigLayer::to_json() const {
  return json::object{{"proposer", proposer}, {"source", source}, {"instances", instances}, {"host", host}};
}

StatusOr<ConfigLayer> ConfigLayer::parse(std::string proposer, std::string source, std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return invalid_argument("layer: not valid JSON: " + ec.message());
  return from_object(std::move(proposer), std::move(source), doc);
}

StatusOr<ConfigLayer> ConfigLayer::from_json(const json::value& stored) {
  if (!stored.is_object()) return invalid_argument("layer: not an object");
  const json::value* proposer = stored.as_object().if_contains("proposer");
  const json::value* source = stored.as_object().if_contains("source");
  if (proposer == nullptr || !proposer->is_string() || source == nullptr || !source->is_string()) {
    return invalid_argument("layer: stored without proposer and source");
  }
  return from_object(std::string(proposer->as_string()), std::string(source->as_string()), stored);
}

void put_layer(std::vector<ConfigLayer>& layers, ConfigLayer layer) {
  auto it = std::find_if(layers.begin(), layers.end(), [&](const ConfigLayer& l) { return l.same_source(layer); });
  if (layer.empty()) {
    if (it != layers.end()) layers.erase(it);
  } else if (it != layers.end()) {
    *it = std::move(layer);
  } else {
    layers.push_back(std::move(layer));
  }
}

void apply_layers(const std::vector<ConfigLayer>& layers, manifest::Manifest& manifest,
                  std::vector<std::string>& warnings) {
  for (const ConfigLayer& layer : layers) {
    for (const auto& kv : layer.instances) {
      auto spec = std::find_if(manifest.plugins.begin(), manifest.plugins.end(),
                               [&](const manifest::InstanceSpec& s) { return s.name == kv.key(); });
      if (spec == manifest.plugins.end()) {
        warnings.push_back("layer from " + layer.origin() + " patches instance \"" + std::string(kv.key()) +
                           "\", which is not in the manifest: kept aside until it is");
        continue;
      }
      spec->config = apply_merge_patch(spec->config, kv.value()).as_object();
    }
    if (const json::value* level = layer.host.if_contains("log_level")) manifest.host.log_level = level->as_string();
    if (const json::value* format = layer.host.if_contains("log_format"))
      manifest.host.log_format = format->as_string();
  }
}

json::object field_origins(const json::object& overrides, const std::map<std::string, std::string>& override_sources,
                           const std::vector<ConfigLayer>& layers) {
  json::object out;
  auto mark = [&](const std::string& instance, const json::value& patch, const std::string& origin) {
    for (const std::string& pointer : merge_patch_fields(patch)) {
      json::value& fields = out[instance];
      if (!fields.is_object()) fields = json::object{};
      fields.as_object()[pointer] = origin;
    }
  };
  for (const auto& kv : overrides) {
    const std::string instance(kv.key());
    // A complete config replaces the manifest's: the proposal set every field.
    out.erase(instance);
    auto source = override_sources.find(instance);
    mark(instance, kv.value(), source != override_sources.end() ? source->second : "proposal");
  }
  for (const ConfigLayer& layer : layers) {
    for (const auto& kv : layer.instances) mark(std::string(kv.key()), kv.value(), layer.origin());
    for (const auto& kv : layer.host) {
      json::value& host = out["host"];
      if (!host.is_object()) host = json::object{};
      host.as_object()["/" + std::string(kv.key())] = layer.origin();
    }
  }
  return out;
}

secrets::Redacted stored_layers(const std::vector<ConfigLayer>& layers, const planning::ResolvedApp& app) {
  secrets::Redacted out{json::array{}, false};
  for (const ConfigLayer& layer : layers) {
    json::object stored = layer.to_json();
    json::object& instances = stored["instances"].as_object();
    for (auto& kv : instances) {
      const planning::ResolvedInstance* p = app.find(std::string(kv.key()));
      // No schema says what is secret in a patch for an instance the manifest
      // lacks: none of it is stored.
      secrets::Redacted one = p != nullptr ? secrets::redact(kv.value(), "", p->metadata.config_schema, {})
                                           : secrets::redact(kv.value(), "", {}, {""});
      out.withheld = out.withheld || one.withheld;
      kv.value() = std::move(one.value);
    }
    out.value.as_array().push_back(std::move(stored));
  }
  return out;
}

}  // namespace hyperion::reload
