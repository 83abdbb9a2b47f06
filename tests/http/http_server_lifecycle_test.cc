// The http-server plugin over its life: drain on stop, a handler replaced or
// withdrawn while requests are in flight, settings and the listener changed by
// reload, TLS and mTLS, and configurations that cannot work.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "http/http_server_host.h"
#include "support/test_certificates.h"
#include "support/test_support.h"

namespace hyperion::http_server_test {
namespace {

using namespace std::chrono_literals;

bool journal_has(const HttpServerHost& host, const std::string& line) {
  return testing::eventually([&] { return testing::read_file(host.journal()).find(line) != std::string::npos; });
}

std::future<std::optional<RawResponse>> get_async(int port, const std::string& target) {
  return std::async(std::launch::async, [port, target] {
    RawConnection c(port);
    c.send(get_request(target));
    return c.read_response(10s);
  });
}

TEST(HttpServerLifecycle, StopLetsARequestInFlightFinish) {
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  auto slow = get_async(host.port(), "/probe/slow");
  ASSERT_TRUE(journal_has(host, "probe: slow started"));
  host.stop();
  auto r = slow.get();
  ASSERT_TRUE(r) << "the answer in flight was cut off";
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow probe");
}

TEST(HttpServerLifecycle, AStreamIsCancelledOnStopAndEndsCleanly) {
  // A stream runs until its drain nears the stop deadline: keep that short.
  HttpServerHost host("",
                      "  - name: probe\n    library: http_probe\n    stop_timeout_ms: 600\n"
                      "    config: {journal: \"DIR/journal\"}\n",
                      false);
  ASSERT_TRUE(host.ok()) << host.error();
  RawConnection c(host.port());
  ASSERT_TRUE(c.send(get_request("/probe/sse/forever")));
  ASSERT_TRUE(journal_has(host, "probe: forever started"));
  host.stop();
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << "the chunked stream did not end with its last chunk";
  EXPECT_NE(r->body.find("data: tick 0\n\n"), std::string::npos);
  EXPECT_NE(testing::read_file(host.journal()).find("probe: forever ended"), std::string::npos);
}

// The swap guarantee: a newer registration of the same route takes new
// requests; the one in flight finishes with the handler that started it.
TEST(HttpServerLifecycle, AReplacedHandlerFinishesItsRequestAndTheNewOneTakesOver) {
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  auto slow = get_async(host.port(), "/probe/slow");
  ASSERT_TRUE(journal_has(host, "probe: slow started"));
  std::string two = "  - name: probe2\n    library: http_probe\n    config: {tag: two, journal: \"DIR/journal\"}\n";
  std::string summary = host.reload(host.manifest("", two));
  ASSERT_NE(summary.find("applied"), std::string::npos) << summary;
  RawConnection c(host.port());
  c.send(get_request("/probe/users/me"));
  EXPECT_EQ(c.read_response()->header("x-tag"), "two");
  auto r = slow.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slow probe") << "the request in flight stayed with its handler";
  // Withdrawing the newer one uncovers the older.
  summary = host.reload(host.manifest("", ""));
  ASSERT_NE(summary.find("applied"), std::string::npos) << summary;
  c.send(get_request("/probe/users/me"));
  EXPECT_EQ(c.read_response()->header("x-tag"), "probe");
}

TEST(HttpServerLifecycle, AWithdrawnRouteDrainsThenAnswers404) {
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  auto slow = get_async(host.port(), "/probe/slow");
  ASSERT_TRUE(journal_has(host, "probe: slow started"));
  std::string summary = host.reload(host.manifest("", "", false));
  ASSERT_NE(summary.find("applied"), std::string::npos) << summary;
  auto r = slow.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "drained, not cut";
  RawConnection c(host.port());
  c.send(get_request("/probe/users/me"));
  EXPECT_EQ(c.read_response()->status, 404);
}

TEST(HttpServerLifecycle, ReloadChangesLimitsAndMovesTheListenerKeepingConnections) {
  HttpServerHost host(", max_body_bytes: 4");
  ASSERT_TRUE(host.ok()) << host.error();
  int old_port = host.port();
  RawConnection kept(old_port);
  kept.send("POST /probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(kept.read_response()->status, 413);
  RawConnection alive(old_port);
  alive.send(get_request("/probe/users/me"));
  ASSERT_TRUE(alive.read_response());

  int new_port = testing::free_loopback_port();
  std::string summary = host.reload(host.manifest(", listen: \"127.0.0.1:" + std::to_string(new_port) + "\"", ""));
  ASSERT_NE(summary.find("applied"), std::string::npos) << summary;
  EXPECT_EQ(host.port(), new_port);
  RawConnection moved(new_port);
  moved.send("POST /probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(moved.read_response()->status, 201) << "the default body limit is back";
  alive.send(get_request("/probe/users/2"));
  auto r = alive.read_response();
  ASSERT_TRUE(r) << "an open connection survived the move";
  EXPECT_EQ(r->body, "user 2");
  RawConnection refused(old_port);
  EXPECT_FALSE(refused.connected()) << "the old listener is closed";
}

TEST(HttpServerLifecycle, AMoveStraightBackFindsTheOldAddressFree) {
  // A rollback right after a reload that moved the listener: the old acceptor
  // must be closed when the commit returns, not a moment later on an I/O
  // thread (found by `hyperion check`, which moves a field and back at once).
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  const int old_port = host.port();
  const std::string old_listen = ", listen: \"127.0.0.1:" + std::to_string(old_port) + "\"";
  for (int round = 0; round < 20; ++round) {
    int new_port = testing::free_loopback_port();
    std::string moved = host.reload(host.manifest(", listen: \"127.0.0.1:" + std::to_string(new_port) + "\"", ""));
    ASSERT_NE(moved.find("applied"), std::string::npos) << "round " << round << ": " << moved;
    std::string back = host.reload(host.manifest(old_listen, ""));
    ASSERT_NE(back.find("applied"), std::string::npos) << "round " << round << ": " << back;
    ASSERT_EQ(host.port(), old_port);
  }
  RawConnection c(old_port);
  c.send(get_request("/probe/users/me"));
  EXPECT_EQ(c.read_response()->body, "me");
}

TEST(HttpServerLifecycle, AReloadToAPortInUseIsRefusedAndTheOldListenerServesOn) {
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  HttpServerHost other("", "", false);
  ASSERT_TRUE(other.ok()) << other.error();
  int before = host.port();
  std::string summary = host.reload(host.manifest(", listen: \"127.0.0.1:" + std::to_string(other.port()) + "\"", ""));
  EXPECT_NE(summary.find("refused"), std::string::npos) << summary;
  EXPECT_NE(summary.find("listen: cannot serve on 127.0.0.1:" + std::to_string(other.port())), std::string::npos)
      << summary;
  EXPECT_EQ(host.port(), before);
  RawConnection c(before);
  c.send(get_request("/probe/users/me"));
  EXPECT_EQ(c.read_response()->body, "me");
}

class HttpServerTls : public ::testing::Test {
 protected:
  void SetUp() override { testing::make_test_certificates(certs_.path()); }
  std::string cert(const std::string& name) const { return certs_.path() + "/" + name; }
  std::string tls(bool require_client) const {
    return ", tls: {cert_file: \"" + cert("server.pem") + "\", key_file: \"" + cert("server.key") +
           "\", client_ca_file: \"" + cert("ca.pem") +
           "\", require_client_cert: " + (require_client ? "true" : "false") + "}";
  }
  static testing::ProcessResult curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"curl", "-sS", "--max-time", "10"});
    return testing::run_process(args, 15s);
  }
  testing::TempDir certs_;
};

TEST_F(HttpServerTls, ServesHttpsAndRefusesPlainText) {
  HttpServerHost host(tls(false));
  ASSERT_TRUE(host.ok()) << host.error();
  std::string url = "https://127.0.0.1:" + std::to_string(host.port()) + "/probe/users/me";
  auto r = curl({"--cacert", cert("ca.pem"), url});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "me");
  RawConnection plain(host.port());
  plain.send(get_request("/probe/users/me"));
  EXPECT_FALSE(plain.read_response(2s)) << "plain HTTP on a TLS port";
}

TEST_F(HttpServerTls, MutualTlsRequiresAClientCertificate) {
  HttpServerHost host(tls(true));
  ASSERT_TRUE(host.ok()) << host.error();
  std::string url = "https://127.0.0.1:" + std::to_string(host.port()) + "/probe/users/me";
  EXPECT_NE(curl({"--cacert", cert("ca.pem"), url}).exit_code, 0) << "no client certificate";
  auto r = curl({"--cacert", cert("ca.pem"), "--cert", cert("client.pem"), "--key", cert("client.key"), url});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "me");
}

TEST_F(HttpServerTls, AReloadTurnsTlsOnKeepingRoutesAndRefusesAnUnreadableKey) {
  HttpServerHost host;
  ASSERT_TRUE(host.ok()) << host.error();
  std::string bad = ", tls: {cert_file: \"" + cert("server.pem") + "\", key_file: \"/nonexistent.key\"}";
  std::string summary = host.reload(host.manifest(bad, ""));
  EXPECT_NE(summary.find("tls.key_file: cannot read /nonexistent.key"), std::string::npos) << summary;
  RawConnection plain(host.port());
  plain.send(get_request("/probe/users/me"));
  EXPECT_EQ(plain.read_response()->body, "me") << "the refused reload changed nothing";
  summary = host.reload(host.manifest(tls(false), ""));
  ASSERT_NE(summary.find("applied"), std::string::npos) << summary;
  std::string url = "https://127.0.0.1:" + std::to_string(host.port()) + "/probe/users/me";
  auto r = curl({"--cacert", cert("ca.pem"), url});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "me") << "the probe's routes survived the move to TLS";
}

TEST_F(HttpServerTls, ConfigurationsThatCannotWorkFailNamingTheField) {
  HttpServerHost missing(", tls: {cert_file: \"" + cert("server.pem") + "\", key_file: \"/nonexistent.key\"}");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("tls.key_file: cannot read /nonexistent.key"), std::string::npos) << missing.error();
  HttpServerHost no_ca(", tls: {cert_file: \"" + cert("server.pem") + "\", key_file: \"" + cert("server.key") +
                       "\", require_client_cert: true}");
  EXPECT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().find("tls.require_client_cert: needs tls.client_ca_file"), std::string::npos)
      << no_ca.error();
  HttpServerHost bad_listen(", listen: \"not-an-ip:80\"");
  EXPECT_FALSE(bad_listen.ok());
  EXPECT_NE(bad_listen.error().find("listen: \"not-an-ip\" is not an IP address"), std::string::npos)
      << bad_listen.error();
  HttpServerHost credentials_star(", cors: {allow_origins: [\"*\"], allow_credentials: true}");
  EXPECT_FALSE(credentials_star.ok());
  EXPECT_NE(credentials_star.error().find("cors.allow_credentials"), std::string::npos) << credentials_star.error();
}

}  // namespace
}  // namespace hyperion::http_server_test
