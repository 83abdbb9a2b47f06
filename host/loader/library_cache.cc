#include "loader/library_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "os/file_digest.h"

namespace hyperion::loader {
namespace {

// One open, one fstat, one read: plugins are read on every start.
Status read_file(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kInvalidArgument,
                  "cannot read " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return invalid_argument("cannot stat " + path + ": " + std::strerror(err));
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shrank while reading: keep what is there
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(done);
  return ok_status();
}

Status write_file(const std::filesystem::path& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0500);
  if (fd < 0) return internal_error("cannot create " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return internal_error("cannot write " + path.string() + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return internal_error("cannot write " + path.string() + ": " + std::strerror(errno));
  return ok_status();
}

}  // namespace

StatusOr<CachedLibrary> LibraryCache::store(const std::string& source) const {
  namespace fs = std::filesystem;
  // Read once: the bytes that are hashed are the bytes that are written and
  // loaded, whatever happens to the source file meanwhile.
  CachedLibrary out;
  Status read = read_file(source, &out.contents);
  if (!read.ok()) return read.with_prefix("loader");
  out.sha256 = os::sha256_hex(out.contents);

  std::error_code ec;
  fs::path dir = fs::path(dir_) / out.sha256;
  fs::path target = dir / fs::path(source).filename();
  out.path = target.string();
  // Same name means same contents: keep the existing file (and its inode,
  // which may already be mapped).
  if (fs::is_regular_file(target, ec)) return out;

  fs::create_directories(dir, ec);
  if (ec) return internal_error("loader: cannot create cache folder " + dir.string() + ": " + ec.message());
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  static std::atomic<unsigned> counter{0};
  fs::path temp = dir / (".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  Status written = write_file(temp, out.contents);
  if (!written.ok()) {
    fs::remove(temp, ec);
    return written.with_prefix("loader: cache");
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return internal_error("loader: cannot place " + target.string() + " in the cache: " + ec.message());
  }
  return out;
}

size_t LibraryCache::prune(const std::set<std::string>& keep) const {
  std::error_code ec;
  size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string sha = entry.path().filename().string();
    if (sha.size() != 64 || keep.count(sha) != 0) continue;  // not ours, or in use
    std::error_code remove_ec;
    if (std::filesystem::remove_all(entry.path(), remove_ec) > 0 && !remove_ec) ++removed;
  }
  return removed;
}

}  // namespace hyperion::loader
