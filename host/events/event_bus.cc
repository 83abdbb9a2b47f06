#include "events/event_bus.h"

#include <boost/json.hpp>
#include <chrono>
#include <random>

#include "base/rfc3339.h"

namespace hyperion::events {
namespace {

// A random per-process prefix plus a counter: unique ids without a UUID library.
std::string process_id_prefix() {
  std::random_device rd;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

}  // namespace

EventBus::EventBus(std::string app)
    : app_(std::move(app)), deliveries_([this](std::vector<Queued>& batch) { deliver(batch); }) {}

EventBus::~EventBus() = default;  // deliveries_ goes first: it delivers what is queued, then joins

StatusOr<std::string> EventBus::emit(const std::string& source, const std::string& type, const std::string& data_json) {
  if (type.empty()) return invalid_argument("events: an event needs a type");
  boost::json::object event;
  event["specversion"] = "1.0";
  event["type"] = type;
  event["source"] = "hyperion://" + app_ + "/" + source;
  event["time"] = format_rfc3339_utc(std::chrono::system_clock::now());
  if (!data_json.empty()) {
    boost::system::error_code ec;
    boost::json::value data = boost::json::parse(data_json, ec);
    if (ec) return invalid_argument("events: data of " + type + " is not valid JSON: " + ec.message());
    event["datacontenttype"] = "application/json";
    event["data"] = std::move(data);
  }
  static const std::string prefix = process_id_prefix();
  std::lock_guard lock(mu_);
  const uint64_t sequence = ++sequence_;
  event["id"] = prefix + "-" + std::to_string(sequence);
  std::string json = boost::json::serialize(event);
  if (auto kept = retained_.find(type); kept != retained_.end()) kept->second = json;
  // An event nobody listens for is not queued: no hand-off to the dispatcher.
  bool wanted = false;
  for (const auto& [id, sub] : subscriptions_) wanted = wanted || type.starts_with(sub.prefix);
  // Pushed under mu_, so deliveries keep the order of the ids.
  if (wanted) deliveries_.push({type, json, sequence});
  return json;
}

void EventBus::retain_latest(const std::string& type) {
  std::lock_guard lock(mu_);
  retained_.try_emplace(type);
}

uint64_t EventBus::subscribe(const std::string& owner, const std::string& type_prefix, Callback callback) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  subscriptions_[id] = {owner, type_prefix, std::move(callback), sequence_};
  // Queued under mu_: before any event emitted after this subscription.
  for (const auto& [type, json] : retained_) {
    if (!json.empty() && type.starts_with(type_prefix)) deliveries_.push({type, json, sequence_, id});
  }
  return id;
}

void EventBus::unsubscribe(uint64_t id) {
  std::unique_lock lock(mu_);
  subscriptions_.erase(id);
  if (deliveries_.on_worker()) return;  // from inside a callback
  idle_cv_.wait(lock, [&] { return delivering_ != id; });
}

void EventBus::unsubscribe_all(const std::string& owner) {
  std::unique_lock lock(mu_);
  std::vector<uint64_t> ids;
  for (const auto& [id, sub] : subscriptions_) {
    if (sub.owner == owner) ids.push_back(id);
  }
  for (uint64_t id : ids) subscriptions_.erase(id);
  if (deliveries_.on_worker()) return;
  idle_cv_.wait(lock, [&] {
    for (uint64_t id : ids) {
      if (delivering_ == id) return false;
    }
    return true;
  });
}

void EventBus::flush() { deliveries_.flush(); }

void EventBus::deliver(std::vector<Queued>& batch) {
  std::unique_lock lock(mu_);
  for (const Queued& event : batch) {
    // Deliver to each matching subscription, re-checking after every callback
    // because callbacks may subscribe or unsubscribe.
    uint64_t after = event.only == 0 ? 0 : event.only - 1;
    for (;;) {
      auto it = subscriptions_.upper_bound(after);
      // An event emitted before a subscription is not delivered to it (a
      // retained one is, once, addressed to it alone).
      while (it != subscriptions_.end() &&
             (!event.type.starts_with(it->second.prefix) || (event.only == 0 && it->second.since >= event.sequence))) {
        ++it;
      }
      if (it == subscriptions_.end() || (event.only != 0 && it->first != event.only)) break;
      after = it->first;
      delivering_ = it->first;
      Callback callback = it->second.callback;
      lock.unlock();
      callback(event.json);
      lock.lock();
      delivering_ = 0;
      idle_cv_.notify_all();
    }
  }
}

}  // namespace hyperion::events
