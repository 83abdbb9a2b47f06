// Hello: the example C++ plugin. It greets at start (and every interval_ms if
// set), provides the hello.greeter 1.0 service, reports health, and changes its
// greeting on a live reload. Thread-safety: greet() and health() run
// concurrently with reload_commit(); the settings are guarded by a mutex.
#pragma once

#include <hyperion/plugin.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

namespace hello {

struct Settings {
  std::string greeting;
  int64_t interval_ms = 0;
  static Settings from_config(const boost::json::object& config);
};

class Hello {
 public:
  Hello(hyperion::Context& ctx, const boost::json::object& config);

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& new_config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // "<greeting>, <name>!"
  std::string greet(std::string_view name);

 private:
  hyperion::Context& ctx_;
  std::mutex mu_;
  Settings settings_;
  std::optional<Settings> pending_;
  std::optional<uint64_t> timer_;
  std::atomic<uint64_t> greetings_{0};
};

}  // namespace hello
