// What the benchmarks' closed-loop load runs measure, and the statistics they
// all print: one copy, so every figure in bench/ is computed the same way.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace hyperion::bench {

struct LoadResult {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long errors = 0;
};

// The p-quantile (0..1) of `v`, which it sorts.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// One run's result from each worker's latencies (milliseconds).
inline LoadResult summarize(const std::vector<std::vector<double>>& latencies, double seconds, long errors) {
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  LoadResult r;
  r.rps = static_cast<double>(all.size()) / seconds;
  r.p50_ms = percentile(all, 0.50);
  r.p99_ms = percentile(all, 0.99);
  r.errors = errors;
  return r;
}

// The median of one field over several rounds.
inline double median(const std::vector<LoadResult>& rounds, double LoadResult::*field) {
  std::vector<double> x;
  for (const auto& r : rounds) x.push_back(r.*field);
  std::sort(x.begin(), x.end());
  return x.empty() ? 0 : x[x.size() / 2];
}

// `threads` closed loops: each calls `call(thread)` (false = an error) again as
// soon as the last call returned, until `duration` is over.
inline LoadResult drive_threads(int threads, std::chrono::duration<double> duration,
                                const std::function<bool(int)>& call) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<long> errors{0};
  auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(duration);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (Clock::now() < until) {
        auto begin = Clock::now();
        if (!call(t)) ++errors;
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      }
    });
  }
  for (auto& th : pool) th.join();
  return summarize(latencies, duration.count(), errors);
}

}  // namespace hyperion::bench
