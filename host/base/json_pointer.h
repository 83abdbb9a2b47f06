// JSON Pointers (RFC 6901): how the host names a field inside a config or a
// manifest ("/plugins/0/config/port"). Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace hyperion {

// One reference token for `key`: "~" -> "~0", "/" -> "~1".
std::string json_pointer_token(const std::string& key);
// "b~1c~0" -> "b/c~" (RFC 6901: "~1" first, then "~0").
std::string unescape_json_pointer_token(std::string_view token);

// Calls fn(token) with each reference token of `pointer`, unescaped, until fn
// returns false. Allocates nothing unless a token holds an escape; the view is
// valid during the call only. The walk every pointer reader shares.
template <typename Fn>
void for_each_json_pointer_token(std::string_view pointer, Fn&& fn) {
  std::string unescaped;
  while (!pointer.empty()) {
    pointer.remove_prefix(1);  // the '/'
    const size_t end = std::min(pointer.find('/'), pointer.size());
    std::string_view token = pointer.substr(0, end);
    pointer.remove_prefix(end);
    if (token.find('~') != std::string_view::npos) {
      unescaped = unescape_json_pointer_token(token);
      token = unescaped;
    }
    if (!fn(token)) return;
  }
}

// "/a/b~1c" -> {"a", "b/c"}; "" -> {}.
std::vector<std::string> split_json_pointer(const std::string& pointer);

}  // namespace hyperion
