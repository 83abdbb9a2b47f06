#include "reload/config_diff.h"

#include "base/json_pointer.h"
#include "config/schema_path.h"
#include "secrets/secret_fields.h"

namespace hyperion::reload {
namespace {

namespace json = boost::json;

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

std::vector<FieldChange> diff_config(const json::object& old_config, const json::object& new_config,
                                     const json::object& schema, const std::set<std::string>& secret_fields) {
  std::vector<FieldChange> changes;
  diff_values(old_config, new_config, "", schema, secret_fields, changes);
  for (FieldChange& c : changes) {
    c.dynamic = config::inherited_annotation(schema, c.path, "x-dynamic");
    c.secret = secrets::is_secret_path(schema, c.path, secret_fields);
    // Values are kept only redacted: no rendering can leak a secret.
    c.old_value = secrets::redact(c.old_value, c.path, schema, secret_fields).value;
    c.new_value = secrets::redact(c.new_value, c.path, schema, secret_fields).value;
  }
  return changes;
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
