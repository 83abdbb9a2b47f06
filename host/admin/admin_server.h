// AdminServer: the host's admin HTTP API, on loopback unless the manifest says
// otherwise, every request authenticated with a bearer token or a console
// session and allowed by the caller's role (token_registry.h); HTTPS when
// host.admin.tls names a certificate and key. It runs on the HTTP engine the
// http-server plugin uses (plugins/common/http_engine): request line, headers
// and connections are bounded, a slow client holds a socket and never a
// thread, event streams hold no thread either (docs/security.md has the limits).
//
//   GET  /v1/status                      app, phase, revision, instances, breaker
//   GET  /v1/health                      the health report (aggregate and each instance)
//   GET  /v1/metrics                     every metric, Prometheus text
//   GET  /v1/plugins                     instances with their plugins' metadata
//   GET  /v1/config                      manifest text and effective configs (secrets redacted)
//   POST /v1/reload                      body: a whole manifest, or empty to re-read the file
//   GET  /v1/revisions[?limit=N]         newest first
//   GET  /v1/revisions/{n}               one revision with its manifest, diff and error
//   POST /v1/revisions/{n}/rollback      apply revision n's manifest as a new revision
//   GET  /v1/revisions/{a}/diff/{b}      what differs between two revisions (revision_diff.h)
//   GET  /v1/events[?typed=0]            Server-Sent Events: every CloudEvent from now on
//   POST|GET|DELETE /v1/session          the console's sign-in, who calls, sign out
//   GET|POST /v1/tokens, DELETE /v1/tokens/{name}   named tokens (token_registry.h)
//   GET  /v1/openapi.json                all of this for machines
//   GET  /ui/...                         the console's page (console_assets.h), no token needed
//
// Status codes, from the reload's typed error (reload::ReloadError), never its
// text: 200 applied or unchanged; 400 malformed body; 401 missing or wrong
// token or session; 403 the role does not allow it, or no CSRF token; 404
// unknown revision or path; 409 refused by a plugin, rolled back, static
// change refused, breaker open, host stopping, secrets not restorable; 411 a
// POST without a length; 412 If-Match names a revision that no longer runs;
// 413 body too large; 422 the new manifest is invalid; 414/431 request line or
// headers too long; 408 too slow.
// Refusals carry {"error": {"code", "plugin", "field", "reason"}}.
// Thread-safety: reads run on a pool of two threads and actions (reload,
// rollback, swap) on one of their own, never on the I/O thread; they use only
// the narrow, thread-safe interfaces of app::OperatorAccess. Sign-in, GET
// /v1/session and the console's files are answered on the I/O thread (a
// token check and a lookup: nothing that waits).
#pragma once

#include <memory>
#include <string>

#include "app/operator_access.h"
#include "base/status.h"
#include "manifest/manifest.h"

namespace hyperion::admin {

class AdminServer {
 public:
  // Binds and starts serving; writes the URL to <state_dir>/admin.url.
  static StatusOr<std::unique_ptr<AdminServer>> start(app::OperatorAccess access,
                                                      const manifest::AdminSettings& settings,
                                                      const std::string& state_dir);
  ~AdminServer();  // stops accepting and closes event streams
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  [[nodiscard]] const std::string& url() const;
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyperion::admin
