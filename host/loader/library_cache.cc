#include "loader/library_cache.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "os/file_digest.h"

namespace hyperion::loader {

StatusOr<CachedLibrary> LibraryCache::store(const std::string& source) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return internal_error("loader: cannot create cache folder " + dir_ + ": " + ec.message());
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);

  static std::atomic<unsigned> counter{0};
  fs::path temp = fs::path(dir_) / (".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::copy_file(source, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) return internal_error("loader: cannot copy " + source + " into the cache: " + ec.message());
  auto digest = os::sha256_file(temp.string());
  if (!digest.ok()) {
    fs::remove(temp, ec);
    return digest.status().with_prefix("loader: cache");
  }
  fs::path dir = fs::path(dir_) / *digest;
  fs::path target = dir / fs::path(source).filename();
  fs::create_directories(dir, ec);
  if (fs::is_regular_file(target, ec)) {
    // Same name means same contents; keep the existing file (and its inode, which
    // may already be mapped).
    fs::remove(temp, ec);
    return CachedLibrary{target.string(), *digest};
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return internal_error("loader: cannot place " + target.string() + " in the cache: " + ec.message());
  }
  return CachedLibrary{target.string(), *digest};
}

}  // namespace hyperion::loader
