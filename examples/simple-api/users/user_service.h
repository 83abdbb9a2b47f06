// UserService: the rules. It checks every field of a request (collecting all
// broken rules, not just the first), normalises what it accepts, pages by id,
// and leaves storage to UserRepository. Both the HTTP routes and the gRPC
// methods call it, so both protocols accept and refuse exactly the same.
// Thread-safety: every member, any thread; the limits are swapped atomically
// by a reload.
#pragma once

#include "user.h"
#include "user_repository.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace users {

// The configurable rules (plugin.json's dynamic fields).
struct Limits {
  int64_t max_name_length = 100;  // in characters (Unicode code points)
  int64_t default_page_size = 20;
  int64_t max_page_size = 100;
};

class UserService {
 public:
  UserService(UserRepository& repository, const Limits& limits);

  // Throw InvalidUser (every broken rule), EmailTaken, UserNotFound,
  // VersionMismatch, BadRequest or StorageError.
  User create(NewUser user);
  User get(int64_t id);
  User update(int64_t id, UserChanges changes);
  void remove(int64_t id, std::optional<int64_t> expected_version);
  // page_size 0: the default; above the maximum: the maximum; negative: BadRequest.
  Page list(int64_t page_size, std::string_view page_token);

  void set_limits(const Limits& limits);
  [[nodiscard]] Limits limits() const;

  // The rules on their own (the unit tests and both protocols use them).
  // Each returns the broken rule's message, or empty when the value is fine.
  static std::string check_email(std::string_view email);
  static std::string check_name(std::string_view name, int64_t max_length);

 private:
  UserRepository& repository_;
  mutable std::mutex mu_;
  Limits limits_;
};

// Ids a client can name are positive; anything else is no user at all.
void check_id(int64_t id);

}  // namespace users
