// UserRepository: users in one SQLite file. It applies the migrations compiled
// into the plugin (migrations/*.sql, tracked by PRAGMA user_version) when it
// opens the file, and does nothing but storage: rules live in UserService.
// Thread-safety: every member, any thread (one connection behind a mutex;
// SQLite serialises writers anyway, and these statements take microseconds).
#pragma once

#include "user.h"

#include <sqlite3.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace users {

class UserRepository {
 public:
  // Opens (creating when absent) and migrates `path`. Throws StorageError
  // naming the file: unreadable, not a database, or written by a newer build
  // (a schema version above the last migration this build knows).
  explicit UserRepository(const std::string& path, int busy_timeout_ms = 5000);
  ~UserRepository();
  UserRepository(const UserRepository&) = delete;
  UserRepository& operator=(const UserRepository&) = delete;

  // Throws EmailTaken.
  User create(const NewUser& user);
  std::optional<User> find(int64_t id);
  // Throws UserNotFound, EmailTaken, VersionMismatch.
  User update(int64_t id, const UserChanges& changes);
  // Throws UserNotFound, VersionMismatch.
  void remove(int64_t id, std::optional<int64_t> expected_version);
  // Up to `limit` users with an id above `after_id`, by id.
  std::vector<User> list_after(int64_t after_id, size_t limit);
  int64_t count();

  [[nodiscard]] int schema_version() const noexcept { return schema_version_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  class Statement;
  class Transaction;
  void migrate();
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& doing, int code) const;
  std::optional<User> find_locked(int64_t id);

  const std::string path_;
  std::mutex mu_;
  sqlite3* db_ = nullptr;
  int schema_version_ = 0;
};

}  // namespace users
