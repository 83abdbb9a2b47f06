#include "manifest/manifest_parser.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json_pointer.h"
#include "manifest/diagnostic.h"
#include "manifest/yaml_to_json.h"
#include "os/read_file.h"

namespace hyperion::manifest {
namespace {

namespace json = boost::json;

const char* kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "a list";
    case json::kind::object: return "a mapping";
  }
  return "?";
}

// Reads the fields of one YAML mapping, reporting wrong types, missing required
// fields and, on finish(), every key nobody asked for.
class MappingReader {
 public:
  MappingReader(const json::value& value, std::string pointer, const JsonDocument& doc,
                const std::string& file, Diagnostics& diags)
      : pointer_(std::move(pointer)), doc_(doc), file_(file), diags_(diags) {
    if (value.is_object()) {
      object_ = &value.as_object();
    } else {
      error(pointer_, std::string("expected a mapping, got ") + kind_of(value));
    }
  }

  [[nodiscard]] bool valid() const { return object_ != nullptr; }

  const json::value* get(const std::string& key) {
    known_.insert(key);
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(key);
    if (it == object_->end() || it->value().is_null()) return nullptr;
    return &it->value();
  }

  std::optional<std::string> string(const std::string& key, bool required = false) {
    const json::value* v = get(key);
    if (v == nullptr) {
      if (required && object_ != nullptr) error(pointer_, "missing required field \"" + key + "\"");
      return std::nullopt;
    }
    if (v->is_string()) return plain(child(key), std::string(v->as_string()));
    // An unquoted scalar that YAML typed as a number or boolean is still text here.
    if (auto it = doc_.plain_text.find(child(key)); it != doc_.plain_text.end()) return it->second;
    error(child(key), std::string("expected a string, got ") + kind_of(*v));
    return std::nullopt;
  }

  std::optional<bool> boolean(const std::string& key) {
    const json::value* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) {
      error(child(key), std::string("expected true or false, got ") + kind_of(*v));
      return std::nullopt;
    }
    return v->as_bool();
  }

  std::optional<std::chrono::milliseconds> milliseconds(const std::string& key) {
    const json::value* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_int64() || v->as_int64() <= 0) {
      error(child(key), std::string("expected a positive integer (milliseconds), got ") + kind_of(*v));
      return std::nullopt;
    }
    return std::chrono::milliseconds(v->as_int64());
  }

  // A string or a list of strings.
  std::vector<std::string> strings(const std::string& key) {
    std::vector<std::string> out;
    const json::value* v = get(key);
    if (v == nullptr) return out;
    if (v->is_string()) return {plain(child(key), std::string(v->as_string()))};
    if (!v->is_array()) {
      error(child(key), std::string("expected a string or a list of strings, got ") + kind_of(*v));
      return out;
    }
    size_t i = 0;
    for (const json::value& item : v->as_array()) {
      if (item.is_string())
        out.push_back(plain(child(key) + "/" + std::to_string(i), std::string(item.as_string())));
      else error(child(key) + "/" + std::to_string(i), std::string("expected a string, got ") + kind_of(item));
      ++i;
    }
    return out;
  }

  void finish() {
    if (object_ == nullptr) return;
    for (const auto& kv : *object_) {
      std::string key(kv.key());
      if (known_.count(key) == 0) {
        std::string allowed;
        for (const std::string& k : known_) allowed += (allowed.empty() ? "" : ", ") + k;
        error(child(key), "unknown key \"" + key + "\" (allowed: " + allowed + ")");
      }
    }
  }

  [[nodiscard]] std::string child(const std::string& key) const { return pointer_ + "/" + json_pointer_token(key); }

  // The host's strings are names, addresses and paths: a control character
  // (NUL, ESC, ...) in one is a mistake or an attack, never meant (#24).
  std::string plain(const std::string& pointer, std::string text) {
    for (size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", c);
        error(pointer, std::string("contains a control character (") + hex + " at byte " + std::to_string(i) +
                           "): names and paths may not");
        break;
      }
    }
    return text;
  }

  void error(const std::string& pointer, std::string message) {
    diags_.push_back({locate(doc_.locations, pointer, file_), pointer_to_field(pointer), std::move(message)});
  }

 private:
  std::string pointer_;
  const JsonDocument& doc_;
  const std::string& file_;
  Diagnostics& diags_;
  const json::object* object_ = nullptr;
  std::set<std::string> known_;
};

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9][a-z0-9_-]{0,62}: safe in logger names, metric labels and URLs.
bool valid_instance_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || !is_lower_alnum(name[0])) return false;
  for (char c : name) {
    if (!is_lower_alnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

bool valid_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string resolve_dir(const std::string& dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(dir) / p;
  return p.lexically_normal().string();
}

std::optional<int64_t> positive(MappingReader& r, const std::string& key) {
  const json::value* v = r.get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_int64() || v->as_int64() <= 0) {
    r.error(r.child(key), "expected a positive integer");
    return std::nullopt;
  }
  return v->as_int64();
}

void parse_reload(const json::value* value, ReloadSettings& out, const JsonDocument& doc, const std::string& file,
                  Diagnostics& diags) {
  if (value == nullptr) return;
  MappingReader r(*value, "/host/reload", doc, file, diags);
  if (auto v = r.string("static_changes")) {
    if (*v != "restart" && *v != "refuse") r.error(r.child("static_changes"), "must be restart or refuse");
    out.refuse_static_changes = *v == "refuse";
  }
  if (auto v = r.milliseconds("timeout_ms")) out.call_timeout = *v;
  if (auto v = r.boolean("watch")) out.watch = *v;
  if (auto v = r.milliseconds("debounce_ms")) out.debounce = *v;
  if (const json::value* breaker = r.get("breaker")) {
    MappingReader b(*breaker, "/host/reload/breaker", doc, file, diags);
    if (auto v = positive(b, "failures")) out.breaker_failures = static_cast<int>(*v);
    if (auto v = b.milliseconds("backoff_ms")) out.breaker_backoff = *v;
    if (auto v = b.milliseconds("max_backoff_ms")) out.breaker_max_backoff = *v;
    b.finish();
  }
  r.finish();
}

// What the admin listener can bind: an IPv4 address, a bracketed IPv6 one, or
// localhost (the HTTP engine resolves no other names).
bool listenable_address(const std::string& host) {
  if (host == "localhost") return true;
  unsigned char buf[sizeof(struct in6_addr)];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  }
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1;
}

void parse_admin(const json::value* value, Manifest& m, const JsonDocument& doc, Diagnostics& diags) {
  if (value == nullptr) return;
  AdminSettings& out = m.host.admin;
  MappingReader r(*value, "/host/admin", doc, m.path, diags);
  if (auto v = r.boolean("enabled")) out.enabled = *v;
  if (auto v = r.string("listen")) {
    size_t colon = v->rfind(':');
    // At most 5 digits before converting: a longer run overflowed std::stol,
    // whose exception ended the host (found by fuzz/manifest_fuzzer.cc).
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < v->size() && v->size() - colon - 1 <= 5;
    for (size_t i = colon + 1; ok && i < v->size(); ++i) ok = std::isdigit(static_cast<unsigned char>((*v)[i])) != 0;
    if (!ok || std::stol(v->substr(colon + 1)) > 65535) {
      r.error(r.child("listen"), "expected HOST:PORT (PORT 0-65535)");
    } else if (!listenable_address(v->substr(0, colon))) {
      r.error(r.child("listen"), "\"" + v->substr(0, colon) +
                                     "\" is not an IP address (the admin API binds an address: 127.0.0.1, 0.0.0.0, "
                                     "[::1], or localhost)");
    }
    out.listen = *v;
  }
  if (auto v = r.string("token_file")) out.token_file = resolve_dir(m.dir, *v);
  if (auto v = positive(r, "max_body_bytes")) out.max_body_bytes = *v;
  if (auto v = positive(r, "min_token_bytes")) out.min_token_bytes = *v;
  if (auto v = r.string("tokens_file")) out.tokens_file = resolve_dir(m.dir, *v);
  if (auto v = r.milliseconds("session_ttl_ms")) {
    if (v->count() < 1000) {
      r.error(r.child("session_ttl_ms"), "a sign-in must last at least 1000 ms");
    } else {
      out.session_ttl = *v;
    }
  }
  if (const json::value* limits = r.get("limits")) {
    MappingReader l(*limits, "/host/admin/limits", doc, m.path, diags);
    if (l.valid()) {
      if (auto v = positive(l, "max_header_bytes")) out.max_header_bytes = *v;
      if (auto v = positive(l, "max_line_bytes")) out.max_line_bytes = *v;
      if (auto v = positive(l, "max_header_count")) out.max_header_count = *v;
      if (auto v = positive(l, "max_connections")) out.max_connections = *v;
      if (auto v = l.milliseconds("header_timeout_ms")) out.header_timeout = *v;
      if (auto v = l.milliseconds("idle_timeout_ms")) out.idle_timeout = *v;
      l.finish();
    }
  }
  if (const json::value* tls = r.get("tls")) {
    MappingReader t(*tls, "/host/admin/tls", doc, m.path, diags);
    if (t.valid()) {
      if (auto v = t.string("cert_file", true)) out.tls_cert_file = resolve_dir(m.dir, *v);
      if (auto v = t.string("key_file", true)) out.tls_key_file = resolve_dir(m.dir, *v);
      t.finish();
    }
  }
  r.finish();
}

void parse_host(const json::value* value, Manifest& m, const JsonDocument& doc, Diagnostics& diags) {
  if (value == nullptr) return;
  MappingReader r(*value, "/host", doc, m.path, diags);
  if (auto v = r.string("state_dir")) m.host.state_dir = resolve_dir(m.dir, *v);
  if (auto v = r.string("log_level")) {
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
    if (kLevels.count(*v) == 0) r.error(r.child("log_level"), "must be one of trace, debug, info, warn, error, off");
    m.host.log_level = *v;
  }
  if (auto v = r.string("log_format")) {
    if (*v != "text" && *v != "json") r.error(r.child("log_format"), "must be text or json");
    m.host.log_format = *v;
  }
  for (const std::string& dir : r.strings("plugin_path")) m.host.plugin_path.push_back(resolve_dir(m.dir, dir));
  if (auto v = r.milliseconds("start_timeout_ms")) m.host.start_timeout = *v;
  if (auto v = r.milliseconds("stop_timeout_ms")) m.host.stop_timeout = *v;
  parse_reload(r.get("reload"), m.host.reload, doc, m.path, diags);
  parse_admin(r.get("admin"), m, doc, diags);
  if (const json::value* revisions = r.get("revisions")) {
    MappingReader h(*revisions, "/host/revisions", doc, m.path, diags);
    if (auto v = positive(h, "keep")) m.host.revisions.keep = *v;
    if (auto v = positive(h, "max_bytes")) m.host.revisions.max_bytes = *v;
    h.finish();
  }
  if (const json::value* health = r.get("health")) {
    MappingReader h(*health, "/host/health", doc, m.path, diags);
    if (auto v = h.milliseconds("timeout_ms")) m.host.health.timeout = *v;
    if (auto v = h.milliseconds("cache_ms")) m.host.health.cache = *v;
    h.finish();
  }
  r.finish();
}

void parse_instance(const json::value& value, size_t index, Manifest& m, const JsonDocument& doc,
                    Diagnostics& diags, std::map<std::string, std::string>& seen) {
  InstanceSpec spec;
  spec.pointer = "/plugins/" + std::to_string(index);
  spec.location = locate(doc.locations, spec.pointer, m.path);
  MappingReader r(value, spec.pointer, doc, m.path, diags);
  if (!r.valid()) return;
  if (auto v = r.string("name", true)) {
    spec.name = *v;
    if (spec.name == "hyperion") {
      r.error(r.child("name"), "\"hyperion\" is reserved for the host itself");
    } else if (!valid_instance_name(spec.name)) {
      r.error(r.child("name"), "instance name \"" + spec.name + "\" must match [a-z0-9][a-z0-9_-]* (at most 63 characters)");
    } else if (auto it = seen.find(spec.name); it != seen.end()) {
      r.error(r.child("name"), "two instances are named \"" + spec.name + "\" (the other is at " + it->second + ")");
    } else {
      seen[spec.name] = locate(doc.locations, r.child("name"), m.path).to_string();
    }
  }
  if (auto v = r.string("library", true)) spec.library = *v;
  if (auto v = r.string("sha256")) {
    if (!valid_sha256_hex(*v)) r.error(r.child("sha256"), "expected 64 lower-case hex digits");
    spec.sha256 = *v;
  }
  if (auto v = r.boolean("optional")) spec.optional = *v;
  if (auto v = r.boolean("allow_world_writable")) spec.allow_world_writable = *v;
  spec.after = r.strings("after");
  spec.start_timeout = r.milliseconds("start_timeout_ms").value_or(m.host.start_timeout);
  spec.stop_timeout = r.milliseconds("stop_timeout_ms").value_or(m.host.stop_timeout);
  spec.health_timeout = r.milliseconds("health_timeout_ms").value_or(m.host.health.timeout);
  if (const json::value* config = r.get("config")) {
    if (config->is_object()) spec.config = config->as_object();
    else r.error(r.child("config"), std::string("expected a mapping, got ") + kind_of(*config));
  }
  const std::string config_prefix = spec.pointer + "/config";
  for (const std::string& p : doc.secret_pointers) {
    if (p.starts_with(config_prefix + "/")) spec.secret_fields.insert(p.substr(config_prefix.size()));
  }
  r.finish();
  m.plugins.push_back(std::move(spec));
}

}  // namespace

StatusOr<Manifest> parse_manifest_text(const std::string& text, const std::string& path,
                                       const InterpolationEnv& env) {
  Manifest m;
  m.path = path;
  m.text = text;
  m.dir = env.base_dir;
  Diagnostics diags;
  JsonDocument doc = yaml_to_json(text, path, env, diags);
  if (!diags.empty()) return to_status(diags);
  if (doc.root.is_null()) return invalid_argument(path + ": the manifest is empty");

  MappingReader top(doc.root, "", doc, path, diags);
  if (!top.valid()) return to_status(diags);
  if (auto app = top.string("app", true)) m.app = *app;
  // Host settings first: instances inherit their timeouts.
  parse_host(top.get("host"), m, doc, diags);
  const json::value* plugins = top.get("plugins");
  if (plugins == nullptr) {
    top.error("", "missing required field \"plugins\" (a list of plugin instances)");
  } else if (!plugins->is_array()) {
    top.error("/plugins", std::string("expected a list, got ") + kind_of(*plugins));
  } else {
    std::map<std::string, std::string> seen;
    for (size_t i = 0; i < plugins->as_array().size(); ++i) {
      parse_instance(plugins->as_array()[i], i, m, doc, diags, seen);
    }
  }
  top.finish();
  // `after` must name instances of this manifest.
  for (const InstanceSpec& spec : m.plugins) {
    for (size_t i = 0; i < spec.after.size(); ++i) {
      if (m.find(spec.after[i]) == nullptr) {
        std::string ptr = spec.pointer + "/after";
        diags.push_back({locate(doc.locations, ptr, path), pointer_to_field(ptr),
                         "instance \"" + spec.name + "\" starts after \"" + spec.after[i] +
                             "\", but no instance has that name"});
      }
    }
  }
  if (!diags.empty()) return to_status(diags);
  m.locations = std::move(doc.locations);
  return m;
}

StatusOr<Manifest> parse_manifest_file(const std::string& path) {
  auto text = os::read_file(path, os::kMaxManifestBytes);
  if (!text.ok()) return Status(text.status().code(), "manifest: " + text.status().message());
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  return parse_manifest_text(std::move(*text), path, process_env(dir));
}

}  // namespace hyperion::manifest
