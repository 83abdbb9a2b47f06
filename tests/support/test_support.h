// Helpers shared by the test suites: temporary folders, files, child processes,
// and the locations of the binaries and plugins under test.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hyperion::testing {

// A fresh folder, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs `argv` and waits for it (killing it after `timeout`).
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A child process running in the background, killed when the object goes away.
// Its stdout and stderr are read all the time by a thread of its own, so a
// child that logs a lot never blocks on a full pipe (which stalls every thread
// of it that logs).
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  // Waits until stderr contains `text` (or the process exits, or `timeout`).
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout);
  void signal(int sig);
  [[nodiscard]] int pid() const { return pid_; }
  // Waits for exit (killing it after `timeout`); returns the result.
  ProcessResult wait(std::chrono::milliseconds timeout);

 private:
  void read_loop();
  void stop_reader();
  int pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int wake_[2] = {-1, -1};  // written to end the reader when a grandchild keeps the pipes open
  std::mutex mu_;
  std::condition_variable cv_;
  ProcessResult result_;  // out and err under mu_
  bool closed_ = false;   // both pipes at end of file
  bool exited_ = false;
  std::thread reader_;
};

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A TCP port on 127.0.0.1 that nothing listens on right now, below the
// kernel's ephemeral range (so no outgoing connection takes it meanwhile), and
// not handed out recently by this process.
int free_loopback_port();

// A socket listening on a free 127.0.0.1 port the way cpp-httplib's servers do
// by default (SO_REUSEPORT), closed when the object goes away: for tests that
// a listener of ours refuses to share its port.
class ReusePortListener {
 public:
  ReusePortListener();
  ~ReusePortListener();
  ReusePortListener(const ReusePortListener&) = delete;
  ReusePortListener& operator=(const ReusePortListener&) = delete;
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Paths baked in by the build.
std::string hyperion_binary();
std::string test_plugin(const std::string& name);      // tests/plugins output, e.g. "behave_plain"
std::string example_plugin_dir();                     // where hello.so and hello-c.so land
std::string source_dir();

// Copies `library` to `dest` with bytes appended after its end (the ELF loader
// ignores them): the same code under another sha256, as a rebuild would give.
// Returns `dest`.
std::string rebuilt_copy(const std::string& library, const std::string& dest);

}  // namespace hyperion::testing
