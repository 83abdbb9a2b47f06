// One HTTP/1.1 exchange with the admin API, for the CLI: http:// or https://
// (the server's certificate verified against the system's CAs or `ca_file`,
// and its name or IP address checked), 5 s to connect, `read_timeout` for the
// answer. Built on Boost.Beast, which the host already has for its listeners:
// linking a second HTTP library (cpp-httplib, with Brotli and its own OpenSSL
// set-up) made every start of the host slower (#23, docs/performance.md).
// Thread-safety: a free function; each call has its own connection.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace hyperion::cli {

struct AdminHttpResponse {
  int status = 0;
  std::string body;
};

// `url` is scheme, host and port ("https://127.0.0.1:7450"), checked by the
// caller. kUnavailable, with the reason, when the API cannot be reached or
// the certificate is not trusted.
StatusOr<AdminHttpResponse> admin_http_request(const std::string& url, const std::string& method,
                                               const std::string& target,
                                               const std::vector<std::pair<std::string, std::string>>& headers,
                                               const std::string& body, const std::string& ca_file,
                                               std::chrono::seconds read_timeout);

}  // namespace hyperion::cli
