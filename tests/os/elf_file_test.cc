#include "os/elf_file.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_support.h"

namespace hyperion::os {
namespace {

TEST(ElfFile, ReadsAPlugin) {
  auto elf = ElfFile::open(testing::test_plugin("abi_good"));
  ASSERT_TRUE(elf.ok()) << elf.status().to_string();
  auto meta = elf->section(".hyperion_meta");
  ASSERT_TRUE(meta.has_value());
  EXPECT_NE(meta->find("\"abi-good\""), std::string_view::npos);
  bool entry = false;
  for (const auto& s : elf->dynamic_symbols()) entry |= s.defined && s.name == "hyperion_plugin_entry";
  EXPECT_TRUE(entry);
  EXPECT_FALSE(elf->needed().empty());
}

TEST(ElfFile, MissingAndDirectory) {
  EXPECT_EQ(ElfFile::open("/nonexistent.so").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ElfFile::open("/tmp").status().code(), StatusCode::kInvalidArgument);
}

TEST(ElfFile, RejectsNonElfAndWrongType) {
  EXPECT_FALSE(ElfFile::parse("", "empty").ok());
  EXPECT_FALSE(ElfFile::parse("\x7f" "ELF", "short").ok());
  // A relocatable object (ET_REL) is ELF but not a shared object.
  std::string bytes = testing::read_file(testing::test_plugin("abi_good"));
  bytes[16] = 1;  // e_type = ET_REL
  bytes[17] = 0;
  auto r = ElfFile::parse(bytes, "rel");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a shared object"), std::string::npos);
}

// Random corruption of a real plugin: every result is a value or a clean error.
TEST(ElfFile, SurvivesCorruptionAndTruncation) {
  const std::string original = testing::read_file(testing::test_plugin("abi_good"));
  std::mt19937 rng(12345);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = original;
    if (round % 2 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      for (int i = 0; i < 16; ++i) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    auto r = ElfFile::parse(bytes, "corrupt");
    if (r.ok()) {
      (void)r->section(".hyperion_meta");
      (void)r->dynamic_symbols().size();
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace hyperion::os
