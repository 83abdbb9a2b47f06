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
  registry.publish("p", "api", 1, ref(&vt, nullptr));
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
  EXPECT_EQ(registry.withdraw("p", std::chrono::steady_clock::now() + 20ms), 1u);
  hyperion_service_ref_t out{sizeof out, 0, nullptr, nullptr};
  EXPECT_EQ(registry.enter(h, &out).code(), StatusCode::kUnavailable);
  may_leave.set_value();
  user.join();
  registry.release(h);
}

TEST(ServiceRegistry, WithdrawReturnsAtOnceWhenIdle) {
  ServiceRegistry registry;
  int vt = 0;
  registry.publish("p", "api", 1, ref(&vt, nullptr));
  EXPECT_EQ(registry.withdraw("p", std::chrono::steady_clock::now() + 10s), 0u);
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
