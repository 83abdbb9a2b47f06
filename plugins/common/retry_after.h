// The Retry-After header (RFC 9110 10.2.3), for the plugins that retry HTTP
// (http-client, the tracing exporter).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hyperion::plugins {

// A Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate), relative to
// `now`. nullopt when it is neither; a date in the past is zero.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

}  // namespace hyperion::plugins
