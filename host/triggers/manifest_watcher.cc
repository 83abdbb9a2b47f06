#include "triggers/manifest_watcher.h"

#include <algorithm>

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
  using Clock = std::chrono::steady_clock;
  // When the manifest has been quiet for `debounce` since its last change.
  // Only the manifest's own events move it: a busy file beside it (a log, a
  // database) must not keep restarting the quiet period (#24).
  constexpr Clock::time_point kNone = Clock::time_point::max();
  Clock::time_point due = kNone;
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int timeout = -1;  // clean: wait for the next event
    if (due != kNone) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(left.count(), 0));
    }
    int n = poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (fds[1].revents & POLLIN) return;
    alignas(inotify_event) char buffer[4096];
    for (;;) {
      ssize_t len = read(inotify_fd_, buffer, sizeof buffer);
      if (len <= 0) break;
      for (char* p = buffer; p < buffer + len;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        // "..data": a Kubernetes ConfigMap volume swaps that symlink to
        // publish new files at once; the manifest's own name never changes there.
        if (event->len > 0 && (file_name_ == event->name || std::strcmp(event->name, "..data") == 0)) {
          due = Clock::now() + debounce_;
        }
        p += sizeof(inotify_event) + event->len;
      }
    }
    if (due != kNone && Clock::now() >= due) {
      due = kNone;
      on_change_();
    }
  }
}

}  // namespace hyperion::triggers
