// The api-gateway plugin in a real host: routes on the http-server, a Hyperion
// gRPC upstream (grpc-server + the greeter example) reached through the
// grpc-client, an HTTP upstream (a cpp-httplib server on loopback) reached
// through the http-client, all on loopback; clients are plain HTTP.
// (Named Grpc*: gRPC runs in this process, which the TSan run leaves out,
// decision 0007.)
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>

#include <atomic>
#include <thread>

#include "support/in_process_host.h"

namespace hyperion::gateway_test {
namespace {

using namespace std::chrono_literals;

std::string descriptors(const std::string& name) { return std::string(HYPERION_TEST_DESCRIPTORS) + "/" + name; }

// A plain HTTP upstream that echoes what it got.
class EchoUpstream {
 public:
  EchoUpstream() {
    server_.Get(R"(/echo/(.*))", [](const httplib::Request& req, httplib::Response& res) {
      boost::json::object seen{{"path", req.path},
                               {"query", req.params.empty() ? "" : req.params.begin()->second},
                               {"forwarded_for", req.get_header_value("X-Forwarded-For")},
                               {"traceparent", req.get_header_value("traceparent")},
                               {"custom", req.get_header_value("X-Custom")}};
      res.set_header("X-Upstream", "echo");
      res.set_content(boost::json::serialize(seen), "application/json");
    });
    server_.Post("/teapot", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 418;
      res.set_content("short and stout: " + req.body, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~EchoUpstream() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::string routes(int echo_port) {
  const std::string echo = "http://127.0.0.1:" + std::to_string(echo_port);
  return "      routes:\n"
         "        - {method: GET, path: \"/api/hello/{name}\", grpc: {target: greeter, method: "
         "hello.Greeter/SayHello}}\n"
         "        - {method: POST, path: /api/hello, grpc: {target: greeter, method: hello.Greeter/SayHello}}\n"
         "        - {method: GET, path: \"/api/hi/{who}\", grpc: {target: greeter, method: hello.Greeter/SayHello, "
         "body: {name: \"dear {who}\"}}}\n"
         "        - {method: GET, path: \"/api/orders/{order_id}\", timeout: 2s, "
         "grpc: {target: greeter, method: shop.v1.Orders/GetOrder}}\n"
         "        - {method: GET, path: \"/api/ghost/{name}\", grpc: {target: nowhere, method: "
         "hello.Greeter/SayHello}}\n"
         "        - {method: GET, path: \"/web/{rest...}\", http: {target: \"" +
         echo +
         "/echo/{rest}\"}}\n"
         "        - {name: canary, method: GET, path: \"/web/{rest...}\", headers: {x-canary: \"1\"}, priority: 10, "
         "http: {target: \"" +
         echo +
         "/echo/canary/{rest}\"}}\n"
         "        - {method: POST, path: /tea, http: {target: \"" +
         echo + "/teapot\"}}\n";
}

std::string manifest(int grpc_port, int web_port, const std::string& gateway_routes) {
  return "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:" + std::to_string(grpc_port) +
         "\"}\n  - name: greeter\n    library: greeter\n"
         "  - name: grpc-out\n    library: grpc-client\n    config: {targets: {greeter: {address: \"127.0.0.1:" +
         std::to_string(grpc_port) + "\"}}}\n" + "  - name: http-out\n    library: http-client\n" +
         "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:" + std::to_string(web_port) +
         "\"}\n  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" +
         descriptors("greeter.pb") + "\", \"" + descriptors("shop.pb") + "\"]\n" + gateway_routes;
}

class GrpcGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc_port_ = testing::free_loopback_port();
    web_port_ = testing::free_loopback_port();
    host_ = std::make_unique<testing::InProcessHost>(manifest(grpc_port_, web_port_, routes(echo_.port())), "edge");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", web_port_);
  }
  boost::json::value json(const httplib::Result& r) { return boost::json::parse(r->body); }

  EchoUpstream echo_;
  int grpc_port_ = 0;
  int web_port_ = 0;
  std::unique_ptr<testing::InProcessHost> host_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(GrpcGateway, TranslatesHttpToGrpcAndBack) {
  auto r = client_->Get("/api/hello/Ada");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json(r), boost::json::parse(R"({"message":"Hello, Ada!"})"));

  r = client_->Post("/api/hello", R"({"name": "Grace"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(json(r), boost::json::parse(R"({"message":"Hello, Grace!"})")) << r->body;

  r = client_->Get("/api/hi/Alan");
  ASSERT_TRUE(r);
  EXPECT_EQ(json(r), boost::json::parse(R"({"message":"Hello, dear Alan!"})")) << r->body;

  // Query parameters fill fields too (count is an int32 of HelloRequest).
  r = client_->Get("/api/hello/Ada?count=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(GrpcGateway, BadRequestsAreProblemsNamingWhatIsWrong) {
  auto r = client_->Post("/api/hello", R"({"name": 5, "nope": 1})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_NE(json(r).at("detail").as_string().find("the body is not a valid hello.HelloRequest"), std::string::npos)
      << r->body;

  r = client_->Post("/api/hello", "name=Ada", "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);

  r = client_->Get("/api/hello/Ada?count=many");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("query parameter count: \\\"many\\\" is not an int32"), std::string::npos) << r->body;

  r = client_->Get("/api/hello/Ada?colour=red");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("hello.HelloRequest has no field colour"), std::string::npos) << r->body;
}

TEST_F(GrpcGateway, GrpcStatusesBecomeHttpStatuses) {
  // The greeter's server does not implement shop.v1.Orders: UNIMPLEMENTED -> 501.
  auto r = client_->Get("/api/orders/42");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501) << r->body;
  EXPECT_EQ(json(r).at("grpc_code").as_string(), "UNIMPLEMENTED");
  // A target the grpc-client does not have: the gateway's configuration is at fault, 502.
  r = client_->Get("/api/ghost/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_NE(json(r).at("detail").as_string().find("routes[4]"), std::string::npos) << r->body;
}

TEST_F(GrpcGateway, ForwardsHttpWithPathQueryAndHeaders) {
  auto r = client_->Get("/web/a/b%20c?q=1", {{"X-Custom", "yes"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Upstream"), "echo");
  auto seen = json(r);
  EXPECT_EQ(seen.at("path").as_string(), "/echo/a/b c");
  EXPECT_EQ(seen.at("query").as_string(), "1");
  EXPECT_EQ(seen.at("forwarded_for").as_string(), "127.0.0.1");
  EXPECT_EQ(seen.at("custom").as_string(), "yes");
  EXPECT_EQ(seen.at("traceparent").as_string().size(), 55u) << "the trace goes on upstream";

  // A header condition with a higher priority takes the canary route.
  r = client_->Get("/web/a", {{"X-Canary", "1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(json(r).at("path").as_string(), "/echo/canary/a");

  // The upstream's status and body come back as they were.
  r = client_->Post("/tea", "milk", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->body, "short and stout: milk");
}

TEST_F(GrpcGateway, RouteTableIsReplacedAtomicallyUnderLoad) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread load([&] {
    httplib::Client c("127.0.0.1", web_port_);
    for (int i = 0; i < 100000 && !stop; ++i) {
      auto r = c.Get("/api/hello/Load");
      (r && r->status == 200) ? ++ok : ++failed;
    }
  });
  // Add a route and drop one, twice over, while requests flow on a route kept throughout.
  const std::string extra =
      "        - {method: GET, path: \"/api/v2/hello/{name}\", grpc: {target: greeter, "
      "method: hello.Greeter/SayHello}}\n";
  const std::string next = manifest(grpc_port_, web_port_, routes(echo_.port()) + extra);
  EXPECT_NE(host_->reload(next).find("applied"), std::string::npos);
  auto r = client_->Get("/api/v2/hello/New");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(host_->reload(manifest(grpc_port_, web_port_, routes(echo_.port()))).find("applied"), std::string::npos);
  r = client_->Get("/api/v2/hello/New");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << "the dropped route is gone";
  for (int i = 0; i < 2000 && ok < 200; ++i) std::this_thread::sleep_for(1ms);
  stop = true;
  load.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0);

  // A config naming a method the descriptors lack is refused, naming it; the table in force stays.
  const std::string bad =
      "        - {method: GET, path: /api/bad, grpc: {target: greeter, method: hello.Greeter/Gone}}\n";
  const std::string summary = host_->reload(manifest(grpc_port_, web_port_, routes(echo_.port()) + bad));
  EXPECT_NE(summary.find("routes[8].grpc.method: service hello.Greeter has no method Gone"), std::string::npos)
      << summary;
  r = client_->Get("/api/hello/Still");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace hyperion::gateway_test
