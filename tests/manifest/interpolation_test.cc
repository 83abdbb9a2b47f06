#include "manifest/interpolation.h"

#include <gtest/gtest.h>

#include <map>

#include "support/test_support.h"

namespace hyperion::manifest {
namespace {

InterpolationEnv fake_env(std::map<std::string, std::string> vars, std::string dir = "") {
  return {[vars](const std::string& name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
          },
          std::move(dir)};
}

TEST(Interpolation, ReplacesVariables) {
  auto r = interpolate("host-${HOST}:${PORT}", fake_env({{"HOST", "a"}, {"PORT", "80"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->value, "host-a:80");
  EXPECT_TRUE(r->changed);
  EXPECT_FALSE(r->secret);
}

TEST(Interpolation, DefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolate("${X:-dflt}", fake_env({}))->value, "dflt");
  EXPECT_EQ(interpolate("${X:-dflt}", fake_env({{"X", ""}}))->value, "dflt");
  EXPECT_EQ(interpolate("${X:-dflt}", fake_env({{"X", "set"}}))->value, "set");
  EXPECT_EQ(interpolate("${X:-}", fake_env({}))->value, "");
}

TEST(Interpolation, UnsetVariableWithoutDefaultIsAnError) {
  auto r = interpolate("${MISSING_VAR}", fake_env({}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("MISSING_VAR is not set"), std::string::npos);
}

TEST(Interpolation, SyntaxErrors) {
  EXPECT_FALSE(interpolate("${UNTERMINATED", fake_env({})).ok());
  EXPECT_FALSE(interpolate("${1BAD}", fake_env({})).ok());
  EXPECT_FALSE(interpolate("${}", fake_env({})).ok());
  EXPECT_FALSE(interpolate("${A:bad}", fake_env({{"A", "x"}})).ok());
}

TEST(Interpolation, EscapedDollarBrace) {
  auto r = interpolate("cost $${literal} and $5", fake_env({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, "cost ${literal} and $5");
}

TEST(Interpolation, DottedReferencesAreLeftForPlugins) {
  // The api-gateway's "${part.field}": no environment variable has a dot.
  auto r = interpolate("${order.user_id} and ${a.b.c} for ${USER}", fake_env({{"USER", "ada"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->value, "${order.user_id} and ${a.b.c} for ada");
  EXPECT_FALSE(interpolate("${a..b}", fake_env({})).ok());
  EXPECT_FALSE(interpolate("${a.}", fake_env({})).ok());
  EXPECT_FALSE(interpolate("${a.b-c}", fake_env({})).ok());
}

TEST(Interpolation, FileReferenceReadsSecretRelativeToBase) {
  testing::TempDir dir;
  dir.write("secrets/db", "s3cret\n");
  auto r = interpolate("${file:secrets/db}", fake_env({}, dir.path()));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->value, "s3cret");  // trailing newline dropped
  EXPECT_TRUE(r->secret);
}

TEST(Interpolation, MissingFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  auto r = interpolate("${file:nope.txt}", fake_env({}, dir.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nope.txt"), std::string::npos);
}

TEST(Interpolation, OnlyRegularFilesOfBoundedSizeAreRead) {
  // A device or a folder would hang or fail oddly; a huge file would fill memory.
  testing::TempDir dir;
  auto device = interpolate("${file:/dev/zero}", fake_env({}, dir.path()));
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.status().message().find("/dev/zero is not a regular file"), std::string::npos)
      << device.status().message();
  auto folder = interpolate("${file:.}", fake_env({}, dir.path()));
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("is a directory"), std::string::npos);

  dir.write("big", std::string((1 << 20) + 1, 'x'));
  auto big = interpolate("${file:big}", fake_env({}, dir.path()));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("larger than 1048576 bytes"), std::string::npos) << big.status().message();
  dir.write("just-fits", std::string(1 << 20, 'x'));
  auto fits = interpolate("${file:just-fits}", fake_env({}, dir.path()));
  ASSERT_TRUE(fits.ok()) << fits.status().to_string();
  EXPECT_EQ(fits->value.size(), size_t{1} << 20);
}

}  // namespace
}  // namespace hyperion::manifest
