// Where in which file a value came from, so every manifest error can say
// "demo.yaml:12:7: plugins[1].config.port: ...".
#pragma once

#include <map>
#include <string>

namespace hyperion::manifest {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown

  [[nodiscard]] std::string to_string() const {
    if (line == 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

// JSON Pointer (RFC 6901, e.g. "/plugins/1/config/port") -> where it was written.
using LocationMap = std::map<std::string, SourceLocation>;

// The location of `pointer`, or of its nearest ancestor that has one.
inline SourceLocation locate(const LocationMap& map, std::string pointer, const std::string& file) {
  for (;;) {
    if (auto it = map.find(pointer); it != map.end()) return it->second;
    if (pointer.empty()) return {file, 0, 0};
    pointer.erase(pointer.rfind('/'));
  }
}

}  // namespace hyperion::manifest
