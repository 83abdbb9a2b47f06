// SecretScrubber and secrets::secret_values / redact: which values count as secrets and
// how they are removed from text.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "secrets/redaction.h"
#include "secrets/secret_fields.h"
#include "secrets/secret_scrubber.h"

namespace hyperion {
namespace {

TEST(SecretScrubber, ReplacesEveryOccurrenceLongestFirst) {
  secrets::SecretScrubber s;
  EXPECT_EQ(s.scrub("nothing known yet: hunter22"), "nothing known yet: hunter22");
  s.add({"hunter22", "hunter22-and-more"});
  EXPECT_EQ(s.scrub("a hunter22 b hunter22-and-more c"), "a <redacted> b <redacted> c");
  EXPECT_EQ(s.scrub("hunter22hunter22"), "<redacted><redacted>");
}

TEST(SecretScrubber, ShortValuesAreNotSecrets) {
  secrets::SecretScrubber s;
  s.add({"", "a", "abc"});
  EXPECT_FALSE(s.active());
  EXPECT_EQ(s.scrub("abc a"), "abc a");
}

TEST(SecretScrubber, FindsTheJsonEscapedFormInsideJsonText) {
  secrets::SecretScrubber s;
  const std::string secret = "pa\"ss\\word";
  s.add({secret});
  std::string json = boost::json::serialize(boost::json::object{{"password", secret}});
  EXPECT_EQ(s.scrub(json), R"({"password":"<redacted>"})");
  EXPECT_EQ(s.scrub("raw " + secret), "raw <redacted>");
}

// #25 point 10: a secret that is a common word ("healthy") was scrubbed out of
// the report's own "status", and every report became invalid (/readyz 503);
// a numeric secret came back unscrubbed as 1.234E3.
TEST(SecretScrubber, HealthReportsAreScrubbedAsValuesNeverInTheirStructure) {
  secrets::SecretScrubber s;
  s.add({"healthy", "1234"});
  std::string report =
      R"({"status":"healthy","message":"healthy and 1234","details":{"healthy":true,"pin":1234,"as_double":1.234E3,"pins":[1234,7],"text":"pin 1.234E3","other":5}})";
  EXPECT_TRUE(s.scrub_health_report(report));
  const boost::json::value v = boost::json::parse(report);
  EXPECT_EQ(v.at("status").as_string(), "healthy");  // structure untouched: still a valid report
  EXPECT_EQ(v.at("message").as_string(), "<redacted> and <redacted>");
  const auto& details = v.at("details").as_object();
  EXPECT_FALSE(details.contains("healthy"));
  EXPECT_TRUE(details.contains("<redacted>"));
  EXPECT_EQ(details.at("pin").as_string(), "<redacted>");
  EXPECT_EQ(details.at("as_double").as_string(), "<redacted>");
  EXPECT_EQ(details.at("pins").as_array()[0].as_string(), "<redacted>");
  EXPECT_EQ(details.at("pins").as_array()[1].as_int64(), 7);
  EXPECT_EQ(details.at("text").as_string(), "pin <redacted>");
  EXPECT_EQ(details.at("other").as_int64(), 5);
  // Text that is not a report is scrubbed as text.
  std::string broken = "not json: healthy";
  EXPECT_TRUE(s.scrub_health_report(broken));
  EXPECT_EQ(broken, "not json: <redacted>");
  // Numbers in plain text come back in the forms JSON writers use.
  EXPECT_EQ(s.scrub("port 1234, or 1.234E3"), "port <redacted>, or <redacted>");
}

TEST(SecretValues, WhatRedactWouldHide) {
  auto schema = boost::json::parse(R"({"properties": {
      "token": {"type": "string", "x-secret": true},
      "db": {"type": "object", "x-secret": true},
      "plain": {"type": "string"}}})")
                    .as_object();
  auto config = boost::json::parse(R"({"token": "tok-123", "db": {"user": "u1", "port": 5432},
      "plain": "visible", "from_file": "file-secret"})");
  auto values = secrets::secret_values(config, "", schema, {"/from_file"});
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values, (std::vector<std::string>{"5432", "file-secret", "tok-123", "u1"}));
}

TEST(Redact, SaysWhetherAnythingWasWithheld) {
  auto schema = boost::json::parse(R"({"properties": {"token": {"type": "string", "x-secret": true}}})").as_object();
  auto with_secret = secrets::redact(boost::json::parse(R"({"token": "tok-123", "plain": 1})"), "", schema, {});
  EXPECT_TRUE(with_secret.withheld);
  EXPECT_EQ(with_secret.value.at("token").as_string(), secrets::kRedactedMarker);
  EXPECT_EQ(with_secret.value.at("plain").as_int64(), 1);

  auto without = secrets::redact(boost::json::parse(R"({"plain": 1})"), "", schema, {});
  EXPECT_FALSE(without.withheld);
  // A value that merely reads like the marker is not a redaction.
  auto lookalike = secrets::redact(boost::json::parse(R"({"plain": "<redacted>"})"), "", schema, {});
  EXPECT_FALSE(lookalike.withheld);
  // A ${file:} value is secret wherever it sits, objects holding it included.
  auto from_file = secrets::redact(boost::json::parse(R"({"db": {"pw": "x1234"}})"), "", schema, {"/db/pw"});
  EXPECT_TRUE(from_file.withheld);
  EXPECT_EQ(from_file.value.at("db").at("pw").as_string(), secrets::kRedactedMarker);
}

}  // namespace
}  // namespace hyperion
