// The api-gateway plugin's entry point (hyperion/plugin.hpp generates it).
#include "api_gateway.h"

HYPERION_PLUGIN(hyperion::plugins::api_gateway::Gateway)
