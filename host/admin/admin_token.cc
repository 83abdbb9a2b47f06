#include "admin/admin_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "os/read_file.h"

namespace hyperion::admin {
namespace {

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

bool has_control(const std::string& s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// The rules every token obeys, wherever it came from (`source` names it).
StatusOr<std::string> checked(std::string token, const std::string& source, size_t min_bytes) {
  if (token.empty()) return invalid_argument("admin: the token from " + source + " is empty");
  if (has_control(token)) return invalid_argument("admin: the token from " + source + " holds a control character");
  if (token.size() < min_bytes) {
    return invalid_argument("admin: the token from " + source + " is " + std::to_string(token.size()) +
                            " bytes; at least " + std::to_string(min_bytes) +
                            " are needed (host.admin.min_token_bytes; make one with `openssl rand -hex 32`)");
  }
  return token;
}

// Like ssh with its keys: a token file others could read, or one someone else
// owns (and so could change), is refused; a symlink only when it points into
// the state folder (a link elsewhere could be swapped under the host).
Status check_token_file(const std::string& path, const std::string& state_dir) {
  namespace fs = std::filesystem;
  struct stat link_st {};
  if (::lstat(path.c_str(), &link_st) != 0) return ok_status();  // read_file says what is missing
  std::string real = path;
  if (S_ISLNK(link_st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::canonical(path, ec);
    fs::path state = fs::weakly_canonical(state_dir, ec);
    auto rel = target.lexically_relative(state);
    if (state.empty() || rel.empty() || *rel.begin() == "..") {
      return invalid_argument("admin: token file " + path + " is a symlink to " + target.string() +
                              ", outside the state folder " + state_dir + "; point token_file at the file itself");
    }
    real = target.string();
  }
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return ok_status();
  if (st.st_uid != ::geteuid()) {
    return invalid_argument("admin: token file " + path + " is owned by uid " + std::to_string(st.st_uid) +
                            ", not by the host's user (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return invalid_argument("admin: token file " + path + " has mode " + mode +
                            ": group or others can use it; chmod 600 " + path);
  }
  return ok_status();
}

StatusOr<std::string> read_token(const std::string& path, size_t min_bytes, const std::string& state_dir) {
  HYPERION_RETURN_IF_ERROR(check_token_file(path, state_dir));
  auto text = os::read_file(path, os::kMaxSmallFileBytes);
  if (!text.ok()) return Status(text.status().code(), "admin: token file: " + text.status().message());
  return checked(trim(std::move(*text)), "token file " + path, min_bytes);
}

}  // namespace

StatusOr<std::string> load_or_create_token(const std::string& token_file, const std::string& state_dir,
                                           size_t min_bytes) {
  if (!token_file.empty()) return read_token(token_file, min_bytes, state_dir);
  if (const char* env = std::getenv("HYPERION_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
    return checked(trim(env), "$HYPERION_ADMIN_TOKEN", min_bytes);
  }
  if (const char* env = std::getenv("HYPERION_ADMIN_TOKEN_FILE"); env != nullptr && *env != '\0') {
    return read_token(env, min_bytes, state_dir);
  }
  std::string path = (std::filesystem::path(state_dir) / "admin.token").string();
  if (std::filesystem::exists(path)) return read_token(path, min_bytes, state_dir);
  auto random = random_hex(32);
  if (!random.ok()) return random.status();
  std::string token = std::move(*random);
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  // O_EXCL and 0600 from the start: the token is never readable by others.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_token(path, min_bytes, state_dir);  // another host created it first
    return internal_error("admin: cannot create " + path + ": " + std::strerror(errno));
  }
  std::string line = token + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return internal_error("admin: cannot write " + path);
  return token;
}

StatusOr<std::string> random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (getrandom(raw.data(), raw.size(), 0) != static_cast<ssize_t>(raw.size())) {
    return internal_error(std::string("admin: getrandom: ") + std::strerror(errno));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (char c : raw) {
    auto b = static_cast<unsigned char>(c);
    hex += kHex[b >> 4];
    hex += kHex[b & 0xF];
  }
  return hex;
}

std::optional<std::string> bearer_token(const std::string& value) {
  static constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::nullopt;
  }
  std::string token = trim(value.substr(kScheme.size()));
  if (token.empty() || has_control(token)) return std::nullopt;
  return token;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace hyperion::admin
