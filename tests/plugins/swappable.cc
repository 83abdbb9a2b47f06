// swappable: the test plugin hot swap is tested with. It provides test.counter
// 1.0 (a count, handed over on swap as "counter/1 <n>") and is built several
// times (CMakeLists.txt) with one behaviour each: v1 and v2 answer with their
// build tag; the others fail where a swap can fail (create, start, a start
// that hangs, state it refuses). Its consumer build calls increment in a loop
// on its own thread and reports in health how many calls failed, so a test can
// prove a swap under it lost none and never restarted it.
#include <hyperion/plugin.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "calling_loop.h"
#include "counter_api.h"

#ifndef SWAPPABLE_TAG
#define SWAPPABLE_TAG "v1"
#endif

namespace swappable {

#ifndef SWAPPABLE_CONSUMER
class Counter {
 public:
  Counter(hyperion::Context&, const boost::json::object&) {
#ifdef SWAPPABLE_FAIL_CREATE
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "this build refuses to be created");
#endif
  }

  void start(hyperion::Deadline) {
#ifdef SWAPPABLE_PINNED
    pin_ = std::make_shared<int>(1);  // std::_Sp_make_shared_tag::_S_ti()::__tag: STB_GNU_UNIQUE
#endif
#ifdef SWAPPABLE_FAIL_START
    throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "this build refuses to start");
#endif
#ifdef SWAPPABLE_HANG_START
    std::this_thread::sleep_for(std::chrono::seconds(3));
#endif
  }
  void stop(hyperion::Deadline) {}

  hyperion::HealthReport health() {
    hyperion::HealthReport r;
    r.message = std::string("build ") + SWAPPABLE_TAG;
    r.details["count"] = count_.load();
    r.details["build"] = SWAPPABLE_TAG;
    return r;
  }

  std::string state_export() { return "counter/1 " + std::to_string(count_.load()); }
  void state_import(std::string_view state) {
#ifdef SWAPPABLE_REFUSE_STATE
    constexpr std::string_view kFormat = "counter/2 ";
#else
    constexpr std::string_view kFormat = "counter/1 ";
#endif
    int64_t n = 0;
    if (state.substr(0, kFormat.size()) != kFormat ||
        std::from_chars(state.data() + kFormat.size(), state.data() + state.size(), n).ec != std::errc{}) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "state \"" + std::string(state.substr(0, 16)) +
                                                               "\" is not " + std::string(kFormat) + "<n>");
    }
    count_ = n;
  }

  hyperion::ServiceRef get_service(std::string_view, uint32_t) { return {&kApi, this, 0}; }

 private:
  static int64_t increment(void* ctx) { return ++static_cast<Counter*>(ctx)->count_; }
  static const char* build(void*) { return SWAPPABLE_TAG; }
  static constexpr test_counter_v1_t kApi = {sizeof(test_counter_v1_t), &Counter::increment, &Counter::build};

  std::atomic<int64_t> count_{0};
  std::shared_ptr<int> pin_;
};

#else
class Consumer {
 public:
  Consumer(hyperion::Context& ctx, const boost::json::object&) : ctx_(ctx) {}

  void start(hyperion::Deadline) {
    counter_.emplace(ctx_.acquire("test.counter", 1));
    loop_.start([this]() -> std::string {
      try {
        auto use = counter_->enter<test_counter_v1_t>();
        use.vtable()->increment(use.ctx());
        return "";
      } catch (const hyperion::Error& e) {
        return e.what();
      }
    });
  }
  void stop(hyperion::Deadline) {
    loop_.stop();
    counter_.reset();
  }
  hyperion::HealthReport health() { return loop_.health(); }

 private:
  hyperion::Context& ctx_;
  std::optional<hyperion::ServiceHandle> counter_;
  swap_test::CallingLoop loop_;
};
#endif

}  // namespace swappable

#ifdef SWAPPABLE_CONSUMER
HYPERION_PLUGIN(swappable::Consumer)
#else
HYPERION_PLUGIN(swappable::Counter)
#endif
