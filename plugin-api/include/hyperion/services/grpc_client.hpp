// hyperion/services/grpc_client.hpp — C++ helpers for plugins that call gRPC
// through the "grpc.client" service (hyperion/services/grpc_client.h has the
// rules: targets, outcomes, retries, deadlines, threads).
//
//   hyperion::grpc::Client grpc(ctx.acquire(HYPERION_GRPC_CLIENT_API, 1));
//   hello::HelloReply r = grpc.call<hello::HelloReply>("greeter", "/hello.Greeter/SayHello", request);
//   hyperion::grpc::Reply raw = grpc.unary("users", "/users.v1.Users/Get", bytes,
//                                          hyperion::grpc::CallOptions().with_timeout(300ms));
//   if (!raw.ok()) ... raw.code, raw.message ...
//   auto stream = grpc.open_stream("chat", "/chat.Chat/Talk", {}, [](std::string_view m) { ... });
//   stream->write(a); stream->write(b); stream->close_send();
//   hyperion::grpc::Reply end = stream->wait();
//
// call<>() works with any message type that has SerializeAsString() and
// ParseFromString() (protobuf lite or full). It throws hyperion::grpc::RpcError
// for a status other than OK; every helper throws hyperion::Error when the
// client refuses the call (unknown target, malformed method, stopping).
#ifndef HYPERION_SERVICES_GRPC_CLIENT_HPP_
#define HYPERION_SERVICES_GRPC_CLIENT_HPP_

#include <hyperion/services/grpc_client.h>
#include <hyperion/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperion::grpc {

// Metadata as (key, value); "-bin" values are raw bytes.
using Metadata = std::vector<std::pair<std::string, std::string>>;

// Per-call options, set in a chain: CallOptions().with_timeout(300ms).with_metadata("x-user", "7").
struct CallOptions {
  std::chrono::milliseconds timeout{0};  // 0: the configured deadline
  Metadata metadata;
  std::optional<bool> idempotent;  // unset: as the config marks the method
  std::string traceparent;         // the caller's trace context, if any

  CallOptions& with_timeout(std::chrono::milliseconds t) {
    timeout = t;
    return *this;
  }
  CallOptions& with_metadata(std::string key, std::string value) {
    metadata.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  CallOptions& with_idempotent(bool yes) {
    idempotent = yes;
    return *this;
  }
  CallOptions& with_traceparent(std::string tp) {
    traceparent = std::move(tp);
    return *this;
  }
};

// How a call ended.
struct Reply {
  hyperion_grpc_code_t code = HYPERION_GRPC_UNKNOWN;
  std::string message;
  std::string response;  // unary: the response message
  Metadata initial_metadata;
  Metadata trailing_metadata;
  uint32_t attempts = 0;
  std::string peer;  // "host:port" that answered last
  [[nodiscard]] bool ok() const { return code == HYPERION_GRPC_OK; }
  // The first value of `key` in the trailing, then the initial metadata; empty if absent.
  [[nodiscard]] std::string metadata(std::string_view key) const {
    for (const Metadata* m : {&trailing_metadata, &initial_metadata}) {
      for (const auto& [k, v] : *m) {
        if (k == key) return v;
      }
    }
    return {};
  }
};

// A call that ended with a status other than OK (thrown by call<>()).
class RpcError : public std::runtime_error {
 public:
  explicit RpcError(Reply reply)
      : std::runtime_error(std::string(reply.message.empty() ? "gRPC call failed" : reply.message) + " (code " +
                           std::to_string(reply.code) + ")"),
        reply_(std::move(reply)) {}
  [[nodiscard]] hyperion_grpc_code_t code() const noexcept { return reply_.code; }
  [[nodiscard]] const Reply& reply() const noexcept { return reply_; }

 private:
  Reply reply_;
};

namespace detail {

inline hyperion_bytes_t to_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string from_bytes(hyperion_bytes_t b) {
  return b.size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(b.data), b.size);
}

// The C view of a call; points into `target`, `method` and `options`.
struct CCall {
  CCall(std::string_view target, std::string_view method, const CallOptions& o) {
    for (const auto& [k, v] : o.metadata) metadata.push_back({to_str(k), to_bytes(v)});
    raw.struct_size = sizeof raw;
    raw.target = to_str(target);
    raw.method = to_str(method);
    raw.metadata = metadata.data();
    raw.metadata_count = metadata.size();
    raw.timeout_ms = o.timeout.count();
    raw.idempotent = o.idempotent ? (*o.idempotent ? 1 : 0) : -1;
    raw.traceparent = to_str(o.traceparent);
  }
  std::vector<hyperion_grpc_metadata_t> metadata;
  hyperion_grpc_client_call_t raw{};
};

inline Metadata to_metadata(const hyperion_grpc_metadata_t* list, size_t count) {
  Metadata out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.emplace_back(std::string(to_view(list[i].key)), from_bytes(list[i].value));
  return out;
}

inline Reply to_reply(const hyperion_grpc_client_result_t* r) {
  Reply out;
  out.code = r->code;
  out.message = std::string(to_view(r->message));
  out.response = from_bytes(r->response);
  out.initial_metadata = to_metadata(r->initial_metadata, r->initial_metadata_count);
  out.trailing_metadata = to_metadata(r->trailing_metadata, r->trailing_metadata_count);
  out.attempts = r->attempts;
  out.peer = std::string(to_view(r->peer));
  return out;
}

inline hyperion_error_t new_error() {
  hyperion_error_t err{};
  err.struct_size = sizeof err;
  return err;
}

}  // namespace detail

// A stream in progress. Messages arrive on a client thread through the
// function given to open_stream; wait() returns the outcome. The destructor
// cancels the stream if it has not ended and waits for its last callback.
class Stream {
 public:
  using OnMessage = std::function<void(std::string_view)>;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (raw_ == nullptr) return;
    try {
      auto use = handle_->enter<hyperion_grpc_client_v1_t>();
      use.vtable()->stream_release(use.ctx(), raw_);
    } catch (...) {
      // No provider any more: the stream went with it.
    }
  }

  // Queues one request; false once the stream has ended or was half-closed.
  bool write(std::string_view message) {
    auto err = detail::new_error();
    auto use = handle_->enter<hyperion_grpc_client_v1_t>();
    return use.vtable()->stream_write(use.ctx(), raw_, detail::to_bytes(message), &err) == HYPERION_OK;
  }
  void close_send() {
    auto use = handle_->enter<hyperion_grpc_client_v1_t>();
    use.vtable()->stream_close_send(use.ctx(), raw_);
  }
  void cancel() {
    auto use = handle_->enter<hyperion_grpc_client_v1_t>();
    use.vtable()->stream_cancel(use.ctx(), raw_);
  }
  // Blocks until the stream has ended; its outcome.
  Reply wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    return reply_;
  }

 private:
  friend class Client;
  Stream(const ServiceHandle* handle, OnMessage on_message) : handle_(handle), on_message_(std::move(on_message)) {}

  static void message_fn(void* user, hyperion_bytes_t message) {
    auto* self = static_cast<Stream*>(user);
    try {
      if (self->on_message_)
        self->on_message_(std::string_view(reinterpret_cast<const char*>(message.data), message.size));
    } catch (...) {
      // Nothing may cross back into the client; the callback's failure is its own.
    }
  }
  static void done_fn(void* user, const hyperion_grpc_client_result_t* result) {
    auto* self = static_cast<Stream*>(user);
    Reply reply = detail::to_reply(result);
    std::lock_guard lock(self->mu_);
    self->reply_ = std::move(reply);
    self->done_ = true;
    self->cv_.notify_all();
  }

  const ServiceHandle* handle_;
  OnMessage on_message_;
  hyperion_grpc_client_stream_t* raw_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Reply reply_;
};

class Client {
 public:
  explicit Client(ServiceHandle handle) : handle_(std::move(handle)) {}

  // A unary call with serialized messages. Any gRPC status is a Reply; throws
  // hyperion::Error only when the call is refused.
  Reply unary(std::string_view target, std::string_view method, std::string_view request,
              const CallOptions& options = {}) const {
    detail::CCall c(target, method, options);
    Reply reply;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_grpc_client_v1_t>();
    hyperion_status_t s = use.vtable()->unary(
        use.ctx(), &c.raw, detail::to_bytes(request),
        [](void* user, const hyperion_grpc_client_result_t* r) { *static_cast<Reply*>(user) = detail::to_reply(r); },
        &reply, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    return reply;
  }

  // Starts a unary call and returns its id (for cancel); `done` runs on a
  // client thread. Keep whatever `done` uses alive until it has run.
  uint64_t unary_async(std::string_view target, std::string_view method, std::string_view request,
                       const CallOptions& options, std::function<void(Reply)> done) const {
    detail::CCall c(target, method, options);
    auto holder = std::make_unique<std::function<void(Reply)>>(std::move(done));
    uint64_t id = 0;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_grpc_client_v1_t>();
    hyperion_status_t s = use.vtable()->unary_async(
        use.ctx(), &c.raw, detail::to_bytes(request),
        [](void* user, const hyperion_grpc_client_result_t* r) {
          std::unique_ptr<std::function<void(Reply)>> fn(static_cast<std::function<void(Reply)>*>(user));
          try {
            (*fn)(detail::to_reply(r));
          } catch (...) {
            // Nothing may cross back into the client; the callback's failure is its own.
          }
        },
        holder.get(), &id, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    (void)holder.release();  // the completion owns it now
    return id;
  }

  void cancel(uint64_t id) const {
    auto use = handle_.enter<hyperion_grpc_client_v1_t>();
    use.vtable()->cancel(use.ctx(), id);
  }

  // A unary call with messages: throws RpcError for a status other than OK.
  template <class Response, class Request>
  Response call(std::string_view target, std::string_view method, const Request& request,
                const CallOptions& options = {}) const {
    Reply reply = unary(target, method, request.SerializeAsString(), options);
    if (!reply.ok()) throw RpcError(std::move(reply));
    Response response;
    if (!response.ParseFromString(reply.response)) {
      reply.code = HYPERION_GRPC_INTERNAL;
      reply.message = "the response of " + std::string(method) + " did not parse";
      throw RpcError(std::move(reply));
    }
    return response;
  }

  // Opens a stream; `on_message` gets each response on a client thread.
  std::unique_ptr<Stream> open_stream(std::string_view target, std::string_view method, const CallOptions& options,
                                      Stream::OnMessage on_message) const {
    detail::CCall c(target, method, options);
    std::unique_ptr<Stream> stream(new Stream(&handle_, std::move(on_message)));
    hyperion_grpc_client_stream_handler_t handler{};
    handler.struct_size = sizeof handler;
    handler.user = stream.get();
    handler.on_message = &Stream::message_fn;
    handler.on_done = &Stream::done_fn;
    auto err = detail::new_error();
    auto use = handle_.enter<hyperion_grpc_client_v1_t>();
    hyperion_status_t s = use.vtable()->open_stream(use.ctx(), &c.raw, &handler, &stream->raw_, &err);
    if (s != HYPERION_OK) throw Error(s, err.message);
    return stream;
  }

  // A server-streaming call: sends `request`, collects every response.
  Reply server_stream(std::string_view target, std::string_view method, std::string_view request,
                      std::vector<std::string>& responses, const CallOptions& options = {}) const {
    auto stream = open_stream(target, method, options, [&](std::string_view m) { responses.emplace_back(m); });
    stream->write(request);
    stream->close_send();
    return stream->wait();
  }

 private:
  ServiceHandle handle_;
};

}  // namespace hyperion::grpc

#endif  // HYPERION_SERVICES_GRPC_CLIENT_HPP_
