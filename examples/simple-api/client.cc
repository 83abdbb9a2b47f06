// users-client: the simple-api example's gRPC API from the command line.
//   users-client [--target HOST:PORT] create --email E --name N
//   users-client [--target HOST:PORT] get ID
//   users-client [--target HOST:PORT] update ID [--email E] [--name N] [--expect-version V]
//   users-client [--target HOST:PORT] delete ID [--expect-version V]
//   users-client [--target HOST:PORT] list [--page-size N] [--page-token T]
// Prints the answer as one line of JSON. On a gRPC error, prints the code's
// name and the server's message on stderr and exits 1; usage errors exit 2.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <iostream>
#include <optional>
#include <string>

#include "users/v1/users.grpc.pb.h"

namespace {

namespace v1 = users::v1;

boost::json::object to_json(const v1::User& u) {
  return {{"id", u.id()},           {"email", u.email()},           {"name", u.name()},
          {"version", u.version()}, {"created_at", u.created_at()}, {"updated_at", u.updated_at()}};
}

const char* code_name(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  auto i = static_cast<size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "UNKNOWN";
}

// Prints the reply (or the error) and gives the exit status.
int report(const grpc::Status& status, const boost::json::value& reply) {
  if (!status.ok()) {
    std::cerr << code_name(status.error_code()) << ": " << status.error_message() << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(reply) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Calls the simple-api example's users.v1.UserService and prints the answer as JSON."};
  app.require_subcommand(1);
  std::string target = "127.0.0.1:50052";
  int timeout_ms = 5000;
  app.add_option("--target", target, "host:port of the grpc-server")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "deadline of the call")->capture_default_str()->check(CLI::PositiveNumber);

  std::string email, name, page_token;
  int64_t id = 0, expect_version = 0;
  int32_t page_size = 0;
  auto* create = app.add_subcommand("create", "create a user");
  create->add_option("--email", email)->required();
  create->add_option("--name", name)->required();
  auto* get = app.add_subcommand("get", "read one user");
  get->add_option("id", id)->required();
  auto* update = app.add_subcommand("update", "change a user's email or name");
  update->add_option("id", id)->required();
  auto* update_email = update->add_option("--email", email);
  auto* update_name = update->add_option("--name", name);
  auto* update_expect = update->add_option("--expect-version", expect_version, "only if the user is at this version");
  auto* remove = app.add_subcommand("delete", "delete a user");
  remove->add_option("id", id)->required();
  auto* remove_expect = remove->add_option("--expect-version", expect_version, "only if the user is at this version");
  auto* list = app.add_subcommand("list", "list users by id, one page");
  list->add_option("--page-size", page_size, "0: the server's default")->check(CLI::NonNegativeNumber);
  list->add_option("--page-token", page_token, "next_page_token of the previous page");
  CLI11_PARSE(app, argc, argv);

  auto stub = v1::UserService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  v1::User user;
  if (create->parsed()) {
    v1::CreateUserRequest r;
    r.set_email(email);
    r.set_name(name);
    grpc::Status s = stub->CreateUser(&ctx, r, &user);
    return report(s, to_json(user));
  }
  if (get->parsed()) {
    v1::GetUserRequest r;
    r.set_id(id);
    grpc::Status s = stub->GetUser(&ctx, r, &user);
    return report(s, to_json(user));
  }
  if (update->parsed()) {
    v1::UpdateUserRequest r;
    r.set_id(id);
    if (update_email->count() > 0) r.set_email(email);
    if (update_name->count() > 0) r.set_name(name);
    if (update_expect->count() > 0) r.set_expected_version(expect_version);
    grpc::Status s = stub->UpdateUser(&ctx, r, &user);
    return report(s, to_json(user));
  }
  if (remove->parsed()) {
    v1::DeleteUserRequest r;
    r.set_id(id);
    if (remove_expect->count() > 0) r.set_expected_version(expect_version);
    v1::DeleteUserResponse reply;
    grpc::Status s = stub->DeleteUser(&ctx, r, &reply);
    return report(s, boost::json::object{{"deleted", id}});
  }
  v1::ListUsersRequest r;
  r.set_page_size(page_size);
  r.set_page_token(page_token);
  v1::ListUsersResponse reply;
  grpc::Status s = stub->ListUsers(&ctx, r, &reply);
  boost::json::array users;
  for (const auto& u : reply.users()) users.push_back(to_json(u));
  boost::json::object out{{"users", std::move(users)}, {"total_size", reply.total_size()}};
  if (!reply.next_page_token().empty()) out["next_page_token"] = reply.next_page_token();
  return report(s, out);
}
