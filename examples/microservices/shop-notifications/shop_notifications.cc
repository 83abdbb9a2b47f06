#include "shop_notifications.h"

#include "notifications_descriptors.h"
#include "shop/notifications/v1/notifications.pb.h"
#include "shop_grpc.h"

namespace shop::notifications {

namespace hg = hyperion::grpc;

NotificationsPlugin::NotificationsPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), keep_(static_cast<size_t>(config.at("keep").to_number<int64_t>())) {}

void NotificationsPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("shop_notifications_received_total", "Order notifications received.");
  server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  registrations_.push_back(server_->descriptors(
      std::string_view(reinterpret_cast<const char*>(notifications_descriptors), notifications_descriptors_size)));
  registrations_.push_back(server_->unary("/shop.notifications.v1.Notifications/Notify",
                                          [this](hg::Call&, std::string_view request, std::string& out) {
                                            auto n = parse<v1::Notification>(request);
                                            ctx_.info("notify user " + std::to_string(n.user_id()) + ": " + n.text());
                                            {
                                              std::lock_guard lock(mu_);
                                              kept_.emplace_back(request);
                                              while (kept_.size() > keep_) kept_.pop_front();
                                              ++received_;
                                            }
                                            ctx_.counter_add("shop_notifications_received_total", 1);
                                            out = v1::NotifyResponse().SerializeAsString();
                                            return hg::Status::ok();
                                          }));
  registrations_.push_back(server_->unary("/shop.notifications.v1.Notifications/ListNotifications",
                                          [this](hg::Call&, std::string_view request, std::string& out) {
                                            auto r = parse<v1::ListNotificationsRequest>(request);
                                            v1::ListNotificationsResponse reply;
                                            std::lock_guard lock(mu_);
                                            for (const std::string& bytes : kept_) {
                                              v1::Notification n;
                                              if (n.ParseFromString(bytes) &&
                                                  (r.order_id() == 0 || n.order_id() == r.order_id())) {
                                                *reply.add_notifications() = std::move(n);
                                              }
                                            }
                                            out = reply.SerializeAsString();
                                            return hg::Status::ok();
                                          }));
}

void NotificationsPlugin::stop(hyperion::Deadline deadline) {
  hyperion::release_all(registrations_, deadline);
  server_.reset();
}

hyperion::HealthReport NotificationsPlugin::health() {
  hyperion::HealthReport r;
  std::lock_guard lock(mu_);
  r.details["received"] = received_;
  r.details["kept"] = kept_.size();
  return r;
}

}  // namespace shop::notifications
