// What the gRPC benchmarks (bench/grpc, bench/grpc-client, bench/tracing)
// share, so every one of them measures the same way: the bare echo server
// and the closed-loop unary load on bench.Echo.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/load_stats.h"
#include "echo.grpc.pb.h"

namespace hyperion::bench {

// The baseline server: the generated callback service, one reactor per call, nothing else.
class BareEcho final : public ::bench::Echo::CallbackService {
  ::grpc::ServerUnaryReactor* Echo(::grpc::CallbackServerContext* ctx, const ::bench::EchoMessage* request,
                                   ::bench::EchoMessage* response) override {
    response->set_payload(request->payload());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(::grpc::Status::OK);
    return reactor;
  }
};

// Closed loop: `concurrency` calls in flight on one channel; each completion
// starts the next call until the time is up.
class EchoLoad {
 public:
  using Clock = std::chrono::steady_clock;
  EchoLoad(const std::string& target, int concurrency)
      : stub_(::bench::Echo::NewStub(::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials()))),
        latencies_(concurrency) {
    request_.set_payload(std::string(32, 'x'));
  }

  LoadResult run(std::chrono::duration<double> duration) {
    for (auto& l : latencies_) l.clear();
    errors_ = 0;
    stop_ = false;
    auto begin = Clock::now();
    until_ = begin + std::chrono::duration_cast<Clock::duration>(duration);
    outstanding_ = static_cast<int>(latencies_.size());
    for (size_t slot = 0; slot < latencies_.size(); ++slot) issue(slot);
    {
      std::unique_lock lock(mu_);
      done_.wait(lock, [&] { return outstanding_ == 0; });
    }
    double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    return hyperion::bench::summarize(latencies_, seconds, errors_);
  }

 private:
  struct Call {
    ::grpc::ClientContext ctx;
    ::bench::EchoMessage response;
    Clock::time_point start = Clock::now();
  };
  // Calls of one slot never overlap, so its latency vector needs no lock.
  void issue(size_t slot) {
    auto* call = new Call;
    stub_->async()->Echo(&call->ctx, &request_, &call->response, [this, slot, call](::grpc::Status s) {
      auto now = Clock::now();
      latencies_[slot].push_back(std::chrono::duration<double, std::milli>(now - call->start).count());
      if (!s.ok() || call->response.payload().size() != 32) ++errors_;
      delete call;
      if (now < until_) {
        issue(slot);
        return;
      }
      std::lock_guard lock(mu_);
      if (--outstanding_ == 0) done_.notify_all();
    });
  }

  std::unique_ptr<::bench::Echo::Stub> stub_;
  ::bench::EchoMessage request_;
  std::vector<std::vector<double>> latencies_;
  std::atomic<long> errors_{0};
  std::atomic<bool> stop_{false};
  Clock::time_point until_;
  std::mutex mu_;
  std::condition_variable done_;
  int outstanding_ = 0;
};

}  // namespace hyperion::bench
