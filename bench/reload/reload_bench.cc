// What a reload costs (#23 part 4), each figure beside a baseline measured in
// the same run:
//  1. the config diff of one instance — a flat 10-field config and a nested
//     50-field one (5 objects of 10), one field changed — beside a bare
//     equality walk over every field of two equal configs of the same shape
//     (what any diff must at least do).
//     Goals: at most 0.3 us and 1.5 us; modular (Go) documents 1.5 us and 6.5 us.
//  2. a whole reload of a 6-instance manifest with one dynamic change, through
//     the host (parse, validate, diff, prepare/commit, the revision written to
//     SQLite), beside the bare SQLite write of a revision-sized row to a
//     database with the same settings, interleaved. Goal: p99 at most 2 ms.
//     Run twice: back to back, and with 10 ms between reloads (the previous
//     reload's background work done, as between an operator's reloads).
//
//   reload_bench <plugin_dir> [diff iterations] [reloads]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/json_equal.h"
#include "common/bench_host.h"
#include "reload/config_diff.h"

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// `fields` leaves under `groups` objects (0 groups: all at the top), every
// other one dynamic; the schema says so.
struct Shape {
  json::object schema;
  json::object config;
};

Shape make_shape(int groups, int fields_per_group) {
  auto leaves = [&](json::object& props, json::object& values, int group) {
    for (int i = 0; i < fields_per_group; ++i) {
      std::string name = "field_" + std::to_string(i);
      if (i % 2 == 0) {
        props[name] = {{"type", "integer"}, {"x-dynamic", true}};
        values[name] = group * 100 + i;
      } else {
        props[name] = {{"type", "string"}};
        values[name] = "value-" + std::to_string(group) + "-" + std::to_string(i);
      }
    }
  };
  Shape s;
  json::object props;
  if (groups == 0) {
    leaves(props, s.config, 0);
  } else {
    for (int g = 0; g < groups; ++g) {
      json::object inner_props, inner_values;
      leaves(inner_props, inner_values, g);
      std::string name = "group_" + std::to_string(g);
      props[name] = {{"type", "object"}, {"properties", inner_props}};
      s.config[name] = inner_values;
    }
  }
  s.schema = {{"type", "object"}, {"properties", props}};
  return s;
}

// ns per call of fn, over `iterations` calls (after a warm-up).
template <typename Fn>
double ns_per_call(int iterations, Fn&& fn) {
  for (int i = 0; i < iterations / 10 + 1; ++i) fn();
  const auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) fn();
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / iterations;
}

void bench_diff(const char* label, int groups, int fields, int iterations, double goal_us, double modular_us) {
  Shape before = make_shape(groups, fields);
  json::object after = before.config;
  json::object& target = groups == 0 ? after : after["group_0"].as_object();
  target["field_0"] = 123456;  // one dynamic field changes
  const std::set<std::string> no_secrets;
  size_t changes = 0;
  const double ours = ns_per_call(iterations, [&] {
    changes += hyperion::reload::diff_config(before.config, after, before.schema, no_secrets).size();
  });
  size_t differ = 0;
  // The baseline: one walk over every field of two equal configs (a diff
  // cannot do less: it must look at every field to know only one changed),
  // without copying (json_equal; Boost's operator== copies every member).
  const json::object same = before.config;
  const double bare = ns_per_call(iterations, [&] { differ += hyperion::json_equal(before.config, same) ? 1 : 0; });
  if (changes == 0 || differ == 0) std::fprintf(stderr, "%s: the change was not seen\n", label);
  std::printf("%-24s diff %8.3f us   bare equality walk %8.3f us   ratio %5.1fx   goal <= %.1f us   modular %.1f us\n",
              label, ours / 1000, bare / 1000, ours / bare, goal_us, modular_us);
}

std::string manifest(const std::filesystem::path& dir, int flag) {
  std::string m = "app: reload-bench\nhost:\n  state_dir: " + (dir / "state").string() +
                  "\n  admin: {enabled: false}\n  reload: {watch: false}\nplugins:\n";
  for (int i = 0; i < 6; ++i) {
    m += "  - name: settings-" + std::to_string(i) +
         "\n    library: reloadable\n    config:\n      log_level: info\n"
         "      features: {checkout: " +
         std::string(i == 0 && flag % 2 == 1 ? "true" : "false") +
         ", search: true}\n      rate_limits: {api: 100, login: 5}\n";
  }
  return m;
}

// The bare write: one revision-sized row into a WAL database with the state
// store's settings (journal_mode WAL, synchronous NORMAL).
class BareStore {
 public:
  explicit BareStore(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    sqlite3_exec(db_,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "CREATE TABLE r (n INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, manifest TEXT, diff TEXT)",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO r (at, manifest, diff) VALUES (?, ?, ?)", -1, &insert_, nullptr);
  }
  ~BareStore() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  bool write(const std::string& manifest) {
    sqlite3_reset(insert_);
    sqlite3_bind_text(insert_, 1, "2026-11-30T00:00:00.000Z", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, manifest.data(), static_cast<int>(manifest.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, "{\"settings-0\":{}}", -1, SQLITE_STATIC);
    return sqlite3_step(insert_) == SQLITE_DONE;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: reload_bench <plugin_dir> [diff iterations] [reloads]\n");
    return 2;
  }
  const std::string plugin_dir = argv[1];
  const int iterations = argc > 2 ? std::stoi(argv[2]) : 200000;
  const int reloads = argc > 3 ? std::stoi(argv[3]) : 2000;

  std::printf("config diff, one field changed (%d calls each):\n", iterations);
  bench_diff("flat, 10 fields", 0, 10, iterations, 0.3, 1.5);
  bench_diff("nested, 50 fields", 5, 10, iterations, 1.5, 6.5);

  const auto dir = std::filesystem::temp_directory_path() / ("hyperion-reload-bench-" + std::to_string(::getpid()));
  int status = 0;
  try {
    auto host = hyperion::bench::start_host(dir, manifest(dir, 0), {plugin_dir});
    BareStore bare((dir / "bare.db").string());
    // Reloads `count` times (each one flips a dynamic field), `pause` between
    // one reload's end and the next one's start, each followed by the bare
    // write; false when a reload was not applied.
    int flag = 0;
    auto run = [&](int count, std::chrono::milliseconds pause, std::vector<double>& reload_ms,
                   std::vector<double>& write_ms) {
      for (int i = 0; i < count; ++i) {
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
        const std::string text = manifest(dir, ++flag);
        auto start = Clock::now();
        auto r = host->reloads().reload({"bench", "", text, std::nullopt});
        reload_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (r.outcome != hyperion::reload::ReloadOutcome::kApplied) {
          std::fprintf(stderr, "reload %d: %s\n", flag, r.summary().c_str());
          return false;
        }
        start = Clock::now();
        if (!bare.write(text)) return false;
        write_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
      return true;
    };
    auto report = [](const std::vector<double>& reload_ms, const std::vector<double>& write_ms) {
      std::printf("  hyperion reload     p50 %7.3f ms   p99 %7.3f ms   goal p99 <= 2 ms\n", percentile(reload_ms, 0.5),
                  percentile(reload_ms, 0.99));
      std::printf("  bare SQLite write   p50 %7.3f ms   p99 %7.3f ms\n", percentile(write_ms, 0.5),
                  percentile(write_ms, 0.99));
      std::printf("  ratio (p50)         %.1fx\n", percentile(reload_ms, 0.5) / percentile(write_ms, 0.5));
    };
    std::vector<double> reload_ms, write_ms;
    if (!run(reloads, std::chrono::milliseconds(0), reload_ms, write_ms)) status = 1;
    std::printf("whole reload, 6 instances, one dynamic change (%zu reloads back to back, interleaved):\n",
                reload_ms.size());
    report(reload_ms, write_ms);
    // The same, with 10 ms between reloads: by then the previous reload's
    // asynchronous work (its events delivered and stored, the state writer's
    // batch, the workers gone back to sleep) is done, as it is between an
    // operator's reloads; back to back, each reload shares the 2 cores with it.
    std::vector<double> paced_ms, paced_write_ms;
    if (!run(std::max(1, reloads / 4), std::chrono::milliseconds(10), paced_ms, paced_write_ms)) status = 1;
    std::printf("whole reload, the same, 10 ms between reloads (%zu reloads):\n", paced_ms.size());
    report(paced_ms, paced_write_ms);
    if (auto s = host->stop(); !s.ok()) status = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reload_bench: %s\n", e.what());
    status = 1;
  }
  std::filesystem::remove_all(dir);
  return status;
}
