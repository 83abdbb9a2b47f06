#include "health_service.h"

#include <algorithm>

#include "grpc/health/v1/health.pb.h"

namespace hyperion::plugins::grpc_server {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
namespace hg = hyperion::grpc;

constexpr int kServing = HealthCheckResponse::SERVING;
constexpr int kNotServing = HealthCheckResponse::NOT_SERVING;
constexpr int kServiceUnknown = HealthCheckResponse::SERVICE_UNKNOWN;

std::string encode(int status) {
  HealthCheckResponse response;
  response.set_status(static_cast<HealthCheckResponse::ServingStatus>(status));
  return response.SerializeAsString();
}

std::string requested_service(std::string_view request) {
  HealthCheckRequest parsed;
  if (!parsed.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    throw hg::Failure(HYPERION_GRPC_INVALID_ARGUMENT, "not a grpc.health.v1.HealthCheckRequest");
  }
  return parsed.service();
}

}  // namespace

// One Watch call: waits for its request, then lives in watchers_ until the
// client goes away or the server stops.
class HealthService::WatchStream : public hg::StreamHandler {
 public:
  explicit WatchStream(HealthService& owner) : owner_(owner) {}
  void on_message(hg::Call&, std::string_view message) override { service_ = requested_service(message); }
  void on_half_close(hg::Call& call) override {
    auto snapshot = owner_.read();
    std::optional<int> status = owner_.current(service_, snapshot ? &*snapshot : nullptr);
    int value = status.value_or(kServiceUnknown);
    std::lock_guard lock(owner_.mu_);
    if (owner_.stopped_) {
      call.finish({HYPERION_GRPC_UNAVAILABLE, "the server is stopping"});
      return;
    }
    call.send(encode(value));
    owner_.watchers_[&call] = Watcher{service_, value};
  }
  void on_cancel(hg::Call& call) override {
    std::lock_guard lock(owner_.mu_);
    owner_.watchers_.erase(&call);
    call.finish({HYPERION_GRPC_CANCELLED, "cancelled"});
  }

 private:
  HealthService& owner_;
  std::string service_;
};

HealthService::HealthService(const HandlerTable& table, std::function<std::string()> read_snapshot)
    : table_(table), read_snapshot_(std::move(read_snapshot)) {
  check_.kind = HYPERION_GRPC_UNARY;
  check_.unary = [this](hg::Call&, std::string_view request, std::string& response) {
    if (!enabled()) throw hg::Failure(HYPERION_GRPC_UNIMPLEMENTED, "grpc.health.v1 is turned off (health: false)");
    std::string service = requested_service(request);
    auto snapshot = read();
    std::optional<int> status = current(service, snapshot ? &*snapshot : nullptr);
    if (!status) return hg::Status{HYPERION_GRPC_NOT_FOUND, "unknown service \"" + service + "\""};
    response = encode(*status);
    return hg::Status::ok();
  };
  watch_.kind = HYPERION_GRPC_SERVER_STREAMING;
  watch_.factory = [this](hg::Call&) -> std::unique_ptr<hg::StreamHandler> {
    if (!enabled()) throw hg::Failure(HYPERION_GRPC_UNIMPLEMENTED, "grpc.health.v1 is turned off (health: false)");
    return std::make_unique<WatchStream>(*this);
  };
}

HealthService::~HealthService() { shutdown(); }

void HealthService::register_into(HandlerTable& table) {
  std::string error;
  table.add("/grpc.health.v1.Health/Check", hg::detail::raw_handler(&check_), error);
  table.add("/grpc.health.v1.Health/Watch", hg::detail::raw_handler(&watch_), error);
}

std::optional<boost::json::object> HealthService::read() const {
  try {
    boost::json::value v = boost::json::parse(read_snapshot_());
    if (v.is_object()) return std::move(v.as_object());
  } catch (...) {
    // No aggregate: every known service reads NOT_SERVING.
  }
  return std::nullopt;
}

std::optional<int> HealthService::status_of(const std::string& service, const boost::json::object* snapshot,
                                            const std::vector<std::string>& served) {
  bool ready = false;
  const boost::json::object* instances = nullptr;
  if (snapshot != nullptr) {
    if (const auto* r = snapshot->if_contains("ready"); r != nullptr && r->is_bool()) ready = r->as_bool();
    if (const auto* i = snapshot->if_contains("instances"); i != nullptr && i->is_object()) instances = &i->as_object();
  }
  if (service.empty() || std::find(served.begin(), served.end(), service) != served.end()) {
    return ready ? kServing : kNotServing;
  }
  if (instances != nullptr) {
    if (const auto* inst = instances->if_contains(service); inst != nullptr && inst->is_object()) {
      const auto* status = inst->as_object().if_contains("status");
      bool up = status != nullptr && status->is_string() && status->as_string() != "unhealthy";
      bool draining = snapshot->if_contains("draining") != nullptr && snapshot->at("draining").is_bool() &&
                      snapshot->at("draining").as_bool();
      return up && !draining ? kServing : kNotServing;
    }
  }
  if (snapshot == nullptr) return kNotServing;  // cannot tell: never claim SERVING
  return std::nullopt;
}

std::optional<int> HealthService::current(const std::string& service, const boost::json::object* snapshot) const {
  return status_of(service, snapshot, table_.services());
}

void HealthService::poll() {
  {
    std::lock_guard lock(mu_);
    if (watchers_.empty() || stopped_) return;
  }
  auto snapshot = read();
  std::vector<std::string> served = table_.services();
  std::lock_guard lock(mu_);
  for (auto& [call, watcher] : watchers_) {
    int value = status_of(watcher.service, snapshot ? &*snapshot : nullptr, served).value_or(kServiceUnknown);
    if (value != watcher.last) {
      watcher.last = value;
      call->send(encode(value));
    }
  }
}

void HealthService::shutdown() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  for (auto& [call, watcher] : watchers_) {
    if (watcher.last != kNotServing) call->send(encode(kNotServing));
    call->finish({HYPERION_GRPC_OK, ""});
  }
  watchers_.clear();
}

size_t HealthService::watchers() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

}  // namespace hyperion::plugins::grpc_server
