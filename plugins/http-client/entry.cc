// The http-client plugin's entry point (hyperion/plugin.hpp generates it).
#include "http_client_plugin.h"

HYPERION_PLUGIN(http_plugin::HttpClientPlugin)
