#include "shop_users.h"

#include "shop/users/v1/users.pb.h"
#include "shop_grpc.h"
#include "users_descriptors.h"

namespace shop::users {

namespace hg = hyperion::grpc;

UsersPlugin::UsersPlugin(hyperion::Context& ctx, const boost::json::object& config) : ctx_(ctx) {
  for (const auto& u : config.at("users").as_array()) {
    const auto& o = u.as_object();
    UserEntry e{static_cast<int32_t>(o.at("id").to_number<int64_t>()), std::string(o.at("name").as_string()),
                std::string(o.at("email").as_string())};
    if (!users_.emplace(e.id, e).second) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "users: id " + std::to_string(e.id) + " appears twice");
    }
  }
}

void UsersPlugin::start(hyperion::Deadline) {
  server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
  registrations_.push_back(
      server_->descriptors(std::string_view(reinterpret_cast<const char*>(users_descriptors), users_descriptors_size)));
  registrations_.push_back(
      server_->unary("/shop.users.v1.Users/GetUser", [this](hg::Call&, std::string_view request, std::string& out) {
        auto r = parse<v1::GetUserRequest>(request);
        auto it = users_.find(r.id());
        if (it == users_.end()) return hg::Status{HYPERION_GRPC_NOT_FOUND, "no user " + std::to_string(r.id())};
        v1::User u;
        u.set_id(it->second.id);
        u.set_name(it->second.name);
        u.set_email(it->second.email);
        out = u.SerializeAsString();
        return hg::Status::ok();
      }));
}

void UsersPlugin::stop(hyperion::Deadline deadline) {
  hyperion::release_all(registrations_, deadline);
  server_.reset();
}

hyperion::HealthReport UsersPlugin::health() {
  hyperion::HealthReport r;
  r.details["users"] = users_.size();
  return r;
}

}  // namespace shop::users
