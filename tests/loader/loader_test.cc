// Every loader error is distinct and says what is wrong with which file.
#include "loader/loader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "loader/abi_negotiation.h"
#include "os/file_digest.h"
#include "os/shared_library.h"
#include "support/test_support.h"

namespace hyperion::loader {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  StatusOr<std::shared_ptr<LoadedPlugin>> load(const std::string& library,
                                               const std::optional<std::string>& pin = std::nullopt) {
    return loader_.load(library, dir_.path(), pin);
  }
  void expect_error(const std::string& library, StatusCode code, const std::string& text) {
    auto r = load(library);
    ASSERT_FALSE(r.ok()) << library << " loaded but should not have";
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
  }

  testing::TempDir dir_;
  Loader loader_{{std::filesystem::path(testing::test_plugin("abi_good")).parent_path().string()},
                 dir_.path() + "/cache"};
};

TEST_F(LoaderTest, LoadsAGoodPluginByNameAndNegotiates) {
  auto p = load("abi_good");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ((*p)->metadata.name, "abi-good");
  EXPECT_EQ((*p)->abi_minor, 0u);
  EXPECT_NE((*p)->vtable.create, nullptr);
  EXPECT_EQ((*p)->vtable.health, nullptr);
  // Loaded from the content-addressed copy, not from the build folder.
  EXPECT_NE((*p)->cached_path.find(dir_.path() + "/cache/" + (*p)->sha256 + "/abi_good.so"), std::string::npos);
  EXPECT_TRUE(os::SharedLibrary::is_loaded((*p)->cached_path));
}

TEST_F(LoaderTest, SameContentsShareOneLibraryAndUnloadWithTheLastReference) {
  auto a = load("abi_good");
  auto b = load(testing::test_plugin("abi_good"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  std::string path = (*a)->cached_path;
  *a = nullptr;
  EXPECT_TRUE(os::SharedLibrary::is_loaded(path));
  *b = nullptr;
  EXPECT_FALSE(os::SharedLibrary::is_loaded(path));
}

TEST_F(LoaderTest, FileMissing) {
  expect_error("no_such_plugin", StatusCode::kNotFound, "library \"no_such_plugin\" not found; looked for:");
  expect_error("./no/such.so", StatusCode::kNotFound, "does not exist");
}

TEST_F(LoaderTest, NotASharedObject) {
  dir_.write("text.so", "this is not ELF at all");
  expect_error("./text.so", StatusCode::kInvalidArgument, "is not a shared object (no ELF header)");
}

TEST_F(LoaderTest, NoMetadataSection) {
  expect_error("abi_no_metadata", StatusCode::kInvalidArgument, "has no .hyperion_meta section");
}

TEST_F(LoaderTest, SharedObjectThatIsNoPlugin) {
  // The hyperion binary is a PIE: an ELF shared object, but not a plugin.
  auto r = load(testing::hyperion_binary());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not export the entry symbol"), std::string::npos) << r.status().message();
}

TEST_F(LoaderTest, NoEntrySymbol) {
  expect_error("abi_no_entry", StatusCode::kInvalidArgument, "does not export the entry symbol hyperion_plugin_entry");
}

TEST_F(LoaderTest, UnresolvedSymbol) {
  expect_error("abi_unresolved", StatusCode::kInvalidArgument, "undefined symbol: hyperion_test_symbol_that_does_not_exist");
}

TEST_F(LoaderTest, BadMagic) { expect_error("abi_bad_magic", StatusCode::kInvalidArgument, "bad descriptor magic 0xdeadbeef"); }

TEST_F(LoaderTest, AbiMajorMismatch) {
  expect_error("abi_bad_major", StatusCode::kFailedPrecondition, "ABI major mismatch: the plugin was built for ABI 2.0");
}

TEST_F(LoaderTest, PluginNeedsNewerMinor) {
  expect_error("abi_newer_minor", StatusCode::kFailedPrecondition,
               "the plugin needs ABI 1.99, this host speaks up to 1.2");
}

TEST_F(LoaderTest, PluginRefusesHost) {
  expect_error("abi_refuses", StatusCode::kFailedPrecondition, "the plugin refused a host speaking ABI 1.2");
}

TEST_F(LoaderTest, VtableTooSmall) { expect_error("abi_small_vtable", StatusCode::kInvalidArgument, "vtable struct_size 8"); }

TEST_F(LoaderTest, DeclaredCapabilityNotImplemented) {
  expect_error("abi_capability", StatusCode::kInvalidArgument, "declares capability \"health\" but does not implement health");
}

TEST_F(LoaderTest, MetadataMismatch) {
  expect_error("abi_meta_mismatch", StatusCode::kInvalidArgument, "metadata_json differs from the .hyperion_meta section");
}

TEST_F(LoaderTest, Sha256Pin) {
  auto digest = os::sha256_file(testing::test_plugin("abi_good"));
  ASSERT_TRUE(digest.ok());
  EXPECT_TRUE(load("abi_good", *digest).ok());
  std::string wrong(64, '0');
  auto r = load("abi_good", wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sha256 mismatch: the manifest pins " + wrong + ", the file is " + *digest),
            std::string::npos)
      << r.status().message();
}

TEST_F(LoaderTest, LibrariesAnyoneCouldReplaceAreRefusedUnlessAllowed) {
  namespace fs = std::filesystem;
  const fs::path safe_dir = fs::path(dir_.path()) / "safe";
  const fs::path open_dir = fs::path(dir_.path()) / "open";
  fs::create_directories(safe_dir);
  fs::create_directories(open_dir);
  fs::copy_file(testing::test_plugin("abi_good"), safe_dir / "abi_good.so");
  fs::copy_file(testing::test_plugin("abi_good"), open_dir / "abi_good.so");
  fs::permissions(safe_dir / "abi_good.so", fs::perms::others_write, fs::perm_options::add);
  fs::permissions(open_dir, fs::perms::others_write | fs::perms::sticky_bit, fs::perm_options::add);

  auto writable_file = loader_.load((safe_dir / "abi_good.so").string(), dir_.path(), std::nullopt);
  ASSERT_FALSE(writable_file.ok());
  EXPECT_EQ(writable_file.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(writable_file.status().message().find((safe_dir / "abi_good.so").string() + " is world-writable"),
            std::string::npos)
      << writable_file.status().message();
  EXPECT_NE(writable_file.status().message().find("allow_world_writable: true"), std::string::npos);

  // A world-writable folder counts, sticky bit or not (as /tmp).
  auto writable_dir = loader_.load((open_dir / "abi_good.so").string(), dir_.path(), std::nullopt);
  ASSERT_FALSE(writable_dir.ok());
  EXPECT_NE(writable_dir.status().message().find("is in a world-writable folder (" + open_dir.string() + ")"),
            std::string::npos)
      << writable_dir.status().message();
  auto inspected = loader_.inspect((open_dir / "abi_good.so").string(), dir_.path());
  ASSERT_FALSE(inspected.ok());  // hyperion validate says so too

  // The manifest can allow it explicitly.
  EXPECT_TRUE(loader_.load((open_dir / "abi_good.so").string(), dir_.path(), std::nullopt, true).ok());
  EXPECT_TRUE(loader_.inspect((safe_dir / "abi_good.so").string(), dir_.path(), std::nullopt, true).ok());
}

TEST_F(LoaderTest, RebuiltLibraryGetsANewPath) {
  // Two different files under the same name get different cached copies, so the
  // second is really loaded rather than confused with the first.
  std::string a = dir_.write("v/plugin.so", testing::read_file(testing::test_plugin("abi_good")));
  auto first = load("./v/plugin.so");
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  dir_.write("v/plugin.so", testing::read_file(testing::test_plugin("behave_plain")));
  auto second = load("./v/plugin.so");
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_NE((*first)->cached_path, (*second)->cached_path);
  EXPECT_EQ((*second)->metadata.name, "behave-plain");
}

TEST_F(LoaderTest, AnUnchangedFileIsNotReadAgainButPinsStillHold) {
  std::string path = dir_.write("u/plugin.so", testing::read_file(testing::test_plugin("abi_good")));
  auto first = load("./u/plugin.so");
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  auto again = load("./u/plugin.so");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  // A pin the loaded file does not match is refused on the short path too.
  auto pinned = load("./u/plugin.so", std::string(64, 'a'));
  ASSERT_FALSE(pinned.ok());
  EXPECT_NE(pinned.status().message().find("sha256 mismatch"), std::string::npos) << pinned.status().message();
  EXPECT_TRUE(load("./u/plugin.so", (*first)->sha256).ok());
  // Written again with the same bytes: a new identity, the same contents, the same plugin.
  dir_.write("u/plugin.so", testing::read_file(testing::test_plugin("abi_good")));
  auto rewritten = load("./u/plugin.so");
  ASSERT_TRUE(rewritten.ok());
  EXPECT_EQ(first->get(), rewritten->get());
}

// A host that only speaks 1.0 loads a plugin built for 1.0; negotiation is
// checked directly for the minor rule too.
TEST(AbiNegotiation, OlderHostMinorIsRefusedByMinor) {
  auto lib = os::SharedLibrary::load(testing::test_plugin("abi_good"));
  ASSERT_TRUE(lib.ok());
  auto entry = reinterpret_cast<hyperion_plugin_entry_fn>(lib->symbol(HYPERION_ENTRY_SYMBOL));
  auto md = read_plugin_metadata(testing::test_plugin("abi_good"));
  ASSERT_TRUE(md.ok());
  EXPECT_TRUE(negotiate_abi(entry, "abi_good", *md, 0).ok());
}

}  // namespace
}  // namespace hyperion::loader
