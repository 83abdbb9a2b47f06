// Fuzz target: the admin API's request handling, over a real socket against a
// real host (no plugins) and its AdminServer on a loopback port. The first byte
// picks how the rest is sent:
//   0      the bytes as they are (HTTP parsing, routing, the token check)
//   1, 2   METHOD PATH from the first line, the rest as the body, with the
//          right token (1) or none (2)
// Each input gets its own connection, half-closed after sending, so the server
// sees the end of the request. The oracle beyond "no crash": a request without
// the token never gets a 2xx.
// GET /v1/events streams until the client goes away, so inputs asking for it
// are skipped (its handler is covered by the admin server's tests).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "admin/admin_server.h"
#include "app/host.h"

namespace {

constexpr const char* kToken = "fuzz-token-0123456789abcdef-0123456789";

struct Target {
  std::unique_ptr<hyperion::app::Host> host;
  std::unique_ptr<hyperion::admin::AdminServer> admin;
  std::string host_block;  // the manifest's host: section, which a reload cannot change
};

// Made on first use and kept until hyperion_fuzz_teardown() (the replay run
// calls it; under libFuzzer the process just ends). Left to a static
// destructor, the admin server's threads raced cpp-httplib's own statics at
// exit (TSan).
Target* target_instance = nullptr;

Target& target() {
  static Target* t = target_instance = [] {
    auto dir = std::filesystem::temp_directory_path() / ("hyperion-fuzz-admin-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "token") << kToken << "\n";
    std::filesystem::permissions(dir / "token",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string host_block =
        "host:\n  state_dir: " + (dir / "state").string() +
        "\n  log_level: error\n  admin:\n    listen: 127.0.0.1:0\n    token_file: " + (dir / "token").string() +
        "\n    max_body_bytes: 65536\n";
    std::ofstream(dir / "app.yaml") << "app: fuzz\n" << host_block << "plugins: []\n";
    hyperion::app::HostOptions options;
    options.log_level = "error";
    auto host = hyperion::app::Host::prepare((dir / "app.yaml").string(), options);
    if (!host.ok() || !(*host)->start().ok()) std::abort();
    // Copied, as `hyperion run` does, before a reload can replace the plan.
    const hyperion::manifest::AdminSettings settings = (*host)->plan().manifest.host.admin;
    auto admin = hyperion::admin::AdminServer::start((*host)->operator_access(), settings, (*host)->state_dir());
    if (!admin.ok()) std::abort();
    return new Target{std::move(*host), std::move(*admin), host_block};
  }();
  return *t;
}

// A body may say @HOST@ where a manifest needs the running host's host:
// section (its state folder and admin settings cannot change in a reload), so
// reload seeds get past that check to the plugins.
std::string with_host_block(std::string_view body) {
  std::string out(body);
  static constexpr std::string_view kPlaceholder = "@HOST@";
  const std::string& block = target().host_block;
  for (size_t at = out.find(kPlaceholder); at != std::string::npos; at = out.find(kPlaceholder, at + block.size())) {
    out.replace(at, kPlaceholder.size(), block);
  }
  return out;
}

// Sends `request`, half-closes, and returns the status code of the answer (0
// when there is none).
int send_request(int port, std::string_view request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  timeval limit{10, 0};  // a server that never answers is a finding: fail loudly
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  // The server closes first, so each connection leaves a TIME_WAIT on its side
  // for a minute, holding that (client port, server port) pair: tens of
  // thousands of inputs from one address ran out of local ports after a test
  // suite's own connections (connect failed). Each input comes from one of 250
  // loopback addresses in turn, so the pairs never run out.
  static unsigned next_source = 0;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (next_source++ % 250));  // 127.0.0.2 .. 127.0.0.251
  if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
    std::fprintf(stderr, "admin_fuzzer: bind to a loopback address: %s\n", std::strerror(errno));
    std::abort();
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "admin_fuzzer: connect to 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    std::abort();
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (a body over the cap)
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) std::abort();  // no answer in 10 s: a hang
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (answer.size() < 12 || !answer.starts_with("HTTP/1.1 ")) return 0;
  return std::atoi(answer.substr(9, 3).c_str());
}

}  // namespace

extern "C" void hyperion_fuzz_teardown() {
  if (target_instance == nullptr) return;
  target_instance->admin.reset();  // stops accepting and joins its threads
  (void)target_instance->host->stop();
  delete target_instance;
  target_instance = nullptr;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (input.find("/v1/events") != std::string_view::npos) return 0;
  const int port = target().admin->port();
  const int mode = data[0] % 3;
  if (mode == 0) {
    int status = send_request(port, input);
    // Only the token opens the API (no seed holds it).
    if (status >= 200 && status < 300 && input.find(kToken) == std::string_view::npos) std::abort();
    return 0;
  }
  static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  size_t eol = input.find('\n');
  std::string_view first = input.substr(0, eol);
  const std::string body = with_host_block(eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1));
  const char* method = kMethods[first.empty() ? 0 : static_cast<uint8_t>(first[0]) % 4];
  std::string_view path = first.empty() ? first : first.substr(1);
  std::string request = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (mode == 1) request += std::string("Authorization: Bearer ") + kToken + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  request.append(body);
  int status = send_request(port, request);
  if (mode == 2 && status >= 200 && status < 300) std::abort();  // no token, yet accepted
  return 0;
}
