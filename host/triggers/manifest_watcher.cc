#include "triggers/manifest_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hyperion::triggers {

StatusOr<std::unique_ptr<ManifestWatcher>> ManifestWatcher::start(const std::string& manifest_path,
                                                                 std::chrono::milliseconds debounce,
                                                                 std::function<void()> on_change) {
  std::unique_ptr<ManifestWatcher> w(new ManifestWatcher());
  std::filesystem::path path = std::filesystem::absolute(manifest_path);
  w->file_name_ = path.filename().string();
  w->debounce_ = debounce;
  w->on_change_ = std::move(on_change);
  w->inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  w->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->inotify_fd_ < 0 || w->stop_fd_ < 0) return unavailable(std::string("watch: inotify: ") + std::strerror(errno));
  // The folder, not the file: a rename over the file replaces the inode.
  if (inotify_add_watch(w->inotify_fd_, path.parent_path().c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY) < 0) {
    return unavailable("watch: cannot watch " + path.parent_path().string() + ": " + std::strerror(errno));
  }
  w->thread_ = std::thread([raw = w.get()] { raw->run(); });
  return w;
}

ManifestWatcher::~ManifestWatcher() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    ssize_t n = write(stop_fd_, &one, sizeof one);
    (void)n;
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void ManifestWatcher::run() {
  bool dirty = false;
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    // Dirty: wait for a quiet period; clean: wait for the next event.
    int timeout = dirty ? static_cast<int>(debounce_.count()) : -1;
    int n = poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (fds[1].revents & POLLIN) return;
    if (n == 0) {  // quiet for `debounce` after a change
      dirty = false;
      on_change_();
      continue;
    }
    alignas(inotify_event) char buffer[4096];
    for (;;) {
      ssize_t len = read(inotify_fd_, buffer, sizeof buffer);
      if (len <= 0) break;
      for (char* p = buffer; p < buffer + len;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        if (event->len > 0 && file_name_ == event->name) dirty = true;
        p += sizeof(inotify_event) + event->len;
      }
    }
  }
}

}  // namespace hyperion::triggers
