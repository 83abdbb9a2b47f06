// hyperion/services/http_server.hpp — C++ helpers for handler plugins of the
// "http.server" service (hyperion/services/http_server.h has the rules).
//
//   hyperion::http::Server server(ctx.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
//   routes_.push_back(server.route("GET", "/api/v1/users/{id}",
//       [this](const hyperion::http::Request& r, hyperion::http::Response& w) {
//         auto user = repo_.find(r.param("id"));
//         if (!user) throw hyperion::http::Problem(404, "no user " + std::string(r.param("id")));
//         w.json(to_json(*user));
//       }));
//
// The function runs on a server thread once the whole request has arrived.
// When it returns, what it put in the Response is sent (200 with an empty body
// if nothing). To answer later from another thread, take `w.defer()`; to send
// a chunked body or Server-Sent Events, take `w.stream(...)` / `w.sse()`.
// A Problem thrown becomes an RFC 9457 application/problem+json answer with
// its status; any other exception becomes a 500 problem (its text goes to the
// server's log, not to the client). Drop the Registration (or call release())
// in your plugin's stop(): it waits for the requests in flight.
#ifndef HYPERION_SERVICES_HTTP_SERVER_HPP_
#define HYPERION_SERVICES_HTTP_SERVER_HPP_

#include <hyperion/services/http_server.h>
#include <hyperion/plugin.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperion::http {

// The standard reason phrase of common status codes (a problem's "title").
inline std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

// Throw from a handler to answer with an RFC 9457 problem. `extensions` are
// extra members of the problem object (e.g. {"errors": [...]} per field).
class Problem : public std::runtime_error {
 public:
  Problem(int status, const std::string& detail, boost::json::object extensions = {})
      : std::runtime_error(detail), status_(status), extensions_(std::move(extensions)) {}
  [[nodiscard]] int status() const noexcept { return status_; }
  [[nodiscard]] const boost::json::object& extensions() const noexcept { return extensions_; }
  // The problem object as JSON text; `instance` is the request path.
  [[nodiscard]] std::string body(std::string_view instance = {}) const {
    boost::json::object o;
    o["type"] = "about:blank";
    o["title"] = reason(status_);
    o["status"] = status_;
    if (*what() != '\0') o["detail"] = what();
    if (!instance.empty()) o["instance"] = instance;
    for (const auto& [k, v] : extensions_) {
      if (!o.contains(k)) o[k] = v;
    }
    return boost::json::serialize(o);
  }

 private:
  int status_;
  boost::json::object extensions_;
};

namespace detail {
inline std::string_view view(hyperion_str_t s) {
  return s.size == 0 ? std::string_view{} : std::string_view(s.data, s.size);
}
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20) || x == y; });
}
}  // namespace detail

// Whether a Content-Type names JSON: application/json or any "+json" type
// (application/problem+json, ...), parameters ignored, in any case.
inline bool is_json_media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return detail::iequals(type, "application/json") ||
         (type.size() > 5 && detail::iequals(type.substr(type.size() - 5), "+json"));
}

// The request, valid while the handler function runs (copy what a deferred
// answer needs).
class Request {
 public:
  explicit Request(hyperion_http_exchange_t* raw) noexcept : raw_(raw) {}

  [[nodiscard]] std::string_view method() const { return detail::view(raw_->ops->method(raw_)); }
  [[nodiscard]] std::string_view path() const { return detail::view(raw_->ops->path(raw_)); }
  [[nodiscard]] std::string_view target() const { return detail::view(raw_->ops->target(raw_)); }
  [[nodiscard]] std::string_view route() const { return detail::view(raw_->ops->route(raw_)); }
  [[nodiscard]] std::string_view peer() const { return detail::view(raw_->ops->peer(raw_)); }
  [[nodiscard]] std::string_view traceparent() const { return detail::view(raw_->ops->traceparent(raw_)); }
  [[nodiscard]] std::string_view request_id() const { return detail::view(raw_->ops->request_id(raw_)); }
  [[nodiscard]] uint64_t deadline_ns() const { return raw_->ops->deadline_ns(raw_); }
  [[nodiscard]] bool cancelled() const { return raw_->ops->is_cancelled(raw_) != 0; }
  [[nodiscard]] std::string_view body() const {
    hyperion_bytes_t b = raw_->ops->body(raw_);
    return b.size == 0 ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(b.data), b.size);
  }

  // The path parameter `name` of the route template (always present when the
  // template names it).
  [[nodiscard]] std::string_view param(std::string_view name) const {
    if (auto v = find(raw_->ops->param_at, name, false)) return *v;
    throw Problem(500, "route " + std::string(route()) + " has no parameter " + std::string(name));
  }
  // The first query parameter `key`, decoded.
  [[nodiscard]] std::optional<std::string_view> query(std::string_view key) const {
    return find(raw_->ops->query_at, key, false);
  }
  // The first header `name` (any case).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return find(raw_->ops->header_at, name, true);
  }
  // Every path parameter of the route template, in order, decoded.
  [[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> params() const {
    return all(raw_->ops->param_at);
  }
  // Every query parameter, in order.
  [[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> queries() const {
    return all(raw_->ops->query_at);
  }
  [[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> headers() const {
    return all(raw_->ops->header_at);
  }
  // The body parsed as JSON: 415 when the content type is not JSON, 400 when
  // the text is not.
  [[nodiscard]] boost::json::value json() const {
    if (!is_json_media_type(header("content-type").value_or(""))) {
      throw Problem(415, "the body must be application/json");
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body(), ec);
    if (ec) throw Problem(400, "the body is not valid JSON: " + ec.message());
    return v;
  }
  // An integer query parameter in [min, max], or `fallback` when absent; 400 otherwise.
  [[nodiscard]] int64_t query_int(std::string_view key, int64_t fallback, int64_t min = INT64_MIN,
                                  int64_t max = INT64_MAX) const {
    auto v = query(key);
    if (!v) return fallback;
    int64_t out = 0;
    size_t used = 0;
    try {
      out = std::stoll(std::string(*v), &used);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || used != v->size() || out < min || out > max) {
      throw Problem(400, "query parameter " + std::string(key) + " must be an integer in [" + std::to_string(min) +
                             ", " + std::to_string(max) + "]");
    }
    return out;
  }

  [[nodiscard]] hyperion_http_exchange_t* raw() const noexcept { return raw_; }

 private:
  using At = int (*)(const hyperion_http_exchange_t*, size_t, hyperion_str_t*, hyperion_str_t*);
  std::optional<std::string_view> find(At at, std::string_view key, bool any_case) const {
    hyperion_str_t k{};
    hyperion_str_t v{};
    for (size_t i = 0; at(raw_, i, &k, &v) != 0; ++i) {
      if (any_case ? detail::iequals(detail::view(k), key) : detail::view(k) == key) return detail::view(v);
    }
    return std::nullopt;
  }
  std::vector<std::pair<std::string_view, std::string_view>> all(At at) const {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    hyperion_str_t k{};
    hyperion_str_t v{};
    for (size_t i = 0; at(raw_, i, &k, &v) != 0; ++i) out.emplace_back(detail::view(k), detail::view(v));
    return out;
  }
  hyperion_http_exchange_t* raw_;
};

namespace detail {

// Shared by the handler's Response, a Deferred answer and a Stream: the
// exchange, until it is ended (after which the server may free it).
struct Answer {
  explicit Answer(hyperion_http_exchange_t* r) : raw(r) {}
  hyperion_http_exchange_t* raw;
  // The exchange's own reference (its per-exchange state), dropped in on_done;
  // a Deferred or Stream holds others.
  std::shared_ptr<Answer> self;
  std::mutex mu;
  bool ended = false;      // respond or end_stream was called
  bool streaming = false;  // begin_stream was called
  std::function<void()> on_cancel;

  bool add_header(std::string_view name, std::string_view value) {
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    std::lock_guard lock(mu);
    if (ended || streaming) return false;
    if (raw->ops->add_header(raw, to_str(name), to_str(value), &err) != HYPERION_OK)
      throw Error(HYPERION_ERR_INVALID_ARGUMENT, err.message);
    return true;
  }
  // Sends a whole answer once; later calls are ignored (false).
  bool respond(int status, std::string_view body) {
    std::function<void()> cancel_fn;  // dropped after the lock: it may own a Deferred
    std::lock_guard lock(mu);
    if (ended || streaming) return false;
    ended = true;
    cancel_fn.swap(on_cancel);  // an ended exchange has nothing to cancel (and no cycle stays)
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_bytes_t b{reinterpret_cast<const uint8_t*>(body.data()), body.size()};
    return raw->ops->respond(raw, status, b, &err) == HYPERION_OK;
  }
  bool begin_stream(int status) {
    std::lock_guard lock(mu);
    if (ended || streaming) return false;
    streaming = true;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    return raw->ops->begin_stream(raw, status, &err) == HYPERION_OK;
  }
  bool write(std::string_view chunk) {
    std::lock_guard lock(mu);
    if (ended || !streaming) return false;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_bytes_t b{reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()};
    return raw->ops->write(raw, b, &err) == HYPERION_OK;
  }
  void end_stream() {
    std::function<void()> cancel_fn;  // dropped after the lock: it may own a Stream
    std::lock_guard lock(mu);
    if (ended || !streaming) return;
    ended = true;
    cancel_fn.swap(on_cancel);
    raw->ops->end_stream(raw);
  }
  void note_error(std::string_view what) {
    std::lock_guard lock(mu);
    if (!ended) raw->ops->note_error(raw, to_str(what));
  }
  bool cancelled() {
    std::lock_guard lock(mu);
    return !ended && raw->ops->is_cancelled(raw) != 0;
  }
  // Ends the exchange if nobody did (a dropped Deferred or Stream).
  void end_anyway(std::string_view why) {
    bool was_streaming = false;
    {
      std::lock_guard lock(mu);
      if (ended) return;
      was_streaming = streaming;
    }
    if (was_streaming) {
      end_stream();
    } else {
      note_error(why);
      Problem p(500, "the handler dropped the request without answering");
      (void)add_header("content-type", "application/problem+json");
      respond(500, p.body());
    }
  }
};

}  // namespace detail

// A chunked response body, usable from any thread until close(). Dropping
// the last copy closes it.
class Stream {
 public:
  explicit Stream(std::shared_ptr<detail::Answer> a)
      : a_(std::move(a)), closer_(a_.get(), [](detail::Answer* a) { a->end_stream(); }) {}
  // Sends one piece; false once the client is gone or the exchange was cancelled.
  bool write(std::string_view chunk) { return a_->write(chunk); }
  // One Server-Sent Event (data may hold newlines: each line becomes a data: field).
  bool event(std::string_view data, std::string_view event = {}, std::string_view id = {}) {
    std::string out;
    if (!event.empty()) out.append("event: ").append(event).append("\n");
    if (!id.empty()) out.append("id: ").append(id).append("\n");
    size_t at = 0;
    do {
      size_t nl = data.find('\n', at);
      out.append("data: ")
          .append(data.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at))
          .append("\n");
      at = nl == std::string_view::npos ? data.size() + 1 : nl + 1;
    } while (at <= data.size());
    out.append("\n");
    return write(out);
  }
  // An SSE comment line (": ping"), which keeps proxies from closing an idle stream.
  bool comment(std::string_view text) { return write(": " + std::string(text) + "\n\n"); }
  [[nodiscard]] bool cancelled() const { return a_->cancelled(); }
  // Runs `fn` (on a server thread) if the exchange is cancelled: the client
  // left, or the route is being drained. Set it before the first write.
  void on_cancel(std::function<void()> fn) {
    std::lock_guard lock(a_->mu);
    a_->on_cancel = std::move(fn);
  }
  void close() { a_->end_stream(); }

 private:
  std::shared_ptr<detail::Answer> a_;
  // Shared by copies of this Stream; when the last copy goes, the deleter closes
  // the stream (it deletes nothing: a_ owns the Answer).
  std::shared_ptr<detail::Answer> closer_;
};

// An answer given later, from any thread. Answer once; a Deferred dropped
// unanswered answers 500 (so no request hangs).
class Deferred {
 public:
  explicit Deferred(std::shared_ptr<detail::Answer> a)
      : a_(std::move(a)), guard_(a_.get(), [](detail::Answer* a) { a->end_anyway("deferred answer dropped"); }) {}
  Deferred& header(std::string_view name, std::string_view value) {
    a_->add_header(name, value);
    return *this;
  }
  bool send(int status, std::string_view body, std::string_view content_type = "text/plain; charset=utf-8") {
    if (!body.empty()) a_->add_header("content-type", content_type);
    return a_->respond(status, body);
  }
  bool json(const boost::json::value& v, int status = 200) {
    return send(status, boost::json::serialize(v), "application/json");
  }
  bool problem(const Problem& p, std::string_view instance = {}) {
    return send(p.status(), p.body(instance), "application/problem+json");
  }
  [[nodiscard]] bool cancelled() const { return a_->cancelled(); }
  void on_cancel(std::function<void()> fn) {
    std::lock_guard lock(a_->mu);
    a_->on_cancel = std::move(fn);
  }

 private:
  std::shared_ptr<detail::Answer> a_;
  // Shared by copies; when the last goes unanswered, the deleter answers 500
  // (it deletes nothing: a_ owns the Answer).
  std::shared_ptr<detail::Answer> guard_;
};

// What the handler function answers; sent when it returns unless it deferred
// or began a stream.
class Response {
 public:
  explicit Response(std::shared_ptr<detail::Answer> a) : a_(std::move(a)) {}

  Response& status(int code) {
    status_ = code;
    return *this;
  }
  Response& header(std::string_view name, std::string_view value) {
    a_->add_header(name, value);
    return *this;
  }
  Response& body(std::string text, std::string_view content_type = "text/plain; charset=utf-8") {
    body_ = std::move(text);
    content_type_ = content_type;
    return *this;
  }
  Response& json(const boost::json::value& v, int code = 200) {
    status_ = code;
    return body(boost::json::serialize(v), "application/json");
  }
  Response& problem(const Problem& p, std::string_view instance = {}) {
    status_ = p.status();
    return body(p.body(instance), "application/problem+json");
  }
  // Answer later, from any thread.
  Deferred defer() {
    taken_ = true;
    return Deferred(a_);
  }
  // Begin a chunked body now (status and headers are sent).
  Stream stream(int code = 200, std::string_view content_type = "application/octet-stream") {
    taken_ = true;
    a_->add_header("content-type", content_type);
    a_->begin_stream(code);
    return Stream(a_);
  }
  // A Server-Sent Events stream (text/event-stream, not cached).
  Stream sse() {
    a_->add_header("cache-control", "no-cache");
    return stream(200, "text/event-stream");
  }

  // For the SDK: sends what was set unless the handler took the answer over.
  void finish() {
    if (taken_) return;
    if (!body_.empty()) a_->add_header("content-type", content_type_);
    a_->respond(status_, body_);
  }

 private:
  std::shared_ptr<detail::Answer> a_;
  int status_ = 200;
  std::string body_;
  std::string content_type_;
  bool taken_ = false;
};

using Handler = std::function<void(const Request&, Response&)>;

namespace detail {

struct Route {
  Handler fn;
};

inline void* on_request(void* user, hyperion_http_exchange_t* raw) {
  auto* route = static_cast<Route*>(user);
  auto answer = std::make_shared<Answer>(raw);
  Answer* box = answer.get();
  box->self = std::move(answer);
  Request request(raw);
  Response response(box->self);
  try {
    route->fn(request, response);
    response.finish();
  } catch (const Problem& p) {
    if (p.status() >= 500) box->note_error(p.what());
    Response fresh(box->self);
    fresh.problem(p, request.path());
    fresh.finish();
  } catch (const std::exception& e) {
    box->note_error(std::string("the handler threw: ") + e.what());
    Response fresh(box->self);
    fresh.problem(Problem(500, "internal error (request id " + std::string(request.request_id()) + ")"),
                  request.path());
    fresh.finish();
  } catch (...) {
    box->note_error("the handler threw an unknown exception");
    Response fresh(box->self);
    fresh.problem(Problem(500, "internal error (request id " + std::string(request.request_id()) + ")"),
                  request.path());
    fresh.finish();
  }
  return box;
}

inline hyperion_http_handler_t raw_handler(Route* route) {
  hyperion_http_handler_t h{};
  h.struct_size = sizeof h;
  h.user = route;
  h.on_request = &on_request;
  h.on_cancel = [](void* state, hyperion_http_exchange_t*) {
    auto* box = static_cast<Answer*>(state);
    if (box == nullptr) return;
    std::function<void()> fn;
    {
      std::lock_guard lock(box->mu);
      fn = box->on_cancel;
    }
    if (fn) fn();
  };
  h.on_done = [](void* state, hyperion_http_exchange_t*) {
    if (auto* box = static_cast<Answer*>(state)) box->self.reset();  // may free it
  };
  return h;
}

}  // namespace detail

// A route registered with the server; removed (after draining) when released
// or destroyed.
class Registration {
 public:
  static constexpr std::chrono::seconds kDefaultDrain{5};
  Registration() = default;
  Registration(const ServiceHandle* server, uint64_t id, std::unique_ptr<detail::Route> route)
      : server_(server), id_(id), route_(std::move(route)) {}
  Registration(Registration&& o) noexcept
      : server_(std::exchange(o.server_, nullptr)), id_(o.id_), route_(std::move(o.route_)) {}
  Registration& operator=(Registration&& o) noexcept {
    if (this != &o) {
      release();
      server_ = std::exchange(o.server_, nullptr);
      id_ = o.id_;
      route_ = std::move(o.route_);
    }
    return *this;
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() { release(); }

  // Unregisters and waits for the requests it started, returning a little
  // before `deadline` (a tenth of the time left, at most 50 ms). Requests
  // running near the end are cancelled first. Returns false when some were
  // still running: the handler function is then kept alive (leaked) because a
  // callback may still arrive.
  bool release(std::optional<Deadline> deadline = std::nullopt) noexcept {
    if (server_ == nullptr) return true;
    const ServiceHandle* server = std::exchange(server_, nullptr);
    try {
      auto use = server->enter<hyperion_http_server_v1_t>();
      uint64_t until = sdk::drain_deadline_ns(deadline, kDefaultDrain);
      hyperion_error_t err{};
      err.struct_size = sizeof err;
      if (use.vtable()->unregister_route(use.ctx(), id_, until, &err) == HYPERION_ERR_DEADLINE_EXCEEDED) {
        (void)route_.release();  // intentionally leaked: see above
        return false;
      }
      return true;
    } catch (...) {
      // The server is gone, and with it every request: nothing can reach the handler.
      return true;
    }
  }

 private:
  const ServiceHandle* server_ = nullptr;
  uint64_t id_ = 0;
  std::unique_ptr<detail::Route> route_;
};

// The http.server service, seen from a handler plugin. Keep it alive longer
// than the registrations it made.
class Server {
 public:
  explicit Server(ServiceHandle handle) : handle_(std::move(handle)) {}

  [[nodiscard]] const ServiceHandle& handle() const noexcept { return handle_; }

  // Serves `method` ("GET", ..., or "*") on `path` ("/users/{id}", "/files/{rest...}"),
  // optionally only for requests to `host`. Throws hyperion::Error naming what is wrong.
  Registration route(std::string_view method, std::string_view path, Handler fn, std::string_view host = {}) {
    auto r = std::make_unique<detail::Route>();
    r->fn = std::move(fn);
    hyperion_http_handler_t raw = detail::raw_handler(r.get());
    hyperion_http_route_t route{};
    route.struct_size = sizeof route;
    route.method = to_str(method);
    route.path = to_str(path);
    route.host = to_str(host);
    auto use = handle_.enter<hyperion_http_server_v1_t>();
    uint64_t id = 0;
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    if (hyperion_status_t s = use.vtable()->register_route(use.ctx(), &route, &raw, &id, &err); s != HYPERION_OK) {
      throw Error(s, err.message);
    }
    return Registration(&handle_, id, std::move(r));
  }

 private:
  ServiceHandle handle_;
};

}  // namespace hyperion::http

#endif  // HYPERION_SERVICES_HTTP_SERVER_HPP_
