#include "hello.h"

#include <hyperion/service.hpp>

#include "hello/greeter.h"

namespace hello {
namespace {

// The hello.greeter vtable, its slot generated from Hello::greet (service.hpp).
constexpr hello_greeter_v1_t kGreeter = {sizeof(hello_greeter_v1_t), hyperion::method<&Hello::greet>};

}  // namespace

Settings Settings::from_config(const boost::json::object& config) {
  // The host validated the config against plugin.json and filled in defaults.
  Settings s;
  s.greeting = std::string(config.at("greeting").as_string());
  s.interval_ms = config.at("interval_ms").as_int64();
  return s;
}

Hello::Hello(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), settings_(Settings::from_config(config)) {}

void Hello::start(hyperion::Deadline) {
  ctx_.info(greet("world"));
  if (settings_.interval_ms > 0) {
    auto period = std::chrono::milliseconds(settings_.interval_ms);
    timer_ = ctx_.start_timer(period, period, [this] { ctx_.info(greet("again")); });
  }
}

void Hello::stop(hyperion::Deadline) {
  if (timer_) ctx_.cancel_timer(*timer_);
  ctx_.info("goodbye after " + std::to_string(greetings_.load()) + " greeting(s)");
}

hyperion::HealthReport Hello::health() {
  hyperion::HealthReport report;
  report.message = "greeting";
  report.details["greetings"] = greetings_.load();
  return report;
}

void Hello::reload_prepare(const boost::json::object& new_config, const boost::json::array&) {
  pending_ = Settings::from_config(new_config);
  if (pending_->interval_ms != settings_.interval_ms) {
    pending_.reset();
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "interval_ms is static: restart the instance to change it");
  }
}

void Hello::reload_commit() {
  std::lock_guard lock(mu_);
  settings_ = std::move(*pending_);
  pending_.reset();
}

void Hello::reload_abort() { pending_.reset(); }

hyperion::ServiceRef Hello::get_service(std::string_view api, uint32_t api_major) {
  return hyperion::offer(api, api_major, {{HELLO_GREETER_API, HELLO_GREETER_MAJOR, &kGreeter, this}});
}

std::string Hello::greet(std::string_view name) {
  ++greetings_;
  std::lock_guard lock(mu_);
  return settings_.greeting + ", " + std::string(name) + "!";
}

}  // namespace hello
