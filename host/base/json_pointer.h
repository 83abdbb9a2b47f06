// JSON Pointers (RFC 6901): how the host names a field inside a config or a
// manifest ("/plugins/0/config/port"). Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace hyperion {

// One reference token for `key`: "~" -> "~0", "/" -> "~1".
std::string json_pointer_token(const std::string& key);
// "/a/b~1c" -> {"a", "b/c"}; "" -> {}.
std::vector<std::string> split_json_pointer(const std::string& pointer);

}  // namespace hyperion
