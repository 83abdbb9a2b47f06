#include "http_client.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <string>

namespace hyperion::plugins::http_client {
namespace {

std::string_view view(hyperion_str_t s) { return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size); }

// Views of what the caller passed (valid only during the call); false with
// `error` set when it cannot be read.
bool view_request(const hyperion_http_request_t* in, CallRequest& out, std::string& error) {
  if (in == nullptr || in->struct_size < sizeof(hyperion_http_request_t)) {
    error = "request: NULL or struct_size too small";
    return false;
  }
  if ((in->headers == nullptr && in->header_count != 0) || (in->body.data == nullptr && in->body.size != 0)) {
    error = "request: NULL headers or body with a non-zero size";
    return false;
  }
  out.method = view(in->method);
  out.url = view(in->url);
  out.headers.reserve(in->header_count);
  for (size_t i = 0; i < in->header_count; ++i)
    out.headers.emplace_back(view(in->headers[i].name), view(in->headers[i].value));
  out.body = in->body.size == 0 ? std::string_view()
                                : std::string_view(reinterpret_cast<const char*>(in->body.data), in->body.size);
  out.timeout = Millis(in->timeout_ms > 0 ? in->timeout_ms : 0);
  out.max_retries = in->max_retries;
  out.idempotent = in->idempotent;
  out.traceparent = view(in->traceparent);
  return true;
}

// An asynchronous call's own copy of the caller's request, which its
// CallRequest views once the caller has returned.
struct OwnedRequest {
  explicit OwnedRequest(const CallRequest& borrowed)
      : method(borrowed.method), url(borrowed.url), body(borrowed.body), traceparent(borrowed.traceparent) {
    headers.reserve(borrowed.headers.size());
    for (const auto& [name, value] : borrowed.headers) headers.emplace_back(name, value);
    request = borrowed;
    request.method = method;
    request.url = url;
    request.body = body;
    request.traceparent = traceparent;
    for (size_t i = 0; i < headers.size(); ++i) request.headers[i] = {headers[i].first, headers[i].second};
  }
  OwnedRequest(const OwnedRequest&) = delete;
  OwnedRequest& operator=(const OwnedRequest&) = delete;
  std::string method, url, body, traceparent;
  HeaderList headers;
  CallRequest request;
};

void complete(const CallResult& r, hyperion_http_done_fn done, void* user) {
  if (r.status != HYPERION_OK) {
    hyperion_error_t err{};
    err.struct_size = sizeof err;
    hyperion_error_set(&err, r.status, r.error.c_str());
    done(user, r.status, nullptr, &err);
    return;
  }
  std::vector<hyperion_http_header_t> headers;
  headers.reserve(r.headers.size());
  for (const auto& [name, value] : r.headers) headers.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
  hyperion_http_response_t response{};
  response.struct_size = sizeof response;
  response.status = r.http_status;
  response.headers = headers.data();
  response.header_count = headers.size();
  response.body = {reinterpret_cast<const uint8_t*>(r.body.data()), r.body.size()};
  response.attempts = r.attempts;
  done(user, HYPERION_OK, &response, nullptr);
}

void fail_now(hyperion_status_t code, const std::string& message, hyperion_http_done_fn done, void* user) {
  CallResult r;
  r.status = code;
  r.error = message;
  complete(r, done, user);
}

// OpenTelemetry's semantic conventions for an HTTP client span.
void end_client_span(hyperion::trace::Span& span, const CallRequest& request, const CallResult& r) {
  if (!span.recording()) return;
  span.set("http.request.method", request.method).set("url.full", request.url);
  // scheme://host[:port]/...: the server's address and port
  const size_t host_begin = request.url.find("://");
  if (host_begin != std::string_view::npos) {
    const size_t begin = host_begin + 3;
    const size_t end = std::min(request.url.find('/', begin), request.url.size());
    const std::string_view authority = request.url.substr(begin, end - begin);
    const size_t colon = authority.rfind(':');
    span.set("server.address", authority.substr(0, colon));
    if (colon != std::string_view::npos)
      span.set("server.port", static_cast<int64_t>(std::atoi(std::string(authority.substr(colon + 1)).c_str())));
  }
  if (r.attempts > 1) span.set("http.request.resend_count", static_cast<int64_t>(r.attempts - 1));
  if (r.status != HYPERION_OK) {
    span.error(r.error);
    return;
  }
  span.set("http.response.status_code", static_cast<int64_t>(r.http_status));
  if (r.http_status >= 400) span.error("HTTP " + std::to_string(r.http_status));
}

}  // namespace

const hyperion_http_client_v1_t HttpClientPlugin::kService = {sizeof(hyperion_http_client_v1_t), &HttpClientPlugin::request,
                                                              &HttpClientPlugin::request_async};

HttpClientPlugin::HttpClientPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      workers_count_(static_cast<size_t>(config.at("workers").to_number<int64_t>())),
      settings_(parse_settings(config)) {}

HttpClientPlugin::~HttpClientPlugin() {
  executor_.stop();
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void HttpClientPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("http_client_requests_total",
                       "HTTP request attempts, by upstream host and status code (error: no answer).");
  ctx_.describe_metric("http_client_request_duration_seconds",
                       "Time of one HTTP request attempt until the whole answer, in seconds, by upstream host.");
  ctx_.describe_metric("http_client_retries_total", "HTTP request attempts retried, by upstream host.");
  ctx_.describe_metric("http_client_breaker_state",
                       "Circuit breaker state per upstream host: 0 closed, 1 half-open, 2 open.");
  tracer_ = hyperion::trace::Tracer::optional(ctx_);
  try {
    discovery_.emplace(ctx_.acquire(HYPERION_DISCOVERY_API, HYPERION_DISCOVERY_MAJOR));
  } catch (const hyperion::Error& e) {
    if (e.code() != HYPERION_ERR_NOT_FOUND) throw;  // none in the manifest: discovery:// URLs fail, naming it
  }
  for (size_t i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

std::optional<InstancePicker::Picked> HttpClientPlugin::pick(const std::string& service, std::string& why) {
  if (!discovery_) {
    why = "no instance provides the discovery service (add the discovery plugin to the manifest)";
    return std::nullopt;
  }
  try {
    hyperion::discovery::Picked p = discovery_->pick({service, {}, {}});
    Picked out{p.instance.address, static_cast<int>(p.instance.port), p.release()};
    return out;
  } catch (const hyperion::Error& e) {
    why = e.what();
    return std::nullopt;
  }
}

void HttpClientPlugin::report(uint64_t ticket, Outcome outcome) {
  if (!discovery_) return;
  discovery_->report(ticket, outcome == Outcome::kSuccess   ? HYPERION_DISCOVERY_SUCCESS
                             : outcome == Outcome::kFailure ? HYPERION_DISCOVERY_FAILURE
                                                            : HYPERION_DISCOVERY_CANCELLED);
}

void HttpClientPlugin::stop(hyperion::Deadline) {
  // Calls waiting to retry end now (ABORTED); calls on the wire end within
  // their timeouts; queued calls that no worker took are answered ABORTED.
  executor_.stop();
  std::deque<std::function<void()>> left;
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
    left.swap(queue_);
  }
  queue_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  for (auto& job : left) job();  // each runs its call's ABORTED completion (stopping_ is set)
  discovery_.reset();
}

void HttpClientPlugin::worker_loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

std::shared_ptr<const Settings> HttpClientPlugin::settings() const { return settings_.load(); }

void HttpClientPlugin::run(CallRequest& request, hyperion_http_done_fn done, void* user) {
  std::shared_ptr<const Settings> s = settings();
  CallResult r;
  if (tracer_.active()) {
    // A client span per call (retries are its events); what goes out in the
    // "traceparent" header is this span.
    hyperion::trace::Span span = tracer_.start(request.method, HYPERION_SPAN_CLIENT, request.traceparent);
    const std::string own_traceparent = span.traceparent();
    request.traceparent = own_traceparent;
    request.traceparent_is_own_span = true;
    request.own_span_sampled = span.sampled();
    if (span.recording()) request.on_retry = [&span](const std::string& why) { span.event("retry after " + why); };
    r = executor_.perform(request, *s, discovery_ ? this : nullptr);
    end_client_span(span, request, r);
  } else {
    r = executor_.perform(request, *s, discovery_ ? this : nullptr);
  }
  try {
    complete(r, done, user);
  } catch (...) {
    ctx_.error("an http.client completion callback threw; ignored");
  }
}

void HttpClientPlugin::request(void* ctx, const hyperion_http_request_t* in, hyperion_http_done_fn done, void* user) {
  auto* self = static_cast<HttpClientPlugin*>(ctx);
  if (done == nullptr) return;
  CallRequest request;
  std::string error;
  if (!view_request(in, request, error)) return fail_now(HYPERION_ERR_INVALID_ARGUMENT, error, done, user);
  self->run(request, done, user);
}

void HttpClientPlugin::request_async(void* ctx, const hyperion_http_request_t* in, hyperion_http_done_fn done,
                                     void* user) {
  auto* self = static_cast<HttpClientPlugin*>(ctx);
  if (done == nullptr) return;
  CallRequest borrowed;
  std::string error;
  if (!view_request(in, borrowed, error)) return fail_now(HYPERION_ERR_INVALID_ARGUMENT, error, done, user);
  auto owned = std::make_shared<OwnedRequest>(borrowed);
  {
    std::lock_guard lock(self->queue_mu_);
    if (!self->stopping_) {
      self->queue_.push_back([self, owned, done, user] {
        bool stopping;
        {
          std::lock_guard inner(self->queue_mu_);
          stopping = self->stopping_;
        }
        if (stopping)
          return fail_now(HYPERION_ERR_ABORTED, "the http client stopped before the call was made", done, user);
        self->run(owned->request, done, user);
      });
      self->queue_cv_.notify_one();
      return;
    }
  }
  fail_now(HYPERION_ERR_ABORTED, "the http client is stopping", done, user);
}

hyperion::HealthReport HttpClientPlugin::health() {
  hyperion::HealthReport r;
  auto open = executor_.unhealthy_breakers(*settings());
  boost::json::object breakers;
  for (const auto& [host, state] : open) breakers[host] = state_name(state);
  r.details["breakers"] = std::move(breakers);
  if (!open.empty()) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "circuit breaker " + std::string(state_name(open.front().second)) + " for " + open.front().first +
                (open.size() > 1 ? " and " + std::to_string(open.size() - 1) + " more" : "");
  }
  return r;
}

void HttpClientPlugin::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  prepared_ = parse_settings(config);
}

void HttpClientPlugin::reload_commit() {
  if (prepared_) settings_.store(std::exchange(prepared_, nullptr));
}

void HttpClientPlugin::reload_abort() { prepared_.reset(); }

hyperion::ServiceRef HttpClientPlugin::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_HTTP_CLIENT_API || api_major != HYPERION_HTTP_CLIENT_MAJOR) return {};
  return {&kService, this, 0};
}

void HttpClientPlugin::attempt_done(const HostState& host, int status, double seconds, std::string_view trace_id,
                                    std::string_view span_id) {
  // {"host":"h:p","code":"200"}, written on the stack for the usual host name:
  // a call's metrics then allocate nothing once their series exist (the
  // registry finds a series it has seen without allocating either). Not a
  // thread_local string: its destructor would pin this library in memory.
  char code[12];
  std::string_view code_text = "error";
  if (status != 0) code_text = std::string_view(code, std::to_chars(code, code + sizeof code, status).ptr - code);
  const std::string_view head(host.host_label.data(), host.host_label.size() - 1), middle = R"(,"code":")",
                                                                                   tail = "\"}";
  std::array<char, 256> buffer;
  std::string long_labels;
  std::string_view labels;
  if (const size_t size = head.size() + middle.size() + code_text.size() + tail.size(); size <= buffer.size()) {
    char* end = std::copy(head.begin(), head.end(), buffer.data());
    end = std::copy(middle.begin(), middle.end(), end);
    end = std::copy(code_text.begin(), code_text.end(), end);
    end = std::copy(tail.begin(), tail.end(), end);
    labels = std::string_view(buffer.data(), size);
  } else {
    long_labels.append(head).append(middle).append(code_text).append(tail);
    labels = long_labels;
  }
  ctx_.counter_add("http_client_requests_total", 1, labels);
  // Empty ids (an unsampled or untraced call): a plain observation.
  ctx_.histogram_observe("http_client_request_duration_seconds", seconds, host.host_label, trace_id, span_id);
}

void HttpClientPlugin::retrying(const HostState& host) {
  ctx_.counter_add("http_client_retries_total", 1, host.host_label);
}

void HttpClientPlugin::breaker_state(const HostState& host, CircuitBreaker::State state) {
  // 0 closed, 1 half-open, 2 open
  ctx_.gauge_set("http_client_breaker_state", static_cast<double>(static_cast<int>(state)), host.host_label);
}

void HttpClientPlugin::warn(const std::string& message) { ctx_.warn(message); }

}  // namespace hyperion::plugins::http_client
