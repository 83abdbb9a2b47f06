// What the benchmarks' closed-loop load runs measure, and the statistics they
// all print: one copy, so every figure in bench/ is computed the same way.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
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

// Baseline beside Hyperion, `rounds` rounds of one run each (the side that
// goes first alternates, so drift favours neither), each round printed as it
// ends, then the medians and the medians of the per-round ratios. `run_*`
// runs one side for one round. Returns the number of errors seen.
inline long side_by_side(int rounds, const char* unit, const char* baseline_name,
                         const std::function<LoadResult()>& run_baseline, const char* hyperion_name,
                         const std::function<LoadResult()>& run_hyperion, const char* throughput_goal = "goal >= 0.9") {
  std::printf("(the side that goes first alternates between rounds, so drift favours neither)\n");
  std::printf("%-6s %-22s %12s %9s %9s %7s\n", "round", "side", unit, "p50 ms", "p99 ms", "errors");
  std::vector<LoadResult> b, h, ratios;
  auto print = [](int round, const char* side, const LoadResult& x) {
    std::printf("%-6d %-22s %12.0f %9.3f %9.3f %7ld\n", round, side, x.rps, x.p50_ms, x.p99_ms, x.errors);
  };
  for (int r = 1; r <= rounds; ++r) {
    if (r % 2 == 1) {
      b.push_back(run_baseline());
      h.push_back(run_hyperion());
    } else {
      h.push_back(run_hyperion());
      b.push_back(run_baseline());
    }
    print(r, baseline_name, b.back());
    print(r, hyperion_name, h.back());
    LoadResult ratio;
    ratio.rps = h.back().rps / b.back().rps;
    ratio.p99_ms = h.back().p99_ms / b.back().p99_ms;
    ratios.push_back(ratio);
  }
  std::printf("median   %s %.0f %s p99 %.3f ms | %s %.0f %s p99 %.3f ms\n", baseline_name, median(b, &LoadResult::rps),
              unit, median(b, &LoadResult::p99_ms), hyperion_name, median(h, &LoadResult::rps), unit,
              median(h, &LoadResult::p99_ms));
  std::printf("ratio    throughput %.3f (%s)   p99 %.3f   (medians of the per-round ratios)\n",
              median(ratios, &LoadResult::rps), throughput_goal, median(ratios, &LoadResult::p99_ms));
  long errors = 0;
  for (const auto* side : {&b, &h}) {
    for (const auto& x : *side) errors += x.errors;
  }
  return errors;
}

}  // namespace hyperion::bench
