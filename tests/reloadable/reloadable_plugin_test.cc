// The reloadable plugin in a real host: its service, live reloads, refusals.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "app/host.h"
#include "reloadable/runtime_settings.h"
#include "support/test_support.h"

namespace hyperion::app {
namespace {

class ReloadablePluginTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& config) {
    return "app: settings\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\nplugins:\n" +
           "  - name: settings\n    library: reloadable\n    config:\n" + config;
  }
  void SetUp() override {
    auto host = Host::prepare(dir_.write("app.yaml", manifest("      features: {beta: true}\n")), HostOptions{});
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    ASSERT_TRUE(host_->start().ok());
    handle_ = host_->facilities().services.acquire(nullptr, "settings", RUNTIME_SETTINGS_API, RUNTIME_SETTINGS_MAJOR);
  }
  void TearDown() override { host_->facilities().services.release(handle_); }

  // One use of the service, the way a consumer plugin makes it.
  template <typename Fn>
  auto use(Fn&& fn) {
    hyperion_service_ref_t ref{sizeof ref, 0, nullptr, nullptr};
    Status s = host_->facilities().services.enter(handle_, &ref);
    EXPECT_TRUE(s.ok()) << s.to_string();
    auto result = fn(*static_cast<const runtime_settings_v1_t*>(ref.vtable), ref.ctx);
    host_->facilities().services.leave(handle_);
    return result;
  }
  int32_t feature(const char* name, int32_t fallback) {
    return use([&](const runtime_settings_v1_t& api, void* ctx) {
      return api.feature_enabled(ctx, hyperion_str_from_cstr(name), fallback);
    });
  }

  testing::TempDir dir_;
  std::unique_ptr<Host> host_;
  hyperion_service* handle_ = nullptr;
};

TEST_F(ReloadablePluginTest, ServesSettingsAndDefaults) {
  EXPECT_EQ(feature("beta", 0), 1);
  EXPECT_EQ(feature("unknown", 7), 7);
  EXPECT_EQ(use([](const runtime_settings_v1_t& api, void* ctx) { return api.generation(ctx); }), 0u);
  double rps = use([](const runtime_settings_v1_t& api, void* ctx) {
    return api.rate_limit(ctx, hyperion_str_from_cstr("search"), 2.5);
  });
  EXPECT_DOUBLE_EQ(rps, 2.5);
}

TEST_F(ReloadablePluginTest, ALiveReloadChangesWhatReadersSee) {
  auto r = host_->reloads().reload({"test", "",
                                    manifest("      log_level: debug\n      features: {beta: false, gamma: true}\n"
                                             "      rate_limits: {search: 40}\n"),
                                    std::nullopt});
  ASSERT_EQ(r.outcome, reload::ReloadOutcome::kApplied) << r.summary();
  EXPECT_EQ(r.diff.at("settings").at("action").as_string(), "reload");
  EXPECT_EQ(feature("beta", 1), 0);
  EXPECT_EQ(feature("gamma", 0), 1);
  EXPECT_EQ(use([](const runtime_settings_v1_t& api, void* ctx) { return api.generation(ctx); }), 1u);
  double rps = use([](const runtime_settings_v1_t& api, void* ctx) {
    return api.rate_limit(ctx, hyperion_str_from_cstr("search"), 0);
  });
  EXPECT_DOUBLE_EQ(rps, 40);
  std::string snapshot;
  use([&](const runtime_settings_v1_t& api, void* ctx) {
    hyperion_sink_t sink{sizeof(hyperion_sink_t), &snapshot, [](void* c, const void* d, size_t n) {
                           static_cast<std::string*>(c)->append(static_cast<const char*>(d), n);
                           return hyperion_status_t{HYPERION_OK};
                         }};
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    return api.snapshot_json(ctx, &sink, &err);
  });
  EXPECT_EQ(boost::json::parse(snapshot).at("log_level").as_string(), "debug");
}

TEST_F(ReloadablePluginTest, InvalidSettingsAreRefusedAndTheOldOnesKeepServing) {
  auto r = host_->reloads().reload({"test", "", manifest("      rate_limits: {search: -1}\n"), std::nullopt});
  EXPECT_EQ(r.outcome, reload::ReloadOutcome::kRefused);
  EXPECT_TRUE(r.error == reload::ReloadError::kInvalidConfiguration);
  EXPECT_EQ(feature("beta", 0), 1);
  auto unknown = host_->reloads().reload({"test", "", manifest("      colour: blue\n"), std::nullopt});
  EXPECT_EQ(unknown.outcome, reload::ReloadOutcome::kRefused);
  EXPECT_NE(unknown.reason.find("colour"), std::string::npos) << unknown.reason;
}

}  // namespace
}  // namespace hyperion::app
