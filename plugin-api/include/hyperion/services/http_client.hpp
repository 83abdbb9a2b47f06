// hyperion/services/http_client.hpp — C++ helpers for plugins that call HTTP
// through the "http.client" service (hyperion/services/http_client.h has the
// rules: outcomes, retries, threads).
//
//   hyperion::http::Client http(ctx.acquire(HYPERION_HTTP_CLIENT_API, 1));
//   hyperion::http::client::Response r = http.get("http://127.0.0.1:8500/v1/kv/app");
//   boost::json::value v = http.get_json("http://127.0.0.1:8500/v1/kv/app?recurse");
//   http.post_json("http://svc/api/items", boost::json::object{{"name", "x"}});
//
// Transport failures (refused, timeout, open breaker, response too large)
// throw hyperion::Error with the client's status and message. The *_json
// helpers also throw for a status outside 200..299 and for a body that is not JSON.
//
// The client's Request, Response and Result live in hyperion::http::client,
// so that a plugin can use this header and http_server.hpp (whose
// hyperion::http::Request and Response are a handler's) together — a gateway
// does; hyperion::http::Client is the client itself.
#ifndef HYPERION_SERVICES_HTTP_CLIENT_HPP_
#define HYPERION_SERVICES_HTTP_CLIENT_HPP_

#include <hyperion/plugin.hpp>
#include <hyperion/services/http_client.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperion::http::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0: the client's configured timeout
  int max_retries = -1;                  // -1: the client's configured max_retries
  std::optional<bool> idempotent;        // unset: by method
  std::string traceparent;               // the caller's trace context, if any
};

struct Response {
  int status = 0;
  Headers headers;  // names lower case
  std::string body;
  uint32_t attempts = 0;
  // The first value of header `name` (lower case), or empty.
  [[nodiscard]] std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

// What an asynchronous call delivers: a response, or the error.
struct Result {
  hyperion_status_t status = HYPERION_OK;
  std::string error;
  Response response;
};

namespace detail {

struct CRequest {
  explicit CRequest(const Request& r) {
    for (const auto& [k, v] : r.headers) headers.push_back({to_str(k), to_str(v)});
    raw.struct_size = sizeof raw;
    raw.method = to_str(r.method);
    raw.url = to_str(r.url);
    raw.headers = headers.data();
    raw.header_count = headers.size();
    raw.body = {reinterpret_cast<const uint8_t*>(r.body.data()), r.body.size()};
    raw.timeout_ms = r.timeout.count();
    raw.max_retries = r.max_retries;
    raw.idempotent = r.idempotent ? (*r.idempotent ? 1 : 0) : -1;
    raw.traceparent = to_str(r.traceparent);
  }
  std::vector<hyperion_http_header_t> headers;
  hyperion_http_request_t raw{};
};

inline Result to_result(hyperion_status_t status, const hyperion_http_response_t* r, const hyperion_error_t* e) {
  Result out;
  out.status = status;
  if (status != HYPERION_OK || r == nullptr) {
    out.error = e != nullptr ? e->message : "http.client failed";
    if (out.status == HYPERION_OK) out.status = HYPERION_ERR_INTERNAL;
    return out;
  }
  out.response.status = r->status;
  for (size_t i = 0; i < r->header_count; ++i) {
    out.response.headers.emplace_back(std::string(to_view(r->headers[i].name)), std::string(to_view(r->headers[i].value)));
  }
  if (r->body.size != 0) out.response.body.assign(reinterpret_cast<const char*>(r->body.data), r->body.size);
  out.response.attempts = r->attempts;
  return out;
}

}  // namespace detail

class Client {
 public:
  explicit Client(ServiceHandle handle) : handle_(std::move(handle)) {}

  // Performs the call; throws hyperion::Error when there is no response.
  Response request(const Request& request) const {
    detail::CRequest c(request);
    Result result;
    {
      auto use = handle_.enter<hyperion_http_client_v1_t>();
      use.vtable()->request(
          use.ctx(), &c.raw,
          [](void* user, hyperion_status_t s, const hyperion_http_response_t* r, const hyperion_error_t* e) {
            *static_cast<Result*>(user) = detail::to_result(s, r, e);
          },
          &result);
    }
    if (result.status != HYPERION_OK) throw Error(result.status, result.error);
    return std::move(result.response);
  }

  // Queues the call; `done` runs on one of the client's threads (or at once
  // when the request is invalid or the client is stopping). Keep whatever
  // `done` uses alive until it has run.
  void request_async(const Request& request, std::function<void(Result)> done) const {
    detail::CRequest c(request);
    auto* holder = new std::function<void(Result)>(std::move(done));
    auto use = handle_.enter<hyperion_http_client_v1_t>();
    use.vtable()->request_async(
        use.ctx(), &c.raw,
        [](void* user, hyperion_status_t s, const hyperion_http_response_t* r, const hyperion_error_t* e) {
          std::unique_ptr<std::function<void(Result)>> fn(static_cast<std::function<void(Result)>*>(user));
          try {
            (*fn)(detail::to_result(s, r, e));
          } catch (...) {
            // Nothing may cross back into the client; the callback's failure is its own.
          }
        },
        holder);
  }

  Response get(const std::string& url, Headers headers = {}) const {
    Request r;
    r.url = url;
    r.headers = std::move(headers);
    return request(r);
  }

  // GET `url` and parse the body as JSON.
  boost::json::value get_json(const std::string& url, Headers headers = {}) const {
    headers.emplace_back("Accept", "application/json");
    return json_of(get(url, std::move(headers)), url);
  }

  // POST `body` as JSON and parse the answer (null for an empty body). POST is
  // not retried unless `idempotent` says so.
  boost::json::value post_json(const std::string& url, const boost::json::value& body, Headers headers = {},
                               bool idempotent = false) const {
    Request r;
    r.method = "POST";
    r.url = url;
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    r.headers.emplace_back("Accept", "application/json");
    r.body = boost::json::serialize(body);
    r.idempotent = idempotent;
    return json_of(request(r), url);
  }

 private:
  static boost::json::value json_of(const Response& r, const std::string& url) {
    if (r.status < 200 || r.status > 299) {
      throw Error(HYPERION_ERR_FAILED_PRECONDITION, url + " answered HTTP " + std::to_string(r.status));
    }
    if (r.body.empty()) return nullptr;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    if (ec) throw Error(HYPERION_ERR_INVALID_ARGUMENT, url + " did not answer JSON: " + ec.message());
    return v;
  }

  ServiceHandle handle_;
};

}  // namespace hyperion::http::client

namespace hyperion::http {
using client::Client;
}  // namespace hyperion::http

#endif  // HYPERION_SERVICES_HTTP_CLIENT_HPP_
