#include "base/json_pointer.h"

namespace hyperion {

std::string json_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string unescape_json_pointer_token(std::string_view token) {
  std::string out(token);
  // "~1" first, then "~0", as RFC 6901 section 4 says.
  for (size_t p; (p = out.find("~1")) != std::string::npos;) out.replace(p, 2, "/");
  for (size_t p; (p = out.find("~0")) != std::string::npos;) out.replace(p, 2, "~");
  return out;
}

std::vector<std::string> split_json_pointer(const std::string& pointer) {
  std::vector<std::string> out;
  for_each_json_pointer_token(pointer, [&out](std::string_view token) {
    out.emplace_back(token);
    return true;
  });
  return out;
}

}  // namespace hyperion
