// The users plugin of examples/simple-api: user CRUD over HTTP/JSON (on the
// http-server plugin) and gRPC (on the grpc-server plugin), kept in SQLite.
// Layers, each in its own file:
//   http_routes / grpc_methods   translate a protocol to and from UserService
//   user_service                 the rules: validation, paging
//   user_repository              SQLite and the migrations in migrations/*.sql
// This class wires them together for the host: start opens the database and
// registers the routes and methods; stop removes them (waiting for requests
// in flight) and closes the database; a reload changes the limits live.
#pragma once

#include "user_repository.h"
#include "user_service.h"

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>
#include <hyperion/services/http_server.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace users {

// The config (plugin.json's schema), filled by the SDK.
struct Settings {
  std::string database;
  std::string http_prefix;
  int64_t busy_timeout_ms = 5000;
  int64_t max_name_length = 100;
  int64_t default_page_size = 20;
  int64_t max_page_size = 100;
};
BOOST_DESCRIBE_STRUCT(Settings, (),
                      (database, http_prefix, busy_timeout_ms, max_name_length, default_page_size, max_page_size))

class UsersPlugin {
 public:
  using Config = Settings;
  UsersPlugin(hyperion::Context& ctx, const Settings& config);

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const Settings& next, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();

 private:
  hyperion::Context& ctx_;
  const Settings settings_;
  std::optional<Limits> prepared_;
  std::unique_ptr<UserRepository> repository_;
  std::unique_ptr<UserService> service_;
  std::optional<hyperion::http::Server> http_;
  std::optional<hyperion::grpc::Server> grpc_;
  std::vector<hyperion::http::Registration> routes_;
  std::vector<hyperion::grpc::Registration> methods_;
};

}  // namespace users
