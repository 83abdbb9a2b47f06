// Reading a whole file into memory, the one way the host does it: only regular
// files (a path naming /dev/zero, a FIFO or a folder is an error, not a hang or
// a crash) and never more than a stated number of bytes (a huge file is an
// error, not an exhausted memory).
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"

namespace hyperion::os {

// Sizes the callers use; each says what the file is.
inline constexpr size_t kMaxManifestBytes = size_t{16} << 20;  // a manifest, however many instances
inline constexpr size_t kMaxSmallFileBytes = size_t{1} << 20;  // a secret, a token, a certificate
inline constexpr size_t kMaxLibraryBytes = size_t{1} << 30;    // a plugin library read as an ELF file

// The bytes of the regular file at `path`. Errors name the path:
//   kNotFound         "no such file: <path>"
//   kInvalidArgument  "<path> is a directory", "<path> is not a regular file",
//                     "<path> is larger than N bytes", "cannot read <path>: <why>"
StatusOr<std::string> read_file(const std::string& path, size_t max_bytes);

}  // namespace hyperion::os
