#include "loader/loader.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "loader/abi_negotiation.h"
#include "os/elf_file.h"
#include "os/file_digest.h"
#include "os/file_permissions.h"
#include "os/read_file.h"

namespace hyperion::loader {
namespace {

Status check_permissions(const std::string& path, bool allow_world_writable) {
  if (allow_world_writable) return ok_status();
  if (auto why = os::world_writable(path)) {
    return failed_precondition("loader: " + *why +
                               ": anyone on this machine could replace the code the host runs; remove the write "
                               "permission (chmod o-w), or set allow_world_writable: true on the instance");
  }
  return ok_status();
}

// Device, inode, size, mtime and ctime: "" when the file cannot be stat'ed.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
}

// The checks of a library's bytes that need no loading: the sha256 pin, the
// ELF, the entry symbol, the metadata. `source` names the file in messages.
StatusOr<PluginMetadata> check_contents(std::string contents, const std::string& sha256, const std::string& source,
                                        const std::optional<std::string>& sha256_pin) {
  if (sha256_pin && *sha256_pin != sha256) {
    return invalid_argument("loader: " + source + ": sha256 mismatch: the manifest pins " + *sha256_pin +
                            ", the file is " + sha256);
  }
  auto elf = os::ElfFile::parse(std::move(contents), source);
  if (!elf.ok()) return elf.status().with_prefix("loader");
  bool has_entry = std::any_of(elf->dynamic_symbols().begin(), elf->dynamic_symbols().end(),
                               [](const os::ElfSymbol& s) { return s.defined && s.name == HYPERION_ENTRY_SYMBOL; });
  if (!has_entry) {
    return invalid_argument("loader: " + source +
                            " does not export the entry symbol " HYPERION_ENTRY_SYMBOL
                            " (is it a Hyperion plugin? did the export macro get hidden?)");
  }
  return read_plugin_metadata(*elf, source);
}

}  // namespace

Loader::Loader(std::vector<std::string> search_path, std::string cache_dir)
    : resolver_(std::move(search_path)), cache_(std::move(cache_dir)) {}

StatusOr<Loader::Inspected> Loader::inspect(const std::string& library, const std::string& base_dir,
                                            const std::optional<std::string>& sha256_pin,
                                            bool allow_world_writable) const {
  auto path = resolver_.resolve(library, base_dir);
  if (!path.ok()) return path.status();
  HYPERION_RETURN_IF_ERROR(check_permissions(*path, allow_world_writable));
  auto contents = os::read_file(*path, os::kMaxLibraryBytes);
  if (!contents.ok()) return contents.status().with_prefix("loader");
  std::string sha256 = os::sha256_hex(*contents);
  auto metadata = check_contents(std::move(*contents), sha256, *path, sha256_pin);
  if (!metadata.ok()) return metadata.status();
  return Inspected{*path, std::move(sha256), std::move(*metadata)};
}

StatusOr<std::shared_ptr<LoadedPlugin>> Loader::load(const std::string& library, const std::string& base_dir,
                                                     const std::optional<std::string>& sha256_pin,
                                                     bool allow_world_writable) {
  auto source = resolver_.resolve(library, base_dir);
  if (!source.ok()) return source.status();
  HYPERION_RETURN_IF_ERROR(check_permissions(*source, allow_world_writable));
  const std::string identity = file_identity(*source);
  if (!identity.empty()) {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(*source); it != known_.end() && it->second.identity == identity) {
      if (auto existing = it->second.plugin.lock(); existing && (!sha256_pin || *sha256_pin == existing->sha256)) {
        return existing;
      }
    }
  }
  // Copy first and check the copy: what is verified is exactly what is loaded.
  auto cached = cache_.store(*source);
  if (!cached.ok()) return cached.status();
  auto metadata = check_contents(std::move(cached->contents), cached->sha256, *source, sha256_pin);
  if (!metadata.ok()) return metadata.status();

  std::lock_guard lock(mu_);
  if (auto it = loaded_.find(cached->path); it != loaded_.end()) {
    if (auto existing = it->second.lock()) {
      known_[*source] = {identity, existing};
      return existing;
    }
  }
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->source_path = *source;
  plugin->cached_path = cached->path;
  plugin->sha256 = cached->sha256;
  plugin->metadata = std::move(*metadata);
  auto library_or = os::SharedLibrary::load(cached->path);
  if (!library_or.ok()) {
    return library_or.status().with_prefix("loader: " + *source + " cannot be loaded");
  }
  plugin->library = std::move(*library_or);
  auto entry = reinterpret_cast<hyperion_plugin_entry_fn>(plugin->library.symbol(HYPERION_ENTRY_SYMBOL));
  if (entry == nullptr) {
    return invalid_argument("loader: " + *source + ": dlsym(" HYPERION_ENTRY_SYMBOL ") found nothing");
  }
  auto negotiated = negotiate_abi(entry, *source, plugin->metadata);
  if (!negotiated.ok()) return negotiated.status();
  plugin->abi_minor = negotiated->abi_minor;
  plugin->vtable = negotiated->vtable;
  loaded_[cached->path] = plugin;
  known_[*source] = {identity, plugin};
  return plugin;
}

size_t Loader::prune_cache() {
  std::set<std::string> keep;
  {
    std::lock_guard lock(mu_);
    for (auto it = loaded_.begin(); it != loaded_.end();) {
      if (auto plugin = it->second.lock()) {
        keep.insert(plugin->sha256);
        ++it;
      } else if (os::SharedLibrary::is_loaded(it->first)) {
        // Unreferenced but still mapped (pinned): its file must stay.
        keep.insert(std::filesystem::path(it->first).parent_path().filename().string());
        ++it;
      } else {
        it = loaded_.erase(it);
      }
    }
  }
  return cache_.prune(keep);
}

}  // namespace hyperion::loader
