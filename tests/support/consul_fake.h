// ConsulProtocolFake: NOT Consul. No Consul server can be installed on these
// machines (Debian has no package), so the tests run the Consul code against
// this in-test HTTP server, which implements what Consul documents for its KV
// API, its agent's services and checks, health queries and blocking queries
// (api-docs/kv, api-docs/txn, api-docs/agent/service, api-docs/agent/check,
// api-docs/health, features/blocking, features/consistency) and injects the
// faults a real Consul shows:
//
//   GET    /v1/kv/<key>[?recurse]  200 with [{Key, Value (base64|null), CreateIndex,
//                                  ModifyIndex, LockIndex, Flags, Session}] or 404 (no
//                                  keys); X-Consul-Index on both, X-Consul-KnownLeader,
//                                  X-Consul-LastContact
//          ?index=N&wait=D         blocks until the answer's index passes N or D (default
//                                  5m, at most 10m) plus up to D/16 of jitter
//          ?consistent / ?stale    accepted (both together: 400, as Consul says)
//   PUT    /v1/kv/<key>            body = the value; "true"
//   DELETE /v1/kv/<key>[?recurse]  "true"; the key leaves a tombstone at the index
//   PUT    /v1/txn                 [{"KV":{"Verb":"set|delete|delete-tree","Key","Value"}}]:
//                                  all at one index
//   PUT    /v1/agent/service/register          {ID, Name, Address, Port, Tags, Meta,
//                                              Check: {CheckID, TTL, Status,
//                                              DeregisterCriticalServiceAfter}}; kept as sent
//   PUT    /v1/agent/service/deregister/<id>
//   PUT    /v1/agent/check/pass/<check id>    refreshes a TTL check; 404 for an unknown one
//   GET    /v1/health/service/<name>[?passing] [{Node, Service, Checks}], blocking like KV
//   A TTL check not refreshed within its TTL turns critical; a critical service
//   is deregistered after DeregisterCriticalServiceAfter (the fake accepts less
//   than Consul's one-minute minimum, so tests run fast).
//   an ACL token, when configured, in X-Consul-Token (or ?token=): otherwise 403
//   "ACL not found"
//
// A list's index is the newest modify index of the keys under the prefix and
// of their tombstones (the whole KV index when there are none), so a write
// elsewhere wakes nobody, and reaping tombstones can move it backwards, as in
// Consul. Faults: answers with a 5xx, refused connections, a snapshot restore
// (the index goes backwards), an index of 0 (the old Consul bug), answers held
// past the wait, an agent restart that forgets its services.
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace hyperion::testing {

class ConsulProtocolFake {
 public:
  struct Options {
    std::string token;    // when set, every request must carry it
    std::string tls_dir;  // when set: https with <tls_dir>/<cert>.pem/.key (make_test_certificates)
    std::string cert = "server";
    bool require_client_cert = false;  // verify clients against <tls_dir>/ca.pem

    static Options requiring_token(std::string token) {
      Options o;
      o.token = std::move(token);
      return o;
    }
    // https with <dir>/<cert>.pem, verifying client certificates against <dir>/ca.pem.
    static Options mutual_tls(std::string dir, std::string cert) {
      Options o;
      o.tls_dir = std::move(dir);
      o.cert = std::move(cert);
      o.require_client_cert = true;
      return o;
    }
  };
  struct SeenRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> params;
    std::string token;  // X-Consul-Token
  };

  ConsulProtocolFake() : ConsulProtocolFake(Options{}) {}
  explicit ConsulProtocolFake(Options options);
  ~ConsulProtocolFake();
  ConsulProtocolFake(const ConsulProtocolFake&) = delete;
  ConsulProtocolFake& operator=(const ConsulProtocolFake&) = delete;

  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] uint64_t index() const;

  // Writes as another client's would be (each one index; tests may also write over HTTP).
  uint64_t put(const std::string& key, const std::string& value);
  uint64_t erase(const std::string& key);

  // Faults.
  void fail_next(int count, int status = 500);  // the next `count` requests answer `status`
  void refuse_connections();                    // stops listening; queries in flight are answered 500
  void accept_connections();                    // listens again, on the same port
  // A snapshot restore: the store becomes `kvs` at `index` (lower than now),
  // and every blocked query answers at once with it.
  void restore_snapshot(const std::map<std::string, std::string>& kvs, uint64_t index);
  void reap_tombstones();                              // may move a prefix's index backwards
  void answer_index_zero(bool on);                     // X-Consul-Index: 0 on every answer
  void hold_answers(std::chrono::milliseconds extra);  // blocking answers come `extra` after the wait

  // The agent: each service's registration as it was sent (by ID), and how
  // often its check was refreshed.
  [[nodiscard]] std::map<std::string, std::string> registrations() const;
  [[nodiscard]] size_t passes(const std::string& check_id) const;
  // An agent restarted without its state: every service and check is gone.
  void restart_agent();

  [[nodiscard]] std::vector<SeenRequest> requests() const;
  // Blocking queries waiting right now (a restore or a change answers them;
  // one that arrives after a restore with a newer index waits out its wait,
  // as with Consul).
  [[nodiscard]] size_t blocked_queries() const;
  [[nodiscard]] size_t count_requests(const std::string& method) const;

 private:
  struct Entry {
    std::string value;
    bool has_value = true;
    uint64_t create_index = 0;
    uint64_t modify_index = 0;
  };
  struct AgentService {
    std::string registration;  // the JSON as sent
    std::string name, address, check_id;
    std::chrono::milliseconds ttl{0};  // 0: no TTL check
    std::chrono::milliseconds deregister_after{0};
    bool passing = true;
    size_t passes = 0;
    std::chrono::steady_clock::time_point last_pass{}, critical_since{};
  };
  void listen();
  void stop_listening();
  void add_agent_routes();
  // Turns checks whose TTL passed critical, deregisters services critical too long.
  void agent_ticker();
  bool admit(const httplib::Request& req, httplib::Response& res);
  // Go's durations as Consul reads them ("10s", "5m", "250ms", "1h"); nullopt when not one.
  static std::optional<std::chrono::milliseconds> go_duration(const std::string& text);
  static bool blocking_params(const httplib::Request& req, httplib::Response& res, uint64_t& index,
                              std::chrono::milliseconds& wait);
  // Under `lock`: a blocking query's wait until index_now() passes `wanted`
  // (or a restore, or the wait with jitter), then any hold; false when it
  // answered because the server is closing.
  bool block(std::unique_lock<std::mutex>& lock, httplib::Response& res, uint64_t wanted,
             std::chrono::milliseconds wait, const std::function<uint64_t()>& index_now);
  // Under mu_: the index a list of `prefix` (or one key) answers with.
  uint64_t index_of(const std::string& key, bool recurse) const;

  Options options_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Entry> kvs_;
  std::map<std::string, uint64_t> tombstones_;
  uint64_t index_ = 10;
  uint64_t restores_ = 0;  // blocked queries answer when this moves
  size_t blocked_ = 0;     // blocking queries waiting now
  bool closing_ = false;
  int failures_left_ = 0;
  int failure_status_ = 500;
  bool index_zero_ = false;
  std::chrono::milliseconds hold_{0};
  std::vector<SeenRequest> seen_;
  std::map<std::string, AgentService> agent_;  // by service ID
  uint64_t agent_index_ = 0;                   // the health index: moves with every agent change
  bool ticker_stopping_ = false;
  std::thread ticker_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace hyperion::testing
