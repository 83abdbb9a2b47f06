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
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace hyperion::cli {

struct AdminEndpoint {
  bool tls = false;  // https://
  std::string host;  // a name or an address; an IPv6 literal without its brackets
  std::string port;  // 80 or 443 when the URL gives none
};

// The admin API's address from a URL of scheme, host and optional port
// ("https://127.0.0.1:7450", "http://[::1]:7450/"); kInvalidArgument saying
// what is wrong with anything else (another scheme, no host, a path, a
// control character, a port outside 0-65535).
StatusOr<AdminEndpoint> parse_admin_url(std::string_view url);

struct AdminHttpResponse {
  int status = 0;
  std::string body;
};

// kUnavailable, with the reason, when the API cannot be reached or the
// certificate is not trusted.
StatusOr<AdminHttpResponse> admin_http_request(const AdminEndpoint& endpoint, const std::string& method,
                                               const std::string& target,
                                               const std::vector<std::pair<std::string, std::string>>& headers,
                                               const std::string& body, const std::string& ca_file,
                                               std::chrono::seconds read_timeout);

}  // namespace hyperion::cli
