#include "reload/config_diff.h"

#include "base/json_pointer.h"

namespace hyperion::reload {
namespace {

namespace json = boost::json;

constexpr const char* kRedacted = "<redacted>";

const json::object* child_schema(const json::object& node, const std::string& token) {
  if (const json::value* props = node.if_contains("properties"); props && props->is_object()) {
    if (const json::value* p = props->as_object().if_contains(token); p && p->is_object()) return &p->as_object();
  }
  if (const json::value* extra = node.if_contains("additionalProperties"); extra && extra->is_object()) {
    return &extra->as_object();
  }
  if (const json::value* items = node.if_contains("items"); items && items->is_object()) return &items->as_object();
  return nullptr;
}

bool flag(const json::object& node, const char* key, bool* out) {
  const json::value* v = node.if_contains(key);
  if (v == nullptr || !v->is_bool()) return false;
  *out = v->as_bool();
  return true;
}

// The innermost explicit `key` on the path from the root to `pointer`.
bool inherited_flag(const json::object& schema, const std::string& pointer, const char* key) {
  bool value = false;
  flag(schema, key, &value);
  const json::object* node = &schema;
  for (const std::string& token : split_json_pointer(pointer)) {
    node = child_schema(*node, token);
    if (node == nullptr) break;
    flag(*node, key, &value);
  }
  return value;
}

bool is_secret_path(const json::object& schema, const std::string& pointer, const std::set<std::string>& secret_fields) {
  if (inherited_flag(schema, pointer, "x-secret")) return true;
  for (const std::string& s : secret_fields) {
    // The field itself, or an object that contains it.
    if (s == pointer || s.starts_with(pointer + "/") || pointer.starts_with(s + "/")) return true;
  }
  return false;
}

void diff_values(const json::value& a, const json::value& b, const std::string& pointer, const json::object& schema,
                 const std::set<std::string>& secrets, std::vector<FieldChange>& out) {
  if (a.is_object() && b.is_object()) {
    const json::object& oa = a.as_object();
    const json::object& ob = b.as_object();
    for (const auto& kv : oa) {
      std::string child = pointer + "/" + json_pointer_token(std::string(kv.key()));
      if (const json::value* other = ob.if_contains(kv.key())) {
        diff_values(kv.value(), *other, child, schema, secrets, out);
      } else {
        out.push_back({child, FieldChange::Op::kRemove, false, false, kv.value(), nullptr});
      }
    }
    for (const auto& kv : ob) {
      if (!oa.contains(kv.key())) {
        std::string child = pointer + "/" + json_pointer_token(std::string(kv.key()));
        out.push_back({child, FieldChange::Op::kAdd, false, false, nullptr, kv.value()});
      }
    }
    return;
  }
  if (a != b) out.push_back({pointer, FieldChange::Op::kReplace, false, false, a, b});
}

}  // namespace

const char* op_name(FieldChange::Op op) {
  switch (op) {
    case FieldChange::Op::kAdd: return "add";
    case FieldChange::Op::kRemove: return "remove";
    case FieldChange::Op::kReplace: return "replace";
  }
  return "?";
}

const json::object* schema_at(const json::object& schema, const std::string& pointer) {
  const json::object* node = &schema;
  for (const std::string& token : split_json_pointer(pointer)) {
    node = child_schema(*node, token);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::vector<FieldChange> diff_config(const json::object& old_config, const json::object& new_config,
                                     const json::object& schema, const std::set<std::string>& secret_fields) {
  std::vector<FieldChange> changes;
  diff_values(old_config, new_config, "", schema, secret_fields, changes);
  for (FieldChange& c : changes) {
    c.dynamic = inherited_flag(schema, c.path, "x-dynamic");
    c.secret = is_secret_path(schema, c.path, secret_fields);
    // Values are kept only redacted: no rendering can leak a secret.
    c.old_value = redact(c.old_value, c.path, schema, secret_fields);
    c.new_value = redact(c.new_value, c.path, schema, secret_fields);
  }
  return changes;
}

json::value redact(const json::value& value, const std::string& pointer, const json::object& schema,
                   const std::set<std::string>& secret_fields) {
  if (value.is_null()) return value;
  if (secret_fields.count(pointer) != 0) return kRedacted;
  if (is_secret_path(schema, pointer, secret_fields) && !value.is_object()) return kRedacted;
  if (value.is_object()) {
    // An object may hold secrets below it: redact field by field.
    json::object out;
    for (const auto& kv : value.as_object()) {
      std::string child = pointer + "/" + json_pointer_token(std::string(kv.key()));
      out[kv.key()] = redact(kv.value(), child, schema, secret_fields);
    }
    return out;
  }
  if (value.is_array()) {
    json::array out;
    size_t i = 0;
    for (const json::value& item : value.as_array()) {
      out.push_back(redact(item, pointer + "/" + std::to_string(i++), schema, secret_fields));
    }
    return out;
  }
  return value;
}

std::vector<std::string> secret_values(const json::value& value, const std::string& pointer,
                                       const json::object& schema, const std::set<std::string>& secret_fields) {
  std::vector<std::string> out;
  // redact() decides what is secret: compare the value with its redacted copy.
  auto walk = [&](auto& self, const json::value& plain, const json::value& redacted) -> void {
    if (redacted.is_string() && redacted.as_string() == kRedacted && !(plain.is_string() && plain.as_string() == kRedacted)) {
      if (plain.is_string()) {
        out.emplace_back(plain.as_string());
      } else if (plain.is_number()) {
        out.push_back(json::serialize(plain));
      } else if (!plain.is_null()) {
        out.push_back(json::serialize(plain));  // an array or bool under a secret: its text
      }
      return;
    }
    if (plain.is_object() && redacted.is_object()) {
      for (const auto& kv : plain.as_object()) {
        if (const json::value* r = redacted.as_object().if_contains(kv.key())) self(self, kv.value(), *r);
      }
    } else if (plain.is_array() && redacted.is_array() && plain.as_array().size() == redacted.as_array().size()) {
      for (size_t i = 0; i < plain.as_array().size(); ++i) self(self, plain.as_array()[i], redacted.as_array()[i]);
    }
  };
  walk(walk, value, redact(value, pointer, schema, secret_fields));
  return out;
}

json::array changes_to_json(const std::vector<FieldChange>& changes) {
  json::array out;
  for (const FieldChange& c : changes) {
    json::object o;
    o["path"] = c.path;
    o["op"] = op_name(c.op);
    o["dynamic"] = c.dynamic;
    o["secret"] = c.secret;
    if (c.op != FieldChange::Op::kAdd) o["old"] = c.old_value;
    if (c.op != FieldChange::Op::kRemove) o["new"] = c.new_value;
    out.push_back(std::move(o));
  }
  return out;
}

std::string changes_to_abi_json(const std::vector<FieldChange>& changes) {
  json::array out;
  for (const FieldChange& c : changes) out.push_back(json::object{{"path", c.path}, {"op", op_name(c.op)}});
  return json::serialize(out);
}

}  // namespace hyperion::reload
