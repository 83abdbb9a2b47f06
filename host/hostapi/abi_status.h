// The one table between ABI status codes (hyperion/plugin.h) and host status
// codes (base/status.h). A code the host does not know maps to kInternal.
#pragma once

#include <hyperion/plugin.h>

#include "base/status.h"

namespace hyperion::hostapi {

hyperion_status_t to_abi(StatusCode code);
StatusCode from_abi(hyperion_status_t code);
// "HYPERION_ERR_INVALID_ARGUMENT", or "unknown status 42".
std::string abi_status_name(hyperion_status_t code);

}  // namespace hyperion::hostapi
