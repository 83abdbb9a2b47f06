// shop-products: the shop's catalogue (shop.products.v1.Products) on the
// grpc-server plugin. Base prices come from the config; price_multiplier is
// dynamic, so a key in etcd (through consul-config) reprices the shop live.
// The v2 build (shop-products-v2.so) answers catalog "v2": what `hyperion
// swap` puts in place in the example's drill.
// Thread-safety: handlers read the multiplier atomically; reload_commit sets it.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shop::products {

struct ProductEntry {
  std::string id;
  std::string name;
  int32_t base_price_cents = 0;
};

class ProductsPlugin {
 public:
  ProductsPlugin(hyperion::Context& ctx, const boost::json::object& config);
  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& next, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();

 private:
  [[nodiscard]] std::string product_bytes(const ProductEntry& p) const;

  hyperion::Context& ctx_;
  std::map<std::string, ProductEntry> products_;  // read-only after construction
  std::atomic<double> multiplier_;
  std::optional<double> prepared_;
  std::optional<hyperion::grpc::Server> server_;
  std::vector<hyperion::grpc::Registration> registrations_;
};

}  // namespace shop::products
