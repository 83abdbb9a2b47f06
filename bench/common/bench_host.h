// Starting a real host for a benchmark: the same way in every one of them.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/host.h"

namespace hyperion::bench {

// Writes `manifest` to dir/app.yaml and starts a host on it, logging errors
// only (so per-call log lines below that level are never built). Throws
// std::runtime_error with the host's message when it cannot start.
inline std::unique_ptr<app::Host> start_host(const std::filesystem::path& dir, const std::string& manifest,
                                             const std::vector<std::string>& plugin_path) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "app.yaml") << manifest;
  app::HostOptions options;
  options.plugin_path = plugin_path;
  options.log_level = "error";
  auto host = app::Host::prepare((dir / "app.yaml").string(), options);
  if (!host.ok()) throw std::runtime_error(host.status().to_string());
  if (auto s = (*host)->start(); !s.ok()) throw std::runtime_error(s.to_string());
  return std::move(*host);
}

}  // namespace hyperion::bench
