// bench/startup: time from process start to "all plugins started" for N trivial
// plugins, for `hyperion run` and, in the same run, for a minimal C program that
// only dlopens the same N files. Prints both and the ratio.
//
//   startup_bench HYPERION DLOPEN_BASELINE TRIVIAL_PLUGIN [REPETITIONS]
//
// Each of the N files is a distinct copy (one trailing byte differs), so both
// sides really load N libraries. Both are timed the same way: from just before
// posix_spawn until the child's stderr shows its "done" line. A first row, N = 0,
// times a bare process start on each side (`hyperion --version`, the C program
// with no file) until it exits: the part of the budget no plugin work can win back.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Spawns argv and returns the milliseconds until stderr contains `marker` (an
// empty marker: until the child closes stderr, that is, exits).
double time_until(const std::vector<std::string>& argv, const std::string& marker) {
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  auto begin = Clock::now();
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) throw std::runtime_error("spawn");
  close(err[1]);
  std::string seen;
  double ms = -1;
  char buf[8192];
  for (;;) {
    ssize_t n = read(err[0], buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
    if (ms < 0 && seen.find(marker) != std::string::npos) {
      ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    }
  }
  if (marker.empty()) ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  posix_spawn_file_actions_destroy(&actions);
  if (ms < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[0] + " failed:\n" + seen);
  }
  return ms;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: startup_bench HYPERION DLOPEN_BASELINE TRIVIAL_PLUGIN [REPETITIONS]\n";
    return 2;
  }
  const std::string hyperion = argv[1], baseline = argv[2], trivial = argv[3];
  const int reps = argc > 4 ? std::max(1, std::atoi(argv[4])) : 21;
  char tmpl[] = "/tmp/hyperion-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);

  std::ifstream in(trivial, std::ios::binary);
  const std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::printf("bench/startup: process start -> all N plugins started (median of %d runs, ms)\n", reps);
  std::printf("%6s %18s %18s %8s\n", "N", "dlopen-only (C)", "hyperion run", "ratio");
  double bare_start = 0, bare_baseline = 0, last_baseline = 0;
  {
    const std::vector<std::string> base_argv = {baseline}, host_argv = {hyperion, "--version"};
    time_until(base_argv, "");
    time_until(host_argv, "");
    std::vector<double> base, host;
    for (int r = 0; r < reps; ++r) {
      base.push_back(time_until(base_argv, ""));
      host.push_back(time_until(host_argv, ""));
    }
    double b = median(base), h = median(host);
    std::printf("%6d %18.2f %18.2f %7.2fx   (process start and exit only: hyperion --version)\n", 0, b, h, h / b);
    bare_start = h;
    bare_baseline = b;
  }
  for (int n : {1, 10, 50}) {
    std::vector<std::string> files;
    std::string manifest = "app: bench\nhost:\n  state_dir: " + (dir / "state").string() +
                           "\n  log_level: info\nplugins:\n";
    for (int i = 0; i < n; ++i) {
      fs::path file = dir / ("trivial_" + std::to_string(n) + "_" + std::to_string(i) + ".so");
      std::ofstream out(file, std::ios::binary);
      out << image << static_cast<char>(i);  // a distinct file: both sides load N libraries
      files.push_back(file.string());
      manifest += "  - name: p" + std::to_string(i) + "\n    library: " + file.string() + "\n";
    }
    const fs::path manifest_path = dir / ("bench_" + std::to_string(n) + ".yaml");
    std::ofstream(manifest_path) << manifest;

    std::vector<std::string> base_argv = {baseline};
    base_argv.insert(base_argv.end(), files.begin(), files.end());
    const std::vector<std::string> host_argv = {hyperion, "run", manifest_path.string(), "--exit-after-start"};
    const std::string host_marker = "all " + std::to_string(n) + " instances started";
    // Warm up: page cache, and the host's library cache.
    time_until(base_argv, "loaded");
    time_until(host_argv, host_marker);
    std::vector<double> base, host;
    for (int r = 0; r < reps; ++r) {  // interleaved, so drift hits both alike
      base.push_back(time_until(base_argv, "loaded"));
      host.push_back(time_until(host_argv, host_marker));
    }
    double b = median(base), h = median(host);
    std::printf("%6d %18.2f %18.2f %7.2fx\n", n, b, h, h / b);
    last_baseline = b;
  }
  std::printf(
      "2x the baseline at N = 50 is %.2f ms; a bare start of hyperion takes %.2f ms of it, leaving %.2f ms to\n"
      "parse, record and load 50 plugins (the baseline's dlopen of the 50 files alone: %.2f ms)\n",
      2 * last_baseline, bare_start, 2 * last_baseline - bare_start, last_baseline - bare_baseline);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
