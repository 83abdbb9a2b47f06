#include "services/service_registry.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace hyperion::services {
namespace {

using namespace std::chrono_literals;

hyperion_service_ref_t ref(const void* vtable, void* ctx) { return {sizeof(hyperion_service_ref_t), 2, vtable, ctx}; }

TEST(ServiceRegistry, EnterSeesThePublishedProvider) {
  ServiceRegistry registry;
  int vt = 0, ctx = 0;
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  EXPECT_EQ(registry.enter(h, &out).code(), StatusCode::kUnavailable);
  registry.publish("p", "api", 1, ref(&vt, &ctx));
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &vt);
  EXPECT_EQ(out.ctx, &ctx);
  EXPECT_EQ(out.api_minor, 2u);
  registry.leave(h);
  registry.release(h);
}

TEST(ServiceRegistry, ReplacingTheProviderIsInvisibleToTheHandle) {
  ServiceRegistry registry;
  int v1 = 0, v2 = 0;
  registry.publish("p", "api", 1, ref(&v1, nullptr));
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &v1);
  registry.publish("p", "api", 1, ref(&v2, nullptr));  // swap while a use is open
  registry.leave(h);                                   // leaves the slot it entered
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &v2);
  registry.leave(h);
  registry.release(h);
}

TEST(ServiceRegistry, WithdrawWaitsForUsesInFlight) {
  ServiceRegistry registry;
  int vt = 0;
  auto published = registry.publish("p", "api", 1, ref(&vt, nullptr));
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  std::promise<void> entered, may_leave;
  std::thread user([&] {
    hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
    ASSERT_TRUE(registry.enter(h, &out).ok());
    entered.set_value();
    may_leave.get_future().wait();
    registry.leave(h);
  });
  entered.get_future().wait();
  // At the deadline one use is still inside.
  EXPECT_EQ(registry.withdraw({published}, std::chrono::steady_clock::now() + 20ms), 1u);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  EXPECT_EQ(registry.enter(h, &out).code(), StatusCode::kUnavailable);
  may_leave.set_value();
  user.join();
  registry.release(h);
}

TEST(ServiceRegistry, WithdrawReturnsAtOnceWhenIdle) {
  ServiceRegistry registry;
  int vt = 0;
  auto published = registry.publish("p", "api", 1, ref(&vt, nullptr));
  EXPECT_EQ(registry.withdraw({published}, std::chrono::steady_clock::now() + 10s), 0u);
}

TEST(ServiceRegistry, WithdrawingTheTopUncoversThePublicationBelow) {
  ServiceRegistry registry;
  int v1 = 0, v2 = 0;
  auto first = registry.publish("p", "api", 1, ref(&v1, nullptr));
  auto second = registry.publish("p", "api", 1, ref(&v2, nullptr));  // a successor that then fails
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &v2);
  registry.leave(h);
  EXPECT_EQ(registry.withdraw({second}, std::chrono::steady_clock::now() + 1s), 0u);
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &v1);  // never a moment without a provider
  registry.leave(h);
  EXPECT_EQ(registry.withdraw({first}, std::chrono::steady_clock::now() + 1s), 0u);
  EXPECT_EQ(registry.enter(h, &out).code(), StatusCode::kUnavailable);
  registry.release(h);
}

TEST(ServiceRegistry, WithdrawingThePredecessorKeepsTheSuccessor) {
  ServiceRegistry registry;
  int v1 = 0, v2 = 0;
  auto old_one = registry.publish("p", "api", 1, ref(&v1, nullptr));
  registry.publish("p", "api", 1, ref(&v2, nullptr));
  EXPECT_EQ(registry.withdraw({old_one}, std::chrono::steady_clock::now() + 1s), 0u);
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.vtable, &v2);
  registry.leave(h);
  registry.release(h);
}

TEST(ServiceRegistry, PausedUsesWaitAndReachTheSuccessor) {
  ServiceRegistry registry;
  int v1 = 0, v2 = 0;
  auto old_one = registry.publish("p", "api", 1, ref(&v1, nullptr));
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  // A use inside the old provider when the pause begins: drain waits for it.
  hyperion_service_ref_t inside{sizeof inside, 0, nullptr, nullptr};
  std::promise<void> entered, may_leave;
  std::thread early([&] {
    ASSERT_TRUE(registry.enter(h, &inside).ok());
    entered.set_value();
    may_leave.get_future().wait();
    registry.leave(h);
  });
  entered.get_future().wait();
  registry.pause({old_one});
  std::promise<const void*> reached;
  std::thread late([&] {
    hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
    Status s = registry.enter(h, &out);  // waits: the provider is paused
    reached.set_value(s.ok() ? out.vtable : nullptr);
    if (s.ok()) registry.leave(h);
  });
  auto reached_future = reached.get_future();
  EXPECT_EQ(registry.drain({old_one}, std::chrono::steady_clock::now() + 20ms), 1u);
  EXPECT_EQ(reached_future.wait_for(0ms), std::future_status::timeout);
  may_leave.set_value();
  EXPECT_EQ(registry.drain({old_one}, std::chrono::steady_clock::now() + 10s), 0u);
  registry.publish("p", "api", 1, ref(&v2, nullptr));  // the successor, on top
  EXPECT_EQ(reached_future.get(), &v2);
  early.join();
  late.join();
  registry.resume({old_one});
  EXPECT_EQ(registry.withdraw({old_one}, std::chrono::steady_clock::now() + 1s), 0u);
  registry.release(h);
}

TEST(ServiceRegistry, ResumeLetsPausedUsesIntoTheSameProvider) {
  ServiceRegistry registry;
  int v1 = 0;
  auto one = registry.publish("p", "api", 1, ref(&v1, nullptr));
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  registry.pause({one});
  std::promise<const void*> reached;
  std::thread user([&] {
    hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
    Status s = registry.enter(h, &out);
    reached.set_value(s.ok() ? out.vtable : nullptr);
    if (s.ok()) registry.leave(h);
  });
  registry.resume({one});  // e.g. the swap failed: the old provider goes on
  EXPECT_EQ(reached.get_future().get(), &v1);
  user.join();
  registry.release(h);
}

TEST(ServiceRegistry, OlderCallerStructGetsOnlyWhatFits) {
  ServiceRegistry registry;
  int vt = 0;
  registry.publish("p", "api", 1, ref(&vt, &vt));
  hyperion_service* h = registry.acquire(nullptr, "p", "api", 1);
  hyperion_service_ref_t out{};
  out.struct_size = offsetof(hyperion_service_ref_t, vtable);  // knows only size and minor
  out.ctx = reinterpret_cast<void*>(0x1);
  ASSERT_TRUE(registry.enter(h, &out).ok());
  EXPECT_EQ(out.api_minor, 2u);
  EXPECT_EQ(out.ctx, reinterpret_cast<void*>(0x1));  // untouched
  registry.leave(h);
  registry.release(h);
}

}  // namespace
}  // namespace hyperion::services
