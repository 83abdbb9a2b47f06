#include "base/json_text.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace hyperion {
namespace {

void append(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ':';
        append(kv.value(), out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      char buf[64];
      // Shortest text that reads back as the same double, in plain notation
      // for the magnitudes figures have; scientific beyond them.
      const bool plain = std::isfinite(d) && (d == 0 || (std::fabs(d) >= 1e-6 && std::fabs(d) < 1e15));
      auto r = plain ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed)
                     : std::to_chars(buf, buf + sizeof buf, d);
      if (!std::isfinite(d) || r.ec != std::errc{}) {
        out += boost::json::serialize(v);  // what Boost writes for what we do not
        return;
      }
      out.append(buf, r.ptr);
      return;
    }
    default: out += boost::json::serialize(v); return;
  }
}

}  // namespace

std::string serialize_plain(const boost::json::value& value) {
  std::string out;
  append(value, out);
  return out;
}

}  // namespace hyperion
