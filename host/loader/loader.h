// Loader: from a manifest's `library:` to a LoadedPlugin — resolve the file on
// the search path, check it is an ELF shared object with a metadata section and
// the entry symbol, copy it into the content-addressed cache, check the sha256
// pin, dlopen the copy with RTLD_NOW | RTLD_LOCAL, and negotiate the ABI.
// Every failure is a distinct, precise error (docs/abi.md lists them).
// Thread-safety: load() may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loader/library_cache.h"
#include "loader/library_resolver.h"
#include "loader/loaded_plugin.h"

namespace hyperion::loader {

class Loader {
 public:
  Loader(std::vector<std::string> search_path, std::string cache_dir);

  // Loads `library` (resolved against `base_dir`), or returns the already loaded
  // plugin with the same contents. A source file whose identity (device, inode,
  // size, mtime, ctime) has not changed since it was loaded is not read or
  // hashed again: every reload resolves every library, and hashing megabytes
  // of unchanged plugins was most of a remote-config change's latency. Any
  // write to the file changes its ctime, which no one can set back. `sha256_pin` (lower-case hex), when given,
  // must equal the hash of the file. A library that anyone could replace (it or
  // its folder is world-writable) is refused unless `allow_world_writable`.
  StatusOr<std::shared_ptr<LoadedPlugin>> load(const std::string& library, const std::string& base_dir,
                                               const std::optional<std::string>& sha256_pin,
                                               bool allow_world_writable = false);

  // What load() checks from the file alone — search path, permissions, sha256
  // pin, ELF, the entry symbol, the metadata — without copying it anywhere or
  // running any of its code (validate, graph).
  struct Inspected {
    std::string path;    // the resolved file
    std::string sha256;  // of its contents
    PluginMetadata metadata;
  };
  StatusOr<Inspected> inspect(const std::string& library, const std::string& base_dir,
                              const std::optional<std::string>& sha256_pin = std::nullopt,
                              bool allow_world_writable = false) const;
  // Removes the cache entries of libraries no longer loaded (a library still
  // mapped — in use, or pinned — keeps its entry). Call only where no load()
  // runs: under the host's gate.
  size_t prune_cache();

  [[nodiscard]] StatusOr<std::string> resolve(const std::string& library, const std::string& base_dir) const {
    return resolver_.resolve(library, base_dir);
  }

 private:
  LibraryResolver resolver_;
  LibraryCache cache_;
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<LoadedPlugin>> loaded_;  // by cached path
  // By source path: the identity it had when it was loaded, and what it loaded to.
  struct Known {
    std::string identity;
    std::weak_ptr<LoadedPlugin> plugin;
  };
  std::map<std::string, Known> known_;
};

}  // namespace hyperion::loader
