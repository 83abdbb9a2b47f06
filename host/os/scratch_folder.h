// ScratchFolder: a private temporary folder (mkdtemp under the system's temp
// folder), removed with everything in it when the object goes. For commands
// that must not write into a host's state folder: `validate --load` maps its
// copies there, `check` runs its private host there.
// Thread-safety: a plain value.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace hyperion::os {

class ScratchFolder {
 public:
  // `prefix` names the folder ("hyperion-check" -> /tmp/hyperion-check-Ab12Cd).
  explicit ScratchFolder(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  // Empty when the folder could not be created.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hyperion::os
