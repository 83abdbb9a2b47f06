#include "os/shared_library.h"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>

namespace hyperion::os {

struct SharedLibrary::Impl {
  boost::dll::shared_library library;
};

SharedLibrary::SharedLibrary() = default;
SharedLibrary::~SharedLibrary() { unload(); }
SharedLibrary::SharedLibrary(SharedLibrary&&) noexcept = default;
SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    unload();
    impl_ = std::move(other.impl_);
    path_ = std::move(other.path_);
  }
  return *this;
}

StatusOr<SharedLibrary> SharedLibrary::load(const std::string& path) {
  SharedLibrary out;
  out.impl_ = std::make_unique<Impl>();
  out.path_ = path;
  boost::dll::fs::error_code ec;
  // Clear any stale message so the one read below belongs to this dlopen.
  (void)dlerror();
  out.impl_->library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    // Boost.DLL keeps only an error code; glibc's dlerror() is per-thread, so the
    // loader's message for the failed dlopen above is still ours to read.
    const char* why = dlerror();
    return invalid_argument("dlopen(" + path + "): " + (why != nullptr ? why : ec.message()));
  }
  return out;
}

void* SharedLibrary::symbol(const std::string& name) const {
  if (!impl_ || !impl_->library.is_loaded()) return nullptr;
  if (!impl_->library.has(name)) return nullptr;
  return &impl_->library.get<char>(name);
}

void SharedLibrary::unload() {
  if (impl_) impl_->library.unload();
  impl_.reset();
}

void SharedLibrary::leak() {
  if (impl_) {
    // Move the handle into an object that is never destroyed: no dlclose, so the
    // library stays mapped for the life of the process.
    new boost::dll::shared_library(std::move(impl_->library));  // NOLINT: intentional leak
  }
  impl_.reset();
}

bool SharedLibrary::is_loaded(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);  // drop the reference the probe just took
  return true;
}

}  // namespace hyperion::os
