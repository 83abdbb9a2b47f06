// LibraryCache: a content-addressed copy of every library the host loads, at
// <dir>/<sha256>/<file name>. Loading the copy gives each build its own path and
// inode, so a rebuilt library is never confused with the one already mapped, and
// the file the host runs cannot change under it: the hash is taken of the copy,
// so a pin is checked against exactly the bytes that get loaded.
// Thread-safety: store() may be called concurrently (each copy goes through its
// own temporary file and an atomic rename).
#pragma once

#include <set>
#include <string>

#include "base/status.h"

namespace hyperion::loader {

struct CachedLibrary {
  std::string path;      // the copy to load
  std::string sha256;    // of the contents
  std::string contents;  // the bytes, so callers need not read the file again
};

class LibraryCache {
 public:
  // `dir` is created (mode 0700) on first use.
  explicit LibraryCache(std::string dir) : dir_(std::move(dir)) {}

  [[nodiscard]] StatusOr<CachedLibrary> store(const std::string& source) const;
  // Removes every entry whose sha256 is not in `keep`; returns how many went.
  // Best effort: an entry that cannot be removed stays.
  size_t prune(const std::set<std::string>& keep) const;
  [[nodiscard]] const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace hyperion::loader
