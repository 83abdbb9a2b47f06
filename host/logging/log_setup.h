// Logging: the host's spdlog setup — one sink (stderr), a text or JSON line
// format, and one logger per plugin instance, named after it, so every line says
// which instance wrote it. Thread-safety: configure() once at start-up; the
// loggers themselves are thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "base/status.h"

namespace hyperion::logging {

// `level`: trace|debug|info|warn|error|off. `format`: text|json.
Status configure(const std::string& level, const std::string& format);

// The host's own logger ("hyperion").
std::shared_ptr<spdlog::logger> host_logger();
// The logger of one plugin instance (created on first use).
std::shared_ptr<spdlog::logger> instance_logger(const std::string& instance);

}  // namespace hyperion::logging
