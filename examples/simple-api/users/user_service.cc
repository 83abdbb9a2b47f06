#include "user_service.h"

#include <algorithm>
#include <charconv>

namespace users {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The number of code points, or -1 when `s` is not valid UTF-8 (overlong
// forms, surrogates and values above U+10FFFF are invalid too).
int64_t utf8_length(std::string_view s) {
  int64_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
    if (extra == 9 || i + extra >= s.size()) return -1;  // not a lead byte, or cut short
    uint32_t cp = extra == 0 ? c : c & (0x3f >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (next & 0x3f);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    i += extra + 1;
  }
  return count;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Page tokens are the last id of the previous page, as text. Clients must
// treat them as opaque: the format may change.
std::string page_token_after(int64_t id) { return std::to_string(id); }

int64_t parse_page_token(std::string_view token) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
  if (ec != std::errc() || end != token.data() + token.size() || id <= 0) {
    throw BadRequest("page_token is not one this server gave");
  }
  return id;
}

}  // namespace

InvalidUser::InvalidUser(std::vector<FieldViolation> violations)
    : std::runtime_error([&] {
        std::string text = "the user is not valid:";
        for (const auto& v : violations) text += " " + v.field + ": " + v.message + ";";
        text.pop_back();
        return text;
      }()),
      violations_(std::move(violations)) {}

void check_id(int64_t id) {
  if (id <= 0) throw UserNotFound(id);
}

UserService::UserService(UserRepository& repository, const Limits& limits) : repository_(repository), limits_(limits) {}

void UserService::set_limits(const Limits& limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
}

Limits UserService::limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

std::string UserService::check_email(std::string_view email) {
  if (email.empty()) return "required";
  if (email.size() > 254) return "longer than 254 characters";
  if (utf8_length(email) < 0) return "not valid UTF-8";
  for (char c : email) {
    if (is_control(static_cast<unsigned char>(c)) || c == ' ') return "must not contain spaces or control characters";
  }
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || email.find('@') != at)
    return "must be one address, like ada@example.com";
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.size() > 64) return "the part before @ is longer than 64 characters";
  size_t dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return "must be one address, like ada@example.com";
  }
  return {};
}

std::string UserService::check_name(std::string_view name, int64_t max_length) {
  name = trim(name);  // what is stored
  if (name.empty()) return "required";
  int64_t length = utf8_length(name);
  if (length < 0) return "not valid UTF-8";
  if (length > max_length) return "longer than " + std::to_string(max_length) + " characters";
  for (char c : name) {
    if (is_control(static_cast<unsigned char>(c))) return "must not contain control characters";
  }
  return {};
}

User UserService::create(NewUser user) {
  std::vector<FieldViolation> violations;
  if (auto m = check_email(user.email); !m.empty()) violations.push_back({"email", m});
  if (auto m = check_name(user.name, limits().max_name_length); !m.empty()) violations.push_back({"name", m});
  if (!violations.empty()) throw InvalidUser(std::move(violations));
  user.name = std::string(trim(user.name));
  return repository_.create(user);
}

User UserService::get(int64_t id) {
  check_id(id);
  auto user = repository_.find(id);
  if (!user) throw UserNotFound(id);
  return *user;
}

User UserService::update(int64_t id, UserChanges changes) {
  check_id(id);
  std::vector<FieldViolation> violations;
  if (changes.email) {
    if (auto m = check_email(*changes.email); !m.empty()) violations.push_back({"email", m});
  }
  if (changes.name) {
    if (auto m = check_name(*changes.name, limits().max_name_length); !m.empty())
      violations.push_back({"name", m});
    else
      changes.name = std::string(trim(*changes.name));
  }
  if (!violations.empty()) throw InvalidUser(std::move(violations));
  return repository_.update(id, changes);
}

void UserService::remove(int64_t id, std::optional<int64_t> expected_version) {
  check_id(id);
  repository_.remove(id, expected_version);
}

Page UserService::list(int64_t page_size, std::string_view page_token) {
  if (page_size < 0) throw BadRequest("page_size must not be negative");
  Limits l = limits();
  size_t size = static_cast<size_t>(page_size == 0 ? l.default_page_size : std::min(page_size, l.max_page_size));
  int64_t after = page_token.empty() ? 0 : parse_page_token(page_token);
  Page page;
  // One more than asked says whether a next page exists without a second query.
  page.users = repository_.list_after(after, size + 1);
  if (page.users.size() > size) {
    page.users.pop_back();
    page.next_page_token = page_token_after(page.users.back().id);
  }
  page.total_size = repository_.count();
  return page;
}

}  // namespace users
