// JwtKeys: the keys a JWKS document (RFC 7517) holds, as OpenSSL keys, and the
// signature check for the algorithms the gateway accepts: RS256 (RSA
// PKCS#1 v1.5 with SHA-256), ES256 (ECDSA P-256 with SHA-256, the signature as
// JWS's raw r||s) and HS256 (HMAC-SHA-256 with an "oct" key). A key is only
// ever used with the algorithm family of its "kty": an RSA public key is never
// an HMAC secret, which is what defeats the RS256 -> HS256 confusion attack.
// Thread-safety: immutable once parsed; verify from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace hyperion::plugins::api_gateway {

// base64url without padding (RFC 4648 §5), as JOSE writes it; nullopt when not.
std::optional<std::string> base64url_decode(std::string_view text);

class JwtKeys {
 public:
  // Parses a JWKS JSON document; throws std::invalid_argument naming the key
  // (by index and kid) that cannot be used. Keys with "use" other than "sig"
  // are skipped.
  static std::shared_ptr<const JwtKeys> parse(std::string_view jwks_json);
  ~JwtKeys();
  JwtKeys(const JwtKeys&) = delete;
  JwtKeys& operator=(const JwtKeys&) = delete;

  // Whether `signature` signs `signed_part` with a key of `kid` (any key of
  // the algorithm's family when `kid` is empty) under `alg`. `alg` must be
  // RS256, ES256 or HS256.
  [[nodiscard]] bool verify(std::string_view alg, std::string_view kid, std::string_view signed_part,
                            std::string_view signature) const;
  [[nodiscard]] size_t size() const { return keys_.size(); }

 private:
  JwtKeys() = default;
  struct Key {
    std::string kid;
    std::string kty;           // "RSA", "EC", "oct"
    std::string alg;           // the key's own "alg", empty when it names none
    EVP_PKEY* pkey = nullptr;  // RSA and EC
    std::string secret;        // oct
  };
  std::vector<Key> keys_;
};

}  // namespace hyperion::plugins::api_gateway
