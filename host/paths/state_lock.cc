#include "paths/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace hyperion::paths {

StatusOr<std::unique_ptr<StateLock>> StateLock::acquire(const std::string& state_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(state_dir, ec)) {
    fs::create_directories(fs::path(state_dir).parent_path(), ec);
    // Only the folder the host creates itself is made private: an operator's
    // own folder keeps the permissions the operator gave it.
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return unavailable("state folder " + state_dir + ": cannot create it: " + std::strerror(errno));
    }
  }
  const std::string path = (fs::path(state_dir) / "lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("state folder " + state_dir + ": cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : std::string("unknown");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    if (err != EWOULDBLOCK)
      return unavailable("state folder " + state_dir + ": cannot lock " + path + ": " + std::strerror(err));
    return failed_precondition("state folder " + state_dir + " is in use by another hyperion (pid " + holder +
                               ", lock " + path + "); give each host its own host.state_dir");
  }
  std::string line = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    // The lock holds without the pid; only the refusal message of a second host loses it.
  }
  return std::unique_ptr<StateLock>(new StateLock(fd));
}

StateLock::~StateLock() {
  // Closing drops the lock; the file stays (removing it would race a newcomer's open).
  ::close(fd_);
}

}  // namespace hyperion::paths
