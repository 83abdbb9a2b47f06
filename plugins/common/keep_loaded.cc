#include "keep_loaded.h"

#include <dlfcn.h>

namespace hyperion::plugins {

void keep_library_loaded() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&keep_library_loaded), &info) == 0 || info.dli_fname == nullptr) return;
  // A second reference, never closed, with RTLD_NODELETE: dlclose by the host
  // leaves the library mapped.
  (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

}  // namespace hyperion::plugins
