// SharedLibrary: one dlopen'ed library, loaded through Boost.DLL with
// RTLD_NOW | RTLD_LOCAL, with the dynamic loader's own message on failure
// ("undefined symbol: foo"). This folder is the only user of <dlfcn.h>.
// Thread-safety: load() and is_loaded() may be called from any thread; one
// SharedLibrary object is not to be used by two threads at once.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace hyperion::os {

class SharedLibrary {
 public:
  SharedLibrary();
  ~SharedLibrary();  // unloads (dlclose) unless release() was called
  SharedLibrary(SharedLibrary&&) noexcept;
  SharedLibrary& operator=(SharedLibrary&&) noexcept;

  // kInvalidArgument with the loader's message when dlopen fails.
  static StatusOr<SharedLibrary> load(const std::string& path);

  // The address of exported symbol `name`, or nullptr.
  [[nodiscard]] void* symbol(const std::string& name) const;
  [[nodiscard]] const std::string& path() const { return path_; }

  // Unloads now. Safe to call twice.
  void unload();
  // Never unload this library (a call into it may still be running).
  void leak();

  // Whether `path` is mapped in this process right now (RTLD_NOLOAD probe).
  static bool is_loaded(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace hyperion::os
