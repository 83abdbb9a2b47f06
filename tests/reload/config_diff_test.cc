#include "reload/config_diff.h"

#include "config/schema_path.h"

#include <gtest/gtest.h>

namespace hyperion::reload {
namespace {

boost::json::object obj(const char* json) { return boost::json::parse(json).as_object(); }

const char* kSchema = R"({
  "type": "object",
  "properties": {
    "port": {"type": "integer"},
    "level": {"type": "string", "x-dynamic": true},
    "limits": {"type": "object", "x-dynamic": true, "properties": {
        "rps": {"type": "integer"},
        "burst": {"type": "integer", "x-dynamic": false}}},
    "db": {"type": "object", "properties": {
        "user": {"type": "string", "x-dynamic": true},
        "password": {"type": "string", "x-dynamic": true, "x-secret": true}}},
    "tags": {"type": "array", "items": {"type": "string"}, "x-dynamic": true}
  }
})";

TEST(ConfigDiff, FieldByFieldWithDynamicAndStaticClassification) {
  auto changes = diff_config(obj(R"({"port": 1, "level": "info", "limits": {"rps": 5, "burst": 1}, "tags": ["a"]})"),
                             obj(R"({"port": 2, "level": "debug", "limits": {"rps": 6, "burst": 2}, "tags": ["a", "b"], "db": {"user": "u"}})"),
                             obj(kSchema), {});
  std::map<std::string, FieldChange> by_path;
  for (const auto& c : changes) by_path[c.path] = c;
  ASSERT_EQ(by_path.size(), 6u);
  EXPECT_FALSE(by_path["/port"].dynamic);
  EXPECT_TRUE(by_path["/level"].dynamic);
  EXPECT_TRUE(by_path["/limits/rps"].dynamic);     // inherited from the object
  EXPECT_FALSE(by_path["/limits/burst"].dynamic);  // explicit false wins
  EXPECT_TRUE(by_path["/tags"].dynamic);           // arrays compare as a whole
  EXPECT_EQ(by_path["/db"].op, FieldChange::Op::kAdd);
  EXPECT_EQ(by_path["/port"].op, FieldChange::Op::kReplace);
}

TEST(ConfigDiff, RemovedFields) {
  auto changes = diff_config(obj(R"({"level": "info"})"), obj("{}"), obj(kSchema), {});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].op, FieldChange::Op::kRemove);
  EXPECT_EQ(changes[0].path, "/level");
}

TEST(ConfigDiff, SecretsAreRedactedEverywhere) {
  auto changes = diff_config(obj(R"({"db": {"user": "u", "password": "old-secret"}})"),
                             obj(R"({"db": {"user": "v", "password": "new-secret"}, "level": "from-file"})"),
                             obj(kSchema), {"/level"});
  std::string text = boost::json::serialize(changes_to_json(changes));
  EXPECT_EQ(text.find("secret\""), text.find("secret\""));  // sanity
  EXPECT_EQ(text.find("old-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("new-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("from-file"), std::string::npos) << text;  // came from ${file:...}
  EXPECT_NE(text.find("\"new\":\"v\""), std::string::npos) << text;  // not everything is hidden
  EXPECT_NE(text.find("<redacted>"), std::string::npos);
}

TEST(ConfigDiff, SecretInsideAnAddedObjectIsRedacted) {
  auto changes = diff_config(obj("{}"), obj(R"({"db": {"user": "u", "password": "p4ss"}})"), obj(kSchema), {});
  ASSERT_EQ(changes.size(), 1u);
  std::string text = boost::json::serialize(changes_to_json(changes));
  EXPECT_EQ(text.find("p4ss"), std::string::npos) << text;
  EXPECT_NE(text.find("\"user\":\"u\""), std::string::npos) << text;
}

TEST(ConfigDiff, AbiDiffHasNoValues) {
  auto changes = diff_config(obj(R"({"db": {"password": "a"}})"), obj(R"({"db": {"password": "b"}})"), obj(kSchema), {});
  EXPECT_EQ(changes_to_abi_json(changes), R"([{"path":"/db/password","op":"replace"}])");
}

TEST(ConfigDiff, SchemaAt) {
  auto schema = obj(kSchema);
  ASSERT_NE(config::schema_at(schema, "/limits/rps"), nullptr);
  EXPECT_EQ(config::schema_at(schema, "/nope/x"), nullptr);
  EXPECT_NE(config::schema_at(schema, "/tags/3"), nullptr);
}

}  // namespace
}  // namespace hyperion::reload
