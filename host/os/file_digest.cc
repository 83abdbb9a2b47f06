#include "os/file_digest.h"

// The low-level SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP,
// but EVP's first use initialises the provider machinery (about half a
// millisecond of algorithm-table setup), which would dominate the host's start.
// The low-level functions run the same optimised assembly without it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace hyperion::os {
namespace {

std::string to_hex(const unsigned char* digest, unsigned length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace

StatusOr<std::string> sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path + ": " + std::strerror(errno));
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  char buffer[64 * 1024];
  while (in) {
    in.read(buffer, sizeof buffer);
    if (in.gcount() > 0) SHA256_Update(&ctx, buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return internal_error("sha256: read error on " + path);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx);
  return to_hex(digest, SHA256_DIGEST_LENGTH);
}

std::string sha256_hex(const std::string& data) {
  // Not the one-shot SHA256(): in OpenSSL 3 it goes through EVP after all.
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx);
  return to_hex(digest, SHA256_DIGEST_LENGTH);
}

}  // namespace hyperion::os
