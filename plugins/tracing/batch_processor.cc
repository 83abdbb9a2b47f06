#include "batch_processor.h"

#include <algorithm>

namespace hyperion::plugins::tracing {

using Clock = std::chrono::steady_clock;

BatchProcessor::BatchProcessor(BatchSettings settings, Resource resource, std::unique_ptr<Exporter> exporter,
                               BatchObserver observer)
    : settings_(settings),
      resource_(std::move(resource)),
      exporter_(std::move(exporter)),
      observer_(std::move(observer)),
      worker_([this] { loop(); }) {}

BatchProcessor::~BatchProcessor() {
  (void)flush(Clock::now() + std::chrono::seconds(1));
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

bool BatchProcessor::add(std::unique_ptr<SpanRecord> span) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= settings_.max_queue || stopping_) {
      ++dropped_full_;
      return false;
    }
    queue_.push_back(std::move(span));
    if (queue_.size() < settings_.max_export_batch) return true;
  }
  cv_.notify_one();  // a full batch is waiting
  return true;
}

size_t BatchProcessor::queued() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

bool BatchProcessor::flush(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  give_up_ = deadline;
  flush_requested_ = true;
  cv_.notify_all();
  const bool done = idle_cv_.wait_until(lock, deadline, [&] { return queue_.empty() && !sending_; });
  flush_requested_ = false;
  give_up_ = Clock::time_point::max();
  return done;
}

void BatchProcessor::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, settings_.schedule_delay,
                 [&] { return stopping_ || flush_requested_ || queue_.size() >= settings_.max_export_batch; });
    if (observer_.tick) {
      const size_t queued = queue_.size();
      lock.unlock();
      observer_.tick(dropped_full_.load(), queued);
      lock.lock();
    }
    if (queue_.empty()) {
      flush_requested_ = false;  // nothing left: the flush is done
      idle_cv_.notify_all();
      if (stopping_) return;
      continue;
    }
    std::vector<SpanRecord> batch;
    const size_t n = std::min(queue_.size(), settings_.max_export_batch);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(*queue_.front()));
      queue_.pop_front();
    }
    sending_ = true;
    lock.unlock();
    send_batch(batch);
    lock.lock();
    sending_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

bool BatchProcessor::wait_before_retry(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  const auto until = std::min(Clock::now() + wait, give_up_);
  cv_.wait_until(lock, until, [&] { return stopping_; });
  return !stopping_ && Clock::now() < give_up_;
}

void BatchProcessor::send_batch(std::vector<SpanRecord>& batch) {
  const std::string body = otlp_json(resource_, batch);
  auto backoff = settings_.initial_backoff;
  for (uint32_t attempt = 1;; ++attempt) {
    const auto begin = Clock::now();
    SendOutcome out = exporter_->send(body);
    if (out.ok) {
      if (observer_.exported)
        observer_.exported(batch.size(), std::chrono::duration<double>(Clock::now() - begin).count());
      return;
    }
    if (!out.retryable || attempt >= settings_.max_attempts) {
      if (observer_.export_failed) observer_.export_failed(batch.size(), out.error);
      return;
    }
    const auto wait = out.retry_after ? std::min(*out.retry_after, settings_.max_backoff) : backoff;
    if (observer_.retrying) observer_.retrying(out.error);
    if (!wait_before_retry(wait)) {
      if (observer_.export_failed) observer_.export_failed(batch.size(), out.error + " (no time left to retry)");
      return;
    }
    backoff = std::min(backoff * 2, settings_.max_backoff);
  }
}

}  // namespace hyperion::plugins::tracing
