#include "templates.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;

// "user_id" -> "userId": replies are lowerCamelCase unless json.proto_field_names.
std::string camel(std::string_view name) {
  std::string out;
  bool upper = false;
  for (char c : name) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
      upper = false;
    }
  }
  return out;
}

const json::value& lookup(std::string_view ref, const PartResults* results) {
  if (results == nullptr) throw MissingResult("${" + std::string(ref) + "} outside an aggregate");
  const size_t dot = ref.find('.');
  auto part = results->find(ref.substr(0, dot));
  if (part == results->end() || part->second.is_null()) {
    throw MissingResult("part " + std::string(ref.substr(0, dot)) + " has no result");
  }
  const json::value* at = &part->second;
  std::string_view rest = dot == std::string_view::npos ? std::string_view() : ref.substr(dot + 1);
  while (!rest.empty()) {
    const size_t next = rest.find('.');
    const std::string_view key = rest.substr(0, next);
    const json::object* o = at->if_object();
    const json::value* found = o != nullptr ? o->if_contains(key) : nullptr;
    if (found == nullptr && o != nullptr) found = o->if_contains(camel(key));
    if (found == nullptr) throw MissingResult("the result of ${" + std::string(ref) + "} is not there");
    at = found;
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
  return *at;
}

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::string encode_path(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// `s` with every placeholder replaced by `value_of(name, is_result)`'s text.
template <typename ValueOf>
std::string fill_text(std::string_view s, ValueOf&& value_of) {
  std::string out;
  size_t at = 0;
  for_each_placeholder(s, [&](const Placeholder& p) {
    out.append(s.substr(at, p.begin - at)).append(value_of(p.name, p.result));
    at = p.end;
  });
  out.append(s.substr(at));
  return out;
}

std::string param(const PathParams& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

}  // namespace

json::value fill_template(const json::value& v, const PathParams& params, const PartResults* results) {
  if (v.is_object()) {
    json::object out;
    for (const auto& kv : v.as_object()) out[kv.key()] = fill_template(kv.value(), params, results);
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.as_array()) out.push_back(fill_template(item, params, results));
    return out;
  }
  if (!v.is_string()) return v;
  std::string_view s = v.as_string();
  if (s.starts_with("${") && s.ends_with("}") && s.find('}') == s.size() - 1) {
    return lookup(s.substr(2, s.size() - 3), results);  // the value itself, of any type
  }
  return json::value(fill_text(s, [&](std::string_view name, bool result) {
    return result ? text_of(lookup(name, results)) : param(params, name);
  }));
}

std::string fill_url(const std::string& url, const PathParams& params, const PartResults* results) {
  return fill_text(url, [&](std::string_view name, bool result) {
    return encode_path(result ? text_of(lookup(name, results)) : param(params, name));
  });
}

}  // namespace hyperion::plugins::api_gateway
