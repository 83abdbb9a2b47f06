// Equality of JSON values without copying them. Boost 1.81's object::equal
// copies every member it compares (a key_value_pair per key, with its value),
// which was most of a config diff's cost (#23): this walk reads in place, and
// when two objects hold their keys in the same order (configs built from the
// same schema and defaults) it pairs members by position before looking keys up.
// Same answers as value::operator== (5 == 5u; 5 != 5.0). Thread-safety: pure.
#pragma once

#include <boost/json/value.hpp>

namespace hyperion {

bool json_equal(const boost::json::value& a, const boost::json::value& b);
bool json_equal(const boost::json::object& a, const boost::json::object& b);

// The member of `in` named `key`, looked for first at `position` (where the
// other side of a comparison holds it), then by lookup; nullptr when absent.
const boost::json::value* member_near(const boost::json::object& in, std::size_t position,
                                      boost::json::string_view key);

}  // namespace hyperion
