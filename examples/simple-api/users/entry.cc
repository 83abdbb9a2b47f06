// The users plugin's entry point (hyperion/plugin.hpp generates it).
#include "users.h"

HYPERION_PLUGIN(users::UsersPlugin)
