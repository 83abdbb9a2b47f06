// The only file that uses the export macro.
#include "consul_config.h"

HYPERION_PLUGIN(hyperion::plugins::consul_config::ConsulConfig)
