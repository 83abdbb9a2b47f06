#include "cli/admin_http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>

namespace hyperion::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// The answer may be a long revision list: larger than Beast's 8 MiB default.
constexpr uint64_t kMaxAnswerBytes = 256ull << 20;

// Starts one asynchronous operation and runs the I/O context until it ends:
// sequential code whose every step has the tcp_stream's deadline. (Not C++20
// coroutines: clang 14, which builds the fuzzers, cannot compile Asio's
// awaitables with the sanitizers on.)
template <typename Initiate>
boost::system::error_code await(net::io_context& ioc, Initiate&& initiate) {
  boost::system::error_code result;
  initiate([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

std::string describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  // OpenSSL says why a certificate was refused in its own words.
  if (ec.category() == net::error::get_ssl_category()) return "TLS: " + ec.message();
  return ec.message();
}

template <typename Stream>
StatusOr<AdminHttpResponse> exchange(net::io_context& ioc, Stream& stream, beast::tcp_stream& tcp,
                                     http::request<http::string_body>& req, std::chrono::seconds read_timeout) {
  tcp.expires_after(read_timeout);
  if (auto ec = await(ioc, [&](auto done) { http::async_write(stream, req, done); })) return unavailable(describe(ec));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  if (auto ec = await(ioc, [&](auto done) { http::async_read(stream, buffer, parser, done); })) {
    return unavailable(describe(ec));
  }
  return AdminHttpResponse{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace

StatusOr<AdminEndpoint> parse_admin_url(std::string_view url) {
  AdminEndpoint e;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    e.tls = true;
  } else {
    return invalid_argument("only http:// and https:// URLs are served (e.g. http://127.0.0.1:7450)");
  }
  if (url.ends_with('/')) url.remove_suffix(1);  // "http://h:7450/" is the same place
  if (url.empty() || url.front() == ':' || url.front() == '/') return invalid_argument("no host in the URL");
  if (url.find_first_of("/?#@ ") != std::string_view::npos) {
    return invalid_argument("give scheme, host and port only (no path)");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) == 0x7f) {
      return invalid_argument("a control character");
    }
  }
  // The port follows the last ':' — after the ']' of an IPv6 literal.
  size_t colon = std::string_view::npos;
  if (url.front() == '[') {
    const size_t close = url.find(']');
    if (close == std::string_view::npos) return invalid_argument("an IPv6 address needs its closing ]");
    e.host = std::string(url.substr(1, close - 1));
    colon = url.find(':', close);
  } else {
    colon = url.rfind(':');
    e.host = std::string(url.substr(0, colon));
  }
  if (colon == std::string_view::npos) {
    e.port = e.tls ? "443" : "80";
    return e;
  }
  const std::string_view port = url.substr(colon + 1);
  const bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(std::string(port)) > 65535) return invalid_argument("the port is not 0-65535");
  e.port = std::string(port);
  return e;
}

StatusOr<AdminHttpResponse> admin_http_request(const AdminEndpoint& endpoint, const std::string& method,
                                               const std::string& target,
                                               const std::vector<std::pair<std::string, std::string>>& headers,
                                               const std::string& body, const std::string& ca_file,
                                               std::chrono::seconds read_timeout) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, endpoint.host);
  req.set(http::field::user_agent, "hyperion-cli");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (method != "GET") {
    req.set(http::field::content_type, "application/yaml");
    req.body() = body;
    req.prepare_payload();  // Content-Length, even 0: the admin API asks for it
  }

  net::io_context ioc;
  boost::system::error_code ec;
  // The admin URL is an address or a local name: resolved without a deadline.
  net::ip::tcp::resolver resolver(ioc);
  auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return unavailable(describe(ec));
  beast::tcp_stream tcp(ioc);
  tcp.expires_after(std::chrono::seconds(5));
  if ((ec = await(ioc, [&](auto done) { tcp.async_connect(addresses, done); }))) return unavailable(describe(ec));
  if (!endpoint.tls) return exchange(ioc, tcp, tcp, req, read_timeout);

  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_peer);
  if (!ca_file.empty()) {
    tls.load_verify_file(ca_file, ec);
    if (ec) return unavailable("cannot read the CA file " + ca_file + ": " + ec.message());
  } else {
    tls.set_default_verify_paths(ec);
    if (ec) return unavailable("cannot read the system's CA certificates: " + ec.message());
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
  // The certificate must name what was dialled: a name (sent as SNI too) or an IP address.
  stream.set_verify_callback(net::ssl::host_name_verification(endpoint.host));
  net::ip::make_address(endpoint.host, ec);
  if (ec && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    return unavailable("cannot set the TLS server name " + endpoint.host);
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  if ((ec = await(ioc, [&](auto done) { stream.async_handshake(net::ssl::stream_base::client, done); }))) {
    return unavailable(describe(ec));
  }
  return exchange(ioc, stream, beast::get_lowest_layer(stream), req, read_timeout);
}

}  // namespace hyperion::cli
