// ManifestWatcher: calls back when the manifest file changes on disk (inotify on
// its folder, so editors that write a new file and rename it over the old one are
// seen too, and so is a Kubernetes ConfigMap update, which swaps the folder's
// "..data" symlink), once the file has been quiet for `debounce`. A burst of writes is
// one callback; other files in the folder, however busy, do not delay it. Thread-safety: the callback runs on the
// watcher's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"

namespace hyperion::triggers {

class ManifestWatcher {
 public:
  // Starts watching; kUnavailable when inotify cannot be set up.
  static StatusOr<std::unique_ptr<ManifestWatcher>> start(const std::string& manifest_path,
                                                          std::chrono::milliseconds debounce,
                                                          std::function<void()> on_change);
  ~ManifestWatcher();  // stops the thread
  ManifestWatcher(const ManifestWatcher&) = delete;
  ManifestWatcher& operator=(const ManifestWatcher&) = delete;

 private:
  ManifestWatcher() = default;
  void run();

  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes the thread to stop
  std::string file_name_;
  std::chrono::milliseconds debounce_{200};
  std::function<void()> on_change_;
  std::thread thread_;
};

}  // namespace hyperion::triggers
