// The etcd registry. Publishing: one key per instance,
// <prefix><service>/<id> = the instance's JSON, all bound to one lease of this
// host, kept alive every ttl/3; a lease that is gone (expired while etcd or
// the network was away, or etcd lost its data) is granted again and every key
// put again. Stopping revokes the lease: every key goes at once. A host that
// dies stops refreshing, and etcd deletes its keys when the ttl runs out.
// Following: per service, a range read of <prefix><service>/ and a watch stream
// from the read's revision + 1; an ended stream is followed by a read again.
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "stores/store_config.h"

#include "etcd_registry.h"

namespace hyperion::plugins::discovery {
namespace {

using Clock = std::chrono::steady_clock;

class EtcdRegistry final : public Registry {
 public:
  explicit EtcdRegistry(EtcdRegistrySettings settings) : settings_(std::move(settings)), writer_(settings_.client) {
    publisher_ = std::thread([this] { publish_loop(); });
  }
  ~EtcdRegistry() override { stop(Clock::now()); }

  [[nodiscard]] std::string name() const override { return "etcd:" + writer_.endpoint(); }

  void publish(const Instance& instance) override {
    std::lock_guard lock(mu_);
    desired_[key_of(instance.service, instance.id)] = instance_json(instance);
    dirty_ = true;
    cv_.notify_all();
  }

  void withdraw(const std::string& service, const std::string& id) override {
    std::lock_guard lock(mu_);
    if (desired_.erase(key_of(service, id)) > 0) {
      dirty_ = true;
      cv_.notify_all();
    }
  }

  void follow(const std::string& service, OnInstances on_change) override {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    auto f = std::make_unique<Follower>(settings_.client);
    Follower* raw = f.get();
    raw->thread = std::thread([this, raw, service, on_change = std::move(on_change)] {
      follow_loop(*raw, settings_.prefix + service + "/", on_change);
    });
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
    for (auto& f : followers) f->client.stop();
    writer_.stop();
    if (publisher_.joinable()) publisher_.join();
    for (auto& f : followers) {
      if (f->thread.joinable()) f->thread.join();
    }
    // Every key of this host at once (else they would linger for the ttl).
    writer_.resume();
    if (lease_ != 0) {
      try {
        writer_.lease_revoke(lease_);
      } catch (const std::exception& e) {
        settings_.warn(std::string("could not revoke the registration lease (its keys go when the ttl ends): ") +
                       e.what());
      }
      lease_ = 0;
    }
  }

  [[nodiscard]] RegistryStatus status() const override {
    std::lock_guard lock(mu_);
    RegistryStatus s;
    s.published = published_;
    s.reregistrations = reregistrations_;
    s.healthy = last_error_.empty();
    if (!last_error_.empty()) {
      s.message = "etcd: " + last_error_ + " (retrying)";
    } else if (lease_ != 0) {
      s.message = std::to_string(published_) + " registered under lease " + std::to_string(lease_) + " (ttl " +
                  std::to_string(settings_.ttl.count()) + " s)";
    } else {
      s.message = "nothing registered";
    }
    return s;
  }

 private:
  struct Follower {
    explicit Follower(const etcd::ClientSettings& s) : client(s) {}
    etcd::Client client;
    std::thread thread;
  };

  std::string key_of(const std::string& service, const std::string& id) const {
    return settings_.prefix + service + "/" + id;
  }

  // Waits `delay` or until stop; false when stopping.
  bool pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, delay, [&] { return stopping_; });
  }

  std::chrono::milliseconds next_backoff(std::chrono::milliseconds& backoff) const {
    return stores::jittered_backoff(backoff, settings_.retry_max);
  }

  // The one writer: makes etcd hold what desired_ says, under a live lease.
  void publish_loop() {
    std::map<std::string, std::string> applied;  // what etcd has under `lease`
    int64_t lease = 0;
    const auto refresh = std::chrono::duration_cast<Clock::duration>(settings_.ttl) / 3;
    Clock::time_point next_refresh = Clock::now() + refresh;
    std::chrono::milliseconds backoff = settings_.retry_initial;
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait_until(lock, lease != 0 ? next_refresh : Clock::time_point::max(),
                     [&] { return stopping_ || dirty_ || (lease != 0 && Clock::now() >= next_refresh); });
      if (stopping_) {
        lease_ = lease;
        return;
      }
      const std::map<std::string, std::string> desired = desired_;
      dirty_ = false;
      lock.unlock();
      std::string error;
      try {
        if (lease != 0 && Clock::now() >= next_refresh) {
          next_refresh = Clock::now() + refresh;
          if (writer_.lease_keepalive(lease) <= 0) {
            settings_.warn("the registration lease " + std::to_string(lease) +
                           " is gone (etcd was away longer than the ttl, or lost it): registering again");
            lease = 0;
            if (!applied.empty()) {
              settings_.reregistered(applied.size());
              std::lock_guard counted(mu_);
              ++reregistrations_;
            }
            applied.clear();
          }
        }
        if (!desired.empty() && lease == 0) {
          lease = writer_.lease_grant(settings_.ttl);
          next_refresh = Clock::now() + refresh;
          applied.clear();
        }
        for (const auto& [key, value] : desired) {
          auto it = applied.find(key);
          if (it != applied.end() && it->second == value) continue;
          writer_.put(key, value, lease);
          applied[key] = value;
        }
        for (auto it = applied.begin(); it != applied.end();) {
          if (desired.count(it->first) > 0) {
            ++it;
            continue;
          }
          writer_.delete_key(it->first);
          it = applied.erase(it);
        }
        if (desired.empty() && lease != 0) {
          writer_.lease_revoke(lease);  // nothing left to keep alive
          lease = 0;
        }
        backoff = settings_.retry_initial;
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      lease_ = lease;
      published_ = applied.size();
      last_error_ = error;
      if (!error.empty()) {
        dirty_ = true;  // try again after the backoff
        const auto wait = next_backoff(backoff);
        if (cv_.wait_for(lock, wait, [&] { return stopping_; })) {
          lease_ = lease;
          return;
        }
      }
    }
  }

  // Reads the service's keys, then follows them; reads again after every ended stream.
  void follow_loop(Follower& f, const std::string& prefix, const OnInstances& on_change) {
    std::chrono::milliseconds backoff = settings_.retry_initial;
    std::map<std::string, std::string> kvs;
    bool told = false;
    auto tell = [&] {
      std::vector<Instance> instances;
      for (const auto& [key, value] : kvs) {
        try {
          instances.push_back(instance_from_json(value));
        } catch (const std::exception& e) {
          settings_.warn("ignoring " + key + ": " + e.what());
        }
      }
      on_change(instances);
      told = true;
    };
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      int64_t revision = 0;
      try {
        etcd::RangeResult now = f.client.get_prefix(prefix);
        std::map<std::string, std::string> read;
        for (etcd::KeyValue& kv : now.kvs) read[kv.key] = std::move(kv.value);
        if (!told || read != kvs) {
          kvs = std::move(read);
          tell();
        }
        revision = now.revision;
        backoff = settings_.retry_initial;
      } catch (const std::exception& e) {
        settings_.warn("cannot read " + prefix + ": " + e.what());
        if (!pause(next_backoff(backoff))) return;
        continue;
      }
      try {
        f.client.watch_prefix(prefix, revision + 1, [&](const std::vector<etcd::WatchEvent>& events, int64_t) {
          for (const etcd::WatchEvent& e : events) {
            if (e.deleted)
              kvs.erase(e.kv.key);
            else
              kvs[e.kv.key] = e.kv.value;
          }
          tell();
        });
      } catch (const std::exception& e) {
        if (!pause(next_backoff(backoff))) return;
      }
    }
  }

  EtcdRegistrySettings settings_;
  etcd::Client writer_;  // used by the publisher thread (and stop(), after it)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> desired_;  // key -> instance JSON
  bool dirty_ = false;
  bool stopping_ = false;
  int64_t lease_ = 0;
  size_t published_ = 0;
  uint64_t reregistrations_ = 0;
  std::string last_error_;
  std::vector<std::unique_ptr<Follower>> followers_;
  std::thread publisher_;
};

}  // namespace

std::unique_ptr<Registry> make_etcd_registry(EtcdRegistrySettings settings) {
  return std::make_unique<EtcdRegistry>(std::move(settings));
}

}  // namespace hyperion::plugins::discovery
