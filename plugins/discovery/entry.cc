// The discovery plugin's entry point (hyperion/plugin.hpp generates it).
#include "discovery.h"

HYPERION_PLUGIN(hyperion::plugins::discovery::Discovery)
