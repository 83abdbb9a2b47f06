// What `hyperion check` derives from a config schema: the dynamic fields, the
// annotations the host never reads, values that differ and values refused.
#include "check/schema_samples.h"

#include <gtest/gtest.h>

namespace hyperion::check {
namespace {

namespace json = boost::json;

json::object parse(const char* text) { return json::parse(text).as_object(); }

config::ConfigValidator compile(const json::object& schema) {
  auto v = config::ConfigValidator::compile(schema);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return std::move(*v);
}

json::object effective(const config::ConfigValidator& v, json::object config = {}) {
  EXPECT_TRUE(v.apply_defaults_and_validate(config).empty());
  return config;
}

TEST(SchemaSamples, DynamicFieldsAreTheLeavesTheHostClassifiesAsDynamic) {
  auto schema = parse(R"({"type": "object", "properties": {
      "a": {"type": "integer", "x-dynamic": true},
      "b": {"type": "integer"},
      "db": {"type": "object", "x-dynamic": true, "properties": {
          "host": {"type": "string"}, "pool": {"type": "integer", "x-dynamic": false}}},
      "flags": {"type": "object", "x-dynamic": true, "additionalProperties": {"type": "boolean"}},
      "plain": {"type": "object", "properties": {"inner": {"type": "string", "x-dynamic": true}}}}})");
  EXPECT_EQ(dynamic_fields(schema), (std::vector<std::string>{"/a", "/db/host", "/flags", "/plain/inner"}));
}

TEST(SchemaSamples, AnnotationsOutsideWhatTheHostWalksAreReported) {
  auto schema = parse(R"({"type": "object",
      "definitions": {"port": {"type": "integer", "x-dynamic": true}},
      "properties": {
        "port": {"$ref": "#/definitions/port"},
        "mode": {"oneOf": [{"type": "string", "x-dynamic": true}, {"type": "integer"}]},
        "list": {"type": "array", "items": {"type": "string", "x-dynamic": true}},
        "ok": {"type": "string", "x-dynamic": true, "default": "x", "examples": [{"x-dynamic": true}]}}})");
  EXPECT_EQ(unread_dynamic_annotations(schema),
            (std::vector<std::string>{"/definitions/port", "/properties/mode/oneOf/0"}));
  EXPECT_TRUE(unread_dynamic_annotations(parse(R"({"properties": {"a": {"x-dynamic": true}}})")).empty());
}

TEST(SchemaSamples, DifferentValuesHonourTheSchema) {
  auto schema = parse(R"({"type": "object", "additionalProperties": false, "properties": {
      "level": {"type": "string", "enum": ["info", "warn"], "default": "info"},
      "count": {"type": "integer", "minimum": 1, "maximum": 3, "default": 3},
      "timeout": {"type": "string", "pattern": "^[0-9]+(ms|s)$", "default": "5s"},
      "listen": {"type": "string", "default": "127.0.0.1:8080"},
      "on": {"type": "boolean", "default": false},
      "ratio": {"type": "number", "minimum": 0, "maximum": 1, "default": 1},
      "limits": {"type": "object", "default": {}, "additionalProperties": {"type": "number", "minimum": 0}},
      "tags": {"type": "array", "default": [], "items": {"type": "string", "minLength": 2}},
      "picky": {"type": "string", "default": "a", "pattern": "^a$"},
      "chosen": {"type": "integer", "default": 7, "examples": [42]}}})");
  auto v = compile(schema);
  auto config = effective(v);
  auto first = [&](const char* pointer) {
    auto values = different_valid_values(v, schema, config, pointer, 3);
    return values.empty() ? std::string("(none)") : json::serialize(values.front());
  };
  EXPECT_EQ(first("/level"), R"("warn")");
  EXPECT_EQ(first("/count"), "2") << "3 + 1 is past the maximum";
  EXPECT_EQ(first("/timeout"), R"("6s")") << "the number in the text is stepped";
  EXPECT_EQ(first("/listen"), R"("127.0.0.1:8081")");
  EXPECT_EQ(first("/on"), "true");
  EXPECT_EQ(json::value_to<double>(json::parse(first("/ratio"))), 0.0);
  EXPECT_EQ(first("/limits"), R"({"hyperion-check":1E0})");
  EXPECT_EQ(first("/tags"), R"(["xx"])") << "one more element, as short as minLength allows";
  EXPECT_EQ(first("/picky"), "(none)") << "nothing but \"a\" is valid";
  EXPECT_EQ(first("/chosen"), "42") << "the schema's examples come first";
  for (const auto& value : different_valid_values(v, schema, config, "/count", 10)) {
    EXPECT_NE(value, json::value(3));
    EXPECT_TRUE(value.as_int64() >= 1 && value.as_int64() <= 3);
  }
}

TEST(SchemaSamples, AMapOrListGainsAnEntryBuiltFromItsRequiredFields) {
  auto schema = parse(R"({"type": "object", "properties": {
      "limits": {"type": "object", "default": {}, "additionalProperties": {"type": "object",
          "required": ["rps"], "properties": {"rps": {"type": "number", "minimum": 5}, "burst": {"type": "integer"}}}},
      "routes": {"type": "array", "default": [], "items": {"type": "object", "required": ["path", "port"],
          "properties": {"path": {"type": "string", "minLength": 2}, "port": {"type": "integer", "exclusiveMinimum": 0}}}},
      "targets": {"type": "object", "default": {}, "examples": [{"users": {"address": "127.0.0.1:1"}}],
          "additionalProperties": {"type": "object", "required": ["address"]}}}})");
  auto v = compile(schema);
  auto config = effective(v);
  auto first = [&](const char* pointer) {
    auto values = different_valid_values(v, schema, config, pointer, 1);
    return values.empty() ? std::string("(none)") : json::serialize(values.front());
  };
  EXPECT_EQ(first("/limits"), R"({"hyperion-check":{"rps":5E0}})");
  EXPECT_EQ(first("/routes"), R"([{"path":"xx","port":1}])");
  EXPECT_EQ(first("/targets"), R"({"users":{"address":"127.0.0.1:1"}})") << "the schema's example first";
}

TEST(SchemaSamples, RefusedValuesExistOnlyWhereTheSchemaStatesAType) {
  auto schema = parse(R"({"type": "object", "properties": {
      "typed": {"type": "integer", "default": 1}, "anything": {"default": 1}}})");
  auto v = compile(schema);
  auto config = effective(v);
  auto refused = refused_value(v, config, "/typed");
  ASSERT_TRUE(refused.has_value());
  EXPECT_TRUE(refused->is_string());
  EXPECT_FALSE(refused_value(v, config, "/anything").has_value());
}

TEST(SchemaSamples, ValuesAreSetAndReadByPointer) {
  json::object config = parse(R"({"a": {"b": 1}, "c~d": 2})");
  EXPECT_EQ(json::serialize(with_value(config, "/a/b", 5)), R"({"a":{"b":5},"c~d":2})");
  EXPECT_EQ(json::serialize(with_value(config, "/x/y", true)), R"({"a":{"b":1},"c~d":2,"x":{"y":true}})");
  EXPECT_EQ(*value_at(config, "/c~0d"), json::value(2));
  EXPECT_EQ(value_at(config, "/a/zz"), nullptr);
  EXPECT_EQ(value_at(config, "/a/b/c"), nullptr);
}

}  // namespace
}  // namespace hyperion::check
