// Fuzz target: what the host reads from a plugin file before it loads it. The
// input is the file: the ELF reader (sections, dynamic symbols, DT_NEEDED,
// soname) and the metadata section's JSON document. A random "plugin" must give
// a clean error naming the file, never a crash, a hang or an out-of-bounds read.
// The same bytes also go straight to the metadata parser, so JSON-shaped inputs
// reach it without having to grow an ELF around them.
#include <cstdint>
#include <string>
#include <string_view>

#include "loader/plugin_metadata.h"
#include "os/elf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto elf = hyperion::os::ElfFile::parse(bytes, "fuzz.so");
  if (elf.ok()) {
    for (const auto& symbol : elf->dynamic_symbols()) (void)symbol;
    (void)elf->needed();
    (void)elf->soname();
    auto metadata = hyperion::loader::read_plugin_metadata(*elf, "fuzz.so");
    if (!metadata.ok()) (void)metadata.status().to_string();
  }
  auto metadata = hyperion::loader::parse_plugin_metadata(bytes, "fuzz.json");
  if (metadata.ok()) {
    // What the dependency graph does with them.
    for (const auto& provided : metadata->provides) {
      for (const auto& required : metadata->requires_) (void)hyperion::loader::satisfies(provided, required.api);
    }
  }
  return 0;
}
