// The shop-users plugin's entry point (hyperion/plugin.hpp generates it).
#include "shop_users.h"

HYPERION_PLUGIN(shop::users::UsersPlugin)
