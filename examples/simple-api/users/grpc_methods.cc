#include "grpc_methods.h"

#include "users/v1/users.pb.h"
#include "users_descriptors.h"

namespace users {
namespace {

namespace hg = hyperion::grpc;

template <typename Message>
Message parse(std::string_view bytes) {
  Message m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw hg::Failure(HYPERION_GRPC_INVALID_ARGUMENT, "not a " + m.GetTypeName());
  }
  return m;
}

void to_proto(const User& u, v1::User& out) {
  out.set_id(u.id);
  out.set_email(u.email);
  out.set_name(u.name);
  out.set_version(u.version);
  out.set_created_at(u.created_at);
  out.set_updated_at(u.updated_at);
}

std::string serialized(const User& u) {
  v1::User out;
  to_proto(u, out);
  return out.SerializeAsString();
}

// Runs `fn`, answering the service's errors with their gRPC codes.
template <typename Fn>
hg::Status answering(Fn&& fn) {
  try {
    fn();
    return hg::Status::ok();
  } catch (const InvalidUser& e) {
    return {HYPERION_GRPC_INVALID_ARGUMENT, e.what()};
  } catch (const BadRequest& e) {
    return {HYPERION_GRPC_INVALID_ARGUMENT, e.what()};
  } catch (const UserNotFound& e) {
    return {HYPERION_GRPC_NOT_FOUND, e.what()};
  } catch (const EmailTaken& e) {
    return {HYPERION_GRPC_ALREADY_EXISTS, e.what()};
  } catch (const VersionMismatch& e) {
    return {HYPERION_GRPC_ABORTED, e.what()};
  } catch (const StorageError& e) {
    if (e.busy()) return {HYPERION_GRPC_UNAVAILABLE, "the database is busy; try again"};
    throw;  // the server logs it and answers INTERNAL
  }
}

}  // namespace

std::vector<hg::Registration> serve_grpc(hg::Server& server, UserService& service) {
  std::vector<hg::Registration> out;
  out.push_back(
      server.descriptors(std::string_view(reinterpret_cast<const char*>(users_descriptors), users_descriptors_size)));

  out.push_back(server.unary("/users.v1.UserService/CreateUser",
                             [&service](hg::Call&, std::string_view request, std::string& response) {
                               auto r = parse<v1::CreateUserRequest>(request);
                               return answering([&] { response = serialized(service.create({r.email(), r.name()})); });
                             }));
  out.push_back(server.unary("/users.v1.UserService/GetUser",
                             [&service](hg::Call&, std::string_view request, std::string& response) {
                               auto r = parse<v1::GetUserRequest>(request);
                               return answering([&] { response = serialized(service.get(r.id())); });
                             }));
  out.push_back(server.unary(
      "/users.v1.UserService/UpdateUser", [&service](hg::Call&, std::string_view request, std::string& response) {
        auto r = parse<v1::UpdateUserRequest>(request);
        UserChanges changes;
        if (r.has_email()) changes.email = r.email();
        if (r.has_name()) changes.name = r.name();
        if (r.has_expected_version()) changes.expected_version = r.expected_version();
        return answering([&] { response = serialized(service.update(r.id(), std::move(changes))); });
      }));
  out.push_back(server.unary("/users.v1.UserService/DeleteUser",
                             [&service](hg::Call&, std::string_view request, std::string& response) {
                               auto r = parse<v1::DeleteUserRequest>(request);
                               std::optional<int64_t> expected;
                               if (r.has_expected_version()) expected = r.expected_version();
                               return answering([&] {
                                 service.remove(r.id(), expected);
                                 response = v1::DeleteUserResponse().SerializeAsString();
                               });
                             }));
  out.push_back(server.unary("/users.v1.UserService/ListUsers",
                             [&service](hg::Call&, std::string_view request, std::string& response) {
                               auto r = parse<v1::ListUsersRequest>(request);
                               return answering([&] {
                                 Page page = service.list(r.page_size(), r.page_token());
                                 v1::ListUsersResponse reply;
                                 for (const User& u : page.users) to_proto(u, *reply.add_users());
                                 reply.set_next_page_token(page.next_page_token);
                                 reply.set_total_size(page.total_size);
                                 response = reply.SerializeAsString();
                               });
                             }));
  return out;
}

}  // namespace users
