// The host's listeners under attack, as #25 tried them against a running host:
// one real `hyperion run` with the admin API and the health plugin, driven by
// raw sockets (no HTTP library would send what an attacker sends). Headers that
// never end, hundreds of connections that send a byte now and then, event
// streams held open, and requests that cpp-httplib once mishandled. What must
// hold: the host's memory stays bounded and the probes and an authenticated
// request keep answering quickly (the engine under both listeners:
// plugins/common/http_engine, docs/security.md).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "http/http_server_host.h"
#include "support/test_support.h"

namespace hyperion {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

constexpr const char* kToken = "stress-test-token-0123456789abcdef-xyz";

using http_server_test::RawConnection;
using Connections = std::vector<std::unique_ptr<RawConnection>>;

// The status of the next response on `c`; 0 when none arrived (closed, reset).
int next_status(RawConnection& c, milliseconds timeout = milliseconds(5000)) {
  auto r = c.read_response(timeout);
  return r ? r->status : 0;
}

// One request on a fresh connection, answered and closed: its status and how long it took.
std::pair<int, microseconds> timed_get(int port, const std::string& path, const std::string& headers = "") {
  auto began = Clock::now();
  RawConnection c(port);
  if (!c.connected()) return {0, microseconds(0)};
  c.send(http_server_test::get_request(path, "Connection: close\r\n" + headers));
  int status = next_status(c);
  return {status, std::chrono::duration_cast<microseconds>(Clock::now() - began)};
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class ListenerStressTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Hundreds of sockets here, hundreds in the host.
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  void SetUp() override {
    const std::string token = dir_.write("token", std::string(kToken) + "\n");
    ::chmod(token.c_str(), 0600);
    const std::string manifest = dir_.write(
        "app.yaml", "app: stress\nhost:\n  state_dir: " + dir_.path() + "/state\n  reload: {watch: false}\n" +
                        "  admin:\n    listen: 127.0.0.1:" + std::to_string(admin_port_) +
                        "\n    token_file: " + token + "\nplugins:\n  - name: hello\n    library: hello\n" +
                        "  - name: health\n    library: health\n    config: {listen: \"127.0.0.1:" +
                        std::to_string(health_port_) + "\"}\n");
    host_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        testing::hyperion_binary(), "run", manifest, "--plugin-path", testing::example_plugin_dir()});
    ASSERT_TRUE(host_->wait_for_stderr("admin API on http://127.0.0.1:", std::chrono::seconds(30)));
    ASSERT_EQ(timed_get(health_port_, "/readyz").first, 200);
  }

  const std::string auth_ = std::string("Authorization: Bearer ") + kToken + "\r\n";
  testing::TempDir dir_;
  int admin_port_ = testing::free_loopback_port();
  int health_port_ = testing::free_loopback_port();
  std::unique_ptr<testing::ChildProcess> host_;
};

// #25 point 1: header lines without end were read into memory without bound
// (25 -> 331 MB from one connection, 921 MB from four, kept after they
// closed). Now the request line and each header line are capped at 8 KiB, all
// headers at 64 KiB: the flood is cut off, the memory stays bounded.
TEST_F(ListenerStressTest, EndlessHeadersAreCutOffAndTheMemoryStaysBounded) {
  const long before = rss_kib(host_->pid());
  ASSERT_GT(before, 0);
  const std::string line = "X-Flood: " + std::string(1000, 'a') + "\r\n";
  std::string burst;
  for (int i = 0; i < 64; ++i) burst += line;  // 64 KiB a write
  for (int port : {admin_port_, health_port_}) {
    Connections floods;
    for (int i = 0; i < 8; ++i) {
      floods.push_back(std::make_unique<RawConnection>(port));
      ASSERT_TRUE(floods.back()->connected());
      ASSERT_TRUE(floods.back()->send("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    }
    // Each flood sends up to 64 MiB; the server must end each connection long
    // before (what it has not read stays in the kernel's socket buffers).
    for (auto& s : floods) {
      size_t sent = 0;
      int status = 0;
      while (sent < (64u << 20)) {
        pollfd p{s->fd(), POLLOUT | POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        if ((p.revents & POLLIN) != 0) {
          status = next_status(*s, milliseconds(1000));
          break;
        }
        ssize_t n = ::send(s->fd(), burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) continue;
        if (n <= 0) break;  // reset: the server closed
        sent += static_cast<size_t>(n);
      }
      EXPECT_LT(sent, 64u << 20) << "port " << port << ": the server kept reading";
      EXPECT_TRUE(status == 0 || status == 431) << "port " << port << ": status " << status;
    }
  }
  // One line longer than 8 KiB, and a request line longer than 8 KiB.
  for (int port : {admin_port_, health_port_}) {
    RawConnection s(port);
    s.send(http_server_test::get_request("/livez", "X-Long: " + std::string(9000, 'b') + "\r\n"));
    EXPECT_EQ(next_status(s), 431) << "port " << port;
    RawConnection t(port);
    t.send(http_server_test::get_request("/" + std::string(9000, 'c')));
    EXPECT_EQ(next_status(t), 414) << "port " << port;
  }
  const long after = rss_kib(host_->pid());
  std::printf("host RSS before %ld KiB, after 16 header floods %ld KiB (+%ld KiB)\n", before, after, after - before);
  EXPECT_LT(after - before, (kSanitized ? 64 : 16) * 1024) << "the floods grew the host";
  EXPECT_EQ(timed_get(health_port_, "/readyz").first, 200);
  EXPECT_EQ(timed_get(admin_port_, "/v1/status", auth_).first, 200);
}

// #25 point 2: eight connections sending a header line every 3 s locked out the
// admin API and the probes (cpp-httplib's eight workers), and eight event
// streams did the same. Now a slow client holds a socket, not a thread.
TEST_F(ListenerStressTest, SlowConnectionsAndEventStreamsDoNotLockOutProbesOrTheAdminApi) {
  Connections slow;
  for (int port : {admin_port_, health_port_}) {
    for (int i = 0; i < 200; ++i) {
      slow.push_back(std::make_unique<RawConnection>(port));
      ASSERT_TRUE(slow.back()->connected()) << "connection " << i << " to " << port;
      ASSERT_TRUE(slow.back()->send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n"));
    }
  }
  Connections streams;
  for (int i = 0; i < 16; ++i) {
    streams.push_back(std::make_unique<RawConnection>(admin_port_));
    ASSERT_TRUE(streams.back()->send(http_server_test::get_request("/v1/events", auth_)));
  }
  for (auto& s : streams) {
    auto head = s->read_response(milliseconds(5000), /*to_head=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
  }
  // A trickle on every slow connection while the probes run: they stay open.
  for (auto& s : slow) ASSERT_TRUE(s->send("X-More: 1\r\n"));

  std::vector<long> readyz;
  std::vector<long> status;
  for (int i = 0; i < 20; ++i) {
    auto [a, ta] = timed_get(health_port_, "/readyz");
    EXPECT_EQ(a, 200);
    readyz.push_back(ta.count());
    auto [b, tb] = timed_get(admin_port_, "/v1/status", auth_);
    EXPECT_EQ(b, 200);
    status.push_back(tb.count());
  }
  std::sort(readyz.begin(), readyz.end());
  std::sort(status.begin(), status.end());
  std::printf(
      "with 400 slow connections and 16 event streams: /readyz median %ld us, max %ld us; "
      "/v1/status median %ld us, max %ld us\n",
      readyz[10], readyz.back(), status[10], status.back());
  // The goal is 100 ms; a loaded CI machine (two test processes per core pair)
  // is allowed one slow outlier, never a lockout.
  const long goal = (kSanitized ? 500 : 100) * 1000;  // microseconds
  EXPECT_LE(readyz[10], goal);
  EXPECT_LE(status[10], goal);
  EXPECT_LE(readyz.back(), 10 * goal);
  EXPECT_LE(status.back(), 10 * goal);

  // The streams are live: a reload's events reach every one of them.
  RawConnection reload(admin_port_);
  reload.send("POST /v1/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n" + auth_ +
              "\r\n");
  EXPECT_EQ(next_status(reload, milliseconds(30000)), 200);
  for (auto& s : streams) EXPECT_TRUE(s->wait_for("event: "));
  // And the slow connections are still held, not dropped to make room.
  size_t open = 0;
  for (auto& s : slow) open += s->send("X-Still: 1\r\n") ? 1 : 0;
  EXPECT_EQ(open, slow.size());
}

// #25 point 3: HTTP as RFC 9112 has it, on both listeners.
TEST_F(ListenerStressTest, LengthlessPostsPipelinesAndBurstsAreServedCorrectly) {
  // A POST without Content-Length waited 5 s, then 400: now 411 at once.
  {
    auto began = Clock::now();
    RawConnection s(admin_port_);
    s.send("POST /v1/reload HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_ + "\r\n");
    EXPECT_EQ(next_status(s), 411);
    EXPECT_LT(Clock::now() - began, milliseconds(2000));
  }
  // Pipelined requests stalled after the first: now each is answered, in order.
  for (int port : {admin_port_, health_port_}) {
    RawConnection s(port);
    std::string one = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_ + "\r\n";
    std::string last = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth_ + "\r\n";
    if (port == admin_port_) {
      one = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_ + "\r\n";
      last = "GET /v1/plugins HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth_ + "\r\n";
    }
    s.send(one + one + last);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(next_status(s), 200) << "port " << port << ", answer " << i;
  }
  // curl's default form content type over 8 KiB got a misleading 413: the body
  // is read (up to max_body_bytes) and judged as a manifest.
  {
    RawConnection s(admin_port_);
    std::string body = "a=" + std::string(9000, 'x');
    s.send(
        "POST /v1/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n" + auth_ + "\r\n" + body);
    auto answer = s.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << answer->body;
    EXPECT_NE(answer->body.find("YAML manifest"), std::string::npos) << answer->body;
  }
  // A burst of connections (the listen backlog was 5): every one is served.
  {
    Connections burst;
    for (int i = 0; i < 300; ++i) burst.push_back(std::make_unique<RawConnection>(health_port_));
    for (auto& s : burst) ASSERT_TRUE(s->send(http_server_test::get_request("/livez", "Connection: close\r\n")));
    size_t ok = 0;
    for (auto& s : burst) ok += next_status(*s) == 200 ? 1 : 0;
    EXPECT_EQ(ok, burst.size());
  }
}

// #25 point 4, over a raw socket: what the token check sees, and what the
// parser refuses before it.
TEST_F(ListenerStressTest, TokenEdges) {
  auto get = [&](const std::string& authorization) {
    RawConnection s(admin_port_);
    s.send(http_server_test::get_request("/v1/status", "Connection: close\r\n" + authorization));
    return next_status(s);
  };
  EXPECT_EQ(get(""), 401);
  EXPECT_EQ(get("Authorization: Bearer\r\n"), 401);
  EXPECT_EQ(get("Authorization: Basic " + std::string(kToken) + "\r\n"), 401);
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kToken).substr(1) + "\r\n"), 401);
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kToken) + "x\r\n"), 401);
  EXPECT_EQ(get("Authorization: bEaReR " + std::string(kToken) + "\r\n"), 200);
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kToken) + "\r\nAuthorization: Bearer x\r\n"), 400);
  // A NUL or another control character inside a field is malformed HTTP: 400.
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kToken) + std::string(1, '\0') + "junk\r\n"), 400);
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kToken) + "\x1b\r\n"), 400);
  // Unknown paths reveal nothing without the token.
  RawConnection s(admin_port_);
  s.send(http_server_test::get_request("/v1/nothing-here", "Connection: close\r\n"));
  EXPECT_EQ(next_status(s), 401);
}

}  // namespace
}  // namespace hyperion
