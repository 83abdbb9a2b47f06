// The http-server plugin's entry point (hyperion/plugin.hpp generates it).
#include "http_server.h"

HYPERION_PLUGIN(hyperion::plugins::http_server::HttpServerPlugin)
