// A gateway host in front of two Hyperion gRPC hosts: each a `hyperion run`
// process serving the greeter handler plugin (a lite proto) on grpc-server,
// the gateway in this process routing to both by name and composing them in
// an aggregate; then one host is killed and its routes answer 503 while the
// other's go on. (Named Grpc*: gRPC runs in this process, which the TSan run
// leaves out, decision 0007.)
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <boost/json.hpp>

#include "support/in_process_host.h"

namespace hyperion::gateway_test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// One Hyperion gRPC host: grpc-server + greeter, in a process of its own.
class GreeterHost {
 public:
  GreeterHost() : port_(testing::free_loopback_port()) {
    const std::string manifest = "app: greeter\nhost:\n  state_dir: " + dir_.path() +
                                 "/state\n  admin: {enabled: false}\nplugins:\n"
                                 "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:" +
                                 std::to_string(port_) + "\"}\n  - name: greeter\n    library: greeter\n";
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::hyperion_binary(), "run", dir_.write("app.yaml", manifest), "--plugin-path",
                                 testing::example_plugin_dir()});
    ready_ = process_->wait_for_stderr("serving gRPC on", 30s);
  }
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] int port() const { return port_; }
  void kill() { process_->signal(SIGKILL); }

 private:
  testing::TempDir dir_;
  int port_;
  std::unique_ptr<testing::ChildProcess> process_;
  bool ready_ = false;
};

TEST(GrpcGatewayFleet, RoutesToTwoHyperionHostsAndSurvivesLosingOne) {
  GreeterHost users, orders;
  ASSERT_TRUE(users.ready() && orders.ready());
  const int web_port = testing::free_loopback_port();
  testing::InProcessHost gateway(
      "  - name: grpc-out\n    library: grpc-client\n    config: {targets: {users: {address: \"127.0.0.1:" +
          std::to_string(users.port()) + "\"}, orders: {address: \"127.0.0.1:" + std::to_string(orders.port()) +
          "\"}}}\n  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:" +
          std::to_string(web_port) + "\"}\n" +
          "  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" +
          std::string(HYPERION_TEST_DESCRIPTORS) + "/greeter.pb\"]\n      default_timeout: 2s\n" +
          "      routes:\n"
          "        - {method: GET, path: \"/users/{name}\", grpc: {target: users, method: hello.Greeter/SayHello}}\n"
          "        - {method: GET, path: \"/orders/{name}\", grpc: {target: orders, method: hello.Greeter/SayHello}}\n"
          "        - method: GET\n"
          "          path: \"/both/{name}\"\n"
          "          aggregate:\n"
          "            user: {grpc: {target: users, method: hello.Greeter/SayHello}}\n"
          "            order: {grpc: {target: orders, method: hello.Greeter/SayHello, "
          "body: {name: \"${user.message}\"}}}\n",
      "edge");
  httplib::Client client("127.0.0.1", web_port);
  auto r = client.Get("/users/Ada");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body).at("message").as_string(), "Hello, Ada!");
  r = client.Get("/both/Ada");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body).at("order").at("message").as_string(), "Hello, Hello, Ada!!")
      << "the orders host got the users host's answer";

  // The orders host dies: its routes answer 503 (UNAVAILABLE), the aggregate
  // names the part, and the users host's route goes on.
  orders.kill();
  r = client.Get("/orders/Ada");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(json::parse(r->body).at("grpc_code").as_string(), "UNAVAILABLE");
  r = client.Get("/both/Ada");
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(json::parse(r->body).at("part").as_string(), "order");
  EXPECT_EQ(client.Get("/users/Ada")->status, 200);
}

}  // namespace
}  // namespace hyperion::gateway_test
