// ClientStream: one streaming call (server-, client- or bidi-streaming; all
// are one gRPC bidi stream underneath) to one instance of a target. Writes
// queue and go out one at a time; a writer blocks while more than the write
// window is queued. Responses go to the caller's on_message one at a time (the
// next is read when it returns). Streams are never retried.
// Lifetime: made by the plugin, freed by release() (the caller's
// stream_release), which waits until on_done has returned.
// Thread-safety: write/close_send/cancel/release from any thread.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_callback.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "call_spec.h"

namespace hyperion::plugins::grpc_client {

class ClientStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  static constexpr size_t kWriteWindow = 1 << 20;

  ClientStream(uint64_t id, CallSpec spec, std::shared_ptr<Endpoint> endpoint,
               const hyperion_grpc_client_stream_handler_t& handler, CallObserver& observer);
  // Starts the call (once).
  void start();

  hyperion_status_t write(hyperion_bytes_t message, std::string& error);
  void close_send();
  void cancel();
  // Cancels without touching the hold (the plugin's stop(), holding its own
  // lock: nothing here may run OnDone on this thread).
  void abort();
  // Cancels if still running, waits for on_done, then deletes this.
  void release();

  // grpc::ClientBidiReactor
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  void start_next_write_locked();
  void drop_hold_once();

  const uint64_t id_;
  const CallSpec spec_;
  const std::shared_ptr<Endpoint> endpoint_;
  const hyperion_grpc_client_stream_handler_t handler_;
  CallObserver& observer_;
  const Clock::time_point started_ = Clock::now();
  grpc::ClientContext ctx_;
  grpc::ByteBuffer incoming_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<grpc::ByteBuffer> queue_;  // front: the write in progress, when writing_
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;  // close_send: WritesDone after the queue
  bool writes_closed_ = false;    // WritesDone sent, or writes failed
  bool ended_ = false;            // the server ended the stream (reads over) or it was cancelled
  bool done_ = false;             // OnDone has run the caller's on_done
  bool hold_dropped_ = false;
};

}  // namespace hyperion::plugins::grpc_client
