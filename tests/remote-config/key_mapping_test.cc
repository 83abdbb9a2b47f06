// Keys under a prefix -> a config layer (plugins/consul-config/key_mapping.h).
#include "key_mapping.h"

#include <gtest/gtest.h>

namespace hyperion::plugins::consul_config {
namespace {

namespace json = boost::json;

TEST(KeyMapping, ObjectsFieldsAndHostSettings) {
  MappedLayer m = map_keys("hyperion/shop", {{"hyperion/shop/settings", "log_level: info\nfeatures: {beta: true}\n"},
                                             {"hyperion/shop/settings/log_level", "debug"},
                                             {"hyperion/shop/settings/rate_limits/search", "50"},
                                             {"hyperion/shop/db", R"({"pool": 4, "name": "orders"})"},
                                             {"hyperion/shop/host/log_level", "warn"},
                                             {"hyperion/shop/", ""},
                                             {"hyperion/other/x", "1"}});
  ASSERT_TRUE(m.errors.empty()) << m.errors[0];
  EXPECT_EQ(m.layer, json::parse(R"({"instances": {
      "settings": {"log_level": "debug", "features": {"beta": true}, "rate_limits": {"search": 50}},
      "db": {"pool": 4, "name": "orders"}},
    "host": {"log_level": "warn"}})"));
}

TEST(KeyMapping, ValuesAreJsonElseText) {
  EXPECT_EQ(parse_value("5"), json::value(5));
  EXPECT_EQ(parse_value("true"), json::value(true));
  EXPECT_EQ(parse_value("null"), json::value(nullptr));
  EXPECT_EQ(parse_value("[1,2]"), json::parse("[1,2]"));
  EXPECT_EQ(parse_value("\"5\""), json::value("5"));
  EXPECT_EQ(parse_value("debug"), json::value("debug"));
  EXPECT_EQ(parse_value(""), json::value(""));
}

TEST(KeyMapping, NothingUnderThePrefixIsAnEmptyLayer) {
  MappedLayer m = map_keys("p/", {{"q/a", "1"}});
  EXPECT_TRUE(m.errors.empty());
  EXPECT_TRUE(m.layer.empty());
}

TEST(KeyMapping, KeysThatCannotBeMappedAreNamed) {
  MappedLayer m = map_keys(
      "p",
      {{"p/a", "[1, 2]"}, {"p/b//c", "1"}, {"p/host/state_dir", "/x"}, {"p/c", "key: [unclosed"}, {"p/ok/value", "1"}});
  ASSERT_EQ(m.errors.size(), 4u);
  EXPECT_NE(m.errors[0].find("key p/a: expected a YAML or JSON object"), std::string::npos) << m.errors[0];
  std::string all;
  for (const auto& e : m.errors) all += e + "\n";
  EXPECT_NE(all.find("key p/b//c: an empty path segment"), std::string::npos) << all;
  EXPECT_NE(all.find("key p/host/state_dir: under host/ only log_level and log_format"), std::string::npos) << all;
  EXPECT_NE(all.find("key p/c:"), std::string::npos) << all;
}

}  // namespace
}  // namespace hyperion::plugins::consul_config
