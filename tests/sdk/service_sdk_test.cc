// hyperion/service.hpp: a C vtable filled from member functions, and called
// through a handle, with no hand-written thunks on either side.
#include <gtest/gtest.h>

#include <hyperion/service.hpp>

#include <string>

namespace {

// A test API in the ABI's three styles: sink + error, error only, plain.
typedef struct test_shop_v1_t {
  uint32_t struct_size;
  hyperion_status_t (*describe)(void* ctx, hyperion_str_t item, const hyperion_sink_t* out, hyperion_error_t* err);
  hyperion_status_t (*restock)(void* ctx, hyperion_str_t item, int64_t count, hyperion_error_t* err);
  int64_t (*stock)(void* ctx, hyperion_str_t item);
  /* --- added in 1.1 --- */
  int64_t (*total)(void* ctx);
} test_shop_v1_t;

class Shop {
 public:
  std::string describe(std::string_view item) {
    if (item.empty()) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "which item?");
    if (item == "boom") throw std::runtime_error("exploded");
    return std::string(item) + ": " + std::to_string(stock_);
  }
  void restock(std::string item, int64_t count) {
    if (count <= 0) throw hyperion::Error(HYPERION_ERR_OUT_OF_RANGE_FOR_TEST, "count must be positive: " + item);
    stock_ += count;
  }
  int64_t stock(std::string_view) const noexcept { return stock_; }
  int64_t total() noexcept { return stock_; }

 private:
  static constexpr hyperion_status_t HYPERION_ERR_OUT_OF_RANGE_FOR_TEST = HYPERION_ERR_INVALID_ARGUMENT;
  int64_t stock_ = 0;
};

constexpr test_shop_v1_t kShop = {sizeof(test_shop_v1_t), hyperion::method<&Shop::describe>,
                                  hyperion::method<&Shop::restock>, hyperion::method<&Shop::stock>,
                                  hyperion::method<&Shop::total>};
// What a provider of version 1.0 publishes: the struct without `total`.
constexpr test_shop_v1_t kOldShop = {offsetof(test_shop_v1_t, total), hyperion::method<&Shop::describe>,
                                     hyperion::method<&Shop::restock>, hyperion::method<&Shop::stock>, nullptr};

// A host whose only service is whatever `g_ref` points at.
hyperion_service_ref_t g_ref;
int g_open_uses = 0;
hyperion_host_api_t fake_host() {
  hyperion_host_api_t api{};
  api.struct_size = sizeof api;
  api.service_enter = [](hyperion_service_t*, hyperion_service_ref_t* out, hyperion_error_t*) {
    *out = g_ref;
    ++g_open_uses;
    return hyperion_status_t{HYPERION_OK};
  };
  api.service_leave = [](hyperion_service_t*) { --g_open_uses; };
  api.service_release = [](hyperion_service_t*) {};
  return api;
}

TEST(ServiceSdk, MembersBecomeSlotsAndCallsComeBackAsCpp) {
  Shop shop;
  g_ref = {sizeof(hyperion_service_ref_t), 1, &kShop, &shop};
  hyperion_host_api_t host = fake_host();
  hyperion::ServiceHandle handle(&host, reinterpret_cast<hyperion_service_t*>(&shop));

  hyperion::call<&test_shop_v1_t::restock>(handle, "apples", int64_t{5});
  EXPECT_EQ(hyperion::call<&test_shop_v1_t::stock>(handle, std::string("apples")), 5);
  EXPECT_EQ(hyperion::call<&test_shop_v1_t::describe>(handle, "apples"), "apples: 5");
  EXPECT_EQ(hyperion::call<&test_shop_v1_t::total>(handle), 5);
  EXPECT_EQ(g_open_uses, 0);  // every call left

  // A provider's exception comes back as an error with its code and message.
  try {
    hyperion::call<&test_shop_v1_t::describe>(handle, "");
    FAIL();
  } catch (const hyperion::Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "which item?");
  }
  try {
    hyperion::call<&test_shop_v1_t::describe>(handle, "boom");
    FAIL();
  } catch (const hyperion::Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_INTERNAL);
    EXPECT_STREQ(e.what(), "exploded");
  }
  EXPECT_THROW(hyperion::call<&test_shop_v1_t::restock>(handle, "pears", int64_t{0}), hyperion::Error);
  EXPECT_EQ(g_open_uses, 0);
}

TEST(ServiceSdk, ASlotTheProvidersVersionLacksIsUnsupported) {
  Shop shop;
  g_ref = {sizeof(hyperion_service_ref_t), 0, &kOldShop, &shop};
  hyperion_host_api_t host = fake_host();
  hyperion::ServiceHandle handle(&host, reinterpret_cast<hyperion_service_t*>(&shop));
  EXPECT_EQ(hyperion::call<&test_shop_v1_t::stock>(handle, "x"), 0);
  try {
    (void)hyperion::call<&test_shop_v1_t::total>(handle);
    FAIL();
  } catch (const hyperion::Error& e) {
    EXPECT_EQ(e.code(), HYPERION_ERR_UNSUPPORTED);
  }
}

TEST(ServiceSdk, OfferFindsTheServiceByApiAndMajor) {
  Shop shop;
  auto found = hyperion::offer("test.shop", 1, {{"test.other", 1, &kShop, &shop}, {"test.shop", 1, &kShop, &shop, 1}});
  EXPECT_EQ(found.vtable, &kShop);
  EXPECT_EQ(found.api_minor, 1u);
  EXPECT_EQ(hyperion::offer("test.shop", 2, {{"test.shop", 1, &kShop, &shop}}).vtable, nullptr);
}

}  // namespace
