// The `hyperion` command line: one function per sub-command, each returning the
// process exit code (0 success, 1 failure, 2 usage error). Errors go to stderr.
#pragma once

#include <string>
#include <vector>

#include "app/host.h"

namespace hyperion::cli {

struct CommonOptions {
  std::vector<std::string> plugin_path;
  std::string log_level;   // empty: the manifest's
  std::string log_format;  // empty: the manifest's
};

int run_command(const std::string& manifest, const CommonOptions& common, bool exit_after_start);
int validate_command(const std::string& manifest, const CommonOptions& common);
int inspect_command(const std::string& library, bool json);
int graph_command(const std::string& manifest, const CommonOptions& common);

// Parses argv and dispatches.
int main(int argc, char** argv);

}  // namespace hyperion::cli
