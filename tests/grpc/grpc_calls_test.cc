// The grpc-server plugin serving handler plugins, through a real gRPC client on
// loopback: the four RPC kinds, errors, deadlines, cancellation, metadata,
// traceparent, metrics.
#include <gtest/gtest.h>

#include <thread>

#include "grpc/grpc_test_support.h"
#include "hello/greeter.grpc.pb.h"

namespace hyperion::grpc_test {
namespace {

class GrpcCallsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(host_.ok()) << host_.error(); }
  GrpcHost host_;
};

hello::HelloRequest named(const std::string& name, int count = 0) {
  hello::HelloRequest r;
  r.set_name(name);
  r.set_count(count);
  return r;
}

TEST_F(GrpcCallsTest, GreeterServesAllFourKinds) {
  auto stub = hello::Greeter::NewStub(host_.channel());
  {
    grpc::ClientContext ctx;
    hello::HelloReply reply;
    ASSERT_TRUE(stub->SayHello(&ctx, named("Ada"), &reply).ok());
    EXPECT_EQ(reply.message(), "Hello, Ada!");
  }
  {
    grpc::ClientContext ctx;
    auto reader = stub->SayHelloStream(&ctx, named("Ada", 3));
    std::vector<std::string> got;
    hello::HelloReply reply;
    while (reader->Read(&reply)) got.push_back(reply.message());
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(got, (std::vector<std::string>{"Hello, Ada! (1/3)", "Hello, Ada! (2/3)", "Hello, Ada! (3/3)"}));
  }
  {
    grpc::ClientContext ctx;
    hello::HelloReply reply;
    auto writer = stub->CollectHellos(&ctx, &reply);
    for (const char* n : {"Ada", "Grace", "Barbara"}) ASSERT_TRUE(writer->Write(named(n)));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(reply.message(), "Hello, Ada, Grace and Barbara!");
  }
  {
    grpc::ClientContext ctx;
    auto stream = stub->Chat(&ctx);
    hello::HelloReply reply;
    for (const char* n : {"Alan", "Edsger", "Tony"}) {
      ASSERT_TRUE(stream->Write(named(n)));
      ASSERT_TRUE(stream->Read(&reply));
      EXPECT_EQ(reply.message(), std::string("Hello, ") + n + "!");
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
}

TEST_F(GrpcCallsTest, HandlerErrorsBecomeStatusCodes) {
  auto stub = hello::Greeter::NewStub(host_.channel());
  grpc::ClientContext ctx;
  auto reader = stub->SayHelloStream(&ctx, named("Ada", 100000));
  hello::HelloReply reply;
  EXPECT_FALSE(reader->Read(&reply));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(s.error_message(), "count must be 1..100");
}

TEST_F(GrpcCallsTest, UnknownMethodIsUnimplemented) {
  auto channel = host_.channel();
  grpc::Status s = raw_unary(*channel, "/nope.Nothing/Here", "x", nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(s.error_message(), "unknown method /nope.Nothing/Here");
}

TEST_F(GrpcCallsTest, ThrowingHandlersAreInternalAndTheHostLivesOn) {
  auto channel = host_.channel();
  grpc::Status sdk = raw_unary(*channel, "/hyperion.test.Probe/Throw", "x", nullptr);
  EXPECT_EQ(sdk.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(sdk.error_message(), "handler threw: boom");
  // A C callback that throws (no SDK to catch it): the server's recovery does.
  grpc::Status raw = raw_unary(*channel, "/hyperion.test.Probe/RawThrow", "x", nullptr);
  EXPECT_EQ(raw.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(raw.error_message(), "handler threw: raw boom");
  std::string echoed;
  ASSERT_TRUE(raw_unary(*channel, "/hyperion.test.Probe/Echo", "still here", &echoed).ok());
  EXPECT_EQ(echoed, "still here");
}

TEST_F(GrpcCallsTest, RawStreamsInEveryDirection) {
  auto channel = host_.channel();
  using grpc::internal::RpcMethod;
  {
    grpc::ClientContext ctx;
    RpcMethod method("/hyperion.test.Probe/Count", RpcMethod::SERVER_STREAMING);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel.get(), method, &ctx, to_buffer("4")));
    std::string all;
    grpc::ByteBuffer b;
    while (reader->Read(&b)) all += to_string(b);
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(all, "1234");
  }
  {
    grpc::ClientContext ctx;
    RpcMethod method("/hyperion.test.Probe/Concat", RpcMethod::CLIENT_STREAMING);
    grpc::ByteBuffer response;
    std::unique_ptr<grpc::ClientWriter<grpc::ByteBuffer>> writer(
        grpc::internal::ClientWriterFactory<grpc::ByteBuffer>::Create(channel.get(), method, &ctx, &response));
    for (const char* part : {"a", "b", "c"}) ASSERT_TRUE(writer->Write(to_buffer(part)));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(to_string(response), "abc");
  }
  {
    grpc::ClientContext ctx;
    RpcMethod method("/hyperion.test.Probe/Echoes", RpcMethod::BIDI_STREAMING);
    std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
        grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(), method, &ctx));
    grpc::ByteBuffer b;
    for (const char* part : {"x", "y"}) {
      ASSERT_TRUE(stream->Write(to_buffer(part)));
      ASSERT_TRUE(stream->Read(&b));
      EXPECT_EQ(to_string(b), part);
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
}

grpc::Status call_hang(grpc::Channel& channel, grpc::ClientContext& ctx) {
  using grpc::internal::RpcMethod;
  RpcMethod method("/hyperion.test.Probe/Hang", RpcMethod::SERVER_STREAMING);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(&channel, method, &ctx, to_buffer("")));
  grpc::ByteBuffer b;
  while (reader->Read(&b)) {
  }
  return reader->Finish();
}

TEST_F(GrpcCallsTest, DeadlineExceededReachesTheHandlerAsCancel) {
  auto channel = host_.channel();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  grpc::Status s = call_hang(*channel, ctx);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(eventually([&] { return journal_has(host_.journal(), "hang cancelled"); }));
}

TEST_F(GrpcCallsTest, ClientCancellationReachesTheHandler) {
  auto channel = host_.channel();
  grpc::ClientContext ctx;
  grpc::Status s;
  std::thread caller([&] { s = call_hang(*channel, ctx); });
  ASSERT_TRUE(eventually([&] { return journal_has(host_.journal(), "hang started"); }));
  ctx.TryCancel();
  caller.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(eventually([&] { return journal_has(host_.journal(), "hang cancelled"); }));
}

TEST_F(GrpcCallsTest, MetadataRoundTrip) {
  auto channel = host_.channel();
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-echo", "hello metadata");
  std::string blob("\x00\x01\xfe\xff", 4);
  ctx.AddMetadata("x-blob-bin", blob);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  std::string response;
  ASSERT_TRUE(raw_unary(*channel, "/hyperion.test.Probe/Echo", "m", &response, &ctx).ok());
  auto find = [](const auto& map, const std::string& key) {
    auto it = map.find(key);
    return it == map.end() ? std::string("<absent>") : std::string(it->second.data(), it->second.size());
  };
  EXPECT_EQ(find(ctx.GetServerInitialMetadata(), "x-echo-initial"), "hello metadata");
  EXPECT_EQ(find(ctx.GetServerTrailingMetadata(), "x-echo-trailing"), "hello metadata");
  EXPECT_EQ(find(ctx.GetServerTrailingMetadata(), "x-blob-bin"), blob);
  EXPECT_EQ(find(ctx.GetServerTrailingMetadata(), "x-deadline-set"), "yes");
}

TEST_F(GrpcCallsTest, TraceparentIsContinuedOrStarted) {
  auto channel = host_.channel();
  auto seen = [&](const std::string& sent) {
    grpc::ClientContext ctx;
    if (!sent.empty()) ctx.AddMetadata("traceparent", sent);
    EXPECT_TRUE(raw_unary(*channel, "/hyperion.test.Probe/Echo", "t", nullptr, &ctx).ok());
    auto it = ctx.GetServerTrailingMetadata().find("x-traceparent");
    return it == ctx.GetServerTrailingMetadata().end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  const std::string sent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string continued = seen(sent);
  ASSERT_EQ(continued.size(), 55u) << continued;
  EXPECT_EQ(continued.substr(0, 36), sent.substr(0, 36));  // same trace
  EXPECT_NE(continued.substr(36, 16), sent.substr(36, 16));  // a new span
  EXPECT_EQ(continued.substr(52), "-01");
  std::string started = seen("");
  ASSERT_EQ(started.size(), 55u);
  EXPECT_NE(started.substr(3, 32), sent.substr(3, 32));
  std::string invalid = seen("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  EXPECT_NE(invalid.substr(3, 32), std::string(32, '0'));
}

TEST_F(GrpcCallsTest, MetricsPerMethodAndCode) {
  auto channel = host_.channel();
  ASSERT_TRUE(raw_unary(*channel, "/hyperion.test.Probe/Echo", "m", nullptr).ok());
  (void)raw_unary(*channel, "/hyperion.test.Probe/Throw", "m", nullptr);
  (void)raw_unary(*channel, "/nope.Nothing/Here", "m", nullptr);
  // The server records a call after it is done on the wire: wait for it.
  auto has = [&](const std::string& line) {
    return eventually([&] { return host_.host().metrics_text().find(line) != std::string::npos; });
  };
  EXPECT_TRUE(
      has("grpc_server_handled_total{plugin_instance=\"grpc\",grpc_code=\"OK\",grpc_method=\"Echo\","
          "grpc_service=\"hyperion.test.Probe\"} 1"))
      << host_.host().metrics_text();
  EXPECT_TRUE(
      has("grpc_server_handled_total{plugin_instance=\"grpc\",grpc_code=\"INTERNAL\",grpc_method=\"Throw\","
          "grpc_service=\"hyperion.test.Probe\"} 1"));
  // Unknown methods share one series, so a scanner cannot blow up the metrics.
  EXPECT_TRUE(
      has("grpc_server_handled_total{plugin_instance=\"grpc\",grpc_code=\"UNIMPLEMENTED\",grpc_method=\"unknown\","
          "grpc_service=\"unknown\"} 1"));
  EXPECT_TRUE(
      has("grpc_server_handling_seconds_count{plugin_instance=\"grpc\",grpc_method=\"Echo\","
          "grpc_service=\"hyperion.test.Probe\"} 1"));
}

}  // namespace
}  // namespace hyperion::grpc_test
