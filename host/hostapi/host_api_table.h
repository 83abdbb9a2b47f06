// The host API table (hyperion_host_api_t) handed to every plugin instance: C
// functions that turn each call into the host's own types. Nothing thrown
// inside leaves these functions.
#pragma once

#include <hyperion/plugin.h>

namespace hyperion::hostapi {

// The one static table; valid for the life of the process.
const hyperion_host_api_t* host_api_table();

}  // namespace hyperion::hostapi
