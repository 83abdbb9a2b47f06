// Turns the command line's common options into HostOptions.
#pragma once

#include "app/host.h"
#include "cli/commands.h"

namespace hyperion::cli {

inline app::HostOptions to_host_options(const CommonOptions& common) {
  app::HostOptions o;
  o.plugin_path = common.plugin_path;
  if (!common.log_level.empty()) o.log_level = common.log_level;
  if (!common.log_format.empty()) o.log_format = common.log_format;
  return o;
}

}  // namespace hyperion::cli
