#include "manifest/diagnostic.h"

#include <cctype>

namespace hyperion::manifest {

std::string pointer_to_field(const std::string& json_pointer) {
  std::string out;
  size_t i = 0;
  while (i < json_pointer.size()) {
    size_t next = json_pointer.find('/', i + 1);
    std::string token = json_pointer.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    // Undo RFC 6901 escaping.
    for (size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    bool numeric = !token.empty();
    for (char c : token) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (numeric) out += "[" + token + "]";
    else out += (out.empty() ? "" : ".") + token;
    i = next == std::string::npos ? json_pointer.size() : next;
  }
  return out;
}

Status to_status(const Diagnostics& diagnostics) {
  if (diagnostics.empty()) return ok_status();
  std::string message;
  for (const Diagnostic& d : diagnostics) {
    if (!message.empty()) message += "\n";
    message += d.to_string();
  }
  return invalid_argument(message);
}

}  // namespace hyperion::manifest
