#include "retry_policy.h"

namespace hyperion::plugins::http_client {

bool idempotent_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS" || m == "TRACE";
}

bool retryable_status(int status) { return status == 429 || (status >= 500 && status <= 599 && status != 501); }

}  // namespace hyperion::plugins::http_client
