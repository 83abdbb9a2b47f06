#include "config/config_validator.h"

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <boost/json.hpp>

namespace hyperion::config {
namespace {

// valijson names a field as a context path: ["<root>", "[server]", "[port]"].
std::string context_to_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string token = part;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') token = token.substr(1, token.size() - 2);
    pointer += "/" + token;
  }
  return pointer;
}

}  // namespace

struct ConfigValidator::Impl {
  boost::json::value schema_doc;
  valijson::Schema schema;
};

ConfigValidator::ConfigValidator() : impl_(std::make_unique<Impl>()) {}
ConfigValidator::~ConfigValidator() = default;
ConfigValidator::ConfigValidator(ConfigValidator&&) noexcept = default;

StatusOr<ConfigValidator> ConfigValidator::compile(const boost::json::object& schema) {
  ConfigValidator v;
  v.impl_->schema_doc = schema;
  try {
    valijson::SchemaParser parser;
    valijson::adapters::BoostJsonAdapter adapter(v.impl_->schema_doc);
    parser.populateSchema(adapter, v.impl_->schema);
  } catch (const std::exception& e) {
    return invalid_argument(std::string("config_schema is not a valid JSON Schema: ") + e.what());
  }
  return v;
}

std::vector<ConfigError> ConfigValidator::apply_defaults_and_validate(boost::json::object& config) const {
  fill_defaults(impl_->schema_doc.as_object(), config);
  boost::json::value doc = config;
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::BoostJsonAdapter adapter(doc);
  std::vector<ConfigError> errors;
  if (validator.validate(impl_->schema, adapter, &results)) return errors;
  valijson::ValidationResults::Error e;
  std::set<std::pair<std::string, std::string>> seen;
  while (results.popError(e)) {
    // valijson also reports each enclosing object as failed ("Failed to validate
    // against schema associated with property name ..."); the leaf error says
    // more, so skip the wrappers.
    if (e.description.rfind("Failed to validate against schema associated with property name", 0) == 0) continue;
    if (e.description.rfind("Failed to validate item #", 0) == 0) continue;
    std::string pointer = context_to_pointer(e.context);
    if (seen.emplace(pointer, e.description).second) errors.push_back({pointer, e.description});
  }
  if (errors.empty()) errors.push_back({"", "config does not match the plugin's schema"});
  return errors;
}

void fill_defaults(const boost::json::object& schema, boost::json::object& config) {
  const boost::json::value* props = schema.if_contains("properties");
  if (props == nullptr || !props->is_object()) return;
  for (const auto& kv : props->as_object()) {
    if (!kv.value().is_object()) continue;
    const boost::json::object& prop = kv.value().as_object();
    auto it = config.find(kv.key());
    if (it == config.end()) {
      if (const boost::json::value* def = prop.if_contains("default")) config[kv.key()] = *def;
      it = config.find(kv.key());
      // An object property without a default still gets its children's defaults
      // once the user writes the object; not before.
      if (it == config.end()) continue;
    }
    if (it->value().is_object()) fill_defaults(prop, it->value().as_object());
  }
}

}  // namespace hyperion::config
