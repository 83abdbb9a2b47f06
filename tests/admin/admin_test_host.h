// A host started from a manifest file with its admin API, and an HTTP client
// for that API: what every admin suite begins with. The test plugins are on
// the search path.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>

#include "admin/admin_server.h"
#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::admin {

// Starts the host of `manifest_path` and its admin API into `host`, `server`
// and `client`; fails the test (fatally) when either does not start.
inline void start_admin_test_host(const std::string& manifest_path, std::unique_ptr<app::Host>& host,
                                  std::unique_ptr<AdminServer>& server, std::unique_ptr<httplib::Client>& client) {
  app::HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
  auto prepared = app::Host::prepare(manifest_path, options);
  ASSERT_TRUE(prepared.ok()) << prepared.status().to_string();
  host = std::move(*prepared);
  ASSERT_TRUE(host->start().ok());
  auto started = AdminServer::start(host->operator_access(), host->plan().manifest.host.admin, host->state_dir());
  ASSERT_TRUE(started.ok()) << started.status().to_string();
  server = std::move(*started);
  client = std::make_unique<httplib::Client>(server->url());
  client->set_read_timeout(30);
}

}  // namespace hyperion::admin
