// The shop-products plugin's entry point (hyperion/plugin.hpp generates it).
#include "shop_products.h"

HYPERION_PLUGIN(shop::products::ProductsPlugin)
