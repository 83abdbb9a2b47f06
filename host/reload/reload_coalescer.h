// ReloadCoalescer: turns a burst of "re-read the manifest" triggers (SIGHUP, a
// file-watch event, an empty POST /v1/reload) into as few reloads as it takes.
// While a reload runs, the next trigger becomes the pending reload; every
// trigger that arrives before the pending one starts joins it and gets its
// result. Each caller still learns, synchronously, the outcome of a reload that
// began after its trigger, so it saw the file as of its trigger or later.
// Thread-safety: run() may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "reload/reload_result.h"

namespace hyperion::reload {

class ReloadCoalescer {
 public:
  // `reload` re-reads the manifest and applies it; `source` names the first trigger.
  using ReloadFn = std::function<ReloadResult(const std::string& source, const std::string& author)>;
  explicit ReloadCoalescer(ReloadFn reload) : reload_(std::move(reload)) {}

  ReloadResult run(const std::string& source, const std::string& author);
  // Reloads that actually ran (for tests and status).
  [[nodiscard]] uint64_t reloads_run() const;

 private:
  struct Pending {
    bool started = false;
    bool done = false;
    ReloadResult result;
  };
  ReloadFn reload_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::mutex running_;  // one reload at a time
  std::shared_ptr<Pending> pending_;
  uint64_t runs_ = 0;
};

}  // namespace hyperion::reload
