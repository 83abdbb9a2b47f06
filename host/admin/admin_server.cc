#include "admin/admin_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "admin/admin_token.h"
#include "admin/admin_views.h"
#include "logging/log_setup.h"
#include "os/file_digest.h"

namespace hyperion::admin {
namespace {

namespace json = boost::json;

void send_json(httplib::Response& res, int status, const json::value& body) {
  res.status = status;
  res.set_content(json::serialize(body) + "\n", "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& reason) {
  send_json(res, status, json::object{{"error", json::object{{"reason", reason}}}});
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
  }
  return 500;
}

void send_reload_result(httplib::Response& res, const reload::ReloadResult& r) {
  send_json(res, http_status(r), r.to_json());
}

// One Server-Sent Events connection: events queue up here between writes.
struct EventStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> queue;
  bool closed = false;
};

}  // namespace

struct AdminServer::Impl {
  app::OperatorAccess access;
  manifest::AdminSettings settings;
  std::string token;
  std::string token_id;  // "sha256:<12 hex digits>" of the token
  std::string url;
  std::string url_file;  // <state>/admin.url, written once serving
  int port = 0;
  // An httplib::SSLServer when host.admin.tls is set.
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex streams_mu;
  std::vector<std::weak_ptr<EventStream>> streams;
  std::atomic<uint64_t> next_stream{0};

  Impl(app::OperatorAccess a, manifest::AdminSettings s) : access(a), settings(std::move(s)) {}

  bool authorized(const httplib::Request& req) const {
    auto presented = bearer_token(req.get_header_value("Authorization"));
    return presented && constant_time_equal(*presented, token);
  }

  // Who a revision is by: what the caller says (X-Hyperion-Author, else its
  // address) and, beside it, which token it proved — the only part the host
  // vouches for (#25 point 11; named tokens come with the console, #22). The
  // token's identity is a digest prefix: it names the token without revealing it.
  std::string author(const httplib::Request& req) const {
    std::string said = req.get_header_value("X-Hyperion-Author");
    // The header goes into revisions, logs and events: printable text, bounded.
    std::erase_if(said, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (said.size() > 200) said.resize(200);
    if (said.empty()) said = req.remote_addr;
    return said + " (token " + token_id + ")";
  }

  void routes();
  void serve_events(const httplib::Request& req, httplib::Response& res);
};

void AdminServer::Impl::routes() {
  server->set_payload_max_length(static_cast<size_t>(settings.max_body_bytes));
  server->set_tcp_nodelay(true);  // small JSON answers: no Nagle delay
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value_count("Authorization") > 1) {
      send_error(res, 400, "more than one Authorization header");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer realm=\"hyperion\"");
    send_error(res, 401, req.has_header("Authorization") ? "wrong token" : "missing bearer token");
    return httplib::Server::HandlerResponse::Handled;
  });
  server->Get("/v1/status", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, status_view(access.app.snapshot()));
  });
  server->Get("/v1/plugins", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, json::object{{"plugins", plugins_view(access.app.snapshot())}});
  });
  server->Get("/v1/config", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, config_view(access.app.snapshot()));
  });
  server->Post("/v1/reload", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      send_reload_result(res, access.reloads.reload_from_file("admin", author(req)));
      return;
    }
    try {
      YAML::Node doc = YAML::Load(req.body);
      if (!doc.IsMap()) {
        send_error(res, 400, "the body must be a YAML manifest (a mapping with app, host, plugins)");
        return;
      }
    } catch (const YAML::Exception& e) {
      send_error(res, 400, std::string("the body is not valid YAML: ") + e.what());
      return;
    }
    send_reload_result(res, access.reloads.reload({"admin", author(req), req.body, std::nullopt}));
  });
  server->Post(R"(/v1/plugins/([^/]{1,200})/swap)", [this](const httplib::Request& req, httplib::Response& res) {
    auto choice = parse_swap_body(req.body);
    if (!choice.ok()) {
      send_error(res, 400, choice.status().message());
      return;
    }
    const std::string instance = req.matches[1];
    bool known = false;
    for (const app::InstanceSnapshot& i : access.app.snapshot().instances) known = known || i.name == instance;
    if (!known) {
      send_error(res, 404, "no instance \"" + instance + "\" in the running app");
      return;
    }
    send_reload_result(res, access.reloads.swap(instance, *choice, "admin", author(req)));
  });
  server->Get("/v1/revisions", [this](const httplib::Request& req, httplib::Response& res) {
    size_t limit = 50;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) == 0) {
        send_error(res, 400, "limit must be a positive integer");
        return;
      }
      limit = std::stoul(v);
    }
    auto revisions = access.revisions.revisions(limit);
    if (!revisions.ok()) {
      send_error(res, 500, revisions.status().message());
      return;
    }
    json::array out;
    for (const state::Revision& r : *revisions) out.push_back(revision_view(r, false));
    send_json(res, 200, json::object{{"revisions", std::move(out)}});
  });
  server->Get(R"(/v1/revisions/(\d{1,18}))", [this](const httplib::Request& req, httplib::Response& res) {
    auto r = access.revisions.revision(std::stoull(req.matches[1]));
    if (!r.ok()) {
      send_error(res, r.status().code() == StatusCode::kNotFound ? 404 : 500, r.status().message());
      return;
    }
    send_json(res, 200, revision_view(*r, true));
  });
  server->Post(R"(/v1/revisions/(\d{1,18})/rollback)", [this](const httplib::Request& req, httplib::Response& res) {
    uint64_t number = std::stoull(req.matches[1]);
    if (auto exists = access.revisions.revision(number); !exists.ok()) {
      send_error(res, 404, exists.status().message());
      return;
    }
    send_reload_result(res, access.reloads.rollback(number, author(req)));
  });
  server->Get("/v1/events", [this](const httplib::Request& req, httplib::Response& res) { serve_events(req, res); });
  server->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) send_error(res, 413, "the body is larger than host.admin.max_body_bytes");
    else if (res.status == 404) send_error(res, 404, "no such endpoint");
    else send_error(res, res.status, "request failed");
  });
  server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, what);
  });
}

void AdminServer::Impl::serve_events(const httplib::Request&, httplib::Response& res) {
  auto stream = std::make_shared<EventStream>();
  const std::string owner = "admin-events-" + std::to_string(next_stream++);
  uint64_t subscription = access.events.subscribe(owner, "", [stream](const std::string& event) {
    std::lock_guard lock(stream->mu);
    if (stream->queue.size() < 10000) stream->queue.push_back(event);  // a stuck reader cannot grow us forever
    stream->cv.notify_all();
  });
  {
    std::lock_guard lock(streams_mu);
    streams.push_back(stream);
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, stream](size_t, httplib::DataSink& sink) {
        std::unique_lock lock(stream->mu);
        stream->cv.wait_for(lock, std::chrono::seconds(15), [&] { return !stream->queue.empty() || stream->closed; });
        if (stream->closed || stopping) return false;
        std::string out;
        if (stream->queue.empty()) out = ": keep-alive\n\n";  // lets proxies and clients see a live stream
        while (!stream->queue.empty()) {
          boost::system::error_code ec;
          json::value v = json::parse(stream->queue.front(), ec);
          std::string id = !ec && v.is_object() ? std::string(v.at("id").as_string()) : "";
          std::string type = !ec && v.is_object() ? std::string(v.at("type").as_string()) : "message";
          out += "id: " + id + "\nevent: " + type + "\ndata: " + stream->queue.front() + "\n\n";
          stream->queue.pop_front();
        }
        lock.unlock();
        return sink.write(out.data(), out.size());
      },
      [this, subscription](bool) { access.events.unsubscribe(subscription); });
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  impl_->stopping = true;
  {
    std::lock_guard lock(impl_->streams_mu);
    for (auto& weak : impl_->streams) {
      if (auto s = weak.lock()) {
        std::lock_guard stream_lock(s->mu);
        s->closed = true;
        s->cv.notify_all();
      }
    }
  }
  impl_->server->stop();
  // The CLI finds a running host through admin.url: a stopped one leaves none.
  if (!impl_->url_file.empty()) ::unlink(impl_->url_file.c_str());
  if (impl_->thread.joinable()) impl_->thread.join();
}

const std::string& AdminServer::url() const { return impl_->url; }
int AdminServer::port() const { return impl_->port; }

StatusOr<std::unique_ptr<AdminServer>> AdminServer::start(app::OperatorAccess access,
                                                          const manifest::AdminSettings& settings,
                                                          const std::string& state_dir) {
  auto impl = std::make_unique<Impl>(access, settings);
  auto token = load_or_create_token(settings.token_file, state_dir, static_cast<size_t>(settings.min_token_bytes));
  if (!token.ok()) return token.status();
  impl->token = std::move(*token);
  impl->token_id = "sha256:" + os::sha256_hex(impl->token).substr(0, 12);
  const bool tls = !settings.tls_cert_file.empty();
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(settings.tls_cert_file.c_str(), settings.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return invalid_argument("admin: cannot serve TLS with host.admin.tls (cert_file " + settings.tls_cert_file +
                              ", key_file " + settings.tls_key_file +
                              "): unreadable, not PEM, or the key does not match the certificate");
    }
    impl->server = std::move(ssl);
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  size_t colon = settings.listen.rfind(':');
  std::string address = settings.listen.substr(0, colon);
  int port = std::stoi(settings.listen.substr(colon + 1));
  // SO_REUSEADDR only: cpp-httplib's default SO_REUSEPORT would let another
  // socket (the health plugin, a second host) listen on this port too and take
  // half of the requests.
  impl->server->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl->routes();
  impl->port =
      port == 0 ? impl->server->bind_to_any_port(address) : (impl->server->bind_to_port(address, port) ? port : -1);
  if (impl->port < 0) return unavailable("admin: cannot listen on " + settings.listen + " (in use? wrong address?)");
  impl->url = std::string(tls ? "https://" : "http://") +
              (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
              std::to_string(impl->port);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server->listen_after_bind(); });
  // Until the accept loop runs, httplib's stop() is a no-op and a stop right
  // after start would leave the thread listening forever: wait for it.
  for (int i = 0; i < 5000 && !impl->server->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
  logging::host_logger()->info("admin API on {} (bearer token required)", impl->url);
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

}  // namespace hyperion::admin
