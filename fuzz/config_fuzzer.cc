// Fuzz target: the JSON config validator and the diff engine. An input is three
// JSON documents separated by NUL bytes: a plugin's config schema, an old config
// and a new one. The schema is compiled (or refused cleanly); both configs get
// defaults and are validated; then the two are diffed and rendered as the host
// renders them for the admin API, events and the plugin. Beyond "no crash" it
// checks the diff's promise: a change to a secret field shows no value but
// "<redacted>".
#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_validator.h"
#include "config/schema_path.h"
#include "reload/config_diff.h"

namespace json = boost::json;

namespace {

std::vector<std::string_view> split_nul(std::string_view in) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t at = in.find('\0'); at != std::string_view::npos && parts.size() < 2; at = in.find('\0', start)) {
    parts.push_back(in.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(in.substr(start));
  return parts;
}

bool parse_object(std::string_view text, json::object& out) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  out = std::move(v.as_object());
  return true;
}

// Every leaf is "<redacted>" (null is no secret; objects and arrays are walked).
bool fully_redacted(const json::value& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.as_string() == "<redacted>";
  if (v.is_object()) {
    for (const auto& kv : v.as_object()) {
      if (!fully_redacted(kv.value())) return false;
    }
    return true;
  }
  if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      if (!fully_redacted(item)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = split_nul(std::string_view(reinterpret_cast<const char*>(data), size));
  json::object schema, old_config, new_config;
  if (!parse_object(parts[0], schema)) return 0;
  auto validator = hyperion::config::ConfigValidator::compile(schema);
  if (!validator.ok()) return 0;
  if (parts.size() > 1 && parse_object(parts[1], old_config)) (void)validator->apply_defaults_and_validate(old_config);
  if (parts.size() > 2 && parse_object(parts[2], new_config)) (void)validator->apply_defaults_and_validate(new_config);

  // "/password" stands for a value that came from ${file:...}.
  const std::set<std::string> secret_fields = {"/password"};
  auto changes = hyperion::reload::diff_config(old_config, new_config, schema, secret_fields);
  for (const auto& c : changes) {
    if (c.secret && (!fully_redacted(c.old_value) || !fully_redacted(c.new_value))) std::abort();
    (void)hyperion::config::schema_at(schema, c.path);
  }
  (void)json::serialize(hyperion::reload::changes_to_json(changes));
  (void)hyperion::reload::changes_to_abi_json(changes);
  return 0;
}
