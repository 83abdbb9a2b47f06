#include "reload/reload_coalescer.h"

namespace hyperion::reload {

ReloadResult ReloadCoalescer::run(const std::string& source, const std::string& author) {
  std::shared_ptr<Pending> mine;
  {
    std::unique_lock lock(mu_);
    if (pending_ && !pending_->started) {
      // A reload that has not read the file yet will see what this trigger saw.
      mine = pending_;
      cv_.wait(lock, [&] { return mine->done; });
      return mine->result;
    }
    mine = pending_ = std::make_shared<Pending>();
  }
  std::lock_guard run(running_);
  {
    std::lock_guard lock(mu_);
    mine->started = true;
    if (pending_ == mine) pending_.reset();
    ++runs_;
  }
  ReloadResult result = reload_(source, author);
  {
    std::lock_guard lock(mu_);
    mine->result = result;
    mine->done = true;
  }
  cv_.notify_all();
  return result;
}

uint64_t ReloadCoalescer::reloads_run() const {
  std::lock_guard lock(mu_);
  return runs_;
}

}  // namespace hyperion::reload
