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

struct AdminTestHost {
  std::unique_ptr<app::Host> host;
  std::unique_ptr<AdminServer> server;
  std::unique_ptr<httplib::Client> client;
};

// Fails the test (fatally) when the host or its admin API does not start.
inline void start_admin_test_host(const std::string& manifest_path, AdminTestHost& out) {
  app::HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("behave_plain")).parent_path().string()};
  auto host = app::Host::prepare(manifest_path, options);
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  out.host = std::move(*host);
  ASSERT_TRUE(out.host->start().ok());
  auto server =
      AdminServer::start(out.host->operator_access(), out.host->plan().manifest.host.admin, out.host->state_dir());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  out.server = std::move(*server);
  out.client = std::make_unique<httplib::Client>(out.server->url());
  out.client->set_read_timeout(30);
}

}  // namespace hyperion::admin
