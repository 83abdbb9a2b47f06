// The only file that uses the export macro.
#include "health_plugin.h"

HYPERION_PLUGIN(health_plugin::HealthPlugin)
