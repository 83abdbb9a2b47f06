// Bearer tokens as the gateway checks them: keys from a JWKS made by OpenSSL,
// tokens signed as an identity provider would, and the forgeries an attacker
// tries.
#include <gtest/gtest.h>

#include <chrono>

#include "api-gateway/jwt_minter.h"
#include "jwt_verifier.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;
using gateway_test::JwtMinter;

const int64_t kNow = 1'800'000'000;

JwtSettings settings() {
  JwtSettings s;
  s.issuer = "https://id.example";
  s.audiences = {"shop"};
  s.algorithms = {"RS256", "ES256", "HS256"};
  s.leeway = std::chrono::seconds(60);
  return s;
}

json::object claims(int64_t exp_offset = 300) {
  return {{"iss", "https://id.example"},
          {"aud", "shop"},
          {"sub", "user-7"},
          {"exp", kNow + exp_offset},
          {"scope", "orders.read users.read"}};
}

class Jwt : public ::testing::Test {
 protected:
  std::string outcome(const std::string& token, const JwtSettings& s = settings()) {
    auto r = JwtVerifier(s).verify(token, *keys_, kNow);
    if (const auto* why = std::get_if<std::string>(&r)) return *why;
    return "ok " + std::string(std::get<json::object>(r).at("sub").as_string());
  }
  static JwtMinter& minter() {
    static JwtMinter m;  // an RSA key takes a moment to make: once for the suite
    return m;
  }
  std::shared_ptr<const JwtKeys> keys_ = JwtKeys::parse(minter().jwks());
};

TEST_F(Jwt, ValidTokensOfEachAlgorithmPass) {
  EXPECT_EQ(keys_->size(), 3u);
  for (const char* alg : {"RS256", "ES256", "HS256"})
    EXPECT_EQ(outcome(minter().sign(alg, claims())), "ok user-7") << alg;
  // aud as an array, and within the leeway after exp.
  json::object c = claims(-30);
  c["aud"] = json::array{"other", "shop"};
  EXPECT_EQ(outcome(minter().sign("ES256", c)), "ok user-7");
}

TEST_F(Jwt, ClaimsAreChecked) {
  EXPECT_EQ(outcome(minter().sign("RS256", claims(-120))), "the token expired 120 s ago");
  json::object c = claims();
  c["nbf"] = kNow + 600;
  EXPECT_EQ(outcome(minter().sign("RS256", c)), "the token is not valid yet (nbf)");
  c = claims();
  c["aud"] = "billing";
  EXPECT_EQ(outcome(minter().sign("RS256", c)), "the token is not meant for this audience");
  c = claims();
  c["iss"] = "https://evil.example";
  EXPECT_EQ(outcome(minter().sign("RS256", c)), "the issuer is not https://id.example");
  c = claims();
  c.erase("exp");
  EXPECT_EQ(outcome(minter().sign("RS256", c)), "the token has no expiry (exp)");
}

TEST_F(Jwt, ForgeriesAreRefused) {
  // A tampered payload keeps the old signature.
  std::string token = minter().sign("RS256", claims());
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  json::object admin = claims();
  admin["sub"] = "admin";
  const std::string tampered =
      token.substr(0, dot1 + 1) + gateway_test::base64url(json::serialize(admin)) + token.substr(dot2);
  EXPECT_EQ(outcome(tampered), "the signature does not verify with key k1-rsa");
  // alg none, with or without a signature.
  EXPECT_EQ(outcome(JwtMinter::unsigned_token({{"alg", "none"}, {"typ", "JWT"}}, claims())),
            "the algorithm none is not accepted");
  // The classic confusion: HS256 "signed" with the RSA public key, under the RSA key's kid.
  EXPECT_EQ(outcome(JwtMinter::hs256_with(minter().rsa_public_pem(), "k1-rsa", claims())),
            "the signature does not verify with key k1-rsa");
  // A key the JWKS does not have.
  JwtMinter stranger("k1");  // same kids, other keys
  EXPECT_EQ(outcome(stranger.sign("ES256", claims())), "the signature does not verify with key k1-ec");
  // An algorithm the config does not accept.
  JwtSettings rs_only = settings();
  rs_only.algorithms = {"RS256"};
  EXPECT_EQ(outcome(minter().sign("HS256", claims()), rs_only), "the algorithm HS256 is not accepted");
  // Malformed tokens.
  EXPECT_EQ(outcome("abc"), "the token is not a JWS in compact form (three base64url parts)");
  EXPECT_EQ(outcome("a.b.c.d"), "the token is not a JWS in compact form (three base64url parts)");
  EXPECT_EQ(outcome("!!.e30.e30"), "the token's header is not base64url JSON");
  EXPECT_EQ(outcome(std::string(9000, 'a')), "the token is larger than 8 KiB");
  EXPECT_EQ(outcome(JwtMinter::unsigned_token({{"alg", "RS256"}, {"crit", json::array{"exp"}}}, claims())),
            "the token has critical extensions the gateway does not know");
}

TEST(JwtKeys, BadDocumentsAreRefusedNamingTheKey) {
  auto error = [](const std::string& jwks) {
    try {
      (void)JwtKeys::parse(jwks);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error("[]"), "not a JWKS document ({\"keys\": [...]})");
  EXPECT_EQ(error(R"({"keys": [{"kty": "RSA", "kid": "a", "n": "AQAB"}]})"), "keys[0] (kid a): \"e\" is missing");
  EXPECT_EQ(error(R"({"keys": [{"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"}]})"),
            "keys[0] (kid a): RSA keys shorter than 2048 bits are refused");
  EXPECT_EQ(error(R"({"keys": [{"kty": "oct", "k": "c2hvcnQ"}]})"),
            "keys[0]: HS256 secrets shorter than 32 bytes are refused");
  EXPECT_EQ(error(R"({"keys": [{"kty": "OKP", "kid": "ed"}]})"),
            "keys[0] (kid ed): key type \"OKP\" is not supported (RSA, EC, oct)");
  EXPECT_EQ(error(R"({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",)"
                  R"( "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]})"),
            "keys[0]: not a valid EC public key")
      << "a point not on the curve";
  EXPECT_EQ(error(R"({"keys": [{"kty": "oct", "use": "enc", "k": "x"}]})"), "accepted")
      << "encryption keys are skipped";
}

TEST(Base64Url, DecodesOnlyCanonicalUnpaddedText) {
  EXPECT_EQ(base64url_decode("aGk"), "hi");
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(base64url_decode("aGk="), std::nullopt) << "padding";
  EXPECT_EQ(base64url_decode("a+/"), std::nullopt) << "the standard alphabet";
  EXPECT_EQ(base64url_decode("aGl"), std::nullopt) << "non-canonical trailing bits";
  EXPECT_EQ(base64url_decode("a"), std::nullopt) << "a dangling character";
}

}  // namespace
}  // namespace hyperion::plugins::api_gateway
