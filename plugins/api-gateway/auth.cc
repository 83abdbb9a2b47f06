// Gateway::authenticate and the JWKS file watch: bearer tokens checked before
// a request goes upstream (RFC 6750 answers: 401 with WWW-Authenticate for a
// missing or bad token, 403 for one without the route's scopes or roles).
#include <sys/stat.h>

#include <chrono>

#include "api_gateway.h"

namespace hyperion::plugins::api_gateway {
namespace {

// "Bearer <token>" with the scheme in any case (RFC 9110 §11.1); empty when
// the header is another scheme.
std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i] >= 'A' && header[i] <= 'Z' ? static_cast<char>(header[i] + 32) : header[i];
    if (c != kScheme[i]) return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

// A quoted-string for a WWW-Authenticate parameter: quotes and backslashes escaped.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out + "\"";
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

int64_t file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return (static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec) ^ static_cast<int64_t>(st.st_size);
}

}  // namespace

std::optional<Claims> Gateway::authenticate(const RouteTable& table, const RouteSpec& route, Started started,
                                            const hyperion::http::Request& request,
                                            hyperion::http::Response& response) {
  if (route.auth == AuthMode::kNone) return Claims{};
  const JwtVerifier& verifier = *table.config().jwt;
  auto refuse = [&](int status, const std::string& challenge, const std::string& detail) -> std::optional<Claims> {
    metrics_.rejected(route.label, status == 401 ? "unauthenticated" : "forbidden");
    metrics_.request(route.label, status, started);
    response.header("WWW-Authenticate", "Bearer realm=\"api\"" + challenge);
    response.problem(hyperion::http::Problem(status, detail), request.path());
    return std::nullopt;
  };
  const std::optional<std::string_view> header = request.header("authorization");
  if (!header) {
    if (route.auth == AuthMode::kOptional) return Claims{};
    return refuse(401, "", "a bearer token is required");
  }
  const std::string_view token = bearer_token(*header);
  if (token.empty()) {
    return refuse(401, ", error=\"invalid_request\"", "the Authorization header is not a Bearer token");
  }
  std::shared_ptr<const JwtKeys> keys = keys_.load();
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto verified = verifier.verify(token, *keys, now);
  if (const std::string* why = std::get_if<std::string>(&verified)) {
    return refuse(401, ", error=\"invalid_token\", error_description=" + quoted(*why), "invalid token: " + *why);
  }
  Claims claims = std::move(std::get<Claims>(verified));
  if (!route.scopes.empty()) {
    const auto granted = token_scopes(claims);
    for (const auto& scope : route.scopes) {
      if (!granted.contains(scope)) {
        return refuse(403, ", error=\"insufficient_scope\", scope=" + quoted(joined(route.scopes)),
                      "the token lacks the scope " + scope);
      }
    }
  }
  if (!route.roles.empty()) {
    const auto roles = token_roles(claims);
    for (const auto& role : route.roles) {
      if (!roles.contains(role)) {
        return refuse(403, ", error=\"insufficient_scope\"", "the token lacks the role " + role);
      }
    }
  }
  return claims;
}

void Gateway::watch_jwks() {
  auto table = table_.load();
  const GatewayConfig& config = table->config();
  {
    std::lock_guard lock(jwks_mu_);
    jwks_path_ = config.jwt ? config.jwt->settings().jwks_file : std::string();
    jwks_stamp_ = config.jwt ? file_stamp(jwks_path_) : 0;
    jwks_error_.clear();
  }
  keys_.store(config.jwks);
  if (jwks_timer_ != 0) ctx_.cancel_timer(std::exchange(jwks_timer_, 0));
  if (config.jwt)
    jwks_timer_ = ctx_.start_timer(config.jwks_check_interval, config.jwks_check_interval, [this] { check_jwks(); });
}

void Gateway::check_jwks() {
  std::string path;
  {
    std::lock_guard lock(jwks_mu_);
    path = jwks_path_;
    const int64_t stamp = file_stamp(path);
    if (stamp == jwks_stamp_) return;
    jwks_stamp_ = stamp;
  }
  try {
    auto keys = load_jwks(path);
    keys_.store(keys);
    std::lock_guard lock(jwks_mu_);
    jwks_error_.clear();
    ctx_.info("JWKS " + path + " changed: " + std::to_string(keys->size()) + " key(s) in force");
  } catch (const std::exception& e) {
    // A half-written or broken file must not log everyone out: the keys in
    // force stay until a good file arrives.
    std::lock_guard lock(jwks_mu_);
    jwks_error_ = e.what();
    ctx_.warn(std::string("JWKS change not taken, the previous keys stay: ") + e.what());
  }
}

}  // namespace hyperion::plugins::api_gateway
