#include "secrets/secret_fields.h"

#include "base/json_pointer.h"
#include "config/schema_path.h"
#include "secrets/redaction.h"

namespace hyperion::secrets {
namespace {

namespace json = boost::json;

// Rebuilds `value` with every secret leaf passed to `on_secret` and replaced by
// the marker; the one walk redact() and secret_values() share, so they never
// disagree on what is secret.
template <class OnSecret>
json::value walk(const json::value& value, const std::string& pointer, const json::object& schema,
                 const std::set<std::string>& secret_fields, OnSecret& on_secret) {
  if (value.is_null()) return value;
  const bool secret_here =
      secret_fields.count(pointer) != 0 || (!value.is_object() && is_secret_path(schema, pointer, secret_fields));
  if (secret_here) {
    on_secret(value);
    return json::string(kRedactedMarker);
  }
  if (value.is_object()) {
    // An object may hold secrets below it: field by field.
    json::object out;
    for (const auto& kv : value.as_object()) {
      std::string child = pointer + "/" + json_pointer_token(std::string(kv.key()));
      out[kv.key()] = walk(kv.value(), child, schema, secret_fields, on_secret);
    }
    return out;
  }
  if (value.is_array()) {
    json::array out;
    size_t i = 0;
    for (const json::value& item : value.as_array()) {
      out.push_back(walk(item, pointer + "/" + std::to_string(i++), schema, secret_fields, on_secret));
    }
    return out;
  }
  return value;
}

}  // namespace

bool touches_secret_field(const std::set<std::string>& secret_fields, std::string_view pointer) {
  // `inner` lies strictly inside `outer`: "/db/password" inside "/db".
  auto inside = [](std::string_view inner, std::string_view outer) {
    return inner.size() > outer.size() && inner.starts_with(outer) && inner[outer.size()] == '/';
  };
  for (const std::string& s : secret_fields) {
    if (s == pointer || inside(s, pointer) || inside(pointer, s)) return true;
  }
  return false;
}

bool is_secret_path(const json::object& schema, const std::string& pointer,
                    const std::set<std::string>& secret_fields) {
  return config::inherited_annotation(schema, pointer, "x-secret") || touches_secret_field(secret_fields, pointer);
}

Redacted redact(const json::value& value, const std::string& pointer, const json::object& schema,
                const std::set<std::string>& secret_fields) {
  Redacted out;
  auto note = [&](const json::value&) { out.withheld = true; };
  out.value = walk(value, pointer, schema, secret_fields, note);
  return out;
}

std::vector<std::string> secret_values(const json::value& value, const std::string& pointer, const json::object& schema,
                                       const std::set<std::string>& secret_fields) {
  std::vector<std::string> out;
  auto keep = [&](const json::value& plain) {
    if (plain.is_string() && plain.as_string() == kRedactedMarker) return;  // already redacted: nothing to keep
    if (plain.is_string())
      out.emplace_back(plain.as_string());
    else
      out.push_back(json::serialize(plain));  // a number, bool or array under a secret: its text
  };
  (void)walk(value, pointer, schema, secret_fields, keep);
  return out;
}

}  // namespace hyperion::secrets
