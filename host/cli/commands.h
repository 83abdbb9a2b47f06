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

// Where a running host's admin API is and how to authenticate.
struct AdminOptions {
  std::string admin;       // URL; empty: $HYPERION_ADMIN_URL or http://127.0.0.1:7450
  std::string token_file;  // empty: $HYPERION_ADMIN_TOKEN, or the file in $HYPERION_ADMIN_TOKEN_FILE
  // https: the CA that signed the host's certificate; empty: $HYPERION_ADMIN_CA, else the system's CAs.
  std::string ca_file;
};

int status_command(const AdminOptions& admin);
int reload_command(const AdminOptions& admin, const std::string& manifest_file);
int history_command(const AdminOptions& admin, int limit);
int rollback_command(const AdminOptions& admin, uint64_t revision);

int run_command(const std::string& manifest, const CommonOptions& common, bool exit_after_start);
int validate_command(const std::string& manifest, const CommonOptions& common);
int inspect_command(const std::string& library, bool json);
int graph_command(const std::string& manifest, const CommonOptions& common);

// Parses argv and dispatches.
int main(int argc, char** argv);

}  // namespace hyperion::cli
