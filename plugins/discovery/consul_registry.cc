// The Consul registry. Publishing: each instance is a service of the local
// agent (PUT /v1/agent/service/register) with a TTL check refreshed every
// ttl/3 (PUT /v1/agent/check/pass/service:<id>) — or an HTTP check Consul
// polls, when `http_check` is set — and DeregisterCriticalServiceAfter, so a
// host that died leaves the catalog by itself. A refresh that finds the check
// unknown (the agent restarted and forgot it) registers the service again.
// Stopping deregisters every service. Following: per service, blocking queries
// on /v1/health/service/<name>?passing (consul::BlockingQueryLoop).
#include "consul_registry.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "stores/store_config.h"

namespace hyperion::plugins::discovery {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }
std::string check_id_of(const std::string& id) { return "service:" + id; }

class ConsulRegistry final : public Registry {
 public:
  explicit ConsulRegistry(ConsulRegistrySettings settings) : settings_(std::move(settings)), writer_(settings_.client) {
    publisher_ = std::thread([this] { publish_loop(); });
  }
  ~ConsulRegistry() override { stop(Clock::now()); }

  [[nodiscard]] std::string name() const override { return "consul:" + writer_.endpoint(); }

  void publish(const Instance& instance) override {
    std::lock_guard lock(mu_);
    desired_[instance.id] = consul_registration(instance, settings_);
    dirty_ = true;
    cv_.notify_all();
  }

  void withdraw(const std::string&, const std::string& id) override {
    std::lock_guard lock(mu_);
    if (desired_.erase(id) > 0) {
      dirty_ = true;
      cv_.notify_all();
    }
  }

  void follow(const std::string& service, OnInstances on_change) override {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    auto f = std::make_unique<Follower>(settings_, service);
    Follower* raw = f.get();
    raw->thread = std::thread([this, raw, on_change = std::move(on_change)] { follow_loop(*raw, on_change); });
    followers_.push_back(std::move(f));
  }

  void stop(Clock::time_point) override {
    std::vector<std::unique_ptr<Follower>> followers;
    {
      std::lock_guard lock(mu_);
      if (stopping_ && !publisher_.joinable()) return;
      stopping_ = true;
      followers.swap(followers_);
    }
    cv_.notify_all();
    for (auto& f : followers) {
      f->loop.stop();
      f->client.stop();
    }
    writer_.stop();
    if (publisher_.joinable()) publisher_.join();
    for (auto& f : followers) {
      if (f->thread.joinable()) f->thread.join();
    }
    // Deregistered now, rather than left critical until DeregisterCriticalServiceAfter.
    writer_.resume();
    for (const auto& [id, registration] : registered_) {
      try {
        writer_.put_path("/v1/agent/service/deregister/" + consul::escape_key(id), "");
      } catch (const std::exception& e) {
        settings_.warn("could not deregister " + id + " (Consul removes it once its check is critical for " +
                       seconds(settings_.deregister_after) + "): " + e.what());
      }
    }
    registered_.clear();
  }

  [[nodiscard]] RegistryStatus status() const override {
    std::lock_guard lock(mu_);
    RegistryStatus s;
    s.published = published_;
    s.reregistrations = reregistrations_;
    s.healthy = last_error_.empty();
    s.message = !last_error_.empty()
                    ? "consul: " + last_error_ + " (retrying)"
                    : std::to_string(published_) + " registered with the agent" +
                          (settings_.http_check.empty() ? " (TTL check " + seconds(settings_.ttl) + ")"
                                                        : " (HTTP check " + settings_.http_check + ")");
    return s;
  }

 private:
  struct Follower {
    Follower(const ConsulRegistrySettings& s, const std::string& service)
        : client(s.client),
          loop(client, "/v1/health/service/" + consul::escape_key(service) + "?passing=true", s.wait, s.rate_interval) {
    }
    consul::Client client;
    consul::BlockingQueryLoop loop;
    std::thread thread;
  };

  std::chrono::milliseconds next_backoff(std::chrono::milliseconds& backoff) const {
    return stores::jittered_backoff(backoff, settings_.retry_max);
  }

  // The one writer: makes the agent hold what desired_ says, and refreshes checks.
  void publish_loop() {
    const bool ttl_check = settings_.http_check.empty();
    const auto refresh = std::chrono::duration_cast<Clock::duration>(settings_.ttl) / 3;
    Clock::time_point next_refresh = Clock::now() + refresh;
    std::chrono::milliseconds backoff = settings_.retry_initial;
    std::unique_lock lock(mu_);
    for (;;) {
      const bool refreshing = ttl_check && !registered_.empty();
      cv_.wait_until(lock, refreshing ? next_refresh : Clock::time_point::max(),
                     [&] { return stopping_ || dirty_ || (refreshing && Clock::now() >= next_refresh); });
      if (stopping_) return;
      const std::map<std::string, std::string> desired = desired_;
      dirty_ = false;
      lock.unlock();
      std::string error;
      uint64_t lost = 0;
      try {
        if (ttl_check && Clock::now() >= next_refresh) {
          next_refresh = Clock::now() + refresh;
          for (auto it = registered_.begin(); it != registered_.end();) {
            try {
              writer_.put_path("/v1/agent/check/pass/" + consul::escape_key(check_id_of(it->first)), "");
              ++it;
            } catch (const consul::ConsulError& e) {
              if (e.status() != 404) throw;
              settings_.warn("the agent no longer knows " + it->first + " (it restarted?): registering it again");
              it = registered_.erase(it);
              ++lost;
            }
          }
        }
        for (const auto& [id, registration] : desired) {
          auto it = registered_.find(id);
          if (it != registered_.end() && it->second == registration) continue;
          writer_.put_path("/v1/agent/service/register", registration);
          registered_[id] = registration;
        }
        for (auto it = registered_.begin(); it != registered_.end();) {
          if (desired.count(it->first) > 0) {
            ++it;
            continue;
          }
          try {
            writer_.put_path("/v1/agent/service/deregister/" + consul::escape_key(it->first), "");
          } catch (const consul::ConsulError& e) {
            if (e.status() != 404) throw;  // already gone
          }
          it = registered_.erase(it);
        }
        backoff = settings_.retry_initial;
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      published_ = registered_.size();
      reregistrations_ += lost;
      if (lost > 0) settings_.reregistered(lost);
      last_error_ = error;
      if (!error.empty()) {
        dirty_ = true;  // again after the backoff
        if (cv_.wait_for(lock, next_backoff(backoff), [&] { return stopping_; })) return;
      }
    }
  }

  void follow_loop(Follower& f, const OnInstances& on_change) {
    std::chrono::milliseconds backoff = settings_.retry_initial;
    std::string last_body;
    bool told = false;
    for (;;) {
      std::optional<consul::BlockingAnswer> answer;
      try {
        answer = f.loop.next();
      } catch (const std::exception& e) {
        settings_.warn(std::string("health query: ") + e.what());
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, next_backoff(backoff), [&] { return stopping_; })) return;
        continue;
      }
      if (!answer) return;
      backoff = settings_.retry_initial;
      if (told && answer->body == last_body) continue;  // the wait ended, or a change elsewhere
      std::vector<Instance> instances;
      try {
        instances = instances_of_health_answer(answer->body);
      } catch (const std::exception& e) {
        settings_.warn(std::string("health answer: ") + e.what());
        continue;
      }
      last_body = answer->body;
      told = true;
      on_change(instances);
    }
  }

  ConsulRegistrySettings settings_;
  consul::Client writer_;  // the publisher thread's (and stop()'s, after it)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> desired_;     // id -> registration JSON
  std::map<std::string, std::string> registered_;  // what the agent has: the publisher's, then stop()'s
  bool dirty_ = false;
  bool stopping_ = false;
  size_t published_ = 0;
  uint64_t reregistrations_ = 0;
  std::string last_error_;
  std::vector<std::unique_ptr<Follower>> followers_;
  std::thread publisher_;
};

}  // namespace

std::string consul_registration(const Instance& instance, const ConsulRegistrySettings& settings) {
  json::array tags;
  for (const std::string& t : instance.tags) tags.emplace_back(t);
  json::object meta;
  for (const auto& [k, v] : instance.meta) meta[k] = v;
  json::object check{{"CheckID", check_id_of(instance.id)},
                     {"Name", "hyperion readiness"},
                     {"DeregisterCriticalServiceAfter", seconds(settings.deregister_after)}};
  if (settings.http_check.empty()) {
    check["TTL"] = seconds(settings.ttl);
    check["Status"] = "passing";  // registered only while the host is ready
  } else {
    check["HTTP"] = settings.http_check;
    check["Interval"] = seconds(settings.check_interval);
  }
  return json::serialize(json::object{{"ID", instance.id},
                                      {"Name", instance.service},
                                      {"Address", instance.address},
                                      {"Port", instance.port},
                                      {"Tags", std::move(tags)},
                                      {"Meta", std::move(meta)},
                                      {"Check", std::move(check)}});
}

std::vector<Instance> instances_of_health_answer(const std::string& body) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_array()) throw std::runtime_error("not a JSON array");
  std::vector<Instance> out;
  for (const json::value& entry : doc.as_array()) {
    const json::object* e = entry.if_object();
    const json::value* service = e != nullptr ? e->if_contains("Service") : nullptr;
    if (service == nullptr || !service->is_object()) continue;
    const json::object& s = service->as_object();
    auto text = [](const json::object& o, const char* key) {
      const json::value* v = o.if_contains(key);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    Instance i;
    i.service = text(s, "Service");
    i.id = text(s, "ID");
    i.address = text(s, "Address");
    if (i.address.empty()) {
      if (const json::value* node = e->if_contains("Node"); node != nullptr && node->is_object()) {
        i.address = text(node->as_object(), "Address");
      }
    }
    const json::value* port = s.if_contains("Port");
    i.port = port != nullptr && port->is_number() ? static_cast<uint32_t>(port->to_number<int64_t>()) : 0;
    if (const json::value* tags = s.if_contains("Tags"); tags != nullptr && tags->is_array()) {
      for (const json::value& t : tags->as_array()) {
        if (t.is_string()) i.tags.emplace_back(t.as_string());
      }
    }
    if (const json::value* meta = s.if_contains("Meta"); meta != nullptr && meta->is_object()) {
      for (const auto& kv : meta->as_object()) {
        if (kv.value().is_string()) i.meta[std::string(kv.key())] = std::string(kv.value().as_string());
      }
    }
    if (i.id.empty() || i.address.empty() || i.port == 0) continue;
    out.push_back(std::move(i));
  }
  std::sort(out.begin(), out.end(), [](const Instance& a, const Instance& b) { return a.id < b.id; });
  return out;
}

std::unique_ptr<Registry> make_consul_registry(ConsulRegistrySettings settings) {
  return std::make_unique<ConsulRegistry>(std::move(settings));
}

}  // namespace hyperion::plugins::discovery
