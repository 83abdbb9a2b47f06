#include "base/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace hyperion {
namespace {

TEST(SerializePlain, DoublesAreWrittenInPlainDecimals) {
  boost::json::object o{{"duration_ms", 0.246543}, {"whole", 5.0}, {"big", 1234567.5}, {"tiny", 1e-9}};
  EXPECT_EQ(serialize_plain(o), R"({"duration_ms":0.246543,"whole":5,"big":1234567.5,"tiny":1e-09})");
  // Reads back as the same values.
  boost::json::value back = boost::json::parse(serialize_plain(o));
  EXPECT_EQ(back.at("duration_ms").to_number<double>(), 0.246543);
  EXPECT_EQ(back.at("tiny").to_number<double>(), 1e-9);
}

TEST(SerializePlain, EverythingElseIsWhatBoostWrites) {
  boost::json::value v =
      boost::json::parse(R"({"s":"a\"b\n","n":null,"t":true,"i":-3,"u":18446744073709551615,"a":[1,{"k":[]}]})");
  EXPECT_EQ(serialize_plain(v), boost::json::serialize(v));
  EXPECT_EQ(serialize_plain(boost::json::object{{"k\"ey", 1}}), R"({"k\"ey":1})");
}

}  // namespace
}  // namespace hyperion
