#include "balancer.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace hyperion::plugins::discovery {
namespace {

// A ticket: the generation (28 bits) over the slot (20 bits); 48 bits in all,
// so the caller may put its own above them.
constexpr int kSlotBits = 20;
constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
constexpr uint64_t kGenerationMask = (uint64_t{1} << 28) - 1;

bool filtered(const Query* query) { return query != nullptr && (!query->tags.empty() || !query->meta.empty()); }

}  // namespace

std::optional<Policy> policy_named(const std::string& name) {
  if (name == "round_robin") return Policy::kRoundRobin;
  if (name == "random") return Policy::kRandom;
  if (name == "least_outstanding") return Policy::kLeastOutstanding;
  return std::nullopt;
}

bool matches(const Instance& instance, const Query& query) {
  for (const std::string& tag : query.tags) {
    if (std::find(instance.tags.begin(), instance.tags.end(), tag) == instance.tags.end()) return false;
  }
  for (const auto& [key, value] : query.meta) {
    auto it = instance.meta.find(key);
    if (it == instance.meta.end() || it->second != value) return false;
  }
  return true;
}

Balancer::Balancer(Policy policy, OutlierSettings outlier)
    : policy_(policy), outlier_(outlier), random_state_(std::random_device{}() | 1) {}

uint64_t Balancer::next_random() {
  // xorshift64: a few nanoseconds, and good enough to spread calls.
  random_state_ ^= random_state_ << 13;
  random_state_ ^= random_state_ >> 7;
  random_state_ ^= random_state_ << 17;
  return random_state_;
}

void Balancer::update(const std::vector<Instance>& instances) {
  std::lock_guard lock(mu_);
  std::vector<Endpoint*> next;
  next.reserve(instances.size());
  for (const Instance& instance : instances) {
    auto same = std::find_if(live_.begin(), live_.end(),
                             [&](Endpoint* e) { return e != nullptr && e->instance->id == instance.id; });
    if (same != live_.end()) {
      if (!(*(*same)->instance == instance)) (*same)->instance = std::make_shared<const Instance>(instance);
      next.push_back(*same);
      *same = nullptr;  // kept
      continue;
    }
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      if (slots_.size() > kSlotMask) throw std::length_error("more than 1,048,576 instances of one service");
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    auto e = std::make_unique<Endpoint>();
    e->instance = std::make_shared<const Instance>(instance);
    e->slot = slot;
    e->generation = ++generations_;
    slots_[slot] = std::move(e);
    next.push_back(slots_[slot].get());
  }
  for (Endpoint* gone : live_) {
    if (gone == nullptr) continue;
    const uint32_t slot = gone->slot;
    slots_[slot].reset();  // a late report for it finds no endpoint, or another generation
    free_slots_.push_back(slot);
  }
  std::sort(next.begin(), next.end(), [](Endpoint* a, Endpoint* b) { return a->instance->id < b->instance->id; });
  live_ = std::move(next);
}

Balancer::Choice Balancer::take(Endpoint& e) {
  ++e.outstanding;
  return {e.instance, ((e.generation & kGenerationMask) << kSlotBits) | e.slot};
}

std::optional<Balancer::Choice> Balancer::pick(const Query* query, Clock::time_point now) {
  std::lock_guard lock(mu_);
  return pick_locked(query, now);
}

std::optional<Balancer::Choice> Balancer::pick(const Query* query) {
  std::lock_guard lock(mu_);
  // No ejection in force: "now" only matters against ejected_until, which
  // every instance has in the past, so any late time serves and no clock is read.
  Clock::time_point now = Clock::time_point::max();
  if (ejections_end_ != Clock::time_point{}) {
    now = Clock::now();
    if (now >= ejections_end_) ejections_end_ = {};
  }
  return pick_locked(query, now);
}

std::optional<Balancer::Choice> Balancer::pick_locked(const Query* query, Clock::time_point now) {
  // The candidates, as indices into live_ (all of them without a filter).
  const bool filter = filtered(query);
  if (filter) {
    scratch_.clear();
    for (uint32_t i = 0; i < live_.size(); ++i) {
      if (matches(*live_[i]->instance, *query)) scratch_.push_back(i);
    }
  }
  const size_t n = filter ? scratch_.size() : live_.size();
  if (n == 0) return std::nullopt;
  auto at = [&](size_t k) -> Endpoint& { return *live_[filter ? scratch_[k] : k]; };
  // The first usable candidate from `start` on; every one ejected: `start` itself.
  auto usable_from = [&](size_t start) -> Endpoint& {
    for (size_t k = 0; k < n; ++k) {
      Endpoint& e = at((start + k) % n);
      if (!is_ejected(e, now)) return e;
    }
    return at(start);
  };
  switch (policy_) {
    case Policy::kRoundRobin: {
      const size_t start = round_robin_++ % n;
      Endpoint& e = usable_from(start);
      return take(e);
    }
    case Policy::kRandom: return take(usable_from(next_random() % n));
    case Policy::kLeastOutstanding: {
      // The power of two choices (Envoy's least-request): two at random, the
      // one with fewer calls in flight. O(1), and close to the true least.
      // Ties go to the first, which is random.
      // Two distinct candidates, so one busy instance is never compared with itself.
      const size_t first = next_random() % n;
      Endpoint& a = usable_from(first);
      if (n == 1) return take(a);
      Endpoint& b = usable_from((first + 1 + next_random() % (n - 1)) % n);
      if (is_ejected(a, now) != is_ejected(b, now)) return take(is_ejected(a, now) ? b : a);
      return take(b.outstanding < a.outstanding ? b : a);
    }
  }
  return std::nullopt;
}

bool Balancer::report(uint64_t ticket, hyperion_discovery_outcome_t outcome, Clock::time_point now) {
  std::lock_guard lock(mu_);
  return report_locked(ticket, outcome, now);
}

bool Balancer::report(uint64_t ticket, hyperion_discovery_outcome_t outcome) {
  const Clock::time_point now = outcome == HYPERION_DISCOVERY_FAILURE ? Clock::now() : Clock::time_point{};
  std::lock_guard lock(mu_);
  return report_locked(ticket, outcome, now);
}

bool Balancer::report_locked(uint64_t ticket, hyperion_discovery_outcome_t outcome, Clock::time_point now) {
  const uint64_t slot = ticket & kSlotMask;
  if (slot >= slots_.size() || !slots_[slot] || (slots_[slot]->generation & kGenerationMask) != ticket >> kSlotBits) {
    return false;
  }
  Endpoint& e = *slots_[slot];
  if (e.outstanding > 0) --e.outstanding;
  switch (outcome) {
    case HYPERION_DISCOVERY_SUCCESS: e.consecutive_failures = 0; return false;
    case HYPERION_DISCOVERY_FAILURE: break;
    case HYPERION_DISCOVERY_CANCELLED:
    default: return false;
  }
  ++e.consecutive_failures;
  if (outlier_.consecutive_failures <= 0 || e.consecutive_failures < outlier_.consecutive_failures ||
      is_ejected(e, now)) {
    return false;
  }
  const size_t allowed = std::max<size_t>(1, live_.size() * static_cast<size_t>(outlier_.max_ejection_percent) / 100);
  const size_t already =
      static_cast<size_t>(std::count_if(live_.begin(), live_.end(), [&](Endpoint* o) { return is_ejected(*o, now); }));
  if (already >= allowed) return false;
  // The backoff grows with each ejection, and starts over once the instance
  // has done well for max_ejection since its last one ended.
  if (e.times_ejected > 0 && now - e.ejected_until > outlier_.max_ejection) e.times_ejected = 0;
  ++e.times_ejected;
  e.ejected_until = now + std::min(outlier_.base_ejection * e.times_ejected, outlier_.max_ejection);
  ejections_end_ = std::max(ejections_end_, e.ejected_until);
  e.consecutive_failures = 0;
  return true;
}

size_t Balancer::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

size_t Balancer::ejected(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(live_.begin(), live_.end(), [&](Endpoint* e) { return is_ejected(*e, now); }));
}

int64_t Balancer::outstanding(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (Endpoint* e : live_) {
    if (e->instance->id == id) return e->outstanding;
  }
  return 0;
}

}  // namespace hyperion::plugins::discovery
