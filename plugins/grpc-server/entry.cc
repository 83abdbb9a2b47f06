// The grpc-server plugin's entry point (hyperion/plugin.hpp generates it).
#include "grpc_server_plugin.h"

HYPERION_PLUGIN(grpc_plugin::GrpcServerPlugin)
