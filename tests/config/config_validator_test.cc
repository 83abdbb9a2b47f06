#include "config/config_validator.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hyperion::config {
namespace {

boost::json::object obj(const char* json) { return boost::json::parse(json).as_object(); }

const char* kSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name"],
  "properties": {
    "name": {"type": "string"},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": 8080},
    "tls": {"type": "object", "properties": {"enabled": {"type": "boolean", "default": false}}},
    "limits": {"type": "object", "default": {"rps": 10}, "properties": {"rps": {"type": "integer"}, "burst": {"type": "integer", "default": 5}}}
  }
})";

TEST(ConfigValidator, FillsDefaultsRecursively) {
  auto v = ConfigValidator::compile(obj(kSchema));
  ASSERT_TRUE(v.ok());
  auto config = obj(R"({"name": "x", "tls": {}})");
  EXPECT_TRUE(v->apply_defaults_and_validate(config).empty());
  EXPECT_EQ(config.at("port").as_int64(), 8080);
  EXPECT_EQ(config.at("tls").at("enabled").as_bool(), false);
  EXPECT_EQ(config.at("limits").at("rps").as_int64(), 10);
  EXPECT_EQ(config.at("limits").at("burst").as_int64(), 5);
}

TEST(ConfigValidator, ReportsTheFieldPath) {
  auto v = ConfigValidator::compile(obj(kSchema));
  auto config = obj(R"({"name": "x", "port": 70000})");
  auto errors = v->apply_defaults_and_validate(config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/port");
  EXPECT_NE(errors[0].message.find("65535"), std::string::npos) << errors[0].message;
}

TEST(ConfigValidator, NestedFieldPath) {
  auto v = ConfigValidator::compile(obj(kSchema));
  auto config = obj(R"({"name": "x", "tls": {"enabled": "yes"}})");
  auto errors = v->apply_defaults_and_validate(config);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].pointer, "/tls/enabled");
}

TEST(ConfigValidator, MissingRequiredAndUnknownProperty) {
  auto v = ConfigValidator::compile(obj(kSchema));
  auto config = obj(R"({"nmae": "typo"})");
  auto errors = v->apply_defaults_and_validate(config);
  std::string all;
  for (const auto& e : errors) all += e.pointer + ": " + e.message + "\n";
  EXPECT_NE(all.find("name"), std::string::npos) << all;
  EXPECT_NE(all.find("nmae"), std::string::npos) << all;
}

TEST(ConfigValidator, EmptySchemaAcceptsAnything) {
  auto v = ConfigValidator::compile(boost::json::object{});
  ASSERT_TRUE(v.ok());
  auto config = obj(R"({"anything": [1, 2]})");
  EXPECT_TRUE(v->apply_defaults_and_validate(config).empty());
}

TEST(ConfigValidator, InvalidSchemaIsRejected) {
  auto v = ConfigValidator::compile(obj(R"({"type": 12})"));
  EXPECT_FALSE(v.ok());
}

}  // namespace
}  // namespace hyperion::config
