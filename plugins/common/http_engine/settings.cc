#include "settings.h"

#include <hyperion/plugin.hpp>

namespace hyperion::http_engine {

void split_listen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "listen: \"" + listen + "\" is not host:port");
  }
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(digits) > 65535) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "listen: port \"" + digits + "\" is not 0..65535");
  }
  port = static_cast<uint16_t>(std::stoi(digits));
}

}  // namespace hyperion::http_engine
