// SettingsCell<T>: one value that many threads read and one thread at a time
// replaces, where readers never take a lock and never see a half-written value.
//
// Two slots and a reader count per slot. A reader picks the current slot, counts
// itself in, and checks the slot is still current (else it counts itself out and
// tries again); then it reads and counts itself out. The writer (serialized by
// the host: reload_commit never overlaps itself) writes the slot that is not
// current, once nobody is still reading it, then makes it current. Readers
// retry only when they race a publish; the writer waits only for readers of the
// old slot, which finish in the time of one read.
// Thread-safety: read() from any thread; publish() from one thread at a time.
#pragma once

#include <atomic>
#include <thread>
#include <utility>

namespace hyperion::plugins::reloadable {

template <typename T>
class SettingsCell {
 public:
  explicit SettingsCell(T initial) { slots_[0] = std::move(initial); }

  // Calls `fn(const T&)` with the current value and returns what it returns.
  template <typename Fn>
  auto read(Fn&& fn) const {
    for (;;) {
      int slot = current_.load();
      readers_[slot].fetch_add(1);
      if (current_.load() == slot) {
        struct Leave {
          std::atomic<int>& count;
          ~Leave() { count.fetch_sub(1); }
        } leave{readers_[slot]};
        return fn(slots_[slot]);
      }
      readers_[slot].fetch_sub(1);  // a publish flipped the slot meanwhile: retry
    }
  }

  // Replaces the value. Not concurrent with itself.
  void publish(T value) {
    int next = 1 - current_.load();
    while (readers_[next].load() != 0) std::this_thread::yield();  // stragglers of two publishes ago
    slots_[next] = std::move(value);
    current_.store(next);
  }

 private:
  T slots_[2];
  mutable std::atomic<int> readers_[2] = {0, 0};
  std::atomic<int> current_{0};
};

}  // namespace hyperion::plugins::reloadable
