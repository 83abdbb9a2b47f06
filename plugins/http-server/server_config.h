// The http-server plugin's configuration (plugin.json has the schema, which the
// host has already validated and filled with defaults). Everything but
// `threads` changes through reload: Settings are swapped in whole for new
// requests, a new Endpoint moves the listener.
#pragma once

#include <boost/json.hpp>

#include "http_engine/settings.h"

namespace hyperion::plugins::http_server {

using http_engine::CorsConfig;
using http_engine::Endpoint;
using http_engine::Settings;
using http_engine::TlsConfig;

Endpoint endpoint_config(const boost::json::object& config);
Settings settings_config(const boost::json::object& config);
int thread_count(const boost::json::object& config);

}  // namespace hyperion::plugins::http_server
