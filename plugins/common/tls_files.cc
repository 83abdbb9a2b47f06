#include "tls_files.h"

#include <hyperion/plugin.hpp>

#include <fstream>
#include <sstream>

namespace hyperion::plugins {

std::optional<TlsFiles> tls_files(const boost::json::object& config) {
  const auto* tls = config.if_contains("tls");
  if (tls == nullptr) return std::nullopt;
  const auto& t = tls->as_object();
  TlsFiles out;
  out.cert_file = std::string(t.at("cert_file").as_string());
  out.key_file = std::string(t.at("key_file").as_string());
  if (const auto* ca = t.if_contains("client_ca_file")) out.client_ca_file = std::string(ca->as_string());
  out.require_client_cert = t.at("require_client_cert").as_bool();
  if (out.require_client_cert && out.client_ca_file.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "tls.require_client_cert: needs tls.client_ca_file");
  }
  return out;
}

std::string read_pem(const std::string& field, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, field + ": cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  if (out.str().find("-----BEGIN ") == std::string::npos) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, field + ": " + path + " is not PEM");
  }
  return out.str();
}

}  // namespace hyperion::plugins
