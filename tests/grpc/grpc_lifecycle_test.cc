// The grpc-server plugin's lifecycle: graceful drain on stop, handler
// replacement with calls in flight, TLS and mTLS, and configurations that
// cannot work failing with the field named.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "grpc/grpc_test_support.h"
#include "support/test_certificates.h"
#include "hello/greeter.grpc.pb.h"

namespace hyperion::grpc_test {
namespace {

using grpc::internal::RpcMethod;

TEST(GrpcLifecycle, StopLetsCallsInFlightFinish) {
  GrpcHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  auto channel = host.channel();
  auto call = std::async(std::launch::async, [&] {
    grpc::ClientContext ctx;
    grpc::ByteBuffer response;
    std::unique_ptr<grpc::ClientWriter<grpc::ByteBuffer>> writer(grpc::internal::ClientWriterFactory<grpc::ByteBuffer>::Create(
        channel.get(), RpcMethod("/hyperion.test.Probe/Slow", RpcMethod::CLIENT_STREAMING), &ctx, &response));
    writer->Write(to_buffer("late"));
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    return s.ok() ? to_string(response) : "error " + std::to_string(s.error_code()) + " " + s.error_message();
  });
  ASSERT_TRUE(eventually([&] { return journal_has(host.journal(), "slow started"); }));
  host.stop();  // returns only after the call in flight was answered
  EXPECT_EQ(call.get(), "late");
}

// A handler plugin's stop waits for its calls only until its stop deadline;
// then the calls still running are cancelled (the handler sees on_cancel) and
// the host stops on time.
TEST(GrpcLifecycle, CallsPastTheStopDeadlineAreCancelled) {
  GrpcHost host("", "  - name: slowpoke\n    library: grpc_probe\n    stop_timeout_ms: 300\n"
                    "    config: {journal: \"JOURNAL\"}\n");
  ASSERT_TRUE(host.ok()) << host.error();
  auto channel = host.channel();
  grpc::Status status;
  std::thread caller([&] {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
        channel.get(), RpcMethod("/hyperion.test.Probe/Hang", RpcMethod::SERVER_STREAMING), &ctx, to_buffer("")));
    grpc::ByteBuffer b;
    while (reader->Read(&b)) {
    }
    status = reader->Finish();
  });
  std::string journal = host.dir().path() + "/JOURNAL";
  ASSERT_TRUE(eventually([&] { return journal_has(journal, "hang started"); }));
  host.stop();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  EXPECT_TRUE(journal_has(journal, "hang cancelled"));
}

TEST(GrpcLifecycle, NewCallsGoToTheNewestHandlerWhileOldCallsStay) {
  GrpcHost host("", "  - name: probe2\n    library: grpc_probe\n    config: {prefix: \"v2:\"}\n");
  ASSERT_TRUE(host.ok()) << host.error();
  auto channel = host.channel();
  std::string r;
  ASSERT_TRUE(raw_unary(*channel, "/hyperion.test.Probe/Echo", "x", &r).ok());
  EXPECT_EQ(r, "v2:x");  // probe2 registered last

  // A stream that probe2 serves stays with probe2 while probe2 is removed...
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), RpcMethod("/hyperion.test.Probe/Echoes", RpcMethod::BIDI_STREAMING), &ctx));
  grpc::ByteBuffer b;
  ASSERT_TRUE(stream->Write(to_buffer("a")));
  ASSERT_TRUE(stream->Read(&b));
  EXPECT_EQ(to_string(b), "v2:a");
  std::string without = host.manifest_text().substr(0, host.manifest_text().find("  - name: probe2"));
  auto removal = std::async(std::launch::async, [&] { return host.reload(without); });
  // ...while new calls already reach probe, the one registered before it.
  ASSERT_TRUE(eventually([&] {
    std::string now;
    return raw_unary(*channel, "/hyperion.test.Probe/Echo", "x", &now).ok() && now == "x";
  }));
  ASSERT_TRUE(stream->Write(to_buffer("b")));
  ASSERT_TRUE(stream->Read(&b));
  EXPECT_EQ(to_string(b), "v2:b");
  EXPECT_EQ(removal.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);  // draining the stream
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(removal.get().substr(0, 7), "applied");
}

// A static change (the port) restarts the server, and the handler plugins that
// registered with it restart around it: the new server serves them at once.
TEST(GrpcLifecycle, PortChangeRestartsTheServerAndItsHandlers) {
  GrpcHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  std::string text = host.manifest_text();
  std::string from = "listen: \"127.0.0.1:0\"";
  int other = free_loopback_port();
  text.replace(text.find(from), from.size(), "listen: \"127.0.0.1:" + std::to_string(other) + "\"");
  std::string summary = host.reload(text);
  ASSERT_EQ(summary.substr(0, 7), "applied") << summary;
  auto stub = hello::Greeter::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(other), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  hello::HelloRequest request;
  request.set_name("again");
  hello::HelloReply reply;
  ASSERT_TRUE(stub->SayHello(&ctx, request, &reply).ok());
  EXPECT_EQ(reply.message(), "Hello, again!");
}

class GrpcTls : public ::testing::Test {
 protected:
  void SetUp() override { testing::make_test_certificates(certs_.path()); }
  std::string pem(const std::string& name) { return testing::read_file(certs_.path() + "/" + name); }
  std::string tls(bool mtls) {
    std::string d = certs_.path() + "/";
    std::string c = ", tls: {cert_file: \"" + d + "server.pem\", key_file: \"" + d + "server.key\"";
    if (mtls) c += ", client_ca_file: \"" + d + "ca.pem\", require_client_cert: true";
    return c + "}";
  }
  grpc::Status say_hello(const GrpcHost& host, bool with_client_cert) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = pem("ca.pem");
    if (with_client_cert) {
      options.pem_private_key = pem("client.key");
      options.pem_cert_chain = pem("client.pem");
    }
    auto stub = hello::Greeter::NewStub(grpc::CreateChannel(host.target(), grpc::SslCredentials(options)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    hello::HelloRequest request;
    request.set_name("TLS");
    hello::HelloReply reply;
    grpc::Status s = stub->SayHello(&ctx, request, &reply);
    if (s.ok()) {
      EXPECT_EQ(reply.message(), "Hello, TLS!");
    }
    return s;
  }
  testing::TempDir certs_;
};

TEST_F(GrpcTls, ServesTls) {
  GrpcHost host(tls(false));
  ASSERT_TRUE(host.ok()) << host.error();
  EXPECT_TRUE(say_hello(host, false).ok());
  // A plaintext client cannot talk to it.
  std::string r;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_FALSE(raw_unary(*host.channel(), "/hyperion.test.Probe/Echo", "x", &r, &ctx).ok());
}

TEST_F(GrpcTls, MutualTlsRefusesClientsWithoutACertificate) {
  GrpcHost host(tls(true));
  ASSERT_TRUE(host.ok()) << host.error();
  EXPECT_TRUE(say_hello(host, true).ok());
  grpc::Status refused = say_hello(host, false);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
}

TEST(GrpcConfig, UnworkableConfigurationsFailWithTheFieldNamed) {
  {
    GrpcHost host(", tls: {cert_file: /x.pem, key_file: /x.key, require_client_cert: true}");
    EXPECT_FALSE(host.ok());
    EXPECT_NE(host.error().find("tls.require_client_cert: needs tls.client_ca_file"), std::string::npos) << host.error();
  }
  {
    GrpcHost host(", tls: {cert_file: /nonexistent/server.pem, key_file: /nonexistent/server.key}");
    EXPECT_FALSE(host.ok());
    EXPECT_NE(host.error().find("tls.key_file: cannot read /nonexistent/server.key"), std::string::npos) << host.error();
  }
  {
    GrpcHost first;
    ASSERT_TRUE(first.ok()) << first.error();
    std::string listen = "127.0.0.1:" + std::to_string(first.port());
    GrpcHost second(", listen: \"" + listen + "\"");
    EXPECT_FALSE(second.ok());
    EXPECT_NE(second.error().find("listen: cannot serve gRPC on " + listen), std::string::npos) << second.error();
  }
  {
    // A port out of range is refused by the schema, naming the field (it used
    // to pass the pattern and bind something else).
    GrpcHost host(", listen: \"127.0.0.1:99999\"");
    EXPECT_FALSE(host.ok());
    EXPECT_NE(host.error().find("plugins[0].config.listen"), std::string::npos) << host.error();
  }
  {
    GrpcHost host(", max_concurrent_streams: 0");
    EXPECT_FALSE(host.ok());
    EXPECT_NE(host.error().find("max_concurrent_streams"), std::string::npos) << host.error();
  }
}

}  // namespace
}  // namespace hyperion::grpc_test
