// Engine: the HTTP/1.1 server under the plugin — Boost.Beast on Boost.Asio, a
// pool of I/O threads, one listener (moved on reload without touching open
// connections), the open connections (capped; the oldest idle one makes room),
// and graceful drain on stop. Each connection is a Session (session.h) on its
// own strand; nothing blocks an I/O thread while waiting for a client.
// Thread-safety: every public member may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "observer.h"
#include "route_table.h"
#include "settings.h"

namespace hyperion::http_engine {

// A connection as the engine sees it.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Waiting for a client's next request with nothing buffered.
  [[nodiscard]] bool idle() const noexcept { return idle_.load(std::memory_order_acquire); }
  // Since when (steady clock, ns) the connection has been sending a request's
  // line and headers, or its TLS handshake; 0 when it is not.
  [[nodiscard]] int64_t header_since_ns() const noexcept { return header_since_ns_.load(std::memory_order_relaxed); }
  // Close now if idle, else after the current answer (any thread).
  virtual void close_when_idle() = 0;
  // Cancel what runs and close (any thread).
  virtual void close_now() = 0;

  // The current deadline (steady clock, ns; INT64_MAX: none), which the
  // engine's sweeper compares with the clock: setting one costs a store.
  [[nodiscard]] int64_t deadline_ns() const noexcept { return deadline_ns_.load(std::memory_order_relaxed); }
  // The sweeper takes a passed deadline once; false when it moved meanwhile.
  bool claim_deadline(int64_t seen) noexcept {
    return deadline_ns_.compare_exchange_strong(seen, INT64_MAX, std::memory_order_relaxed);
  }
  // Called by the sweeper (any thread) for a claimed deadline.
  virtual void deadline_passed() = 0;

 protected:
  std::atomic<bool> idle_{false};
  std::atomic<int64_t> header_since_ns_{0};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};
};

// A bound socket not yet accepting (so that reload can refuse an address in
// prepare, before anything changes).
struct BoundListener {
  boost::asio::ip::tcp::acceptor acceptor;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  Endpoint endpoint;
  int port = 0;
  // "http(s)://<address>:<port>" as a client calls it: the port bound, not 0.
  [[nodiscard]] std::string url() const;
};

class Engine {
 public:
  Engine(int threads, RouteTable& table, Observer& observer, std::shared_ptr<const Settings> settings);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Binds and listens (throws hyperion::Error naming the field).
  std::unique_ptr<BoundListener> bind(const Endpoint& endpoint);
  // Accepts on `listener` from now on; the previous listener closes, its
  // connections stay. Starts the I/O threads the first time.
  void serve(std::unique_ptr<BoundListener> listener);
  // Stops accepting, lets connections finish their current answer until
  // `deadline` (cancelling streams and handlers near it), then closes the rest.
  void stop(std::chrono::steady_clock::time_point deadline);

  [[nodiscard]] int port() const noexcept { return port_.load(std::memory_order_acquire); }
  [[nodiscard]] size_t connections() const;

  // --- for sessions ---
  [[nodiscard]] std::shared_ptr<const Settings> settings() const;
  void set_settings(std::shared_ptr<const Settings> settings);
  // Bumped by set_settings: a session re-reads settings() only when it moved.
  [[nodiscard]] uint64_t settings_version() const noexcept { return settings_version_.load(std::memory_order_acquire); }
  [[nodiscard]] RouteTable& table() noexcept { return table_; }
  [[nodiscard]] Observer& observer() noexcept { return observer_; }
  using Handle = std::list<std::weak_ptr<SessionBase>>::iterator;
  Handle track(std::weak_ptr<SessionBase> session);
  void untrack(Handle handle);

 private:
  void accept(BoundListener* listener);
  // At the connection cap: closes the oldest idle connection, else the one
  // that has been sending its headers longest (over a second: a slowloris
  // client, not a request in flight); false when neither is there.
  bool make_room();
  // Every tick: tells each connection whose deadline passed (one timer for all).
  void sweep();
  // The live sessions, taken under the lock and released after it (a session's
  // last owner may be this list; its destructor takes the lock).
  std::vector<std::shared_ptr<SessionBase>> live_sessions() const;

  // Declared first, destroyed last: sessions still queued in the I/O context
  // untrack themselves when it is destroyed.
  mutable std::mutex sessions_mu_;
  std::condition_variable sessions_gone_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
  bool stopping_ = false;

  RouteTable& table_;
  Observer& observer_;
  mutable std::mutex settings_mu_;
  std::shared_ptr<const Settings> settings_;
  std::atomic<uint64_t> settings_version_{1};

  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::steady_timer sweeper_{boost::asio::make_strand(ioc_)};  // its own strand: stop() cancels it
  const int thread_count_;
  std::vector<std::thread> threads_;

  // Destroyed before the I/O context they belong to.
  std::mutex listener_mu_;
  std::unique_ptr<BoundListener> listener_;
  std::vector<std::unique_ptr<BoundListener>> retired_;  // closed; kept until their accepts complete
  std::atomic<int> port_{0};
};

}  // namespace hyperion::http_engine
