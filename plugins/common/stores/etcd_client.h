// A client of etcd's v3 API through its JSON gateway (HTTP/1.1 + JSON, in every
// etcd 3.4 server; decision 0010): range reads of a prefix, puts and deletes,
// and watch *streams* from a revision (no polling). Several endpoints with
// failover (the one that answered last is tried first), username/password
// authentication (the token is renewed when etcd says it is invalid), TLS with a
// CA and a client certificate. Shared by the consul-config and discovery plugins.
//
//   Client etcd({.endpoints = {"127.0.0.1:2379"}});
//   RangeResult now = etcd.get_prefix("hyperion/shop/");
//   etcd.watch_prefix("hyperion/shop/", now.revision + 1, [](const auto& events, int64_t rev) { ... });
//
// Errors are thrown as EtcdError. Thread-safety: one call at a time per Client,
// except stop(), which any thread may call to end a watch or request in flight.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "stores/http_transport.h"

namespace hyperion::plugins::etcd {

using stores::TlsSettings;

struct ClientSettings {
  std::vector<std::string> endpoints;  // "host:port" or a URL; the scheme follows tls.enabled
  std::string username;                // empty: no authentication
  std::string password;
  TlsSettings tls;
  std::chrono::milliseconds timeout{5000};      // connect, and each request
  std::chrono::milliseconds watch_idle{30000};  // a quiet watch stream is re-opened after this
};

class EtcdError : public std::runtime_error {
 public:
  // `unreachable`: no endpoint answered (as opposed to an answer that says no).
  EtcdError(const std::string& what, bool unreachable) : std::runtime_error(what), unreachable_(unreachable) {}
  [[nodiscard]] bool unreachable() const { return unreachable_; }

 private:
  bool unreachable_;
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t mod_revision = 0;
};

struct RangeResult {
  int64_t revision = 0;  // the store's revision the read saw
  std::vector<KeyValue> kvs;
};

struct WatchEvent {
  bool deleted = false;
  KeyValue kv;  // for a delete, only key and mod_revision
};

struct WatchOutcome {
  enum class End {
    kStopped,       // stop() was called
    kCompacted,     // start_revision was compacted away: read again, watch from the read
    kDisconnected,  // the stream ended or broke: watch again from last_revision + 1
  };
  End end = End::kStopped;
  int64_t compact_revision = 0;  // kCompacted: the oldest revision still kept
  int64_t last_revision = 0;     // the newest revision the stream reported (0: none)
  std::string detail;            // why it ended, for logs
};

// The range end that selects every key starting with `prefix` (etcd's "prefix" rule).
std::string prefix_range_end(const std::string& prefix);

class Client {
 public:
  using OnEvents = std::function<void(const std::vector<WatchEvent>& events, int64_t revision)>;

  explicit Client(ClientSettings settings);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  RangeResult get_prefix(const std::string& prefix);
  // Returns the revision of the put. With `lease` (from lease_grant), the key
  // goes away when the lease does.
  int64_t put(const std::string& key, const std::string& value, int64_t lease = 0);
  int64_t delete_prefix(const std::string& prefix);
  // Deletes exactly `key` (not the keys it prefixes).
  int64_t delete_key(const std::string& key);

  // Leases: keys bound to one disappear when it expires (its holder died) or
  // is revoked (its holder stopped). Returns the lease's id.
  int64_t lease_grant(std::chrono::seconds ttl);
  // Refreshes the lease; returns the seconds it has left, 0 when it is gone
  // (expired, revoked, or etcd lost it): grant a new one and put the keys again.
  int64_t lease_keepalive(int64_t lease);
  void lease_revoke(int64_t lease);

  // Streams the changes of keys under `prefix` from `start_revision` until
  // stop(), a compaction, or a disconnect; `on_events` runs on the calling
  // thread for each batch. Throws EtcdError only when the watch cannot be created.
  WatchOutcome watch_prefix(const std::string& prefix, int64_t start_revision, const OnEvents& on_events);

  // Ends the watch or request in flight on another thread (it returns kStopped
  // or throws), and every later call until resume().
  void stop() { endpoints_.stop(); }
  void resume() { endpoints_.resume(); }

  // The endpoint that answered last.
  [[nodiscard]] std::string endpoint() const { return endpoints_.current_url(); }

 private:
  struct Answer;
  Answer post(const std::string& path, const std::string& body);
  Answer post_once(size_t endpoint, const std::string& path, const std::string& body);
  std::unique_ptr<httplib::Client> open(size_t endpoint, std::chrono::milliseconds read_timeout) const;
  void authenticate(size_t endpoint);

  [[nodiscard]] std::string token() const;
  void set_token(std::string token);

  ClientSettings settings_;
  stores::Endpoints endpoints_;
  mutable std::mutex token_mu_;
  std::string token_;
};

}  // namespace hyperion::plugins::etcd
