#include "user_repository.h"

#include "users/user_migrations.h"

#include <utility>

namespace users {

// One prepared statement, finalized when it goes out of scope.
class UserRepository::Statement {
 public:
  Statement(const UserRepository& repo, const char* sql) : repo_(repo) {
    if (int rc = sqlite3_prepare_v2(repo.db_, sql, -1, &stmt_, nullptr); rc != SQLITE_OK) repo.fail("prepare", rc);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, *v) : check(sqlite3_bind_null(stmt_, i));
  }
  // True while there is a row; throws on errors, EmailTaken on the email's UNIQUE.
  bool step(const std::string& email_for_conflict = {}) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (sqlite3_extended_errcode(repo_.db_) == SQLITE_CONSTRAINT_UNIQUE) throw EmailTaken(email_for_conflict);
    repo_.fail("step", rc);
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  // Columns in the order of kUserColumns.
  User user() const { return {integer(0), text(1), text(2), integer(3), text(4), text(5)}; }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) repo_.fail("bind", rc);
    return *this;
  }
  const UserRepository& repo_;
  sqlite3_stmt* stmt_ = nullptr;
};

#define USER_COLUMNS "id, email, name, version, created_at, updated_at"
// RFC 3339 in UTC with milliseconds, e.g. 2026-11-30T16:50:12.345Z.
#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

// A transaction that rolls back unless committed. IMMEDIATE: the write lock
// is taken at BEGIN, so a read-then-write is not raced by another process.
class UserRepository::Transaction {
 public:
  explicit Transaction(UserRepository& repo) : repo_(repo) { repo_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (done_) return;
    try {
      repo_.exec("ROLLBACK");
    } catch (const StorageError&) {  // SQLite rolls back on its own when the statement failed
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    repo_.exec("COMMIT");
    done_ = true;
  }

 private:
  UserRepository& repo_;
  bool done_ = false;
};

UserRepository::UserRepository(const std::string& path, int busy_timeout_ms) : path_(path) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw StorageError(path + ": cannot open: " + why, false);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // WAL: readers never wait for the writer; NORMAL is durable across an
    // application crash (an OS crash may lose the last transactions).
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = NORMAL");
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

UserRepository::~UserRepository() { sqlite3_close(db_); }

void UserRepository::exec(const char* sql) {
  char* message = nullptr;
  if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message); rc != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StorageError(path_ + ": " + why, (rc & 0xff) == SQLITE_BUSY);
  }
}

void UserRepository::fail(const std::string& doing, int code) const {
  throw StorageError(path_ + ": " + doing + ": " + sqlite3_errmsg(db_), (code & 0xff) == SQLITE_BUSY);
}

void UserRepository::migrate() {
  auto current = [this] {
    Statement s(*this, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
  };
  const int latest = std::end(kMigrations)[-1].version;
  schema_version_ = current();
  if (schema_version_ > latest) {
    throw StorageError(path_ + ": written by a newer build (schema version " + std::to_string(schema_version_) +
                           "; this build knows up to " + std::to_string(latest) + ")",
                       false);
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= schema_version_) continue;
    Transaction tx(*this);
    // Another process may have migrated since we looked: look again under the lock.
    if ((schema_version_ = current()) >= m.version) continue;
    try {
      exec(m.sql);
      exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
    } catch (const StorageError& e) {
      throw StorageError(std::string("migration ") + m.name + ": " + e.what(), e.busy());
    }
    tx.commit();
    schema_version_ = m.version;
  }
}

User UserRepository::create(const NewUser& user) {
  std::lock_guard lock(mu_);
  Statement s(*this, "INSERT INTO users (email, name, created_at, updated_at) VALUES (?, ?, " NOW ", " NOW
                     ") RETURNING " USER_COLUMNS);
  s.bind(1, user.email).bind(2, user.name);
  s.step(user.email);
  return s.user();
}

std::optional<User> UserRepository::find_locked(int64_t id) {
  Statement s(*this, "SELECT " USER_COLUMNS " FROM users WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return s.user();
}

std::optional<User> UserRepository::find(int64_t id) {
  std::lock_guard lock(mu_);
  return find_locked(id);
}

User UserRepository::update(int64_t id, const UserChanges& changes) {
  std::lock_guard lock(mu_);
  Transaction tx(*this);
  std::optional<User> before = find_locked(id);
  if (!before) throw UserNotFound(id);
  if (changes.expected_version && *changes.expected_version != before->version) {
    throw VersionMismatch(id, *changes.expected_version, before->version);
  }
  User after;
  {  // finalized before COMMIT, which refuses while a statement is still running
    Statement s(*this,
                "UPDATE users SET email = coalesce(?, email), name = coalesce(?, name), "
                "version = version + 1, updated_at = " NOW " WHERE id = ? RETURNING " USER_COLUMNS);
    s.bind(1, changes.email).bind(2, changes.name).bind(3, id);
    s.step(changes.email.value_or(before->email));
    after = s.user();
  }
  tx.commit();
  return after;
}

void UserRepository::remove(int64_t id, std::optional<int64_t> expected_version) {
  std::lock_guard lock(mu_);
  Transaction tx(*this);
  std::optional<User> before = find_locked(id);
  if (!before) throw UserNotFound(id);
  if (expected_version && *expected_version != before->version) {
    throw VersionMismatch(id, *expected_version, before->version);
  }
  {
    Statement s(*this, "DELETE FROM users WHERE id = ?");
    s.bind(1, id);
    s.step();
  }
  tx.commit();
}

std::vector<User> UserRepository::list_after(int64_t after_id, size_t limit) {
  std::lock_guard lock(mu_);
  Statement s(*this, "SELECT " USER_COLUMNS " FROM users WHERE id > ? ORDER BY id LIMIT ?");
  s.bind(1, after_id).bind(2, static_cast<int64_t>(limit));
  std::vector<User> out;
  while (s.step()) out.push_back(s.user());
  return out;
}

int64_t UserRepository::count() {
  std::lock_guard lock(mu_);
  Statement s(*this, "SELECT count(*) FROM users");
  s.step();
  return s.integer(0);
}

}  // namespace users
