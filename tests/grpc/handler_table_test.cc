// The grpc-server plugin's handler table without gRPC: stacking, uncovering,
// and draining a registration's calls (runs under TSan, unlike the gRPC suites).
#include "handler_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace hyperion::plugins::grpc_server {
namespace {

hyperion_grpc_handler_t handler(void* user = nullptr) {
  hyperion_grpc_handler_t h{};
  h.struct_size = sizeof h;
  h.kind = HYPERION_GRPC_UNARY;
  h.user = user;
  h.on_start = [](void*, hyperion_grpc_call_t*) -> void* { return nullptr; };
  h.on_message = [](void*, hyperion_grpc_call_t*, hyperion_bytes_t) {};
  h.on_half_close = [](void*, hyperion_grpc_call_t*) {};
  h.on_done = [](void*, hyperion_grpc_call_t*) {};
  return h;
}

struct FakeCall : Cancellable {
  std::atomic<int> cancels{0};
  void cancel() override { ++cancels; }
};

TEST(HandlerTable, NewestRegistrationServesAndRemovalUncoversThePrevious) {
  HandlerTable table;
  std::string error;
  int a = 0, b = 0;
  uint64_t first = table.add("/pkg.Svc/M", handler(&a), error);
  uint64_t second = table.add("/pkg.Svc/M", handler(&b), error);
  ASSERT_NE(first, 0u);
  ASSERT_NE(second, 0u);
  EXPECT_EQ(table.find("/pkg.Svc/M").registration->handler().user, &b);
  ASSERT_NE(table.remove(second), nullptr);
  EXPECT_EQ(table.find("/pkg.Svc/M").registration->handler().user, &a);
  ASSERT_NE(table.remove(first), nullptr);
  auto gone = table.find("/pkg.Svc/M");
  EXPECT_EQ(gone.registration, nullptr);
  EXPECT_TRUE(gone.known);  // answered UNAVAILABLE, not UNIMPLEMENTED
  EXPECT_FALSE(table.find("/pkg.Svc/Other").known);
  EXPECT_EQ(table.remove(first), nullptr);
}

TEST(HandlerTable, RejectsMalformedMethodsAndHandlers) {
  HandlerTable table;
  std::string error;
  EXPECT_EQ(table.add("pkg.Svc/M", handler(), error), 0u);
  EXPECT_EQ(error, "method \"pkg.Svc/M\" is not a full method name \"/package.Service/Method\"");
  EXPECT_EQ(table.add("/pkg.Svc/", handler(), error), 0u);
  EXPECT_EQ(table.add("/pkg.Svc/M/x", handler(), error), 0u);
  auto h = handler();
  h.on_done = nullptr;
  EXPECT_EQ(table.add("/pkg.Svc/M", h, error), 0u);
  EXPECT_NE(error.find("lacks a required callback"), std::string::npos);
  h = handler();
  h.kind = 7;
  EXPECT_EQ(table.add("/pkg.Svc/M", h, error), 0u);
  EXPECT_EQ(error, "handler for /pkg.Svc/M has an unknown kind 7");
}

TEST(HandlerTable, ServicesAreDistinctAndSorted) {
  HandlerTable table;
  std::string error;
  for (const char* m : {"/b.S/X", "/a.S/Y", "/b.S/Z", "/a.Sb/Q"}) table.add(m, handler(), error);
  EXPECT_EQ(table.services(), (std::vector<std::string>{"a.S", "a.Sb", "b.S"}));
  EXPECT_EQ(table.method_count(), 4u);
}

TEST(Registration, DrainWaitsForCallsInFlight) {
  Registration r(1, "/pkg.Svc/M", handler());
  FakeCall call;
  ASSERT_TRUE(r.begin(&call));
  std::atomic<bool> drained{false};
  std::thread closer([&] {
    drained = r.close_and_drain(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  });
  // Closed: no new call may begin (wait until the closer got there).
  FakeCall late;
  while (r.begin(&late)) r.end(&late);
  EXPECT_FALSE(drained.load());
  r.end(&call);
  closer.join();
  EXPECT_TRUE(drained.load());
  EXPECT_EQ(call.cancels.load(), 0);
}

TEST(Registration, DrainDeadlineCancelsTheRest) {
  Registration r(1, "/pkg.Svc/M", handler());
  FakeCall a, b;
  ASSERT_TRUE(r.begin(&a));
  ASSERT_TRUE(r.begin(&b));
  r.end(&a);
  EXPECT_FALSE(r.close_and_drain(std::chrono::steady_clock::now()));
  EXPECT_EQ(a.cancels.load(), 0);
  EXPECT_EQ(b.cancels.load(), 1);
  EXPECT_EQ(r.in_flight(), 1u);
}

TEST(Registration, ConcurrentCallsAndDrain) {
  Registration r(1, "/pkg.Svc/M", handler());
  std::vector<std::thread> callers;
  std::atomic<int> ran{0};
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        FakeCall c;
        if (!r.begin(&c)) return;
        ++ran;
        r.end(&c);
      }
    });
  }
  EXPECT_TRUE(r.close_and_drain(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  for (auto& t : callers) t.join();
  EXPECT_EQ(r.in_flight(), 0u);
}

}  // namespace
}  // namespace hyperion::plugins::grpc_server
