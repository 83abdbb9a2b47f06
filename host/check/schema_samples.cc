#include "check/schema_samples.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "base/json_pointer.h"
#include "config/schema_path.h"

namespace hyperion::check {
namespace {

namespace json = boost::json;

void collect_dynamic(const json::object& node, const std::string& pointer, bool inherited,
                     std::vector<std::string>& out) {
  bool dynamic = inherited;
  config::read_annotation(node, "x-dynamic", dynamic);
  const json::value* props = node.if_contains("properties");
  const bool has_props = props != nullptr && props->is_object() && !props->as_object().empty();
  if (!pointer.empty() && dynamic && !has_props) {
    out.push_back(pointer);
    return;
  }
  if (!has_props) return;
  for (const auto& [key, child] : props->as_object()) {
    if (child.is_object()) collect_dynamic(child.as_object(), pointer + "/" + json_pointer_token(key), dynamic, out);
  }
}

// Schema nodes the host reads annotations on: the root and everything reached
// through "properties", "additionalProperties" and "items" (config/schema_path.cc).
void collect_read(const json::object& node, const std::string& at, std::set<std::string>& out) {
  out.insert(at);
  if (const json::value* props = node.if_contains("properties"); props != nullptr && props->is_object()) {
    for (const auto& [key, child] : props->as_object()) {
      if (child.is_object()) collect_read(child.as_object(), at + "/properties/" + json_pointer_token(key), out);
    }
  }
  for (const char* k : {"additionalProperties", "items"}) {
    if (const json::value* child = node.if_contains(k); child != nullptr && child->is_object()) {
      collect_read(child->as_object(), at + "/" + k, out);
    }
  }
}

// Every schema node that carries "x-dynamic", wherever it is. Keywords whose
// value is data (enum, const, default, examples) are not entered; maps of
// schemas (properties, definitions, ...) are entered one schema at a time.
void collect_annotated(const json::value& v, const std::string& at, std::vector<std::string>& out) {
  static const std::set<std::string, std::less<>> kData = {"enum", "const", "default", "examples"};
  static const std::set<std::string, std::less<>> kMaps = {"properties", "definitions", "$defs", "patternProperties",
                                                           "dependencies"};
  if (v.is_array()) {
    for (size_t i = 0; i < v.as_array().size(); ++i)
      collect_annotated(v.as_array()[i], at + "/" + std::to_string(i), out);
    return;
  }
  if (!v.is_object()) return;
  if (v.as_object().contains("x-dynamic")) out.push_back(at);
  for (const auto& [key, child] : v.as_object()) {
    const std::string child_at = at + "/" + json_pointer_token(key);
    if (kData.count(key) != 0) continue;
    if (kMaps.count(key) != 0 && child.is_object()) {
      for (const auto& [name, schema] : child.as_object()) {
        collect_annotated(schema, child_at + "/" + json_pointer_token(name), out);
      }
      continue;
    }
    collect_annotated(child, child_at, out);
  }
}

std::vector<std::string> types_of(const json::object& s, const json::value* current) {
  std::vector<std::string> types;
  if (const json::value* t = s.if_contains("type")) {
    if (t->is_string()) types.emplace_back(t->as_string());
    if (t->is_array()) {
      for (const json::value& e : t->as_array()) {
        if (e.is_string()) types.emplace_back(e.as_string());
      }
    }
  }
  if (types.empty() && current != nullptr) {
    types.push_back(current->is_bool()                            ? "boolean"
                    : current->is_int64() || current->is_uint64() ? "integer"
                    : current->is_double()                        ? "number"
                    : current->is_string()                        ? "string"
                    : current->is_array()                         ? "array"
                    : current->is_object()                        ? "object"
                                                                  : "null");
  }
  return types;
}

double number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return 0;
}

// The smallest value `s` plausibly accepts, for a field that has none yet: its
// default or first example or enum member, else one built from its type — an
// object with its required properties, a string of its minLength.
json::value minimal(const json::object& s, int depth = 0) {
  for (const char* k : {"default", "const"}) {
    if (const json::value* v = s.if_contains(k)) return *v;
  }
  for (const char* k : {"examples", "enum"}) {
    if (const json::value* v = s.if_contains(k); v != nullptr && v->is_array() && !v->as_array().empty()) {
      return v->as_array().front();
    }
  }
  std::vector<std::string> types = types_of(s, nullptr);
  const std::string type = types.empty() ? "object" : types.front();
  auto number = [&](const char* key, double fallback) {
    const json::value* b = s.if_contains(key);
    return b != nullptr && b->is_number() ? number_of(*b) : fallback;
  };
  if (type == "boolean") return true;
  if (type == "integer") return static_cast<int64_t>(std::max(number("minimum", 1), number("exclusiveMinimum", 0) + 1));
  if (type == "number") return std::max(number("minimum", 1), number("exclusiveMinimum", 0) + 1);
  if (type == "string")
    return json::value(std::string(static_cast<size_t>(std::max(1.0, number("minLength", 1))), 'x'));
  if (type == "array") {
    json::array a;
    const json::value* items = s.if_contains("items");
    for (int i = 0; i < static_cast<int>(number("minItems", 0)) && items != nullptr && items->is_object() && depth < 8;
         ++i) {
      a.push_back(minimal(items->as_object(), depth + 1));
    }
    return a;
  }
  json::object o;
  const json::value* props = s.if_contains("properties");
  if (const json::value* required = s.if_contains("required");
      required != nullptr && required->is_array() && depth < 8) {
    for (const json::value& name : required->as_array()) {
      if (!name.is_string()) continue;
      const json::value* p =
          props != nullptr && props->is_object() ? props->as_object().if_contains(name.as_string()) : nullptr;
      o[name.as_string()] = p != nullptr && p->is_object() ? minimal(p->as_object(), depth + 1) : json::value("x");
    }
  }
  return o;
}

// Values worth trying for a field with schema `s` now at `current` (may be
// null), most telling first: the schema's own examples and enum, then steps
// away from the current value, then the bounds.
std::vector<json::value> candidates(const json::object& s, const json::value* current) {
  std::vector<json::value> out;
  if (const json::value* ex = s.if_contains("examples"); ex != nullptr && ex->is_array()) {
    for (const json::value& e : ex->as_array()) out.push_back(e);
  }
  if (const json::value* e = s.if_contains("enum"); e != nullptr && e->is_array()) {
    for (const json::value& m : e->as_array()) out.push_back(m);
  }
  if (const json::value* d = s.if_contains("default")) out.push_back(*d);
  auto bound = [&](const char* key) -> std::optional<double> {
    const json::value* b = s.if_contains(key);
    return b != nullptr && b->is_number() ? std::optional<double>(number_of(*b)) : std::nullopt;
  };
  for (const std::string& type : types_of(s, current)) {
    const double now = current != nullptr && current->is_number() ? number_of(*current) : 0;
    if (type == "boolean") {
      out.emplace_back(!(current != nullptr && current->is_bool() && current->as_bool()));
    } else if (type == "integer" || type == "number") {
      std::vector<double> steps = {now + 1, now - 1, now * 2, 1, 0, 2};
      if (auto m = bound("multipleOf")) steps.insert(steps.begin(), {now + *m, now - *m});
      for (const char* k : {"minimum", "maximum"}) {
        if (auto b = bound(k)) steps.push_back(*b);
      }
      if (auto b = bound("exclusiveMinimum")) steps.push_back(*b + 1);
      if (auto b = bound("exclusiveMaximum")) steps.push_back(*b - 1);
      if (type == "number") steps.insert(steps.end(), {now + 0.5, now / 2});
      for (double d : steps) {
        if (type == "integer" && (d != std::floor(d) || std::fabs(d) > 9e15)) continue;
        if (type == "integer") {
          out.emplace_back(static_cast<int64_t>(d));
        } else {
          out.emplace_back(d);
        }
      }
    } else if (type == "string") {
      const std::string now_s = current != nullptr && current->is_string() ? std::string(current->as_string()) : "";
      // The last number in the text stepped ("5s" -> "6s", "host:8080" ->
      // "host:8081"): durations, sizes and addresses keep their shape.
      if (size_t end = now_s.find_last_of("0123456789"); end != std::string::npos && now_s.size() < 4096) {
        size_t begin = now_s.find_last_not_of("0123456789", end);
        begin = begin == std::string::npos ? 0 : begin + 1;
        if (end - begin < 15) {
          const long long n = std::stoll(now_s.substr(begin, end - begin + 1));
          for (long long m : {n + 1, n - 1, n * 2}) {
            if (m >= 0) out.emplace_back(now_s.substr(0, begin) + std::to_string(m) + now_s.substr(end + 1));
          }
        }
      }
      out.emplace_back(now_s + "x");
      if (!now_s.empty()) out.emplace_back(now_s.substr(0, now_s.size() - 1));
      out.emplace_back("check");
      if (auto min = bound("minLength")) out.emplace_back(std::string(static_cast<size_t>(*min) + 1, 'x'));
    } else if (type == "array") {
      json::array now_a = current != nullptr && current->is_array() ? current->as_array() : json::array{};
      if (!now_a.empty()) {
        json::array fewer = now_a;
        fewer.pop_back();
        out.emplace_back(fewer);
        json::array more = now_a;
        more.push_back(now_a.front());
        out.emplace_back(more);
      }
      out.emplace_back(json::array{});
      // One more element, drawn from the elements' own schema.
      if (const json::value* items = s.if_contains("items"); items != nullptr && items->is_object()) {
        std::vector<json::value> samples = candidates(items->as_object(), nullptr);
        samples.insert(samples.begin(), minimal(items->as_object()));
        for (json::value& sample : samples) {
          json::array more = now_a;
          more.push_back(std::move(sample));
          out.emplace_back(std::move(more));
        }
      }
    } else if (type == "object") {
      json::object now_o = current != nullptr && current->is_object() ? current->as_object() : json::object{};
      if (!now_o.empty()) {
        json::object fewer = now_o;
        fewer.erase(fewer.begin());
        out.emplace_back(fewer);
      }
      out.emplace_back(json::object{});
      // A map (additionalProperties with a schema): one more entry, its value
      // drawn from the entries' own schema.
      if (const json::value* extra = s.if_contains("additionalProperties"); extra != nullptr && extra->is_object()) {
        std::vector<json::value> samples = candidates(extra->as_object(), nullptr);
        samples.insert(samples.begin(), minimal(extra->as_object()));
        for (json::value& sample : samples) {
          json::object more = now_o;
          more["hyperion-check"] = std::move(sample);
          out.emplace_back(std::move(more));
        }
      }
    } else if (type == "null") {
      out.emplace_back(nullptr);
    }
  }
  return out;
}

bool valid_with(const config::ConfigValidator& validator, const json::object& config, const std::string& pointer,
                const json::value& value) {
  json::object trial = with_value(config, pointer, value);
  return validator.apply_defaults_and_validate(trial).empty();
}

}  // namespace

std::vector<std::string> dynamic_fields(const json::object& schema) {
  std::vector<std::string> out;
  collect_dynamic(schema, "", false, out);
  return out;
}

std::vector<std::string> unread_dynamic_annotations(const json::object& schema) {
  std::set<std::string> read;
  collect_read(schema, "", read);
  std::vector<std::string> annotated, out;
  collect_annotated(schema, "", annotated);
  for (const std::string& at : annotated) {
    if (read.count(at) == 0) out.push_back(at.empty() ? "/" : at);
  }
  return out;
}

json::object with_value(json::object config, const std::string& pointer, const json::value& value) {
  std::vector<std::string> tokens = split_json_pointer(pointer);
  if (tokens.empty()) return value.is_object() ? value.as_object() : config;
  json::object* node = &config;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    json::value& next = (*node)[tokens[i]];
    if (!next.is_object()) next = json::object{};
    node = &next.as_object();
  }
  (*node)[tokens.back()] = value;
  return config;
}

const json::value* value_at(const json::object& config, const std::string& pointer) {
  const json::object* node = &config;
  const json::value* found = nullptr;
  bool missing = false;
  for_each_json_pointer_token(pointer, [&](std::string_view token) {
    if (node == nullptr || (found = node->if_contains(token)) == nullptr) {
      missing = true;
      return false;
    }
    node = found->is_object() ? &found->as_object() : nullptr;
    return true;
  });
  return missing ? nullptr : found;
}

std::vector<json::value> different_valid_values(const config::ConfigValidator& validator, const json::object& schema,
                                                const json::object& config, const std::string& pointer, size_t max) {
  const json::object* field = config::schema_at(schema, pointer);
  static const json::object kAnything;
  const json::value* current = value_at(config, pointer);
  std::vector<json::value> out;
  for (json::value& candidate : candidates(field != nullptr ? *field : kAnything, current)) {
    if (out.size() >= max) break;
    if (current != nullptr && candidate == *current) continue;
    if (std::find(out.begin(), out.end(), candidate) != out.end()) continue;
    if (valid_with(validator, config, pointer, candidate)) out.push_back(std::move(candidate));
  }
  return out;
}

std::optional<json::value> refused_value(const config::ConfigValidator& validator, const json::object& config,
                                         const std::string& pointer) {
  const std::vector<json::value> kinds = {
      json::value("\x01 not a valid value"), json::value(0.5),    json::value(true), json::value(json::array{}),
      json::value(json::object{}),           json::value(nullptr)};
  for (const json::value& candidate : kinds) {
    if (!valid_with(validator, config, pointer, candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace hyperion::check
