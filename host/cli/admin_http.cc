#include "cli/admin_http.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace hyperion::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Endpoint {
  bool tls = false;
  std::string host;  // without the brackets of an IPv6 literal
  std::string port;
};

Endpoint parse_url(std::string_view url) {
  Endpoint e;
  e.tls = url.starts_with("https://");
  url.remove_prefix(e.tls ? 8 : 7);
  if (url.ends_with('/')) url.remove_suffix(1);
  size_t colon = std::string_view::npos;
  if (url.starts_with('[')) {
    size_t close = url.find(']');
    e.host = std::string(url.substr(1, close - 1));
    colon = url.find(':', close);
  } else {
    colon = url.rfind(':');
    e.host = std::string(url.substr(0, colon));
  }
  e.port = colon == std::string_view::npos ? (e.tls ? "443" : "80") : std::string(url.substr(colon + 1));
  return e;
}

// The answer may be a long revision list: larger than Beast's 8 MiB default.
constexpr uint64_t kMaxAnswerBytes = 256ull << 20;

template <typename Stream>
net::awaitable<AdminHttpResponse> exchange(Stream& stream, beast::tcp_stream& tcp, http::request<http::string_body> req,
                                           std::chrono::seconds read_timeout) {
  tcp.expires_after(read_timeout);
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  co_return AdminHttpResponse{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace

StatusOr<AdminHttpResponse> admin_http_request(const std::string& url, const std::string& method,
                                               const std::string& target,
                                               const std::vector<std::pair<std::string, std::string>>& headers,
                                               const std::string& body, const std::string& ca_file,
                                               std::chrono::seconds read_timeout) {
  const Endpoint endpoint = parse_url(url);
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
  net::ssl::context tls(net::ssl::context::tls_client);
  std::optional<StatusOr<AdminHttpResponse>> result;
  auto run = [&]() -> net::awaitable<AdminHttpResponse> {
    net::ip::tcp::resolver resolver(ioc);
    auto addresses = co_await resolver.async_resolve(endpoint.host, endpoint.port, net::use_awaitable);
    beast::tcp_stream tcp(ioc);
    tcp.expires_after(std::chrono::seconds(5));
    co_await tcp.async_connect(addresses, net::use_awaitable);
    if (!endpoint.tls) co_return co_await exchange(tcp, tcp, std::move(req), read_timeout);

    tls.set_verify_mode(net::ssl::verify_peer);
    if (!ca_file.empty()) {
      tls.load_verify_file(ca_file);
    } else {
      tls.set_default_verify_paths();
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
    // The certificate must name what was dialled: a name (sent as SNI too) or an IP address.
    stream.set_verify_callback(net::ssl::host_name_verification(endpoint.host));
    boost::system::error_code ec;
    net::ip::make_address(endpoint.host, ec);
    if (ec && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
      throw std::runtime_error("cannot set the TLS server name");
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    co_return co_await exchange(stream, beast::get_lowest_layer(stream), std::move(req), read_timeout);
  };
  net::co_spawn(ioc, run(), [&](std::exception_ptr error, AdminHttpResponse response) {
    if (!error) {
      result = std::move(response);
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
      std::string what = e.code() == beast::error::timeout ? std::string("timed out") : e.code().message();
      // OpenSSL says why a certificate was refused in its own words.
      if (e.code().category() == net::error::get_ssl_category()) what = "TLS: " + what;
      result = unavailable(what);
    } catch (const std::exception& e) {
      result = unavailable(e.what());
    }
  });
  ioc.run();
  return std::move(*result);
}

}  // namespace hyperion::cli
