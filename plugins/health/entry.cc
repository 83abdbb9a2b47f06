// The only file that uses the export macro.
#include "health.h"

HYPERION_PLUGIN(hyperion::plugins::health::HealthPlugin)
