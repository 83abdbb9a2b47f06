// The tracing plugin's entry point (hyperion/plugin.hpp generates it).
#include "tracing.h"

HYPERION_PLUGIN(hyperion::plugins::tracing::TracingPlugin)
