// gzip for responses (zlib): whether a client accepts it, whether a body is
// worth it, and the compression itself.
#pragma once

#include <string>
#include <string_view>

namespace hyperion::http_engine {

// Accept-Encoding names gzip with a non-zero q (or "*").
bool accepts_gzip(std::string_view accept_encoding);
// Text-like media types, where compression pays.
bool compressible(std::string_view content_type);
// Compresses `in` as a gzip member; false on a zlib failure.
bool gzip_compress(std::string_view in, std::string& out);

}  // namespace hyperion::http_engine
