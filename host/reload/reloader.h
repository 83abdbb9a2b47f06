// Reloader: the reload room's front door. It owns everything a reload decides
// with — the running plan, the configs proposed by config sources, the circuit
// breaker, the coalescer of file triggers — and everything it leaves behind —
// the revision, the events, the metrics, the per-instance "last reload". Every
// trigger (SIGHUP, file watch, admin API, CLI, a config source, a rollback)
// comes through here and learns its outcome synchronously (docs/reload.md).
//
//   reloader.reload({"admin", "alice", manifest_text, std::nullopt});
//   reloader.reload_from_file("sighup");       // coalesced
//   reloader.propose("remote", "consul:kv/app", R"({"db": {...}})");
//   reloader.rollback(7, "alice");
//
// Thread-safety: every member may be called from any thread; operations that
// change or read the running plan go through the host's OperationGate.
// running() may be read only by a caller inside the gate.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/operation_gate.h"
#include "events/event_bus.h"
#include "lifecycle/instance_factory.h"
#include "lifecycle/lifecycle.h"
#include "loader/loader.h"
#include "metrics/metrics_registry.h"
#include "planning/resolved_app.h"
#include "reload/config_layers.h"
#include "reload/reload_breaker.h"
#include "reload/reload_coalescer.h"
#include "reload/reload_result.h"
#include "secrets/secret_scrubber.h"
#include "state/state_store.h"

namespace hyperion::reload {

// A library an operator swapped in for one instance (hyperion swap), kept on top
// of the manifest's `library:` until the manifest itself changes that
// instance's library or sha256, or drops the instance (docs/hot-swap.md).
struct LibraryChoice {
  std::string library;                // as given: a path or a name on the search path
  std::optional<std::string> sha256;  // the pin, if any (replaces the manifest's)
};
using LibraryChoices = std::map<std::string, LibraryChoice>;  // by instance

// A request for a new desired configuration.
struct ReloadRequest {
  std::string source;  // "sighup", "file-watch", "admin", "cli", "plugin:<instance>", "rollback:N"
  std::string author;  // who asked, when known
  // The whole new manifest; nullopt re-reads the manifest file.
  std::optional<std::string> manifest_text;
  // Configs proposed by config sources, applied on top of the manifest (instance
  // -> complete config); nullopt keeps the ones in force.
  std::optional<boost::json::object> overrides;
  // A config source's proposal: merged into the overrides in force, on top of
  // the running manifest (manifest_text is ignored). Empty: no proposal.
  boost::json::object proposal = {};
  // The layers of every source (a rollback restores them); nullopt keeps the ones in force.
  std::optional<std::vector<ConfigLayer>> layers = std::nullopt;
  // One source's new layer: replaces that source's layer (an empty one withdraws
  // it), on top of the running manifest (manifest_text is ignored).
  std::optional<ConfigLayer> layer = std::nullopt;
  // A proposal gives up waiting for its turn once this turns true (its
  // instance is being stopped); nullptr: wait.
  const std::atomic<bool>* give_up = nullptr;
  // A swap: this instance gets this library, on top of the running manifest
  // (manifest_text is ignored); refused when it would restart instead.
  std::optional<std::pair<std::string, LibraryChoice>> swap = std::nullopt;
  // The swapped libraries of every instance (a rollback restores them); nullopt
  // keeps the ones in force.
  std::optional<LibraryChoices> libraries = std::nullopt;
  // Optimistic locking (an operator's If-Match): refused with kRevisionMoved,
  // before anything is tried or recorded, unless this is the running revision
  // when the reload's turn comes. nullopt: whatever runs.
  std::optional<uint64_t> expected_revision = std::nullopt;
};

class Reloader {
 public:
  // The rooms a reload works with; the host owns them and outlives the Reloader.
  struct Rooms {
    OperationGate& gate;
    lifecycle::Lifecycle& lifecycle;
    const lifecycle::InstanceFactory& instances;
    loader::Loader& loader;
    state::StateStore& store;
    events::EventBus& events;
    metrics::MetricsRegistry& metrics;
    secrets::SecretScrubber& secrets;
    // Applies host settings a reload may change (logging); a failure is a warning.
    std::function<Status(const manifest::HostSettings&)> apply_host_settings;
    // Told when a reload begins (nullptr) and how it ended (every outcome,
    // "unchanged" too), on the reloading thread: the service manager's
    // RELOADING=1 / READY=1. May be empty.
    std::function<void(const ReloadResult*)> observer = nullptr;
  };

  // `running` is the plan the lifecycle was built from.
  Reloader(Rooms rooms, std::unique_ptr<planning::ResolvedApp> running, std::string manifest_path);

  // Applies a new desired configuration atomically and returns the outcome only
  // when it is decided. Every attempt that is not refused by the breaker or
  // unchanged is stored as a revision.
  ReloadResult reload(const ReloadRequest& request);
  // Re-reads the manifest file and applies it; a burst of such calls is coalesced.
  ReloadResult reload_from_file(const std::string& source, const std::string& author = "");
  // A config source's proposal (the host API's config_propose): `desired_json`
  // maps instance names to complete new configs; they stay in force on top of
  // the manifest until proposed again.
  // `give_up`: the proposing instance is being stopped (nullptr: never).
  ReloadResult propose(const std::string& instance, const std::string& source, const std::string& desired_json,
                       const std::atomic<bool>* give_up = nullptr);
  // A config source's layer (the host API's config_propose_layer, ABI 1.1).
  ReloadResult propose_layer(const std::string& instance, const std::string& source, const std::string& layer_json,
                             const std::atomic<bool>* give_up = nullptr);
  // Replaces the library of running instance `instance` make-before-break
  // (docs/hot-swap.md): `library` is a path (absolute, or relative to the
  // manifest's folder) or a name on the search path; `sha256` pins it.
  // `expected_revision`: see ReloadRequest.
  ReloadResult swap(const std::string& instance, const LibraryChoice& library, const std::string& source,
                    const std::string& author, std::optional<uint64_t> expected_revision = std::nullopt);
  // Applies revision `number`'s manifest and proposals as a new revision ("rollback:N").
  ReloadResult rollback(uint64_t number, const std::string& author,
                        std::optional<uint64_t> expected_revision = std::nullopt);

  // Records what runs after the first start as revision 1 of this run ("startup").
  Status record_startup();

  // The running plan. Only inside the gate: a reload replaces it.
  [[nodiscard]] const planning::ResolvedApp& running() const { return *running_; }
  // The newest applied revision (0 before the first).
  [[nodiscard]] uint64_t current_revision() const { return current_revision_.load(); }
  [[nodiscard]] const ReloadBreaker& breaker() const { return breaker_; }
  // instance -> {"revision", "outcome", "action"} of the last reload that touched it.
  [[nodiscard]] boost::json::object last_per_instance() const;
  // instance -> the newest applied swap's diff entry (from, to, old_library, revision).
  [[nodiscard]] boost::json::object last_swaps() const;
  // Only inside the gate: instance -> {JSON Pointer: source} for every effective
  // field a config source set (the rest is the manifest's, or a default).
  [[nodiscard]] boost::json::object field_sources() const;
  // Only inside the gate: the layers in force, secrets redacted.
  [[nodiscard]] boost::json::array layers_view() const;
  // Only inside the gate: instance -> {"library", "sha256"} swapped in over the manifest.
  [[nodiscard]] boost::json::object libraries_view() const;

 private:
  // What a reload applies: the manifest text with proposals and layers on top.
  struct Desired {
    std::string text;
    boost::json::object overrides;
    std::vector<ConfigLayer> layers;
    LibraryChoices libraries;
    bool keep_all_libraries = false;  // a rollback: restore them as they were
    std::string must_swap;            // a swap request's instance
  };
  // Parses and resolves; drops the swapped libraries the manifest overrules.
  // `problems`: each instance's, one by one (what the refusal names).
  StatusOr<std::unique_ptr<planning::ResolvedApp>> resolve(Desired& desired, std::vector<std::string>& warnings,
                                                           LibraryChoices& as_written, manifest::Diagnostics& problems);
  ReloadResult apply(Desired& desired);
  // For each swap: did the old library leave the process? (into the diff)
  void verify_unloaded(ReloadResult& result) const;
  void announce_swaps(const ReloadResult& result);
  void record(const ReloadRequest& request, const Desired& desired, ReloadResult& result);
  // Drops revisions beyond host.revisions (never the one in force).
  void prune_history();
  void remember_secrets(const planning::ResolvedApp& app);
  void announce_breaker(ReloadBreaker::Transition transition);
  void count(const ReloadResult& result);
  void remember_per_instance(const ReloadResult& result);

  Rooms rooms_;
  std::unique_ptr<planning::ResolvedApp> running_;
  const std::string manifest_path_;
  boost::json::object overrides_;  // in force: proposed configs on top of the manifest
  std::map<std::string, std::string> override_sources_;  // instance -> source of its proposed config
  std::vector<ConfigLayer> layers_;                      // in force, in the order first proposed
  LibraryChoices libraries_;                             // in force: swapped in over the manifest
  LibraryChoices manifest_libraries_;                    // the running manifest's library:/sha256: as written
  ReloadBreaker breaker_;
  ReloadCoalescer coalescer_;
  std::atomic<uint64_t> current_revision_{0};
  mutable std::mutex last_mu_;
  boost::json::object last_per_instance_;
  boost::json::object last_swaps_;
};

}  // namespace hyperion::reload
