// JSON text for people as well as programs: like boost::json::serialize, but
// a double is written in plain decimal where that is exact enough ("0.2465",
// not Boost 1.81's "2.465E-1"), so figures such as durations read naturally.
// Thread-safety: a pure function.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace hyperion {

std::string serialize_plain(const boost::json::value& value);

}  // namespace hyperion
