#include "admin/token_registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "admin/admin_token.h"
#include "logging/log_setup.h"
#include "os/file_digest.h"
#include "os/read_file.h"

namespace hyperion::admin {
namespace {

std::string where(const std::string& file, const YAML::Node& node, const std::string& field) {
  return file + ":" + std::to_string(node.Mark().line + 1) + ": " + field + ": ";
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Others must not be able to change who may act on the host: the file is the
// host user's own and writable by nobody else (its hashes are not secrets, so
// others may read it).
Status check_owner_and_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return not_found("admin: tokens file " + path + ": " + std::strerror(errno));
  }
  if (st.st_uid != ::geteuid()) {
    return invalid_argument("admin: tokens file " + path + " is owned by uid " + std::to_string(st.st_uid) +
                            ", not by the host's user (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & 022) != 0) {
    return invalid_argument("admin: tokens file " + path +
                            " is writable by group or others, who could add a token: chmod 600 " + path);
  }
  return ok_status();
}

// The named tokens of `path`, if others cannot write it and it parses.
StatusOr<std::vector<NamedToken>> load_tokens_file(const std::string& path) {
  HYPERION_RETURN_IF_ERROR(check_owner_and_mode(path));
  auto text = os::read_file(path, os::kMaxSmallFileBytes);
  if (!text.ok()) return Status(text.status().code(), "admin: tokens file: " + text.status().message());
  auto tokens = parse_tokens_file(*text, path);
  if (!tokens.ok()) return tokens.status().with_prefix("admin: tokens file");
  return tokens;
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "operator") return Role::kOperator;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

Status check_token_name(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") !=
          std::string::npos) {
    return invalid_argument("a token name is 1 to 64 of A-Z a-z 0-9 . _ @ -");
  }
  if (name == "host") return invalid_argument("\"host\" names the host's own token");
  return ok_status();
}

StatusOr<std::vector<NamedToken>> parse_tokens_file(const std::string& text, const std::string& file) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return invalid_argument(file + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  std::vector<NamedToken> out;
  if (doc.IsNull()) return out;  // an empty file: no named tokens yet
  if (!doc.IsMap()) return invalid_argument(file + ":1: expected a mapping with \"tokens\": a list");
  std::vector<std::string> problems;
  for (const auto& kv : doc) {
    if (kv.first.Scalar() != "tokens") {
      problems.push_back(where(file, kv.first, kv.first.Scalar()) + "unknown key (expected tokens)");
    }
  }
  YAML::Node list = doc["tokens"];
  if (list && !list.IsNull() && !list.IsSequence()) {
    problems.push_back(where(file, list, "tokens") + "expected a list of {name, role, sha256}");
  } else if (list && list.IsSequence()) {
    std::set<std::string> names, hashes;
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      const std::string at = "tokens[" + std::to_string(i) + "]";
      if (!entry.IsMap()) {
        problems.push_back(where(file, entry, at) + "expected a mapping {name, role, sha256}");
        continue;
      }
      NamedToken t;
      bool ok = true;
      for (const auto& kv : entry) {
        const std::string key = kv.first.Scalar();
        const std::string field = at + "." + key;
        if (key != "name" && key != "role" && key != "sha256") {
          problems.push_back(where(file, kv.first, field) + "unknown key (name, role, sha256)");
          ok = false;
          continue;
        }
        if (!kv.second.IsScalar()) {
          problems.push_back(where(file, kv.second, field) + "expected a string");
          ok = false;
          continue;
        }
        const std::string value = kv.second.Scalar();
        if (key == "name") {
          if (Status s = check_token_name(value); !s.ok()) {
            problems.push_back(where(file, kv.second, field) + s.message());
            ok = false;
          } else if (!names.insert(value).second) {
            problems.push_back(where(file, kv.second, field) + "\"" + value + "\" is listed twice");
            ok = false;
          }
          t.name = value;
        } else if (key == "role") {
          if (auto role = parse_role(value)) {
            t.role = *role;
          } else {
            problems.push_back(where(file, kv.second, field) + "\"" + value +
                               "\" is not a role (viewer, operator, admin)");
            ok = false;
          }
        } else {
          if (!is_sha256_hex(value)) {
            problems.push_back(where(file, kv.second, field) +
                               "expected the token's SHA-256, 64 lower-case hex digits (printf %s \"$TOKEN\" | "
                               "sha256sum), never the token itself");
            ok = false;
          } else if (!hashes.insert(value).second) {
            problems.push_back(where(file, kv.second, field) + "the same token is listed twice");
            ok = false;
          }
          t.sha256 = value;
        }
      }
      for (const char* required : {"name", "role", "sha256"}) {
        if (!entry[required]) {
          problems.push_back(where(file, entry, at) + "\"" + required + "\" is required");
          ok = false;
        }
      }
      if (ok) out.push_back(std::move(t));
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "\n") + p;
    return invalid_argument(message);
  }
  return out;
}

std::string render_tokens_file(const std::vector<NamedToken>& tokens) {
  std::string text =
      "# Hyperion admin tokens (host.admin.tokens_file): each token's name, role (viewer, operator, admin)\n"
      "# and SHA-256; the tokens themselves are never written here.\ntokens:\n";
  if (tokens.empty()) text = text.substr(0, text.size() - 1) + " []\n";
  for (const NamedToken& t : tokens) {
    text += "  - {name: \"" + t.name + "\", role: " + role_name(t.role) + ", sha256: " + t.sha256 + "}\n";
  }
  return text;
}

StatusOr<std::unique_ptr<TokenRegistry>> TokenRegistry::open(std::string host_token, std::string tokens_file) {
  std::unique_ptr<TokenRegistry> registry(new TokenRegistry(std::move(host_token), std::move(tokens_file)));
  if (registry->file_.empty()) return registry;
  auto tokens = load_tokens_file(registry->file_);
  if (!tokens.ok()) return tokens.status();
  registry->tokens_ = std::move(*tokens);
  registry->stamp_ = stamp_of(registry->file_);
  return registry;
}

TokenRegistry::FileStamp TokenRegistry::stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    FileStamp none;
    none.missing = errno == ENOENT;
    return none;
  }
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, static_cast<int64_t>(st.st_size),
          static_cast<uint64_t>(st.st_ino)};
}

// One stat per request: an edit (or a `mv` over the file) is seen by the next call.
void TokenRegistry::refresh_locked() {
  if (file_.empty()) return;
  FileStamp now = stamp_of(file_);
  if (now == stamp_) return;
  stamp_ = now;
  if (now.missing) {
    // Removed: fail closed, as if it listed no token (an editor saving by
    // rename never leaves the path missing).
    if (!tokens_.empty()) {
      logging::host_logger()->warn("admin: the tokens file {} is gone: no named token is accepted", file_);
    }
    tokens_.clear();
    return;
  }
  auto tokens = load_tokens_file(file_);
  if (!tokens.ok()) {
    logging::host_logger()->error("admin: the tokens file changed but cannot be used; the tokens in force stay: {}",
                                  tokens.status().message());
    return;
  }
  tokens_ = std::move(*tokens);
  logging::host_logger()->info("admin: tokens file {} read again: {} token(s)", file_, tokens_.size());
}

std::optional<Identity> TokenRegistry::authenticate(const std::string& presented) {
  // The host's token is compared as itself; named ones by digest (the file
  // holds no tokens). Both comparisons take time that does not depend on
  // where the bytes differ.
  if (constant_time_equal(presented, host_token_)) return Identity{"host", Role::kAdmin, true};
  const std::string digest = os::sha256_hex(presented);
  std::lock_guard lock(mu_);
  refresh_locked();
  std::optional<Identity> found;
  for (const NamedToken& t : tokens_) {
    if (constant_time_equal(digest, t.sha256)) found = Identity{t.name, t.role, false};
  }
  return found;
}

bool TokenRegistry::still_valid(const Identity& who) {
  if (who.host_token) return true;
  std::lock_guard lock(mu_);
  refresh_locked();
  for (const NamedToken& t : tokens_) {
    if (t.name == who.name) return t.role == who.role;
  }
  return false;
}

std::vector<NamedToken> TokenRegistry::list() {
  std::lock_guard lock(mu_);
  refresh_locked();
  std::vector<NamedToken> out{{"host", Role::kAdmin, ""}};
  out.insert(out.end(), tokens_.begin(), tokens_.end());
  return out;
}

Status TokenRegistry::write_locked(const std::vector<NamedToken>& tokens) {
  // Written beside the file and renamed over it: a reader sees the old list or
  // the new one, never half of one.
  const std::string tmp = file_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return internal_error("admin: cannot write " + tmp + ": " + std::strerror(errno));
  const std::string text = render_tokens_file(tokens);
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), file_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return internal_error("admin: cannot replace " + file_ + ": " + std::strerror(errno));
  }
  tokens_ = tokens;
  stamp_ = stamp_of(file_);
  return ok_status();
}

StatusOr<std::string> TokenRegistry::create(const std::string& name, Role role) {
  HYPERION_RETURN_IF_ERROR(check_token_name(name));
  if (file_.empty()) {
    return failed_precondition("no tokens file: set host.admin.tokens_file to manage named tokens");
  }
  auto token = random_hex(32);
  if (!token.ok()) return token.status();
  std::lock_guard lock(mu_);
  refresh_locked();
  for (const NamedToken& t : tokens_) {
    if (t.name == name) return failed_precondition("a token named \"" + name + "\" exists; remove it first");
  }
  std::vector<NamedToken> next = tokens_;
  next.push_back({name, role, os::sha256_hex(*token)});
  HYPERION_RETURN_IF_ERROR(write_locked(next));
  return token;
}

Status TokenRegistry::remove(const std::string& name) {
  if (name == "host") {
    return invalid_argument("the host's own token cannot be removed here (it is host.admin.token_file's)");
  }
  if (file_.empty()) return not_found("no token named \"" + name + "\" (no tokens file)");
  std::lock_guard lock(mu_);
  refresh_locked();
  std::vector<NamedToken> next;
  for (const NamedToken& t : tokens_) {
    if (t.name != name) next.push_back(t);
  }
  if (next.size() == tokens_.size()) return not_found("no token named \"" + name + "\"");
  return write_locked(next);
}

}  // namespace hyperion::admin
