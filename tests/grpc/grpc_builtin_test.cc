// The grpc-server plugin's own services: grpc.health.v1 from the host's
// aggregate, and server reflection over the handlers' descriptors.
#include <gtest/gtest.h>

#include <google/protobuf/descriptor.pb.h>

#include <algorithm>

#include "grpc/grpc_test_support.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace hyperion::grpc_test {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
namespace rf = grpc::reflection::v1alpha;

class GrpcBuiltinTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(host_.ok()) << host_.error(); }

  grpc::Status check(const std::string& service, HealthCheckResponse* response) {
    grpc::ClientContext ctx;
    HealthCheckRequest request;
    request.set_service(service);
    return Health::NewStub(host_.channel())->Check(&ctx, request, response);
  }
  // One reflection request on a fresh stream.
  rf::ServerReflectionResponse reflect(const rf::ServerReflectionRequest& request) {
    grpc::ClientContext ctx;
    auto stream = rf::ServerReflection::NewStub(host_.channel())->ServerReflectionInfo(&ctx);
    rf::ServerReflectionResponse response;
    EXPECT_TRUE(stream->Write(request));
    EXPECT_TRUE(stream->Read(&response));
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    return response;
  }
  std::string with_probe_healthy(bool healthy) {
    std::string text = host_.manifest_text();
    std::string from = "config: {journal: \"" + host_.journal() + "\"}";
    text.replace(text.find(from), from.size(),
                 "config: {journal: \"" + host_.journal() + "\", healthy: " + (healthy ? "true" : "false") + "}");
    return text;
  }

  GrpcHost host_;
};

TEST_F(GrpcBuiltinTest, CheckFollowsTheAggregate) {
  HealthCheckResponse r;
  ASSERT_TRUE(check("", &r).ok());
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(check("hello.Greeter", &r).ok());
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(check("probe", &r).ok());  // an instance name
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
  grpc::Status unknown = check("no.Such", &r);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_EQ(host_.reload(with_probe_healthy(false)).substr(0, 7), "applied");
  ASSERT_TRUE(check("", &r).ok());
  EXPECT_EQ(r.status(), HealthCheckResponse::NOT_SERVING);  // a required instance is unhealthy
  ASSERT_TRUE(check("probe", &r).ok());
  EXPECT_EQ(r.status(), HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(check("greeter", &r).ok());
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
}

TEST_F(GrpcBuiltinTest, WatchStreamsChanges) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  HealthCheckRequest request;
  auto reader = Health::NewStub(host_.channel())->Watch(&ctx, request);
  HealthCheckResponse r;
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
  ASSERT_EQ(host_.reload(with_probe_healthy(false)).substr(0, 7), "applied");
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.status(), HealthCheckResponse::NOT_SERVING);
  ASSERT_EQ(host_.reload(with_probe_healthy(true)).substr(0, 7), "applied");
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVING);
  // Watching an unknown service is not an error: it reads SERVICE_UNKNOWN.
  grpc::ClientContext ctx2;
  request.set_service("no.Such");
  auto unknown = Health::NewStub(host_.channel())->Watch(&ctx2, request);
  ASSERT_TRUE(unknown->Read(&r));
  EXPECT_EQ(r.status(), HealthCheckResponse::SERVICE_UNKNOWN);
  ctx2.TryCancel();
  ctx.TryCancel();
  (void)unknown->Finish();
  (void)reader->Finish();
}

TEST_F(GrpcBuiltinTest, ReflectionListsAndDescribesServices) {
  rf::ServerReflectionRequest list;
  list.set_list_services("");
  auto listed = reflect(list);
  std::vector<std::string> names;
  for (const auto& s : listed.list_services_response().service()) names.push_back(s.name());
  EXPECT_EQ(names, (std::vector<std::string>{"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                             "grpc.reflection.v1alpha.ServerReflection", "hello.Greeter",
                                             "hyperion.test.Probe"}));

  rf::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("hello.Greeter");
  auto described = reflect(symbol);
  ASSERT_TRUE(described.has_file_descriptor_response()) << described.error_response().error_message();
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(described.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "hello/greeter.proto");
  ASSERT_EQ(file.service_size(), 1);
  EXPECT_EQ(file.service(0).method_size(), 4);
  EXPECT_EQ(file.service(0).method(3).name(), "Chat");
  EXPECT_TRUE(file.service(0).method(3).client_streaming());

  rf::ServerReflectionRequest method;
  method.set_file_containing_symbol("hello.Greeter.SayHello");
  EXPECT_TRUE(reflect(method).has_file_descriptor_response());
  rf::ServerReflectionRequest by_name;
  by_name.set_file_by_filename("grpc/health/v1/health.proto");
  EXPECT_TRUE(reflect(by_name).has_file_descriptor_response());

  rf::ServerReflectionRequest missing;
  missing.set_file_containing_symbol("no.Such");
  auto error = reflect(missing);
  ASSERT_TRUE(error.has_error_response());
  EXPECT_EQ(error.error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(error.error_response().error_message(), "symbol not found: no.Such");
}

// grpc.reflection.v1, which current grpcurl and Postman ask first: the same
// answers as v1alpha.
TEST_F(GrpcBuiltinTest, ReflectionV1ListsAndDescribesServices) {
  namespace v1 = grpc::reflection::v1;
  grpc::ClientContext ctx;
  auto stream = v1::ServerReflection::NewStub(host_.channel())->ServerReflectionInfo(&ctx);
  v1::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  v1::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> names;
  for (const auto& s : listed.list_services_response().service()) names.push_back(s.name());
  EXPECT_NE(std::find(names.begin(), names.end(), "hello.Greeter"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.reflection.v1.ServerReflection"), names.end());
  v1::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("grpc.reflection.v1.ServerReflection");
  ASSERT_TRUE(stream->Write(symbol));
  v1::ServerReflectionResponse described;
  ASSERT_TRUE(stream->Read(&described));
  ASSERT_TRUE(described.has_file_descriptor_response()) << described.error_response().error_message();
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(described.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "grpc/reflection/v1/reflection.proto");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GrpcBuiltinTest, ReflectionAndHealthCanBeTurnedOffLive) {
  std::string text = host_.manifest_text();
  std::string from = "health_watch_interval_ms: 10";
  text.replace(text.find(from), from.size(), from + ", reflection: false, health: false");
  ASSERT_EQ(host_.reload(text).substr(0, 7), "applied");
  HealthCheckResponse r;
  EXPECT_EQ(check("", &r).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  grpc::ClientContext ctx;
  auto stream = rf::ServerReflection::NewStub(host_.channel())->ServerReflectionInfo(&ctx);
  rf::ServerReflectionRequest list;
  list.set_list_services("");
  stream->Write(list);
  rf::ServerReflectionResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace hyperion::grpc_test
