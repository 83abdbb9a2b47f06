// The grpc-server plugin's entry point (hyperion/plugin.hpp generates it).
#include "grpc_server.h"

HYPERION_PLUGIN(hyperion::plugins::grpc_server::GrpcServerPlugin)
