// The user model and the errors every layer speaks. Protocol-free: the HTTP
// routes and the gRPC methods translate these into their own answers.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace users {

struct User {
  int64_t id = 0;
  std::string email;
  std::string name;
  int64_t version = 0;
  std::string created_at;
  std::string updated_at;
};

// What a create carries.
struct NewUser {
  std::string email;
  std::string name;
};

// What an update carries: only the fields that are set change.
struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<int64_t> expected_version;
};

struct Page {
  std::vector<User> users;
  std::string next_page_token;  // empty on the last page
  int64_t total_size = 0;
};

// One broken rule: the field (as the client spelled it) and what is wrong.
struct FieldViolation {
  std::string field;
  std::string message;
};

// The request names fields that break rules (HTTP 422, gRPC INVALID_ARGUMENT).
class InvalidUser : public std::runtime_error {
 public:
  explicit InvalidUser(std::vector<FieldViolation> violations);
  [[nodiscard]] const std::vector<FieldViolation>& violations() const noexcept { return violations_; }

 private:
  std::vector<FieldViolation> violations_;
};

// The request itself is malformed: a page token or paging value this server
// does not accept (HTTP 400, gRPC INVALID_ARGUMENT).
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No user has this id (HTTP 404, gRPC NOT_FOUND).
class UserNotFound : public std::runtime_error {
 public:
  explicit UserNotFound(int64_t id) : std::runtime_error("no user " + std::to_string(id)) {}
};

// Another user already has this email (HTTP 409, gRPC ALREADY_EXISTS).
class EmailTaken : public std::runtime_error {
 public:
  explicit EmailTaken(const std::string& email) : std::runtime_error("the email " + email + " is already in use") {}
};

// The caller expected another version (HTTP 412, gRPC ABORTED).
class VersionMismatch : public std::runtime_error {
 public:
  VersionMismatch(int64_t id, int64_t expected, int64_t current)
      : std::runtime_error("user " + std::to_string(id) + " is at version " + std::to_string(current) + ", not " +
                           std::to_string(expected)),
        current_(current) {}
  [[nodiscard]] int64_t current() const noexcept { return current_; }

 private:
  int64_t current_;
};

// The database failed (HTTP 500/503, gRPC INTERNAL/UNAVAILABLE); the text
// names the file and SQLite's reason, for the log.
class StorageError : public std::runtime_error {
 public:
  StorageError(const std::string& what, bool busy) : std::runtime_error(what), busy_(busy) {}
  // The database was locked by another writer for longer than the busy timeout.
  [[nodiscard]] bool busy() const noexcept { return busy_; }

 private:
  bool busy_;
};

}  // namespace users
