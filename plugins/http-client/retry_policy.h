// When and how long to wait before retrying an HTTP call.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "client_settings.h"

namespace hyperion::plugins::http_client {

// GET, HEAD, PUT, DELETE, OPTIONS, TRACE (RFC 9110 9.2.2).
bool idempotent_method(std::string_view method);

// 429, and 5xx other than 501 (Not Implemented will not change on a retry).
bool retryable_status(int status);

// A Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate), relative to
// `now`. nullopt when it is neither; a date in the past is zero.
std::optional<Millis> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace hyperion::plugins::http_client
