#include "jwt_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include <stdexcept>

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM, OSSL_PARAM_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;

std::string member(const json::object& key, const char* name, const std::string& where) {
  const json::value* v = key.if_contains(name);
  if (v == nullptr || !v->is_string()) throw std::invalid_argument(where + ": \"" + name + "\" is missing");
  return std::string(v->as_string());
}

std::string decoded(const json::object& key, const char* name, const std::string& where) {
  auto bytes = base64url_decode(member(key, name, where));
  if (!bytes || bytes->empty()) throw std::invalid_argument(where + ": \"" + name + "\" is not base64url");
  return *bytes;
}

BIGNUM* bignum(const std::string& bytes) {
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr);
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* bld, const std::string& where) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    throw std::invalid_argument(where + ": not a valid " + type + " public key");
  }
  return pkey;
}

EVP_PKEY* rsa_key(const json::object& key, const std::string& where) {
  BnPtr n(bignum(decoded(key, "n", where))), e(bignum(decoded(key, "e", where)));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
    throw std::invalid_argument(where + ": not a valid RSA public key");
  }
  EVP_PKEY* pkey = from_params("RSA", bld.get(), where);
  if (EVP_PKEY_get_bits(pkey) < 2048) {
    EVP_PKEY_free(pkey);
    throw std::invalid_argument(where + ": RSA keys shorter than 2048 bits are refused");
  }
  return pkey;
}

EVP_PKEY* ec_key(const json::object& key, const std::string& where) {
  if (member(key, "crv", where) != "P-256") throw std::invalid_argument(where + ": only the P-256 curve is supported");
  const std::string x = decoded(key, "x", where), y = decoded(key, "y", where);
  if (x.size() != 32 || y.size() != 32) throw std::invalid_argument(where + ": x and y must be 32 bytes each");
  const std::string point = std::string(1, '\x04') + x + y;  // uncompressed
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    throw std::invalid_argument(where + ": not a valid EC public key");
  }
  return from_params("EC", bld.get(), where);  // OpenSSL checks the point is on the curve
}

bool verify_digest(EVP_PKEY* pkey, std::string_view data, const unsigned char* sig, size_t sig_len) {
  MdCtxPtr md(EVP_MD_CTX_new());
  return md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
         EVP_DigestVerify(md.get(), sig, sig_len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
             1;
}

// JWS ES256 signatures are r||s (32 bytes each); OpenSSL verifies DER.
bool verify_es256(EVP_PKEY* pkey, std::string_view data, std::string_view signature) {
  if (signature.size() != 64) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  const bool ok = verify_digest(pkey, data, der, static_cast<size_t>(der_len));
  OPENSSL_free(der);
  return ok;
}

bool verify_hs256(const std::string& secret, std::string_view data, std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len) == nullptr) {
    return false;
  }
  return signature.size() == mac_len && CRYPTO_memcmp(mac, signature.data(), mac_len) == 0;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;  // padding, '+', '/', anything else
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 6 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;  // a dangling or non-canonical tail
  return out;
}

std::shared_ptr<const JwtKeys> JwtKeys::parse(std::string_view jwks_json) {
  boost::system::error_code ec;
  json::value doc = json::parse(jwks_json, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("keys") || !doc.at("keys").is_array()) {
    throw std::invalid_argument("not a JWKS document ({\"keys\": [...]})");
  }
  std::shared_ptr<JwtKeys> out(new JwtKeys());
  const json::array& keys = doc.at("keys").as_array();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i].is_object()) throw std::invalid_argument("keys[" + std::to_string(i) + "] is not an object");
    const json::object& k = keys[i].as_object();
    Key key;
    if (const auto* kid = k.if_contains("kid"); kid != nullptr && kid->is_string()) key.kid = kid->as_string();
    const std::string where = "keys[" + std::to_string(i) + "]" + (key.kid.empty() ? "" : " (kid " + key.kid + ")");
    if (const auto* use = k.if_contains("use"); use != nullptr && use->is_string() && use->as_string() != "sig")
      continue;
    if (const auto* alg = k.if_contains("alg"); alg != nullptr && alg->is_string()) key.alg = alg->as_string();
    key.kty = member(k, "kty", where);
    if (key.kty == "RSA") {
      key.pkey = rsa_key(k, where);
    } else if (key.kty == "EC") {
      key.pkey = ec_key(k, where);
    } else if (key.kty == "oct") {
      key.secret = decoded(k, "k", where);
      if (key.secret.size() < 32)
        throw std::invalid_argument(where + ": HS256 secrets shorter than 32 bytes are refused");
    } else {
      throw std::invalid_argument(where + ": key type \"" + key.kty + "\" is not supported (RSA, EC, oct)");
    }
    out->keys_.push_back(std::move(key));
  }
  return out;
}

JwtKeys::~JwtKeys() {
  for (Key& k : keys_) EVP_PKEY_free(k.pkey);
}

bool JwtKeys::verify(std::string_view alg, std::string_view kid, std::string_view signed_part,
                     std::string_view signature) const {
  const char* kty = alg == "RS256" ? "RSA" : alg == "ES256" ? "EC" : alg == "HS256" ? "oct" : nullptr;
  if (kty == nullptr) return false;
  for (const Key& k : keys_) {
    if (k.kty != kty || (!kid.empty() && k.kid != kid) || (!k.alg.empty() && k.alg != alg)) continue;
    const bool ok = alg == "RS256"
                        ? verify_digest(k.pkey, signed_part, reinterpret_cast<const unsigned char*>(signature.data()),
                                        signature.size())
                    : alg == "ES256" ? verify_es256(k.pkey, signed_part, signature)
                                     : verify_hs256(k.secret, signed_part, signature);
    if (ok) return true;
  }
  return false;
}

}  // namespace hyperion::plugins::api_gateway
