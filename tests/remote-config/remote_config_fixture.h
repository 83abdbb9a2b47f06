// The fixture of the consul-config tests (etcd for real, Consul's protocol
// fake): a host whose manifest has the plugin (instance "remote", prefix
// hyperion/shop) and a target instance ("target", behave_plain, value 1)
// whose config the store changes.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::app {

namespace json = boost::json;

class RemoteConfigFixture : public ::testing::Test {
 protected:
  std::string manifest(const std::string& endpoint, const std::string& remote_extra = "",
                       const std::string& retry = "{initial_ms: 100, max_ms: 400}") {
    return "app: remote\nhost:\n  state_dir: " + dir_.path() +
           "/state\n  log_level: warn\nplugins:\n"
           "  - name: remote\n    library: consul-config\n    config:\n      type: " +
           type_ + "\n      address: " + endpoint +
           "\n      prefix: hyperion/shop\n      debounce_ms: 300\n      connect_timeout_ms: 1000\n"
           "      retry: " +
           retry + "\n" + remote_extra + "  - name: target\n    library: behave_plain\n    config:\n      value: 1\n";
  }
  StatusOr<std::unique_ptr<Host>> prepare(const std::string& text) {
    std::string path = dir_.write("app.yaml", text);
    HostOptions options;
    options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string(),
                           testing::example_plugin_dir()};
    return Host::prepare(path, options);
  }
  void start(const std::string& text) {
    auto host = prepare(text);
    ASSERT_TRUE(host.ok()) << host.status().to_string();
    host_ = std::move(*host);
    Status started = host_->start();
    ASSERT_TRUE(started.ok()) << started.to_string();
  }
  json::object report(const std::string& instance) {
    auto r = host_->instance_health(instance);
    return r.ok() ? json::parse(*r).as_object() : json::object{};
  }
  int64_t target_value() {
    json::object r = report("target");
    return r.empty() ? -1 : r.at("details").at("config").at("value").as_int64();
  }
  bool value_becomes(int64_t expected) {
    return testing::eventually([&] { return target_value() == expected; }, std::chrono::seconds(15));
  }
  std::string remote_status() {
    json::object r = report("remote");
    return r.empty() ? "" : std::string(r.at("status").as_string()) + ": " + std::string(r.at("message").as_string());
  }
  // Waits until the plugin says it lost the store (after the test stopped it).
  void wait_until_lost() {
    ASSERT_TRUE(testing::eventually([&] { return remote_status().find("store unreachable") != std::string::npos; }))
        << remote_status();
  }
  size_t revisions() {
    auto all = host_->store().revisions(1000);
    return all.ok() ? all->size() : 0;
  }

  // Every event the host recorded, flushed to the store first.
  std::vector<state::StoredEvent> recorded_events() {
    host_->facilities().events.flush();
    host_->store().flush();
    auto events = host_->store().events_after(0, 10000);
    return events.ok() ? *events : std::vector<state::StoredEvent>{};
  }
  // Checks that `secret` shows nowhere an operator looks: configs, layers,
  // revisions, events, metrics.
  void expect_never_shown(const std::string& secret) {
    AppSnapshot snap = host_->snapshot();
    EXPECT_EQ(json::serialize(snap.configs).find(secret), std::string::npos);
    EXPECT_EQ(json::serialize(snap.layers).find(secret), std::string::npos);
    auto stored = host_->store().revisions(100);
    ASSERT_TRUE(stored.ok());
    for (const auto& r : *stored) {
      EXPECT_EQ((r.diff + r.overrides + r.layers + r.manifest).find(secret), std::string::npos) << r.number;
    }
    for (const auto& e : recorded_events()) EXPECT_EQ(e.json.find(secret), std::string::npos);
    EXPECT_EQ(host_->metrics_text().find(secret), std::string::npos);
  }

  std::string type_ = "etcd";
  testing::TempDir dir_;
  std::unique_ptr<Host> host_;
};

}  // namespace hyperion::app
