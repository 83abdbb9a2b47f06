#include "shop_orders.h"

#include <chrono>
#include <ctime>

#include "orders_descriptors.h"
#include "shop/notifications/v1/notifications.pb.h"
#include "shop/orders/v1/orders.pb.h"
#include "shop/products/v1/products.pb.h"
#include "shop/users/v1/users.pb.h"
#include "shop_grpc.h"

namespace shop::orders {

namespace hg = hyperion::grpc;

// grpc-client target names (the manifest's grpc-client instance maps them to
// discovery:///users, ...).
constexpr const char* kUsers = "users";
constexpr const char* kProducts = "products";
constexpr const char* kNotifications = "notifications";

namespace {

Policy policy_of(const boost::json::object& config) {
  return {config.at("when_products_unavailable").as_string() == "accept_pending", config.at("notify").as_bool()};
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool unreachable(int32_t code) { return code == HYPERION_GRPC_UNAVAILABLE || code == HYPERION_GRPC_DEADLINE_EXCEEDED; }

}  // namespace

// An order being put together from the lookups' answers.
class OrderDraft {
 public:
  v1::Order order;
};

// One PlaceOrder: the user and every product looked up at once; the call is
// answered by whichever completion comes last.
class PlaceOrderJob : public std::enable_shared_from_this<PlaceOrderJob> {
 public:
  PlaceOrderJob(OrdersPlugin& owner, hg::Call& call, v1::PlaceOrderRequest request)
      : owner_(owner), call_(call), request_(std::move(request)), products_(request_.items_size()) {}

  void start() {
    // Set before any lookup starts: a completion may run before unary_async returns.
    pending_ = 1 + request_.items_size();
    const std::string traceparent(call_.traceparent());
    auto options = hg::CallOptions().with_traceparent(traceparent);
    shop::users::v1::GetUserRequest user;
    user.set_id(request_.user_id());
    lookup(kUsers, "/shop.users.v1.Users/GetUser", user.SerializeAsString(), options, -1);
    for (int i = 0; i < request_.items_size(); ++i) {
      shop::products::v1::GetProductRequest product;
      product.set_id(request_.items(i).product_id());
      lookup(kProducts, "/shop.products.v1.Products/GetProduct", product.SerializeAsString(), options, i);
    }
  }

 private:
  // index -1: the user; else the item's product.
  void lookup(const char* target, const char* method, const std::string& request, const hg::CallOptions& options,
              int index) {
    try {
      owner_.client_->unary_async(target, method, request, options, [self = shared_from_this(), index](hg::Reply r) {
        self->answered(index, std::move(r));
      });
    } catch (const hyperion::Error& e) {  // refused: no such target, or the client is stopping
      hg::Reply r;
      r.code = HYPERION_GRPC_UNAVAILABLE;
      r.message = e.what();
      answered(index, std::move(r));
    }
  }

  void answered(int index, hg::Reply reply) {
    {
      std::lock_guard lock(mu_);
      if (index < 0) {
        user_ = std::move(reply);
      } else {
        products_[static_cast<size_t>(index)] = std::move(reply);
      }
      if (--pending_ > 0) return;
    }
    finish();
  }

  void finish() {
    const hg::Reply& user = *user_;
    if (user.code == HYPERION_GRPC_NOT_FOUND) return fail({HYPERION_GRPC_NOT_FOUND, user.message});
    if (!user.ok()) return fail({HYPERION_GRPC_UNAVAILABLE, "users: " + user.message});
    const Policy policy = owner_.policy();
    OrderDraft draft;
    draft.order.set_user_id(request_.user_id());
    draft.order.set_status("confirmed");
    int64_t total = 0;
    for (int i = 0; i < request_.items_size(); ++i) {
      const hg::Reply& answer = *products_[static_cast<size_t>(i)];
      v1::OrderItem* item = draft.order.add_items();
      item->set_product_id(request_.items(i).product_id());
      item->set_quantity(request_.items(i).quantity());
      if (answer.code == HYPERION_GRPC_NOT_FOUND) {
        return fail({HYPERION_GRPC_INVALID_ARGUMENT, "no product " + request_.items(i).product_id()});
      }
      if (!answer.ok()) {
        if (!unreachable(answer.code) || !policy.accept_pending) {
          return fail(
              {HYPERION_GRPC_UNAVAILABLE, "products is unavailable (" + answer.message +
                                              "); orders are refused while it is (when_products_unavailable: reject)"});
        }
        draft.order.set_status("pending_price");  // priced when products is back
        continue;
      }
      shop::products::v1::Product product;
      if (!product.ParseFromString(answer.response)) return fail({HYPERION_GRPC_INTERNAL, "products: bad reply"});
      item->set_product_name(product.name());
      item->set_unit_price_cents(product.price_cents());
      total += static_cast<int64_t>(product.price_cents()) * item->quantity();
    }
    if (total > INT32_MAX) return fail({HYPERION_GRPC_OUT_OF_RANGE, "the total is above what an order may cost"});
    draft.order.set_total_cents(static_cast<int32_t>(total));
    std::string bytes = owner_.keep(draft);
    owner_.ctx_.counter_add("shop_orders_placed_total", 1, hyperion::labels({{"status", draft.order.status()}}));
    if (policy.notify) {
      owner_.notify(draft.order.id(), draft.order.user_id(),
                    "order " + std::to_string(draft.order.id()) + " is " + draft.order.status() + ", total " +
                        std::to_string(draft.order.total_cents()) + " cents",
                    std::string(call_.traceparent()));
    }
    call_.send(bytes);
    call_.finish(hg::Status::ok());
  }

  void fail(const hg::Status& status) {
    owner_.ctx_.counter_add(
        "shop_orders_refused_total", 1,
        hyperion::labels({{"reason", status.code == HYPERION_GRPC_UNAVAILABLE ? "unavailable" : "invalid"}}));
    call_.finish(status);
  }

  OrdersPlugin& owner_;
  hg::Call& call_;  // valid until finished: the job finishes it last
  const v1::PlaceOrderRequest request_;
  std::mutex mu_;
  int pending_ = 0;
  std::optional<hg::Reply> user_;
  std::vector<std::optional<hg::Reply>> products_;
};

OrdersPlugin::OrdersPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), policy_(policy_of(config)) {}

Policy OrdersPlugin::policy() const {
  std::lock_guard lock(mu_);
  return policy_;
}

std::string OrdersPlugin::keep(OrderDraft& draft) {
  std::lock_guard lock(mu_);
  draft.order.set_id(next_id_++);
  draft.order.set_created_at(now_rfc3339());
  std::string bytes = draft.order.SerializeAsString();
  orders_[draft.order.id()] = bytes;
  return bytes;
}

void OrdersPlugin::notify(int32_t order_id, int32_t user_id, const std::string& text, const std::string& traceparent) {
  shop::notifications::v1::Notification n;
  n.set_order_id(order_id);
  n.set_user_id(user_id);
  n.set_text(text);
  // No lock is held while the call starts: its completion may run before
  // unary_async returns (an open breaker answers at once).
  uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    seq = next_notify_++;
    notifying_[seq] = 0;
  }
  auto done = [this, seq](hg::Reply r) {
    if (!r.ok()) ctx_.warn("notifications: " + r.message);
    std::lock_guard lock(mu_);
    if (!r.ok()) ++notify_failures_;
    notifying_.erase(seq);
    notified_.notify_all();
  };
  try {
    uint64_t id = client_->unary_async(kNotifications, "/shop.notifications.v1.Notifications/Notify",
                                       n.SerializeAsString(), hg::CallOptions().with_traceparent(traceparent), done);
    std::lock_guard lock(mu_);
    if (auto it = notifying_.find(seq); it != notifying_.end()) it->second = id;
  } catch (const hyperion::Error& e) {  // refused: it never calls back
    hg::Reply r;
    r.code = HYPERION_GRPC_UNAVAILABLE;
    r.message = e.what();
    done(std::move(r));
  }
}

void OrdersPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("shop_orders_placed_total", "Orders placed, by status (confirmed, pending_price).");
  ctx_.describe_metric("shop_orders_refused_total", "PlaceOrder calls refused, by reason (invalid, unavailable).");
  client_.emplace(ctx_.acquire(HYPERION_GRPC_CLIENT_API, HYPERION_GRPC_CLIENT_MAJOR));
  server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  registrations_.push_back(server_->descriptors(
      std::string_view(reinterpret_cast<const char*>(orders_descriptors), orders_descriptors_size)));

  // PlaceOrder answers later, from the lookups' completions.
  class PlaceOrder : public hg::StreamHandler {
   public:
    explicit PlaceOrder(OrdersPlugin& owner) : owner_(owner) {}
    void on_message(hg::Call&, std::string_view message) override { request_.assign(message); }
    void on_half_close(hg::Call& call) override {
      auto r = parse<v1::PlaceOrderRequest>(request_);
      if (r.items_size() == 0) return call.finish({HYPERION_GRPC_INVALID_ARGUMENT, "an order needs items"});
      for (const auto& item : r.items()) {
        if (item.quantity() < 1 || item.quantity() > 100) {
          return call.finish(
              {HYPERION_GRPC_INVALID_ARGUMENT,
               "quantity of " + item.product_id() + " must be 1..100, not " + std::to_string(item.quantity())});
        }
      }
      std::make_shared<PlaceOrderJob>(owner_, call, std::move(r))->start();
    }

   private:
    OrdersPlugin& owner_;
    std::string request_;
  };
  registrations_.push_back(server_->unary_handler("/shop.orders.v1.Orders/PlaceOrder",
                                                  [this](hg::Call&) { return std::make_unique<PlaceOrder>(*this); }));
  registrations_.push_back(
      server_->unary("/shop.orders.v1.Orders/GetOrder", [this](hg::Call&, std::string_view request, std::string& out) {
        auto r = parse<v1::GetOrderRequest>(request);
        std::lock_guard lock(mu_);
        auto it = orders_.find(r.id());
        if (it == orders_.end()) return hg::Status{HYPERION_GRPC_NOT_FOUND, "no order " + std::to_string(r.id())};
        out = it->second;
        return hg::Status::ok();
      }));
}

void OrdersPlugin::stop(hyperion::Deadline deadline) {
  // First no new orders (waiting for those being placed), then the
  // notifications still on their way: cancelled if they outlast half the
  // time left, because their completions run this library's code.
  hyperion::release_all(registrations_, deadline);
  std::unique_lock lock(mu_);
  auto half = std::chrono::steady_clock::now() + (deadline.time_point() - std::chrono::steady_clock::now()) / 2;
  if (!notified_.wait_until(lock, half, [&] { return notifying_.empty(); })) {
    std::vector<uint64_t> ids;
    for (const auto& [seq, id] : notifying_) {
      if (id != 0) ids.push_back(id);
    }
    lock.unlock();
    for (uint64_t id : ids) client_->cancel(id);
    lock.lock();
    // A cancelled call ends at once; if one still has not, say so.
    if (!notified_.wait_until(lock, deadline.time_point(), [&] { return notifying_.empty(); })) {
      ctx_.warn(std::to_string(notifying_.size()) + " notification(s) still in flight at stop");
    }
  }
  lock.unlock();
  server_.reset();
  client_.reset();
}

hyperion::HealthReport OrdersPlugin::health() {
  hyperion::HealthReport r;
  std::lock_guard lock(mu_);
  r.details["orders"] = orders_.size();
  r.details["notifications_in_flight"] = notifying_.size();
  r.details["notification_failures"] = notify_failures_;
  r.details["when_products_unavailable"] = policy_.accept_pending ? "accept_pending" : "reject";
  r.details["notify"] = policy_.notify;
  return r;
}

void OrdersPlugin::reload_prepare(const boost::json::object& next, const boost::json::array&) {
  prepared_ = policy_of(next);
}

void OrdersPlugin::reload_commit() {
  std::lock_guard lock(mu_);
  if (prepared_) policy_ = *prepared_;
  prepared_.reset();
}

void OrdersPlugin::reload_abort() { prepared_.reset(); }

}  // namespace shop::orders
