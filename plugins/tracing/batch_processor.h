// BatchProcessor: the bounded queue between the spans that end (any thread)
// and the exporter (one worker thread). A full queue drops the span and counts
// it — the caller never waits. The worker sends a batch when max_export_batch
// spans are queued or schedule_delay has passed; a batch the receiver refuses
// with 429/502/503/504 or cannot take is sent again after its Retry-After (or
// a backoff), up to max_attempts, then dropped and counted. flush() sends
// everything queued within a deadline (stop).
// Thread-safety: add() from any thread; flush() and the destructor from one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "exporter.h"
#include "otlp_json.h"
#include "span_record.h"

namespace hyperion::plugins::tracing {

struct BatchSettings {
  size_t max_queue = 2048;
  size_t max_export_batch = 512;
  std::chrono::milliseconds schedule_delay{500};
  uint32_t max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
};

// What the processor tells the plugin (metrics, logs); called on its worker.
struct BatchObserver {
  std::function<void(size_t spans, double seconds)> exported;
  std::function<void(size_t spans, const std::string& error)> export_failed;  // dropped after the last attempt
  std::function<void(const std::string& error)> retrying;
  // Every schedule_delay or so, and after each batch: the spans dropped so far
  // because the queue was full, and the spans queued now.
  std::function<void(uint64_t dropped_queue_full, size_t queued)> tick;
};

class BatchProcessor {
 public:
  BatchProcessor(BatchSettings settings, Resource resource, std::unique_ptr<Exporter> exporter, BatchObserver observer);
  ~BatchProcessor();  // flushes for at most a second, then drops what is left

  // Queues an ended span; false (and counted as dropped) when the queue is full.
  bool add(std::unique_ptr<SpanRecord> span);
  // Sends everything queued now; returns false when `deadline` came first.
  bool flush(std::chrono::steady_clock::time_point deadline);

  [[nodiscard]] uint64_t dropped_queue_full() const { return dropped_full_.load(); }
  [[nodiscard]] size_t queued();

 private:
  void loop();
  // Sends one batch with its retries; false when it had to be dropped.
  void send_batch(std::vector<SpanRecord>& batch);
  bool wait_before_retry(std::chrono::milliseconds wait);

  const BatchSettings settings_;
  const Resource resource_;
  std::unique_ptr<Exporter> exporter_;
  BatchObserver observer_;

  std::mutex mu_;
  std::condition_variable cv_;       // the worker waits on it
  std::condition_variable idle_cv_;  // flush() waits on it
  std::deque<std::unique_ptr<SpanRecord>> queue_;
  bool flush_requested_ = false;
  bool stopping_ = false;
  bool sending_ = false;
  std::chrono::steady_clock::time_point give_up_{std::chrono::steady_clock::time_point::max()};
  std::atomic<uint64_t> dropped_full_{0};
  std::thread worker_;
};

}  // namespace hyperion::plugins::tracing
