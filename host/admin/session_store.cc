#include "admin/session_store.h"

#include "admin/admin_token.h"
#include "os/file_digest.h"

namespace hyperion::admin {

StatusOr<std::pair<std::string, Session>> SessionStore::create(const Identity& who) {
  auto id = random_hex(32);
  if (!id.ok()) return id.status();
  auto csrf = random_hex(32);
  if (!csrf.ok()) return csrf.status();
  const auto now = std::chrono::system_clock::now();
  Session session{who, std::move(*csrf), now + ttl_};
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires <= now; });
  // Bounded: a client signing in in a loop pushes out the session nearest its end.
  while (sessions_.size() >= max_ && !sessions_.empty()) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[os::sha256_hex(*id)] = session;
  return std::make_pair(std::move(*id), std::move(session));
}

std::optional<Session> SessionStore::find(const std::string& id) {
  const std::string key = os::sha256_hex(id);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::system_clock::now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::end(const std::string& id) {
  std::lock_guard lock(mu_);
  sessions_.erase(os::sha256_hex(id));
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

}  // namespace hyperion::admin
