#include "call_executor.h"

#include <algorithm>
#include <cctype>

#include "backoff.h"
#include "retry_policy.h"
#include "traceparent.h"

namespace hyperion::plugins::http_client {
namespace {

using Clock = std::chrono::steady_clock;

CallResult failure(hyperion_status_t status, std::string message, uint32_t attempts) {
  CallResult r;
  r.status = status;
  r.error = std::move(message);
  r.attempts = attempts;
  return r;
}

bool valid_method(std::string_view m) {
  return !m.empty() && std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool valid_header_name(std::string_view n) {
  static constexpr std::string_view kTokenExtras = "!#$%&'*+-.^_`|~";
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kTokenExtras.find(c) != std::string_view::npos;
  });
}

bool valid_header_value(std::string_view v) {
  return v.find_first_of("\r\n") == std::string_view::npos && v.find('\0') == std::string_view::npos;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// httplib's own names ("Connection", "Read") say little to someone reading a log.
std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "could not connect (refused or unreachable)";
    case httplib::Error::ConnectionTimeout: return "connect timed out";
    case httplib::Error::Read: return "no complete response in time (read failed or timed out)";
    case httplib::Error::Write: return "could not send the request (write failed or timed out)";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "could not load the TLS CA or client certificate";
    case httplib::Error::SSLServerVerification: return "TLS server certificate verification failed";
    case httplib::Error::Canceled: return "cancelled";
    default: return httplib::to_string(e);
  }
}

time_t seconds_part(Millis d) { return static_cast<time_t>(d.count() / 1000); }
time_t micros_part(Millis d) { return static_cast<time_t>((d.count() % 1000) * 1000); }

}  // namespace

HostState& CallExecutor::host_state(const std::string& host_port) {
  {
    std::shared_lock lock(hosts_mu_);
    if (auto it = hosts_.find(host_port); it != hosts_.end()) return *it->second;
  }
  std::unique_lock lock(hosts_mu_);
  auto& h = hosts_[host_port];
  if (!h) h = std::make_unique<HostState>(host_port);
  return *h;
}

bool CallExecutor::wait(Millis d) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, d, [&] { return stopped_; });
}

void CallExecutor::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  stop_cv_.notify_all();
  pool_.clear();
}

Millis CallExecutor::jittered_backoff(int retry, const Settings& s) {
  std::lock_guard lock(mu_);
  return backoff(retry, s.retry_wait_min, s.retry_wait_max, rng_);
}

std::vector<std::pair<std::string, CircuitBreaker::State>> CallExecutor::unhealthy_breakers(const Settings& settings) {
  std::vector<std::pair<std::string, CircuitBreaker*>> all;
  {
    std::shared_lock lock(hosts_mu_);
    for (auto& [host, h] : hosts_) all.emplace_back(host, &h->breaker);
  }
  std::vector<std::pair<std::string, CircuitBreaker::State>> out;
  auto now = Clock::now();
  for (auto& [host, b] : all) {
    auto state = b->state(settings.breaker, now);
    if (state != CircuitBreaker::State::kClosed) out.emplace_back(host, state);
  }
  return out;
}

namespace {

// Reports a picked instance's outcome exactly once: CANCELLED unless said otherwise.
class AttemptOutcome {
 public:
  AttemptOutcome(InstancePicker* picker, uint64_t ticket) : picker_(picker), ticket_(ticket) {}
  AttemptOutcome(const AttemptOutcome&) = delete;
  AttemptOutcome& operator=(const AttemptOutcome&) = delete;
  ~AttemptOutcome() { report(InstancePicker::Outcome::kCancelled); }
  void report(InstancePicker::Outcome outcome) {
    if (picker_ != nullptr) std::exchange(picker_, nullptr)->report(ticket_, outcome);
  }

 private:
  InstancePicker* picker_;
  uint64_t ticket_;
};

}  // namespace

CallResult CallExecutor::perform(const CallRequest& request, const Settings& s, InstancePicker* picker) {
  Target scratch;
  std::string_view path;
  std::string error;
  const Target* target = targets_.resolve(request.url, scratch, path, error);
  if (target == nullptr) return failure(HYPERION_ERR_INVALID_ARGUMENT, error, 0);
  if (!valid_method(request.method)) {
    return failure(HYPERION_ERR_INVALID_ARGUMENT,
                   "method \"" + std::string(request.method) + "\" is not an upper-case HTTP method", 0);
  }
  for (const auto& [name, value] : request.headers) {
    if (!valid_header_name(name) || !valid_header_value(value)) {
      return failure(HYPERION_ERR_INVALID_ARGUMENT, "header \"" + std::string(name) + "\" is not a valid HTTP header",
                     0);
    }
  }
  const bool discovered = !target->service.empty();
  if (discovered && picker == nullptr) {
    return failure(HYPERION_ERR_FAILED_PRECONDITION,
                   "discovery://" + target->service +
                       ": no instance provides the discovery service (add the discovery plugin to the manifest)",
                   0);
  }
  const auto started = Clock::now();
  const auto deadline = started + (request.timeout.count() > 0 ? request.timeout : s.timeout);
  const int max_retries = request.max_retries >= 0 ? request.max_retries : s.max_retries;
  const bool may_retry = request.idempotent == 1 || (request.idempotent == -1 && idempotent_method(request.method));
  // The caller's span's child, written in place: a call no tracer sees still
  // carries a trace downstream, without allocating for it.
  hyperion::plugins::TraceparentHeader child{};
  if (!request.traceparent_is_own_span) hyperion::plugins::write_child_traceparent(request.traceparent, child);
  const std::string_view traceparent =
      request.traceparent_is_own_span ? request.traceparent : std::string_view(child.data(), child.size());
  // Only a span a tracer sampled (so it is exported) may be an exemplar; its
  // traceparent, made by the tracer, is "00-<trace id>-<span id>-<flags>".
  const bool exemplar = request.traceparent_is_own_span && request.own_span_sampled && traceparent.size() == 55;
  const std::string_view trace_id = exemplar ? traceparent.substr(3, 32) : std::string_view();
  const std::string_view span_id = exemplar ? traceparent.substr(36, 16) : std::string_view();

  for (int attempt = 0;; ++attempt) {
    auto now = Clock::now();
    // Where this call goes, for messages only: built when one is needed.
    auto where = [&] { return discovered ? "discovery://" + target->service : target->host_port; };
    if (now >= deadline) {
      return failure(HYPERION_ERR_DEADLINE_EXCEEDED,
                     where() + ": timed out after " + std::to_string(attempt) + " attempt(s)",
                     static_cast<uint32_t>(attempt));
    }
    // Each attempt of a discovery:// call goes to the instance picked for it,
    // with that instance's breaker: a retry goes to another pick.
    std::optional<Origin> picked_origin;
    std::string picked_pool_key;
    uint64_t ticket = 0;
    if (discovered) {
      std::string why;
      auto picked = picker->pick(target->service, why);
      if (!picked) return failure(HYPERION_ERR_UNAVAILABLE, where() + ": " + why, static_cast<uint32_t>(attempt));
      picked_origin = Origin{target->origin.https, picked->host, picked->port};
      picked_pool_key = picked_origin->key();
      ticket = picked->ticket;
    }
    const Origin& origin = discovered ? *picked_origin : target->origin;
    const std::string& pool_key = discovered ? picked_pool_key : target->pool_key;
    AttemptOutcome outcome(discovered ? picker : nullptr, ticket);
    HostState& hs = discovered ? host_state(origin.host_port()) : host_state(target->host_port);
    const std::string& host = hs.host;
    if (attempt == 0 && origin.https && s.tls.insecure_skip_verify) {
      observer_.warn("TLS certificate verification is off (tls.insecure_skip_verify) for a call to " + host);
    }
    CircuitBreaker& br = hs.breaker;
    if (!br.allow(s.breaker, now)) {
      if (discovered && attempt < max_retries) {
        outcome.report(InstancePicker::Outcome::kFailure);
        continue;  // this instance's breaker is open: another pick
      }
      return failure(HYPERION_ERR_UNAVAILABLE, host + ": circuit breaker is open; not calling",
                     static_cast<uint32_t>(attempt));
    }
    auto remaining = std::chrono::duration_cast<Millis>(deadline - now) + Millis(1);
    auto connect = std::min(s.connect_timeout, remaining), read = std::min(s.read_timeout, remaining);
    auto client = pool_.take(pool_key, origin, s.tls);
    client->set_connection_timeout(seconds_part(connect), micros_part(connect));
    client->set_read_timeout(seconds_part(read), micros_part(read));
    client->set_write_timeout(seconds_part(read), micros_part(read));

    // cpp-httplib's request owns its strings: the one copy of the caller's request.
    httplib::Request req;
    req.method = request.method;
    assign_request_path(path, req.path);
    for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
    req.headers.erase("traceparent");
    req.headers.emplace("traceparent", traceparent);
    req.body = request.body;
    // The body as it arrives, refused once it passes the cap. The receiver
    // captures one pointer, which std::function keeps without allocating.
    struct Received {
      std::string body;
      uint64_t limit;
      bool too_large = false;
    } received{{}, s.max_response_bytes};
    req.content_receiver = [r = &received](const char* data, size_t n, uint64_t, uint64_t) {
      if (r->body.size() + n > r->limit) {
        r->too_large = true;
        return false;
      }
      r->body.append(data, n);
      return true;
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    // cpp-httplib builds a function-local static std::regex when it parses its
    // first response; until one has been parsed, calls go one at a time so no
    // two threads race on building it (docs/decisions/0007).
    std::unique_lock<std::mutex> first_response;
    if (!response_parsed_.load(std::memory_order_acquire)) first_response = std::unique_lock(first_response_mu_);
    bool sent = client->send(req, res, err);
    if (first_response.owns_lock() && sent) response_parsed_.store(true, std::memory_order_release);
    first_response = {};
    auto ended = Clock::now();
    double seconds = std::chrono::duration<double>(ended - now).count();
    const auto attempts = static_cast<uint32_t>(attempt + 1);

    if (received.too_large) {
      outcome.report(InstancePicker::Outcome::kSuccess);
      br.record(s.breaker, true, ended);  // the server answered; the answer is just too big
      observer_.attempt_done(hs, res.status, seconds, trace_id, span_id);
      return failure(HYPERION_ERR_FAILED_PRECONDITION,
                     host + ": response larger than max_response_bytes (" + std::to_string(s.max_response_bytes) + ")",
                     attempts);
    }
    if (sent) {
      bool server_failure = res.status >= 500;
      outcome.report(server_failure ? InstancePicker::Outcome::kFailure : InstancePicker::Outcome::kSuccess);
      if (br.record(s.breaker, !server_failure, ended)) observer_.breaker_state(hs, br.state(s.breaker, ended));
      observer_.attempt_done(hs, res.status, seconds, trace_id, span_id);
      pool_.give_back(pool_key, s.tls, std::move(client), s.max_idle_per_host);
      if (retryable_status(res.status) && may_retry && attempt < max_retries) {
        Millis wait_for = jittered_backoff(attempt, s);
        if (res.has_header("Retry-After")) {
          if (auto after = parse_retry_after(res.get_header_value("Retry-After"), std::chrono::system_clock::now())) {
            wait_for = *after;
          }
        }
        if (Clock::now() + wait_for < deadline) {
          observer_.retrying(hs);
          if (request.on_retry) request.on_retry("HTTP " + std::to_string(res.status) + " from " + host);
          if (!wait(wait_for)) return failure(HYPERION_ERR_ABORTED, host + ": the http client is stopping", attempts);
          continue;
        }
      }
      CallResult r;
      r.http_status = res.status;
      r.headers.reserve(res.headers.size());
      for (auto& [name, value] : res.headers) r.headers.emplace_back(lower(name), std::move(value));
      r.body = std::move(received.body);
      r.attempts = attempts;
      return r;
    }
    outcome.report(InstancePicker::Outcome::kFailure);
    if (br.record(s.breaker, false, ended)) observer_.breaker_state(hs, br.state(s.breaker, ended));
    observer_.attempt_done(hs, 0, seconds, trace_id, span_id);
    std::string why = (discovered ? where() + " (" + host + ")" : host) + ": " + describe(err);
    if (may_retry && attempt < max_retries) {
      Millis wait_for = jittered_backoff(attempt, s);
      if (Clock::now() + wait_for < deadline) {
        observer_.retrying(hs);
        if (request.on_retry) request.on_retry(why);
        if (!wait(wait_for)) return failure(HYPERION_ERR_ABORTED, host + ": the http client is stopping", attempts);
        continue;
      }
    }
    if (Clock::now() >= deadline) {
      return failure(HYPERION_ERR_DEADLINE_EXCEEDED, why + " (timed out after " + std::to_string(attempts) + " attempt(s))",
                     attempts);
    }
    return failure(HYPERION_ERR_UNAVAILABLE, why + " (after " + std::to_string(attempts) + " attempt(s))", attempts);
  }
}

}  // namespace hyperion::plugins::http_client
