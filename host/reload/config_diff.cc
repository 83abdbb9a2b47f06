#include "reload/config_diff.h"

#include "base/json_equal.h"
#include "base/json_pointer.h"
#include "config/schema_path.h"
#include "secrets/secret_fields.h"

namespace hyperion::reload {
namespace {

namespace json = boost::json;

// `pointer` is the path of what is compared; it grows and shrinks back as the
// walk goes, so an unchanged field costs one comparison and no allocation.
void diff_values(const json::value& a, const json::value& b, std::string& pointer, std::vector<FieldChange>& out);

// Objects key by key. (Objects, not values: binding a json::object to a
// `const json::value&` copies it, which was most of a diff's cost: #23. And
// json_equal, not operator==: Boost's object::equal copies every member.)
void diff_objects(const json::object& oa, const json::object& ob, std::string& pointer, std::vector<FieldChange>& out) {
  const size_t mark = pointer.size();
  size_t position = 0, found = 0;
  for (const auto& kv : oa) {
    const json::value* other = member_near(ob, position++, kv.key());
    found += other != nullptr ? 1 : 0;
    if (other != nullptr && json_equal(*other, kv.value())) continue;  // the common case
    pointer += '/';
    pointer += json_pointer_token(std::string(kv.key()));
    if (other != nullptr) {
      diff_values(kv.value(), *other, pointer, out);
    } else {
      out.push_back({pointer, FieldChange::Op::kRemove, false, false, kv.value(), nullptr});
    }
    pointer.resize(mark);
  }
  if (found == ob.size()) return;  // every key of ob was one of oa's: nothing added
  for (const auto& kv : ob) {
    if (oa.contains(kv.key())) continue;
    pointer += '/';
    pointer += json_pointer_token(std::string(kv.key()));
    out.push_back({pointer, FieldChange::Op::kAdd, false, false, nullptr, kv.value()});
    pointer.resize(mark);
  }
}

void diff_values(const json::value& a, const json::value& b, std::string& pointer, std::vector<FieldChange>& out) {
  if (a.is_object() && b.is_object()) return diff_objects(a.as_object(), b.as_object(), pointer, out);
  if (!json_equal(a, b)) out.push_back({pointer, FieldChange::Op::kReplace, false, false, a, b});
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
  std::string pointer;
  diff_objects(old_config, new_config, pointer, changes);
  for (FieldChange& c : changes) {
    // Either annotation may be on the field or on an object around it, the
    // innermost explicit one winning: one walk down the schema for both.
    bool dynamic = false, secret = false;
    config::visit_schema_path(schema, c.path, [&](const json::object& node) {
      // One pass over the node's few members reads both (two lookups cost more).
      for (const json::key_value_pair& member : node) {
        if (!member.value().is_bool()) continue;
        if (member.key() == "x-dynamic") dynamic = member.value().get_bool();
        if (member.key() == "x-secret") secret = member.value().get_bool();
      }
    });
    c.dynamic = dynamic;
    c.secret = secret || secrets::touches_secret_field(secret_fields, c.path);
    // Values are kept only redacted: no rendering can leak a secret. A secret
    // field's values are the marker; an object or array may hold secrets
    // below it (walked field by field); a plain value elsewhere is no secret.
    for (json::value* v : {&c.old_value, &c.new_value}) {
      if (c.secret || v->is_object() || v->is_array()) *v = secrets::redact(*v, c.path, schema, secret_fields).value;
    }
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
