#include "api-gateway/jwt_minter.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace hyperion::gateway_test {
namespace {

namespace json = boost::json;

std::string bn_bytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no parameter");
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string digest_sign(EVP_PKEY* key, const std::string& data) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(md);
  return sig;
}

std::string hmac(const std::string& secret, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string signing_input(const json::object& header, const json::object& claims) {
  return base64url(json::serialize(header)) + "." + base64url(json::serialize(claims));
}

}  // namespace

std::string base64url(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

JwtMinter::JwtMinter(const std::string& kid_prefix) : prefix_(kid_prefix) {
  rsa_ = EVP_RSA_gen(2048);
  ec_ = EVP_EC_gen("P-256");
  secret_.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32);
  if (rsa_ == nullptr || ec_ == nullptr) throw std::runtime_error("key generation failed");
}

JwtMinter::~JwtMinter() {
  EVP_PKEY_free(rsa_);
  EVP_PKEY_free(ec_);
}

std::string JwtMinter::kid(const std::string& alg) const {
  return prefix_ + (alg == "RS256" ? "-rsa" : alg == "ES256" ? "-ec" : "-hmac");
}

std::string JwtMinter::jwks() const {
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(ec_, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  const std::string x(reinterpret_cast<char*>(point + 1), 32), y(reinterpret_cast<char*>(point + 33), 32);
  json::array keys{
      json::object{{"kty", "RSA"},
                   {"kid", kid("RS256")},
                   {"use", "sig"},
                   {"alg", "RS256"},
                   {"n", base64url(bn_bytes(rsa_, OSSL_PKEY_PARAM_RSA_N))},
                   {"e", base64url(bn_bytes(rsa_, OSSL_PKEY_PARAM_RSA_E))}},
      json::object{{"kty", "EC"}, {"kid", kid("ES256")}, {"crv", "P-256"}, {"x", base64url(x)}, {"y", base64url(y)}},
      json::object{{"kty", "oct"}, {"kid", kid("HS256")}, {"k", base64url(secret_)}}};
  return json::serialize(json::object{{"keys", keys}});
}

std::string JwtMinter::sign(const std::string& alg, const json::object& claims) const {
  const std::string input = signing_input(json::object{{"alg", alg}, {"typ", "JWT"}, {"kid", kid(alg)}}, claims);
  std::string sig;
  if (alg == "RS256") {
    sig = digest_sign(rsa_, input);
  } else if (alg == "ES256") {
    // DER from OpenSSL -> JWS's r||s.
    const std::string der = digest_sign(ec_, input);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    sig.assign(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(sig.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(sig.data()) + 32, 32);
    ECDSA_SIG_free(s);
  } else {
    sig = hmac(secret_, input);
  }
  return input + "." + base64url(sig);
}

std::string JwtMinter::unsigned_token(const json::object& header, const json::object& claims) {
  return signing_input(header, claims) + ".";
}

std::string JwtMinter::hs256_with(const std::string& secret, const std::string& kid, const json::object& claims) {
  const std::string input = signing_input(json::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}}, claims);
  return input + "." + base64url(hmac(secret, input));
}

std::string JwtMinter::rsa_public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, rsa_);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

}  // namespace hyperion::gateway_test
