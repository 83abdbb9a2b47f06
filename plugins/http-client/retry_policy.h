// When and how long to wait before retrying an HTTP call.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "client_settings.h"
#include "retry_after.h"

namespace hyperion::plugins::http_client {

// GET, HEAD, PUT, DELETE, OPTIONS, TRACE (RFC 9110 9.2.2).
bool idempotent_method(std::string_view method);

// 429, and 5xx other than 501 (Not Implemented will not change on a retry).
bool retryable_status(int status);

}  // namespace hyperion::plugins::http_client
