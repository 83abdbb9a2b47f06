// bench/scale (#23 part 5): how the host grows with the number of instances.
// For each N (default 10, 100, 500) a fresh child process starts a host with N
// instances of the reloadable plugin plus the health plugin, and measures:
//   - startup: prepare + start of the whole app (in process: the process's own
//     start is bench/startup's business);
//   - memory: the process's RSS after the start minus before it, and per
//     instance beside the N = 1 run of the same table (the marginal cost);
//   - threads after the start;
//   - reload: one dynamic change to one instance, applied (diff, prepare and
//     commit of the changed instance, the revision written), p50 and p99;
//   - health: a fresh aggregation round over all N (host->health().json()), and
//     GET /readyz through the health plugin over loopback, p50 and p99.
// N = 1 is measured first, in the same run, as the baseline every row is
// compared with. A fresh process per N keeps the allocator's memory of one run
// out of the next.
//
//   scale_bench PLUGIN_DIR [N...]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/bench_host.h"
#include "common/free_port.h"
#include "common/load_stats.h"
#include "common/raw_http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

long status_field(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string manifest(const fs::path& dir, int n, int health_port, int changed_value) {
  std::string m = "app: scale\nhost:\n  state_dir: " + (dir / "state").string() +
                  "\n  admin: {enabled: false}\n  reload: {watch: false}\n  health: {cache_ms: 1}\nplugins:\n"
                  "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:" +
                  std::to_string(health_port) + "\"}\n";
  for (int i = 0; i < n; ++i) {
    m += "  - name: r" + std::to_string(i) + "\n    library: reloadable\n    config: {rate_limits: {api: " +
         std::to_string(i == 0 ? changed_value : 10) + "}}\n";
  }
  return m;
}

// One N, in this process: prints one line of figures.
int measure(const std::string& plugin_dir, int n, int rounds) {
  const fs::path dir = fs::temp_directory_path() / ("hyperion-scale-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const int port = hyperion::bench::free_port();
  const long rss_before = status_field("VmRSS");
  fs::create_directories(dir);
  std::ofstream(dir / "app.yaml") << manifest(dir, n, port, 10);
  hyperion::app::HostOptions options;
  options.plugin_path = {plugin_dir};
  options.log_level = "error";
  auto began = Clock::now();
  auto prepared = hyperion::app::Host::prepare((dir / "app.yaml").string(), options);
  if (!prepared.ok()) throw std::runtime_error(prepared.status().to_string());
  const double prepare_ms = ms_since(began);
  auto host = std::move(*prepared);
  if (auto s = host->start(); !s.ok()) throw std::runtime_error(s.to_string());
  const double startup_ms = ms_since(began);
  std::fprintf(stderr, "N=%d: prepare (parse, load, plan) %.2f ms, start (create and start every instance) %.2f ms\n",
               n, prepare_ms, startup_ms - prepare_ms);
  const long rss_after = status_field("VmRSS");
  const long threads = status_field("Threads");

  std::vector<double> reload_ms;
  for (int i = 0; i < rounds; ++i) {
    std::string text = manifest(dir, n, port, 11 + i);
    auto t = Clock::now();
    auto r = host->reloads().reload({"bench", "", text, std::nullopt});
    reload_ms.push_back(ms_since(t));
    if (r.outcome != hyperion::reload::ReloadOutcome::kApplied) {
      std::fprintf(stderr, "N=%d reload %d: %s\n", n, i, r.summary().c_str());
      return 1;
    }
  }
  std::vector<double> round_ms;
  std::vector<double> readyz_ms;
  for (int i = 0; i < rounds; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // past cache_ms: a fresh round
    auto t = Clock::now();
    std::string report = host->health().json();
    round_ms.push_back(ms_since(t));
    if (report.find("\"ready\":true") == std::string::npos) {
      std::fprintf(stderr, "N=%d: not ready: %.300s\n", n, report.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    t = Clock::now();
    bool ready = bench::RawHttpClient(port).get("/readyz");  // a fresh connection, as a probe makes
    readyz_ms.push_back(ms_since(t));
    if (!ready) {
      std::fprintf(stderr, "N=%d: /readyz did not answer 200\n", n);
      return 1;
    }
  }
  const long threads_after_rounds = status_field("Threads");
  (void)host->stop();
  host.reset();
  fs::remove_all(dir);
  using hyperion::bench::percentile;
  std::printf("%d %.3f %ld %ld %ld %.3f %.3f %.3f %.3f %.3f %.3f\n", n, startup_ms, rss_after - rss_before, threads,
              threads_after_rounds,
              percentile(reload_ms, 0.5), percentile(reload_ms, 0.99), percentile(round_ms, 0.5),
              percentile(round_ms, 0.99), percentile(readyz_ms, 0.5), percentile(readyz_ms, 0.99));
  return 0;
}

struct Row {
  int n = 0;
  double startup_ms = 0;
  long rss_kib = 0;
  long threads = 0;
  long threads_after_rounds = 0;
  double reload_p50 = 0, reload_p99 = 0, round_p50 = 0, round_p99 = 0, readyz_p50 = 0, readyz_p99 = 0;
};

// Runs this program as `--one N` and reads its line.
Row run_child(const char* self, const std::string& plugin_dir, int n, int rounds) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::string ns = std::to_string(n), rs = std::to_string(rounds);
    ::execl(self, self, "--one", ns.c_str(), rs.c_str(), plugin_dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t k; (k = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(k));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Row r;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(text.c_str(), "%d %lf %ld %ld %ld %lf %lf %lf %lf %lf %lf", &r.n, &r.startup_ms, &r.rss_kib,
                  &r.threads, &r.threads_after_rounds, &r.reload_p50, &r.reload_p99, &r.round_p50, &r.round_p99,
                  &r.readyz_p50, &r.readyz_p99) != 11) {
    throw std::runtime_error("the run for N=" + std::to_string(n) + " failed: " + text);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--one") {
    try {
      return measure(argv[4], std::atoi(argv[2]), std::atoi(argv[3]));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: scale_bench PLUGIN_DIR [N...]\n");
    return 2;
  }
  const std::string plugin_dir = argv[1];
  std::vector<int> ns;
  for (int i = 2; i < argc; ++i) ns.push_back(std::atoi(argv[i]));
  if (ns.empty()) ns = {10, 100, 500};
  const int rounds = ns.back() <= 20 ? 5 : 100;
  try {
    // A first run warms the page cache (the libraries, with their debug
    // information, are read and hashed at every start); it is not shown.
    (void)run_child(argv[0], plugin_dir, 1, rounds);
    Row base = run_child(argv[0], plugin_dir, 1, rounds);
    std::vector<Row> rows{base};
    for (int n : ns) rows.push_back(run_child(argv[0], plugin_dir, n, rounds));
    std::printf("bench/scale: N reloadable instances + the health plugin, one process per N; the N = 1 row is "
                "the baseline\n");
    std::printf("%5s %11s %10s %13s %13s %21s %21s %21s\n", "N", "startup ms", "RSS MiB", "KiB/instance",
                "threads*", "reload p50/p99 ms", "round p50/p99 ms", "/readyz p50/p99 ms");
    for (const Row& r : rows) {
      double per = r.n > base.n ? static_cast<double>(r.rss_kib - base.rss_kib) / (r.n - base.n) : 0.0;
      std::printf("%5d %11.2f %10.1f %13.1f %6ld / %-4ld %10.3f / %-8.3f %10.3f / %-8.3f %10.3f / %-8.3f\n", r.n,
                  r.startup_ms, static_cast<double>(r.rss_kib) / 1024.0, per, r.threads, r.threads_after_rounds,
                  r.reload_p50, r.reload_p99, r.round_p50, r.round_p99, r.readyz_p50, r.readyz_p99);
    }
    std::printf("* threads after the start / after the health rounds: the call runner keeps every worker it\n"
                "  started, and a round over N instances starts as many as its calls overlap\n");
    const Row& last = rows.back();
    std::printf("growth from N = 1 to N = %d: startup %.1fx, reload p50 %.1fx, round p50 %.1fx, /readyz p50 %.1fx\n",
                last.n, last.startup_ms / base.startup_ms, last.reload_p50 / base.reload_p50,
                last.round_p50 / base.round_p50, last.readyz_p50 / base.readyz_p50);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
