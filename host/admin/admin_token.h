// The admin API's bearer token: where it comes from and how it is compared.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "base/status.h"

namespace hyperion::admin {

// The token, from `token_file` when set, else $HYPERION_ADMIN_TOKEN, else
// <state_dir>/admin.token, which is created (256 random bits, mode 0600) when
// it does not exist. Surrounding whitespace is ignored; an empty token is an error.
StatusOr<std::string> load_or_create_token(const std::string& token_file, const std::string& state_dir);

// Compares in time that depends only on the lengths, not on where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace hyperion::admin
