#include "manifest/diagnostic.h"

#include <cctype>

#include "base/json_pointer.h"

namespace hyperion::manifest {

std::string pointer_to_field(const std::string& json_pointer) {
  std::string out;
  for (const std::string& token : split_json_pointer(json_pointer)) {
    bool numeric = !token.empty();
    for (char c : token) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (numeric) out += "[" + token + "]";
    else out += (out.empty() ? "" : ".") + token;
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
