// hyperion/services/grpc_server.hpp — C++ helpers for handler plugins of the
// "grpc.server" service (hyperion/services/grpc_server.h has the rules).
//
//   hyperion::grpc::Server server(ctx.acquire(HYPERION_GRPC_SERVER_API, 1));
//   registrations_.push_back(server.unary("/hello.Greeter/SayHello",
//       [](hyperion::grpc::Call& call, std::string_view request, std::string& response) {
//         ... parse request, fill response ...
//         return hyperion::grpc::Status::ok();
//       }));
//
// Unary and server-streaming functions run on a server thread when the request
// has arrived; client-streaming and bidi calls get one StreamHandler object per
// call. An exception thrown from any of them ends the call with INTERNAL (a
// hyperion::grpc::Failure ends it with its own code). Drop the Registration
// (or call release()) in your plugin's stop(): it waits for calls in flight.
#ifndef HYPERION_SERVICES_GRPC_SERVER_HPP_
#define HYPERION_SERVICES_GRPC_SERVER_HPP_

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hyperion::grpc {

struct Status {
  hyperion_grpc_code_t code = HYPERION_GRPC_OK;
  std::string message;
  static Status ok() { return {}; }
};

// Throw from a handler to end the call with `code`.
class Failure : public std::runtime_error {
 public:
  Failure(hyperion_grpc_code_t code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  [[nodiscard]] hyperion_grpc_code_t code() const noexcept { return code_; }

 private:
  hyperion_grpc_code_t code_;
};

// One call in progress; valid until it is finished (by the SDK when your unary
// or server-streaming function returns, by you for stream handlers).
class Call {
 public:
  explicit Call(hyperion_grpc_call_t* raw) noexcept : raw_(raw) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  [[nodiscard]] std::string_view method() const { return to_view(raw_->ops->method(raw_)); }
  [[nodiscard]] std::string_view peer() const { return to_view(raw_->ops->peer(raw_)); }
  [[nodiscard]] std::string_view traceparent() const { return to_view(raw_->ops->traceparent(raw_)); }
  [[nodiscard]] uint64_t deadline_ns() const { return raw_->ops->deadline_ns(raw_); }
  [[nodiscard]] bool cancelled() const { return raw_->ops->is_cancelled(raw_) != 0; }
  [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }

  // The first value of request metadata `key` (lower-case), if present.
  [[nodiscard]] std::optional<std::string_view> metadata(std::string_view key) const {
    hyperion_str_t k{};
    hyperion_bytes_t v{};
    for (size_t i = 0; raw_->ops->metadata_at(raw_, i, &k, &v) != 0; ++i) {
      if (to_view(k) == key) {
        return v.size == 0 ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(v.data), v.size);
      }
    }
    return std::nullopt;
  }
  void add_initial_metadata(std::string_view key, std::string_view value) {
    add(HYPERION_GRPC_INITIAL_METADATA, key, value);
  }
  void add_trailing_metadata(std::string_view key, std::string_view value) {
    add(HYPERION_GRPC_TRAILING_METADATA, key, value);
  }
  // Queues one response. Returns false when the call is cancelled or over.
  bool send(std::string_view message) {
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_bytes_t bytes{reinterpret_cast<const uint8_t*>(message.data()), message.size()};
    return raw_->ops->send(raw_, bytes, &err) == HYPERION_OK;
  }
  // Ends the call; later calls are ignored. Do not touch the Call afterwards.
  void finish(const Status& status) {
    if (finished_.exchange(true, std::memory_order_acq_rel)) return;
    raw_->ops->finish(raw_, status.code, to_str(status.message));
  }

 private:
  void add(int32_t which, std::string_view key, std::string_view value) {
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_bytes_t bytes{reinterpret_cast<const uint8_t*>(value.data()), value.size()};
    if (hyperion_status_t s = raw_->ops->add_metadata(raw_, which, to_str(key), bytes, &err); s != HYPERION_OK) {
      throw Error(s, err.message);
    }
  }
  hyperion_grpc_call_t* raw_;
  std::atomic<bool> finished_{false};
};

// One object per client-streaming or bidi call. Call call.finish() when done
// (from any thread); the object is destroyed after that.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  virtual void on_message(Call& call, std::string_view message) = 0;
  virtual void on_half_close(Call& call) = 0;
  virtual void on_cancel(Call& /*call*/) {}
};

using UnaryFn = std::function<Status(Call&, std::string_view request, std::string& response)>;
// Send responses with call.send(); the returned status ends the call.
using ServerStreamFn = std::function<Status(Call&, std::string_view request)>;
using StreamFactory = std::function<std::unique_ptr<StreamHandler>(Call&)>;

namespace detail {

inline Status status_of_current_exception() {
  try {
    throw;
  } catch (const Failure& f) {
    return {f.code(), f.what()};
  } catch (const std::exception& e) {
    return {HYPERION_GRPC_INTERNAL, std::string("handler threw: ") + e.what()};
  } catch (...) {
    return {HYPERION_GRPC_INTERNAL, "handler threw an unknown exception"};
  }
}

// What a registration hands the server as `user`: the author's functions.
struct Handlers {
  hyperion_grpc_kind_t kind;
  UnaryFn unary;
  ServerStreamFn server_stream;
  StreamFactory factory;
};

struct CallState {
  CallState(hyperion_grpc_call_t* raw, const Handlers* h) : call(raw), handlers(h) {}
  Call call;
  const Handlers* handlers;
  std::string request;
  bool has_request = false;
  std::unique_ptr<StreamHandler> stream;
};

template <typename Body>
void guard(CallState* s, Body&& body) noexcept {
  try {
    body();
  } catch (...) {
    s->call.finish(status_of_current_exception());
  }
}

inline void* on_start(void* user, hyperion_grpc_call_t* raw) {
  auto* handlers = static_cast<Handlers*>(user);
  auto* s = new CallState(raw, handlers);
  if (handlers->factory) guard(s, [&] { s->stream = handlers->factory(s->call); });
  return s;
}
inline void on_message(void* state, hyperion_grpc_call_t*, hyperion_bytes_t message) {
  auto* s = static_cast<CallState*>(state);
  std::string_view bytes(reinterpret_cast<const char*>(message.data), message.size);
  if (message.size == 0) bytes = {};
  if (s->stream) {
    guard(s, [&] { s->stream->on_message(s->call, bytes); });
  } else {
    s->request.assign(bytes);
    s->has_request = true;
  }
}
inline void on_half_close_with(const Handlers& h, CallState* s) {
  if (s->stream) {
    guard(s, [&] { s->stream->on_half_close(s->call); });
    return;
  }
  if (!s->has_request) {
    s->call.finish({HYPERION_GRPC_INTERNAL, "the client sent no request message"});
    return;
  }
  guard(s, [&] {
    if (h.kind == HYPERION_GRPC_UNARY) {
      std::string response;
      Status status = h.unary(s->call, s->request, response);
      if (status.code == HYPERION_GRPC_OK) s->call.send(response);
      s->call.finish(status);
    } else {
      s->call.finish(h.server_stream(s->call, s->request));
    }
  });
}

// The C handler that runs `handlers` (which must outlive every call it starts).
inline hyperion_grpc_handler_t raw_handler(Handlers* handlers) {
  hyperion_grpc_handler_t raw{};
  raw.struct_size = sizeof raw;
  raw.kind = handlers->kind;
  raw.user = handlers;
  raw.on_start = &on_start;
  raw.on_message = &on_message;
  raw.on_half_close = [](void* state, hyperion_grpc_call_t*) {
    auto* s = static_cast<CallState*>(state);
    on_half_close_with(*s->handlers, s);
  };
  raw.on_cancel = [](void* state, hyperion_grpc_call_t*) {
    auto* s = static_cast<CallState*>(state);
    if (s->stream) guard(s, [&] { s->stream->on_cancel(s->call); });
  };
  raw.on_done = [](void* state, hyperion_grpc_call_t*) { delete static_cast<CallState*>(state); };
  return raw;
}

}  // namespace detail

// A handler (or descriptor set) registered with the server; removed when
// released or destroyed.
class Registration {
 public:
  static constexpr std::chrono::seconds kDefaultDrain{5};
  Registration() = default;
  Registration(const ServiceHandle* server, uint64_t id, std::unique_ptr<detail::Handlers> handlers, bool descriptors)
      : server_(server), id_(id), handlers_(std::move(handlers)), descriptors_(descriptors) {}
  Registration(Registration&& o) noexcept
      : server_(std::exchange(o.server_, nullptr)), id_(o.id_), handlers_(std::move(o.handlers_)),
        descriptors_(o.descriptors_) {}
  Registration& operator=(Registration&& o) noexcept {
    if (this != &o) {
      release();
      server_ = std::exchange(o.server_, nullptr);
      id_ = o.id_;
      handlers_ = std::move(o.handlers_);
      descriptors_ = o.descriptors_;
    }
    return *this;
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() { release(); }

  // Unregisters and waits for the calls it started, returning a little before
  // `deadline` (a tenth of the time left, at most 50 ms) so that a stop() that
  // passes its own deadline still returns in time. Calls running near the end
  // are cancelled first. Returns false when calls were still running: the
  // handler functions are then kept alive (leaked) because a callback may
  // still arrive.
  bool release(std::optional<Deadline> deadline = std::nullopt) noexcept {
    if (server_ == nullptr) return true;
    const ServiceHandle* server = std::exchange(server_, nullptr);
    try {
      auto use = server->enter<hyperion_grpc_server_v1_t>();
      if (descriptors_) {
        use.vtable()->unregister_descriptors(use.ctx(), id_);
        return true;
      }
      uint64_t until = sdk::drain_deadline_ns(deadline, kDefaultDrain);
      hyperion_error_t err{};
      err.struct_size = sizeof err;
      if (use.vtable()->unregister_handler(use.ctx(), id_, until, &err) == HYPERION_ERR_DEADLINE_EXCEEDED) {
        (void)handlers_.release();  // intentionally leaked: see above
        return false;
      }
      return true;
    } catch (...) {
      // The server is gone, and with it every call: nothing can reach the handlers.
      return true;
    }
  }

 private:
  const ServiceHandle* server_ = nullptr;
  uint64_t id_ = 0;
  std::unique_ptr<detail::Handlers> handlers_;
  bool descriptors_ = false;
};

// The grpc.server service, seen from a handler plugin. Keep it alive longer
// than the registrations it made.
class Server {
 public:
  explicit Server(ServiceHandle handle) : handle_(std::move(handle)) {}

  // The raw service, for what the helpers below do not cover.
  [[nodiscard]] const ServiceHandle& handle() const noexcept { return handle_; }

  Registration unary(std::string_view method, UnaryFn fn) {
    auto h = std::make_unique<detail::Handlers>();
    h->kind = HYPERION_GRPC_UNARY;
    h->unary = std::move(fn);
    return add(method, std::move(h));
  }
  Registration server_stream(std::string_view method, ServerStreamFn fn) {
    auto h = std::make_unique<detail::Handlers>();
    h->kind = HYPERION_GRPC_SERVER_STREAMING;
    h->server_stream = std::move(fn);
    return add(method, std::move(h));
  }
  Registration client_stream(std::string_view method, StreamFactory factory) {
    return stream(HYPERION_GRPC_CLIENT_STREAMING, method, std::move(factory));
  }
  Registration bidi(std::string_view method, StreamFactory factory) {
    return stream(HYPERION_GRPC_BIDI_STREAMING, method, std::move(factory));
  }
  // A server-streaming method served by one StreamHandler per call, for
  // streams that outlive the request callback (subscriptions, watches).
  Registration server_stream_handler(std::string_view method, StreamFactory factory) {
    return stream(HYPERION_GRPC_SERVER_STREAMING, method, std::move(factory));
  }
  // A unary method answered later, from any thread: one StreamHandler per
  // call gets the request in on_message and starts the work in on_half_close
  // without waiting for it (a server thread must never block, e.g. on an
  // outgoing call); call.send(reply) then call.finish(status) answer. The Call
  // stays valid until finish; on_cancel says the client gave up.
  Registration unary_handler(std::string_view method, StreamFactory factory) {
    return stream(HYPERION_GRPC_UNARY, method, std::move(factory));
  }
  // Serves `file_descriptor_set` (serialized google.protobuf.FileDescriptorSet)
  // through server reflection.
  Registration descriptors(std::string_view file_descriptor_set) {
    auto use = handle_.enter<hyperion_grpc_server_v1_t>();
    uint64_t id = 0;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_bytes_t bytes{reinterpret_cast<const uint8_t*>(file_descriptor_set.data()), file_descriptor_set.size()};
    if (hyperion_status_t s = use.vtable()->register_descriptors(use.ctx(), bytes, &id, &err); s != HYPERION_OK) {
      throw Error(s, err.message);
    }
    return Registration(&handle_, id, nullptr, true);
  }

 private:
  Registration stream(hyperion_grpc_kind_t kind, std::string_view method, StreamFactory factory) {
    auto h = std::make_unique<detail::Handlers>();
    h->kind = kind;
    h->factory = std::move(factory);
    return add(method, std::move(h));
  }
  Registration add(std::string_view method, std::unique_ptr<detail::Handlers> h) {
    hyperion_grpc_handler_t raw = detail::raw_handler(h.get());
    auto use = handle_.enter<hyperion_grpc_server_v1_t>();
    uint64_t id = 0;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    if (hyperion_status_t s = use.vtable()->register_handler(use.ctx(), to_str(method), &raw, &id, &err);
        s != HYPERION_OK) {
      throw Error(s, err.message);
    }
    return Registration(&handle_, id, std::move(h), false);
  }

  ServiceHandle handle_;
};

}  // namespace hyperion::grpc

#endif  // HYPERION_SERVICES_GRPC_SERVER_HPP_
