// shop-orders: the shop's orders (shop.orders.v1.Orders) on the grpc-server
// plugin. PlaceOrder never blocks a server thread: it asks users and products
// (every item at once) over the grpc-client, answers when the last lookup is
// back, and tells notifications without waiting (fire and forget, counted).
// What happens when products cannot be reached is configuration
// (when_products_unavailable, dynamic — a key in etcd flips it live).
// Thread-safety: handlers and completions on any thread; the order book and
// the policy under their own mutexes.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_client.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace shop::orders {

struct Policy {
  bool accept_pending = false;  // when_products_unavailable: accept_pending (else reject)
  bool notify = true;
};

class PlaceOrderJob;

class OrdersPlugin {
 public:
  OrdersPlugin(hyperion::Context& ctx, const boost::json::object& config);
  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& next, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();

 private:
  friend class PlaceOrderJob;
  [[nodiscard]] Policy policy() const;
  // Keeps the order (giving it an id and a time) and returns it serialized.
  std::string keep(class OrderDraft& draft);
  void notify(int32_t order_id, int32_t user_id, const std::string& text, const std::string& traceparent);

  hyperion::Context& ctx_;
  mutable std::mutex mu_;
  Policy policy_;
  std::optional<Policy> prepared_;
  int32_t next_id_ = 1;
  std::map<int32_t, std::string> orders_;  // serialized Order, by id
  uint64_t next_notify_ = 1;
  std::map<uint64_t, uint64_t> notifying_;  // Notify calls in flight: sequence -> call id (0 until known)
  std::condition_variable notified_;
  uint64_t notify_failures_ = 0;
  std::optional<hyperion::grpc::Server> server_;
  std::optional<hyperion::grpc::Client> client_;
  std::vector<hyperion::grpc::Registration> registrations_;
};

}  // namespace shop::orders
