// The host's log lines use the level names the manifest and the CLI accept.
#include "logging/log_setup.h"

#include <gtest/gtest.h>

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

TEST(LogSetup, UnknownLevelsAndFormatsAreRefused) {
  EXPECT_FALSE(configure("loud", "text").ok());
  EXPECT_FALSE(configure("info", "xml").ok());
}

}  // namespace
}  // namespace hyperion::logging
