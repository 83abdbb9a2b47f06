// ElfFile: reads what the host needs from a plugin library without loading it —
// the metadata section, the dynamic symbol table and the DT_NEEDED list. Every
// offset is bounds-checked: a random file yields a clean error, never a crash.
// Thread-safety: an ElfFile is immutable after open(); share it freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hyperion::os {

struct ElfSymbol {
  std::string name;
  unsigned binding = 0;  // STB_* (STB_GNU_UNIQUE == 10)
  unsigned type = 0;     // STT_*
  bool defined = false;  // false: imported from another object
};

class ElfFile {
 public:
  // Reads and checks `path`: kNotFound when it does not exist, kInvalidArgument
  // when it is not a 64-bit little-endian ELF shared object.
  static StatusOr<ElfFile> open(const std::string& path);
  // Parses an in-memory image; `origin` names it in errors.
  static StatusOr<ElfFile> parse(std::string bytes, const std::string& origin);

  // The bytes of section `name`, or nullopt when there is no such section.
  [[nodiscard]] std::optional<std::string_view> section(std::string_view name) const;
  [[nodiscard]] const std::vector<ElfSymbol>& dynamic_symbols() const { return symbols_; }
  [[nodiscard]] const std::vector<std::string>& needed() const { return needed_; }
  [[nodiscard]] std::optional<std::string> soname() const { return soname_; }

 private:
  Status load_sections(const std::string& origin);
  Status load_dynamic(const std::string& origin);

  std::string bytes_;
  struct Section {
    std::string name;
    uint32_t type;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
  };
  std::vector<Section> sections_;
  std::vector<ElfSymbol> symbols_;
  std::vector<std::string> needed_;
  std::optional<std::string> soname_;
};

}  // namespace hyperion::os
