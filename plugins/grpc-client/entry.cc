// The grpc-client plugin's entry point (hyperion/plugin.hpp generates it).
#include "grpc_client.h"

HYPERION_PLUGIN(hyperion::plugins::grpc_client::GrpcClientPlugin)
