// os::read_file: whole regular files only, bounded, every error naming the path.
#include "os/read_file.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace hyperion::os {
namespace {

TEST(ReadFile, ReadsARegularFileWhole) {
  testing::TempDir dir;
  std::string bytes(70000, 'x');
  bytes[12345] = '\0';  // binary content survives
  const std::string path = dir.write("data.bin", bytes);
  auto read = read_file(path, bytes.size());
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(*read, bytes);
}

TEST(ReadFile, RefusesWhatIsNotABoundedRegularFile) {
  testing::TempDir dir;
  auto missing = read_file(dir.path() + "/nope", 10);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no such file: " + dir.path() + "/nope");

  auto folder = read_file(dir.path(), 10);
  EXPECT_EQ(folder.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(folder.status().message(), dir.path() + " is a directory");

  auto device = read_file("/dev/zero", 10);  // would never end
  EXPECT_EQ(device.status().message(), "/dev/zero is not a regular file");

  const std::string big = dir.write("big", std::string(11, 'b'));
  auto too_big = read_file(big, 10);
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_big.status().message(), big + " is larger than 10 bytes");
  EXPECT_TRUE(read_file(big, 11).ok());
}

}  // namespace
}  // namespace hyperion::os
