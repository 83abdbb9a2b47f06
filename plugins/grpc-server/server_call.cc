#include "server_call.h"

#include <algorithm>
#include <exception>

namespace hyperion::plugins::grpc_server {
namespace {

uint64_t steady_ns(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

hyperion_str_t str(const std::string& s) { return {s.data(), s.size()}; }

hyperion_status_t fail(hyperion_error_t* err, hyperion_status_t code, const std::string& message) {
  return hyperion_error_set(err, code, message.c_str());
}

::grpc::ByteBuffer to_buffer(hyperion_bytes_t message) {
  ::grpc::Slice slice(message.data, message.size);  // copies
  return ::grpc::ByteBuffer(&slice, 1);
}

bool valid_metadata_key(std::string_view key) {
  if (key.empty() || key.starts_with("grpc-")) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool valid_ascii_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace

const hyperion_grpc_call_ops_t ServerCall::kOps = {
    sizeof(hyperion_grpc_call_ops_t),
    /*method=*/[](const hyperion_grpc_call_t* c) { return str(self(c)->method_); },
    /*peer=*/[](const hyperion_grpc_call_t* c) { return str(self(c)->details().peer); },
    /*traceparent=*/[](const hyperion_grpc_call_t* c) { return str(self(c)->details().traceparent); },
    /*deadline_ns=*/[](const hyperion_grpc_call_t* c) { return self(c)->deadline_ns_; },
    /*is_cancelled=*/[](const hyperion_grpc_call_t* c) { return self(c)->cancelled_.load() ? 1 : 0; },
    /*metadata_at=*/
    [](const hyperion_grpc_call_t* c, size_t index, hyperion_str_t* key, hyperion_bytes_t* value) {
      const auto& md = self(c)->details().metadata;
      if (index >= md.size()) return 0;
      *key = str(md[index].first);
      *value = {reinterpret_cast<const uint8_t*>(md[index].second.data()), md[index].second.size()};
      return 1;
    },
    /*add_metadata=*/
    [](hyperion_grpc_call_t* c, int32_t which, hyperion_str_t key, hyperion_bytes_t value, hyperion_error_t* err) {
      return self(c)->add_metadata(which, key, value, err);
    },
    /*send=*/
    [](hyperion_grpc_call_t* c, hyperion_bytes_t message, hyperion_error_t* err) {
      return self(c)->send(message, err);
    },
    /*finish=*/
    [](hyperion_grpc_call_t* c, hyperion_grpc_code_t code, hyperion_str_t message) {
      self(c)->finish(code, message);
    },
};

ServerCall::ServerCall(::grpc::GenericCallbackServerContext* ctx, const HandlerTable& table, CallObserver& observer)
    : ctx_(ctx), observer_(observer), started_(std::chrono::steady_clock::now()) {
  public_.struct_size = sizeof(hyperion_grpc_call_t);
  public_.ops = &kOps;
  public_.owner = this;
  method_ = ctx->method();
  // Peer, metadata and trace context are read from gRPC only when someone asks
  // (details()): most calls never need them, and copying costs ~4% of a
  // small unary call's throughput. With a tracing instance the server span
  // starts now, so they are read now.
  if (observer_.tracer() != nullptr) (void)details();
  auto deadline = ctx->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    auto remaining = std::max(deadline - std::chrono::system_clock::now(), std::chrono::system_clock::duration::zero());
    deadline_ns_ = steady_ns(started_) +
                   static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(remaining).count());
  }

  // A registration found a moment ago may have been removed and closed since
  // (its plugin is being swapped out or stopped); removal takes it out of the
  // table first, so looking again finds what serves the method now — the
  // successor a swap stacked on top — and the call never sees the gap.
  bool begun = false;
  for (int attempt = 0; attempt < 4 && !begun; ++attempt) {
    HandlerTable::Lookup lookup = table.find(method_);
    registration_ = std::move(lookup.registration);
    known_method_ = lookup.known;
    begun = registration_ != nullptr && registration_->begin(this);
    if (registration_ == nullptr) break;
  }
  kind_ = registration_ ? registration_->handler().kind : HYPERION_GRPC_UNARY;
  if (!begun) {
    ::grpc::Status status = known_method_
                              ? ::grpc::Status(::grpc::StatusCode::UNAVAILABLE, "no handler is registered for " + method_ + " right now")
                              : ::grpc::Status(::grpc::StatusCode::UNIMPLEMENTED, "unknown method " + method_);
    {
      std::lock_guard lock(mu_);
      handler_finished_ = done_delivered_ = released_ = wire_finished_ = true;
      final_status_ = status;
    }
    Finish(status);
    return;
  }
  {
    std::lock_guard lock(mu_);
    begun_ = true;
  }
  start_handler();
}

ServerCall::~ServerCall() = default;

void ServerCall::start_handler() {
  const hyperion_grpc_handler_t& h = registration_->handler();
  run_callback([&] { state_ = h.on_start(h.user, &public_); });
  bool read;
  {
    std::lock_guard lock(mu_);
    read = !handler_finished_;
  }
  if (read) StartRead(&read_buffer_);
}

template <typename Callback>
void ServerCall::run_callback(Callback&& callback) {
  std::unique_lock serial(callback_mu_);
  {
    std::lock_guard lock(mu_);
    if (handler_finished_) return;
    in_callback_ = true;
  }
  try {
    callback();
  } catch (const std::exception& e) {
    handler_threw(e.what());
  } catch (...) {
    handler_threw("an unknown exception");
  }
  bool deliver;
  {
    std::lock_guard lock(mu_);
    in_callback_ = false;
    deliver = handler_finished_ && !done_delivered_;
    if (deliver) done_delivered_ = true;
  }
  serial.unlock();
  if (deliver) deliver_done();
}

void ServerCall::handler_threw(const std::string& what) {
  observer_.handler_failed(method_, what);
  std::string message = "handler threw: " + what;
  finish(HYPERION_GRPC_INTERNAL, str(message));
}

void ServerCall::deliver_done() {
  const hyperion_grpc_handler_t& h = registration_->handler();
  try {
    h.on_done(state_, &public_);
  } catch (const std::exception& e) {
    observer_.handler_failed(method_, std::string("on_done threw: ") + e.what());
  } catch (...) {
    observer_.handler_failed(method_, "on_done threw an unknown exception");
  }
  registration_->end(this);
  bool free_now;
  {
    std::lock_guard lock(mu_);
    released_ = true;
    free_now = grpc_done_;
  }
  if (free_now) delete this;
}

void ServerCall::acquire_published_state() {
  // gRPC hands a call between its threads with synchronization of its own;
  // taking mu_ also orders what the constructor wrote for any checker (TSan).
  std::lock_guard lock(mu_);
}

void ServerCall::OnReadDone(bool ok) {
  acquire_published_state();
  const hyperion_grpc_handler_t& h = registration_->handler();
  if (!ok) {
    // The client half-closed (or the call broke: OnCancel follows then).
    if (!cancelled_.load()) run_callback([&] { h.on_half_close(state_, &public_); });
    return;
  }
  {
    std::lock_guard lock(mu_);
    ++messages_in_;
  }
  std::vector<::grpc::Slice> slices;
  hyperion_bytes_t bytes{nullptr, 0};
  if (read_buffer_.Dump(&slices).ok()) {
    if (slices.size() == 1) {
      bytes = {slices[0].begin(), slices[0].size()};
    } else if (slices.size() > 1) {
      read_scratch_.clear();
      for (const auto& s : slices) read_scratch_.append(reinterpret_cast<const char*>(s.begin()), s.size());
      bytes = {reinterpret_cast<const uint8_t*>(read_scratch_.data()), read_scratch_.size()};
    }
  }
  run_callback([&] { h.on_message(state_, &public_, bytes); });
  if (kind_ == HYPERION_GRPC_UNARY || kind_ == HYPERION_GRPC_SERVER_STREAMING) {
    // One request by definition: the handler may answer now.
    run_callback([&] { h.on_half_close(state_, &public_); });
    return;
  }
  bool more;
  {
    std::lock_guard lock(mu_);
    more = !handler_finished_ && !cancelled_.load();
  }
  if (more) StartRead(&read_buffer_);
}

void ServerCall::OnWriteDone(bool ok) {
  Operation op;
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!pending_writes_.empty()) pending_writes_.pop_front();
    if (!ok) cancelled_.store(true);  // the stream broke; nothing more can be written
    op = next_operation_locked();
  }
  perform(std::move(op));
}

void ServerCall::OnCancel() {
  acquire_published_state();
  cancelled_.store(true);
  const hyperion_grpc_handler_t& h = registration_ ? registration_->handler() : hyperion_grpc_handler_t{};
  if (h.on_cancel != nullptr) run_callback([&] { h.on_cancel(state_, &public_); });
  Operation op;
  {
    std::lock_guard lock(mu_);
    if (!finish_wanted_) {
      finish_wanted_ = true;
      final_status_ = ::grpc::Status(::grpc::StatusCode::CANCELLED, "cancelled");
    }
    op = next_operation_locked();
  }
  perform(std::move(op));
}

void ServerCall::OnDone() {
  acquire_published_state();
  auto now = std::chrono::steady_clock::now();
  ::grpc::Status status;
  uint64_t in = 0, out = 0;
  {
    std::lock_guard lock(mu_);
    status = final_status_;
    in = messages_in_;
    out = messages_out_;
  }
  ::grpc::StatusCode code = status.error_code();
  if (cancelled_.load() && status.ok()) code = ::grpc::StatusCode::CANCELLED;
  if (cancelled_.load() && deadline_ns_ != UINT64_MAX && steady_ns(now) >= deadline_ns_) {
    code = ::grpc::StatusCode::DEADLINE_EXCEEDED;
  }
  bool handler_active;
  {
    std::lock_guard lock(mu_);
    handler_active = begun_ && !released_;
  }
  // gRPC frees ctx_ after this returns: copy what the handler or the access
  // log may still read.
  // With a tracer the details were read at the start (the span began there):
  // the span gets its attributes and the metrics its exemplar.
  const Details* details =
      (handler_active || observer_.wants_details() || observer_.tracer() != nullptr) ? &this->details() : nullptr;
  {
    std::lock_guard lock(ctx_mu_);
    ctx_gone_ = true;
  }
  if (details != nullptr && details->span.recording()) end_span(code, status.error_message());
  observer_.call_finished(CallRecord{method_, known_method_, details, code, status.error_message(), now - started_,
                                     in, out});
  bool free_now;
  {
    std::lock_guard lock(mu_);
    grpc_done_ = true;
    free_now = released_;
  }
  if (free_now) delete this;
}

const ServerCall::Details& ServerCall::details() {
  std::lock_guard lock(ctx_mu_);
  if (details_ready_ || ctx_gone_) return details_;
  details_.peer = ctx_->peer();
  std::string_view incoming_trace;
  std::string_view incoming_state;
  for (const auto& [key, value] : ctx_->client_metadata()) {
    details_.metadata.emplace_back(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }
  for (const auto& [key, value] : details_.metadata) {
    if (key == "traceparent") incoming_trace = value;
    if (key == "tracestate") incoming_state = value;
  }
  if (const hyperion::trace::Tracer* tracer = observer_.tracer()) {
    // The server span's ids are the call's: what the handler passes on and
    // what the access log shows.
    details_.span = tracer->start(method_, HYPERION_SPAN_SERVER, incoming_trace, incoming_state);
    details_.traceparent = details_.span.traceparent();
    hyperion::plugins::parse_traceparent(details_.traceparent, details_.trace);
    hyperion::plugins::TraceContext parent;
    if (hyperion::plugins::parse_traceparent(incoming_trace, parent)) details_.trace.parent_span_id = parent.span_id;
  } else {
    details_.trace = hyperion::plugins::continue_or_start(incoming_trace);
    details_.traceparent = details_.trace.header();
  }
  details_ready_ = true;
  return details_;
}

void ServerCall::end_span(::grpc::StatusCode code, const std::string& message) {
  // OpenTelemetry's semantic conventions for an RPC server span.
  hyperion::trace::Span& span = details_.span;
  const size_t slash = method_.find('/', 1);
  const bool well_formed = known_method_ && slash != std::string::npos;
  using hyperion::trace::attribute;
  span.set_all(
      {attribute("rpc.system", "grpc"),
       attribute("rpc.service",
                 well_formed ? std::string_view(method_).substr(1, slash - 1) : std::string_view("unknown")),
       attribute("rpc.method", well_formed ? std::string_view(method_).substr(slash + 1) : std::string_view("unknown")),
       attribute("rpc.grpc.status_code", static_cast<int64_t>(code))});
  // A server span is an error only for what is the server's fault.
  switch (code) {
    case ::grpc::StatusCode::UNKNOWN:
    case ::grpc::StatusCode::DEADLINE_EXCEEDED:
    case ::grpc::StatusCode::UNIMPLEMENTED:
    case ::grpc::StatusCode::INTERNAL:
    case ::grpc::StatusCode::UNAVAILABLE:
    case ::grpc::StatusCode::DATA_LOSS:
      span.error(message.empty() ? "gRPC status " + std::to_string(code) : message);
      break;
    default: break;
  }
  span.end();
}

void ServerCall::cancel() {
  std::lock_guard lock(ctx_mu_);
  if (!ctx_gone_) ctx_->TryCancel();
}

ServerCall::Operation ServerCall::next_operation_locked() {
  if (wire_finished_ || writing_) return {};
  if (!pending_writes_.empty() && !cancelled_.load()) {
    writing_ = true;
    initial_metadata_sent_ = true;
    return {Operation::kWrite, &pending_writes_.front(), {}};
  }
  if (!finish_wanted_) return {};
  wire_finished_ = true;
  if (single_response_ && !cancelled_.load() && final_status_.ok()) {
    initial_metadata_sent_ = true;
    return {Operation::kWriteAndFinish, &*single_response_, final_status_};
  }
  return {Operation::kFinish, nullptr, final_status_};
}

void ServerCall::perform(Operation op) {
  switch (op.kind) {
    case Operation::kNone:
      return;
    case Operation::kWrite:
      StartWrite(op.buffer);
      return;
    case Operation::kFinish:
      Finish(std::move(op.status));
      return;
    case Operation::kWriteAndFinish:
      StartWriteAndFinish(op.buffer, ::grpc::WriteOptions(), std::move(op.status));
      return;
  }
}

hyperion_status_t ServerCall::send(hyperion_bytes_t message, hyperion_error_t* err) {
  if (message.data == nullptr && message.size != 0) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT, "send: NULL data with a non-zero size");
  }
  Operation op;
  {
    std::lock_guard lock(mu_);
    if (handler_finished_) return fail(err, HYPERION_ERR_FAILED_PRECONDITION, "send after finish on " + method_);
    if (cancelled_.load()) return fail(err, HYPERION_ERR_ABORTED, method_ + " was cancelled");
    if (kind_ == HYPERION_GRPC_UNARY || kind_ == HYPERION_GRPC_CLIENT_STREAMING) {
      if (single_response_) {
        return fail(err, HYPERION_ERR_FAILED_PRECONDITION, method_ + " takes exactly one response and has it");
      }
      single_response_.emplace(to_buffer(message));
      ++messages_out_;
      return HYPERION_OK;
    }
    pending_writes_.push_back(to_buffer(message));
    ++messages_out_;
    op = next_operation_locked();
  }
  perform(std::move(op));
  return HYPERION_OK;
}

void ServerCall::finish(hyperion_grpc_code_t code, hyperion_str_t message) {
  Operation op;
  bool deliver;
  {
    std::lock_guard lock(mu_);
    if (handler_finished_) return;
    handler_finished_ = true;
    if (!finish_wanted_) {
      finish_wanted_ = true;
      bool single = kind_ == HYPERION_GRPC_UNARY || kind_ == HYPERION_GRPC_CLIENT_STREAMING;
      if (code == HYPERION_GRPC_OK && single && !single_response_) {
        final_status_ = ::grpc::Status(::grpc::StatusCode::INTERNAL, "handler of " + method_ + " finished OK without a response");
      } else {
        auto grpc_code = (code >= HYPERION_GRPC_OK && code <= HYPERION_GRPC_UNAUTHENTICATED)
                             ? static_cast<::grpc::StatusCode>(code)
                             : ::grpc::StatusCode::UNKNOWN;
        final_status_ = ::grpc::Status(grpc_code, message.size == 0 ? std::string() : std::string(message.data, message.size));
      }
    }
    op = next_operation_locked();
    deliver = !in_callback_ && !done_delivered_;
    if (deliver) done_delivered_ = true;
  }
  perform(std::move(op));
  if (deliver) deliver_done();
}

hyperion_status_t ServerCall::add_metadata(int32_t which, hyperion_str_t key, hyperion_bytes_t value,
                                           hyperion_error_t* err) {
  std::string k = key.size == 0 ? std::string() : std::string(key.data, key.size);
  std::string v = value.size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(value.data), value.size);
  if (!valid_metadata_key(k)) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT,
                "metadata key \"" + k + "\" must be non-empty lower-case [0-9a-z-_.] and not start with grpc-");
  }
  if (!k.ends_with("-bin") && !valid_ascii_value(v)) {
    return fail(err, HYPERION_ERR_INVALID_ARGUMENT, "metadata value for \"" + k + "\" must be printable ASCII (or use a -bin key)");
  }
  std::lock_guard lock(mu_);
  if (which == HYPERION_GRPC_INITIAL_METADATA) {
    if (initial_metadata_sent_ || handler_finished_) {
      return fail(err, HYPERION_ERR_FAILED_PRECONDITION, "initial metadata of " + method_ + " was already sent");
    }
    ctx_->AddInitialMetadata(k, v);
    return HYPERION_OK;
  }
  if (which == HYPERION_GRPC_TRAILING_METADATA) {
    if (handler_finished_) return fail(err, HYPERION_ERR_FAILED_PRECONDITION, method_ + " is already finished");
    ctx_->AddTrailingMetadata(k, v);
    return HYPERION_OK;
  }
  return fail(err, HYPERION_ERR_INVALID_ARGUMENT, "metadata kind must be initial (0) or trailing (1)");
}

}  // namespace hyperion::plugins::grpc_server
