// TokenRegistry: who may call the admin API and what each may do. Two kinds of
// token: the host's own (host.admin.token_file, $HYPERION_ADMIN_TOKEN or
// <state_dir>/admin.token; whoever can read the state folder holds it, the CLI
// among them), which is named "host" and has the admin role; and the named
// tokens of host.admin.tokens_file, a YAML file listing each token's name, role
// and the SHA-256 of the token (never the token itself):
//
//   tokens:
//     - {name: alice, role: operator, sha256: 9f86d081884c7d65...}
//
// Roles, each including the one before: viewer (every GET and the event
// stream), operator (reload, rollback, swap), admin (token management).
// The file is read at start (an invalid one refuses to start, naming its line
// and field) and again whenever it changes on disk (an invalid edit keeps the
// tokens in force and is logged; a removed file accepts no named token). POST/DELETE /v1/tokens rewrite it atomically.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace hyperion::admin {

enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };
const char* role_name(Role role);
std::optional<Role> parse_role(std::string_view text);

struct Identity {
  std::string name;
  Role role = Role::kViewer;
  bool host_token = false;  // the host's own token (not from tokens_file)
};

struct NamedToken {
  std::string name;
  Role role = Role::kViewer;
  std::string sha256;  // of the token, 64 lower-case hex digits
};

// Parses a tokens file's text (named `file` in errors: "file:line: tokens[2].role: ...").
StatusOr<std::vector<NamedToken>> parse_tokens_file(const std::string& text, const std::string& file);
// The file's text for `tokens` (what parse_tokens_file reads back).
std::string render_tokens_file(const std::vector<NamedToken>& tokens);
// A token name: 1 to 64 of A-Z a-z 0-9 . _ @ -, not "host" (the host's own).
Status check_token_name(const std::string& name);

class TokenRegistry {
 public:
  // `tokens_file` empty: only the host's token. An unreadable or invalid file,
  // or one others may write, is an error.
  static StatusOr<std::unique_ptr<TokenRegistry>> open(std::string host_token, std::string tokens_file);

  // Who `presented` is, or nullopt. Re-reads the tokens file when it changed.
  std::optional<Identity> authenticate(const std::string& presented);
  // Still valid? (A session asks before each use: a removed token ends its sessions.)
  bool still_valid(const Identity& who);

  // Every token: the host's first, then the file's.
  std::vector<NamedToken> list();
  // Makes a new random token for `name`, records its hash in the file and
  // returns the token (shown once). kInvalidArgument for a bad name;
  // kFailedPrecondition for a name in use or when no tokens_file is configured.
  StatusOr<std::string> create(const std::string& name, Role role);
  // kNotFound for an unknown name; kInvalidArgument for "host".
  Status remove(const std::string& name);

  [[nodiscard]] const std::string& tokens_file() const { return file_; }

 private:
  TokenRegistry(std::string host_token, std::string file)
      : host_token_(std::move(host_token)), file_(std::move(file)) {}
  void refresh_locked();
  Status write_locked(const std::vector<NamedToken>& tokens);

  std::mutex mu_;
  const std::string host_token_;
  const std::string file_;
  std::vector<NamedToken> tokens_;
  struct FileStamp {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool missing = false;  // no file at the path
    bool operator==(const FileStamp&) const = default;
  } stamp_;
  static FileStamp stamp_of(const std::string& path);  // the default stamp when it cannot be read
};

}  // namespace hyperion::admin
