// Hot swap of a gRPC handler plugin under real clients: greeter v1 -> v2 -> v1
// ... while unary and server-streaming calls keep going. No call may fail, the
// answers switch, and every old copy leaves the process. (Named Grpc*: like
// every gRPC suite it runs in the normal build and under ASan, not under TSan —
// docs/decisions/0007-tsan-and-grpc.md.)
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "grpc/grpc_test_support.h"
#include "hello/greeter.grpc.pb.h"
#include "os/shared_library.h"

namespace hyperion::grpc_test {
namespace {

namespace json = boost::json;

hello::HelloRequest named(const std::string& name, int count = 0) {
  hello::HelloRequest r;
  r.set_name(name);
  r.set_count(count);
  return r;
}

// Calls in a loop on its own thread until stopped; counts what came back.
class CallingClient {
 public:
  CallingClient(std::shared_ptr<grpc::Channel> channel, bool streaming)
      : stub_(hello::Greeter::NewStub(channel)), thread_([this, streaming] { run(streaming); }) {}
  ~CallingClient() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t ok() const { return ok_.load(); }
  int64_t v2_answers() const { return v2_.load(); }
  int64_t v1_answers() const { return v1_.load(); }
  std::string first_failure() {
    std::lock_guard lock(mu_);
    return failure_;
  }
  int64_t failed() const { return failed_.load(); }
  std::string last_answer() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void note(const grpc::Status& status, const std::string& message) {
    if (!status.ok()) {
      failed_.fetch_add(1);
      std::lock_guard lock(mu_);
      if (failure_.empty()) failure_ = std::to_string(status.error_code()) + " " + status.error_message();
      return;
    }
    ok_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      last_ = message;
    }
    (message.find("(greeter v2)") != std::string::npos ? v2_ : v1_).fetch_add(1);
  }
  void run(bool streaming) {
    for (int i = 0; !stopping_.load() && i < 1'000'000; ++i) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      if (streaming) {
        auto reader = stub_->SayHelloStream(&ctx, named("Ada", 3));
        hello::HelloReply reply;
        std::string last;
        while (reader->Read(&reply)) last = reply.message();
        grpc::Status status = reader->Finish();
        note(status, last);
      } else {
        hello::HelloReply reply;
        grpc::Status status = stub_->SayHello(&ctx, named("Ada"), &reply);
        note(status, reply.message());
      }
    }
  }

  std::unique_ptr<hello::Greeter::Stub> stub_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> ok_{0}, failed_{0}, v1_{0}, v2_{0};
  std::mutex mu_;
  std::string failure_;
  std::string last_;
  std::thread thread_;
};

TEST(GrpcGreeterSwap, SwapsUnderUnaryAndStreamingClientsFailNoCallAndUnloadEachOldCopy) {
  GrpcHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  CallingClient unary(host.channel(), false);
  CallingClient streaming(host.channel(), true);
  ASSERT_TRUE(eventually([&] { return unary.ok() > 20 && streaming.ok() > 5; }));
  constexpr int kSwaps = 10;
  for (int i = 0; i < kSwaps; ++i) {
    const bool to_v2 = i % 2 == 0;
    auto r = host.host().reloads().swap("greeter", {to_v2 ? "greeter-v2" : "greeter", std::nullopt}, "test", "tester");
    ASSERT_EQ(r.outcome, reload::ReloadOutcome::kApplied) << r.summary();
    const json::object& old_library = r.diff.at("greeter").at("old_library").as_object();
    EXPECT_TRUE(old_library.at("unloaded").as_bool()) << json::serialize(old_library);
    EXPECT_FALSE(os::SharedLibrary::is_loaded(std::string(old_library.at("path").as_string())));
    // The answers switch: both clients hear the new build.
    const int64_t unary_seen = to_v2 ? unary.v2_answers() : unary.v1_answers();
    const int64_t streaming_seen = to_v2 ? streaming.v2_answers() : streaming.v1_answers();
    ASSERT_TRUE(eventually([&] {
      return (to_v2 ? unary.v2_answers() : unary.v1_answers()) > unary_seen + 5 &&
             (to_v2 ? streaming.v2_answers() : streaming.v1_answers()) > streaming_seen + 2;
    })) << "swap "
        << i << ": unary v1 " << unary.v1_answers() << " v2 " << unary.v2_answers() << " failed " << unary.failed()
        << " (" << unary.first_failure() << ", last: " << unary.last_answer() << "); streaming v1 "
        << streaming.v1_answers() << " v2 " << streaming.v2_answers() << " failed " << streaming.failed() << "; "
        << json::serialize(r.diff);
  }
  unary.stop();
  streaming.stop();
  std::printf("%d swaps under load: unary %lld ok / %lld failed, streaming %lld ok / %lld failed\n", kSwaps,
              static_cast<long long>(unary.ok()), static_cast<long long>(unary.failed()),
              static_cast<long long>(streaming.ok()), static_cast<long long>(streaming.failed()));
  EXPECT_EQ(unary.failed(), 0) << unary.first_failure();
  EXPECT_EQ(streaming.failed(), 0) << streaming.first_failure();
}

}  // namespace
}  // namespace hyperion::grpc_test
