// The http-server plugin in a real host with the http_probe handler plugin,
// called over loopback with a raw HTTP/1.1 client and with curl: routing,
// every status the server answers itself, problems, async answers, streams,
// gzip, CORS, request ids, trace context, metrics.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/http_server_host.h"
#include "support/test_support.h"

namespace hyperion::http_server_test {
namespace {

using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HttpServerHost(", cors: {allow_origins: [\"https://app.example\"]}"); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(host_->ok()) << host_->error(); }

  static RawResponse get(const std::string& target, const std::string& extra = "") {
    return request(get_request(target, extra));
  }
  static RawResponse request(const std::string& text) {
    RawConnection c(host_->port());
    EXPECT_TRUE(c.send(text));
    auto r = c.read_response();
    EXPECT_TRUE(r.has_value()) << text;
    return r.value_or(RawResponse{});
  }
  static boost::json::object problem(const RawResponse& r) {
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    return boost::json::parse(r.body).as_object();
  }
  static std::string curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"curl", "-sS", "--max-time", "10"});
    auto result = testing::run_process(args, 15s);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }
  static std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(host_->port()) + path; }

  static HttpServerHost* host_;
};
HttpServerHost* HttpServerTest::host_ = nullptr;

TEST_F(HttpServerTest, ServesARouteWithParamsQueryAndHeaders) {
  RawResponse r = get("/probe/echo/bob%20smith?a=1+2&b", "X-Echo: hi\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o.at("name"), "bob smith");
  EXPECT_EQ(o.at("a"), "1 2");
  EXPECT_EQ(o.at("x_echo"), "hi");
  EXPECT_EQ(o.at("route"), "/probe/echo/{name}");
  EXPECT_EQ(o.at("method"), "GET");
  EXPECT_EQ(r.header("x-tag"), "probe");
}

TEST_F(HttpServerTest, LiteralRoutesBeatParametersAndRestTakesSlashes) {
  EXPECT_EQ(get("/probe/users/me").body, "me");
  EXPECT_EQ(get("/probe/users/7").body, "user 7");
  EXPECT_EQ(get("/probe/files/a/b/c.txt").body, "rest=a/b/c.txt");
  EXPECT_EQ(request("PATCH /probe/any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").body, "PATCH");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  RawResponse r = get("/nothing/here");
  EXPECT_EQ(r.status, 404);
  auto p = problem(r);
  EXPECT_EQ(p.at("status"), 404);
  EXPECT_EQ(p.at("title"), "Not Found");
  EXPECT_EQ(p.at("instance"), "/nothing/here");
  r = request("DELETE /probe/users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(problem(r).at("status"), 405);
}

TEST_F(HttpServerTest, HeadAnswersLikeGetWithoutTheBody) {
  RawResponse full = get("/probe/big");
  RawConnection c(host_->port());
  ASSERT_TRUE(c.send("HEAD /probe/big HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/probe/users/me")));
  auto head = c.read_response(5s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(full.body.size()));
  // No body was sent: the next response on the connection parses right after the head.
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "me");
}

TEST_F(HttpServerTest, OptionsListsAllowedMethods) {
  RawResponse r = request("OPTIONS /probe/users/7 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
  r = request("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(request("OPTIONS /nothing HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
}

TEST_F(HttpServerTest, AThrowingHandlerGets500AndTheServerGoesOn) {
  RawResponse r = get("/probe/throw");
  EXPECT_EQ(r.status, 500);
  auto p = problem(r);
  EXPECT_EQ(p.at("status"), 500);
  EXPECT_EQ(std::string(p.at("detail").as_string()).find("boom"), std::string::npos)
      << "the exception text goes to the log, not to the client: " << r.body;
  EXPECT_EQ(get("/probe/users/me").status, 200);
}

TEST_F(HttpServerTest, ProblemsCarryTheirStatusAndExtensions) {
  RawResponse r = get("/probe/problem");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(problem(r).at("detail"), "already there");
  std::string json_post = "POST /probe/json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ";
  r = request(json_post + "2\r\n\r\n{}");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(problem(r).at("errors").as_array().at(0).at("field"), "name");
  r = request(json_post + "5\r\n\r\n{oops");
  EXPECT_EQ(r.status, 400);
  r = request("POST /probe/json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(r.status, 415);
  r = request(json_post + "14\r\n\r\n{\"name\":\"ann\"}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"name\":\"ann\"}");
}

TEST_F(HttpServerTest, EchoesBodiesIncludingChunkedOnes) {
  RawResponse r =
      request("POST /probe/echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.header("content-type"), "text/x");
  r = request(
      "POST /probe/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(r.body, "abcde");
  // curl sends Expect: 100-continue for larger bodies and waits for the interim answer.
  std::string big(200000, 'x');
  testing::TempDir dir;
  std::string file = dir.write("body", big);
  std::string out = curl({"-H", "Expect: 100-continue", "--data-binary", "@" + file, url("/probe/echo")});
  EXPECT_EQ(out.size(), big.size());
}

TEST_F(HttpServerTest, RequestIdsAreEchoedOrMadeAndTraceContextContinues) {
  RawResponse r = get("/probe/echo/x", "X-Request-Id: abc-123\r\n");
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  EXPECT_EQ(boost::json::parse(r.body).at("request_id"), "abc-123");
  r = get("/probe/echo/x", "X-Request-Id: bad id with spaces\r\n");
  EXPECT_EQ(r.header("x-request-id").size(), 32u) << "an insane id is replaced";
  const std::string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  r = get("/probe/echo/x", "traceparent: " + parent + "\r\n");
  std::string seen(boost::json::parse(r.body).at("traceparent").as_string());
  EXPECT_EQ(seen.substr(0, 36), parent.substr(0, 36)) << "same trace";
  EXPECT_NE(seen.substr(36, 16), parent.substr(36, 16)) << "a new span for the server side";
}

TEST_F(HttpServerTest, AnswersFromAnotherThreadLater) {
  RawResponse r = get("/probe/slow");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow probe");
  EXPECT_EQ(r.header("x-tag"), "probe");
  EXPECT_EQ(r.header("x-early"), "before defer") << "a header set before defer() is kept";
}

TEST_F(HttpServerTest, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  RawConnection c(host_->port());
  ASSERT_TRUE(c.send(get_request("/probe/slow") + get_request("/probe/users/1") + get_request("/probe/users/me")));
  auto a = c.read_response();
  auto b = c.read_response();
  auto d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->body, "slow probe");
  EXPECT_EQ(b->body, "user 1");
  EXPECT_EQ(d->body, "me");
  ASSERT_TRUE(c.send(get_request("/probe/users/2")));
  EXPECT_EQ(c.read_response()->body, "user 2") << "still kept alive";
  ASSERT_TRUE(c.send("GET /probe/users/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(c.read_response()->body, "user 3");
  EXPECT_TRUE(c.closed_by_peer()) << "Connection: close is honoured";
}

TEST_F(HttpServerTest, GzipsWhenTheClientAcceptsIt) {
  RawResponse r = get("/probe/big", "Accept-Encoding: br, gzip;q=0.5\r\n");
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  EXPECT_EQ(r.header("vary"), "Accept-Encoding");
  EXPECT_LT(r.body.size(), 2000u);
  EXPECT_EQ(get("/probe/big", "Accept-Encoding: gzip;q=0\r\n").header("content-encoding"), "");
  EXPECT_EQ(get("/probe/big").header("content-encoding"), "");
  EXPECT_EQ(get("/probe/users/me", "Accept-Encoding: gzip\r\n").header("content-encoding"), "") << "too small to pay";
  // A real client inflates it back to the original.
  std::string plain = get("/probe/big").body;
  EXPECT_EQ(curl({"--compressed", url("/probe/big")}), plain);
}

TEST_F(HttpServerTest, CorsPreflightAndActualRequests) {
  RawResponse r = request(
      "OPTIONS /probe/users/1 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: X-Request-Id, Content-Type\r\n\r\n");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(r.header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r.header("access-control-allow-headers"), "x-request-id, content-type");
  EXPECT_EQ(r.header("access-control-max-age"), "600");
  r = request(
      "OPTIONS /probe/users/1 HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
      "Access-Control-Request-Method: GET\r\n\r\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  r = request(
      "OPTIONS /probe/users/1 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: DELETE\r\n\r\n");
  EXPECT_EQ(r.status, 403) << "the route does not answer DELETE";
  r = get("/probe/users/1", "Origin: https://app.example\r\n");
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(r.header("access-control-expose-headers"), "x-request-id");
  EXPECT_EQ(r.header("vary"), "Origin");
  EXPECT_EQ(get("/probe/users/1", "Origin: https://evil.example\r\n").header("access-control-allow-origin"), "");
}

TEST_F(HttpServerTest, ServerSentEventsReachCurl) {
  std::string out = curl({"-N", url("/probe/sse")});
  EXPECT_EQ(out, "data: one\n\nevent: multi\nid: 2\ndata: two\ndata: lines\n\ndata: three\n\n");
  RawResponse r = get("/probe/sse");
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  EXPECT_EQ(r.header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
}

TEST_F(HttpServerTest, SpeaksHttp10TooWithoutChunks) {
  RawConnection c(host_->port());
  ASSERT_TRUE(c.send("GET /probe/users/me HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "me");
  EXPECT_EQ(r->header("connection"), "keep-alive");
  // A stream to an HTTP/1.0 client: no chunked encoding, the body ends with the connection.
  ASSERT_TRUE(c.send("GET /probe/sse HTTP/1.0\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("transfer-encoding"), "");
  EXPECT_EQ(r->body, "data: one\n\nevent: multi\nid: 2\ndata: two\ndata: lines\n\ndata: three\n\n");
  RawConnection plain(host_->port());
  ASSERT_TRUE(plain.send("GET /probe/users/1 HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(plain.read_response()->body, "user 1");
  EXPECT_TRUE(plain.closed_by_peer()) << "HTTP/1.0 closes unless asked to keep alive";
}

TEST_F(HttpServerTest, RejectsMalformedRequestsWith400) {
  EXPECT_EQ(request("GET /probe/users/me HTTP/1.1\r\n\r\n").status, 400) << "HTTP/1.1 needs Host";
  EXPECT_EQ(request("GET /probe/%zz HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(request("GET /probe/echo/x?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(request("GET http://x/probe HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(request("G@T / HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(request("GET / HTTP/2.0\r\nHost: x\r\n\r\n").status, 505);
}

TEST_F(HttpServerTest, CountsRequestsByRouteTemplateNotRawPath) {
  get("/probe/users/12345");
  get("/no/such/path/98765");
  EXPECT_TRUE(testing::eventually([&] {
    std::string m = host_->host().metrics_text();
    return m.find("http_server_requests_total{") != std::string::npos &&
           m.find("route=\"/probe/users/{id}\"") != std::string::npos &&
           m.find("route=\"unmatched\"") != std::string::npos;
  })) << host_->host().metrics_text();
  std::string m = host_->host().metrics_text();
  EXPECT_EQ(m.find("12345"), std::string::npos) << "never a raw path in a label";
  EXPECT_EQ(m.find("98765"), std::string::npos);
  EXPECT_NE(m.find("http_server_request_duration_seconds_bucket{"), std::string::npos);
}

}  // namespace
}  // namespace hyperion::http_server_test
