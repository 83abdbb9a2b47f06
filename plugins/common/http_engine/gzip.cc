#include "gzip.h"

#include "http_syntax.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace hyperion::http_engine {

bool accepts_gzip(std::string_view accept_encoding) {
  std::string all = to_lower(accept_encoding);
  std::string_view rest = all;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = trim_ows(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::string_view coding = trim_ows(item.substr(0, item.find(';')));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    size_t q = item.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view value = trim_ows(item.substr(q + 2));
    // q=0, q=0.0, q=0.000 refuse; anything else accepts.
    bool zero = !value.empty() && value[0] == '0' &&
                std::all_of(value.begin() + 1, value.end(), [](char c) { return c == '.' || c == '0'; });
    return !zero;
  }
  return false;
}

bool compressible(std::string_view content_type) {
  std::string t = to_lower(trim_ows(content_type.substr(0, content_type.find(';'))));
  if (t.rfind("text/", 0) == 0) return t != "text/event-stream";
  return t == "application/json" || t == "application/problem+json" || t == "application/javascript" ||
         t == "application/xml" || t == "image/svg+xml" || (t.size() > 5 && t.substr(t.size() - 5) == "+json") ||
         (t.size() > 4 && t.substr(t.size() - 4) == "+xml");
}

bool gzip_compress(std::string_view in, std::string& out) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

}  // namespace hyperion::http_engine
