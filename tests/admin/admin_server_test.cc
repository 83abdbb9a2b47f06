// The admin API over real HTTP on loopback: auth, every endpoint, every refusal.
#include "admin/admin_server.h"
#include "app/host.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <sys/stat.h>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "admin/admin_test_host.h"
#include "admin/admin_token.h"
#include "config/config_validator.h"
#include "os/file_digest.h"
#include "support/test_certificates.h"
#include "support/test_support.h"

namespace hyperion::admin {
namespace {

namespace json = boost::json;

class AdminServerTest : public ::testing::Test {
 protected:
  std::string manifest(const std::string& config) {
    return "app: admin\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: warn\n" +
           "  admin: {listen: \"127.0.0.1:0\", max_body_bytes: 4096}\n  reload: {breaker: {failures: 100}}\nplugins:\n" +
           "  - name: a\n    library: behave_plain\n    config:\n" + config;
  }
  void SetUp() override {
    path_ = dir_.write("app.yaml", manifest("      value: 1\n"));
    start_admin_test_host(path_, host_, server_, client_);
    if (HasFatalFailure()) return;
    token_ = testing::read_file(host_->state_dir() + "/admin.token");
    token_.pop_back();  // newline
  }
  httplib::Headers auth() const { return {{"Authorization", "Bearer " + token_}}; }
  json::value body(const httplib::Result& r) { return json::parse(r->body); }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<app::Host> host_;
  std::unique_ptr<AdminServer> server_;
  std::string token_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(AdminServerTest, TokenIsRequiredOnEveryEndpointAndKeptPrivate) {
  struct stat st{};
  ASSERT_EQ(stat((host_->state_dir() + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(token_.size(), 64u);
  for (const char* path : {"/v1/status", "/v1/plugins", "/v1/config", "/v1/revisions", "/v1/revisions/1", "/v1/nope"}) {
    auto none = client_->Get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"hyperion\"");
    auto wrong = client_->Get(path, {{"Authorization", "Bearer " + std::string(64, '0')}});
    EXPECT_EQ(wrong->status, 401) << path;
    EXPECT_EQ(body(wrong).at("error").at("reason").as_string(), "wrong token");
  }
  auto post = client_->Post("/v1/reload", "", "text/plain");
  EXPECT_EQ(post->status, 401);
  EXPECT_EQ(client_->Get("/v1/nope", auth())->status, 404);
}

// #25: "bearer" in any case (RFC 9110); two Authorization headers are refused
// (which one would count?); a control character in the token never matches.
TEST_F(AdminServerTest, TheBearerSchemeIsCaseInsensitiveAndTwoAuthorizationHeadersAre400) {
  EXPECT_EQ(client_->Get("/v1/status", {{"Authorization", "bearer " + token_}})->status, 200);
  EXPECT_EQ(client_->Get("/v1/status", {{"Authorization", "BEARER " + token_}})->status, 200);
  auto two = client_->Get("/v1/status", {{"Authorization", "Bearer " + token_}, {"Authorization", "Bearer x"}});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 400);
  EXPECT_EQ(body(two).at("error").at("reason").as_string(), "more than one Authorization header");
  // A control character in any field value is malformed HTTP (RFC 9110 5.5): the
  // engine's parser refuses the request before the token is even looked at.
  EXPECT_EQ(client_->Get("/v1/status", {{"Authorization", "Bearer " + token_ + "\x1b"}})->status, 400);
  EXPECT_EQ(client_->Get("/v1/status", {{"Authorization", "Bearer " + token_ + "\x7f"}})->status, 400);
}

// #25: admin.url is the owner's only, and a stopped host leaves none behind
// (the CLI would otherwise call a dead or foreign port).
TEST_F(AdminServerTest, AdminUrlIsPrivateAndRemovedOnExit) {
  const std::string url_file = host_->state_dir() + "/admin.url";
  struct stat st {};
  ASSERT_EQ(stat(url_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server_.reset();
  EXPECT_NE(stat(url_file.c_str(), &st), 0) << "admin.url outlived the admin server";
}

TEST_F(AdminServerTest, StatusPluginsAndConfig) {
  auto status = client_->Get("/v1/status", auth());
  ASSERT_EQ(status->status, 200);
  EXPECT_EQ(body(status).at("phase").as_string(), "running");
  EXPECT_EQ(body(status).at("instances").as_array()[0].at("name").as_string(), "a");
  auto plugins = client_->Get("/v1/plugins", auth());
  ASSERT_EQ(plugins->status, 200);
  EXPECT_EQ(body(plugins).at("plugins").as_array()[0].at("capabilities").as_array().size(), 2u);
  auto config = client_->Get("/v1/config", auth());
  ASSERT_EQ(config->status, 200);
  EXPECT_EQ(body(config).at("instances").at("a").at("value").as_int64(), 1);
  EXPECT_EQ(body(config).at("instances").at("a").at("password").as_string(), "<redacted>");
}

TEST_F(AdminServerTest, ReloadOutcomesMapToStatusCodes) {
  auto applied = client_->Post("/v1/reload", auth(), manifest("      value: 2\n"), "application/yaml");
  ASSERT_EQ(applied->status, 200) << applied->body;
  EXPECT_EQ(body(applied).at("outcome").as_string(), "applied");
  EXPECT_EQ(body(applied).at("revision").as_int64(), 2);

  auto malformed = client_->Post("/v1/reload", auth(), "app: [unclosed", "application/yaml");
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(body(malformed).at("error").at("reason").as_string().find("not valid YAML"), std::string::npos);
  EXPECT_EQ(client_->Post("/v1/reload", auth(), "- a list", "application/yaml")->status, 400);

  auto invalid = client_->Post("/v1/reload", auth(), manifest("      value: nine\n"), "application/yaml");
  EXPECT_EQ(invalid->status, 422) << invalid->body;
  EXPECT_NE(body(invalid).at("error").at("reason").as_string().find("plugins[0].config.value"), std::string::npos);
  EXPECT_EQ(body(invalid).at("error").at("code").as_string(), "invalid_configuration");
  // A schema refusal names the instance and the field, not only in the text.
  EXPECT_EQ(body(invalid).at("error").at("plugin").as_string(), "a");
  EXPECT_EQ(body(invalid).at("error").at("field").as_string(), "/value");

  // A host setting that cannot change and a bad plugin config: both reported at once.
  std::string both = manifest("      value: nine\n");
  both.replace(both.find("max_body_bytes: 4096"), 20, "max_body_bytes: 4097");
  auto two = client_->Post("/v1/reload", auth(), both, "application/yaml");
  EXPECT_EQ(two->status, 422) << two->body;
  const std::string reason(body(two).at("error").at("reason").as_string());
  EXPECT_NE(reason.find("host.admin cannot change"), std::string::npos) << reason;
  EXPECT_NE(reason.find("plugins[0].config.value"), std::string::npos) << reason;
  EXPECT_EQ(body(two).at("error").at("plugin").as_string(), "a");

  // A requirement nobody provides names the instance that requires it.
  std::string needs = manifest("      value: 1\n") + "  - name: c\n    library: behave_consumer\n";
  auto unmet = client_->Post("/v1/reload", auth(), needs, "application/yaml");
  EXPECT_EQ(unmet->status, 422) << unmet->body;
  EXPECT_EQ(body(unmet).at("error").at("plugin").as_string(), "c") << unmet->body;
  EXPECT_NE(body(unmet).at("error").at("reason").as_string().find("no instance in the manifest provides it"),
            std::string::npos);

  auto refused =
      client_->Post("/v1/reload", auth(), manifest("      value: 2\n      fail_prepare: true\n"), "application/yaml");
  EXPECT_EQ(refused->status, 409) << refused->body;
  EXPECT_EQ(body(refused).at("error").at("plugin").as_string(), "a");
  EXPECT_EQ(body(refused).at("error").at("field").as_string(), "/fail_prepare");
  EXPECT_EQ(body(refused).at("error").at("code").as_string(), "refused_by_plugin");

  auto rolled_back = client_->Post("/v1/reload", auth(), manifest("      fail_commit: true\n"), "application/yaml");
  EXPECT_EQ(rolled_back->status, 409);
  EXPECT_EQ(body(rolled_back).at("outcome").as_string(), "rolled_back");
  EXPECT_EQ(body(rolled_back).at("error").at("code").as_string(), "commit_failed");

  auto too_big = client_->Post("/v1/reload", auth(), std::string(8192, '#'), "application/yaml");
  EXPECT_EQ(too_big->status, 413);

  // Empty body: re-read the file, which still says value 1.
  auto reread = client_->Post("/v1/reload", auth(), "", "application/yaml");
  EXPECT_EQ(reread->status, 200);
  EXPECT_EQ(json::parse(*host_->instance_health("a")).at("details").at("config").at("value").as_int64(), 1);
}

TEST_F(AdminServerTest, SwapReplacesTheLibraryAndRefusesBadRequests) {
  auto post = [&](const std::string& path, const std::string& payload) {
    return client_->Post(path, auth(), payload, "application/json");
  };
  EXPECT_EQ(client_->Post("/v1/plugins/a/swap", "{}", "application/json")->status, 401);
  for (const char* bad : {"not json", "[]", R"({"library": 5})", R"({"library": ""})",
                          R"({"library": "x", "sha256": "zz"})", R"({"library": "x", "extra": 1})"}) {
    auto r = post("/v1/plugins/a/swap", bad);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_FALSE(body(r).at("error").at("reason").as_string().empty());
  }
  auto unknown = post("/v1/plugins/nope/swap", R"({"library": "behave_plain"})");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(body(unknown).at("error").at("reason").as_string().find("no instance \"nope\""), std::string::npos);
  auto missing = post("/v1/plugins/a/swap", R"({"library": "/nonexistent/behave.so"})");
  EXPECT_EQ(missing->status, 422);
  EXPECT_EQ(body(missing).at("error").at("code").as_string(), "invalid_configuration");

  // A rebuilt copy (other bytes, same code) swaps in.
  const std::string copy =
      testing::rebuilt_copy(testing::test_plugin("behave_plain"), dir_.path() + "/behave-rebuilt.so");
  auto swapped = post("/v1/plugins/a/swap", json::serialize(json::object{{"library", copy}}));
  ASSERT_EQ(swapped->status, 200) << swapped->body;
  const json::value answer = body(swapped);
  const json::value& entry = answer.at("diff").at("a");
  EXPECT_EQ(entry.at("action").as_string(), "swap");
  EXPECT_TRUE(entry.at("old_library").at("unloaded").as_bool());
  json::value status = body(client_->Get("/v1/status", auth()));
  const json::value& a = status.at("instances").as_array()[0];
  EXPECT_EQ(a.at("library").as_string(), copy);
  EXPECT_EQ(a.at("last_swap").at("to").at("sha256"), a.at("sha256"));
  EXPECT_TRUE(a.at("last_swap").at("old_library").at("unloaded").as_bool());
  EXPECT_EQ(body(client_->Get("/v1/config", auth())).at("libraries").at("a").at("library").as_string(), copy);

  host_->facilities().events.flush();  // the bus delivers to the store on its own thread
  host_->store().flush();
  auto events = host_->store().events_after(0, 10000);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> types;
  for (const auto& e : *events) {
    if (e.type.starts_with("dev.hyperion.plugin.swap")) types.push_back(e.type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"dev.hyperion.plugin.swap_failed", "dev.hyperion.plugin.swapped"}));
}

TEST_F(AdminServerTest, RevisionsAndRollback) {
  ASSERT_EQ(client_->Post("/v1/reload", auth(), manifest("      value: 5\n"), "application/yaml")->status, 200);
  auto list = client_->Get("/v1/revisions?limit=10", auth());
  ASSERT_EQ(list->status, 200);
  auto revisions = body(list).at("revisions").as_array();
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].at("number").as_int64(), 2);
  EXPECT_FALSE(revisions[0].as_object().contains("manifest"));
  EXPECT_EQ(client_->Get("/v1/revisions?limit=abc", auth())->status, 400);

  auto one = client_->Get("/v1/revisions/1", auth());
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(body(one).at("source").as_string(), "startup");
  EXPECT_NE(body(one).at("manifest").as_string().find("value: 1"), std::string::npos);
  EXPECT_EQ(client_->Get("/v1/revisions/999", auth())->status, 404);

  // #25 point 11: the author is what the caller says, beside the token it
  // proved (a digest prefix: it names the token without revealing it).
  httplib::Headers as_ada = auth();
  // (A header cannot carry a newline or DEL — the parser refuses them, 400; a
  // tab is what reaches the server.)
  httplib::Headers with_del = auth();
  with_del.emplace("X-Hyperion-Author", std::string("ada\x7f"));
  EXPECT_EQ(client_->Post("/v1/reload", with_del, manifest("      value: 6\n"), "application/yaml")->status, 400);
  as_ada.emplace("X-Hyperion-Author", std::string("ada\tlove\tlace"));
  ASSERT_EQ(client_->Post("/v1/reload", as_ada, manifest("      value: 6\n"), "application/yaml")->status, 200);
  auto by_ada = client_->Get("/v1/revisions/3", auth());
  ASSERT_EQ(by_ada->status, 200);
  const std::string expected_author = "adalovelace (token sha256:" + os::sha256_hex(token_).substr(0, 12) + ")";
  EXPECT_EQ(body(by_ada).at("author").as_string(), expected_author);
  auto by_address = client_->Get("/v1/revisions/2", auth());
  EXPECT_EQ(body(by_address).at("author").as_string(),
            "127.0.0.1 (token sha256:" + os::sha256_hex(token_).substr(0, 12) + ")");

  auto back = client_->Post("/v1/revisions/1/rollback", auth(), "", "text/plain");
  ASSERT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(body(back).at("revision").as_int64(), 4);
  EXPECT_EQ(json::parse(*host_->instance_health("a")).at("details").at("config").at("value").as_int64(), 1);
  EXPECT_EQ(client_->Post("/v1/revisions/999/rollback", auth(), "", "text/plain")->status, 404);
}

TEST_F(AdminServerTest, IfMatchRefusesAnActionWhenTheRevisionMovedAndRecordsNothing) {
  // Two operators read revision 1 (the ETag of GET /v1/status); the first one's
  // reload lands, the second one's is refused with 412 instead of overwriting it.
  auto status = client_->Get("/v1/status", auth());
  ASSERT_EQ(status->status, 200);
  ASSERT_EQ(status->get_header_value("ETag"), "\"1\"");
  httplib::Headers seen_1 = auth();
  seen_1.emplace("If-Match", status->get_header_value("ETag"));
  auto first = client_->Post("/v1/reload", seen_1, manifest("      value: 2\n"), "application/yaml");
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(body(first).at("revision").as_int64(), 2);
  auto second = client_->Post("/v1/reload", seen_1, manifest("      value: 3\n"), "application/yaml");
  ASSERT_EQ(second->status, 412) << second->body;
  EXPECT_EQ(body(second).at("error").at("code").as_string(), "revision_moved");
  EXPECT_NE(body(second).at("error").at("reason").as_string().find("the running revision is 2, not 1"),
            std::string::npos);
  EXPECT_EQ(json::parse(*host_->instance_health("a")).at("details").at("config").at("value").as_int64(), 2)
      << "the first operator's change stands";
  auto list = client_->Get("/v1/revisions?limit=10", auth());
  EXPECT_EQ(body(list).at("revisions").as_array().size(), 2u) << "a refused precondition is not a revision";

  // The same for the file, a rollback and a swap; 7, W/"2" and * are read too.
  EXPECT_EQ(client_->Post("/v1/reload", seen_1, "", "text/plain")->status, 412);
  EXPECT_EQ(client_->Post("/v1/revisions/1/rollback", seen_1, "", "text/plain")->status, 412);
  EXPECT_EQ(client_->Post("/v1/plugins/a/swap", seen_1, R"({"library": "behave_plain"})", "application/json")->status,
            412);
  EXPECT_EQ(body(client_->Get("/v1/revisions?limit=10", auth())).at("revisions").as_array().size(), 2u);
  for (const char* fine : {"2", "W/\"2\"", " \"2\" ", "*"}) {
    httplib::Headers h = auth();
    h.emplace("If-Match", fine);
    auto r = client_->Post("/v1/reload", h, manifest("      value: 2\n"), "application/yaml");
    EXPECT_EQ(r->status, 200) << fine << ": " << r->body;
  }
  for (const char* bad : {"\"two\"", "-1", "\"\"", "1, 2"}) {
    httplib::Headers h = auth();
    h.emplace("If-Match", bad);
    auto r = client_->Post("/v1/reload", h, manifest("      value: 4\n"), "application/yaml");
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
    EXPECT_NE(body(r).at("error").at("reason").as_string().find("If-Match must be a revision number"),
              std::string::npos);
  }
  httplib::Headers seen_2 = auth();
  seen_2.emplace("If-Match", "\"2\"");
  auto rollback = client_->Post("/v1/revisions/1/rollback", seen_2, "", "text/plain");
  ASSERT_EQ(rollback->status, 200) << rollback->body;
  EXPECT_EQ(client_->Get("/v1/config", auth())->get_header_value("ETag"), "\"3\"");
}

TEST_F(AdminServerTest, TheOpenApiDocumentDescribesTheRealAnswers) {
  auto doc_answer = client_->Get("/v1/openapi.json", auth());
  ASSERT_EQ(doc_answer->status, 200);
  const json::object doc = body(doc_answer).as_object();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  const json::object& paths = doc.at("paths").as_object();
  EXPECT_EQ(client_->Get("/v1/openapi.json")->status, 401) << "behind the token like everything else";

  // Real calls, each with the documented path it is an instance of: the
  // answer's status must be documented for it and its body must validate
  // against that response's schema.
  struct Sample {
    const char* method;
    const char* path;  // as documented
    httplib::Result answer;
  };
  std::vector<Sample> samples;
  // A shared schema is written once, under components/schemas, and named by
  // {"$ref": "#/components/schemas/Name"}: put in place before compiling.
  const json::object& shared = doc.at("components").at("schemas").as_object();
  std::function<json::value(const json::value&)> resolve_refs = [&](const json::value& v) -> json::value {
    if (v.is_array()) {
      json::array out;
      for (const json::value& x : v.as_array()) out.push_back(resolve_refs(x));
      return out;
    }
    if (!v.is_object()) return v;
    if (const json::value* ref = v.as_object().if_contains("$ref")) {
      const std::string prefix = "#/components/schemas/";
      const std::string target(ref->as_string());
      EXPECT_EQ(target.rfind(prefix, 0), 0u) << target;
      return resolve_refs(shared.at(target.substr(prefix.size())));
    }
    json::object out;
    for (const auto& kv : v.as_object()) out[kv.key()] = resolve_refs(kv.value());
    return out;
  };
  auto get = [&](const char* doc_path, const std::string& url) {
    samples.push_back({"get", doc_path, client_->Get(url, auth())});
  };
  auto post = [&](const char* doc_path, const std::string& url, const std::string& text, httplib::Headers h = {}) {
    for (const auto& a : auth()) h.emplace(a);
    samples.push_back({"post", doc_path, client_->Post(url, h, text, "application/yaml")});
  };
  get("/v1/status", "/v1/status");
  get("/v1/health", "/v1/health");
  get("/v1/metrics", "/v1/metrics");
  get("/v1/plugins", "/v1/plugins");
  get("/v1/config", "/v1/config");
  post("/v1/reload", "/v1/reload", manifest("      value: 2\n"));
  post("/v1/reload", "/v1/reload", manifest("      value: nine\n"));
  post("/v1/reload", "/v1/reload", "app: [unclosed");
  post("/v1/reload", "/v1/reload", manifest("      value: 3\n"), {{"If-Match", "\"1\""}});
  get("/v1/revisions", "/v1/revisions?limit=5");
  get("/v1/revisions", "/v1/revisions?limit=abc");
  get("/v1/revisions/{n}", "/v1/revisions/1");
  get("/v1/revisions/{n}", "/v1/revisions/999");
  post("/v1/revisions/{n}/rollback", "/v1/revisions/1/rollback", "");
  post("/v1/revisions/{n}/rollback", "/v1/revisions/999/rollback", "");
  post("/v1/plugins/{instance}/swap", "/v1/plugins/nope/swap", R"({"library": "behave_plain"})");
  post("/v1/plugins/{instance}/swap", "/v1/plugins/a/swap", R"({"library": 5})");
  get("/v1/openapi.json", "/v1/openapi.json");
  get("/v1/revisions/{a}/diff/{b}", "/v1/revisions/1/diff/2");
  get("/v1/revisions/{a}/diff/{b}", "/v1/revisions/1/diff/999");
  post("/v1/session", "/v1/session", json::serialize(json::object{{"token", token_}}));
  post("/v1/session", "/v1/session", R"({"token": "wrong"})");
  post("/v1/session", "/v1/session", "[]");
  get("/v1/session", "/v1/session");
  auto del = [&](const char* doc_path, const std::string& url) {
    samples.push_back({"delete", doc_path, client_->Delete(url, auth())});
  };
  del("/v1/session", "/v1/session");
  get("/v1/tokens", "/v1/tokens");
  post("/v1/tokens", "/v1/tokens", R"({"name": "ci", "role": "viewer"})");  // 409: no tokens_file here
  post("/v1/tokens", "/v1/tokens", R"({"name": "ci", "role": "root"})");
  del("/v1/tokens/{name}", "/v1/tokens/nobody");
  del("/v1/tokens/{name}", "/v1/tokens/host");

  std::set<std::string> exercised;
  for (const Sample& s : samples) {
    SCOPED_TRACE(std::string(s.method) + " " + s.path);
    ASSERT_TRUE(s.answer);
    exercised.insert(std::string(s.method) + " " + s.path);
    const json::object* op = paths.at(s.path).as_object().at(s.method).if_object();
    ASSERT_NE(op, nullptr);
    const json::value* response = op->at("responses").as_object().if_contains(std::to_string(s.answer->status));
    ASSERT_NE(response, nullptr) << "status " << s.answer->status << " is not documented: " << s.answer->body;
    if (response->at("content").as_object().contains("text/plain")) {
      EXPECT_EQ(s.answer->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
      EXPECT_NE(s.answer->body.find("# TYPE "), std::string::npos) << "Prometheus text";
      continue;
    }
    const json::value schema = resolve_refs(response->at("content").at("application/json").at("schema"));
    auto validator = config::ConfigValidator::compile(schema.as_object());
    ASSERT_TRUE(validator.ok()) << validator.status().message();
    json::object answer = body(s.answer).as_object();
    auto errors = validator->apply_defaults_and_validate(answer);
    for (const auto& e : errors) {
      ADD_FAILURE() << s.answer->status << " " << e.pointer << ": " << e.message << " in "
                    << s.answer->body.substr(0, 600);
    }
    if (response->as_object().contains("headers")) {
      EXPECT_FALSE(s.answer->get_header_value("ETag").empty()) << "the documented ETag";
    }
  }
  // Every documented operation but the event stream (EventsStreamAsServerSentEvents) was exercised.
  for (const auto& [path, ops] : paths) {
    for (const auto& [method, op] : ops.as_object()) {
      const std::string key = std::string(method) + " " + std::string(path);
      if (key == "get /v1/events") continue;
      EXPECT_TRUE(exercised.count(key)) << key << " is documented but not exercised here";
    }
  }
}

TEST_F(AdminServerTest, EventsStreamAsServerSentEvents) {
  std::promise<std::string> first_event;
  auto future = first_event.get_future();
  std::atomic<bool> got{false};
  std::string seen;
  httplib::Client stream_client(server_->url());
  std::thread reader([&] {
    stream_client.Get("/v1/events", auth(), [&](const char* data, size_t n) {
      seen.append(data, n);
      if (!got && seen.find("\n\n") != std::string::npos && seen.find("reload.applied") != std::string::npos) {
        got = true;
        first_event.set_value(seen);
        return false;  // close the stream
      }
      return true;
    });
  });
  // Reload until the stream (which may connect a moment later) has seen one.
  for (int i = 0; i < 200 && future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready; ++i) {
    (void)host_->reloads().reload(
        {"test", "", manifest("      value: " + std::to_string(10 + i) + "\n"), std::nullopt});
  }
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  std::string text = future.get();
  EXPECT_NE(text.find("event: dev.hyperion.reload"), std::string::npos) << text;
  EXPECT_NE(text.find("data: {\"specversion\":\"1.0\""), std::string::npos) << text;
  reader.join();
}

TEST(AdminToken, ComparisonAndSources) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  testing::TempDir dir;
  const std::string good(40, 'k');
  std::string file = dir.write("t", "  " + good + " \n");
  ::chmod(file.c_str(), 0600);
  EXPECT_EQ(*load_or_create_token(file, dir.path()), good);
  EXPECT_FALSE(load_or_create_token(dir.path() + "/missing", dir.path()).ok());
  auto created = load_or_create_token("", dir.path() + "/state");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*load_or_create_token("", dir.path() + "/state"), *created);  // stable across restarts
}

// #25: an empty, whitespace-only, short or control-character token from any
// source is a start error naming the source; it never opens the API to anyone.
TEST(AdminToken, RefusesTokensThatAreEmptyShortOrHoldControlCharacters) {
  testing::TempDir dir;
  auto refused = [&](const std::string& content, const std::string& expected) {
    std::string file = dir.write("t", content);
    ::chmod(file.c_str(), 0600);
    auto t = load_or_create_token(file, dir.path());
    EXPECT_FALSE(t.ok()) << "accepted " << content;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find(expected), std::string::npos) << t.status().message();
    }
  };
  refused("\n", "is empty");
  refused("   \t  \n", "is empty");
  refused("short-token\n", "is 11 bytes; at least 32 are needed");
  refused(std::string(40, 'a') + "\x01" + std::string(3, 'b'), "holds a control character");
  std::string file = dir.write("short", "0123456789abcdef\n");
  ::chmod(file.c_str(), 0600);
  EXPECT_TRUE(load_or_create_token(file, dir.path(), 16).ok()) << "host.admin.min_token_bytes lowers the minimum";
  ::setenv("HYPERION_ADMIN_TOKEN", "   ", 1);
  auto env = load_or_create_token("", dir.path() + "/state");
  ::unsetenv("HYPERION_ADMIN_TOKEN");
  ASSERT_FALSE(env.ok()) << "a whitespace-only HYPERION_ADMIN_TOKEN let anyone in";
  EXPECT_NE(env.status().message().find("$HYPERION_ADMIN_TOKEN is empty"), std::string::npos) << env.status().message();
}

TEST(AdminToken, RefusesTokenFilesOthersCanReadOrThatLinkOutOfTheStateFolder) {
  testing::TempDir dir;
  const std::string good(40, 'k');
  std::string open_file = dir.write("open", good + "\n");
  ::chmod(open_file.c_str(), 0644);
  auto t = load_or_create_token(open_file, dir.path() + "/state");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("has mode 0644: group or others can use it; chmod 600"), std::string::npos)
      << t.status().message();
  std::string outside = dir.write("outside", good + "\n");
  ::chmod(outside.c_str(), 0600);
  std::filesystem::create_directories(dir.path() + "/state");
  ASSERT_EQ(::symlink(outside.c_str(), (dir.path() + "/state/link").c_str()), 0);
  t = load_or_create_token(dir.path() + "/state/link", dir.path() + "/state");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("outside the state folder"), std::string::npos) << t.status().message();
  std::string inside = dir.write("state/real", good + "\n");
  ::chmod(inside.c_str(), 0600);
  ASSERT_EQ(::symlink(inside.c_str(), (dir.path() + "/link-in").c_str()), 0);
  EXPECT_TRUE(load_or_create_token(dir.path() + "/link-in", dir.path() + "/state").ok())
      << "a symlink into the state folder is followed";
  ::setenv("HYPERION_ADMIN_TOKEN_FILE", inside.c_str(), 1);
  auto from_env = load_or_create_token("", dir.path() + "/state");
  ::unsetenv("HYPERION_ADMIN_TOKEN_FILE");
  ASSERT_TRUE(from_env.ok()) << from_env.status().message();
  EXPECT_EQ(*from_env, good);
}

TEST(AdminToken, TheBearerSchemeIsCaseInsensitiveAndControlCharactersRefuse) {
  EXPECT_EQ(bearer_token("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(bearer_token("bearer abc").value_or(""), "abc");
  EXPECT_EQ(bearer_token("BEARER   abc  ").value_or(""), "abc");
  EXPECT_FALSE(bearer_token("Basic abc"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token(std::string("Bearer abc") + std::string(1, '\0') + "junk"));
  EXPECT_FALSE(bearer_token("Bearer a\x1b[31mb"));
}

}  // namespace
}  // namespace hyperion::admin

namespace hyperion::admin {
namespace {

// host.admin.tls: HTTPS with the manifest's certificate; the token is still
// required; plain HTTP gets nowhere; a bad certificate is a start error.
TEST(AdminServerTls, ServesHttpsWithTheManifestsCertificate) {
  testing::TempDir dir;
  testing::make_test_certificates(dir.path());
  auto manifest_with = [&](const std::string& tls) {
    return dir.write("app.yaml", "app: admin\nhost:\n  state_dir: " + dir.path() + "/state\n  log_level: warn\n" +
                                     "  admin:\n    listen: \"127.0.0.1:0\"\n    tls: " + tls + "\nplugins: []\n");
  };
  std::string path = manifest_with("{cert_file: server.pem, key_file: server.key}");
  auto host = app::Host::prepare(path, {});
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  ASSERT_TRUE((*host)->start().ok());
  const manifest::AdminSettings settings = (*host)->plan().manifest.host.admin;
  EXPECT_EQ(settings.tls_cert_file, dir.path() + "/server.pem");  // relative to the manifest
  auto server = AdminServer::start((*host)->operator_access(), settings, (*host)->state_dir());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  ASSERT_TRUE((*server)->url().starts_with("https://127.0.0.1:")) << (*server)->url();
  EXPECT_EQ(testing::read_file((*host)->state_dir() + "/admin.url"), (*server)->url() + "\n");
  std::string token = testing::read_file((*host)->state_dir() + "/admin.token");
  token.pop_back();

  httplib::Client verified((*server)->url());
  verified.set_ca_cert_path((dir.path() + "/ca.pem").c_str());
  verified.enable_server_certificate_verification(true);
  auto ok = verified.Get("/v1/status", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  auto no_token = verified.Get("/v1/status");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);

  // Without the CA the certificate is not trusted; plain HTTP is not answered.
  httplib::Client untrusted((*server)->url());
  untrusted.enable_server_certificate_verification(true);
  EXPECT_FALSE(untrusted.Get("/v1/status"));
  httplib::Client plain("127.0.0.1", (*server)->port());
  plain.set_read_timeout(5);
  auto plain_answer = plain.Get("/v1/status", {{"Authorization", "Bearer " + token}});
  EXPECT_TRUE(!plain_answer || plain_answer->status == 400) << plain_answer->status;

  // The CLI takes the CA with --ca-file.
  auto cli = testing::run_process({testing::hyperion_binary(), "status", "--admin", (*server)->url(), "--token-file",
                                   (*host)->state_dir() + "/admin.token", "--ca-file", dir.path() + "/ca.pem"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("admin"), std::string::npos) << cli.out;
  // Without it, the system's CAs do not trust the test CA: refused, and said why.
  auto untrusted_cli = testing::run_process({testing::hyperion_binary(), "status", "--admin", (*server)->url(),
                                             "--token-file", (*host)->state_dir() + "/admin.token"});
  EXPECT_EQ(untrusted_cli.exit_code, 1) << untrusted_cli.err;
  EXPECT_NE(untrusted_cli.err.find("cannot reach the admin API at https://127.0.0.1:"), std::string::npos)
      << untrusted_cli.err;
  EXPECT_NE(untrusted_cli.err.find("certificate verify failed"), std::string::npos) << untrusted_cli.err;
  server->reset();
  ASSERT_TRUE((*host)->stop().ok());
}

TEST(AdminServerTls, ABadCertificateOrAHalfSettingIsAnError) {
  testing::TempDir dir;
  testing::make_test_certificates(dir.path());
  // The key of another certificate.
  std::string path = dir.write("app.yaml", "app: admin\nhost:\n  state_dir: " + dir.path() +
                                               "/state\n  admin:\n    listen: \"127.0.0.1:0\"\n"
                                               "    tls: {cert_file: server.pem, key_file: client.key}\nplugins: []\n");
  auto host = app::Host::prepare(path, {});
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  auto server =
      AdminServer::start((*host)->operator_access(), (*host)->plan().manifest.host.admin, (*host)->state_dir());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("cannot serve TLS with host.admin.tls"), std::string::npos)
      << server.status().message();

  std::string half = dir.write("half.yaml", "app: admin\nhost:\n  admin:\n    tls: {cert_file: server.pem}\nplugins: []\n");
  auto refused = app::Host::prepare(half, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("host.admin.tls: missing required field \"key_file\""), std::string::npos) << refused.status().message();
}

// #25: host.admin.limits reach the listener; what the engine refuses itself is
// an RFC 9457 problem, and the CLI says its detail.
TEST(AdminServerLimits, TheManifestsLimitsApplyAndTheCliSaysWhatWasRefused) {
  testing::TempDir dir;
  auto host = app::Host::prepare(
      dir.write("app.yaml", "app: admin\nhost:\n  state_dir: " + dir.path() +
                                "/state\n  log_level: warn\n  admin:\n    listen: \"127.0.0.1:0\"\n"
                                "    max_body_bytes: 64\n    limits: {max_line_bytes: 1024, max_header_count: 8}\n"
                                "plugins: []\n"),
      {});
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  ASSERT_TRUE((*host)->start().ok());
  auto server =
      AdminServer::start((*host)->operator_access(), (*host)->plan().manifest.host.admin, (*host)->state_dir());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  std::string token = testing::read_file((*host)->state_dir() + "/admin.token");
  token.pop_back();
  httplib::Client client((*server)->url());
  httplib::Headers auth{{"Authorization", "Bearer " + token}};
  EXPECT_EQ(client.Get("/v1/status", auth)->status, 200);
  httplib::Headers long_line = auth;
  long_line.emplace("X-Long", std::string(1100, 'a'));
  auto refused = client.Get("/v1/status", long_line);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 431);
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/problem+json");
  httplib::Headers many = auth;
  for (int i = 0; i < 8; ++i) many.emplace("X-" + std::to_string(i), "1");
  EXPECT_EQ(client.Get("/v1/status", many)->status, 431);

  // A body over max_body_bytes: 413 before it is read, and the CLI's line says why.
  std::string big = dir.write("big.yaml", "app: admin\nplugins: []\n# " + std::string(200, 'x') + "\n");
  auto cli = testing::run_process({testing::hyperion_binary(), "reload", "--admin", (*server)->url(), "--state-dir",
                                   (*host)->state_dir(), "--file", big});
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_NE(cli.err.find("answered 413: the body exceeds max_body_bytes (64)"), std::string::npos) << cli.err;
  server->reset();
  ASSERT_TRUE((*host)->stop().ok());
}

// #24: with cpp-httplib's default SO_REUSEPORT, the admin API and another
// listener (the health plugin) could share a port and split its requests.
TEST(AdminServerPort, APortAnotherSocketListensOnIsNotShared) {
  testing::ReusePortListener other;  // as cpp-httplib listens by default
  testing::TempDir dir;
  const std::string listen = other.address();
  auto host = app::Host::prepare(
      dir.write("app.yaml", "app: admin\nhost:\n  state_dir: " + dir.path() +
                                "/state\n  log_level: warn\n  admin: {listen: \"" + listen + "\"}\nplugins: []\n"),
      {});
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  ASSERT_TRUE((*host)->start().ok());
  auto server =
      AdminServer::start((*host)->operator_access(), (*host)->plan().manifest.host.admin, (*host)->state_dir());
  ASSERT_FALSE(server.ok()) << "the port was shared";
  EXPECT_NE(server.status().message().find("cannot listen on " + listen), std::string::npos)
      << server.status().message();
  (void)(*host)->stop();
}

}  // namespace
}  // namespace hyperion::admin
