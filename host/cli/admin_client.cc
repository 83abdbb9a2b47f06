// `hyperion status|reload|history|rollback`: clients of a running host's admin API.

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/admin_http.h"
#include "cli/commands.h"
#include "manifest/manifest_parser.h"
#include "os/read_file.h"
#include "paths/state_directory.h"

namespace hyperion::cli {
namespace {

namespace json = boost::json;

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// The host's state folder, as the host itself finds it; empty when nothing says.
StatusOr<std::string> resolve_state_dir(const AdminOptions& o) {
  if (!o.state_dir.empty()) return o.state_dir;
  if (!o.manifest.empty()) {
    auto m = manifest::parse_manifest_file(o.manifest);
    if (!m.ok()) return Status(m.status().code(), "--manifest: " + m.status().message());
    return m->host.state_dir.empty() ? paths::default_state_dir(m->app) : m->host.state_dir;
  }
  if (const char* env = std::getenv("HYPERION_STATE_DIR"); env != nullptr && *env != '\0') return std::string(env);
  return std::string();
}

// Where the admin API is, and where that was found (for messages).
std::pair<std::string, std::string> resolve_url(const AdminOptions& o, const std::string& state_dir) {
  if (!o.admin.empty()) return {o.admin, "--admin"};
  if (const char* env = std::getenv("HYPERION_ADMIN_URL"); env != nullptr && *env != '\0') {
    return {env, "$HYPERION_ADMIN_URL"};
  }
  if (!state_dir.empty()) {
    const std::string file = (std::filesystem::path(state_dir) / "admin.url").string();
    if (auto text = os::read_file(file, os::kMaxSmallFileBytes); text.ok() && !trimmed(*text).empty()) {
      return {trimmed(*text), file};
    }
  }
  return {
      "http://127.0.0.1:7450",
      "the default (no --admin, $HYPERION_ADMIN_URL or <state_dir>/admin.url" +
          std::string(state_dir.empty() ? "; no state folder known: --state-dir or --manifest" : " in " + state_dir) +
          ")"};
}

StatusOr<std::string> resolve_token(const AdminOptions& o, const std::string& state_dir) {
  std::string file = o.token_file;
  if (file.empty()) {
    if (const char* env = std::getenv("HYPERION_ADMIN_TOKEN")) return trimmed(env);  // as the host trims it
    if (const char* env = std::getenv("HYPERION_ADMIN_TOKEN_FILE")) file = env;
  }
  if (file.empty() && !state_dir.empty()) file = (std::filesystem::path(state_dir) / "admin.token").string();
  if (file.empty()) {
    return invalid_argument(
        "no token: pass --token-file, --state-dir or --manifest (the host writes <state_dir>/admin.token), or set "
        "HYPERION_ADMIN_TOKEN");
  }
  auto text = os::read_file(file, os::kMaxSmallFileBytes);
  if (!text.ok()) return Status(text.status().code(), "token file: " + text.status().message());
  return trimmed(std::move(*text));
}

// Sends one request; prints the JSON answer; returns the exit code.
int call(const AdminOptions& o, const std::string& method, const std::string& path, const std::string& body,
         const std::function<int(int status, const json::value&)>& show) {
  auto state_dir = resolve_state_dir(o);
  if (!state_dir.ok()) {
    std::cerr << "hyperion: " << state_dir.status().message() << "\n";
    return 2;
  }
  auto token = resolve_token(o, *state_dir);
  if (!token.ok()) {
    std::cerr << "hyperion: " << token.status().message() << "\n";
    return 2;
  }
  const auto [url, url_from] = resolve_url(o, *state_dir);
  auto endpoint = parse_admin_url(url);
  if (!endpoint.ok()) {
    std::cerr << "hyperion: admin URL " << url << " (from " << url_from << "): " << endpoint.status().message() << "\n";
    return 2;
  }
  const std::string ca =
      o.ca_file.empty() && std::getenv("HYPERION_ADMIN_CA") ? std::getenv("HYPERION_ADMIN_CA") : o.ca_file;
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + *token},
                                                              {"X-Hyperion-Author", "cli"}};
  if (method != "GET" && o.expect_revision != 0) {
    headers.emplace_back("If-Match", "\"" + std::to_string(o.expect_revision) + "\"");
  }
  // A reload may wait on plugins' deadlines: 300 s for the answer.
  auto res = admin_http_request(*endpoint, method, path, headers, body, ca, std::chrono::seconds(300));
  if (!res.ok()) {
    std::cerr << "hyperion: cannot reach the admin API at " << url << " (from " << url_from
              << "): " << res.status().message() << "\n";
    return 1;
  }
  boost::system::error_code ec;
  json::value answer = json::parse(res->body, ec);
  if (ec) {
    std::cerr << "hyperion: " << url << path << " answered " << res->status << " with a body that is not JSON\n";
    return 1;
  }
  if (res->status == 401) {
    std::cerr << "hyperion: the admin API refused the token (401)\n";
    return 1;
  }
  // What the HTTP engine answers itself (413 body too large, 431, 408, ...) is
  // an RFC 9457 problem, not an admin answer: say it as it is.
  if (const json::object* o = answer.if_object();
      o != nullptr && res->status >= 400 && !o->contains("error") && o->contains("detail")) {
    std::cerr << "hyperion: " << url << path << " answered " << res->status << ": "
              << (o->at("detail").is_string() ? std::string(o->at("detail").as_string())
                                              : json::serialize(o->at("detail")))
              << "\n";
    return 1;
  }
  return show(res->status, answer);
}

// `what` names the operation in the lines for people ("reload", "swap").
int print_result(int status, const json::value& v, const char* what) {
  std::cout << json::serialize(v) << "\n";
  const json::object& o = v.as_object();
  if (status == 200) {
    std::cerr << what << " " << std::string(o.at("outcome").as_string()) << " (revision " << o.at("revision").as_int64()
              << ")\n";
    return 0;
  }
  if (const json::value* e = o.if_contains("error"); e && e->is_object()) {
    const json::object& err = e->as_object();
    auto text = [&](const char* key) {
      const json::value* v = err.if_contains(key);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    // The typed code (docs/reload.md) first: scripts grep for it, people read the rest.
    std::cerr << what << " " << (o.contains("outcome") ? std::string(o.at("outcome").as_string()) : "failed");
    if (!text("code").empty()) std::cerr << " [" << text("code") << "]";
    std::cerr << ":";
    if (!text("plugin").empty()) std::cerr << " instance \"" << text("plugin") << "\"";
    if (!text("field").empty()) std::cerr << " field " << text("field");
    std::cerr << " " << text("reason") << "\n";
    if (text("code") == "breaker_open") {
      std::cerr << "hint: reloads failed too often in a row; the breaker lets one through after its backoff "
                   "(hyperion status shows when)\n";
    } else if (text("code") == "secrets_not_restorable") {
      std::cerr << "hint: ask the config source to propose its configuration again\n";
    } else if (text("code") == "revision_moved") {
      std::cerr << "hint: someone changed the app since; `hyperion history` and `hyperion show REV` say what, "
                   "then retry with the new --expect-revision\n";
    }
  }
  return 1;
}

int print_reload(int status, const json::value& v) { return print_result(status, v, "reload"); }

// A swap's answer: the reload's, then one line on what left the process.
int print_swap(int status, const json::value& v, const std::string& instance) {
  int code = print_result(status, v, "swap");
  const json::object* entry = nullptr;
  if (const json::value* diff = v.as_object().if_contains("diff"); diff != nullptr && diff->is_object()) {
    if (const json::value* e = diff->as_object().if_contains(instance); e != nullptr && e->is_object()) {
      entry = &e->as_object();
    }
  }
  if (code != 0 || entry == nullptr || !entry->contains("to")) return code;
  auto version = [&](const char* side) { return std::string(entry->at(side).at("version").as_string()); };
  std::cerr << "swapped \"" << instance << "\": " << version("from") << " -> " << version("to");
  if (const json::value* old = entry->if_contains("old_library")) {
    if (old->at("unloaded").as_bool()) {
      std::cerr << "; the old library left the process";
    } else {
      std::cerr << "; the old library stays mapped (pinned): " << std::string(old->at("pinned").as_string());
    }
  }
  std::cerr << "\n";
  return code;
}

}  // namespace

int swap_command(const AdminOptions& o, const std::string& instance, const std::string& library,
                 const std::string& sha256) {
  // A path the user typed is theirs, relative to where they are; a bare name is
  // looked up on the host's plugin search path.
  std::string target = library;
  std::error_code ec;
  if (library.find('/') != std::string::npos && std::filesystem::exists(library, ec)) {
    target = std::filesystem::absolute(library, ec).lexically_normal().string();
  }
  json::object body{{"library", target}};
  if (!sha256.empty()) body["sha256"] = sha256;
  return call(o, "POST", "/v1/plugins/" + instance + "/swap", json::serialize(body),
              [&](int status, const json::value& v) { return print_swap(status, v, instance); });
}

int status_command(const AdminOptions& o) {
  return call(o, "GET", "/v1/status", "", [](int status, const json::value& v) {
    std::cout << json::serialize(v) << "\n";
    return status == 200 ? 0 : 1;
  });
}

int reload_command(const AdminOptions& o, const std::string& manifest_file) {
  std::string body;
  if (!manifest_file.empty()) {
    auto text = os::read_file(manifest_file, os::kMaxManifestBytes);
    if (!text.ok()) {
      std::cerr << "hyperion: --file: " << text.status().message() << "\n";
      return 2;  // a bad argument, not a refused reload
    }
    body = std::move(*text);
  }
  return call(o, "POST", "/v1/reload", body, print_reload);
}

int history_command(const AdminOptions& o, int limit) {
  return call(o, "GET", "/v1/revisions?limit=" + std::to_string(limit), "", [](int status, const json::value& v) {
    if (status != 200) {
      std::cout << json::serialize(v) << "\n";
      return 1;
    }
    for (const json::value& r : v.at("revisions").as_array()) {
      const json::object& o = r.as_object();
      std::cout << o.at("number").as_int64() << "\t" << std::string(o.at("created_at").as_string()) << "\t"
                << std::string(o.at("outcome").as_string()) << "\t" << std::string(o.at("source").as_string());
      if (const json::value* e = o.if_contains("error")) std::cout << "\t" << json::serialize(*e);
      std::cout << "\n";
    }
    return 0;
  });
}

namespace {

std::string text_of(const json::value* v) {
  if (v == nullptr) return "";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

// One revision for people: what, who, when, the outcome, then each instance's
// action and field changes.
void print_revision(const json::object& r) {
  std::cout << "revision " << text_of(r.if_contains("number")) << "  " << text_of(r.if_contains("created_at")) << "  "
            << text_of(r.if_contains("outcome")) << "\nsource   " << text_of(r.if_contains("source"));
  if (std::string author = text_of(r.if_contains("author")); !author.empty()) std::cout << " (by " << author << ")";
  std::cout << "\n";
  if (const json::value* e = r.if_contains("error"); e != nullptr && e->is_object()) {
    const json::object& err = e->as_object();
    std::cout << "error    [" << text_of(err.if_contains("code")) << "]";
    if (std::string plugin = text_of(err.if_contains("plugin")); !plugin.empty())
      std::cout << " instance \"" << plugin << "\"";
    if (std::string field = text_of(err.if_contains("field")); !field.empty()) std::cout << " field " << field;
    std::cout << " " << text_of(err.if_contains("reason")) << "\n";
  }
  const json::value* diff = r.if_contains("diff");
  if (diff == nullptr || !diff->is_object() || diff->as_object().empty()) {
    std::cout << "changes  (none)\n";
    return;
  }
  for (const auto& kv : diff->as_object()) {
    const json::object& entry = kv.value().as_object();
    std::cout << "  " << std::string(kv.key()) << ": " << text_of(entry.if_contains("action"));
    if (std::string reason = text_of(entry.if_contains("reason")); !reason.empty()) std::cout << " (" << reason << ")";
    std::cout << "\n";
    if (const json::value* changes = entry.if_contains("changes"); changes != nullptr && changes->is_array()) {
      for (const json::value& c : changes->as_array()) {
        const json::object& change = c.as_object();
        std::cout << "      " << text_of(change.if_contains("op")) << " " << text_of(change.if_contains("path"));
        if (const json::value* old_value = change.if_contains("old")) std::cout << "  " << json::serialize(*old_value);
        if (const json::value* new_value = change.if_contains("new"))
          std::cout << " -> " << json::serialize(*new_value);
        std::cout << "\n";
      }
    }
  }
}

}  // namespace

int show_command(const AdminOptions& o, uint64_t revision, bool as_json) {
  return call(o, "GET", "/v1/revisions/" + std::to_string(revision), "", [&](int status, const json::value& v) {
    if (status != 200 || as_json) {
      std::cout << json::serialize(v) << "\n";
      if (status != 200) std::cerr << "hyperion: " << text_of(v.as_object().if_contains("error")) << "\n";
      return status == 200 ? 0 : 1;
    }
    print_revision(v.as_object());
    return 0;
  });
}

int rollback_command(const AdminOptions& o, uint64_t revision) {
  return call(o, "POST", "/v1/revisions/" + std::to_string(revision) + "/rollback", "", print_reload);
}

}  // namespace hyperion::cli
