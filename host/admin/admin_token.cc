#include "admin/admin_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "os/read_file.h"

namespace hyperion::admin {
namespace {

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

StatusOr<std::string> read_token(const std::string& path) {
  auto text = os::read_file(path, os::kMaxSmallFileBytes);
  if (!text.ok()) return Status(text.status().code(), "admin: token file: " + text.status().message());
  std::string token = trim(std::move(*text));
  if (token.empty()) return invalid_argument("admin: token file " + path + " is empty");
  return token;
}

}  // namespace

StatusOr<std::string> load_or_create_token(const std::string& token_file, const std::string& state_dir) {
  if (!token_file.empty()) return read_token(token_file);
  if (const char* env = std::getenv("HYPERION_ADMIN_TOKEN"); env != nullptr && *env != '\0') return trim(env);
  std::string path = (std::filesystem::path(state_dir) / "admin.token").string();
  if (std::filesystem::exists(path)) return read_token(path);
  unsigned char bytes[32];
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    return internal_error(std::string("admin: getrandom: ") + std::strerror(errno));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 0xF];
  }
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  // O_EXCL and 0600 from the start: the token is never readable by others.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_token(path);  // another host created it first
    return internal_error("admin: cannot create " + path + ": " + std::strerror(errno));
  }
  std::string line = token + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return internal_error("admin: cannot write " + path);
  return token;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace hyperion::admin
