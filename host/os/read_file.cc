#include "os/read_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace hyperion::os {

StatusOr<std::string> read_file(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory)
      return invalid_argument("cannot read " + path + ": " + ec.message());
    return not_found("no such file: " + path);
  }
  if (std::filesystem::is_directory(status)) return invalid_argument(path + " is a directory");
  if (!std::filesystem::is_regular_file(status)) return invalid_argument(path + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument("cannot read " + path + ": " + std::strerror(errno));
  std::string bytes;
  // The size on disk is a hint (the file may change under us); the loop is the bound.
  if (auto size = std::filesystem::file_size(path, ec); !ec && size <= max_bytes) bytes.reserve(size);
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<size_t>(in.gcount()));
    if (bytes.size() > max_bytes) {
      return invalid_argument(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return invalid_argument("cannot read " + path + ": " + std::strerror(errno));
  return bytes;
}

}  // namespace hyperion::os
