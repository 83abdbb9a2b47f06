/* inventory/stock.h — the "inventory.stock" service API, version 1.0. */
#ifndef INVENTORY_STOCK_H_
#define INVENTORY_STOCK_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INVENTORY_STOCK_API "inventory.stock"
#define INVENTORY_STOCK_MAJOR 1

typedef struct inventory_stock_v1_t {
  uint32_t struct_size;
  /* Takes `count` of `item` out of stock; INVALID_ARGUMENT when there are fewer. */
  hyperion_status_t (*reserve)(void* ctx, hyperion_str_t item, int64_t count, hyperion_error_t* err);
  /* Writes "<item>: <n> left" into `out`. */
  hyperion_status_t (*describe)(void* ctx, hyperion_str_t item, const hyperion_sink_t* out, hyperion_error_t* err);
  /* How many of `item` are left (0 when unknown). */
  int64_t (*available)(void* ctx, hyperion_str_t item);
} inventory_stock_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* INVENTORY_STOCK_H_ */
