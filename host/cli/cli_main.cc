#include <hyperion/plugin.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "os/signals.h"
#include "version/git_revision.h"

#ifndef HYPERION_VERSION
#error "HYPERION_VERSION must be defined by the build"
#endif

namespace hyperion::cli {
namespace {

// A revision number: digits only, from 1 (CLI11 alone would read "-1" as 2^64-1).
const CLI::Validator kRevisionNumber(
    [](std::string& text) -> std::string {
      bool digits = !text.empty() && text.size() <= 18 &&
                    std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || std::stoull(text) == 0) return "a revision is a number from 1 (see `hyperion history`)";
      return {};
    },
    "REV");

}  // namespace

int main(int argc, char** argv) {
  hyperion::os::ignore_broken_pipes();
  CLI::App app{"Hyperion: a C++ application host with runtime-loaded plugins.\n"
               "Compose an app in a YAML manifest; run it, validate it, or inspect its plugins.",
               "hyperion"};
  app.set_version_flag("--version", std::string("hyperion " HYPERION_VERSION " (plugin ABI ") +
                                        std::to_string(HYPERION_ABI_MAJOR) + "." + std::to_string(HYPERION_ABI_MINOR) +
                                        ", git " HYPERION_GIT_REVISION ")");
  app.require_subcommand(1);
  CommonOptions common;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--plugin-path", common.plugin_path, "Folder to search for plugin libraries (repeatable; searched first)");
    cmd->add_option("--log-level", common.log_level, "trace|debug|info|warn|error|off (default: the manifest's)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    cmd->add_option("--log-format", common.log_format, "text|json (default: the manifest's)")
        ->check(CLI::IsMember({"text", "json"}));
  };

  std::string manifest;
  bool exit_after_start = false;
  CLI::App* run = app.add_subcommand("run", "Start every plugin instance of MANIFEST and serve until SIGTERM/SIGINT");
  run->add_option("manifest", manifest, "The app's YAML manifest")->required();
  run->add_flag("--exit-after-start", exit_after_start, "Stop and exit as soon as everything has started (smoke tests, benchmarks)");
  add_common(run);

  bool validate_load = false;
  CLI::App* validate = app.add_subcommand(
      "validate",
      "Check MANIFEST, every plugin file and every config against its schema, from the files: no plugin code runs, "
      "nothing is written");
  validate->add_option("manifest", manifest, "The app's YAML manifest")->required();
  validate->add_flag("--load", validate_load,
                     "Also load each library (a temporary copy) and negotiate its ABI: runs its static constructors "
                     "and entry point, nothing else");
  add_common(validate);

  std::string library;
  bool json = false;
  CLI::App* inspect = app.add_subcommand("inspect", "Show a plugin library's metadata and unloadability, read from the file");
  inspect->add_option("library", library, "Path to the plugin's .so")->required();
  inspect->add_flag("--json", json, "Print JSON instead of text");

  CheckArgs check_args;
  CLI::App* check = app.add_subcommand(
      "check",
      "Run the plugin author's battery against LIBRARY in a private host: metadata, lifecycle, health, "
      "services, reload, state, unload (docs/plugin-guide.md, \"Testing your plugin\")");
  check->add_option("library", check_args.library, "The plugin's .so (a path, or a name on the search path)")
      ->required();
  check->add_option("--config", check_args.config_file,
                    "The plugin's config (YAML or JSON; default: its schema's defaults)");
  check->add_option("--with", check_args.with,
                    "A provider of an API the plugin requires, as LIB.so or LIB.so=CONFIG (repeatable)");
  check->add_flag("--json", check_args.json, "Print the results as JSON");
  check->add_option("--rounds", check_args.rounds, "Lifecycle rounds (create, start, stop, destroy)")
      ->check(CLI::Range(1, 1000));
  check->add_option("--health-calls", check_args.health_calls, "Health calls made at once")->check(CLI::Range(1, 1024));
  check->add_option("--start-timeout-ms", check_args.start_timeout_ms, "Deadline of create and start")
      ->check(CLI::Range(1, 600000));
  check->add_option("--stop-timeout-ms", check_args.stop_timeout_ms, "Deadline of stop and destroy")
      ->check(CLI::Range(1, 600000));
  check->add_option("--call-timeout-ms", check_args.call_timeout_ms, "Deadline of health, reload and state calls")
      ->check(CLI::Range(1, 600000));
  add_common(check);

  CLI::App* graph = app.add_subcommand("graph", "Print MANIFEST's dependency graph as Graphviz DOT, in start order");
  graph->add_option("manifest", manifest, "The app's YAML manifest")->required();
  add_common(graph);

  AdminOptions admin;
  auto add_admin = [&](CLI::App* cmd) {
    cmd->add_option("--admin", admin.admin,
                    "Admin API URL (default: $HYPERION_ADMIN_URL, <state_dir>/admin.url, http://127.0.0.1:7450)");
    cmd->add_option("--token-file", admin.token_file,
                    "File with the bearer token (the host writes <state_dir>/admin.token; or $HYPERION_ADMIN_TOKEN)");
    cmd->add_option("--state-dir", admin.state_dir,
                    "The host's state folder: its admin.url and admin.token are used (or $HYPERION_STATE_DIR)");
    cmd->add_option("--manifest", admin.manifest,
                    "The host's manifest: its state folder is found as the host finds it");
    cmd->add_option("--ca-file", admin.ca_file,
                    "For an https admin URL: the CA certificate (PEM) that signed the host's (or $HYPERION_ADMIN_CA)");
  };
  // The actions take a precondition: two operators cannot overwrite each other.
  auto add_expect = [&](CLI::App* cmd) {
    cmd->add_option("--expect-revision", admin.expect_revision,
                    "Refuse (412) unless revision REV is still the running one (If-Match; see `hyperion status`)")
        ->check(kRevisionNumber);
  };
  CLI::App* status = app.add_subcommand("status", "Show a running host's app, phase, revision, instances and breaker");
  add_admin(status);
  std::string reload_file;
  CLI::App* reload = app.add_subcommand("reload", "Reload a running host: re-read its manifest, or send --file");
  reload->add_option("--file", reload_file, "A whole new manifest to apply instead of re-reading the host's file");
  add_admin(reload);
  add_expect(reload);
  int history_limit = 20;
  CLI::App* history = app.add_subcommand("history", "List a running host's configuration revisions, newest first");
  history->add_option("--limit", history_limit, "How many revisions (1-10000)")->check(CLI::Range(1, 10000));
  add_admin(history);
  uint64_t rollback_to = 0;
  CLI::App* rollback = app.add_subcommand("rollback", "Apply revision REV's manifest as a new revision, atomically");
  rollback->add_option("revision", rollback_to, "The revision number (see `hyperion history`)")
      ->required()
      ->check(kRevisionNumber);
  add_admin(rollback);
  add_expect(rollback);

  uint64_t show_revision = 0;
  bool show_json = false;
  CLI::App* show = app.add_subcommand("show", "Show revision REV of a running host: who, when, outcome, every change");
  show->add_option("revision", show_revision, "The revision number (see `hyperion history`)")
      ->required()
      ->check(kRevisionNumber);
  show->add_flag("--json", show_json, "Print the revision as JSON (with its manifest)");
  add_admin(show);
  std::string swap_instance, swap_library, swap_sha256;
  CLI::App* swap = app.add_subcommand(
      "swap", "Replace INSTANCE's library with LIBRARY in a running host, make-before-break (docs/hot-swap.md)");
  swap->add_option("instance", swap_instance, "The instance to swap (see `hyperion status`)")->required();
  swap->add_option("library", swap_library,
                   "The new build: a path to a .so, or a plugin name on the host's search path")
      ->required();
  swap->add_option("--sha256", swap_sha256, "Refuse the swap unless the library has this sha256 (64 hex digits)");
  add_admin(swap);
  add_expect(swap);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*run) return run_command(manifest, common, exit_after_start);
  if (*validate) return validate_command(manifest, common, validate_load);
  if (*inspect) return inspect_command(library, json);
  if (*graph) return graph_command(manifest, common);
  if (*check) return check_command(check_args, common);
  if (*status) return status_command(admin);
  if (*reload) return reload_command(admin, reload_file);
  if (*history) return history_command(admin, history_limit);
  if (*rollback) return rollback_command(admin, rollback_to);
  if (*show) return show_command(admin, show_revision, show_json);
  if (*swap) return swap_command(admin, swap_instance, swap_library, swap_sha256);
  return 2;
}

}  // namespace hyperion::cli
