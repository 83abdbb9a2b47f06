#include "os/elf_file.h"

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <system_error>

#include "os/read_file.h"

namespace hyperion::os {
namespace {

// Copies a T out of `bytes` at `offset` if it fits.
template <typename T>
bool read_at(const std::string& bytes, uint64_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

// A NUL-terminated string inside [table_offset, table_offset + table_size).
std::optional<std::string> read_string(const std::string& bytes, uint64_t table_offset,
                                       uint64_t table_size, uint64_t index) {
  if (table_offset > bytes.size() || table_size > bytes.size() - table_offset) return std::nullopt;
  if (index >= table_size) return std::nullopt;
  const char* begin = bytes.data() + table_offset + index;
  const void* nul = std::memchr(begin, '\0', table_size - index);
  if (nul == nullptr) return std::nullopt;
  return std::string(begin, static_cast<const char*>(nul));
}

}  // namespace

StatusOr<ElfFile> ElfFile::open(const std::string& path) {
  auto bytes = read_file(path, kMaxLibraryBytes);
  if (!bytes.ok()) {
    if (bytes.status().message() == path + " is a directory") {
      return invalid_argument(path + " is a directory, not a shared object");
    }
    return bytes.status();
  }
  return parse(std::move(*bytes), path);
}

StatusOr<ElfFile> ElfFile::parse(std::string bytes, const std::string& origin) {
  ElfFile file;
  file.bytes_ = std::move(bytes);
  Elf64_Ehdr header;
  if (!read_at(file.bytes_, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return invalid_argument(origin + " is not a shared object (no ELF header)");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB) {
    return invalid_argument(origin + " is not a 64-bit little-endian ELF file");
  }
  if (header.e_type != ET_DYN) {
    return invalid_argument(origin + " is not a shared object (ELF type " +
                            std::to_string(header.e_type) + ", expected ET_DYN)");
  }
  HYPERION_RETURN_IF_ERROR(file.load_sections(origin));
  HYPERION_RETURN_IF_ERROR(file.load_dynamic(origin));
  return file;
}

Status ElfFile::load_sections(const std::string& origin) {
  Elf64_Ehdr header;
  read_at(bytes_, 0, &header);
  if (header.e_shoff == 0 || header.e_shnum == 0) return ok_status();  // stripped of sections
  if (header.e_shentsize != sizeof(Elf64_Shdr)) {
    return invalid_argument(origin + ": unexpected ELF section header size");
  }
  std::vector<Elf64_Shdr> raw(header.e_shnum);
  for (unsigned i = 0; i < header.e_shnum; ++i) {
    if (!read_at(bytes_, header.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), &raw[i])) {
      return invalid_argument(origin + ": truncated ELF section headers");
    }
  }
  if (header.e_shstrndx >= raw.size()) return invalid_argument(origin + ": bad section name table index");
  const Elf64_Shdr& names = raw[header.e_shstrndx];
  for (const Elf64_Shdr& s : raw) {
    auto name = read_string(bytes_, names.sh_offset, names.sh_size, s.sh_name);
    uint64_t size = s.sh_type == SHT_NOBITS ? 0 : s.sh_size;
    if (s.sh_type != SHT_NOBITS && (s.sh_offset > bytes_.size() || size > bytes_.size() - s.sh_offset)) {
      return invalid_argument(origin + ": section " + name.value_or("?") + " lies outside the file");
    }
    sections_.push_back({name.value_or(""), s.sh_type, s.sh_offset, size, s.sh_link});
  }
  return ok_status();
}

Status ElfFile::load_dynamic(const std::string& origin) {
  for (const Section& s : sections_) {
    if (s.type == SHT_DYNSYM) {
      if (s.link >= sections_.size()) return invalid_argument(origin + ": bad .dynsym string table link");
      const Section& strtab = sections_[s.link];
      for (uint64_t off = s.offset; off + sizeof(Elf64_Sym) <= s.offset + s.size; off += sizeof(Elf64_Sym)) {
        Elf64_Sym sym;
        if (!read_at(bytes_, off, &sym)) return invalid_argument(origin + ": truncated .dynsym");
        auto name = read_string(bytes_, strtab.offset, strtab.size, sym.st_name);
        if (!name) return invalid_argument(origin + ": bad symbol name offset");
        if (name->empty()) continue;
        symbols_.push_back({*name, static_cast<unsigned>(ELF64_ST_BIND(sym.st_info)),
                            static_cast<unsigned>(ELF64_ST_TYPE(sym.st_info)),
                            sym.st_shndx != SHN_UNDEF});
      }
    } else if (s.type == SHT_DYNAMIC) {
      if (s.link >= sections_.size()) return invalid_argument(origin + ": bad .dynamic string table link");
      const Section& strtab = sections_[s.link];
      for (uint64_t off = s.offset; off + sizeof(Elf64_Dyn) <= s.offset + s.size; off += sizeof(Elf64_Dyn)) {
        Elf64_Dyn dyn;
        if (!read_at(bytes_, off, &dyn)) return invalid_argument(origin + ": truncated .dynamic");
        if (dyn.d_tag == DT_NULL) break;
        if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME) {
          auto name = read_string(bytes_, strtab.offset, strtab.size, dyn.d_un.d_val);
          if (!name) return invalid_argument(origin + ": bad dynamic string offset");
          if (dyn.d_tag == DT_NEEDED) needed_.push_back(*name);
          else soname_ = *name;
        }
      }
    }
  }
  return ok_status();
}

std::optional<std::string_view> ElfFile::section(std::string_view name) const {
  for (const Section& s : sections_) {
    if (s.name == name) return std::string_view(bytes_).substr(s.offset, s.size);
  }
  return std::nullopt;
}

}  // namespace hyperion::os
