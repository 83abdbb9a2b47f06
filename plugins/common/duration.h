// Durations as the plugins' configs write them: "250ms", "3s", "2m", "1h".
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace hyperion::plugins {

// "250ms", "3s", "2m", "1h" -> milliseconds; throws std::invalid_argument.
std::chrono::milliseconds parse_duration(std::string_view text);

// o[key] as a duration; throws hyperion::Error naming `where` + `key`.
std::chrono::milliseconds duration_field(const boost::json::object& o, const char* key, const std::string& where);

}  // namespace hyperion::plugins
