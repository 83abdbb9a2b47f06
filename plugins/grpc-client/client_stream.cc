#include "client_stream.h"

namespace hyperion::plugins::grpc_client {

ClientStream::ClientStream(uint64_t id, CallSpec spec, std::shared_ptr<Endpoint> endpoint,
                           const hyperion_grpc_client_stream_handler_t& handler, CallObserver& observer)
    : id_(id), spec_(std::move(spec)), endpoint_(std::move(endpoint)), handler_(handler), observer_(observer) {
  prepare_context(ctx_, spec_);
}

void ClientStream::start() {
  endpoint_->in_flight.fetch_add(1, std::memory_order_relaxed);
  grpc::GenericStub stub(endpoint_->channel());
  stub.PrepareBidiStreamingCall(&ctx_, spec_.method, grpc::StubOptions(), this);
  // The caller may write until close_send, cancel or release: until then
  // OnDone must wait, or a write could come after it.
  AddHold();
  StartRead(&incoming_);
  StartCall();
}

void ClientStream::start_next_write_locked() {
  // Once the stream has ended nothing new starts: OnDone may be on its way.
  if (writing_ || writes_closed_ || ended_) return;
  if (!queue_.empty()) {
    writing_ = true;
    StartWrite(&queue_.front());
  } else if (close_requested_) {
    writes_closed_ = true;
    StartWritesDone();
  }
}

hyperion_status_t ClientStream::write(hyperion_bytes_t message, std::string& error) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queued_bytes_ < kWriteWindow || ended_ || writes_closed_; });
  if (ended_ || done_) {
    error = "the stream has ended";
    return HYPERION_ERR_ABORTED;
  }
  if (close_requested_ || writes_closed_) {
    error = "stream_write after stream_close_send";
    return HYPERION_ERR_FAILED_PRECONDITION;
  }
  grpc::Slice slice(message.data, message.size);
  queue_.emplace_back(&slice, 1);
  queued_bytes_ += message.size;
  start_next_write_locked();
  return HYPERION_OK;
}

void ClientStream::close_send() {
  {
    std::lock_guard lock(mu_);
    if (close_requested_) return;
    close_requested_ = true;
    start_next_write_locked();
  }
  // The caller will not write any more: nothing left to hold OnDone for.
  drop_hold_once();
}

void ClientStream::cancel() {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    ended_ = true;
  }
  cv_.notify_all();
  ctx_.TryCancel();
  drop_hold_once();
}

void ClientStream::abort() {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    ended_ = true;
  }
  cv_.notify_all();
  ctx_.TryCancel();
}

void ClientStream::release() {
  cancel();
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }
  delete this;
}

void ClientStream::drop_hold_once() {
  {
    std::lock_guard lock(mu_);
    if (hold_dropped_) return;
    hold_dropped_ = true;
  }
  RemoveHold();  // outside the lock: OnDone may run inside it
}

void ClientStream::OnReadDone(bool ok) {
  if (!ok) {
    // The server has ended the stream; its status follows in OnDone. Writes
    // still queued are dropped, and the hold goes so OnDone can come.
    {
      std::lock_guard lock(mu_);
      ended_ = true;
    }
    cv_.notify_all();
    drop_hold_once();
    return;
  }
  grpc::Slice flat;
  (void)incoming_.DumpToSingleSlice(&flat);
  handler_.on_message(handler_.user, {flat.begin(), flat.size()});
  incoming_.Clear();
  StartRead(&incoming_);
}

void ClientStream::OnWriteDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!queue_.empty()) {
      queued_bytes_ -= queue_.front().Length();
      queue_.pop_front();
    }
    if (!ok) {
      // The stream is broken: what is queued will never go.
      writes_closed_ = true;
      queue_.clear();
      queued_bytes_ = 0;
    } else {
      start_next_write_locked();
    }
  }
  cv_.notify_all();
}

void ClientStream::OnWritesDoneDone(bool /*ok*/) {}

void ClientStream::OnDone(const grpc::Status& status) {
  endpoint_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  const auto code = static_cast<int32_t>(status.error_code());
  record_outcome(*spec_.target, code, observer_);
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  observer_.call_done(spec_, code, seconds, 1, endpoint_->address());
  end_client_span(spec_, code, status.error_message(), 1, endpoint_->address());
  deliver_result(handler_.on_done, handler_.user, code, status.error_message(), &ctx_, nullptr, 1,
                 endpoint_->address());
  observer_.call_released(id_);
  // Notified under the lock: release() deletes this as soon as it sees done_.
  std::lock_guard lock(mu_);
  done_ = true;
  ended_ = true;
  cv_.notify_all();
}

}  // namespace hyperion::plugins::grpc_client
