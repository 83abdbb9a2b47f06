#include "shop_products.h"

#include <cmath>

#include "products_descriptors.h"
#include "shop/products/v1/products.pb.h"
#include "shop_grpc.h"

namespace shop::products {

namespace hg = hyperion::grpc;

#ifdef SHOP_PRODUCTS_V2
constexpr const char* kCatalog = "v2";
#else
constexpr const char* kCatalog = "v1";
#endif

ProductsPlugin::ProductsPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), multiplier_(config.at("price_multiplier").to_number<double>()) {
  for (const auto& p : config.at("products").as_array()) {
    const auto& o = p.as_object();
    ProductEntry e{std::string(o.at("id").as_string()), std::string(o.at("name").as_string()),
                   static_cast<int32_t>(o.at("price_cents").to_number<int64_t>())};
    if (!products_.emplace(e.id, e).second) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "products: id \"" + e.id + "\" appears twice");
    }
  }
}

std::string ProductsPlugin::product_bytes(const ProductEntry& p) const {
  v1::Product out;
  out.set_id(p.id);
  out.set_name(p.name);
  out.set_price_cents(static_cast<int32_t>(std::lround(p.base_price_cents * multiplier_.load())));
  out.set_catalog(kCatalog);
  return out.SerializeAsString();
}

void ProductsPlugin::start(hyperion::Deadline) {
  server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  registrations_.push_back(server_->descriptors(
      std::string_view(reinterpret_cast<const char*>(products_descriptors), products_descriptors_size)));
  registrations_.push_back(server_->unary("/shop.products.v1.Products/GetProduct",
                                          [this](hg::Call&, std::string_view request, std::string& out) {
                                            auto r = parse<v1::GetProductRequest>(request);
                                            auto it = products_.find(r.id());
                                            if (it == products_.end()) {
                                              return hg::Status{HYPERION_GRPC_NOT_FOUND, "no product " + r.id()};
                                            }
                                            out = product_bytes(it->second);
                                            return hg::Status::ok();
                                          }));
  registrations_.push_back(server_->unary("/shop.products.v1.Products/ListProducts",
                                          [this](hg::Call&, std::string_view request, std::string& out) {
                                            (void)parse<v1::ListProductsRequest>(request);
                                            v1::ListProductsResponse reply;
                                            for (const auto& [id, p] : products_) {
                                              (void)reply.add_products()->ParseFromString(product_bytes(p));
                                            }
                                            out = reply.SerializeAsString();
                                            return hg::Status::ok();
                                          }));
}

void ProductsPlugin::stop(hyperion::Deadline deadline) {
  hyperion::release_all(registrations_, deadline);
  server_.reset();
}

hyperion::HealthReport ProductsPlugin::health() {
  hyperion::HealthReport r;
  r.message = "catalog " + std::string(kCatalog) + ", prices x" + std::to_string(multiplier_.load());
  r.details["products"] = products_.size();
  r.details["price_multiplier"] = multiplier_.load();
  r.details["catalog"] = kCatalog;
  return r;
}

void ProductsPlugin::reload_prepare(const boost::json::object& next, const boost::json::array&) {
  prepared_ = next.at("price_multiplier").to_number<double>();
}

void ProductsPlugin::reload_commit() {
  if (prepared_) {
    multiplier_.store(*prepared_);
    ctx_.info("prices are now x" + std::to_string(*prepared_));
  }
  prepared_.reset();
}

void ProductsPlugin::reload_abort() { prepared_.reset(); }

}  // namespace shop::products
