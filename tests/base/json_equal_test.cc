// json_equal gives operator=='s answers without its copies.
#include "base/json_equal.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hyperion {
namespace {

namespace json = boost::json;

TEST(JsonEqual, AnswersAsOperatorEqualsDoes) {
  const char* documents[] = {"null",
                             "true",
                             "false",
                             "0",
                             "5",
                             "5.0",
                             "-5",
                             "18446744073709551615",
                             "\"5\"",
                             "\"\"",
                             "[]",
                             "[1,2]",
                             "[2,1]",
                             "[1,[2,{\"a\":3}]]",
                             "[1,[2,{\"a\":4}]]",
                             "{}",
                             "{\"a\":1}",
                             "{\"a\":1,\"b\":2}",
                             "{\"b\":2,\"a\":1}",
                             "{\"a\":1,\"c\":2}",
                             "{\"a\":{\"x\":[1,2]},\"b\":null}",
                             "{\"b\":null,\"a\":{\"x\":[1,2]}}",
                             "{\"a\":{\"x\":[1,3]},\"b\":null}",
                             "{\"a\":1,\"b\":2,\"c\":3}"};
  for (const char* x : documents) {
    for (const char* y : documents) {
      const json::value a = json::parse(x), b = json::parse(y);
      EXPECT_EQ(json_equal(a, b), a == b) << x << " vs " << y;
    }
  }
  // An unsigned and a signed 5 are equal, as for operator==; 5 and 5.0 are not.
  EXPECT_TRUE(json_equal(json::value(5), json::value(5u)));
  EXPECT_FALSE(json_equal(json::value(5), json::value(5.0)));
}

TEST(JsonEqual, MemberNearFindsAKeyAtItsPositionOrByLookup) {
  const json::object o = json::parse(R"({"a":1,"b":2,"c":3})").as_object();
  EXPECT_EQ(member_near(o, 1, "b")->as_int64(), 2);  // where the other side has it
  EXPECT_EQ(member_near(o, 0, "c")->as_int64(), 3);  // elsewhere: looked up
  EXPECT_EQ(member_near(o, 7, "a")->as_int64(), 1);  // past the end: looked up
  EXPECT_EQ(member_near(o, 0, "z"), nullptr);
}

}  // namespace
}  // namespace hyperion
