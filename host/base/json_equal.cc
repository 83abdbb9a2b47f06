#include "base/json_equal.h"

namespace hyperion {

namespace json = boost::json;

const json::value* member_near(const json::object& in, std::size_t position, json::string_view key) {
  if (position < in.size()) {
    const json::key_value_pair& there = *(in.begin() + static_cast<std::ptrdiff_t>(position));
    if (there.key() == key) return &there.value();
  }
  return in.if_contains(key);
}

bool json_equal(const json::object& a, const json::object& b) {
  if (a.size() != b.size()) return false;
  std::size_t position = 0;
  for (const json::key_value_pair& member : a) {
    const json::value* other = member_near(b, position++, member.key());
    if (other == nullptr || !json_equal(member.value(), *other)) return false;
  }
  return true;
}

bool json_equal(const json::value& a, const json::value& b) {
  switch (a.kind()) {
    case json::kind::object: return b.is_object() && json_equal(a.get_object(), b.get_object());
    case json::kind::array: {
      if (!b.is_array() || a.get_array().size() != b.get_array().size()) return false;
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!json_equal(x[i], y[i])) return false;
      }
      return true;
    }
    case json::kind::string: return b.is_string() && a.get_string() == b.get_string();
    // Numbers, booleans and null: value::operator== has no copies to avoid.
    default: return a == b;
  }
}

}  // namespace hyperion
