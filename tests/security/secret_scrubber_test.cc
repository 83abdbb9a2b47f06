// SecretScrubber and reload::secret_values: which values count as secrets and
// how they are removed from text.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hostapi/secret_scrubber.h"
#include "reload/config_diff.h"

namespace hyperion {
namespace {

TEST(SecretScrubber, ReplacesEveryOccurrenceLongestFirst) {
  hostapi::SecretScrubber s;
  EXPECT_EQ(s.scrub("nothing known yet: hunter22"), "nothing known yet: hunter22");
  s.add({"hunter22", "hunter22-and-more"});
  EXPECT_EQ(s.scrub("a hunter22 b hunter22-and-more c"), "a <redacted> b <redacted> c");
  EXPECT_EQ(s.scrub("hunter22hunter22"), "<redacted><redacted>");
}

TEST(SecretScrubber, ShortValuesAreNotSecrets) {
  hostapi::SecretScrubber s;
  s.add({"", "a", "abc"});
  EXPECT_FALSE(s.active());
  EXPECT_EQ(s.scrub("abc a"), "abc a");
}

TEST(SecretScrubber, FindsTheJsonEscapedFormInsideJsonText) {
  hostapi::SecretScrubber s;
  const std::string secret = "pa\"ss\\word";
  s.add({secret});
  std::string json = boost::json::serialize(boost::json::object{{"password", secret}});
  EXPECT_EQ(s.scrub(json), R"({"password":"<redacted>"})");
  EXPECT_EQ(s.scrub("raw " + secret), "raw <redacted>");
}

TEST(SecretValues, WhatRedactWouldHide) {
  auto schema = boost::json::parse(R"({"properties": {
      "token": {"type": "string", "x-secret": true},
      "db": {"type": "object", "x-secret": true},
      "plain": {"type": "string"}}})")
                    .as_object();
  auto config = boost::json::parse(R"({"token": "tok-123", "db": {"user": "u1", "port": 5432},
      "plain": "visible", "from_file": "file-secret"})");
  auto values = reload::secret_values(config, "", schema, {"/from_file"});
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values, (std::vector<std::string>{"5432", "file-secret", "tok-123", "u1"}));
}

}  // namespace
}  // namespace hyperion
