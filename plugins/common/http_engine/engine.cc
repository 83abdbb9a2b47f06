#include "engine.h"

#include <hyperion/plugin.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <future>

#include "session.h"

namespace hyperion::http_engine {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// How often deadlines are checked: the precision of every timeout.
constexpr std::chrono::milliseconds kSweepInterval{50};

std::shared_ptr<net::ssl::context> tls_context(const TlsConfig& tls) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                   net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  std::string cert = plugins::read_pem("tls.cert_file", tls.cert_file);
  std::string key = plugins::read_pem("tls.key_file", tls.key_file);
  ctx->use_certificate_chain(net::buffer(cert), ec);
  if (ec) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "tls.cert_file: " + tls.cert_file + ": " + ec.message());
  ctx->use_private_key(net::buffer(key), net::ssl::context::pem, ec);
  if (ec) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "tls.key_file: " + tls.key_file + ": " + ec.message());
  if (!tls.client_ca_file.empty()) {
    std::string ca = plugins::read_pem("tls.client_ca_file", tls.client_ca_file);
    ctx->add_certificate_authority(net::buffer(ca), ec);
    if (ec) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "tls.client_ca_file: " + tls.client_ca_file + ": " + ec.message());
    }
    ctx->set_verify_mode(tls.require_client_cert ? net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert
                                                 : net::ssl::verify_peer);
  }
  return ctx;
}

}  // namespace

Engine::Engine(int threads, RouteTable& table, Observer& observer, std::shared_ptr<const Settings> settings)
    : table_(table), observer_(observer), settings_(std::move(settings)), thread_count_(threads) {}

Engine::~Engine() {
  if (!threads_.empty()) stop(std::chrono::steady_clock::now());
}

std::unique_ptr<BoundListener> Engine::bind(const Endpoint& endpoint) {
  std::string host;
  uint16_t port = 0;
  split_listen(endpoint.listen, host, port);
  boost::system::error_code ec;
  auto address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "listen: \"" + host + "\" is not an IP address");
  std::shared_ptr<net::ssl::context> tls = endpoint.tls ? tls_context(*endpoint.tls) : nullptr;
  auto listener =
      std::unique_ptr<BoundListener>(new BoundListener{tcp::acceptor(net::make_strand(ioc_)), tls, endpoint, 0});
  tcp::endpoint ep(address, port);
  auto& a = listener->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "listen: cannot serve on " + endpoint.listen + ": " + ec.message());
  listener->port = a.local_endpoint().port();
  return listener;
}

std::string BoundListener::url() const {
  std::string host;
  uint16_t ignored = 0;
  split_listen(endpoint.listen, host, ignored);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

void Engine::serve(std::unique_ptr<BoundListener> listener) {
  BoundListener* raw = listener.get();
  std::future<void> old_closed;
  {
    std::lock_guard lock(listener_mu_);
    if (listener_) {
      BoundListener* old = listener_.get();
      // Close on the acceptor's strand: a pending accept completes, aborted.
      auto closed = std::make_shared<std::promise<void>>();
      old_closed = closed->get_future();
      net::post(old->acceptor.get_executor(), [old, closed] {
        boost::system::error_code ignored;
        old->acceptor.close(ignored);
        closed->set_value();
      });
      retired_.push_back(std::move(listener_));
    }
    listener_ = std::move(listener);
    port_.store(raw->port, std::memory_order_release);
  }
  // The old address is free when serve() returns: a reload moved back to it
  // at once (a rollback) binds it again instead of finding it in use.
  if (old_closed.valid() && !threads_.empty()) old_closed.wait_for(std::chrono::seconds(5));
  {
    std::lock_guard lock(sessions_mu_);
    stopping_ = false;
  }
  net::post(raw->acceptor.get_executor(), [this, raw] { accept(raw); });
  if (threads_.empty()) {
    work_.emplace(ioc_.get_executor());
    sweep();
    for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
}

void Engine::accept(BoundListener* listener) {
  listener->acceptor.async_accept(
      net::make_strand(ioc_), [this, listener](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !listener->acceptor.is_open()) return;
        if (!ec) {
          if (connections() >= settings()->max_connections && !make_room()) {
            // Every connection is busy: say so and close, rather than queue unseen.
            static const std::string kBusy =
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\nconnection: close\r\n"
                "content-length: 97\r\n\r\n"
                R"({"type":"about:blank","title":"Service Unavailable","status":503,"detail":"too many connections"})";
            boost::system::error_code ignored;
            socket.non_blocking(true, ignored);
            socket.send(net::buffer(kBusy), 0, ignored);
            socket.close(ignored);
          } else {
            // Answers go out in one write, but a stream's events are small
            // writes in a row: without this, Nagle's algorithm holds each one
            // until the client's (delayed) ACK of the previous, ~40 ms.
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            start_session(*this, std::move(socket), listener->tls);
          }
        }
        accept(listener);
      });
}

std::vector<std::shared_ptr<SessionBase>> Engine::live_sessions() const {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard lock(sessions_mu_);
  out.reserve(sessions_.size());
  for (const auto& weak : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

bool Engine::make_room() {
  std::vector<std::shared_ptr<SessionBase>> live = live_sessions();  // oldest first
  for (auto& s : live) {
    if (s->idle()) {
      s->close_when_idle();
      return true;
    }
  }
  // Every connection is busy. One still sending its headers after a second is
  // holding a place, not using it: the slowest of them makes room, so a flood
  // of slow clients cannot keep real requests out until their header deadline.
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  constexpr int64_t kSlowHeaderNs = 1'000'000'000;
  SessionBase* slowest = nullptr;
  int64_t slowest_since = now - kSlowHeaderNs;
  for (auto& s : live) {
    int64_t since = s->header_since_ns();
    if (since != 0 && since <= slowest_since) {
      slowest = s.get();
      slowest_since = since;
    }
  }
  if (slowest == nullptr) return false;
  slowest->close_now();
  return true;
}

void Engine::sweep() {
  using namespace std::chrono;
  sweeper_.expires_after(kSweepInterval);
  sweeper_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const int64_t now = duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
    for (auto& s : live_sessions()) {
      int64_t deadline = s->deadline_ns();
      if (deadline <= now && s->claim_deadline(deadline)) s->deadline_passed();
    }
    sweep();
  });
}

void Engine::stop(std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(listener_mu_);
    if (listener_) {
      std::promise<void> closed;
      BoundListener* l = listener_.get();
      net::post(l->acceptor.get_executor(), [l, &closed] {
        boost::system::error_code ignored;
        l->acceptor.close(ignored);
        closed.set_value();
      });
      if (!threads_.empty()) closed.get_future().wait();
    }
  }
  {
    std::lock_guard lock(sessions_mu_);
    stopping_ = true;
  }
  for (auto& s : live_sessions()) s->close_when_idle();
  using namespace std::chrono_literals;
  auto now = std::chrono::steady_clock::now();
  // Cancel a little before the deadline so cancelled streams can end by it.
  auto grace = deadline <= now ? 0ns : std::min<std::chrono::nanoseconds>((deadline - now) / 5, 100ms);
  {
    std::unique_lock lock(sessions_mu_);
    sessions_gone_.wait_until(lock, deadline - grace, [&] { return sessions_.empty(); });
  }
  for (auto& s : live_sessions()) s->close_now();
  {
    std::unique_lock lock(sessions_mu_);
    sessions_gone_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
  }
  net::post(sweeper_.get_executor(), [this] { sweeper_.cancel(); });
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  ioc_.restart();
}

size_t Engine::connections() const {
  std::lock_guard lock(sessions_mu_);
  return sessions_.size();
}

std::shared_ptr<const Settings> Engine::settings() const {
  std::lock_guard lock(settings_mu_);
  return settings_;
}

void Engine::set_settings(std::shared_ptr<const Settings> settings) {
  std::lock_guard lock(settings_mu_);
  settings_ = std::move(settings);
  settings_version_.fetch_add(1, std::memory_order_acq_rel);
}

Engine::Handle Engine::track(std::weak_ptr<SessionBase> session) {
  std::lock_guard lock(sessions_mu_);
  return sessions_.insert(sessions_.end(), std::move(session));
}

void Engine::untrack(Handle handle) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(handle);
  if (sessions_.empty()) sessions_gone_.notify_all();
}

}  // namespace hyperion::http_engine
