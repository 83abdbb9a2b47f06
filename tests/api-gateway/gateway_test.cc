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

#include "api-gateway/jwt_minter.h"
#include "support/in_process_host.h"
#include "support/loopback_http_server.h"

namespace hyperion::gateway_test {
namespace {

namespace json = boost::json;

using namespace std::chrono_literals;

std::string descriptors(const std::string& name) { return std::string(HYPERION_TEST_DESCRIPTORS) + "/" + name; }

// A plain HTTP upstream that echoes what it got.
class EchoUpstream {
 public:
  EchoUpstream() {
    http_.server().Get(R"(/echo/(.*))", [](const httplib::Request& req, httplib::Response& res) {
      boost::json::object seen{{"path", req.path},
                               {"query", req.params.empty() ? "" : req.params.begin()->second},
                               {"forwarded_for", req.get_header_value("X-Forwarded-For")},
                               {"traceparent", req.get_header_value("traceparent")},
                               {"custom", req.get_header_value("X-Custom")},
                               {"user", req.get_header_value("X-User-Id")}};
      res.set_header("X-Upstream", "echo");
      res.set_content(boost::json::serialize(seen), "application/json");
    });
    http_.server().Post("/teapot", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 418;
      res.set_content("short and stout: " + req.body, "text/plain");
    });
    http_.start();
  }
  [[nodiscard]] int port() const { return http_.port(); }

 private:
  testing::LoopbackHttpServer http_;
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
         echo + "/teapot\"}}\n" +
         "        - {method: GET, path: \"/secure/{rest...}\", auth: required, scopes: [orders.read], "
         "http: {target: \"" +
         echo + "/echo/{rest}\"}}\n" +
         "        - {method: GET, path: \"/maybe/{rest...}\", auth: optional, http: {target: \"" + echo +
         "/echo/{rest}\"}}\n"
         "        - {method: GET, path: \"/api/admin/hello/{name}\", auth: required, roles: [admin], "
         "grpc: {target: greeter, method: hello.Greeter/SayHello}}\n" +
         "        - {method: GET, path: \"/limited/{rest...}\", rate_limit: login, http: {target: \"" + echo +
         "/echo/{rest}\"}}\n"
         "        - {method: GET, path: \"/per-user/{rest...}\", auth: required, rate_limit: per_user, "
         "http: {target: \"" +
         echo + "/echo/{rest}\"}}\n" +
         "        - method: GET\n"
         "          path: \"/api/agg/{name}\"\n"
         "          aggregate:\n"
         "            first: {grpc: {target: greeter, method: hello.Greeter/SayHello, body: {name: \"{name}\"}}}\n"
         "            second: {grpc: {target: greeter, method: hello.Greeter/SayHello, body: {name: "
         "\"${first.message}\"}}}\n"
         "            web: {http: {target: \"" +
         echo + "/echo/{name}\"}}\n" +
         "        - method: GET\n"
         "          path: \"/api/agg-policy/{name}\"\n"
         "          aggregate:\n"
         "            ok: {grpc: {target: greeter, method: hello.Greeter/SayHello}}\n"
         "            omitted: {on_error: omit, grpc: {target: greeter, method: shop.v1.Orders/GetOrder, body: {}}}\n"
         "            nulled: {on_error: \"null\", grpc: {target: greeter, method: shop.v1.Orders/GetOrder, body: "
         "{}}}\n"
         "            after: {on_error: \"null\", grpc: {target: greeter, method: hello.Greeter/SayHello, "
         "body: {name: \"${omitted.userId}\"}}}\n"
         "        - method: GET\n"
         "          path: \"/api/agg-fail/{name}\"\n"
         "          aggregate:\n"
         "            ok: {grpc: {target: greeter, method: hello.Greeter/SayHello}}\n"
         "            broken: {grpc: {target: greeter, method: shop.v1.Orders/GetOrder, body: {}}}\n";
}

std::string g_jwks_file;  // set by the fixture before a manifest is made

std::string manifest(int grpc_port, int web_port, const std::string& gateway_routes) {
  return "  - name: grpc\n    library: grpc-server\n    config: {listen: \"127.0.0.1:" + std::to_string(grpc_port) +
         "\"}\n  - name: greeter\n    library: greeter\n"
         "  - name: grpc-out\n    library: grpc-client\n    config: {targets: {greeter: {address: \"127.0.0.1:" +
         std::to_string(grpc_port) + "\"}}}\n" + "  - name: http-out\n    library: http-client\n" +
         "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:" + std::to_string(web_port) +
         "\"}\n  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" +
         descriptors("greeter.pb") + "\", \"" + descriptors("shop.pb") + "\"]\n" +
         "      auth: {jwt: {issuer: \"https://id.example\", audiences: [shop], algorithms: [RS256, ES256, HS256], "
         "jwks_file: \"" +
         g_jwks_file + "\", jwks_check_interval: 20ms, forward: {sub: x-user-id}}}\n" +
         "      rate_limits: {login: {rps: 5, burst: 3}, per_user: {rps: 0.001, burst: 1, key: subject}}\n" +
         gateway_routes;
}

class GrpcGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    g_jwks_file = dir_.write("jwks.json", minter().jwks());
    grpc_port_ = testing::free_loopback_port();
    web_port_ = testing::free_loopback_port();
    host_ = std::make_unique<testing::InProcessHost>(manifest(grpc_port_, web_port_, routes(echo_.port())), "edge");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", web_port_);
  }
  boost::json::value json(const httplib::Result& r) { return boost::json::parse(r->body); }

  static JwtMinter& minter() {
    static JwtMinter m;  // an RSA key takes a moment to make: once for the suite
    return m;
  }
  static boost::json::object claims(const std::string& scope = "orders.read") {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return {{"iss", "https://id.example"}, {"aud", "shop"}, {"sub", "user-7"}, {"exp", now + 300}, {"scope", scope}};
  }
  static httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  testing::TempDir dir_;
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

  // Metrics per route and per upstream.
  const std::string metrics = host_->host().metrics_text();
  EXPECT_NE(
      metrics.find(R"(gateway_requests_total{plugin_instance="gateway",code="200",route="GET /api/hello/{name}"} 2)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(gateway_upstream_requests_total{plugin_instance="gateway",outcome="OK",)"
                         R"(route="GET /api/hello/{name}",upstream="greeter /hello.Greeter/SayHello"} 2)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(gateway_upstream_duration_seconds_count{plugin_instance="gateway",)"
                         R"(upstream="greeter /hello.Greeter/SayHello"} 4)"),
            std::string::npos)
      << metrics;
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
  EXPECT_NE(summary.find("routes[16].grpc.method: service hello.Greeter has no method Gone"), std::string::npos)
      << summary;
  r = client_->Get("/api/hello/Still");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(GrpcGateway, BearerTokensAreRequiredCheckedAndForwarded) {
  // No token: 401 with the RFC 6750 challenge.
  auto r = client_->Get("/secure/a");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"api\"");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  // Not a bearer token; a forged one (alg none); an expired one.
  r = client_->Get("/secure/a", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("error=\"invalid_request\""), std::string::npos);
  r = client_->Get("/secure/a", bearer(JwtMinter::unsigned_token({{"alg", "none"}}, claims())));
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"),
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the algorithm none is not accepted\"");
  json::object expired = claims();
  expired["exp"] = expired["exp"].as_int64() - 3600;
  r = client_->Get("/secure/a", bearer(minter().sign("RS256", expired)));
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("the token expired"), std::string::npos);
  // Valid but without the route's scope: 403.
  r = client_->Get("/secure/a", bearer(minter().sign("ES256", claims("users.read"))));
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"),
            "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"orders.read\"");
  // Valid: through, with the subject forwarded and the client's own X-User-Id dropped.
  httplib::Headers headers = bearer(minter().sign("RS256", claims()));
  headers.emplace("X-User-Id", "admin");
  r = client_->Get("/secure/a", headers);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json(r).at("user").as_string(), "user-7");
  // The scheme in any case (RFC 9110).
  r = client_->Get("/secure/a", {{"Authorization", "bEaReR " + minter().sign("HS256", claims())}});
  EXPECT_EQ(r->status, 200);
  // Optional: no token passes (and carries no identity); a bad one is still refused.
  r = client_->Get("/maybe/a", {{"X-User-Id", "admin"}});
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json(r).at("user").as_string(), "");
  EXPECT_EQ(client_->Get("/maybe/a", bearer("x.y.z"))->status, 401);
  const std::string metrics = host_->host().metrics_text();
  EXPECT_NE(metrics.find(R"(gateway_rejected_total{plugin_instance="gateway",reason="unauthenticated",)"
                         R"(route="GET /secure/{rest...}"} 4)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(R"(gateway_requests_total{plugin_instance="gateway",code="403",route="GET /secure/{rest...}"} 1)"),
      std::string::npos)
      << metrics;
  // Roles on a gRPC route.
  EXPECT_EQ(client_->Get("/api/admin/hello/Ada", bearer(minter().sign("RS256", claims())))->status, 403);
  json::object admin = claims();
  admin["roles"] = json::array{"admin"};
  r = client_->Get("/api/admin/hello/Ada", bearer(minter().sign("RS256", admin)));
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(GrpcGateway, ARotatedJwksIsTakenAndABrokenOneIsNot) {
  const std::string old_token = minter().sign("RS256", claims());
  ASSERT_EQ(client_->Get("/secure/a", bearer(old_token))->status, 200);
  // The provider rotates: a new key set replaces the old one in the file.
  JwtMinter next("k2");
  const std::string new_token = next.sign("ES256", claims());
  EXPECT_EQ(client_->Get("/secure/a", bearer(new_token))->status, 401);
  dir_.write("jwks.json", next.jwks());
  bool taken = false;
  for (int i = 0; i < 500 && !taken; ++i) {
    taken = client_->Get("/secure/a", bearer(new_token))->status == 200;
    if (!taken) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(taken) << "the new key is used";
  EXPECT_EQ(client_->Get("/secure/a", bearer(old_token))->status, 401) << "the old key is gone";
  // A broken file is not taken: the keys in force stay, and health says so.
  dir_.write("jwks.json", "{\"keys\": [{\"kty\": \"RSA\"");
  bool degraded = false;
  for (int i = 0; i < 500 && !degraded; ++i) {
    degraded = host_->health("gateway").find("\"degraded\"") != std::string::npos;
    if (!degraded) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(degraded) << host_->health("gateway");
  EXPECT_EQ(client_->Get("/secure/a", bearer(new_token))->status, 200);
}

TEST_F(GrpcGateway, RateLimitsAnswer429WithHeadersAndRecover) {
  for (int i = 0; i < 3; ++i) {
    auto r = client_->Get("/limited/a");
    ASSERT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->get_header_value("RateLimit-Limit"), "3");
    EXPECT_EQ(r->get_header_value("RateLimit-Remaining"), std::to_string(2 - i));
  }
  auto r = client_->Get("/limited/a");
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1") << "a token is back within 1/5 s, rounded up";
  EXPECT_EQ(r->get_header_value("RateLimit-Remaining"), "0");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_NE(
      host_->host().metrics_text().find(
          R"(gateway_rejected_total{plugin_instance="gateway",reason="rate_limited",route="GET /limited/{rest...}"} 1)"),
      std::string::npos);
  EXPECT_EQ(client_->Get("/web/a")->status, 200) << "an unlimited route is not touched";
  bool recovered = false;
  for (int i = 0; i < 200 && !recovered; ++i) {
    recovered = client_->Get("/limited/a")->status == 200;
    if (!recovered) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(recovered);

  // Per subject: one user's bucket does not hold back another's.
  json::object ada = claims(), bob = claims();
  bob["sub"] = "bob";
  EXPECT_EQ(client_->Get("/per-user/a", bearer(minter().sign("RS256", ada)))->status, 200);
  EXPECT_EQ(client_->Get("/per-user/a", bearer(minter().sign("RS256", ada)))->status, 429);
  EXPECT_EQ(client_->Get("/per-user/a", bearer(minter().sign("RS256", bob)))->status, 200);
  // A reload keeps the buckets: the user is still limited after it.
  const std::string extra = "        - {method: GET, path: /extra, http: {target: \"http://127.0.0.1:1/x\"}}\n";
  EXPECT_NE(host_->reload(manifest(grpc_port_, web_port_, routes(echo_.port()) + extra)).find("applied"),
            std::string::npos);
  EXPECT_EQ(client_->Get("/per-user/a", bearer(minter().sign("RS256", ada)))->status, 429);
}

TEST_F(GrpcGateway, AggregatesComposePartsInParallelAndInOrder) {
  auto r = client_->Get("/api/agg/Ada");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = json(r).as_object();
  EXPECT_EQ(v.at("first"), json::parse(R"({"message":"Hello, Ada!"})"));
  EXPECT_EQ(v.at("second"), json::parse(R"({"message":"Hello, Hello, Ada!!"})")) << "second used first's result";
  EXPECT_EQ(v.at("web").at("path").as_string(), "/echo/Ada");

  // Per-part failure policies: omitted is left out, nulled is null, and a part
  // that needs an omitted result is itself null (its own policy).
  r = client_->Get("/api/agg-policy/Ada");
  ASSERT_EQ(r->status, 200) << r->body;
  v = json(r).as_object();
  EXPECT_EQ(v.at("ok"), json::parse(R"({"message":"Hello, Ada!"})"));
  EXPECT_FALSE(v.contains("omitted"));
  EXPECT_TRUE(v.at("nulled").is_null());
  EXPECT_TRUE(v.at("after").is_null());

  // on_error: fail (the default) fails the whole request with the part's status.
  r = client_->Get("/api/agg-fail/Ada");
  ASSERT_EQ(r->status, 501) << r->body;
  EXPECT_EQ(json(r).at("part").as_string(), "broken");
  EXPECT_EQ(json(r).at("grpc_code").as_string(), "UNIMPLEMENTED");
}

}  // namespace
}  // namespace hyperion::gateway_test
