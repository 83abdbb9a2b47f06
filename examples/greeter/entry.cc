// The greeter plugin's entry point (hyperion/plugin.hpp generates it).
#include "greeter.h"

HYPERION_PLUGIN(greeter::Greeter)
