// Greeter: the example gRPC handler plugin. It registers hello.Greeter's four
// methods with the grpc-server plugin on start and removes them on stop
// (waiting for calls in flight), and registers its descriptor set so
// reflection clients (grpcurl) can describe it.
// Thread-safety: handlers run on the server's threads; the settings they read
// are swapped atomically by reload_commit.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace greeter {

// The config (plugin.json's schema), filled by the SDK: no JSON by hand.
struct Settings {
  std::string greeting;
  int max_stream_count = 100;
};
BOOST_DESCRIBE_STRUCT(Settings, (), (greeting, max_stream_count))

class Greeter {
 public:
  using Config = Settings;
  Greeter(hyperion::Context& ctx, const Settings& config);

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const Settings& next, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();

 private:
  [[nodiscard]] std::shared_ptr<const Settings> settings() const;
  [[nodiscard]] std::string greet(const std::string& name) const;

  hyperion::Context& ctx_;
  mutable std::mutex mu_;
  std::shared_ptr<const Settings> settings_;
  std::shared_ptr<const Settings> prepared_;
  std::optional<hyperion::grpc::Server> server_;
  std::vector<hyperion::grpc::Registration> registrations_;
};

}  // namespace greeter
