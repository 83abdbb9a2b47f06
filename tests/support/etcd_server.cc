#include "support/etcd_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/test_certificates.h"

namespace hyperion::testing {

bool EtcdServer::available() {
  return std::filesystem::exists("/usr/bin/etcd") && std::filesystem::exists("/usr/bin/etcdctl");
}

EtcdServer::EtcdServer(Options options) : options_(options) {
  if (options_.tls) make_test_certificates(dir_.path());
  client_port_ = free_loopback_port();
  do {
    peer_port_ = free_loopback_port();
  } while (peer_port_ == client_port_);
  start();
}

EtcdServer::~EtcdServer() { stop(); }

void EtcdServer::start() {
  if (pid_ > 0) return;
  const std::string scheme = options_.tls ? "https://" : "http://";
  const std::string client = scheme + endpoint();
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  std::vector<std::string> argv = {"/usr/bin/etcd",
                                   "--name=test",
                                   "--data-dir=" + dir_.path() + "/data",
                                   "--listen-client-urls=" + client,
                                   "--advertise-client-urls=" + client,
                                   "--listen-peer-urls=" + peer,
                                   "--initial-advertise-peer-urls=" + peer,
                                   "--initial-cluster=test=" + peer,
                                   "--log-level=error",
                                   "--logger=zap"};
  if (options_.tls) {
    argv.push_back("--cert-file=" + dir_.path() + "/server.pem");
    argv.push_back("--key-file=" + dir_.path() + "/server.key");
    // No --trusted-ca-file: with it etcd demands client certificates, also from
    // its own gateway, which dials back with the server's (serverAuth-only) cert.
  }
  const std::string log = dir_.path() + "/etcd.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("etcd: fork failed");
  // Ready when etcdctl can read (the endpoint answers and the member is leader).
  const bool up = eventually([&] { return etcdctl({"endpoint", "health"}).exit_code == 0; }, std::chrono::seconds(20));
  if (!up) {
    std::string why = read_file(log);
    stop();
    throw std::runtime_error("etcd did not become healthy on " + endpoint() + ":\n" + why);
  }
}

void EtcdServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ProcessResult EtcdServer::etcdctl(const std::vector<std::string>& args, const std::vector<std::string>& flags) const {
  std::vector<std::string> argv = {"/usr/bin/etcdctl", "--endpoints=" + url(), "--command-timeout=5s",
                                   "--dial-timeout=2s"};
  if (options_.tls) {
    argv.push_back("--cacert=" + dir_.path() + "/ca.pem");
  }
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, std::chrono::seconds(15));
}

}  // namespace hyperion::testing
