// The shop-orders plugin's entry point (hyperion/plugin.hpp generates it).
#include "shop_orders.h"

HYPERION_PLUGIN(shop::orders::OrdersPlugin)
