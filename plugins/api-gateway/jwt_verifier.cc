#include "jwt_verifier.h"

#include <algorithm>
#include <cmath>

#include "ascii.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;

std::optional<json::object> json_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A NumericDate claim, or nullopt when absent; throws nothing: a claim of the
// wrong type is reported by the caller.
bool numeric(const json::object& claims, const char* name, double& out) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr || !v->is_number()) return false;
  out = v->to_number<double>();
  return std::isfinite(out);
}

}  // namespace

std::variant<json::object, std::string> JwtVerifier::verify(std::string_view token, const JwtKeys& keys,
                                                            int64_t now) const {
  if (token.size() > kMaxTokenBytes) return std::string("the token is larger than 8 KiB");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::string("the token is not a JWS in compact form (three base64url parts)");
  }
  auto header = json_part(token.substr(0, dot1));
  if (!header) return std::string("the token's header is not base64url JSON");
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return std::string("the token names no algorithm");
  const std::string algorithm(alg->as_string());
  if (!settings_.algorithms.contains(algorithm)) {
    return "the algorithm " + algorithm + " is not accepted";  // "none" never is
  }
  if (header->contains("crit")) return std::string("the token has critical extensions the gateway does not know");
  if (const json::value* typ = header->if_contains("typ"); typ != nullptr) {
    const std::string t = lower_ascii(typ->is_string() ? std::string_view(typ->as_string()) : std::string_view());
    if (t != "jwt" && t != "at+jwt") return "the token's type " + t + " is not a JWT";
  }
  std::string kid;
  if (const json::value* k = header->if_contains("kid"); k != nullptr && k->is_string()) kid = k->as_string();
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) return std::string("the token's signature is not base64url");
  if (!keys.verify(algorithm, kid, token.substr(0, dot2), *signature)) {
    return "the signature does not verify" + (kid.empty() ? std::string() : " with key " + kid);
  }
  auto claims = json_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!claims) return std::string("the token's claims are not a base64url JSON object");

  const double leeway = static_cast<double>(settings_.leeway.count());
  double exp = 0, nbf = 0;
  if (!numeric(*claims, "exp", exp)) return std::string("the token has no expiry (exp)");
  if (static_cast<double>(now) > exp + leeway) {
    return "the token expired " + std::to_string(static_cast<int64_t>(static_cast<double>(now) - exp)) + " s ago";
  }
  if (claims->contains("nbf") && !numeric(*claims, "nbf", nbf)) return std::string("nbf is not a number");
  if (claims->contains("nbf") && static_cast<double>(now) + leeway < nbf) {
    return std::string("the token is not valid yet (nbf)");
  }
  if (!settings_.issuer.empty()) {
    const json::value* iss = claims->if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->as_string() != settings_.issuer) {
      return "the issuer is not " + settings_.issuer;
    }
  }
  if (!settings_.audiences.empty()) {
    std::vector<std::string> aud;
    if (const json::value* a = claims->if_contains("aud")) {
      if (a->is_string()) aud.emplace_back(a->as_string());
      if (a->is_array()) {
        for (const auto& item : a->as_array()) {
          if (item.is_string()) aud.emplace_back(item.as_string());
        }
      }
    }
    const bool match = std::any_of(aud.begin(), aud.end(), [&](const std::string& a) {
      return std::find(settings_.audiences.begin(), settings_.audiences.end(), a) != settings_.audiences.end();
    });
    if (!match) return std::string("the token is not meant for this audience");
  }
  return std::move(*claims);
}

std::set<std::string> token_scopes(const json::object& claims) {
  std::set<std::string> out;
  if (const json::value* s = claims.if_contains("scope"); s != nullptr && s->is_string()) {
    std::string_view text = s->as_string();
    while (!text.empty()) {
      const size_t space = text.find(' ');
      if (space != 0) out.emplace(text.substr(0, space));
      if (space == std::string_view::npos) break;
      text.remove_prefix(space + 1);
    }
  }
  if (const json::value* s = claims.if_contains("scp"); s != nullptr && s->is_array()) {
    for (const auto& item : s->as_array()) {
      if (item.is_string()) out.emplace(item.as_string());
    }
  }
  return out;
}

std::set<std::string> token_roles(const json::object& claims) {
  std::set<std::string> out;
  if (const json::value* r = claims.if_contains("roles"); r != nullptr && r->is_array()) {
    for (const auto& item : r->as_array()) {
      if (item.is_string()) out.emplace(item.as_string());
    }
  }
  return out;
}

std::string claim_text(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

}  // namespace hyperion::plugins::api_gateway
