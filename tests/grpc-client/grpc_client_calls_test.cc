// The grpc-client plugin in a real host, called through the grpc.client ABI
// (with the C++ helpers), against bare grpc++ servers on loopback: the four
// call kinds, metadata, deadlines, cancellation, refusals and trace context.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <vector>

#include "grpc-client/echo_server.h"
#include "grpc-client/grpc_client_host.h"
#include "hello/greeter.pb.h"

namespace hyperion::grpc_client_test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string one_target(const EchoServer& server, const std::string& extra = "") {
  return "{targets: {echo: {address: \"" + server.address() + "\"" + extra + "}}}";
}

TEST(GrpcClientCalls, UnaryCarriesBytesAndMetadataBothWays) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  const std::string binary("\0\x01\xffz", 4);
  grpc::Reply r =
      h.client().unary("echo", "/test.Echo/Unary", std::string("hello\0world", 11),
                       grpc::CallOptions().with_metadata("x-echo", "plain").with_metadata("x-echo-bin", binary));
  ASSERT_TRUE(r.ok()) << r.code << " " << r.message;
  EXPECT_EQ(r.response, std::string("hello\0world", 11));
  EXPECT_EQ(r.metadata("x-server"), "a");
  EXPECT_EQ(r.metadata("x-echo"), "plain");
  EXPECT_EQ(r.metadata("x-echo-bin"), binary);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(r.peer, server.address());
}

TEST(GrpcClientCalls, MessagesWithTheLiteHelper) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  hello::HelloRequest request;
  request.set_name("Ada");
  auto back = h.client().call<hello::HelloRequest>("echo", "/test.Echo/Unary", request);
  EXPECT_EQ(back.name(), "Ada");
  try {
    (void)h.client().call<hello::HelloRequest>("echo", "/test.Echo/Fail", request);
    FAIL() << "Fail answers no message";
  } catch (const grpc::RpcError& e) {
    EXPECT_EQ(e.code(), HYPERION_GRPC_UNKNOWN) << "a request that is not a number: UNKNOWN";
    EXPECT_EQ(e.reply().message, "failed on purpose");
  }
}

TEST(GrpcClientCalls, ServerStreamingDeliversEveryMessageInOrder) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  std::vector<std::string> got;
  grpc::Reply end = h.client().server_stream("echo", "/test.Echo/Split", "one,two,three", got);
  EXPECT_TRUE(end.ok()) << end.message;
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(end.metadata("x-server"), "a");
}

TEST(GrpcClientCalls, ClientStreamingSendsEveryMessageThenGetsOneAnswer) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  std::mutex mu;
  std::vector<std::string> got;
  auto stream = h.client().open_stream("echo", "/test.Echo/Concat", {}, [&](std::string_view m) {
    std::lock_guard lock(mu);
    got.emplace_back(m);
  });
  for (const char* part : {"a", "b", "c", "d"}) EXPECT_TRUE(stream->write(part));
  stream->close_send();
  EXPECT_FALSE(stream->write("late")) << "no write after close_send";
  grpc::Reply end = stream->wait();
  EXPECT_TRUE(end.ok()) << end.message;
  std::lock_guard lock(mu);
  EXPECT_EQ(got, (std::vector<std::string>{"abcd"}));
}

TEST(GrpcClientCalls, BidiStreamsAnswerEachMessage) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  std::mutex mu;
  std::vector<std::string> got;
  auto stream = h.client().open_stream("echo", "/test.Echo/Chat", {}, [&](std::string_view m) {
    std::lock_guard lock(mu);
    got.emplace_back(m);
  });
  ASSERT_TRUE(stream->write("1"));
  ASSERT_TRUE(testing::eventually([&] {
    std::lock_guard lock(mu);
    return got.size() == 1;
  })) << "the answer comes while the stream is open";
  ASSERT_TRUE(stream->write("2"));
  stream->close_send();
  grpc::Reply end = stream->wait();
  EXPECT_TRUE(end.ok()) << end.message;
  std::lock_guard lock(mu);
  EXPECT_EQ(got, (std::vector<std::string>{"echo:1", "echo:2"}));
}

TEST(GrpcClientCalls, ManyLargeWritesAreAllDelivered) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  std::string got;
  auto stream = h.client().open_stream("echo", "/test.Echo/Concat", {}, [&](std::string_view m) { got = m; });
  const std::string chunk(256 * 1024, 'x');
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(stream->write(chunk));  // 4 MiB through a 1 MiB window
  stream->close_send();
  EXPECT_TRUE(stream->wait().ok());
  EXPECT_EQ(got.size(), 16 * chunk.size());
}

TEST(GrpcClientCalls, TheDeadlineEndsASlowCall) {
  EchoServer server("a");
  ClientHost h(one_target(server, ", deadline_ms: 5000, methods: {/test.Echo/Sleep: {deadline_ms: 300}}"));
  auto begin = Clock::now();
  grpc::Reply r = h.client().unary("echo", "/test.Echo/Sleep", "10000");
  EXPECT_EQ(r.code, HYPERION_GRPC_DEADLINE_EXCEEDED) << r.message;
  EXPECT_LT(Clock::now() - begin, 3s) << "the method's 300 ms, not the target's 5 s";
  // The call's own timeout wins over both.
  begin = Clock::now();
  r = h.client().unary("echo", "/test.Echo/Sleep", "10000", grpc::CallOptions().with_timeout(100ms));
  EXPECT_EQ(r.code, HYPERION_GRPC_DEADLINE_EXCEEDED);
  EXPECT_LT(Clock::now() - begin, 2s);
  // A call within its deadline answers.
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Sleep", "10", grpc::CallOptions().with_timeout(5000ms)).ok());
}

TEST(GrpcClientCalls, CancellingEndsAnAsyncCallAndAStream) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  std::promise<grpc::Reply> ended;
  auto begin = Clock::now();
  uint64_t id = h.client().unary_async("echo", "/test.Echo/Sleep", "10000", {},
                                       [&](grpc::Reply r) { ended.set_value(std::move(r)); });
  ASSERT_TRUE(testing::eventually([&] { return server.calls("/test.Echo/Sleep") == 1; }));
  h.client().cancel(id);
  auto f = ended.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get().code, HYPERION_GRPC_CANCELLED);
  EXPECT_LT(Clock::now() - begin, 5s);
  h.client().cancel(id);      // finished: ignored
  h.client().cancel(987654);  // unknown: ignored

  auto stream = h.client().open_stream("echo", "/test.Echo/Chat", {}, [](std::string_view) {});
  ASSERT_TRUE(stream->write("x"));
  stream->cancel();
  EXPECT_EQ(stream->wait().code, HYPERION_GRPC_CANCELLED);
  EXPECT_FALSE(stream->write("y"));
}

TEST(GrpcClientCalls, AStreamDroppedWithoutClosingIsCancelledAndReleased) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  for (int i = 0; i < 20; ++i) {
    auto stream = h.client().open_stream("echo", "/test.Echo/Chat", {}, [](std::string_view) {});
    ASSERT_TRUE(stream->write("x"));
  }  // each destructor cancels and waits for the stream's end (some before the server saw them)
  EXPECT_LE(server.calls("/test.Echo/Chat"), 20);
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Unary", "x").ok());
}

TEST(GrpcClientCalls, RefusedCallsSayWhyAndNeverCallBack) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  auto refusal = [&](const std::function<void()>& call) {
    try {
      call();
    } catch (const Error& e) {
      return std::make_pair(e.code(), std::string(e.what()));
    }
    return std::make_pair(HYPERION_OK, std::string());
  };
  auto [code, message] = refusal([&] { (void)h.client().unary("nope", "/test.Echo/Unary", "x"); });
  EXPECT_EQ(code, HYPERION_ERR_NOT_FOUND);
  EXPECT_NE(message.find("no target \"nope\""), std::string::npos) << message;
  EXPECT_NE(message.find("targets: echo"), std::string::npos) << message;
  std::tie(code, message) = refusal([&] { (void)h.client().unary("echo", "test.Echo/Unary", "x"); });
  EXPECT_EQ(code, HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_NE(message.find("/pkg.Service/Method"), std::string::npos) << message;
  std::tie(code, message) = refusal([&] {
    (void)h.client().unary("echo", "/test.Echo/Unary", "x", grpc::CallOptions().with_metadata("X-Upper", "v"));
  });
  EXPECT_EQ(code, HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_NE(message.find("X-Upper"), std::string::npos) << message;
  std::tie(code, message) = refusal([&] {
    (void)h.client().unary("echo", "/test.Echo/Unary", "x", grpc::CallOptions().with_metadata("x-text", "line\nbreak"));
  });
  EXPECT_EQ(code, HYPERION_ERR_INVALID_ARGUMENT);
  EXPECT_NE(message.find("-bin"), std::string::npos) << message;
  EXPECT_EQ(server.total_calls(), 0) << "nothing refused reached the server";
}

TEST(GrpcClientCalls, EachCallCarriesAChildSpanOfTheCallersTrace) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  const std::string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  grpc::Reply r = h.client().unary("echo", "/test.Echo/Trace", "", grpc::CallOptions().with_traceparent(parent));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.response.size(), parent.size()) << r.response;
  EXPECT_EQ(r.response.substr(0, 36), parent.substr(0, 36)) << "same trace id";
  EXPECT_NE(r.response.substr(36, 16), parent.substr(36, 16)) << "a new span id";
  grpc::Reply fresh = h.client().unary("echo", "/test.Echo/Trace", "");
  EXPECT_EQ(fresh.response.size(), parent.size()) << "a new trace when the caller has none";
}

TEST(GrpcClientCalls, CallsAreCountedPerTargetMethodAndCode) {
  EchoServer server("a");
  ClientHost h(one_target(server));
  EXPECT_TRUE(h.client().unary("echo", "/test.Echo/Unary", "x").ok());
  EXPECT_EQ(h.client().unary("echo", "/test.Echo/Fail", "5").code, HYPERION_GRPC_NOT_FOUND);
  const std::string text = h.host().metrics_text();
  EXPECT_NE(
      text.find(
          R"(grpc_client_handled_total{plugin_instance="grpc",grpc_code="OK",grpc_method="/test.Echo/Unary",grpc_target="echo"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(grpc_code="NOT_FOUND",grpc_method="/test.Echo/Fail",grpc_target="echo"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_client_handling_seconds_bucket"), std::string::npos) << text;
}

}  // namespace
}  // namespace hyperion::grpc_client_test
