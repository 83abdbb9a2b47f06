// ABI growth within a major (hyperion/plugin.h, COMPATIBILITY RULE): a plugin
// built against a newer minor's larger structs loads into this host, and a 1.0
// plugin reads correctly through a newer host's larger structs. The next
// minor's layout is simulated by tests/abi/plugin_next_minor_sim.h.
#include <gtest/gtest.h>

#include <filesystem>

#include "abi/plugin_next_minor_sim.h"
#include "loader/abi_negotiation.h"
#include "loader/loader.h"
#include "loader/versioned_struct.h"
#include "os/shared_library.h"
#include "support/test_support.h"

namespace hyperion::loader {
namespace {

struct EntryPoint {
  os::SharedLibrary library;
  hyperion_plugin_entry_fn entry = nullptr;
  PluginMetadata metadata;
};

EntryPoint open_entry(const std::string& path) {
  auto lib = os::SharedLibrary::load(path);
  EXPECT_TRUE(lib.ok()) << lib.status().to_string();
  EntryPoint e{std::move(*lib), nullptr, {}};
  e.entry = reinterpret_cast<hyperion_plugin_entry_fn>(e.library.symbol(HYPERION_ENTRY_SYMBOL));
  auto md = read_plugin_metadata(path);
  EXPECT_TRUE(md.ok()) << md.status().to_string();
  e.metadata = *md;
  return e;
}

TEST(AbiGrowth, APluginBuiltAgainstALargerHeaderLoadsIntoThisHost) {
  EntryPoint future = open_entry(testing::test_plugin("abi_future"));
  ASSERT_NE(future.entry, nullptr);
  auto negotiated = negotiate_abi(future.entry, "abi_future", future.metadata, HYPERION_ABI_MINOR);
  ASSERT_TRUE(negotiated.ok()) << negotiated.status().to_string();
  EXPECT_EQ(negotiated->abi_minor, 0u) << "the plugin honours a 1.0 host";
  EXPECT_NE(negotiated->vtable.create, nullptr);
  EXPECT_NE(negotiated->vtable.destroy, nullptr);
  // The slot only the next minor knows is not read into this host's table: its
  // last slot (get_service) is the plugin's NULL, not its added_in_next.
  EXPECT_EQ(negotiated->vtable.get_service, nullptr);
  EXPECT_EQ(negotiated->vtable.struct_size, sizeof(hyperion_plugin_vtable_t));
  EXPECT_EQ(future.metadata.status, "alpha");

  // Offered the next minor (a simulated newer host), the same plugin says it uses it.
  auto offered_newer = negotiate_abi(future.entry, "abi_future", future.metadata, SIM_NEXT_MINOR);
  ASSERT_TRUE(offered_newer.ok()) << offered_newer.status().to_string();
  EXPECT_EQ(offered_newer->abi_minor, SIM_NEXT_MINOR);
}

TEST(AbiGrowth, ThroughTheLoaderItStartsLikeAnyPlugin) {
  testing::TempDir dir;
  Loader loader({std::filesystem::path(testing::test_plugin("abi_future")).parent_path().string()},
                dir.path() + "/cache");
  auto plugin = loader.load("abi_future", dir.path(), std::nullopt);
  ASSERT_TRUE(plugin.ok()) << plugin.status().to_string();
  hyperion_error_t err{};
  err.struct_size = sizeof err;
  hyperion_instance_t* instance = nullptr;
  // create without a host API: this plugin never touches it.
  ASSERT_EQ((*plugin)->vtable.create(nullptr, nullptr, hyperion_str_from_cstr("f"), hyperion_str_from_cstr("{}"),
                                     &instance, &err),
            HYPERION_OK);
  EXPECT_EQ((*plugin)->vtable.start(instance, 0, &err), HYPERION_OK);
  EXPECT_EQ((*plugin)->vtable.stop(instance, 0, &err), HYPERION_OK);
  (*plugin)->vtable.destroy(instance);
}

TEST(AbiGrowth, ANewerHostReadsA10PluginWithTheNewFieldsAbsent) {
  EntryPoint good = open_entry(testing::test_plugin("abi_good"));
  ASSERT_NE(good.entry, nullptr);
  const hyperion_plugin_t* d = good.entry(HYPERION_ABI_MAJOR, SIM_NEXT_MINOR);
  ASSERT_NE(d, nullptr);
  // Exactly what a newer host's negotiation does with its own larger structs.
  sim_plugin_next_t desc;
  std::memset(&desc, 0xAB, sizeof desc);  // garbage where 1.0 has nothing
  ASSERT_TRUE(read_versioned(desc, d, d->struct_size, HYPERION_PLUGIN_SIZE_1_0));
  EXPECT_EQ(desc.magic, HYPERION_PLUGIN_MAGIC);
  EXPECT_EQ(desc.abi_minor, 0u);
  EXPECT_EQ(desc.metadata_json, d->metadata_json);
  EXPECT_EQ(desc.added_in_next, nullptr) << "a field the plugin does not have reads as NULL";

  sim_plugin_vtable_next_t vtable;
  std::memset(&vtable, 0xAB, sizeof vtable);
  const auto* v10 = reinterpret_cast<const hyperion_plugin_vtable_t*>(desc.vtable);
  ASSERT_TRUE(read_versioned(vtable, v10, v10->struct_size, HYPERION_PLUGIN_VTABLE_REQUIRED_SIZE));
  EXPECT_EQ(reinterpret_cast<void*>(vtable.create), reinterpret_cast<void*>(v10->create));
  EXPECT_EQ(vtable.added_in_next, nullptr) << "a slot the plugin does not have reads as not supported";
}

TEST(AbiGrowth, SizesBelowThe10LayoutAreRefused) {
  hyperion_plugin_t small{};
  small.struct_size = HYPERION_PLUGIN_SIZE_1_0 - 1;
  hyperion_plugin_t out{};
  out.abi_minor = 7;
  EXPECT_FALSE(read_versioned(out, &small, small.struct_size, HYPERION_PLUGIN_SIZE_1_0));
  EXPECT_EQ(out.abi_minor, 7u) << "untouched on refusal";
  // The 1.0 sizes are what ABI 1.0 defined, whatever the header grows to.
  EXPECT_EQ(HYPERION_PLUGIN_SIZE_1_0, 32u);
  EXPECT_EQ(HYPERION_PLUGIN_VTABLE_SIZE_1_0, 96u);
  EXPECT_EQ(HYPERION_PLUGIN_VTABLE_REQUIRED_SIZE, 40u);
  EXPECT_EQ(HYPERION_HOST_API_SIZE_1_0, 136u);
}

TEST(AbiGrowth, TheSdkEntryPointHonoursTheHostsVersion) {
  const std::string hello = testing::example_plugin_dir() + "/hello.so";
  EntryPoint e = open_entry(hello);
  ASSERT_NE(e.entry, nullptr);
  EXPECT_NE(e.entry(HYPERION_ABI_MAJOR, HYPERION_ABI_MINOR), nullptr);
  EXPECT_NE(e.entry(HYPERION_ABI_MAJOR, HYPERION_ABI_MINOR + 5), nullptr) << "a newer minor host is served";
  EXPECT_EQ(e.entry(HYPERION_ABI_MAJOR + 1, 0), nullptr) << "another major is refused";
  EXPECT_EQ(e.entry(HYPERION_ABI_MAJOR - 1, 99), nullptr);
}

}  // namespace
}  // namespace hyperion::loader
