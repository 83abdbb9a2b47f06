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

TEST(ConfigValidator, FillsDefaultsIntoEveryValueOfAMap) {
  auto v = ConfigValidator::compile(obj(R"({
    "type": "object",
    "properties": {
      "targets": {"type": "object", "default": {}, "additionalProperties": {
        "type": "object", "additionalProperties": false, "required": ["address"],
        "properties": {"address": {"type": "string"}, "policy": {"type": "string", "default": "round_robin"},
                       "retry": {"type": "object", "default": {}, "properties": {"max_attempts": {"type": "integer", "default": 3}}}}}}
    }
  })"));
  ASSERT_TRUE(v.ok());
  auto config = obj(
      R"({"targets": {"users": {"address": "a:1"}, "orders": {"address": "b:2", "policy": "pick_first", "retry": {}}}})");
  EXPECT_TRUE(v->apply_defaults_and_validate(config).empty());
  EXPECT_EQ(config.at("targets").at("users").at("policy").as_string(), "round_robin");
  EXPECT_EQ(config.at("targets").at("users").at("retry").at("max_attempts").as_int64(), 3);
  EXPECT_EQ(config.at("targets").at("orders").at("policy").as_string(), "pick_first");
  EXPECT_EQ(config.at("targets").at("orders").at("retry").at("max_attempts").as_int64(), 3);
  // A value of the wrong type is left for validation to name, not filled.
  auto wrong = obj(R"({"targets": {"users": "a:1"}})");
  auto errors = v->apply_defaults_and_validate(wrong);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].pointer, "/targets/users");
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

TEST(ConfigValidator, SchemaWithABadRegularExpressionIsRefusedWhenCompiled) {
  // Found by fuzz/config_fuzzer.cc: valijson compiled the pattern only while
  // validating, and its exception ended the host.
  auto bad_pattern = ConfigValidator::compile(obj(R"({"properties": {"s": {"type": "string", "pattern": "a{2,1"}}})"));
  ASSERT_FALSE(bad_pattern.ok());
  EXPECT_NE(bad_pattern.status().message().find("/properties/s/pattern"), std::string::npos)
      << bad_pattern.status().message();
  EXPECT_NE(bad_pattern.status().message().find("not a valid regular expression"), std::string::npos);

  auto bad_key = ConfigValidator::compile(obj(R"({"patternProperties": {"[": {"type": "string"}}})"));
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("/patternProperties/["), std::string::npos) << bad_key.status().message();

  // libstdc++ overflows a signed integer on a count of many digits.
  auto huge_count = ConfigValidator::compile(obj(R"({"properties": {"s": {"pattern": "a{66666666666666666666}"}}})"));
  ASSERT_FALSE(huge_count.ok());
  EXPECT_NE(huge_count.status().message().find("more than 6 digits"), std::string::npos);

  auto good = ConfigValidator::compile(obj(R"({"properties": {"s": {"type": "string", "pattern": "^[a-z]+$"}}})"));
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  auto config = obj(R"({"s": "ABC"})");
  EXPECT_EQ(good->apply_defaults_and_validate(config).size(), 1u);
}

TEST(ConfigValidator, OnlyLocalReferencesAreAccepted) {
  // Found by fuzz/config_fuzzer.cc: valijson resolved a relative $ref into the
  // document itself until the stack overflowed.
  auto remote = ConfigValidator::compile(obj(R"({"type": "object", "$ref": "063n0.0.1:8080"})"));
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("/$ref"), std::string::npos) << remote.status().message();
  EXPECT_NE(remote.status().message().find("only local references"), std::string::npos);

  // Defaults and enum members are data: keys named like keywords are not checked.
  auto data = ConfigValidator::compile(obj(R"({"properties": {"o": {"type": "object",
      "default": {"$ref": "not/a/ref", "pattern": "("}, "enum": [{"$ref": "x"}]}}})"));
  EXPECT_TRUE(data.ok()) << data.status().to_string();
  // ...but a property named like a keyword is a schema, and checked.
  auto named_default = ConfigValidator::compile(obj(R"({"properties": {"default": {"$ref": "elsewhere.json"}}})"));
  EXPECT_FALSE(named_default.ok());

  auto local = ConfigValidator::compile(obj(
      R"({"definitions": {"port": {"type": "integer"}}, "properties": {"p": {"$ref": "#/definitions/port"}}})"));
  ASSERT_TRUE(local.ok()) << local.status().to_string();
  auto config = obj(R"({"p": "x"})");
  EXPECT_EQ(local->apply_defaults_and_validate(config).size(), 1u);
}

TEST(ConfigValidator, PatternsThatBacktrackExponentiallyAreRefused) {
  // Found by fuzz/config_fuzzer.cc: "^.**..." against a 14-character default
  // kept std::regex busy for over 10 seconds.
  for (const char* nested : {"^.**x$", "^(a+)+$", "(x|y*)*", "(a*){2,}", "((ab)+c)*", "(?:[a-z]+)+$"}) {
    auto v = ConfigValidator::compile(boost::json::object{
        {"properties", boost::json::object{{"s", boost::json::object{{"type", "string"}, {"pattern", nested}}}}}});
    ASSERT_FALSE(v.ok()) << nested;
    EXPECT_NE(v.status().message().find("repeats a repetition without bound"), std::string::npos)
        << v.status().message();
  }
  for (const char* fine : {"^[a-z]+$", "^(ab)+$", "^.+:[0-9]{1,5}$", "(a+){2}", "[(a+)]+", "\\(a+\\)+", "a*?b+"}) {
    auto v = ConfigValidator::compile(boost::json::object{
        {"properties", boost::json::object{{"s", boost::json::object{{"type", "string"}, {"pattern", fine}}}}}});
    EXPECT_TRUE(v.ok()) << fine << ": " << v.status().to_string();
  }
}

TEST(ConfigValidator, MultipleOfMustBePositive) {
  // Found by fuzzing in CI: valijson divided an integer by "multipleOf": 0.
  for (const char* bad : {"0", "-2", "\"3\""}) {
    auto v = ConfigValidator::compile(obj((std::string(R"({"properties": {"n": {"type": "number", "multipleOf": )") +
                                           bad + "}}}")
                                              .c_str()));
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("/properties/n/multipleOf: multipleOf must be a number greater than 0"),
              std::string::npos)
        << v.status().message();
  }
  auto good = ConfigValidator::compile(obj(R"({"properties": {"n": {"type": "integer", "multipleOf": 5}}})"));
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  auto config = obj(R"({"n": 7})");
  EXPECT_EQ(good->apply_defaults_and_validate(config).size(), 1u);
}

}  // namespace
}  // namespace hyperion::config
