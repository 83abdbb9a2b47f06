#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "check/plugin_check.h"
#include "cli/commands.h"
#include "logging/log_setup.h"
#include "manifest/yaml_to_json.h"
#include "os/read_file.h"

namespace hyperion::cli {
namespace {

// A config file (YAML or JSON, ${ENV} and ${file:} as in a manifest) as a JSON object.
StatusOr<boost::json::object> read_config(const std::string& path) {
  auto text = os::read_file(path, 16u << 20);
  if (!text.ok()) return text.status();
  manifest::Diagnostics problems;
  auto parent = std::filesystem::path(path).parent_path().string();
  manifest::JsonDocument doc = manifest::yaml_to_json(*text, path, manifest::process_env(parent), problems);
  HYPERION_RETURN_IF_ERROR(manifest::to_status(problems));
  if (doc.root.is_null()) return boost::json::object{};  // an empty file: defaults only
  if (!doc.root.is_object())
    return invalid_argument(path + ": a config is a mapping of fields, not a " +
                            std::string(doc.root.is_array() ? "list" : "scalar"));
  return doc.root.as_object();
}

}  // namespace

int check_command(const CheckArgs& args, const CommonOptions& common) {
  check::CheckOptions options;
  options.library = args.library;
  options.plugin_path = common.plugin_path;
  options.log_level = common.log_level.empty() ? "warn" : common.log_level;
  options.lifecycle_rounds = args.rounds;
  options.health_calls = args.health_calls;
  options.start_timeout = std::chrono::milliseconds(args.start_timeout_ms);
  options.stop_timeout = std::chrono::milliseconds(args.stop_timeout_ms);
  options.call_timeout = std::chrono::milliseconds(args.call_timeout_ms);
  if (!args.config_file.empty()) {
    auto config = read_config(args.config_file);
    if (!config.ok()) {
      std::cerr << "hyperion: --config " << config.status().message() << "\n";
      return 2;
    }
    options.config = std::move(*config);
  }
  for (const std::string& with : args.with) {
    // LIB.so or LIB.so=CONFIG: a provider and, optionally, its config.
    check::ProviderLibrary provider{with, {}};
    if (size_t eq = with.find('='); eq != std::string::npos) {
      provider.library = with.substr(0, eq);
      auto config = read_config(with.substr(eq + 1));
      if (!config.ok()) {
        std::cerr << "hyperion: --with " << config.status().message() << "\n";
        return 2;
      }
      provider.config = std::move(*config);
    }
    options.with.push_back(std::move(provider));
  }
  Status logs = logging::configure(options.log_level, common.log_format.empty() ? "text" : common.log_format);
  if (!logs.ok()) {
    std::cerr << "hyperion: " << logs.message() << "\n";
    return 2;
  }
  check::CheckReport report = check::run_check(options);
  std::cout << (args.json ? report.to_json() + "\n" : report.to_text());
  std::cout.flush();
  if (!report.hung_in.empty()) {
    // Plugin code may still be running: no static destructors under it.
    std::cerr.flush();
    _exit(1);
  }
  return report.passed() ? 0 : 1;
}

}  // namespace hyperion::cli
