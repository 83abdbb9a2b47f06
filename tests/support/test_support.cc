#include "support/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hyperion::testing {
namespace {

// A test process holds hosts and plugins in process, as `hyperion` does: a
// peer closing a connection while one writes to it must fail that write, not
// end the suite (hyperion's main calls os::ignore_broken_pipes() for the same
// reason; a TLS client writing through OpenSSL's socket BIO does not pass
// MSG_NOSIGNAL).
[[maybe_unused]] const bool kBrokenPipesIgnored = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hyperion-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& contents) const {
  std::filesystem::path p = std::filesystem::path(path_) / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << contents;
  return p.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  // The child must not inherit a blocked signal mask from a test thread, nor
  // this process's ignored SIGPIPE: it starts as a process started by a shell
  // would (and so a test can see what the child itself ignores).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), environ) != 0) {
    throw std::runtime_error("posix_spawn " + argv[0] + " failed");
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  reader_ = std::thread([this] { read_loop(); });
}

void ChildProcess::stop_reader() {
  if (!reader_.joinable()) return;
  // The child is gone; whatever still holds its pipes open (a grandchild)
  // must not keep the reader: after a moment, wake it up for good.
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return closed_; });
  }
  char one = 1;
  (void)!write(wake_[1], &one, 1);
  reader_.join();
}

ChildProcess::~ChildProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  stop_reader();
  for (int fd : {out_fd_, err_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) close(fd);
  }
}

void ChildProcess::read_loop() {
  pollfd fds[3] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        std::lock_guard lock(mu_);
        (i == 0 ? result_.out : result_.err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative fds
        --open_fds;
      }
    }
    cv_.notify_all();
  }
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

bool ChildProcess::wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return result_.err.find(text) != std::string::npos || closed_; }) &&
         result_.err.find(text) != std::string::npos;
}

void ChildProcess::signal(int sig) {
  if (!exited_) kill(pid_, sig);
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return closed_; });
  }
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  exited_ = true;
  stop_reader();
  std::lock_guard lock(mu_);
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  return result_;
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ChildProcess child(argv);
  return child.wait(timeout);
}

std::string hyperion_binary() { return HYPERION_TEST_BINARY; }
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Below the kernel's ephemeral range: a port bind(0) hands out is in it, and so
// is the local port of every outgoing connection, so a host that connects out a
// lot could take a port picked that way before its listener binds it.
int free_loopback_port() {
  static std::mutex mu;
  static std::set<int> taken;
  static std::mt19937 rng(static_cast<unsigned>(::getpid()) * 2654435761u ^
                          static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  int low = 32768;
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) range >> low;
  const int last = std::min(low, 65536) - 1;
  const int first = last > 21000 ? 20000 : 1024;
  std::lock_guard lock(mu);
  if (taken.size() > 4000) taken.clear();  // only picks close together must differ
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = std::uniform_int_distribution<int>(first, last)(rng);
    if (taken.count(port) != 0) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (!bound) continue;
    taken.insert(port);
    return port;
  }
  throw std::runtime_error("no free loopback port below the ephemeral range");
}

ReusePortListener::ReusePortListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes) != 0 ||
      ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot listen on a loopback port with SO_REUSEPORT");
  }
  port_ = ntohs(addr.sin_port);
}

ReusePortListener::~ReusePortListener() { ::close(fd_); }

std::string test_plugin(const std::string& name) { return std::string(HYPERION_TEST_PLUGIN_DIR) + "/" + name + ".so"; }
std::string example_plugin_dir() { return HYPERION_TEST_EXAMPLE_PLUGIN_DIR; }
std::string source_dir() { return HYPERION_TEST_SOURCE_DIR; }

std::string rebuilt_copy(const std::string& library, const std::string& dest) {
  std::filesystem::copy_file(library, dest, std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dest, std::ios::app | std::ios::binary) << "rebuilt";
  return dest;
}

}  // namespace hyperion::testing
