// The http-server's route table: template parsing, matching precedence,
// 404/405 with Allow, HEAD and "*", hosts, conflicts, and stacking.
#include <gtest/gtest.h>

#include "http_engine/route_table.h"

namespace hyperion::http_engine {
namespace {

void* noop(void*, hyperion_http_exchange_t*) { return nullptr; }

hyperion_http_handler_t handler(void* user = nullptr) {
  hyperion_http_handler_t h{};
  h.struct_size = sizeof h;
  h.user = user;
  h.on_request = &noop;
  return h;
}

class RouteTableTest : public ::testing::Test {
 protected:
  uint64_t add(std::string_view method, std::string_view path, std::string_view host = {}) {
    std::string error;
    uint64_t id = table_.add(method, path, host, handler(), error);
    EXPECT_NE(id, 0u) << method << " " << path << ": " << error;
    return id;
  }
  std::string refused(std::string_view method, std::string_view path, std::string_view host = {}) {
    std::string error;
    EXPECT_EQ(table_.add(method, path, host, handler(), error), 0u) << method << " " << path;
    return error;
  }
  // The template that serves the request, "404" or "405 <allow>".
  std::string serve(std::string_view method, std::string_view path, std::string_view host = "example") {
    RouteMatch m = table_.find(method, host, path);
    if (m.outcome == RouteMatch::Outcome::kNoRoute) return "404";
    if (m.outcome == RouteMatch::Outcome::kNoMethod) {
      std::string allow;
      for (const auto& a : m.allow) allow += (allow.empty() ? "" : ",") + a;
      return "405 " + allow;
    }
    std::string out = m.registration->path().text;
    for (const auto& [k, v] : m.params) out += " " + k + "=" + v;
    return out;
  }
  RouteTable table_;
};

TEST_F(RouteTableTest, LiteralBeatsParameterBeatsRest) {
  add("GET", "/users/{id}");
  add("GET", "/users/me");
  add("GET", "/users/{rest...}");
  EXPECT_EQ(serve("GET", "/users/me"), "/users/me");
  EXPECT_EQ(serve("GET", "/users/42"), "/users/{id} id=42");
  EXPECT_EQ(serve("GET", "/users/42/posts"), "/users/{rest...} rest=42/posts");
  EXPECT_EQ(serve("GET", "/users"), "/users/{rest...} rest=");
  EXPECT_EQ(serve("GET", "/users/"), "/users/{rest...} rest=") << "an empty segment is no {id}";
}

TEST_F(RouteTableTest, PrecedenceIsDecidedFromTheLeft) {
  add("GET", "/{a}/b/{c}");
  add("GET", "/x/{b}/{c}");
  EXPECT_EQ(serve("GET", "/x/b/1"), "/x/{b}/{c} b=b c=1");
  EXPECT_EQ(serve("GET", "/y/b/1"), "/{a}/b/{c} a=y c=1");
}

TEST_F(RouteTableTest, ParametersArePercentDecodedPerSegment) {
  add("GET", "/files/{name}");
  add("GET", "/raw/{rest...}");
  EXPECT_EQ(serve("GET", "/files/a%20b"), "/files/{name} name=a b");
  EXPECT_EQ(serve("GET", "/files/a%2Fb"), "/files/{name} name=a/b") << "an encoded slash stays inside its segment";
  EXPECT_EQ(serve("GET", "/raw/a/b%3F"), "/raw/{rest...} rest=a/b?");
  EXPECT_EQ(serve("GET", "/files/bad%zz"), "404") << "a malformed escape matches nothing";
  EXPECT_EQ(serve("GET", "/files/a+b"), "/files/{name} name=a+b") << "+ is only a space in queries";
}

TEST_F(RouteTableTest, MethodNotAllowedListsWhatThePathAnswers) {
  add("GET", "/items/{id}");
  add("DELETE", "/items/{id}");
  EXPECT_EQ(serve("PUT", "/items/1"), "405 DELETE,GET,HEAD,OPTIONS");
  EXPECT_EQ(serve("HEAD", "/items/1"), "/items/{id} id=1") << "HEAD is served by GET";
  EXPECT_EQ(serve("GET", "/items"), "404");
}

TEST_F(RouteTableTest, AMethodOnALessSpecificTemplateStillServes) {
  add("GET", "/users/me");
  add("DELETE", "/users/{id}");
  EXPECT_EQ(serve("DELETE", "/users/me"), "/users/{id} id=me");
  EXPECT_EQ(serve("POST", "/users/me"), "405 DELETE,GET,HEAD,OPTIONS");
}

TEST_F(RouteTableTest, StarServesEveryMethodNotRegisteredExplicitly) {
  add("*", "/any");
  add("POST", "/any");
  EXPECT_EQ(serve("PATCH", "/any"), "/any");
  EXPECT_EQ(table_.find("POST", "h", "/any").registration->method(), "POST");
  EXPECT_EQ(table_.find("PATCH", "h", "/any").registration->method(), "*");
  EXPECT_EQ(table_.find("OPTIONS", "h", "/any").outcome, RouteMatch::Outcome::kNoMethod)
      << "the server answers OPTIONS itself, with the Allow list";
}

TEST_F(RouteTableTest, AHostRouteBeatsTheSameTemplateWithoutOne) {
  add("GET", "/", "");
  add("GET", "/", "api.example");
  EXPECT_EQ(table_.find("GET", "API.example:8080", "/").registration->host(), "api.example");
  EXPECT_EQ(table_.find("GET", "other.example", "/").registration->host(), "");
  EXPECT_EQ(table_.find("GET", "[::1]:80", "/").registration->host(), "");
}

TEST_F(RouteTableTest, RefusesMalformedRoutesSayingWhy) {
  EXPECT_NE(refused("get", "/a").find("upper-case"), std::string::npos);
  EXPECT_NE(refused("GET", "a").find("must start with \"/\""), std::string::npos);
  EXPECT_NE(refused("GET", "/a/{}").find("needs a name"), std::string::npos);
  EXPECT_NE(refused("GET", "/a/{x...}/b").find("must be the last segment"), std::string::npos);
  EXPECT_NE(refused("GET", "/a/pre{x}").find("a parameter is a whole segment"), std::string::npos);
  EXPECT_NE(refused("GET", "/a/{x}/{x}").find("appears twice"), std::string::npos);
  EXPECT_NE(refused("HEAD", "/a").find("answered by the server"), std::string::npos);
  EXPECT_NE(refused("GET", "/a", "bad host!").find("not a host name"), std::string::npos);
  std::string error;
  hyperion_http_handler_t h = handler();
  h.on_request = nullptr;
  EXPECT_EQ(table_.add("GET", "/a", "", h, error), 0u);
  EXPECT_NE(error.find("lacks on_request"), std::string::npos);
}

TEST_F(RouteTableTest, RefusesATemplateThatDiffersOnlyInParameterNames) {
  add("GET", "/u/{id}");
  EXPECT_NE(refused("POST", "/u/{name}").find("conflicts with the registered \"/u/{id}\""), std::string::npos);
}

TEST_F(RouteTableTest, ReRegisteringStacksAndRemovingUncovers) {
  uint64_t first = add("GET", "/s/{id}");
  uint64_t second = add("GET", "/s/{id}");
  EXPECT_EQ(table_.find("GET", "h", "/s/1").registration->id(), second);
  EXPECT_EQ(table_.remove(second)->id(), second);
  EXPECT_EQ(table_.find("GET", "h", "/s/1").registration->id(), first);
  EXPECT_EQ(table_.remove(second), nullptr);
  table_.remove(first);
  EXPECT_EQ(serve("GET", "/s/1"), "404");
  EXPECT_EQ(table_.route_count(), 0u);
}

TEST_F(RouteTableTest, ARemovedRegistrationRefusesNewRequestsWhileItDrains) {
  uint64_t id = add("GET", "/d");
  auto reg = table_.find("GET", "h", "/d").registration;
  auto removed = table_.remove(id);
  EXPECT_TRUE(removed->close_and_drain(std::chrono::steady_clock::now()));
  struct Nop final : Cancellable {
    void cancel() override {}
  } call;
  EXPECT_FALSE(reg->begin(&call)) << "a request found just before the removal must look again";
}

TEST(PercentDecode, DecodesAndRefusesMalformedEscapes) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%41%2f+", out));
  EXPECT_EQ(out, "aA/+");
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_FALSE(percent_decode("%4", out));
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%g0", out));
  EXPECT_EQ(host_name("Example.COM:8080"), "example.com");
  EXPECT_EQ(host_name("[::1]:8080"), "[::1]");
}

}  // namespace
}  // namespace hyperion::http_engine
