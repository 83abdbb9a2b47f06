// A client of Consul's HTTP API (v1): the KV store (recursive reads of a
// prefix, puts, deletes, transactions) and blocking queries on any endpoint
// that supports them (?index=&wait=, answered with X-Consul-Index, on a 404
// too). Shared by the consul-config and discovery plugins.
//
//   Client consul({.endpoints = {"127.0.0.1:8500"}, .token = "..."});
//   KvList now = consul.list("hyperion/shop/");
//   BlockingIndex index;  index.observe(now.index);
//   KvList next = consul.list("hyperion/shop/", index.next(), std::chrono::seconds(60));
//
// The ACL token goes in X-Consul-Token (never in the URL, where proxies log it).
// Several endpoints fail over like the etcd client's (the one that answered
// last is tried first). Errors are thrown as ConsulError.
// Thread-safety: one call at a time per Client, except stop(), which any
// thread may call to end the request in flight.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "stores/http_transport.h"

namespace hyperion::plugins::consul {

using stores::TlsSettings;

// Consul's read consistency modes (api-docs/features/consistency).
enum class Consistency {
  kDefault,     // the leader answers, without checking it still leads
  kConsistent,  // the leader checks with a quorum first
  kStale,       // any server answers, possibly behind
};

struct ClientSettings {
  std::vector<std::string> endpoints;  // "host:port" or a URL; the scheme follows tls.enabled
  std::string token;                   // ACL token; empty: anonymous
  TlsSettings tls;
  Consistency consistency = Consistency::kDefault;
  std::chrono::milliseconds timeout{5000};  // connect, and each request that does not block
};

class ConsulError : public std::runtime_error {
 public:
  // `unreachable`: no endpoint answered; `status`: the HTTP status of an answer that said no.
  ConsulError(const std::string& what, bool unreachable, int status = 0)
      : std::runtime_error(what), unreachable_(unreachable), status_(status) {}
  [[nodiscard]] bool unreachable() const { return unreachable_; }
  [[nodiscard]] int status() const { return status_; }

 private:
  bool unreachable_;
  int status_;
};

struct KvPair {
  std::string key;
  std::string value;  // decoded; a key without a value (a folder) reads ""
  uint64_t modify_index = 0;
  uint64_t flags = 0;
};

struct KvList {
  uint64_t index = 0;  // X-Consul-Index
  std::vector<KvPair> pairs;
};

// One answer of a blocking query on any endpoint: status 200 or 404.
struct BlockingAnswer {
  int status = 0;
  uint64_t index = 0;  // X-Consul-Index
  std::string body;
};

// One operation of a KV transaction (/v1/txn): all of them, or none, at one index.
struct TxnOp {
  enum class Verb { kSet, kDelete, kDeleteTree };
  Verb verb = Verb::kSet;
  std::string key;
  std::string value;
};

// The index a blocking-query loop sends next, following Consul's documented
// rules (api-docs/features/blocking): an index that goes backwards resets the
// loop to 0 (a plain read, then block again from what it says); an answer
// with index 0 (a Consul bug) is used as 1, so the loop never sends 0 twice in
// a row (a query with index 0 does not block: a busy loop).
class BlockingIndex {
 public:
  enum class Seen {
    kFirst,          // the answer to a plain read (index 0 was sent)
    kSame,           // the wait ended, or a write that changed nothing here
    kAdvanced,       // something may have changed
    kWentBackwards,  // a snapshot restore, a removed newest key, an upgrade: the loop restarts
  };
  [[nodiscard]] uint64_t next() const { return index_; }
  Seen observe(uint64_t answered);
  void reset() { index_ = 0; }

 private:
  uint64_t index_ = 0;
};

// Blocking loops that churn degrade to polling instead of a busy loop: a token
// bucket (burst 2 by default, as Consul's docs suggest) refilled one token per
// `interval`. take() says how long to wait before the next request.
class QueryRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit QueryRateLimiter(std::chrono::milliseconds interval, int burst = 2);
  // Takes a token, answering how long to wait first (zero when one was there).
  std::chrono::milliseconds take(Clock::time_point now);

 private:
  std::chrono::milliseconds interval_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

// Keys must be sent path-escaped: each byte outside [A-Za-z0-9-._~/] as %XX.
std::string escape_key(const std::string& key);

// The path of a recursive KV read of `prefix`, and the KvList in an answer to
// it (a 404 is an empty list). Throws ConsulError for an answer that is not one.
std::string kv_list_path(const std::string& prefix);
KvList kv_list_of(const BlockingAnswer& answer, const std::string& prefix);

class Client {
 public:
  explicit Client(ClientSettings settings);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Every key under `prefix` (?recurse). With `index` > 0, a blocking query:
  // answers when the prefix changes after `index` or `wait` passes (Consul adds
  // up to wait/16). A prefix with no keys answers an empty list (Consul's 404),
  // with its index.
  KvList list(const std::string& prefix, uint64_t index = 0, std::chrono::seconds wait = std::chrono::seconds(0));
  // A GET of `path` (with its query) as a blocking query from `index`.
  BlockingAnswer blocking_get(const std::string& path, uint64_t index, std::chrono::seconds wait);

  void put(const std::string& key, const std::string& value);
  void delete_tree(const std::string& prefix);
  // One transaction: applied at one index, or not at all (throws saying why).
  void transaction(const std::vector<TxnOp>& ops);

  // A PUT of `body` to an agent or catalog endpoint (e.g.
  // /v1/agent/service/register); returns the answer's body. A status other
  // than 200 throws ConsulError with it (404: an unknown service or check).
  std::string put_path(const std::string& path, const std::string& body);

  // Ends the request in flight on another thread (it throws), and every later
  // call until resume().
  void stop() { endpoints_.stop(); }
  void resume() { endpoints_.resume(); }
  [[nodiscard]] bool stopped() const { return endpoints_.stopped(); }

  // The endpoint that answered last.
  [[nodiscard]] std::string endpoint() const { return endpoints_.current_url(); }

 private:
  struct Answer;
  Answer send(const std::string& method, const std::string& path, const std::string& body,
              std::chrono::milliseconds read_timeout);
  Answer send_once(size_t endpoint, const std::string& method, const std::string& path, const std::string& body,
                   std::chrono::milliseconds read_timeout);

  ClientSettings settings_;
  stores::Endpoints endpoints_;
};

// A blocking-query loop on one path, following Consul's rules: the index of
// each answer is the next query's (BlockingIndex: a reset to a plain read
// when it goes backwards, 1 for 0), and a token bucket paces the loop.
//
//   BlockingQueryLoop loop(client, "/v1/health/service/users?passing=true", 60s, 1000ms);
//   while (auto answer = loop.next()) { ... compare answer->body with what you had ... }
//
// An answer is no promise of a change (the wait ended, a write elsewhere):
// compare. Thread-safety: next() from one thread; stop() from any.
class BlockingQueryLoop {
 public:
  BlockingQueryLoop(Client& client, std::string path, std::chrono::seconds wait,
                    std::chrono::milliseconds rate_interval);
  // Goes on from the index of a read the caller made (blocking from it; an
  // index of 0 is used as 1, as for any answer) instead of from where it was.
  void restart_from(uint64_t index) {
    index_.reset();
    index_.observe(index);
  }
  // Undoes stop().
  void resume();
  // The next answer; nullopt once stop() was called. Throws ConsulError when
  // a query fails (the loop may go on after it: call next() again).
  std::optional<BlockingAnswer> next();
  // Ends a wait for the rate limit; stop the Client to end a query in flight.
  void stop();

 private:
  Client& client_;
  const std::string path_;
  const std::chrono::seconds wait_;
  BlockingIndex index_;
  QueryRateLimiter limiter_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace hyperion::plugins::consul
