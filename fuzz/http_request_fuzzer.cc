// Fuzz target: what the http-server plugin does with a request before any
// handler sees it. Boost.Beast parses the bytes as the server's sessions do
// (same limits, fed in two pieces split where the first byte says); then our
// own code takes over: the target split and percent-decoded, the query parsed,
// the route found in a table of every template shape, the CORS preflight
// answered, Accept-Encoding and the content type judged for gzip; and the path
// itself tried as a route template. Oracles beyond "no crash": decoding is
// stable (what decodes, re-encoded, decodes to the same), a found route is one
// the table holds, and a template that parses is matched by itself.
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "http_engine/cors.h"
#include "http_engine/gzip.h"
#include "http_engine/request_target.h"
#include "http_engine/route_table.h"

namespace {

namespace http = boost::beast::http;
using namespace hyperion::http_engine;

void* no_op(void*, hyperion_http_exchange_t*) { return nullptr; }

hyperion_http_handler_t handler() {
  hyperion_http_handler_t h{};
  h.struct_size = sizeof h;
  h.on_request = &no_op;
  return h;
}

RouteTable& table() {
  static RouteTable* t = [] {
    auto* out = new RouteTable;
    std::string error;
    for (const char* path : {"/", "/users/me", "/users/{id}", "/users/{id}/posts/{post}", "/files/{rest...}",
                             "/a/{x}/b", "/a/b/{y}", "/%7Euser/{n}"}) {
      out->add("GET", path, "", handler(), error);
      out->add("POST", path, "", handler(), error);
    }
    out->add("*", "/any", "", handler(), error);
    out->add("GET", "/", "api.example", handler(), error);
    return out;
  }();
  return *t;
}

std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(s.size() * 3, '%');
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    out[i * 3 + 1] = kHex[c >> 4];
    out[i * 3 + 2] = kHex[c & 0xf];
  }
  return out;
}

void check_decoding(std::string_view text) {
  std::string once;
  if (!percent_decode(text, once)) return;
  std::string again;
  if (!percent_decode(encode(once), again) || again != once) __builtin_trap();
}

void check_request(const http::request<http::string_body>& req) {
  Fields headers;
  for (const auto& f : req) headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string_view target(req.target().data(), req.target().size());
  std::string_view method(req.method_string().data(), req.method_string().size());
  check_decoding(target);
  RequestTarget parsed;
  std::string error;
  if (!parse_target(target, parsed, error)) return;
  RouteMatch m = table().find(method, header_value(headers, "host"), parsed.raw_path, method == "OPTIONS");
  if (m.outcome == RouteMatch::Outcome::kFound && m.registration == nullptr) __builtin_trap();
  CorsConfig cors;
  cors.allow_origins = {"https://app.example"};
  cors.allow_headers = {"content-type", "x-request-id"};
  if (is_preflight(method, headers)) (void)answer_preflight(cors, headers, m.allow);
  Fields out;
  add_cors_headers(cors, header_value(headers, "origin"), out);
  (void)accepts_gzip(header_value(headers, "accept-encoding"));
  (void)compressible(header_value(headers, "content-type"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t split = data[0] % (input.size() + 1);

  http::request_parser<http::string_body> parser;
  parser.header_limit(8192);
  parser.body_limit(65536);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(input.data(), split), ec);
  if ((!ec || ec == http::error::need_more) && used < input.size()) {
    // What the session keeps in its buffer; like the session, never an empty
    // put (Beast does pointer arithmetic on an empty buffer's null data).
    std::string rest(input.substr(used));
    ec = {};
    parser.put(boost::asio::buffer(rest), ec);
  }
  if (parser.is_header_done()) check_request(parser.get());

  // The same bytes as a route template: one that parses matches itself.
  std::string_view first_line = input.substr(0, input.find('\n'));
  PathTemplate tmpl;
  std::string error;
  if (parse_template(first_line, tmpl, error)) {
    RouteTable own;
    if (own.add("GET", first_line, "", handler(), error) == 0) __builtin_trap();
    std::string concrete;
    for (const auto& s : tmpl.segments) {
      concrete.push_back('/');
      concrete.append(s.kind == PathTemplate::Kind::kLiteral ? encode(s.text) : std::string(1, 'v'));
    }
    if (own.find("GET", "h", concrete).outcome != RouteMatch::Outcome::kFound) __builtin_trap();
  }
  return 0;
}
