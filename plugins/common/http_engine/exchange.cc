#include "exchange.h"

#include "http_syntax.h"

#include <hyperion/plugin.hpp>

#include <algorithm>
#include <cctype>

namespace hyperion::http_engine {
namespace {

hyperion_str_t str(const std::string& s) { return {s.data(), s.size()}; }

int field_at(const Fields& fields, size_t index, hyperion_str_t* a, hyperion_str_t* b) {
  if (index >= fields.size()) return 0;
  if (a != nullptr) *a = str(fields[index].first);
  if (b != nullptr) *b = str(fields[index].second);
  return 1;
}

hyperion_status_t fail(hyperion_error_t* err, hyperion_status_t code, const std::string& message) {
  return hyperion_error_set(err, code, message.c_str());
}

}  // namespace

bool valid_header_name(std::string_view name) { return is_token(name); }

bool valid_header_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

const TraceContext& Request::trace() const {
  std::call_once(trace_once_, [this] {
    if (span_started) {
      // The server span's ids: what the handler passes on and the log shows.
      traceparent_ = span.traceparent();
      parse_traceparent(traceparent_, trace_);
      TraceContext parent;
      if (parse_traceparent(incoming_traceparent, parent)) trace_.parent_span_id = parent.span_id;
      return;
    }
    trace_ = plugins::continue_or_start(incoming_traceparent);
    traceparent_ = trace_.header();
  });
  return trace_;
}

const std::string& Request::traceparent() const {
  (void)trace();
  return traceparent_;
}

const hyperion_http_exchange_ops_t Exchange::kOps = {
    sizeof(hyperion_http_exchange_ops_t),
    /*method=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->method); },
    /*path=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->path); },
    /*target=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->target); },
    /*route=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).registration_->path().text); },
    /*param_at=*/
    [](const hyperion_http_exchange_t* ex, size_t i, hyperion_str_t* k, hyperion_str_t* v) {
      return field_at(of(ex).request_->params, i, k, v);
    },
    /*query_at=*/
    [](const hyperion_http_exchange_t* ex, size_t i, hyperion_str_t* k, hyperion_str_t* v) {
      return field_at(of(ex).request_->query, i, k, v);
    },
    /*header_at=*/
    [](const hyperion_http_exchange_t* ex, size_t i, hyperion_str_t* k, hyperion_str_t* v) {
      return field_at(of(ex).request_->headers, i, k, v);
    },
    /*body=*/
    [](const hyperion_http_exchange_t* ex) {
      const std::string& b = of(ex).request_->body;
      return hyperion_bytes_t{reinterpret_cast<const uint8_t*>(b.data()), b.size()};
    },
    /*peer=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->peer); },
    /*traceparent=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->traceparent()); },
    /*request_id=*/[](const hyperion_http_exchange_t* ex) { return str(of(ex).request_->request_id); },
    /*deadline_ns=*/[](const hyperion_http_exchange_t* ex) { return of(ex).request_->deadline_ns; },
    /*is_cancelled=*/[](const hyperion_http_exchange_t* ex) { return of(ex).cancelled() ? 1 : 0; },
    /*note_error=*/
    [](hyperion_http_exchange_t* ex, hyperion_str_t message) {
      Exchange& self = of(ex);
      std::lock_guard lock(self.mu_);
      self.error_note_.assign(hyperion::to_view(message).substr(0, 1024));
    },
    /*add_header=*/
    [](hyperion_http_exchange_t* ex, hyperion_str_t name, hyperion_str_t value, hyperion_error_t* err) {
      return of(ex).add_header(hyperion::to_view(name), hyperion::to_view(value), err);
    },
    /*respond=*/
    [](hyperion_http_exchange_t* ex, int32_t status, hyperion_bytes_t body, hyperion_error_t* err) {
      std::string_view b =
          body.size == 0 ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(body.data), body.size);
      return of(ex).answer(status, b, false, err);
    },
    /*begin_stream=*/
    [](hyperion_http_exchange_t* ex, int32_t status, hyperion_error_t* err) {
      return of(ex).answer(status, {}, true, err);
    },
    /*write=*/
    [](hyperion_http_exchange_t* ex, hyperion_bytes_t chunk, hyperion_error_t* err) {
      std::string_view c = chunk.size == 0 ? std::string_view{}
                                           : std::string_view(reinterpret_cast<const char*>(chunk.data), chunk.size);
      return of(ex).write(c, err);
    },
    /*end_stream=*/[](hyperion_http_exchange_t* ex) { of(ex).end_stream(); },
};

Exchange::Exchange(std::shared_ptr<const Request> request, std::shared_ptr<RouteRegistration> registration,
                   std::shared_ptr<ExchangeWaker> waker)
    : request_(std::move(request)), registration_(std::move(registration)), waker_(std::move(waker)) {
  raw_.abi.struct_size = sizeof(hyperion_http_exchange_t);
  raw_.abi.ops = &kOps;
  raw_.self = this;
}

Exchange::~Exchange() = default;

bool Exchange::run_on_request(std::string& what) {
  const hyperion_http_handler_t& h = registration_->handler();
  {
    std::lock_guard lock(mu_);
    in_callback_ = true;
  }
  bool ok = true;
  try {
    state_ = h.on_request(h.user, &raw_.abi);
  } catch (const std::exception& e) {
    what = e.what();
    ok = false;
  } catch (...) {
    what = "unknown exception";
    ok = false;
  }
  std::lock_guard lock(mu_);
  in_callback_ = false;
  if (!ok) {
    // Whatever it did, the handler cannot be trusted to answer now.
    state_ = nullptr;
    if (phase_ == Phase::kWaiting || phase_ == Phase::kStreaming) phase_ = Phase::kEnded;
    out_.ended = true;
  }
  return ok;
}

void Exchange::run_on_cancel() {
  const hyperion_http_handler_t& h = registration_->handler();
  if (h.on_cancel == nullptr || done_run_) return;
  try {
    h.on_cancel(state_, &raw_.abi);
  } catch (...) {
    // A handler's failure to hear a cancellation changes nothing: it still must end the exchange.
  }
}

void Exchange::run_on_done() {
  if (done_run_) return;
  done_run_ = true;
  const hyperion_http_handler_t& h = registration_->handler();
  if (h.on_done != nullptr) {
    try {
      h.on_done(state_, &raw_.abi);
    } catch (...) {
      // Nothing to answer any more; the exchange is over either way.
    }
  }
  registration_->end(this);
}

std::string Exchange::error_note() {
  std::lock_guard lock(mu_);
  return error_note_;
}

ExchangeOutput Exchange::take() {
  std::lock_guard lock(mu_);
  ExchangeOutput out = std::move(out_);
  out_ = {};
  out_.ended = out.ended;  // sticky
  if (!out.has_head) {
    // Headers added before a deferred answer wait for its head (the session
    // takes the output as soon as on_request returns).
    out_.headers = std::move(out.headers);
    out.headers.clear();
  }
  return out;
}

void Exchange::abandon() {
  std::lock_guard lock(mu_);
  abandoned_ = true;
  out_.chunks.clear();
}

void Exchange::detach() {
  std::lock_guard lock(mu_);
  waker_.reset();
}

void Exchange::cancel() {
  std::unique_lock lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  out_.cancel_requested = true;
  wake_locked(lock);
}

void Exchange::wake_locked(std::unique_lock<std::mutex>& lock) {
  if (in_callback_ || !waker_) return;  // the session looks when on_request returns
  std::shared_ptr<ExchangeWaker> waker = waker_;
  lock.unlock();
  waker->wake();
}

hyperion_status_t Exchange::add_header(std::string_view name, std::string_view value, hyperion_error_t* err) {
  if (!valid_header_name(name)) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT, "header name \"" + std::string(name) + "\" is not an HTTP token");
  }
  if (!valid_header_value(value)) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT,
                "header " + std::string(name) + ": value holds a control character");
  }
  std::lock_guard lock(mu_);
  if (phase_ != Phase::kWaiting) {
    return fail(err, HYPERION_ERR_FAILED_PRECONDITION, "add_header after the response began");
  }
  out_.headers.emplace_back(to_lower(name), std::string(value));
  return HYPERION_OK;
}

hyperion_status_t Exchange::answer(int32_t status, std::string_view body, bool stream, hyperion_error_t* err) {
  std::unique_lock lock(mu_);
  if (phase_ != Phase::kWaiting) {
    return fail(err, HYPERION_ERR_FAILED_PRECONDITION, "the exchange was already answered");
  }
  hyperion_status_t result = HYPERION_OK;
  if (status < 200 || status > 599) {
    result = fail(err, HYPERION_ERR_INVALID_ARGUMENT, "status " + std::to_string(status) + " is not 200..599");
    status = 500;
    stream = false;
    body = {};
  }
  phase_ = stream ? Phase::kStreaming : Phase::kEnded;
  if (abandoned_) {
    if (!stream) out_.ended = true;
    if (result == HYPERION_OK)
      result = fail(err, HYPERION_ERR_ABORTED, "the server answered already, or the client is gone");
    if (!stream) wake_locked(lock);
    return result;
  }
  out_.has_head = true;
  out_.stream = stream;
  out_.status = status;
  out_.body.assign(body);
  if (!stream) out_.ended = true;
  wake_locked(lock);
  return result;
}

hyperion_status_t Exchange::write(std::string_view chunk, hyperion_error_t* err) {
  std::unique_lock lock(mu_);
  if (phase_ != Phase::kStreaming) return fail(err, HYPERION_ERR_FAILED_PRECONDITION, "write outside a stream");
  if (abandoned_ || cancelled())
    return fail(err, HYPERION_ERR_ABORTED, "the client is gone or the exchange was cancelled");
  if (chunk.empty()) return HYPERION_OK;
  out_.chunks.emplace_back(chunk);
  wake_locked(lock);
  return HYPERION_OK;
}

void Exchange::end_stream() {
  std::unique_lock lock(mu_);
  if (phase_ != Phase::kStreaming) return;
  phase_ = Phase::kEnded;
  out_.ended = true;
  wake_locked(lock);
}

}  // namespace hyperion::http_engine
