// One host per state folder. Two hosts on one folder would overwrite each
// other's admin.url and write one revision history; the second is refused,
// naming the first. The folder is created private (0700) when missing; the
// lock is an exclusive flock on <state>/lock, held while the host lives (the
// kernel drops it when the process dies, so a crash leaves nothing stale), and
// the file holds the holder's pid for the message.
// Thread-safety: acquire and the destructor are called once each.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace hyperion::paths {

class StateLock {
 public:
  // Creates `state_dir` (0700) when missing and takes its lock; an error names
  // the folder and the pid holding it.
  static StatusOr<std::unique_ptr<StateLock>> acquire(const std::string& state_dir);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace hyperion::paths
