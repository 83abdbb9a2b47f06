// Config layers (config_propose_layer, ABI 1.1): what each configuration source
// wants changed, as RFC 7386 merge patches over the manifest's configs, kept per
// source until it proposes again. An effective config is: the manifest's config,
// then config_propose's complete config (1.0), then every layer's patch in the
// order the layers were first proposed. Because a layer is kept apart from the
// manifest, a field a source stops mentioning falls back to what is underneath,
// and a manifest edit still applies under the layers (docs/remote-config.md).
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "manifest/manifest.h"
#include "planning/resolved_app.h"
#include "secrets/secret_fields.h"

namespace hyperion::reload {

struct ConfigLayer {
  std::string proposer;           // the instance that proposed it
  std::string source;             // what it calls itself ("consul:hyperion/shop")
  boost::json::object instances;  // instance -> merge patch
  boost::json::object host;       // "log_level", "log_format"

  [[nodiscard]] bool empty() const { return instances.empty() && host.empty(); }
  [[nodiscard]] bool same_source(const ConfigLayer& other) const {
    return proposer == other.proposer && source == other.source;
  }
  // The name /v1/config gives the fields this layer sets.
  [[nodiscard]] std::string origin() const { return source.empty() ? "plugin:" + proposer : source; }
  [[nodiscard]] boost::json::object to_json() const;

  // Parses and checks a proposal: `{"instances": {name: {patch}}, "host": {"log_level", "log_format"}}`.
  static StatusOr<ConfigLayer> parse(std::string proposer, std::string source, std::string_view json);
  // A layer as to_json() stored it.
  static StatusOr<ConfigLayer> from_json(const boost::json::value& stored);
};

// `layer` replaces the layer of the same source in `layers` (keeping its place),
// or is appended; an empty layer withdraws the source's layer.
void put_layer(std::vector<ConfigLayer>& layers, ConfigLayer layer);

// Applies `layers` over `manifest` (after any complete configs): each instance's
// config patched in order, the host's log settings set. A patch for an instance
// the manifest lacks is kept aside and named in `warnings`.
void apply_layers(const std::vector<ConfigLayer>& layers, manifest::Manifest& manifest,
                  std::vector<std::string>& warnings);

// instance -> {JSON Pointer: origin} for every field a proposal or a layer set
// (the last one to set a field wins, as in the effective config).
boost::json::object field_origins(const boost::json::object& overrides,
                                  const std::map<std::string, std::string>& override_sources,
                                  const std::vector<ConfigLayer>& layers);

// The layers as a revision stores them: secrets redacted by each instance's
// schema in `app`, and whether any were.
secrets::Redacted stored_layers(const std::vector<ConfigLayer>& layers, const planning::ResolvedApp& app);

}  // namespace hyperion::reload
