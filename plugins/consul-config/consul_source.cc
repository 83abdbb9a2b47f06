// KvSource on Consul: a recursive read of the prefix, then a loop of blocking
// queries from the index each answer carries, following Consul's documented
// rules (BlockingIndex): an index that goes backwards ends the stream, so the
// caller reads the prefix again (the documented reset to 0); an index of 0 is
// used as 1; and the loop is rate limited (a token bucket, burst 2), so a
// churning prefix degrades into polling instead of a busy loop.
#include "kv_source.h"

#include <condition_variable>
#include <mutex>

namespace hyperion::plugins::consul_config {
namespace {

class ConsulSource final : public KvSource {
 public:
  ConsulSource(consul::ClientSettings settings, std::string prefix, ConsulWatchSettings watch)
      : client_(std::move(settings)), prefix_(std::move(prefix)), watch_(watch), limiter_(watch.rate_interval) {}

  [[nodiscard]] std::string name() const override {
    std::string shown = prefix_;
    if (!shown.empty() && shown.back() == '/') shown.pop_back();
    return "consul:" + shown;
  }
  [[nodiscard]] std::string endpoint() const override { return client_.endpoint(); }

  KvSnapshot read() override { return snapshot(client_.list(prefix_)); }

  std::string follow(KvSnapshot& current, const std::function<void(const KvSnapshot&)>& on_change) override {
    consul::BlockingIndex index;
    index.observe(static_cast<uint64_t>(current.index));  // 0 (an empty store's bug) blocks from 1
    for (;;) {
      if (!pause_for_rate_limit()) return "";
      consul::KvList answer;
      try {
        answer = client_.list(prefix_, index.next(), watch_.wait);
      } catch (const std::exception& e) {
        if (client_.stopped()) return "";
        return std::string("blocking query: ") + e.what();
      }
      const uint64_t sent = index.next();
      switch (index.observe(answer.index)) {
        case consul::BlockingIndex::Seen::kWentBackwards:
          // The caller's read is the reset: it answers with the whole prefix.
          return "the index went backwards (" + std::to_string(answer.index) + " after " + std::to_string(sent) +
                 "): read the prefix again";
        // The same index usually means the wait ended, but a server with the
        // index-0 bug answers 0 every time: the data decides.
        case consul::BlockingIndex::Seen::kSame:
        case consul::BlockingIndex::Seen::kFirst:
        case consul::BlockingIndex::Seen::kAdvanced: break;
      }
      KvSnapshot next = snapshot(std::move(answer));
      current.index = next.index;
      if (next.kvs == current.kvs) continue;  // a write elsewhere in the store, or one that changed nothing
      current.kvs = std::move(next.kvs);
      on_change(current);
    }
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    client_.stop();
  }
  void resume() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = false;
    }
    client_.resume();
  }

 private:
  // Keys that end in '/' are Consul's folders (the UI makes them): no values.
  static KvSnapshot snapshot(consul::KvList list) {
    KvSnapshot out;
    out.index = static_cast<int64_t>(list.index);
    for (consul::KvPair& pair : list.pairs) {
      if (!pair.key.empty() && pair.key.back() != '/') out.kvs[pair.key] = std::move(pair.value);
    }
    return out;
  }

  // False when stopping.
  bool pause_for_rate_limit() {
    const std::chrono::milliseconds wait = limiter_.take(consul::QueryRateLimiter::Clock::now());
    std::unique_lock lock(mu_);
    if (wait.count() > 0) cv_.wait_for(lock, wait, [&] { return stopping_; });
    return !stopping_;
  }

  consul::Client client_;
  std::string prefix_;
  ConsulWatchSettings watch_;
  consul::QueryRateLimiter limiter_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<KvSource> make_consul_source(consul::ClientSettings settings, std::string prefix,
                                             ConsulWatchSettings watch) {
  return std::make_unique<ConsulSource>(std::move(settings), std::move(prefix), watch);
}

}  // namespace hyperion::plugins::consul_config
