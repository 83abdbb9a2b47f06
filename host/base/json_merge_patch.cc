#include "base/json_merge_patch.h"

#include <boost/json/object.hpp>

#include "base/json_pointer.h"

namespace hyperion {

namespace json = boost::json;

json::value apply_merge_patch(const json::value& target, const json::value& patch) {
  if (!patch.is_object()) return patch;
  json::object result = target.is_object() ? target.as_object() : json::object{};
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      result.erase(kv.key());
    } else {
      const json::value* current = result.if_contains(kv.key());
      result[kv.key()] = apply_merge_patch(current != nullptr ? *current : json::value(nullptr), kv.value());
    }
  }
  return result;
}

namespace {

void collect(const json::value& patch, const std::string& pointer, std::vector<std::string>& out) {
  if (patch.is_null()) return;
  if (!patch.is_object()) {
    out.push_back(pointer);
    return;
  }
  for (const auto& kv : patch.as_object())
    collect(kv.value(), pointer + "/" + json_pointer_token(std::string(kv.key())), out);
}

}  // namespace

std::vector<std::string> merge_patch_fields(const json::value& patch) {
  std::vector<std::string> out;
  collect(patch, "", out);
  return out;
}

}  // namespace hyperion
