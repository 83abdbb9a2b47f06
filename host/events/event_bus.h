// EventBus: CloudEvents 1.0 events from the host and from plugins, delivered to
// subscribers in emission order on one dispatcher thread, so a subscriber never
// sees two events at once or out of order. A type may be *retained* (the host's
// readiness): its latest event is also delivered to each new subscriber, first,
// so a subscriber learns the current state without waiting for a change.
// Thread-safety: every method may be called from any thread; unsubscribe() from
// inside a callback does not wait for that callback.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/background_queue.h"
#include "base/status.h"

namespace hyperion::events {

class EventBus {
 public:
  using Callback = std::function<void(const std::string& cloudevent_json)>;

  explicit EventBus(std::string app);
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Builds and queues an event. `source` is appended to "hyperion://<app>/";
  // `data_json` is empty or a JSON value. kInvalidArgument for a bad type or data.
  StatusOr<std::string> emit(const std::string& source, const std::string& type, const std::string& data_json);

  // Keeps the latest event of `type` for new subscribers (see above).
  void retain_latest(const std::string& type);

  // `owner` groups subscriptions for unsubscribe_all (an instance name).
  uint64_t subscribe(const std::string& owner, const std::string& type_prefix, Callback callback);
  void unsubscribe(uint64_t id);
  void unsubscribe_all(const std::string& owner);

  // Waits until every event queued so far has been delivered. For tests and shutdown.
  void flush();

 private:
  struct Subscription {
    std::string owner;
    std::string prefix;
    Callback callback;
    uint64_t since = 0;  // events numbered up to this were emitted before it: not its own
  };
  struct Queued {
    std::string type;
    std::string json;
    uint64_t sequence = 0;
    uint64_t only = 0;  // a retained event for one new subscription; 0: for every match
  };
  void deliver(std::vector<Queued>& batch);

  const std::string app_;
  std::mutex mu_;
  std::condition_variable idle_cv_;  // a callback returned
  std::map<uint64_t, Subscription> subscriptions_;
  uint64_t next_id_ = 1;
  uint64_t delivering_ = 0;  // subscription whose callback is running, 0 if none
  uint64_t sequence_ = 0;
  std::map<std::string, std::string> retained_;  // type -> its latest event ("" until one)
  // Last: destroyed first, delivering what is still queued while the rest lives.
  BackgroundQueue<Queued> deliveries_;
};

}  // namespace hyperion::events
