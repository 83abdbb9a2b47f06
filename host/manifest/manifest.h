// Manifest: what a YAML manifest says — the app, the host settings and the
// plugin instances — after interpolation and structural checks, before any
// plugin is looked at. Thread-safety: a plain value.
//
//   app: demo
//   host:
//     state_dir: /var/lib/hyperion/demo   # Default: see docs/manifest.md
//     log_level: info                     # trace|debug|info|warn|error. Default: info
//     log_format: text                    # text|json. Default: text
//     plugin_path: [../build/plugins-out] # searched for libraries given by name
//     start_timeout_ms: 30000             # Default per instance. Default: 30000
//     stop_timeout_ms: 5000               # Default per instance. Default: 5000
//     reload:                             # see ReloadSettings and docs/reload.md
//       static_changes: restart           # restart|refuse
//       timeout_ms: 10000
//       watch: true
//       debounce_ms: 200
//       breaker: {failures: 3, backoff_ms: 2000, max_backoff_ms: 120000}
//     admin: {enabled: true, listen: "127.0.0.1:7450", token_file: "", max_body_bytes: 1048576,
//             tls: {cert_file: admin.crt, key_file: admin.key}}
//     health: {timeout_ms: 200, cache_ms: 250}
//   plugins:
//     - name: hello                       # unique; [a-z0-9][a-z0-9_-]*
//       library: hello                    # a name on the search path, or a path
//       sha256: 3a7b...                   # optional pin of the library's contents
//       optional: false                   # optional instances never fail readiness
//       allow_world_writable: false       # load the library even if anyone could replace it
//       after: [other]                    # start after these instances
//       start_timeout_ms: 30000
//       stop_timeout_ms: 5000
//       health_timeout_ms: 200
//       config: { greeting: "hi" }        # checked against the plugin's schema
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "manifest/source_location.h"

namespace hyperion::manifest {

// host.reload: how configuration reloads behave.
struct ReloadSettings {
  bool refuse_static_changes = false;          // static_changes: refuse (Default: restart)
  std::chrono::milliseconds call_timeout{10000};  // timeout_ms: per prepare/commit call
  bool watch = true;                           // watch: re-read the manifest when it changes
  std::chrono::milliseconds debounce{200};     // debounce_ms: quiet time before a watched change applies
  int breaker_failures = 3;                    // breaker.failures: consecutive failures that open it
  std::chrono::milliseconds breaker_backoff{2000};       // breaker.backoff_ms: first open period
  std::chrono::milliseconds breaker_max_backoff{120000};  // breaker.max_backoff_ms: cap of the doubling
};

// host.admin: the admin HTTP API (docs/reload.md).
struct AdminSettings {
  bool enabled = true;                   // enabled
  std::string listen = "127.0.0.1:7450";  // listen: host:port; port 0 picks a free one
  std::string token_file;                // token_file: empty = $HYPERION_ADMIN_TOKEN or <state_dir>/admin.token
  int64_t min_token_bytes = 32;          // min_token_bytes: a shorter token (file or env) refuses to start
  std::string tokens_file;               // tokens_file: named tokens with roles (name, role, sha256); empty = none
  std::chrono::milliseconds session_ttl{8 * 3600 * 1000};  // session_ttl_ms: a console sign-in lasts this long
  int64_t max_body_bytes = 1 << 20;      // max_body_bytes
  // limits: what one client may hold (docs/security.md, "Listeners").
  int64_t max_header_bytes = 64 << 10;              // limits.max_header_bytes: request line and headers together
  int64_t max_line_bytes = 8 << 10;                 // limits.max_line_bytes: the request line, each header line
  int64_t max_header_count = 100;                   // limits.max_header_count
  int64_t max_connections = 1024;                   // limits.max_connections: then the oldest idle one makes room
  std::chrono::milliseconds header_timeout{10000};  // limits.header_timeout_ms: headers (and body) must arrive in time
  std::chrono::milliseconds idle_timeout{60000};  // limits.idle_timeout_ms: a kept-alive connection with nothing to do
  std::string tls_cert_file;             // tls.cert_file: serve HTTPS with this certificate (PEM)...
  std::string tls_key_file;              // tls.key_file: ...and its private key; both or neither
  bool operator==(const AdminSettings&) const = default;
};

// host.health: how the host checks its instances (docs/health.md).
struct HealthSettings {
  std::chrono::milliseconds timeout{200};  // timeout_ms: per check, unless the instance sets health_timeout_ms
  std::chrono::milliseconds cache{250};    // cache_ms: how long one round's result is served
};

// host.revisions: how much history the state database keeps (docs/reload.md).
struct RevisionSettings {
  int64_t keep = 1000;              // keep: the newest revisions kept
  int64_t max_bytes = 256LL << 20;  // max_bytes: what they may take together (manifests, diffs)
};

struct HostSettings {
  std::string state_dir;  // empty: the default (docs/decisions/0002-state-dir.md)
  std::string log_level = "info";
  std::string log_format = "text";
  std::vector<std::string> plugin_path;  // absolute, resolved against the manifest's folder
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{5000};
  ReloadSettings reload;
  AdminSettings admin;
  HealthSettings health;
  RevisionSettings revisions;
};

struct InstanceSpec {
  std::string name;
  std::string library;  // as written
  std::optional<std::string> sha256;
  bool optional = false;
  bool allow_world_writable = false;  // load even if the library or its folder is world-writable
  std::vector<std::string> after;
  std::chrono::milliseconds start_timeout{0};
  std::chrono::milliseconds stop_timeout{0};
  std::chrono::milliseconds health_timeout{0};  // health_timeout_ms; Default: host.health.timeout_ms
  boost::json::object config;
  // JSON Pointer of this instance in the manifest ("/plugins/2"); config fields
  // are under pointer + "/config".
  std::string pointer;
  SourceLocation location;
  // Config fields (pointers relative to the config, e.g. "/password") whose
  // values came from ${file:...}.
  std::set<std::string> secret_fields;
};

struct Manifest {
  std::string path;  // as given
  std::string dir;   // folder relative paths start from
  std::string text;  // the file as written, secret references unresolved
  std::string app;
  HostSettings host;
  std::vector<InstanceSpec> plugins;
  LocationMap locations;  // every value's position, by JSON Pointer

  [[nodiscard]] SourceLocation locate(const std::string& pointer) const {
    return manifest::locate(locations, pointer, path);
  }
  [[nodiscard]] const InstanceSpec* find(const std::string& name) const {
    for (const InstanceSpec& s : plugins) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
};

}  // namespace hyperion::manifest
