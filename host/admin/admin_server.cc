#include "admin/admin_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>
#include <hyperion/services/http_server.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <variant>

#include "admin/admin_token.h"
#include "admin/admin_views.h"
#include "admin/console_assets.h"
#include "admin/openapi_document.h"
#include "admin/revision_diff.h"
#include "admin/session_store.h"
#include "admin/token_registry.h"
#include "http_engine/engine.h"
#include "http_engine/in_process_routes.h"
#include "logging/log_setup.h"
#include "os/file_digest.h"

namespace hyperion::admin {
namespace {

namespace json = boost::json;
namespace http = hyperion::http;

// What a handler answers: always JSON.
struct Reply {
  int status = 200;
  json::value body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply error_reply(int status, const std::string& reason) {
  return {status, json::object{{"error", json::object{{"reason", reason}}}}, {}};
}
Reply error_reply(int status, const std::string& code, const std::string& reason) {
  return {status, json::object{{"error", json::object{{"code", code}, {"reason", reason}}}}, {}};
}

// A request copied out of its exchange, for a handler that runs on a pool
// (the exchange's views are valid only while the engine's callback runs).
struct Call {
  Identity who;         // proved by a bearer token or a session
  std::string session;  // the session cookie's value, when the call came with one
  std::string body;
  std::string address;  // the peer's address, without its port
  std::string author;   // X-Hyperion-Author as sent
  std::optional<std::string> if_match;  // If-Match as sent
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::pair<std::string, std::string>> query;

  [[nodiscard]] const std::string* find(const std::vector<std::pair<std::string, std::string>>& in,
                                        std::string_view name) const {
    for (const auto& [key, value] : in) {
      if (key == name) return &value;
    }
    return nullptr;
  }
  [[nodiscard]] std::string param(std::string_view name) const {
    const std::string* v = find(params, name);
    return v != nullptr ? *v : std::string();
  }
};

// 1 to 18 digits: a revision number as the API spells it.
std::optional<uint64_t> revision_number(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(text);
}

// {"library": "...", "sha256": "..."} (sha256 optional: 64 lower-case hex digits).
StatusOr<reload::LibraryChoice> parse_swap_body(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return invalid_argument("the body must be a JSON object {\"library\": \"...\", \"sha256\": \"...\"}");
  const json::object& o = v.as_object();
  for (const auto& kv : o) {
    if (kv.key() != "library" && kv.key() != "sha256") {
      return invalid_argument("unknown field \"" + std::string(kv.key()) + "\" (library, sha256)");
    }
  }
  const json::value* library = o.if_contains("library");
  if (library == nullptr || !library->is_string() || library->as_string().empty()) {
    return invalid_argument("\"library\" is required: a path or a plugin name");
  }
  reload::LibraryChoice choice{std::string(library->as_string()), std::nullopt};
  if (const json::value* sha = o.if_contains("sha256")) {
    if (!sha->is_string() || sha->as_string().size() != 64 ||
        std::string_view(sha->as_string()).find_first_not_of("0123456789abcdef") != std::string_view::npos) {
      return invalid_argument("\"sha256\" must be 64 lower-case hex digits");
    }
    choice.sha256 = std::string(sha->as_string());
  }
  return choice;
}

int http_status(const reload::ReloadResult& r) {
  switch (r.error) {
    case reload::ReloadError::kNone: return 200;
    case reload::ReloadError::kInvalidConfiguration: return 422;
    case reload::ReloadError::kUnknownRevision: return 404;
    case reload::ReloadError::kManifestUnreadable:
    case reload::ReloadError::kRefusedByPlugin:
    case reload::ReloadError::kStaticChangeRefused:
    case reload::ReloadError::kCommitFailed:
    case reload::ReloadError::kBreakerOpen:
    case reload::ReloadError::kHostStopping:
    case reload::ReloadError::kProposerStopping:
    case reload::ReloadError::kSecretsNotRestorable:
    case reload::ReloadError::kSwapFailed: return 409;
    case reload::ReloadError::kRevisionMoved: return 412;
  }
  return 500;
}

// A refusal from the token registry or the revision store, by its code.
Reply status_reply(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return error_reply(400, status.message());
    case StatusCode::kNotFound: return error_reply(404, status.message());
    case StatusCode::kFailedPrecondition: return error_reply(409, status.message());
    default: return error_reply(500, status.message());
  }
}

Reply reload_reply(const reload::ReloadResult& r) { return {http_status(r), r.to_json(), {}}; }

// If-Match on an action (optimistic locking): the revision the caller last saw,
// as the ETag of GET /v1/status gives it ("7"; 7 and W/"7" are taken too; *
// matches any). nullopt: no precondition. An unreadable value is a 400.
StatusOr<std::optional<uint64_t>> expected_revision(const Call& call) {
  if (!call.if_match) return std::optional<uint64_t>();
  std::string_view v = *call.if_match;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v == "*") return std::optional<uint64_t>();
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (auto n = revision_number(std::string(v))) return std::optional<uint64_t>(*n);
  return invalid_argument("If-Match must be a revision number, as the ETag of GET /v1/status gives it (\"7\")");
}

// The ETag of what a read shows: the running revision.
std::vector<std::pair<std::string, std::string>> revision_etag(uint64_t revision) {
  return {{"etag", "\"" + std::to_string(revision) + "\""}};
}

void send(http::Response& res, const Reply& reply) {
  for (const auto& [name, value] : reply.headers) res.header(name, value);
  res.status(reply.status).body(json::serialize(reply.body) + "\n", "application/json");
}

Call copy_call(const http::Request& req, Identity who) {
  Call call;
  call.who = std::move(who);
  call.body = std::string(req.body());
  std::string_view peer = req.peer();
  call.address = std::string(peer.substr(0, peer.rfind(':')));
  if (call.address.size() > 2 && call.address.front() == '[')
    call.address = call.address.substr(1, call.address.size() - 2);
  call.author = std::string(req.header("x-hyperion-author").value_or(""));
  if (auto v = req.header("if-match")) call.if_match = std::string(*v);
  for (const auto& [k, v] : req.queries()) call.query.emplace_back(k, v);
  for (const auto& [k, v] : req.params()) call.params.emplace_back(k, v);
  return call;
}

// The admin API's limits: host.admin and host.admin.limits (docs/security.md);
// handlers may take as long as a reload does.
std::shared_ptr<const http_engine::Settings> engine_settings(const manifest::AdminSettings& admin) {
  auto s = std::make_shared<http_engine::Settings>();
  s->max_body_bytes = static_cast<uint64_t>(admin.max_body_bytes);
  s->max_header_bytes = static_cast<uint32_t>(std::min<int64_t>(admin.max_header_bytes, UINT32_MAX));
  s->max_request_line_bytes = static_cast<uint32_t>(std::min<int64_t>(admin.max_line_bytes, UINT32_MAX));
  s->max_header_count = static_cast<uint32_t>(std::min<int64_t>(admin.max_header_count, UINT32_MAX));
  s->max_connections = static_cast<uint32_t>(std::min<int64_t>(admin.max_connections, UINT32_MAX));
  s->header_timeout = admin.header_timeout;
  s->body_timeout = admin.header_timeout;
  s->idle_timeout = admin.idle_timeout;
  s->handler_timeout = std::chrono::minutes(10);
  s->gzip = false;
  s->access_log = false;
  s->require_length = true;
  return s;
}

}  // namespace

struct AdminServer::Impl final : http_engine::Observer {
  app::OperatorAccess access;
  manifest::AdminSettings settings;
  std::unique_ptr<TokenRegistry> tokens;
  std::unique_ptr<SessionStore> sessions;
  std::string token_id;  // "sha256:<12 hex digits>" of the host's token
  std::string url;
  std::string url_file;  // <state>/admin.url, written once serving
  int port = 0;

  http_engine::InProcessRoutes routes_table;  // declared before the engine: it outlives the calls
  std::unique_ptr<http_engine::Engine> engine;
  // Declared after the engine, so destroyed before it: a task still queued
  // answers (500) through a session whose I/O context is still there.
  boost::asio::thread_pool reads{2};
  boost::asio::thread_pool actions{1};  // reload, rollback, swap: one at a time, as the host applies them

  // Open event streams, by key; each has one event subscription.
  struct OpenStream {
    uint64_t subscription = 0;
    std::shared_ptr<http::Stream> stream;
  };
  std::mutex streams_mu;
  std::condition_variable streams_cv;
  bool stopping = false;
  uint64_t next_stream = 0;
  std::map<uint64_t, OpenStream> streams;
  std::thread keepalive;

  Impl(app::OperatorAccess a, manifest::AdminSettings s) : access(a), settings(std::move(s)) {}

  // Observer: the admin API keeps no access log (its actions are revisions and events).
  void request_finished(const http_engine::RequestRecord&) override {}
  void handler_failed(std::string_view route, std::string_view what) override {
    logging::host_logger()->warn("admin: {} failed: {}", route, what);
  }
  [[nodiscard]] const hyperion::trace::Tracer* tracer() const override { return nullptr; }

  // Who calls, and through which session when it came with the cookie.
  struct Caller {
    Identity who;
    std::string session_id;  // empty: a bearer token
    std::string csrf;        // the session's CSRF token
  };

  // Who calls: a bearer token (the API's way), else a session cookie (the
  // console's way: a request that changes state must also carry the session's
  // CSRF token in X-CSRF-Token); else the answer: 400 for two Authorization
  // headers, 401 without a valid token or session, 403 without the CSRF token
  // or when the caller's role is below `needed`.
  std::variant<Caller, Reply> identify(const http::Request& req, Role needed) {
    int count = 0;
    std::string value;
    for (const auto& [name, v] : req.headers()) {
      if (name == "authorization") {
        ++count;
        value = v;
      }
    }
    if (count > 1) return error_reply(400, "more than one Authorization header");
    std::optional<Identity> who;
    Caller caller;
    std::string missing = "missing bearer token";
    if (count == 1) {
      auto presented = bearer_token(value);
      if (presented) who = tokens->authenticate(*presented);
      missing = "wrong token";
    } else if (auto cookie = cookie_value(req.header("cookie").value_or(""), SessionStore::kCookie)) {
      auto session = sessions->find(*cookie);
      if (session && tokens->still_valid(session->who)) {
        const bool changes_state = req.method() != "GET" && req.method() != "HEAD";
        auto csrf = req.header("x-csrf-token");
        if (changes_state && (!csrf || !constant_time_equal(std::string(*csrf), session->csrf))) {
          return error_reply(403, "csrf", "a signed-in request that changes state must carry X-CSRF-Token");
        }
        who = session->who;
        caller.session_id = std::move(*cookie);
        caller.csrf = std::move(session->csrf);
      } else {
        missing = "not signed in: the session expired, was ended or its token was removed";
      }
    }
    if (!who) {
      Reply r = error_reply(401, missing);
      r.headers.emplace_back("www-authenticate", "Bearer realm=\"hyperion\"");
      return r;
    }
    if (who->role < needed) {
      return error_reply(403, "forbidden",
                         "token \"" + who->name + "\" has the role " + role_name(who->role) + "; " +
                             std::string(req.method()) + " " + std::string(req.path()) + " needs " + role_name(needed));
    }
    caller.who = std::move(*who);
    return caller;
  }

  // The session cookie with its attributes: HttpOnly keeps it from scripts,
  // SameSite=Strict from other sites' requests, Secure sends it only over TLS
  // (when the API serves TLS: a Secure cookie over plain HTTP never comes back).
  [[nodiscard]] std::string session_cookie(std::string_view value, int64_t max_age_s) const {
    return std::string(SessionStore::kCookie) + "=" + std::string(value) +
           "; Path=/; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict" +
           (settings.tls_cert_file.empty() ? "" : "; Secure");
  }

  // Who a revision is by: what the caller says (X-Hyperion-Author, else its
  // address) and, beside it, which token it proved — the only part the host
  // vouches for (#25 point 11; named tokens come with the console, #22). The
  // token's identity is a digest prefix: it names the token without revealing it.
  std::string author(const Call& call) const {
    // A named token is one person or system: its actions are its name's.
    if (!call.who.host_token) return call.who.name;
    std::string said = call.author;
    // The header goes into revisions, logs and events: printable text, bounded.
    std::erase_if(said, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (said.size() > 200) said.resize(200);
    if (said.empty()) said = call.address;
    return said + " (token " + token_id + ")";
  }

  enum class Pool { kReads, kActions };
  // Serves `method` on `path`: the token is checked on the I/O thread, the
  // handler runs on `pool` and answers from there.
  void route(std::string_view method, std::string_view path, Pool pool, Role needed,
             std::function<Reply(const Call&)> fn);
  // A read whose answer is text made elsewhere, sent as it is (not parsed
  // into a Reply to be written out again).
  void read_text(std::string_view path, std::string content_type, std::function<std::string()> text);
  void session_routes();
  void console_routes();
  void token_routes();
  void routes();
  void open_stream(http::Stream stream, bool typed);
  void close_stream(uint64_t key);
  void send_keepalives();
  void stop();
};

void AdminServer::Impl::route(std::string_view method, std::string_view path, Pool pool, Role needed,
                              std::function<Reply(const Call&)> fn) {
  auto shared_fn = std::make_shared<const std::function<Reply(const Call&)>>(std::move(fn));
  routes_table.add(method, path, [this, pool, needed, shared_fn](const http::Request& req, http::Response& res) {
    auto who = identify(req, needed);
    if (auto* no = std::get_if<Reply>(&who)) return send(res, *no);
    Caller& caller = std::get<Caller>(who);
    Call call = copy_call(req, std::move(caller.who));
    call.session = std::move(caller.session_id);
    http::Deferred later = res.defer();
    boost::asio::post(pool == Pool::kReads ? reads : actions, [shared_fn, later, call = std::move(call)]() mutable {
      Reply reply;
      try {
        reply = (*shared_fn)(call);
      } catch (const std::exception& e) {
        reply = error_reply(500, e.what());
      }
      for (const auto& [name, value] : reply.headers) later.header(name, value);
      later.send(reply.status, json::serialize(reply.body) + "\n", "application/json");
    });
  });
}

void AdminServer::Impl::read_text(std::string_view path, std::string content_type, std::function<std::string()> text) {
  routes_table.add("GET", path, [this, content_type, text](const http::Request& req, http::Response& res) {
    auto who = identify(req, Role::kViewer);
    if (auto* no = std::get_if<Reply>(&who)) return send(res, *no);
    boost::asio::post(reads, [later = res.defer(), content_type, text]() mutable {
      try {
        later.send(200, text(), content_type);
      } catch (const std::exception& e) {
        later.send(500, json::serialize(error_reply(500, e.what()).body) + "\n", "application/json");
      }
    });
  });
}

void AdminServer::Impl::routes() {
  // The ETag is read before the snapshot: it is never newer than what the
  // body shows, so an If-Match built on it can only be refused, never let
  // through a change the caller has not seen.
  route("GET", "/v1/status", Pool::kReads, Role::kViewer, [this](const Call&) {
    auto etag = revision_etag(access.reloads.current_revision());
    return Reply{200, status_view(access.app.snapshot()), std::move(etag)};
  });
  // The same report as the health plugin's /readyz?verbose and hyperion.health.
  read_text("/v1/health", "application/json", [this] { return access.health.json(); });
  // The Prometheus text the health plugin's /metrics serves.
  read_text("/v1/metrics", "text/plain; version=0.0.4; charset=utf-8", [this] { return access.app.metrics(); });
  route("GET", "/v1/plugins", Pool::kReads, Role::kViewer, [this](const Call&) {
    return Reply{200, json::object{{"plugins", plugins_view(access.app.snapshot())}}, {}};
  });
  route("GET", "/v1/config", Pool::kReads, Role::kViewer, [this](const Call&) {
    auto etag = revision_etag(access.reloads.current_revision());
    return Reply{200, config_view(access.app.snapshot()), std::move(etag)};
  });
  route("POST", "/v1/reload", Pool::kActions, Role::kOperator, [this](const Call& call) {
    auto expected = expected_revision(call);
    if (!expected.ok()) return error_reply(400, expected.status().message());
    if (call.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      if (!*expected) return reload_reply(access.reloads.reload_from_file("admin", author(call)));
      // A precondition is this request's own: not coalesced with others.
      reload::ReloadRequest request{"admin", author(call), std::nullopt, std::nullopt};
      request.expected_revision = *expected;
      return reload_reply(access.reloads.reload(request));
    }
    try {
      YAML::Node doc = YAML::Load(call.body);
      if (!doc.IsMap()) return error_reply(400, "the body must be a YAML manifest (a mapping with app, host, plugins)");
    } catch (const YAML::Exception& e) {
      return error_reply(400, std::string("the body is not valid YAML: ") + e.what());
    }
    reload::ReloadRequest request{"admin", author(call), call.body, std::nullopt};
    request.expected_revision = *expected;
    return reload_reply(access.reloads.reload(request));
  });
  route("POST", "/v1/plugins/{instance}/swap", Pool::kActions, Role::kOperator, [this](const Call& call) {
    auto choice = parse_swap_body(call.body);
    if (!choice.ok()) return error_reply(400, choice.status().message());
    auto expected = expected_revision(call);
    if (!expected.ok()) return error_reply(400, expected.status().message());
    const std::string instance = call.param("instance");
    bool known = false;
    for (const app::InstanceSnapshot& i : access.app.snapshot().instances) known = known || i.name == instance;
    if (!known) return error_reply(404, "no instance \"" + instance.substr(0, 200) + "\" in the running app");
    return reload_reply(access.reloads.swap(instance, *choice, "admin", author(call), *expected));
  });
  route("GET", "/v1/revisions", Pool::kReads, Role::kViewer, [this](const Call& call) {
    size_t limit = 50;
    if (const std::string* v = call.find(call.query, "limit")) {
      if (v->empty() || v->size() > 6 || v->find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(*v) == 0) {
        return error_reply(400, "limit must be a positive integer");
      }
      limit = std::stoul(*v);
    }
    auto revisions = access.revisions.revisions(limit);
    if (!revisions.ok()) return error_reply(500, revisions.status().message());
    json::array out;
    for (const state::Revision& r : *revisions) out.push_back(revision_view(r, false));
    return Reply{200, json::object{{"revisions", std::move(out)}}, {}};
  });
  route("GET", "/v1/revisions/{n}", Pool::kReads, Role::kViewer, [this](const Call& call) {
    auto number = revision_number(call.param("n"));
    if (!number) return error_reply(404, "no such endpoint");
    auto r = access.revisions.revision(*number);
    if (!r.ok()) return status_reply(r.status());
    return Reply{200, revision_view(*r, true), {}};
  });
  route("POST", "/v1/revisions/{n}/rollback", Pool::kActions, Role::kOperator, [this](const Call& call) {
    auto number = revision_number(call.param("n"));
    if (!number) return error_reply(404, "no such endpoint");
    if (auto exists = access.revisions.revision(*number); !exists.ok()) {
      return error_reply(404, exists.status().message());
    }
    auto expected = expected_revision(call);
    if (!expected.ok()) return error_reply(400, expected.status().message());
    return reload_reply(access.reloads.rollback(*number, author(call), *expected));
  });
  route("GET", "/v1/revisions/{a}/diff/{b}", Pool::kReads, Role::kViewer, [this](const Call& call) {
    auto a = revision_number(call.param("a"));
    auto b = revision_number(call.param("b"));
    if (!a || !b) return error_reply(404, "no such endpoint");
    auto from = access.revisions.revision(*a);
    if (!from.ok()) return status_reply(from.status());
    auto to = access.revisions.revision(*b);
    if (!to.ok()) return status_reply(to.status());
    auto diff = diff_revisions(*from, *to, access.app.snapshot());
    if (!diff.ok()) return error_reply(422, diff.status().message());
    return Reply{200, std::move(*diff), {}};
  });
  session_routes();
  token_routes();
  console_routes();
  route("GET", "/v1/openapi.json", Pool::kReads, Role::kViewer, [](const Call&) {
    static const json::value document = json::parse(openapi_document());
    return Reply{200, document, {}};
  });
  // Anything else: 401 without the token (nothing is revealed), 404 with it.
  route("*", "/{rest...}", Pool::kReads, Role::kViewer,
        [](const Call&) { return error_reply(404, "no such endpoint"); });

  // Server-Sent Events: answered on the I/O thread, then fed by the event bus;
  // a stream holds no thread.
  routes_table.add("GET", "/v1/events", [this](const http::Request& req, http::Response& res) {
    auto who = identify(req, Role::kViewer);
    if (auto* no = std::get_if<Reply>(&who)) return send(res, *no);
    // ?typed=0: no "event:" field, so a browser's EventSource.onmessage sees every event.
    bool typed = true;
    for (const auto& [k, v] : req.queries()) typed = typed && !(k == "typed" && v == "0");
    open_stream(res.sse(), typed);
  });
}

// The console's page: static files, the same for everyone, so no token is
// needed to fetch them (the data they show comes from the API, which asks).
void AdminServer::Impl::console_routes() {
  auto to_console = [](const http::Request&, http::Response& res) {
    res.status(308).header("location", "/ui/").body("the console is at /ui/\n", "text/plain");
  };
  routes_table.add("GET", "/", to_console);
  routes_table.add("GET", "/ui", to_console);
  auto serve = [](std::string_view name, http::Response& res) {
    const ConsoleAsset* asset = find_console_asset(name);
    for (const auto& [header, value] : kConsoleHeaders) res.header(header, value);
    if (asset == nullptr) return void(res.status(404).body("no such file\n", "text/plain"));
    res.status(200).body(std::string(asset->body), asset->content_type);
  };
  routes_table.add("GET", "/ui/", [serve](const http::Request&, http::Response& res) { serve("", res); });
  routes_table.add("GET", "/ui/{file}",
                   [serve](const http::Request& req, http::Response& res) { serve(req.param("file"), res); });
}

// The console's sign-in: a token (in the body, never in a URL) becomes a
// session cookie (session_cookie() says what its attributes are for).
void AdminServer::Impl::session_routes() {
  routes_table.add("POST", "/v1/session", [this](const http::Request& req, http::Response& res) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    const json::value* token = !ec && v.is_object() ? v.as_object().if_contains("token") : nullptr;
    if (token == nullptr || !token->is_string() || token->as_string().empty()) {
      return send(res, error_reply(400, "the body must be a JSON object {\"token\": \"...\"}"));
    }
    auto who = tokens->authenticate(std::string(token->as_string()));
    if (!who) return send(res, error_reply(401, "wrong token"));
    auto session = sessions->create(*who);
    if (!session.ok()) return send(res, error_reply(500, session.status().message()));
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(sessions->ttl()).count();
    res.header("set-cookie", session_cookie(session->first, seconds));
    res.header("cache-control", "no-store");
    send(res, Reply{200,
                    json::object{{"name", who->name},
                                 {"role", role_name(who->role)},
                                 {"csrf", session->second.csrf},
                                 {"expires_in_s", seconds}},
                    {}});
  });
  // Who calls; never 401: a page asks at load whether its cookie still holds,
  // and "nobody" is an answer, not an error.
  routes_table.add("GET", "/v1/session", [this](const http::Request& req, http::Response& res) {
    res.header("cache-control", "no-store");
    auto who = identify(req, Role::kViewer);
    if (std::holds_alternative<Reply>(who)) {
      return send(res, Reply{200, json::object{{"via", "none"}}, {}});
    }
    const Caller& caller = std::get<Caller>(who);
    json::object o{{"name", caller.who.name}, {"role", role_name(caller.who.role)}, {"via", "token"}};
    if (!caller.session_id.empty()) {
      o["via"] = "session";
      o["csrf"] = caller.csrf;
    }
    send(res, Reply{200, std::move(o), {}});
  });
  route("DELETE", "/v1/session", Pool::kReads, Role::kViewer, [this](const Call& call) {
    if (!call.session.empty()) sessions->end(call.session);
    return Reply{200, json::object{{"signed_out", !call.session.empty()}}, {{"set-cookie", session_cookie("", 0)}}};
  });
}

// Token management (admin role): the tokens file is rewritten; a new token is
// shown once, in this answer, and never again.
void AdminServer::Impl::token_routes() {
  route("GET", "/v1/tokens", Pool::kReads, Role::kAdmin, [this](const Call&) {
    json::array out;
    for (const NamedToken& t : tokens->list()) {
      out.push_back(json::object{{"name", t.name}, {"role", role_name(t.role)}});
    }
    return Reply{200, json::object{{"tokens", std::move(out)}, {"tokens_file", tokens->tokens_file()}}, {}};
  });
  route("POST", "/v1/tokens", Pool::kActions, Role::kAdmin, [this](const Call& call) {
    boost::system::error_code ec;
    json::value v = json::parse(call.body, ec);
    const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
    const json::value* name = o != nullptr ? o->if_contains("name") : nullptr;
    const json::value* role = o != nullptr ? o->if_contains("role") : nullptr;
    if (name == nullptr || !name->is_string() || role == nullptr || !role->is_string()) {
      return error_reply(400,
                         "the body must be a JSON object {\"name\": \"...\", \"role\": \"viewer|operator|admin\"}");
    }
    auto parsed = parse_role(role->as_string());
    if (!parsed) return error_reply(400, "\"role\" must be viewer, operator or admin");
    auto token = tokens->create(std::string(name->as_string()), *parsed);
    if (!token.ok()) return status_reply(token.status());
    logging::host_logger()->info("admin: token \"{}\" ({}) created by {}", std::string(name->as_string()),
                                 role_name(*parsed), author(call));
    return Reply{201,
                 json::object{{"name", name->as_string()}, {"role", role->as_string()}, {"token", *token}},
                 {{"cache-control", "no-store"}}};
  });
  route("DELETE", "/v1/tokens/{name}", Pool::kActions, Role::kAdmin, [this](const Call& call) {
    const std::string name = call.param("name");
    Status removed = tokens->remove(name);
    if (!removed.ok()) return status_reply(removed);
    logging::host_logger()->info("admin: token \"{}\" removed by {}", name, author(call));
    return Reply{200, json::object{{"removed", name}}, {}};
  });
}

void AdminServer::Impl::open_stream(http::Stream s, bool typed) {
  auto stream = std::make_shared<http::Stream>(std::move(s));
  uint64_t key = 0;
  {
    std::lock_guard lock(streams_mu);
    if (stopping) return stream->close();
    key = next_stream++;
    streams[key].stream = stream;
  }
  // The client left, or the engine is stopping: the subscription goes.
  stream->on_cancel([this, key] { close_stream(key); });
  uint64_t subscription = access.events.subscribe(
      "admin-events-" + std::to_string(key), "", [this, key, stream, typed](const std::string& event) {
        boost::system::error_code ec;
        json::value v = json::parse(event, ec);
        const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
        const json::value* id = o != nullptr ? o->if_contains("id") : nullptr;
        const json::value* type = o != nullptr ? o->if_contains("type") : nullptr;
        bool sent = stream->event(event,
                                  !typed                                 ? ""
                                  : type != nullptr && type->is_string() ? std::string_view(type->as_string())
                                                                         : "message",
                                  id != nullptr && id->is_string() ? std::string_view(id->as_string()) : "");
        // Gone before on_cancel was set: unsubscribing here does not wait for this callback.
        if (!sent) close_stream(key);
      });
  bool gone = false;
  {
    std::lock_guard lock(streams_mu);
    auto it = streams.find(key);
    gone = it == streams.end();  // cancelled before it was subscribed
    if (!gone) it->second.subscription = subscription;
  }
  if (gone) access.events.unsubscribe(subscription);
}

void AdminServer::Impl::close_stream(uint64_t key) {
  OpenStream open;
  {
    std::lock_guard lock(streams_mu);
    auto it = streams.find(key);
    if (it == streams.end()) return;
    open = std::move(it->second);
    streams.erase(it);
  }
  if (open.subscription != 0) access.events.unsubscribe(open.subscription);
  open.stream->close();
}

// Every 15 s a comment on every stream: proxies and clients see it is alive,
// and a client that left is noticed when the write fails.
void AdminServer::Impl::send_keepalives() {
  std::unique_lock lock(streams_mu);
  while (!stopping) {
    streams_cv.wait_for(lock, std::chrono::seconds(15));
    if (stopping) break;
    std::vector<std::pair<uint64_t, std::shared_ptr<http::Stream>>> open;
    for (const auto& [key, s] : streams) open.emplace_back(key, s.stream);
    lock.unlock();
    for (const auto& [key, s] : open) {
      if (!s->comment("keep-alive")) close_stream(key);
    }
    open.clear();
    lock.lock();
  }
}

void AdminServer::Impl::stop() {
  std::map<uint64_t, OpenStream> open;
  {
    std::lock_guard lock(streams_mu);
    stopping = true;
    open.swap(streams);
  }
  streams_cv.notify_all();
  if (keepalive.joinable()) keepalive.join();
  for (auto& [key, s] : open) {
    if (s.subscription != 0) access.events.unsubscribe(s.subscription);
    s.stream->close();
  }
  // No new task starts; the running ones (a reload) finish and answer.
  reads.stop();
  actions.stop();
  reads.join();
  actions.join();
  if (engine) engine->stop(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  // The CLI finds a running host through admin.url: a stopped one leaves none.
  if (!url_file.empty()) ::unlink(url_file.c_str());
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { impl_->stop(); }

const std::string& AdminServer::url() const { return impl_->url; }
int AdminServer::port() const { return impl_->port; }

StatusOr<std::unique_ptr<AdminServer>> AdminServer::start(app::OperatorAccess access,
                                                          const manifest::AdminSettings& settings,
                                                          const std::string& state_dir) {
  auto impl = std::make_unique<Impl>(access, settings);
  auto token = load_or_create_token(settings.token_file, state_dir, static_cast<size_t>(settings.min_token_bytes));
  if (!token.ok()) return token.status();
  impl->token_id = "sha256:" + os::sha256_hex(*token).substr(0, 12);
  auto registry = TokenRegistry::open(std::move(*token), settings.tokens_file);
  if (!registry.ok()) return registry.status();
  impl->tokens = std::move(*registry);
  impl->sessions = std::make_unique<SessionStore>(settings.session_ttl, 4096);
  const bool tls = !settings.tls_cert_file.empty();
  http_engine::Endpoint endpoint{settings.listen, std::nullopt};
  if (tls) endpoint.tls = http_engine::TlsConfig{settings.tls_cert_file, settings.tls_key_file, "", false};
  impl->routes();
  // One I/O thread: a slow client costs a socket and a deadline, not a thread.
  impl->engine = std::make_unique<http_engine::Engine>(1, impl->routes_table.table(), *impl, engine_settings(settings));
  std::unique_ptr<http_engine::BoundListener> listener;
  try {
    listener = impl->engine->bind(endpoint);
  } catch (const hyperion::Error& e) {
    if (e.code() == HYPERION_ERR_INVALID_ARGUMENT && tls) {
      return invalid_argument("admin: cannot serve TLS with host.admin.tls (cert_file " + settings.tls_cert_file +
                              ", key_file " + settings.tls_key_file + "): " + e.what());
    }
    return unavailable("admin: cannot listen on " + settings.listen + ": " + e.what());
  }
  impl->port = listener->port;
  impl->url = listener->url();
  impl->engine->serve(std::move(listener));
  Impl* raw = impl.get();
  impl->keepalive = std::thread([raw] { raw->send_keepalives(); });
  // Readable by the owner only, like the token it sits beside; removed on exit.
  impl->url_file = (std::filesystem::path(state_dir) / "admin.url").string();
  if (int fd = ::open(impl->url_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); fd >= 0) {
    ::fchmod(fd, 0600);  // an older file may have been made with other modes
    std::string line = impl->url + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      logging::host_logger()->warn("admin: cannot write {}", impl->url_file);
    }
    ::close(fd);
  }
  logging::host_logger()->info("admin API on {} (bearer token required); console at {}/ui/", impl->url, impl->url);
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

}  // namespace hyperion::admin
