#include "state/state_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "base/rfc3339.h"
#include "state/state_migrations.h"

namespace hyperion::state {
namespace {

// One prepared statement: bind by position (1-based), step, read columns.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  [[nodiscard]] std::string text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  [[nodiscard]] int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] Status error(const char* what) const {
    return internal_error(std::string("state: ") + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string now() { return format_rfc3339_utc(std::chrono::system_clock::now()); }

constexpr const char* kRevisionColumns =
    "SELECT number, created_at, source, author, manifest, diff, outcome, error, overrides, layers, secrets_withheld, "
    "libraries FROM revisions ";

Revision read_revision(const Statement& s) {
  return {static_cast<uint64_t>(s.integer(0)),
          s.text(1),
          s.text(2),
          s.text(3),
          s.text(4),
          s.text(5),
          s.text(6),
          s.text(7),
          s.text(8),
          s.text(9),
          s.integer(10) != 0,
          s.text(11)};
}

}  // namespace

StatusOr<std::unique_ptr<StateStore>> StateStore::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::unique_ptr<StateStore> store(new StateStore());
  store->path_ = path;
  // Create the file 0600 before SQLite does: its -wal and -shm files copy the
  // database's permissions, and revisions hold every configuration.
  if (int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  if (sqlite3_open_v2(path.c_str(), &store->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = store->db_ ? sqlite3_errmsg(store->db_) : "out of memory";
    return unavailable("state: cannot open " + path + ": " + why);
  }
  sqlite3_busy_timeout(store->db_, 5000);
  // WAL: readers never block the writer; NORMAL sync is durable across process
  // crashes (the OS may lose the last transactions on power loss).
  HYPERION_RETURN_IF_ERROR(store->exec("PRAGMA journal_mode = WAL"));
  HYPERION_RETURN_IF_ERROR(store->exec("PRAGMA synchronous = NORMAL"));
  HYPERION_RETURN_IF_ERROR(store->exec("PRAGMA foreign_keys = ON"));
  HYPERION_RETURN_IF_ERROR(store->migrate());
  if (sqlite3_open_v2(path.c_str(), &store->checkpoint_db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = store->checkpoint_db_ ? sqlite3_errmsg(store->checkpoint_db_) : "out of memory";
    return unavailable("state: cannot open " + path + " a second time (to checkpoint): " + why);
  }
  sqlite3_busy_timeout(store->checkpoint_db_, 5000);
  // A connection opens the database on first use: until then it does not know
  // the WAL, and a checkpoint through it does nothing.
  if (sqlite3_exec(store->checkpoint_db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return unavailable("state: cannot open " + path +
                       " a second time (to checkpoint): " + sqlite3_errmsg(store->checkpoint_db_));
  }
  // Replaces SQLite's automatic checkpoint (itself a WAL hook) with one on the
  // writer thread: see checkpoint_db_.
  sqlite3_wal_hook(store->db_, &StateStore::on_wal_commit, store.get());
  return store;
}

StateStore::~StateStore() {
  sqlite3_wal_hook(db_, nullptr, nullptr);  // no checkpoint requests into a queue going away
  writes_.reset();                          // writes what is still queued first
  sqlite3_close_v2(checkpoint_db_);
  sqlite3_close_v2(db_);  // the last connection: checkpoints what is left
}

int StateStore::on_wal_commit(void* self, sqlite3* db, const char* database, int pages) {
  // SQLite's own default: a checkpoint every 1000 pages (4 MB) of WAL.
  constexpr int kCheckpointPages = 1000;
  auto* store = static_cast<StateStore*>(self);
  if (pages >= 4 * kCheckpointPages) {
    // A burst of commits the writer thread's checkpoints could not catch up
    // with (a WAL only starts over once a checkpoint copied all of it, and
    // commits kept coming): after the writer's checkpoint in progress (SQLite
    // refuses a second one at once), copy all of it here (RESTART), so the
    // next commit starts the WAL over and it stays bounded.
    std::lock_guard one_at_a_time(store->checkpoint_mu_);
    (void)sqlite3_wal_checkpoint_v2(db, database, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (pages >= kCheckpointPages && !store->checkpoint_requested_.exchange(true)) {
    Queued q;
    q.checkpoint = true;
    store->writes_->push(std::move(q));
  }
  return SQLITE_OK;
}

void StateStore::checkpoint() {
  std::lock_guard one_at_a_time(checkpoint_mu_);
  checkpoint_requested_ = false;
  // PASSIVE: copies what no reader still needs and never waits for a reader
  // or a writer; what it could not copy is copied by the next one.
  (void)sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

void StateStore::enqueue_event(const std::string& type, const std::string& json) {
  Queued q;
  q.type = type;
  q.json = json;
  writes_->push(std::move(q));
}

void StateStore::enqueue_plugin_history(PluginHistoryEntry entry) {
  Queued q;
  q.is_event = false;
  q.history = std::move(entry);
  writes_->push(std::move(q));
}

void StateStore::flush() { writes_->flush(); }

void StateStore::write_batch(std::vector<Queued>& batch) {
  {
    std::lock_guard db(mu_);
    // One transaction for the whole batch: one WAL append instead of one per row.
    (void)exec("BEGIN IMMEDIATE");
    for (const Queued& q : batch) {
      if (q.checkpoint) continue;  // only wakes this thread: checkpoint_requested_ says it is due
      if (q.is_event)
        (void)insert_event(q.type, q.json);
      else
        (void)insert_plugin_history(q.history);
    }
    prune_events();
    (void)exec("COMMIT");
  }
  // Set by the WAL hook before it queues its request, reset by checkpoint():
  // a request already served by an earlier batch costs nothing here.
  if (checkpoint_requested_.load()) checkpoint();
}

Status StateStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return internal_error("state: " + path_ + ": " + why);
  }
  return ok_status();
}

Status StateStore::migrate() {
  Statement version(db_, "PRAGMA user_version");
  if (!version.ok() || version.step() != SQLITE_ROW) return version.error("reading the schema version");
  schema_version_ = static_cast<int>(version.integer(0));
  for (const Migration& m : kMigrations) {
    if (m.version <= schema_version_) continue;
    HYPERION_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
    Status s = exec(m.sql);
    if (s.ok()) s = exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
    if (!s.ok()) {
      (void)exec("ROLLBACK");
      return s.with_prefix(std::string("migration ") + m.name);
    }
    HYPERION_RETURN_IF_ERROR(exec("COMMIT"));
    schema_version_ = m.version;
  }
  int newest = 0;
  for (const Migration& m : kMigrations) newest = std::max(newest, m.version);
  if (schema_version_ > newest) {
    return failed_precondition("state: " + path_ + " has schema version " + std::to_string(schema_version_) +
                               ", newer than this host knows (" + std::to_string(newest) + "): upgrade the host");
  }
  return ok_status();
}

StatusOr<uint64_t> StateStore::add_revision(const Revision& r) {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "INSERT INTO revisions (created_at, source, author, manifest, diff, outcome, error, overrides, layers, "
              "secrets_withheld, libraries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.error("preparing a revision insert");
  s.bind(1, now()).bind(2, r.source).bind(3, r.author).bind(4, r.manifest).bind(5, r.diff).bind(6, r.outcome);
  s.bind(7, r.error).bind(8, r.overrides).bind(9, r.layers).bind(10, int64_t{r.secrets_withheld ? 1 : 0});
  s.bind(11, r.libraries);
  if (s.step() != SQLITE_DONE) return s.error("storing a revision");
  if (revision_totals_) {
    revision_totals_->count += 1;
    revision_totals_->bytes += static_cast<int64_t>(r.manifest.size() + r.diff.size() + r.overrides.size() +
                                                    r.layers.size() + r.libraries.size() + r.error.size());
  }
  return static_cast<uint64_t>(sqlite3_last_insert_rowid(db_));
}

// A revision's size as prune_revisions counts it: bytes, not characters.
#define REVISION_BYTES                                                                               \
  "length(CAST(manifest AS BLOB)) + length(CAST(diff AS BLOB)) + length(CAST(overrides AS BLOB)) + " \
  "length(CAST(layers AS BLOB)) + length(CAST(libraries AS BLOB)) + length(CAST(error AS BLOB))"

StatusOr<size_t> StateStore::prune_revisions(int64_t keep, int64_t max_bytes, uint64_t in_force) {
  std::lock_guard lock(mu_);
  if (!revision_totals_) {
    Statement totals(db_, "SELECT count(*), total(" REVISION_BYTES ") FROM revisions");
    if (!totals.ok()) return totals.error("preparing a revision count");
    if (totals.step() != SQLITE_ROW) return totals.error("counting revisions");
    revision_totals_ = RevisionTotals{totals.integer(0), totals.integer(1)};
  }
  RevisionTotals& t = *revision_totals_;
  if (t.count <= keep && t.bytes <= max_bytes) return size_t{0};
  // Oldest first, stopping at the first one that may stay: every newer one
  // stays too, so what is kept is always the newest run (and `in_force`).
  Statement s(db_, "SELECT number, " REVISION_BYTES
                   ", number = (SELECT max(number) FROM revisions) "
                   "FROM revisions ORDER BY number ASC");
  if (!s.ok()) return s.error("preparing a revision size query");
  int64_t last_doomed = 0, doomed = 0, doomed_bytes = 0, index = 0;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    const int64_t number = s.integer(0), size = s.integer(1);
    const bool newest = s.integer(2) != 0;
    const int64_t newer = t.count - index - 1;
    ++index;
    if (static_cast<uint64_t>(number) == in_force) continue;
    if (newest || (newer < keep && t.bytes - doomed_bytes <= max_bytes)) break;
    last_doomed = number;
    ++doomed;
    doomed_bytes += size;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return s.error("reading revision sizes");
  if (doomed == 0) return size_t{0};
  Statement d(db_, "DELETE FROM revisions WHERE number <= ? AND number != ?");
  if (!d.ok()) return d.error("preparing a revision delete");
  d.bind(1, last_doomed).bind(2, static_cast<int64_t>(in_force));
  if (d.step() != SQLITE_DONE) return d.error("deleting old revisions");
  t.count -= doomed;
  t.bytes -= doomed_bytes;
  return static_cast<size_t>(doomed);
}

StatusOr<std::vector<Revision>> StateStore::revisions(size_t limit) const {
  std::lock_guard lock(mu_);
  Statement s(db_, (std::string(kRevisionColumns) + "ORDER BY number DESC LIMIT ?").c_str());
  if (!s.ok()) return s.error("preparing a revision query");
  s.bind(1, static_cast<int64_t>(limit));
  std::vector<Revision> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_revision(s));
  if (rc != SQLITE_DONE) return s.error("reading revisions");
  return out;
}

StatusOr<Revision> StateStore::revision(uint64_t number) const {
  std::lock_guard lock(mu_);
  Statement s(db_, (std::string(kRevisionColumns) + "WHERE number = ?").c_str());
  if (!s.ok()) return s.error("preparing a revision query");
  s.bind(1, static_cast<int64_t>(number));
  int rc = s.step();
  if (rc == SQLITE_DONE) return not_found("revision " + std::to_string(number) + " does not exist");
  if (rc != SQLITE_ROW) return s.error("reading a revision");
  return read_revision(s);
}

StatusOr<std::optional<Revision>> StateStore::latest_applied() const {
  std::lock_guard lock(mu_);
  Statement s(db_, (std::string(kRevisionColumns) + "WHERE outcome = 'applied' ORDER BY number DESC LIMIT 1").c_str());
  if (!s.ok()) return s.error("preparing a revision query");
  int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<Revision>();
  if (rc != SQLITE_ROW) return s.error("reading a revision");
  return std::optional<Revision>(read_revision(s));
}

Status StateStore::add_event(const std::string& type, const std::string& json) {
  std::lock_guard lock(mu_);
  Status s = insert_event(type, json);
  prune_events();
  return s;
}

void StateStore::prune_events() {
  Statement s(db_, "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?");
  if (!s.ok()) return;
  s.bind(1, static_cast<int64_t>(event_retention_.load()));
  (void)s.step();
}

Status StateStore::insert_event(const std::string& type, const std::string& json) {
  Statement s(db_, "INSERT INTO events (created_at, type, json) VALUES (?, ?, ?)");
  if (!s.ok()) return s.error("preparing an event insert");
  s.bind(1, now()).bind(2, type).bind(3, json);
  if (s.step() != SQLITE_DONE) return s.error("storing an event");
  return ok_status();
}

StatusOr<std::vector<StoredEvent>> StateStore::events_after(uint64_t after_id, size_t limit) const {
  std::lock_guard lock(mu_);
  Statement s(db_, "SELECT id, type, json FROM events WHERE id > ? ORDER BY id LIMIT ?");
  if (!s.ok()) return s.error("preparing an event query");
  s.bind(1, static_cast<int64_t>(after_id)).bind(2, static_cast<int64_t>(limit));
  std::vector<StoredEvent> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({static_cast<uint64_t>(s.integer(0)), s.text(1), s.text(2)});
  if (rc != SQLITE_DONE) return s.error("reading events");
  return out;
}

Status StateStore::add_plugin_history(const PluginHistoryEntry& e) {
  std::lock_guard lock(mu_);
  return insert_plugin_history(e);
}

Status StateStore::insert_plugin_history(const PluginHistoryEntry& e) {
  Statement s(db_,
              "INSERT INTO plugin_history (created_at, instance, action, plugin, version, sha256, detail) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.error("preparing a history insert");
  s.bind(1, now())
      .bind(2, e.instance)
      .bind(3, e.action)
      .bind(4, e.plugin)
      .bind(5, e.version)
      .bind(6, e.sha256)
      .bind(7, e.detail);
  if (s.step() != SQLITE_DONE) return s.error("storing plugin history");
  return ok_status();
}

StatusOr<std::vector<PluginHistoryEntry>> StateStore::plugin_history(const std::string& instance) const {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT created_at, instance, action, plugin, version, sha256, detail FROM plugin_history "
              "WHERE instance = ? ORDER BY id");
  if (!s.ok()) return s.error("preparing a history query");
  s.bind(1, instance);
  std::vector<PluginHistoryEntry> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
  }
  if (rc != SQLITE_DONE) return s.error("reading plugin history");
  return out;
}

}  // namespace hyperion::state
