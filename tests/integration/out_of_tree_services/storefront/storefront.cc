// Uses inventory.stock through hyperion::call: no enter/leave or error struct by hand.
#include <inventory/stock.h>
#include <hyperion/service.hpp>

class Storefront {
 public:
  Storefront(hyperion::Context& ctx, const boost::json::object&) : ctx_(ctx) {}

  void start(hyperion::Deadline) {
    hyperion::ServiceHandle stock = ctx_.acquire(INVENTORY_STOCK_API, INVENTORY_STOCK_MAJOR);
    hyperion::call<&inventory_stock_v1_t::reserve>(stock, "apples", int64_t{3});
    ctx_.info("storefront: " + hyperion::call<&inventory_stock_v1_t::describe>(stock, "apples"));
    try {
      hyperion::call<&inventory_stock_v1_t::reserve>(stock, "apples", int64_t{100});
    } catch (const hyperion::Error& e) {
      ctx_.info(std::string("storefront: refused: ") + e.what());
    }
    ctx_.info("storefront: pears available: " +
              std::to_string(hyperion::call<&inventory_stock_v1_t::available>(stock, "pears")));
  }

 private:
  hyperion::Context& ctx_;
};

HYPERION_PLUGIN(Storefront)
