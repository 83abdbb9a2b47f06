// shop-notifications: where the shop's order notifications go
// (shop.notifications.v1.Notifications) on the grpc-server plugin. A real
// shop would mail them; this one keeps the newest `keep` in memory so the
// demo can list them (GET /api/notifications through the gateway).
// Thread-safety: handlers on any server thread, under one mutex.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace shop::notifications {

class NotificationsPlugin {
 public:
  NotificationsPlugin(hyperion::Context& ctx, const boost::json::object& config);
  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

 private:
  hyperion::Context& ctx_;
  const size_t keep_;
  std::mutex mu_;
  std::deque<std::string> kept_;  // serialized Notification, oldest first
  uint64_t received_ = 0;
  std::optional<hyperion::grpc::Server> server_;
  std::vector<hyperion::grpc::Registration> registrations_;
};

}  // namespace shop::notifications
