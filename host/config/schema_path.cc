#include "config/schema_path.h"

#include "base/json_pointer.h"

namespace hyperion::config {
namespace {

namespace json = boost::json;

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

void read_flag(const json::object& node, const char* key, bool& value) {
  if (const json::value* v = node.if_contains(key); v != nullptr && v->is_bool()) value = v->as_bool();
}

}  // namespace

const json::object* schema_at(const json::object& schema, const std::string& pointer) {
  const json::object* node = &schema;
  for (const std::string& token : split_json_pointer(pointer)) {
    node = child_schema(*node, token);
    if (node == nullptr) return nullptr;
  }
  return node;
}

bool inherited_annotation(const json::object& schema, const std::string& pointer, const char* annotation) {
  bool value = false;
  read_flag(schema, annotation, value);
  const json::object* node = &schema;
  for (const std::string& token : split_json_pointer(pointer)) {
    node = child_schema(*node, token);
    if (node == nullptr) break;
    read_flag(*node, annotation, value);
  }
  return value;
}

}  // namespace hyperion::config
