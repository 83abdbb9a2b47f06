// Keys and tokens for the gateway's JWT tests, made with OpenSSL as an
// identity provider would: an RSA 2048 key (RS256), an EC P-256 key (ES256)
// and an HMAC secret (HS256), published as a JWKS document, and tokens signed
// with any of them (or forged: "none", a key the JWKS does not have, the
// RS256 public key used as an HS256 secret).
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;

namespace hyperion::gateway_test {

class JwtMinter {
 public:
  // `kid_prefix` names the keys ("<prefix>-rsa", "<prefix>-ec", "<prefix>-hmac").
  explicit JwtMinter(const std::string& kid_prefix = "k1");
  ~JwtMinter();
  JwtMinter(const JwtMinter&) = delete;
  JwtMinter& operator=(const JwtMinter&) = delete;

  // {"keys": [...]} with the three public keys (the HMAC secret as "oct").
  [[nodiscard]] std::string jwks() const;
  // A signed token: header {"alg", "typ": "JWT", "kid"} and `claims`.
  [[nodiscard]] std::string sign(const std::string& alg, const boost::json::object& claims) const;
  // A token with header `header` (as given) and no signature check possible.
  static std::string unsigned_token(const boost::json::object& header, const boost::json::object& claims);
  // HS256 over the token with `secret` as the key and `kid`.
  static std::string hs256_with(const std::string& secret, const std::string& kid, const boost::json::object& claims);
  // The RSA public key as PEM: what an attacker would use as an HMAC secret.
  [[nodiscard]] std::string rsa_public_pem() const;
  [[nodiscard]] std::string kid(const std::string& alg) const;

 private:
  std::string prefix_;
  EVP_PKEY* rsa_ = nullptr;
  EVP_PKEY* ec_ = nullptr;
  std::string secret_;
};

std::string base64url(const std::string& bytes);

}  // namespace hyperion::gateway_test
