// AppSnapshot: what runs, as one consistent copy taken inside the host's gate —
// for readers on other threads (the admin API, the CLI's status) that must not
// touch the running plan or the instances themselves. AppReader is the narrow
// interface such readers get.
// Thread-safety: a plain value; AppReader::snapshot() from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "loader/plugin_metadata.h"

namespace hyperion::app {

struct InstanceSnapshot {
  std::string name;
  std::string state;              // lifecycle state name
  loader::PluginMetadata plugin;  // copied: the library may be unloaded while the copy is read
  std::string sha256;
  std::string library;  // where the manifest pointed
  uint32_t abi_minor = 0;
};

struct AppSnapshot {
  std::string app;
  std::string phase;  // created, starting, running, stopping, stopped, failed
  uint64_t revision = 0;
  boost::json::object breaker;              // reload::ReloadBreaker::to_json()
  std::vector<InstanceSnapshot> instances;  // live instances, in start order
  std::string manifest_text;                // as written (${...} unresolved)
  boost::json::object configs;              // instance -> effective config, secrets redacted
};

class AppReader {
 public:
  virtual ~AppReader() = default;
  virtual AppSnapshot snapshot() = 0;
};

}  // namespace hyperion::app
