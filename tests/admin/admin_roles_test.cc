// The admin API for teams, over real HTTP on loopback: named tokens with roles
// from a tokens file, token management, browser sessions with CSRF
// protection, and the diff between any two revisions.
#include <gtest/gtest.h>
#include <httplib.h>

#include <sys/stat.h>
#include <boost/json.hpp>
#include <filesystem>

#include "admin/admin_server.h"
#include "admin/admin_test_host.h"
#include "admin/session_store.h"
#include "admin/token_registry.h"
#include "app/host.h"
#include "os/file_digest.h"
#include "support/test_support.h"

namespace hyperion::admin {
namespace {

namespace json = boost::json;

// 64 hex digits each, like the tokens `POST /v1/tokens` makes.
const std::string kViewer(64, 'a');
const std::string kOperator(64, 'b');
const std::string kAdmin(64, 'c');

class AdminRolesTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& config) {
    return "app: roles\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\n" +
           "  admin: {listen: \"127.0.0.1:0\", tokens_file: tokens.yaml}\n  reload: {breaker: {failures: "
           "100}}\nplugins:\n" +
           "  - name: a\n    library: behave_plain\n    config:\n" + config;
  }
  void write_tokens(const std::string& text) {
    // Renamed over the old file, as an editor saving it would: a new inode.
    const std::string tmp = dir_.write("tokens.yaml.new", text);
    ::chmod(tmp.c_str(), 0600);
    std::filesystem::rename(tmp, dir_.path() + "/tokens.yaml");
  }
  std::string tokens_text() {
    return "tokens:\n  - {name: vera, role: viewer, sha256: " + os::sha256_hex(kViewer) + "}\n" +
           "  - {name: olivia, role: operator, sha256: " + os::sha256_hex(kOperator) + "}\n" +
           "  - {name: ada, role: admin, sha256: " + os::sha256_hex(kAdmin) + "}\n";
  }
  void SetUp() override {
    write_tokens(tokens_text());
    path_ = dir_.write("app.yaml", manifest("      value: 1\n"));
    start_admin_test_host(path_, host_, server_, client_);
    if (HasFatalFailure()) return;
  }

  static httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  static json::value body(const httplib::Result& r) { return json::parse(r->body); }
  int reload(const httplib::Headers& h, const std::string& value) {
    return client_->Post("/v1/reload", h, manifest("      value: " + value + "\n"), "application/yaml")->status;
  }
  // Signs in; returns the cookie header value and the CSRF token.
  std::pair<std::string, std::string> sign_in(const std::string& token) {
    auto r = client_->Post("/v1/session", json::serialize(json::object{{"token", token}}), "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    std::string cookie = r->get_header_value("Set-Cookie");
    return {cookie.substr(0, cookie.find(';')), std::string(body(r).at("csrf").as_string())};
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<app::Host> host_;
  std::unique_ptr<AdminServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(AdminRolesTest, EachRoleMayDoWhatItsRoleAllowsAndActionsAreRecordedUnderTheTokensName) {
  // viewer: every read, no action.
  for (const char* path : {"/v1/status", "/v1/plugins", "/v1/config", "/v1/revisions", "/v1/revisions/1",
                           "/v1/openapi.json", "/v1/session"}) {
    EXPECT_EQ(client_->Get(path, bearer(kViewer))->status, 200) << path;
  }
  auto refused = client_->Post("/v1/reload", bearer(kViewer), manifest("      value: 2\n"), "application/yaml");
  ASSERT_EQ(refused->status, 403);
  EXPECT_EQ(body(refused).at("error").at("code").as_string(), "forbidden");
  EXPECT_EQ(body(refused).at("error").at("reason").as_string(),
            "token \"vera\" has the role viewer; POST /v1/reload needs operator");
  EXPECT_EQ(client_->Post("/v1/revisions/1/rollback", bearer(kViewer), "", "text/plain")->status, 403);
  EXPECT_EQ(client_->Post("/v1/plugins/a/swap", bearer(kViewer), "{\"library\": \"behave_plain\"}", "application/json")
                ->status,
            403);
  EXPECT_EQ(client_->Get("/v1/tokens", bearer(kViewer))->status, 403);
  // operator: actions, not token management.
  EXPECT_EQ(reload(bearer(kOperator), "2"), 200);
  EXPECT_EQ(client_->Get("/v1/tokens", bearer(kOperator))->status, 403);
  EXPECT_EQ(client_->Post("/v1/tokens", bearer(kOperator), "{\"name\": \"x\", \"role\": \"admin\"}", "application/json")
                ->status,
            403);
  // admin: everything.
  EXPECT_EQ(reload(bearer(kAdmin), "3"), 200);
  auto list = client_->Get("/v1/tokens", bearer(kAdmin));
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(json::serialize(body(list).at("tokens")),
            R"([{"name":"host","role":"admin"},{"name":"vera","role":"viewer"},{"name":"olivia","role":"operator"},)"
            R"({"name":"ada","role":"admin"}])");
  // A named token's actions are its name's; what it says it is does not count.
  httplib::Headers claims = bearer(kOperator);
  claims.emplace("X-Hyperion-Author", "someone-else");
  EXPECT_EQ(reload(claims, "4"), 200);
  auto revisions = body(client_->Get("/v1/revisions", bearer(kViewer))).at("revisions").as_array();
  ASSERT_EQ(revisions.size(), 4u);
  EXPECT_EQ(revisions[0].at("author").as_string(), "olivia");
  EXPECT_EQ(revisions[1].at("author").as_string(), "ada");
  EXPECT_EQ(revisions[2].at("author").as_string(), "olivia");
  // An unknown token is still 401, and the host's own token is an admin.
  EXPECT_EQ(client_->Get("/v1/status", bearer(std::string(64, 'd')))->status, 401);
  std::string host_token = testing::read_file(host_->state_dir() + "/admin.token");
  host_token.pop_back();
  EXPECT_EQ(client_->Get("/v1/tokens", bearer(host_token))->status, 200);
}

TEST_F(AdminRolesTest, TokenManagementRecordsOnlyHashesAndARemovedTokenStopsWorking) {
  auto made =
      client_->Post("/v1/tokens", bearer(kAdmin), R"({"name": "ci-bot", "role": "operator"})", "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(made->get_header_value("Cache-Control"), "no-store");
  const std::string token(body(made).at("token").as_string());
  EXPECT_EQ(token.size(), 64u);
  const std::string file = testing::read_file(dir_.path() + "/tokens.yaml");
  EXPECT_EQ(file.find(token), std::string::npos) << "the token itself was written";
  EXPECT_NE(file.find(os::sha256_hex(token)), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat((dir_.path() + "/tokens.yaml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(reload(bearer(token), "2"), 200);
  auto [cookie, csrf] = sign_in(token);

  // Refusals: a name in use, a bad name or role, an unknown or the host's token.
  auto again =
      client_->Post("/v1/tokens", bearer(kAdmin), R"({"name": "ci-bot", "role": "viewer"})", "application/json");
  EXPECT_EQ(again->status, 409);
  EXPECT_NE(body(again).at("error").at("reason").as_string().find("exists"), std::string::npos);
  EXPECT_EQ(
      client_->Post("/v1/tokens", bearer(kAdmin), R"({"name": "a b", "role": "viewer"})", "application/json")->status,
      400);
  EXPECT_EQ(client_->Post("/v1/tokens", bearer(kAdmin), R"({"name": "x", "role": "root"})", "application/json")->status,
            400);
  EXPECT_EQ(client_->Post("/v1/tokens", bearer(kAdmin), R"([1])", "application/json")->status, 400);
  EXPECT_EQ(client_->Delete("/v1/tokens/nobody", bearer(kAdmin))->status, 404);
  EXPECT_EQ(client_->Delete("/v1/tokens/host", bearer(kAdmin))->status, 400);

  ASSERT_EQ(client_->Delete("/v1/tokens/ci-bot", bearer(kAdmin))->status, 200);
  EXPECT_EQ(client_->Get("/v1/status", bearer(token))->status, 401);
  EXPECT_EQ(client_->Get("/v1/status", {{"Cookie", cookie}})->status, 401) << "a removed token's session lives on";
  EXPECT_EQ(testing::read_file(dir_.path() + "/tokens.yaml").find(os::sha256_hex(token)), std::string::npos);
}

TEST_F(AdminRolesTest, AnEditedTokensFileTakesEffectAndABrokenEditKeepsTheTokensInForce) {
  EXPECT_EQ(client_->Get("/v1/status", bearer(kViewer))->status, 200);
  // vera is promoted, olivia removed.
  write_tokens("tokens:\n  - {name: vera, role: operator, sha256: " + os::sha256_hex(kViewer) + "}\n");
  EXPECT_EQ(reload(bearer(kViewer), "2"), 200);
  EXPECT_EQ(client_->Get("/v1/status", bearer(kOperator))->status, 401);
  // A broken edit is logged; the tokens in force stay.
  write_tokens("tokens:\n  - {name: vera, role: boss, sha256: " + os::sha256_hex(kViewer) + "}\n");
  EXPECT_EQ(reload(bearer(kViewer), "3"), 200);
  // A file others may write is refused at the next read as well.
  write_tokens("tokens:\n  - {name: mallory, role: admin, sha256: " + os::sha256_hex(kOperator) + "}\n");
  ::chmod((dir_.path() + "/tokens.yaml").c_str(), 0666);
  EXPECT_EQ(client_->Get("/v1/status", bearer(kOperator))->status, 401);
  EXPECT_EQ(reload(bearer(kViewer), "4"), 200);
  // Removed altogether: no named token is accepted (the host's own still is).
  std::filesystem::remove(dir_.path() + "/tokens.yaml");
  EXPECT_EQ(client_->Get("/v1/status", bearer(kViewer))->status, 401);
  std::string host_token = testing::read_file(host_->state_dir() + "/admin.token");
  host_token.pop_back();
  EXPECT_EQ(client_->Get("/v1/status", bearer(host_token))->status, 200);
}

TEST_F(AdminRolesTest, SignInMakesAnHttpOnlyCookieAndEveryStateChangeNeedsTheCsrfToken) {
  EXPECT_EQ(client_->Post("/v1/session", R"({"token": "nope"})", "application/json")->status, 401);
  EXPECT_EQ(client_->Post("/v1/session", R"(not json)", "application/json")->status, 400);
  EXPECT_EQ(client_->Post("/v1/session", R"({"token": 5})", "application/json")->status, 400);

  auto r = client_->Post("/v1/session", json::serialize(json::object{{"token", kOperator}}), "application/json");
  ASSERT_EQ(r->status, 200);
  const std::string set_cookie = r->get_header_value("Set-Cookie");
  EXPECT_EQ(set_cookie.rfind("hyperion_session=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Max-Age=28800"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "Secure without TLS: the browser would never send it";
  EXPECT_EQ(body(r).at("name").as_string(), "olivia");
  EXPECT_EQ(body(r).at("role").as_string(), "operator");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf(body(r).at("csrf").as_string());

  // Reads need only the cookie.
  EXPECT_EQ(client_->Get("/v1/status", {{"Cookie", cookie}})->status, 200);
  auto me = client_->Get("/v1/session", {{"Cookie", "theme=dark; " + cookie}});
  ASSERT_EQ(me->status, 200);
  EXPECT_EQ(body(me).at("csrf").as_string(), csrf) << "a reloaded page gets its CSRF token back";
  EXPECT_EQ(body(me).at("via").as_string(), "session");
  // State changes need the CSRF token too: missing or wrong is 403 and nothing is applied.
  auto missing = client_->Post("/v1/reload", {{"Cookie", cookie}}, manifest("      value: 2\n"), "application/yaml");
  ASSERT_EQ(missing->status, 403);
  EXPECT_EQ(body(missing).at("error").at("code").as_string(), "csrf");
  EXPECT_EQ(client_
                ->Post("/v1/reload", {{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, '0')}},
                       manifest("      value: 2\n"), "application/yaml")
                ->status,
            403);
  EXPECT_EQ(body(client_->Get("/v1/status", {{"Cookie", cookie}})).at("revision").as_int64(), 1);
  EXPECT_EQ(client_
                ->Post("/v1/reload", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, manifest("      value: 2\n"),
                       "application/yaml")
                ->status,
            200);
  EXPECT_EQ(body(client_->Get("/v1/revisions/2", {{"Cookie", cookie}})).at("author").as_string(), "olivia");
  // A forged or foreign cookie is no session.
  EXPECT_EQ(client_->Get("/v1/status", {{"Cookie", "hyperion_session=" + std::string(64, 'f')}})->status, 401);

  // A viewer's session has the viewer's role, CSRF token or not.
  auto [viewer_cookie, viewer_csrf] = sign_in(kViewer);
  EXPECT_EQ(client_
                ->Post("/v1/reload", {{"Cookie", viewer_cookie}, {"X-CSRF-Token", viewer_csrf}},
                       manifest("      value: 3\n"), "application/yaml")
                ->status,
            403);

  // Sign out: needs the CSRF token (it changes state), then the cookie is dead.
  EXPECT_EQ(client_->Delete("/v1/session", {{"Cookie", cookie}})->status, 403);
  auto out = client_->Delete("/v1/session", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(out->status, 200);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(client_->Get("/v1/status", {{"Cookie", cookie}})->status, 401);
  EXPECT_EQ(client_->Get("/v1/status", {{"Cookie", viewer_cookie}})->status, 200) << "one sign-out ended another";
}

TEST(AdminSessions, ASessionEndsWhenItsTimeIsUp) {
  SessionStore store(std::chrono::milliseconds(50), 2);
  auto made = store.create({"vera", Role::kViewer, false});
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(store.find(made->first).has_value());
  EXPECT_TRUE(testing::eventually([&] { return !store.find(made->first).has_value(); }, std::chrono::seconds(5)));
  // Bounded: a third session pushes out the one nearest its end.
  SessionStore small(std::chrono::hours(1), 2);
  auto first = small.create({"a", Role::kViewer, false});
  auto second = small.create({"b", Role::kViewer, false});
  auto third = small.create({"c", Role::kViewer, false});
  EXPECT_FALSE(small.find(first->first).has_value());
  EXPECT_TRUE(small.find(second->first).has_value());
  EXPECT_TRUE(small.find(third->first).has_value());
  EXPECT_EQ(cookie_value("a=1; hyperion_session=xyz; b=2", "hyperion_session"), "xyz");
  EXPECT_EQ(cookie_value("hyperion_session_old=1", "hyperion_session"), std::nullopt);
  EXPECT_EQ(cookie_value("", "hyperion_session"), std::nullopt);
}

TEST(AdminTokensFile, ErrorsNameTheFileTheLineAndTheField) {
  auto error = [](const std::string& text) {
    auto parsed = parse_tokens_file(text, "tokens.yaml");
    return parsed.ok() ? std::string("ok") : parsed.status().message();
  };
  const std::string hash = os::sha256_hex("x");
  EXPECT_EQ(error("tokens:\n  - {name: a, role: viewer, sha256: " + hash + "}\n"), "ok");
  EXPECT_EQ(error(""), "ok");
  EXPECT_EQ(error("tokens:\n  - {name: a, role: boss, sha256: " + hash + "}\n"),
            "tokens.yaml:2: tokens[0].role: \"boss\" is not a role (viewer, operator, admin)");
  EXPECT_NE(error("tokens:\n  - {name: a, role: viewer, sha256: " + std::string(64, 'Z') + "}\n")
                .find("tokens.yaml:2: tokens[0].sha256: expected the token's SHA-256"),
            std::string::npos);
  EXPECT_EQ(error("tokens:\n  - {name: a, role: viewer}\n"), "tokens.yaml:2: tokens[0]: \"sha256\" is required");
  EXPECT_EQ(error("tokens:\n  - {name: a, role: viewer, sha256: " + hash +
                  "}\n  - {name: a, role: admin, sha256: " + os::sha256_hex("y") + "}\n"),
            "tokens.yaml:3: tokens[1].name: \"a\" is listed twice");
  EXPECT_EQ(error("tokens:\n  - {name: host, role: viewer, sha256: " + hash + "}\n"),
            "tokens.yaml:2: tokens[0].name: \"host\" names the host's own token");
  EXPECT_EQ(error("users: []\n"), "tokens.yaml:1: users: unknown key (expected tokens)");
  EXPECT_NE(error("tokens: [unclosed\n").find("tokens.yaml:"), std::string::npos);
  // What render writes, parse reads back.
  std::vector<NamedToken> tokens{{"a.b@c", Role::kOperator, hash}};
  auto round = parse_tokens_file(render_tokens_file(tokens), "t");
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->at(0).name, "a.b@c");
  EXPECT_EQ(round->at(0).role, Role::kOperator);
  EXPECT_TRUE(parse_tokens_file(render_tokens_file({}), "t").ok());
}

TEST(AdminTokensFile, AHostWithAMissingOrUnsafeTokensFileDoesNotStart) {
  testing::TempDir dir;
  auto missing = TokenRegistry::open(std::string(64, 'a'), dir.path() + "/none.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("none.yaml"), std::string::npos);
  const std::string file = dir.write("tokens.yaml", "tokens: []\n");
  ::chmod(file.c_str(), 0620);
  auto writable = TokenRegistry::open(std::string(64, 'a'), file);
  ASSERT_FALSE(writable.ok());
  EXPECT_NE(writable.status().message().find("writable by group or others"), std::string::npos);
  ::chmod(file.c_str(), 0644);  // readable is fine: it holds no tokens
  EXPECT_TRUE(TokenRegistry::open(std::string(64, 'a'), file).ok());
  dir.write("bad.yaml", "tokens:\n  - {name: a, role: boss, sha256: x}\n");
  ::chmod((dir.path() + "/bad.yaml").c_str(), 0600);
  auto bad = TokenRegistry::open(std::string(64, 'a'), dir.path() + "/bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.yaml:2: tokens[0].role"), std::string::npos);
}

TEST_F(AdminRolesTest, TheDiffBetweenAnyTwoRevisionsShowsEachFieldWithSecretsRedacted) {
  auto with = [&](const std::string& config, const std::string& more = "") { return manifest(config) + more; };
  const std::string b = "  - name: b\n    library: behave_plain\n    config: {value: 7, password: hunter2}\n";
  ASSERT_EQ(
      client_
          ->Post("/v1/reload", bearer(kAdmin), with("      value: 2\n      password: s3cret\n", b), "application/yaml")
          ->status,
      200);
  ASSERT_EQ(client_->Post("/v1/reload", bearer(kAdmin), with("      value: 3\n"), "application/yaml")->status, 200);

  auto d = client_->Get("/v1/revisions/1/diff/2", bearer(kViewer));
  ASSERT_EQ(d->status, 200) << d->body;
  EXPECT_EQ(d->body.find("s3cret"), std::string::npos) << d->body;
  EXPECT_EQ(d->body.find("hunter2"), std::string::npos) << d->body;
  json::value diff = body(d);
  EXPECT_EQ(diff.at("from").as_int64(), 1);
  EXPECT_EQ(diff.at("to").as_int64(), 2);
  EXPECT_TRUE(diff.at("host").as_array().empty());
  const json::object& a = diff.at("instances").at("a").as_object();
  EXPECT_EQ(a.at("action").as_string(), "change");
  EXPECT_TRUE(a.at("schema_known").as_bool());
  std::map<std::string, json::object> by_path;
  for (const json::value& c : a.at("changes").as_array())
    by_path[std::string(c.at("path").as_string())] = c.as_object();
  ASSERT_TRUE(by_path.count("/config/value"));
  EXPECT_EQ(by_path["/config/value"].at("old").as_int64(), 1);
  EXPECT_EQ(by_path["/config/value"].at("new").as_int64(), 2);
  EXPECT_TRUE(by_path["/config/value"].at("dynamic").as_bool());
  ASSERT_TRUE(by_path.count("/config/password"));
  EXPECT_TRUE(by_path["/config/password"].at("secret").as_bool());
  EXPECT_EQ(by_path["/config/password"].at("new").as_string(), "<redacted>");
  // b was added by 2 and is gone by 3: it does not run, so nothing says
  // which of its fields are secret — all its values are redacted.
  EXPECT_EQ(diff.at("instances").at("b").at("action").as_string(), "add");
  EXPECT_FALSE(diff.at("instances").at("b").at("schema_known").as_bool());

  // Any two, either way round; the host settings compared too.
  auto back = body(client_->Get("/v1/revisions/3/diff/1", bearer(kViewer)));
  EXPECT_FALSE(back.at("instances").as_object().contains("b"));
  EXPECT_EQ(back.at("instances").at("a").at("changes").as_array()[0].at("old").as_int64(), 3);
  EXPECT_EQ(back.at("instances").at("a").at("changes").as_array()[0].at("new").as_int64(), 1);
  auto same = body(client_->Get("/v1/revisions/2/diff/2", bearer(kViewer)));
  EXPECT_TRUE(same.at("instances").as_object().empty());

  EXPECT_EQ(client_->Get("/v1/revisions/1/diff/99", bearer(kViewer))->status, 404);
  EXPECT_EQ(client_->Get("/v1/revisions/x/diff/1", bearer(kViewer))->status, 404);
  EXPECT_EQ(client_->Get("/v1/revisions/1/diff/2")->status, 401);
}

}  // namespace
}  // namespace hyperion::admin
