// LibraryResolver: turns a manifest's `library:` into a file. A value with a "/"
// is a path (relative to the manifest's folder); a bare name is looked up on the
// plugin search path as NAME.so, libNAME.so, then NAME.
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace hyperion::loader {

class LibraryResolver {
 public:
  explicit LibraryResolver(std::vector<std::string> search_path) : search_path_(std::move(search_path)) {}

  // kNotFound naming every place it looked.
  [[nodiscard]] StatusOr<std::string> resolve(const std::string& library, const std::string& base_dir) const;
  [[nodiscard]] const std::vector<std::string>& search_path() const { return search_path_; }

 private:
  std::vector<std::string> search_path_;
};

}  // namespace hyperion::loader
