// Small text helpers the gateway's files share.
#pragma once

#include <string>
#include <string_view>

namespace hyperion::plugins::api_gateway {

// ASCII lower case (header names, hosts, media types).
inline std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// "127.0.0.1:5000" or "[::1]:5000" (the http-server's peer) -> the address alone.
inline std::string client_address(std::string_view peer) {
  if (peer.starts_with('[')) return std::string(peer.substr(1, peer.find(']') - 1));
  return std::string(peer.substr(0, peer.rfind(':')));
}

}  // namespace hyperion::plugins::api_gateway
