// JSON Merge Patch: the examples of RFC 7386, appendix A, and the fields a patch sets.
#include "base/json_merge_patch.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hyperion {
namespace {

namespace json = boost::json;

TEST(JsonMergePatch, TheExamplesOfRfc7386) {
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  };
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(apply_merge_patch(json::parse(c.target), json::parse(c.patch)), json::parse(c.result))
        << c.target << " + " << c.patch;
  }
}

TEST(JsonMergePatch, FieldsAPatchSets) {
  auto fields = merge_patch_fields(json::parse(R"({"db":{"port":5432,"user":null},"tags":["a"],"a/b":1})"));
  EXPECT_EQ(fields, (std::vector<std::string>{"/db/port", "/tags", "/a~1b"}));
  EXPECT_TRUE(merge_patch_fields(json::parse("{}")).empty());
}

}  // namespace
}  // namespace hyperion
