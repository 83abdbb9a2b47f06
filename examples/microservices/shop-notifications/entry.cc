// The shop-notifications plugin's entry point (hyperion/plugin.hpp generates it).
#include "shop_notifications.h"

HYPERION_PLUGIN(shop::notifications::NotificationsPlugin)
