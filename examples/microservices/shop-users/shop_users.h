// shop-users: the shop's users service (shop.users.v1.Users) on the
// grpc-server plugin. The users come from the config (a demo has no sign-up).
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shop::users {

struct UserEntry {
  int32_t id = 0;
  std::string name;
  std::string email;
};

class UsersPlugin {
 public:
  UsersPlugin(hyperion::Context& ctx, const boost::json::object& config);
  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

 private:
  hyperion::Context& ctx_;
  std::map<int32_t, UserEntry> users_;  // read-only after construction
  std::optional<hyperion::grpc::Server> server_;
  std::vector<hyperion::grpc::Registration> registrations_;
};

}  // namespace shop::users
