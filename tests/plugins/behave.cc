// behave: a C++ SDK test plugin that misbehaves on command. Its config picks one
// callback (`fail_in`) and how it fails there (`how`): return an error, throw,
// hang, or write garbage. Every callback appends "<callback> <instance>" to the
// `journal` file, so tests can check exactly what ran and in what order.
// Its dynamic fields (value, fail_prepare, fail_commit, password) make reloads
// fail on command: a new config with fail_prepare refuses in prepare, one with
// fail_commit fails in commit and keeps the old config. health() reports the
// effective config, so tests can check what really runs. With "leak" it logs,
// emits and labels a metric with its config, secrets included. `sticky` and
// `racy_health` (plain build) are the lies `hyperion check` must catch.
// Built three times (see CMakeLists.txt): plain, as a provider of test.api 1.0,
// and as a consumer of it.
#include <fcntl.h>
#include <unistd.h>

#include <hyperion/plugin.hpp>

#include "support/fnv1a.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace behave {

struct TestApi {
  uint32_t struct_size;
  int (*answer)(void* ctx);
};

class Behave {
 public:
  Behave(hyperion::Context& ctx, const boost::json::object& config) : ctx_(ctx), effective_(config) {
    auto get = [&](const char* key, const char* fallback) {
      const boost::json::value* v = config.if_contains(key);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string(fallback);
    };
    fail_in_ = get("fail_in", "none");
    how_ = get("how", "error");
    journal_ = get("journal", "");
    if (const boost::json::value* v = config.if_contains("hang_ms"); v != nullptr && v->is_int64()) {
      hang_ms_ = v->as_int64();
    }
    if (const boost::json::value* v = config.if_contains("racy_health"); v != nullptr && v->is_bool()) {
      racy_health_ = v->as_bool();
    }
    record("create");
    misbehave("create");
    // A restart prepares by creating and commits by starting: the same switches apply.
    if (config.at("fail_prepare").as_bool()) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "fail_prepare is set");
  }
  ~Behave() { record("destroy"); }

  void start(hyperion::Deadline) {
    record("start");
    leak(effective_);
    // An event listener in miniature: journal the type of every event it hears.
    if (const boost::json::value* p = effective_.if_contains("subscribe"); p && p->is_string() && !p->as_string().empty()) {
      ctx_.subscribe(std::string(p->as_string()), [this](std::string_view event) {
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(event, ec);
        if (!ec && v.is_object()) record("event " + std::string(v.at("type").as_string()));
      });
    }
    if (effective_.at("record_state_dir").as_bool()) record("state_dir " + ctx_.state_dir());
    // A config source in miniature: propose configuration from a timer (never
    // from a lifecycle call, which would wait on itself).
    if (const boost::json::value* p = effective_.if_contains("propose"); p && p->is_string() && !p->as_string().empty()) {
      std::string proposal(p->as_string());
      const auto after = std::chrono::milliseconds(effective_.at("propose_after_ms").as_int64());
      ctx_.start_timer(after, std::chrono::milliseconds(0), [this, proposal] {
        try {
          if (effective_.at("propose_as_layer").as_bool()) {
            record("layered " + std::to_string(ctx_.propose_layer("behave", proposal)));
          } else {
            record("proposed " + std::to_string(ctx_.propose_config("behave", proposal)));
          }
        } catch (const hyperion::Error& e) {
          record(std::string("propose failed: ") + e.what());
        }
      });
    }
    misbehave("start");
    if (effective_.at("fail_commit").as_bool()) throw hyperion::Error(HYPERION_ERR_INTERNAL, "fail_commit is set");
#ifdef BEHAVE_CONSUMER
    // Kept for the instance's whole life: released by the SDK during destroy.
    service_.emplace(ctx_.acquire("test.api", 1));
    auto use = service_->enter<TestApi>();
    record("answer " + std::to_string(use.vtable()->answer(use.ctx())));
#endif
  }
  void stop(hyperion::Deadline) {
    record("stop");
    misbehave("stop");
  }
  hyperion::HealthReport health() {
    record("health");
    misbehave("health");
    hyperion::HealthReport report;
    if (racy_health_) {
      // Unguarded on purpose: health calls may arrive concurrently (plugin.h,
      // convention 6); `hyperion check` under TSan must catch this.
      report.details["calls"] = ++racy_calls_;
    }
    std::lock_guard lock(mu_);
    report.details["config"] = effective_;
    // The host scrubs the password out of the report (it is a secret); its
    // FNV-1a hash tells tests which one runs.
    report.details["password_fnv1a"] = hyperion::testing::fnv1a_hex(password(effective_));
    return report;
  }
  void reload_prepare(const boost::json::object& next, const boost::json::array&) {
    record("reload_prepare");
    misbehave("reload_prepare");
    leak(next);
    // `sticky` claims x-dynamic but any change is refused here, though create
    // takes every value: the lie `hyperion check` looks for.
    const boost::json::value* sticky = next.if_contains("sticky");
    const boost::json::value* sticky_now = effective_.if_contains("sticky");
    if (sticky != nullptr && sticky_now != nullptr && *sticky != *sticky_now) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "sticky cannot change without a restart");
    }
    if (next.at("fail_prepare").as_bool()) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "fail_prepare is set" + (leaks(next) ? " (password " + password(next) + ")" : std::string()));
    }
    pending_ = next;
  }
  void reload_commit() {
    record("reload_commit");
    misbehave("reload_commit");
    if (pending_->at("fail_commit").as_bool()) {
      pending_.reset();
      throw hyperion::Error(HYPERION_ERR_INTERNAL, "fail_commit is set");
    }
    std::lock_guard lock(mu_);
    effective_ = std::move(*pending_);
    pending_.reset();
  }
  void reload_abort() {
    record("reload_abort");
    pending_.reset();
  }

#ifdef BEHAVE_PROVIDER
  hyperion::ServiceRef get_service(std::string_view api, uint32_t) {
    record("get_service");
    misbehave("get_service");
    if (api != "test.api") return {};
    return {&kApi, this, 0};
  }
  static int answer(void*) { return 42; }
  static constexpr TestApi kApi = {sizeof(TestApi), &Behave::answer};
#endif

 private:
  static bool leaks(const boost::json::object& config) {
    const boost::json::value* v = config.if_contains("leak");
    return v != nullptr && v->is_bool() && v->as_bool();
  }
  static std::string password(const boost::json::object& config) {
    const boost::json::value* v = config.if_contains("password");
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  // A careless plugin: with "leak" set it logs its whole config, emits it as an
  // event and puts its password in a metric label (the host must scrub them all).
  void leak(const boost::json::object& config) {
    if (!leaks(config)) return;
    std::string json = boost::json::serialize(config);
    ctx_.info("my config: " + json);
    ctx_.emit_event("behave.config", json);
    ctx_.counter_add("behave_config_seen_total", 1,
                     boost::json::serialize(boost::json::object{{"password", password(config)}}));
  }

  void record(const std::string& what) {
    if (journal_.empty()) return;
    std::string line = what + " " + ctx_.instance_name() + "\n";
    int fd = ::open(journal_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t written = ::write(fd, line.data(), line.size());
    (void)written;
    ::close(fd);
  }

  void misbehave(const char* callback) {
    if (fail_in_ != callback) return;
    if (how_ == "error") throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, std::string("behave refuses ") + callback);
    if (how_ == "throw") throw std::runtime_error(std::string("behave threw in ") + callback);
    if (how_ == "throw-int") throw 42;
    if (how_ == "hang") std::this_thread::sleep_for(std::chrono::milliseconds(hang_ms_));
  }

  hyperion::Context& ctx_;
  std::string fail_in_;
  std::string how_;
  std::string journal_;
  int64_t hang_ms_ = 30000;
  bool racy_health_ = false;
  int64_t racy_calls_ = 0;
  std::mutex mu_;
  boost::json::object effective_;
  std::optional<boost::json::object> pending_;
#ifdef BEHAVE_CONSUMER
  std::optional<hyperion::ServiceHandle> service_;
#endif
};

}  // namespace behave

HYPERION_PLUGIN(behave::Behave)
