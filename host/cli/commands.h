// The `hyperion` command line: one function per sub-command, each returning the
// process exit code (0 success, 1 failure, 2 usage error). Errors go to stderr.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/host.h"

namespace hyperion::cli {

struct CommonOptions {
  std::vector<std::string> plugin_path;
  std::string log_level;   // empty: the manifest's
  std::string log_format;  // empty: the manifest's
};

// Where a running host's admin API is and how to authenticate. What is not
// given is looked for, in order: the flag, the environment, the files the host
// writes in its state folder (admin.url, admin.token), the default URL.
struct AdminOptions {
  std::string admin;       // URL; empty: $HYPERION_ADMIN_URL, <state_dir>/admin.url, http://127.0.0.1:7450
  std::string token_file;  // empty: $HYPERION_ADMIN_TOKEN, $HYPERION_ADMIN_TOKEN_FILE, <state_dir>/admin.token
  // The host's state folder: --state-dir, else the one --manifest says (as the
  // host finds it), else $HYPERION_STATE_DIR.
  std::string state_dir;
  std::string manifest;
  // https: the CA that signed the host's certificate; empty: $HYPERION_ADMIN_CA, else the system's CAs.
  std::string ca_file;
  // reload, rollback, swap: refuse (412) unless this revision still runs
  // (If-Match, optimistic locking); 0: no precondition.
  uint64_t expect_revision = 0;
};

int status_command(const AdminOptions& admin);
int reload_command(const AdminOptions& admin, const std::string& manifest_file);
int history_command(const AdminOptions& admin, int limit);
int rollback_command(const AdminOptions& admin, uint64_t revision);
// One revision: source, author, outcome, error and each instance's changes.
int show_command(const AdminOptions& admin, uint64_t revision, bool as_json);
// Replaces a running instance's library make-before-break (docs/hot-swap.md).
int swap_command(const AdminOptions& admin, const std::string& instance, const std::string& library,
                 const std::string& sha256);

int run_command(const std::string& manifest, const CommonOptions& common, bool exit_after_start);
// Read-only (files only, no plugin code) unless `load`: then each library is
// also loaded from a temporary copy and its ABI negotiated.
int validate_command(const std::string& manifest, const CommonOptions& common, bool load);
int inspect_command(const std::string& library, bool json);

// `hyperion check`: runs the plugin author's battery (check/plugin_check.h)
// and prints its table; 0 only when every check passed.
struct CheckArgs {
  std::string library;
  std::string config_file;        // empty: the schema's defaults
  std::vector<std::string> with;  // LIB.so or LIB.so=CONFIG
  bool json = false;
  int rounds = 10;
  size_t health_calls = 64;
  int64_t start_timeout_ms = 30000;
  int64_t stop_timeout_ms = 5000;
  int64_t call_timeout_ms = 5000;
};
int check_command(const CheckArgs& args, const CommonOptions& common);
int graph_command(const std::string& manifest, const CommonOptions& common);

// Parses argv and dispatches.
int main(int argc, char** argv);

}  // namespace hyperion::cli
