// The http-client plugin's entry point (hyperion/plugin.hpp generates it).
#include "http_client.h"

HYPERION_PLUGIN(hyperion::plugins::http_client::HttpClientPlugin)
