#include "config/config_validator.h"

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <boost/json.hpp>
#include <algorithm>
#include <regex>
#include <string_view>
#include <vector>

#include "base/json_pointer.h"

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

// True when `p` repeats, without bound, something that itself repeats without
// bound: (a+)+, (x|y*)*, .**, (a+){2,}. std::regex backtracks exponentially on
// those: a 30-character value can keep a reload busy for minutes. A heuristic:
// it finds these shapes, not every pattern that backtracks badly.
bool nests_unbounded_repetition(std::string_view p) {
  std::vector<bool> group_repeats;  // per open group: does it contain an unbounded repetition?
  bool last_repeats = false;        // the last token was an unbounded quantifier, or a group holding one
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      last_repeats = false;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
      last_repeats = false;
    } else if (c == '(') {
      group_repeats.push_back(false);
      last_repeats = false;
    } else if (c == ')') {
      last_repeats = !group_repeats.empty() && group_repeats.back();
      if (!group_repeats.empty()) group_repeats.pop_back();
      if (last_repeats && !group_repeats.empty()) group_repeats.back() = true;
    } else if (c == '*' || c == '+' || c == '{') {
      bool unbounded = true;
      if (c == '{') {
        size_t close = p.find('}', i);
        if (close == std::string_view::npos) return false;  // not a quantifier; std::regex decides
        std::string_view body = p.substr(i + 1, close - i - 1);
        unbounded = body.ends_with(',');
        i = close;
      }
      if (unbounded && last_repeats) return true;
      if (unbounded) {
        last_repeats = true;
        if (!group_repeats.empty()) group_repeats.back() = true;
      }
      if (i + 1 < p.size() && p[i + 1] == '?') ++i;  // lazy: the same repetition
    } else {
      last_repeats = false;
    }
  }
  return false;
}

// What valijson and std::regex cannot be trusted with, refused when the schema
// is compiled (each found by fuzz/config_fuzzer.cc):
// - "pattern" and "patternProperties" are compiled into std::regex only while
//   validating, where a bad one throws; and libstdc++ overflows a signed
//   integer (undefined behaviour) on a count or back-reference of many digits;
// - nested unbounded repetition (see nests_unbounded_repetition);
// - "multipleOf": 0, which valijson divides by;
// - a "$ref" that is not a local "#..." reference made valijson resolve the
//   document into itself until the stack overflowed (a plugin's schema cannot
//   fetch other documents anyway).
// `names_to_schemas`: `node` maps names to schemas ("properties",
// "definitions", ...), so its keys are names, not keywords.
Status check_schema(const boost::json::value& node, const std::string& pointer, bool names_to_schemas = false) {
  if (node.is_array()) {
    size_t i = 0;
    for (const auto& item : node.as_array()) {
      if (Status s = check_schema(item, pointer + "/" + std::to_string(i++)); !s.ok()) return s;
    }
    return ok_status();
  }
  if (!node.is_object()) return ok_status();
  auto valid_regex = [&](std::string_view text, const std::string& where) -> Status {
    size_t digits = 0;
    for (char c : text) {
      digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
      if (digits > 6) {
        return invalid_argument("config_schema" + where + ": \"" + std::string(text) +
                                "\" has a number of more than 6 digits (counts and references are limited)");
      }
    }
    if (nests_unbounded_repetition(text)) {
      return invalid_argument("config_schema" + where + ": \"" + std::string(text) +
                              "\" repeats a repetition without bound (like (a+)+), which std::regex matches in "
                              "exponential time; write it without the nesting");
    }
    try {
      std::regex compiled{std::string(text)};
      return ok_status();
    } catch (const std::regex_error& e) {
      return invalid_argument("config_schema" + where + ": \"" + std::string(text) +
                              "\" is not a valid regular expression (" + e.what() + ")");
    }
  };
  for (const auto& kv : node.as_object()) {
    std::string child = pointer + "/" + json_pointer_token(std::string(kv.key()));
    if (names_to_schemas) {
      if (Status s = check_schema(kv.value(), child); !s.ok()) return s;
      continue;
    }
    // JSON Schema wants multipleOf > 0; valijson divides by it (0: SIGFPE).
    if (kv.key() == "multipleOf" && !(kv.value().is_number() && kv.value().to_number<double>() > 0)) {
      return invalid_argument("config_schema" + child + ": multipleOf must be a number greater than 0");
    }
    if (kv.key() == "$ref" && kv.value().is_string() && !kv.value().as_string().starts_with("#")) {
      return invalid_argument("config_schema" + child + ": \"" + std::string(kv.value().as_string()) +
                              "\": only local references (\"#/...\") are supported");
    }
    if (kv.key() == "pattern" && kv.value().is_string()) {
      if (Status s = valid_regex(kv.value().as_string(), child); !s.ok()) return s;
    }
    if (kv.key() == "patternProperties" && kv.value().is_object()) {
      for (const auto& p : kv.value().as_object()) {
        if (Status s = valid_regex(p.key(), child + "/" + json_pointer_token(std::string(p.key()))); !s.ok()) return s;
      }
    }
    // Values, not schemas: a default or an enum member may hold any keys.
    static constexpr std::string_view kDataKeywords[] = {"default", "enum", "const", "examples"};
    if (std::find(std::begin(kDataKeywords), std::end(kDataKeywords), kv.key()) != std::end(kDataKeywords)) continue;
    static constexpr std::string_view kSchemaMaps[] = {"properties", "patternProperties", "definitions",
                                                       "dependencies"};
    const bool map = std::find(std::begin(kSchemaMaps), std::end(kSchemaMaps), kv.key()) != std::end(kSchemaMaps);
    if (Status s = check_schema(kv.value(), child, map); !s.ok()) return s;
  }
  return ok_status();
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
  if (Status s = check_schema(v.impl_->schema_doc, ""); !s.ok()) return s;
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
  try {
    if (validator.validate(impl_->schema, adapter, &results)) return errors;
  } catch (const std::exception& e) {
    // compile() checked what is known to throw; anything else still must not
    // escape into the host (a plugin's schema is not trusted to be sane).
    errors.push_back({"", std::string("the plugin's config_schema could not be applied: ") + e.what()});
    return errors;
  }
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
  const boost::json::object* declared = props != nullptr && props->is_object() ? &props->as_object() : nullptr;
  if (declared != nullptr) {
    for (const auto& kv : *declared) {
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
  // A map whose values share one schema ("targets": {"users": {...}}): each
  // value the user wrote gets that schema's defaults too.
  const boost::json::value* extra = schema.if_contains("additionalProperties");
  if (extra == nullptr || !extra->is_object()) return;
  for (auto& kv : config) {
    if (declared != nullptr && declared->contains(kv.key())) continue;
    if (kv.value().is_object()) fill_defaults(extra->as_object(), kv.value().as_object());
  }
}

}  // namespace hyperion::config
