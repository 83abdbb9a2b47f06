// Provides inventory.stock from a C++ class: no thunk written by hand.
#include <inventory/stock.h>
#include <hyperion/service.hpp>

#include <map>
#include <mutex>

class Inventory {
 public:
  Inventory(hyperion::Context&, const boost::json::object& config) {
    stock_["apples"] = config.at("apples").as_int64();
  }

  void reserve(std::string item, int64_t count) {
    std::lock_guard lock(mu_);
    if (stock_[item] < count)
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "only " + std::to_string(stock_[item]) + " " + item + " left");
    stock_[item] -= count;
  }
  std::string describe(std::string item) { return item + ": " + std::to_string(available(item)) + " left"; }
  int64_t available(std::string_view item) noexcept {
    std::lock_guard lock(mu_);
    auto it = stock_.find(std::string(item));
    return it == stock_.end() ? 0 : it->second;
  }

  hyperion::ServiceRef get_service(std::string_view api, uint32_t major) {
    return hyperion::offer(api, major, {{INVENTORY_STOCK_API, INVENTORY_STOCK_MAJOR, &kStock, this}});
  }
  static const inventory_stock_v1_t kStock;

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> stock_;
};

const inventory_stock_v1_t Inventory::kStock = {sizeof(inventory_stock_v1_t), hyperion::method<&Inventory::reserve>,
                                                hyperion::method<&Inventory::describe>,
                                                hyperion::method<&Inventory::available>};

HYPERION_PLUGIN(Inventory)
