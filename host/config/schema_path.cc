#include "config/schema_path.h"

#include "base/json_pointer.h"

namespace hyperion::config {

namespace json = boost::json;

const json::object* child_schema(const json::object& node, std::string_view token) {
  if (const json::value* props = node.if_contains("properties"); props && props->is_object()) {
    if (const json::value* p = props->as_object().if_contains(token); p && p->is_object()) return &p->as_object();
  }
  if (const json::value* extra = node.if_contains("additionalProperties"); extra && extra->is_object()) {
    return &extra->as_object();
  }
  if (const json::value* items = node.if_contains("items"); items && items->is_object()) return &items->as_object();
  return nullptr;
}

void read_annotation(const json::object& node, const char* annotation, bool& value) {
  if (const json::value* v = node.if_contains(annotation); v != nullptr && v->is_bool()) value = v->as_bool();
}

const json::object* schema_at(const json::object& schema, const std::string& pointer) {
  const json::object* node = &schema;
  for_each_json_pointer_token(pointer, [&](std::string_view token) {
    node = child_schema(*node, token);
    return node != nullptr;
  });
  return node;
}

bool inherited_annotation(const json::object& schema, const std::string& pointer, const char* annotation) {
  bool value = false;
  visit_schema_path(schema, pointer, [&](const json::object& node) { read_annotation(node, annotation, value); });
  return value;
}

}  // namespace hyperion::config
