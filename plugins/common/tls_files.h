// The "tls" block the server plugins share in their config (grpc-server,
// http-server): the certificate files, read and checked the same way, with
// errors that name the field.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace hyperion::plugins {

struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // empty: no client certificates asked for
  bool require_client_cert = false;
  bool operator==(const TlsFiles&) const = default;
};

// config["tls"] (already validated against the plugin's schema), or nullopt.
// Throws hyperion::Error when require_client_cert comes without client_ca_file.
std::optional<TlsFiles> tls_files(const boost::json::object& config);

// The PEM text of `path`; throws hyperion::Error naming `field` when it cannot
// be read or is not PEM.
std::string read_pem(const std::string& field, const std::string& path);

}  // namespace hyperion::plugins
