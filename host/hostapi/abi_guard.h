// The boundary guard for every C function the host hands to plugins (the host
// API table, the host's own services): a C++ exception must never reach a plugin.
#pragma once

#include <hyperion/plugin.h>

#include <exception>

namespace hyperion::hostapi {

// Runs `body` (which returns a hyperion_status_t); an exception becomes
// HYPERION_ERR_INTERNAL with its message in `err`.
template <typename Body>
hyperion_status_t guarded(hyperion_error_t* err, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL, e.what());
  } catch (...) {
    return hyperion_error_set(err, HYPERION_ERR_INTERNAL, "host: unknown exception");
  }
}

}  // namespace hyperion::hostapi
