// What an operator-facing server (the admin API) gets from the host: narrow
// interfaces, never the host itself, its store or its facilities.
//   AppSnapshot  what runs, as one consistent copy taken inside the host's gate,
//                for readers on other threads that must not touch the running
//                plan or the instances themselves; AppReader makes one.
//   OperatorAccess  the snapshot, the reload room's front door, the revision
//                history (read-only), the event bus and the health report.
// Thread-safety: AppSnapshot is a plain value; every interface here may be used
// from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "events/event_bus.h"
#include "graph/dependency_graph.h"
#include "health/health_report.h"
#include "loader/plugin_metadata.h"
#include "reload/reloader.h"
#include "state/state_store.h"

namespace hyperion::app {

struct InstanceSnapshot {
  std::string name;
  std::string state;              // lifecycle state name
  loader::PluginMetadata plugin;  // copied: the library may be unloaded while the copy is read
  std::string sha256;
  std::string library;  // where the manifest (or a swap) pointed
  uint32_t abi_minor = 0;
  boost::json::object last_swap;  // the newest swap applied to it: from, to, old_library (empty: none)
};

struct AppSnapshot {
  std::string app;
  std::string phase;  // created, starting, running, stopping, stopped, failed
  uint64_t revision = 0;
  boost::json::object breaker;              // reload::ReloadBreaker::to_json()
  std::vector<InstanceSnapshot> instances;  // live instances, in start order
  std::string manifest_text;                // as written (${...} unresolved)
  boost::json::object configs;              // instance -> effective config, secrets redacted
  boost::json::object sources;              // instance -> {JSON Pointer: source} for fields config sources set
  boost::json::array layers;                // config sources' layers in force, secrets redacted
  boost::json::object libraries;            // instance -> {"library", "sha256"} swapped in over the manifest
  std::vector<graph::Edge> edges;           // who starts after whom, and why (the running plan's graph)
};

class AppReader {
 public:
  virtual ~AppReader() = default;
  virtual AppSnapshot snapshot() = 0;
  // Every metric in the Prometheus text format.
  virtual std::string metrics() = 0;
};

struct OperatorAccess {
  AppReader& app;
  reload::Reloader& reloads;
  const state::RevisionReader& revisions;
  events::EventBus& events;
  health::HealthReport& health;
};

}  // namespace hyperion::app
