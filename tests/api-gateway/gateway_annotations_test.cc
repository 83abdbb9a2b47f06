// Routes made from google.api.http annotations: a library service (a grpc++
// callback server in this process) annotated as grpc-gateway users annotate
// theirs, reached through http-server + api-gateway + grpc-client.
// (Named Grpc*: gRPC runs in this process, which the TSan run leaves out,
// decision 0007.)
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>

#include "library/v1/library.grpc.pb.h"
#include "route_spec.h"
#include "support/in_process_host.h"

namespace hyperion::gateway_test {
namespace {

namespace json = boost::json;

std::string library_pb() { return std::string(HYPERION_TEST_DESCRIPTORS) + "/library.pb"; }

class Library final : public library::v1::Library::CallbackService {
  grpc::ServerUnaryReactor* GetBook(grpc::CallbackServerContext* ctx, const library::v1::GetBookRequest* request,
                                    library::v1::Book* reply) override {
    reply->set_shelf(request->shelf());
    reply->set_id(request->id());
    reply->set_title("Book " + std::to_string(request->id()) + " on " + request->shelf());
    auto* r = ctx->DefaultReactor();
    r->Finish(request->id() == 404 ? grpc::Status(grpc::StatusCode::NOT_FOUND, "no such book") : grpc::Status::OK);
    return r;
  }
  grpc::ServerUnaryReactor* CreateBook(grpc::CallbackServerContext* ctx, const library::v1::CreateBookRequest* request,
                                       library::v1::Book* reply) override {
    *reply = request->book();
    reply->set_shelf(request->shelf());
    reply->set_id(7);
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
  grpc::ServerUnaryReactor* GetAuthor(grpc::CallbackServerContext* ctx, const library::v1::GetAuthorRequest* request,
                                      library::v1::GetAuthorReply* reply) override {
    reply->mutable_author()->set_name("author of " + request->book().shelf() + "/" +
                                      std::to_string(request->book().id()));
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
};

TEST(GrpcGatewayAnnotations, RoutesComeFromTheHttpRules) {
  Library service;
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  ASSERT_TRUE(server);
  const int web_port = testing::free_loopback_port();
  {
    testing::InProcessHost host(
        "  - name: grpc-out\n    library: grpc-client\n    config: {targets: {library: {address: \"127.0.0.1:" +
            std::to_string(grpc_port) + "\"}}}\n" +
            "  - name: web\n    library: http-server\n    config: {listen: \"127.0.0.1:" + std::to_string(web_port) +
            "\"}\n  - name: gateway\n    library: api-gateway\n    config:\n      descriptors: [\"" + library_pb() +
            "\"]\n      annotated: [{target: library, service: library.v1.Library}]\n",
        "edge");
    httplib::Client client("127.0.0.1", web_port);
    // get: "/v1/shelves/{shelf}/books/{id}", and its additional binding.
    auto r = client.Get("/v1/shelves/fiction/books/42");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body), json::parse(R"({"shelf":"fiction","id":"42","title":"Book 42 on fiction"})"));
    r = client.Get("/v1/books/poetry/3");
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body).at("shelf").as_string(), "poetry");
    // post with body: "book": the HTTP body is the book field.
    r = client.Post("/v1/shelves/fiction/books", R"({"title": "Dune"})", "application/json");
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body), json::parse(R"({"shelf":"fiction","id":"7","title":"Dune"})"));
    // Dotted fields in the path, and response_body: "author".
    r = client.Get("/v1/authors/sci-fi/9");
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body), json::parse(R"({"name":"author of sci-fi/9"})"));
    // Status mapping as for written routes; the unannotated method has no route.
    EXPECT_EQ(client.Get("/v1/shelves/fiction/books/404")->status, 404);
    EXPECT_EQ(client.Get("/v1/shelves/fiction/books/x")->status, 400);
  }
  server->Shutdown();
}

TEST(GatewayAnnotations, BindingsBecomeRoutesOrAreRefusedNamingThem) {
  auto config = [](const std::string& annotated) {
    return json::parse(R"({"descriptors": [")" + library_pb() +
                       R"("], "json": {"proto_field_names": false, "emit_defaults": false}, "default_timeout": "2s",)"
                       R"( "routes": [], "annotated": )" +
                       annotated + "}")
        .as_object();
  };
  auto parsed =
      plugins::api_gateway::parse_config(config(R"([{"target": "library", "service": "library.v1.Library"}])"));
  ASSERT_EQ(parsed.routes.size(), 4u);
  EXPECT_EQ(parsed.routes[0].method, "GET");
  EXPECT_EQ(parsed.routes[0].path, "/v1/shelves/{shelf}/books/{id}");
  EXPECT_EQ(parsed.routes[0].label, "library.v1.Library/GetBook");
  EXPECT_EQ(parsed.routes[2].grpc->body_field, "book");
  EXPECT_EQ(parsed.routes[3].path, "/v1/authors/{book__shelf}/{book__id}");
  EXPECT_EQ(parsed.routes[3].grpc->param_fields.at("book__id"), "book.id");
  EXPECT_EQ(parsed.routes[3].grpc->response_field, "author");
  try {
    (void)plugins::api_gateway::parse_config(config(R"([{"target": "library", "service": "library.v1.Nope"}])"));
    ADD_FAILURE() << "an unknown service was accepted";
  } catch (const hyperion::Error& e) {
    EXPECT_NE(std::string(e.what()).find("annotated[0].service: no service library.v1.Nope"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hyperion::gateway_test
