// Base64 (RFC 4648, standard alphabet, padded), through OpenSSL's EVP coder:
// etcd's JSON gateway and Consul's KV API carry keys and values this way.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hyperion::plugins {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hyperion::plugins
