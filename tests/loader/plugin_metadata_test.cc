#include "loader/plugin_metadata.h"

#include <gtest/gtest.h>

namespace hyperion::loader {
namespace {

void expect_bad(const std::string& json, const std::string& text) {
  auto m = parse_plugin_metadata(json, "x.so");
  ASSERT_FALSE(m.ok()) << json;
  EXPECT_NE(m.status().message().find(text), std::string::npos) << m.status().message();
}

TEST(PluginMetadata, ParsesEverything) {
  auto m = parse_plugin_metadata(R"({"name": "db", "version": "1.2.3-rc.1+build5", "description": "d",
    "provides": [{"api": "sql", "version": "2.1"}],
    "requires": [{"api": "log", "version": "1"}, {"api": "trace", "version": "1.4", "optional": true}],
    "capabilities": ["reload", "health"], "config_schema": {"type": "object"}})",
                                 "x.so");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->name, "db");
  ASSERT_EQ(m->provides.size(), 1u);
  EXPECT_EQ(m->provides[0].major, 2u);
  EXPECT_EQ(m->provides[0].minor, 1u);
  ASSERT_EQ(m->requires_.size(), 2u);
  EXPECT_FALSE(m->requires_[0].optional);
  EXPECT_TRUE(m->requires_[1].optional);
  EXPECT_EQ(m->requires_[1].api.minor, 4u);
  EXPECT_TRUE(m->has("reload"));
  EXPECT_FALSE(m->has("state"));
}

TEST(PluginMetadata, Errors) {
  expect_bad("not json", "not valid JSON");
  expect_bad("[]", "must be a JSON object");
  expect_bad(R"({"version": "1.0.0"})", "\"name\" must be");
  expect_bad(R"({"name": "x", "version": "1.0"})", "semantic version");
  expect_bad(R"({"name": "x", "version": "1.0.0", "bogus": 1})", "unknown key \"bogus\"");
  expect_bad(R"({"name": "x", "version": "1.0.0", "provides": [{"api": "a"}]})", "provides[0].version");
  expect_bad(R"({"name": "x", "version": "1.0.0", "requires": [{"api": "a", "version": "1", "optional": "y"}]})",
             "requires[0].optional");
  expect_bad(R"({"name": "x", "version": "1.0.0", "capabilities": ["fly"]})", "capabilities");
  expect_bad(R"({"name": "x", "version": "1.0.0", "config_schema": 3})", "config_schema");
}

TEST(PluginMetadata, Satisfies) {
  EXPECT_TRUE(satisfies({"a", 1, 3}, {"a", 1, 2}));
  EXPECT_FALSE(satisfies({"a", 1, 1}, {"a", 1, 2}));
  EXPECT_FALSE(satisfies({"a", 2, 0}, {"a", 1, 0}));
  EXPECT_FALSE(satisfies({"b", 1, 0}, {"a", 1, 0}));
}

}  // namespace
}  // namespace hyperion::loader
