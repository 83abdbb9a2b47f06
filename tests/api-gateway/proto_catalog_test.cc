// The gateway's JSON <-> protobuf translation on descriptor sets made by
// protoc as a user makes them, and its config checks.
#include "proto_catalog.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <hyperion/plugin.hpp>

#include "grpc_to_http.h"
#include "route_spec.h"
#include "support/test_support.h"

namespace hyperion::plugins::api_gateway {
namespace {

std::string descriptors(const std::string& name) { return std::string(HYPERION_TEST_DESCRIPTORS) + "/" + name; }

std::shared_ptr<const ProtoCatalog> shop() { return ProtoCatalog::load({descriptors("shop.pb")}); }

TEST(ProtoCatalog, RoundTripsNestedRepeatedEnumInt64AndTimestamp) {
  auto catalog = shop();
  RpcMethod put = catalog->method("shop.v1.Orders/PutOrder");
  EXPECT_EQ(put.path, "/shop.v1.Orders/PutOrder");
  const std::string order =
      R"({"orderId":"9007199254740993","userId":"u7","status":"STATUS_SHIPPED","items":["a","b"],)"
      R"("shipTo":{"city":"Oslo","zipCode":"0150"},"placedAt":"2026-11-30T10:00:00Z","total":12.5,"gift":true,)"
      R"("quantities":[1,2]})";
  const std::string bytes = catalog->request_bytes(put, order, {});
  // PutOrder returns an Order too: the same bytes read back as its reply.
  EXPECT_EQ(boost::json::parse(catalog->reply_json(put, bytes, {})), boost::json::parse(order));
  // Proto field names and defaults on request.
  const std::string sparse = catalog->request_bytes(put, R"({"user_id":"u1"})", {});
  EXPECT_EQ(catalog->reply_json(put, sparse, {}), R"({"userId":"u1"})");
  EXPECT_EQ(boost::json::parse(catalog->reply_json(put, sparse, {.proto_field_names = true, .emit_defaults = true}))
                .at("order_id"),
            "0");
}

TEST(ProtoCatalog, PathAndQueryParametersTakeTheFieldsType) {
  auto catalog = shop();
  RpcMethod get = catalog->method("/shop.v1.Orders/GetOrder");
  const std::string bytes = catalog->request_bytes(get, "",
                                                   {{"order_id", "42", "path parameter order_id"},
                                                    {"verbose", "true", "query parameter verbose"},
                                                    {"status", "STATUS_OPEN", "query parameter status"},
                                                    {"tags", "x", "query parameter tags"},
                                                    {"tags", "y", "query parameter tags"},
                                                    {"filter.city", "Oslo", "query parameter filter.city"},
                                                    {"since", "2026-11-30T10:00:00Z", "query parameter since"}});
  // GetOrderRequest read as JSON through a method that returns it does not
  // exist; decode it as the Order it is not would be wrong, so read the fields
  // back through a fresh request with the same values in JSON.
  const std::string expected = catalog->request_bytes(
      get,
      R"({"orderId":"42","verbose":true,"status":"STATUS_OPEN","tags":["x","y"],"filter":{"city":"Oslo"},)"
      R"("since":"2026-11-30T10:00:00Z"})",
      {});
  EXPECT_EQ(bytes, expected);
}

TEST(ProtoCatalog, BadInputIsRefusedNamingWhere) {
  auto catalog = shop();
  RpcMethod get = catalog->method("shop.v1.Orders/GetOrder");
  auto refusal = [&](std::string_view body, std::vector<FieldValue> fields) {
    try {
      (void)catalog->request_bytes(get, body, fields);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal("", {{"order_id", "x1", "path parameter order_id"}})
                .find("path parameter order_id: \"x1\" is not an int64"),
            std::string::npos);
  EXPECT_NE(refusal("", {{"nope", "1", "query parameter nope"}})
                .find("query parameter nope: shop.v1.GetOrderRequest has no field nope"),
            std::string::npos);
  EXPECT_NE(refusal("", {{"status", "LOST", "query parameter status"}}).find("is not a value of shop.v1.Status"),
            std::string::npos);
  EXPECT_NE(refusal("", {{"verbose", "yes", "query parameter verbose"}}).find("is not true or false"),
            std::string::npos);
  EXPECT_NE(refusal("", {{"since", "yesterday", "query parameter since"}}).find("google.protobuf.Timestamp"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"orderId": "x"})", {}).find("the body is not a valid shop.v1.GetOrderRequest"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"unknown": 1})", {}).find("the body is not a valid"), std::string::npos);
  EXPECT_NE(refusal("[1]", {}).find("the body is not a valid"), std::string::npos);
}

TEST(ProtoCatalog, MethodsAndFilesAreChecked) {
  auto catalog = shop();
  auto message = [&](const std::string& name) {
    try {
      (void)catalog->method(name);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("found");
  };
  EXPECT_EQ(message("shop.v1.Orders/Nope"), "service shop.v1.Orders has no method Nope");
  EXPECT_EQ(message("shop.v1.Carts/Get"), "no service shop.v1.Carts in the descriptors");
  EXPECT_NE(message("shop.v1.Orders/Watch").find("streams"), std::string::npos);
  EXPECT_NE(message("GetOrder").find("write package.Service/Method"), std::string::npos);

  testing::TempDir dir;
  const std::string not_a_set = dir.write("junk.pb", "this is not protobuf\xff\xff");
  EXPECT_THROW((void)ProtoCatalog::load({not_a_set}), std::invalid_argument);
  try {
    (void)ProtoCatalog::load({dir.path() + "/missing.pb"});
    ADD_FAILURE() << "a missing file loaded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read " + dir.path() + "/missing.pb"), std::string::npos);
  }
  // The same file in two sets is fine; two sets together load.
  EXPECT_EQ(
      ProtoCatalog::load({descriptors("shop.pb"), descriptors("shop.pb"), descriptors("greeter.pb")})->file_count(),
      3u);  // shop.proto, timestamp.proto, greeter.proto
}

TEST(GrpcToHttp, EveryCodeHasGooglesStatus) {
  const std::vector<std::pair<hyperion_grpc_code_t, int>> expected = {{HYPERION_GRPC_OK, 200},
                                                                      {HYPERION_GRPC_CANCELLED, 499},
                                                                      {HYPERION_GRPC_UNKNOWN, 500},
                                                                      {HYPERION_GRPC_INVALID_ARGUMENT, 400},
                                                                      {HYPERION_GRPC_DEADLINE_EXCEEDED, 504},
                                                                      {HYPERION_GRPC_NOT_FOUND, 404},
                                                                      {HYPERION_GRPC_ALREADY_EXISTS, 409},
                                                                      {HYPERION_GRPC_PERMISSION_DENIED, 403},
                                                                      {HYPERION_GRPC_RESOURCE_EXHAUSTED, 429},
                                                                      {HYPERION_GRPC_FAILED_PRECONDITION, 400},
                                                                      {HYPERION_GRPC_ABORTED, 409},
                                                                      {HYPERION_GRPC_OUT_OF_RANGE, 400},
                                                                      {HYPERION_GRPC_UNIMPLEMENTED, 501},
                                                                      {HYPERION_GRPC_INTERNAL, 500},
                                                                      {HYPERION_GRPC_UNAVAILABLE, 503},
                                                                      {HYPERION_GRPC_DATA_LOSS, 500},
                                                                      {HYPERION_GRPC_UNAUTHENTICATED, 401}};
  for (const auto& [code, status] : expected) EXPECT_EQ(http_status_of(code), status) << code;
  EXPECT_EQ(http_status_of(99), 500) << "a code from the future";
}

boost::json::object config_with(const std::string& routes_json) {
  return boost::json::parse(R"({"descriptors": [")" + descriptors("shop.pb") +
                            R"("], "json": {"proto_field_names": false, "emit_defaults": false},)"
                            R"( "default_timeout": "2s", "routes": )" +
                            routes_json + "}")
      .as_object();
}

std::string config_error(const std::string& routes_json) {
  try {
    (void)parse_config(config_with(routes_json));
  } catch (const hyperion::Error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(GatewayConfig, RoutesAreResolvedOrRefusedNamingTheField) {
  GatewayConfig ok = parse_config(config_with(
      R"([{"method": "GET", "path": "/orders/{order_id}", "priority": 0, "timeout": "300ms",)"
      R"(  "grpc": {"target": "orders", "method": "shop.v1.Orders/GetOrder"}},)"
      R"( {"name": "login", "method": "POST", "path": "/login", "priority": 0, "http": {"target": "discovery://auth/login"}}])"));
  ASSERT_EQ(ok.routes.size(), 2u);
  EXPECT_EQ(ok.routes[0].timeout.count(), 300);
  EXPECT_EQ(ok.routes[0].path_params, std::vector<std::string>{"order_id"});
  EXPECT_EQ(ok.routes[1].timeout.count(), 2000) << "the default";
  EXPECT_EQ(ok.routes[1].where, "routes[1] (login)");

  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o/{id}", "priority": 0,)"
                         R"( "grpc": {"target": "orders", "method": "shop.v1.Orders/GetOrder"}}])")
                .find("routes[0].grpc: the path parameter {id} names no field of shop.v1.GetOrderRequest"),
            std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "priority": 0,)"
                         R"( "grpc": {"target": "orders", "method": "shop.v1.Orders/Gone"}}])")
                .find("routes[0].grpc.method: service shop.v1.Orders has no method Gone"),
            std::string::npos);
  EXPECT_NE(
      config_error(
          R"([{"method": "GET", "path": "/o/{id}", "priority": 0,)"
          R"( "grpc": {"target": "orders", "method": "shop.v1.Orders/GetOrder", "body": {"order_id": "{oid}"}}}])")
          .find("routes[0].grpc.body.order_id: {oid} is not a parameter"),
      std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "auth": "required", "http": {"target": "http://a/b"}}])")
                .find("routes[0].auth: \"required\" needs auth.jwt in the gateway's config"),
            std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "scopes": ["x"], "http": {"target": "http://a/b"}}])")
                .find("routes[0].auth: scopes or roles need auth: required (or optional)"),
            std::string::npos);
  EXPECT_NE(
      config_error(R"([{"method": "GET", "path": "/o", "aggregate": {)"
                   R"("a": {"http": {"target": "http://x/${b.id}"}}, "b": {"http": {"target": "http://x/${a.id}"}}}}])")
          .find("routes[0].aggregate: the parts' references form a cycle"),
      std::string::npos);
  EXPECT_NE(
      config_error(R"([{"method": "GET", "path": "/o", "aggregate": {"a": {"http": {"target": "http://x/${c.id}"}}}}])")
          .find("routes[0].aggregate.a.http.target: ${c.id}: there is no part c"),
      std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "http": {"target": "http://x/${c.id}"}}])")
                .find("only an aggregate's parts refer to others"),
            std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "priority": 0, "http": {"target": "ftp://x/y"}}])")
                .find("routes[0].http.target"),
            std::string::npos);
  EXPECT_NE(config_error(R"([{"method": "GET", "path": "/o", "priority": 0, "http": {"target": "http://a/b"}},)"
                         R"( {"method": "GET", "path": "/o", "priority": 0, "http": {"target": "http://a/c"}}])")
                .find("routes[1]: repeats the method, path, host, headers and priority"),
            std::string::npos);
}

}  // namespace
}  // namespace hyperion::plugins::api_gateway
