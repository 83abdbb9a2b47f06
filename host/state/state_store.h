// StateStore: the host's embedded state in SQLite (WAL mode): configuration
// revisions, the event log and the plugin history. Schema changes are the .sql
// files in migrations/, applied in order and tracked by PRAGMA user_version.
// Thread-safety: every method may be called from any thread (one connection,
// guarded by a mutex; SQLite serializes writers anyway).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/background_queue.h"
#include "base/status.h"

struct sqlite3;

namespace hyperion::state {

struct Revision {
  uint64_t number = 0;
  std::string created_at;
  std::string source;
  std::string author;
  std::string manifest;           // ${file:...} references unresolved
  std::string diff;               // JSON, secrets redacted
  std::string outcome;            // applied | refused | rolled_back
  std::string error;              // JSON or empty
  std::string overrides = "{}";   // JSON: proposed configs on top of the manifest (secrets redacted)
  std::string layers = "[]";      // JSON: config sources' layers (reload/config_layers.h), secrets redacted
  bool secrets_withheld = false;  // overrides or layers had secrets redacted: they cannot be applied again
  std::string libraries = "{}";   // JSON: instance -> {"library", "sha256"} swapped in over the manifest's
};

// The revision history, read-only: what the admin API and the CLI show.
class RevisionReader {
 public:
  virtual ~RevisionReader() = default;
  // Newest first; at most `limit`.
  virtual StatusOr<std::vector<Revision>> revisions(size_t limit) const = 0;
  // kNotFound when there is no such revision.
  virtual StatusOr<Revision> revision(uint64_t number) const = 0;
};

struct StoredEvent {
  uint64_t id = 0;
  std::string type;
  std::string json;
};

struct PluginHistoryEntry {
  std::string created_at;
  std::string instance;
  std::string action;
  std::string plugin;
  std::string version;
  std::string sha256;
  std::string detail;
};

class StateStore : public RevisionReader {
 public:
  // Opens (creating if needed) the database at `path` and migrates it.
  static StatusOr<std::unique_ptr<StateStore>> open(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Stores a revision (number and created_at are assigned) and returns its number.
  StatusOr<uint64_t> add_revision(const Revision& revision);
  // Deletes the oldest revisions beyond the newest `keep`, then the oldest
  // until those left take at most `max_bytes` (manifest, diff, overrides,
  // layers, libraries, error); never the newest one, nor `in_force` (the
  // revision running now, which a rollback may need). Returns how many went.
  // O(1) while within both limits (running totals, counted once per process);
  // past them it reads only the rows it deletes.
  StatusOr<size_t> prune_revisions(int64_t keep, int64_t max_bytes, uint64_t in_force);
  StatusOr<std::vector<Revision>> revisions(size_t limit) const override;
  StatusOr<Revision> revision(uint64_t number) const override;
  // The newest applied revision, if any.
  StatusOr<std::optional<Revision>> latest_applied() const;

  // The newest events kept: older ones are deleted as new ones are written, so a
  // plugin emitting in a loop, or a client hammering reloads into an open
  // breaker, cannot grow the database without bound (fuzzing grew it to 90 MB
  // in 20 minutes).
  static constexpr uint64_t kDefaultEventRetention = 100'000;
  void set_event_retention(uint64_t newest_kept) { event_retention_ = newest_kept; }

  Status add_event(const std::string& type, const std::string& json);
  // Queue an event / a history entry for the background writer, which stores
  // everything queued in one transaction: the lifecycle never waits on the disk.
  void enqueue_event(const std::string& type, const std::string& json);
  void enqueue_plugin_history(PluginHistoryEntry entry);
  // Waits until everything queued so far is stored.
  void flush();
  // Events with id > after_id, oldest first, at most `limit`.
  StatusOr<std::vector<StoredEvent>> events_after(uint64_t after_id, size_t limit) const;

  Status add_plugin_history(const PluginHistoryEntry& entry);
  StatusOr<std::vector<PluginHistoryEntry>> plugin_history(const std::string& instance) const;

  [[nodiscard]] int schema_version() const { return schema_version_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  // Deletes events older than the newest event_retention_ (caller holds mu_).
  void prune_events();
  std::atomic<uint64_t> event_retention_{kDefaultEventRetention};
  StateStore() = default;
  Status exec(const char* sql);
  Status migrate();
  struct Queued {
    bool is_event = true;
    bool checkpoint = false;  // not a row: wakes the writer for a checkpoint
    std::string type, json;
    PluginHistoryEntry history;
  };
  void write_batch(std::vector<Queued>& batch);
  // After every commit on db_ (sqlite3_wal_hook): once the WAL holds
  // kCheckpointPages, asks the writer thread for a checkpoint.
  static int on_wal_commit(void* self, sqlite3* db, const char* database, int pages);
  // Copies the WAL back into the database from checkpoint_db_, so no caller
  // of this store waits for it (the writer thread, outside mu_).
  void checkpoint();
  Status insert_event(const std::string& type, const std::string& json);
  Status insert_plugin_history(const PluginHistoryEntry& entry);

  // Events and history entries wait here for the writer (one transaction per batch).
  std::unique_ptr<BackgroundQueue<Queued>> writes_ =
      std::make_unique<BackgroundQueue<Queued>>([this](std::vector<Queued>& batch) { write_batch(batch); });

  mutable std::mutex mu_;
  sqlite3* db_ = nullptr;
  // A second connection, used only by the writer thread to checkpoint. SQLite
  // would otherwise checkpoint inside whichever commit filled the WAL — at
  // times a reload's revision, which then waited ~5 ms for 4 MB of copying and
  // an fsync (#23: every ~70th reload). A checkpoint on its own connection
  // holds neither mu_ nor the WAL's write lock: commits go on meanwhile.
  sqlite3* checkpoint_db_ = nullptr;
  std::atomic<bool> checkpoint_requested_{false};
  // Held through a checkpoint (taken after mu_ when both are).
  std::mutex checkpoint_mu_;
  // How many revisions there are and their bytes, once counted (under mu_).
  struct RevisionTotals {
    int64_t count = 0;
    int64_t bytes = 0;
  };
  std::optional<RevisionTotals> revision_totals_;
  std::string path_;
  int schema_version_ = 0;
};

}  // namespace hyperion::state
