// The host's log lines use the level names the manifest and the CLI accept.
#include "logging/log_setup.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <vector>

namespace hyperion::logging {
namespace {

std::string logged(const std::string& format) {
  EXPECT_TRUE(configure("info", format).ok());
  ::testing::internal::CaptureStderr();
  host_logger()->warn("disk almost full");
  host_logger()->flush();
  std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(configure("info", "text").ok());
  return out;
}

TEST(LogSetup, WarnIsCalledWarnInTextAndJson) {
  std::string text = logged("text");
  EXPECT_NE(text.find(" warn  [hyperion] disk almost full"), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << text;
  std::string json = logged("json");
  EXPECT_NE(json.find(R"("level":"warn")"), std::string::npos) << json;
}

TEST(LogSetup, JsonLinesCarryTheFieldsLogShippersMapAndTheTraceIds) {
  EXPECT_TRUE(configure("info", "json").ok());
  ::testing::internal::CaptureStderr();
  host_logger()->info(
      "grpc call method=/hello.Greeter/SayHello code=OK trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
      "span_id=00f067aa0ba902b7 messages_in=1");
  host_logger()->info("no ids here: trace_id=short span_id=00f067aa0ba902b7");
  host_logger()->info("cut short: trace_id=4bf92f35");  // the value ends with the line
  host_logger()->flush();
  std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(configure("info", "text").ok());
  std::vector<boost::json::object> lines;
  for (size_t begin = 0, end = out.find('\n'); end != std::string::npos; begin = end + 1, end = out.find('\n', begin)) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(out.substr(begin, end - begin), ec);
    ASSERT_FALSE(ec) << out;
    lines.push_back(v.as_object());
  }
  ASSERT_EQ(lines.size(), 3u) << out;
  const boost::json::object& first = lines[0];
  const boost::json::object& second = lines[1];
  EXPECT_FALSE(lines[2].contains("trace_id")) << "cut short";
  const std::string time(first.at("time").as_string());
  EXPECT_EQ(time.size(), 24u) << time;  // 2026-11-30T10:35:51.560Z
  EXPECT_EQ(time.back(), 'Z') << "RFC 3339 with its zone";
  EXPECT_EQ(first.at("level").as_string(), "info");
  EXPECT_EQ(first.at("logger").as_string(), "hyperion");
  EXPECT_NE(std::string(first.at("msg").as_string()).find("SayHello"), std::string::npos);
  EXPECT_EQ(first.at("trace_id").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(first.at("span_id").as_string(), "00f067aa0ba902b7");
  EXPECT_FALSE(second.contains("trace_id")) << "not a trace id";
  EXPECT_FALSE(second.contains("span_id"));
}

TEST(LogSetup, UnknownLevelsAndFormatsAreRefused) {
  EXPECT_FALSE(configure("loud", "text").ok());
  EXPECT_FALSE(configure("info", "xml").ok());
}

}  // namespace
}  // namespace hyperion::logging
