// The admin API's bearer token: where it comes from and how it is compared.
// Thread-safety: stateless functions.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"

namespace hyperion::admin {

// The token, from `token_file` when set, else $HYPERION_ADMIN_TOKEN, else the
// file $HYPERION_ADMIN_TOKEN_FILE names, else <state_dir>/admin.token, which is created (256 random bits, mode 0600)
// when it does not exist. Surrounding whitespace is ignored. A token shorter than `min_bytes` or holding a control
// character is an error naming its source (a whitespace-only one would otherwise let anyone in). A token file must be
// the host user's own and private (mode 0600 or stricter); a symlink is
// followed only into the state folder.
StatusOr<std::string> load_or_create_token(const std::string& token_file, const std::string& state_dir,
                                           size_t min_bytes = 32);

// The token of an "Authorization" header value: "Bearer <token>", the scheme in
// any case (RFC 9110); nullopt for another scheme or a token with a control character.
std::optional<std::string> bearer_token(const std::string& header_value);

// `bytes` random bytes from the kernel (getrandom), as lower-case hex.
StatusOr<std::string> random_hex(size_t bytes);

// Compares in time that depends only on the lengths, not on where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace hyperion::admin
