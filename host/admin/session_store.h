// SessionStore: browser sign-in for the admin console. Signing in with a token
// makes a session: a random id the browser keeps in an HttpOnly cookie, and a
// CSRF token the page sends back in X-CSRF-Token on every state-changing
// request (a cookie is sent by the browser on its own; the header only by a
// page that could read the sign-in answer, i.e. ours). Sessions live in memory
// (a restarted host signs everyone out), expire after `ttl`, and end on sign
// out or when their token is removed from the tokens file.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "admin/token_registry.h"
#include "base/status.h"

namespace hyperion::admin {

struct Session {
  Identity who;
  std::string csrf;  // 64 hex digits
  std::chrono::system_clock::time_point expires;
};

class SessionStore {
 public:
  static constexpr std::string_view kCookie = "hyperion_session";

  SessionStore(std::chrono::milliseconds ttl, size_t max_sessions) : ttl_(ttl), max_(max_sessions) {}

  // A new session for `who`: its id (the cookie's value) and the session.
  StatusOr<std::pair<std::string, Session>> create(const Identity& who);
  // The live session of a cookie value, or nullopt (unknown or expired).
  std::optional<Session> find(const std::string& id);
  void end(const std::string& id);
  [[nodiscard]] std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  const std::chrono::milliseconds ttl_;
  const size_t max_;
  std::mutex mu_;
  // Keyed by the id's SHA-256: a lookup's timing depends on the digest, not
  // on how much of a guessed id matches.
  std::map<std::string, Session> sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace hyperion::admin
