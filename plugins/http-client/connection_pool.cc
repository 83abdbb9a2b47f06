#include "connection_pool.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace hyperion::plugins::http_client {

bool parse_url(std::string_view url, ParsedUrl& out, std::string& error) {
  std::string_view rest;
  bool discovered = false;
  if (url.starts_with("http://")) {
    out.origin.https = false;
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.origin.https = true;
    rest = url.substr(8);
  } else if (url.starts_with("discovery://")) {
    discovered = true;
    rest = url.substr(12);
  } else if (url.starts_with("discovery+https://")) {
    discovered = true;
    out.origin.https = true;
    rest = url.substr(18);
  } else {
    error = "url \"" + std::string(url) + "\" must start with http://, https://, discovery:// or discovery+https://";
    return false;
  }
  size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  assign_request_path(path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at), out.path);
  if (authority.find('@') != std::string_view::npos) {
    error = "url \"" + std::string(url) + "\": user information in URLs is not supported (use a header)";
    return false;
  }
  if (discovered) {
    if (authority.empty() || authority.find_first_of(":[]") != std::string_view::npos) {
      error = "url \"" + std::string(url) + "\": discovery:// names a service (discovery://users/path), not a host";
      return false;
    }
    out.service = std::string(authority);
    return true;
  }
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "url \"" + std::string(url) + "\": unclosed [ in the host";
      return false;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "url \"" + std::string(url) + "\" has no host";
    return false;
  }
  out.origin.host = std::string(host);
  out.origin.port = out.origin.https ? 443 : 80;
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
      error = "url \"" + std::string(url) + "\" has an invalid port";
      return false;
    }
    out.origin.port = p;
  }
  return true;
}

void assign_request_path(std::string_view rest, std::string& out) {
  if (rest.empty()) {
    out = "/";
  } else if (rest.front() == '?') {
    out.assign(1, '/').append(rest);
  } else {
    out.assign(rest);
  }
}

std::unique_ptr<httplib::ClientImpl> ConnectionPool::take(const std::string& key, const Origin& origin,
                                                          const TlsSettings& tls) {
  {
    std::lock_guard lock(mu_);
    auto it = idle_.find(key);
    if (it != idle_.end() && !it->second.empty()) {
      auto& idle = it->second;
      std::erase_if(idle, [&](const Idle& i) { return i.tls_fingerprint != tls.fingerprint; });
    }
    if (it != idle_.end() && !it->second.empty()) {
      auto& idle = it->second;
      auto mine = std::find_if(idle.rbegin(), idle.rend(),
                               [me = std::this_thread::get_id()](const Idle& i) { return i.last_user == me; });
      auto chosen = mine != idle.rend() ? std::prev(mine.base()) : std::prev(idle.end());
      auto client = std::move(chosen->client);
      idle.erase(chosen);
      return client;
    }
  }
  std::unique_ptr<httplib::ClientImpl> client;
  if (origin.https) {
    std::unique_ptr<httplib::SSLClient> ssl =
        tls.cert_file.empty() ? std::make_unique<httplib::SSLClient>(origin.host, origin.port)
                              : std::make_unique<httplib::SSLClient>(origin.host, origin.port, tls.cert_file, tls.key_file);
    if (!tls.ca_file.empty()) ssl->set_ca_cert_path(tls.ca_file);
    ssl->enable_server_certificate_verification(!tls.insecure_skip_verify);
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(origin.host, origin.port);
  }
  client->set_keep_alive(true);
  // Small requests on kept-alive connections: without it, Nagle's algorithm and
  // delayed ACKs add ~40 ms to each.
  client->set_tcp_nodelay(true);
  return client;
}

void ConnectionPool::give_back(const std::string& key, const TlsSettings& tls,
                               std::unique_ptr<httplib::ClientImpl> client, size_t max_idle) {
  if (!client->is_socket_open()) return;
  std::lock_guard lock(mu_);
  auto& idle = idle_[key];
  if (idle.size() < max_idle) idle.push_back({std::move(client), std::this_thread::get_id(), tls.fingerprint});
}

size_t ConnectionPool::idle(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  return it == idle_.end() ? 0 : it->second.size();
}

void ConnectionPool::clear() {
  std::lock_guard lock(mu_);
  idle_.clear();
}

}  // namespace hyperion::plugins::http_client
