#include <unistd.h>

#include <csignal>
#include <functional>
#include <iostream>

#include <spdlog/spdlog.h>

#include "admin/admin_server.h"
#include "app/host.h"
#include "cli/commands.h"
#include "cli/host_options.h"
#include "logging/log_setup.h"
#include "os/monotonic_clock.h"
#include "os/service_notify.h"
#include "os/signals.h"
#include "triggers/manifest_watcher.h"

namespace hyperion::cli {
namespace {

// One line for `systemctl status`: short, no newline (it would end the field).
std::string status_line(std::string text) {
  constexpr size_t kMax = 200;
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return "STATUS=" + text;
}

// RELOADING=1 when a reload begins (systemd 253+ wants the time with it) and
// READY=1 when it ends, whatever the outcome: the host serves either way.
std::function<void(const reload::ReloadResult*)> notify_reloads(os::ServiceNotifier* notifier) {
  return [notifier](const reload::ReloadResult* done) {
    if (done == nullptr) {
      notifier->notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(os::monotonic_now_ns() / 1000) + "\n" +
                       status_line("reloading"));
    } else {
      notifier->notify("READY=1\n" + status_line("running; last reload: " + done->summary()));
    }
  };
}

// With a call still inside plugin code, running static destructors (or unloading
// libraries) could crash under it: leave without them.
[[noreturn]] void exit_now(int code) {
  spdlog::shutdown();
  std::cout.flush();
  std::cerr.flush();
  _exit(code);
}

}  // namespace

int run_command(const std::string& manifest, const CommonOptions& common, bool exit_after_start) {
  // Before any thread exists, so every thread inherits the mask and the signal
  // is only ever taken by wait_for_host_signal().
  os::block_host_signals();
  // Also before any thread: it takes systemd's variables out of the environment.
  std::unique_ptr<os::ServiceNotifier> notifier = exit_after_start ? nullptr : os::ServiceNotifier::from_environment();
  app::HostOptions options = to_host_options(common);
  if (notifier) options.reload_observer = notify_reloads(notifier.get());
  auto host = app::Host::prepare(manifest, options);
  if (!host.ok()) {
    std::cerr << "hyperion: " << host.status().message() << "\n";
    if (notifier) notifier->notify(status_line("failed: " + host.status().message()));
    return 1;
  }
  auto log = logging::host_logger();
  Status started = (*host)->start();
  if (!started.ok()) {
    log->error("{}", started.message());
    std::cerr << "hyperion: " << started.message() << "\n";
    if (notifier) notifier->notify(status_line("failed to start: " + started.message()));
    if ((*host)->hung_calls() > 0) exit_now(1);
    return 1;
  }
  const manifest::HostSettings settings = (*host)->settings();
  const manifest::AdminSettings& admin_settings = settings.admin;
  std::unique_ptr<admin::AdminServer> admin_server;
  if (admin_settings.enabled && !exit_after_start) {
    auto started_admin = admin::AdminServer::start((*host)->operator_access(), admin_settings, (*host)->state_dir());
    if (!started_admin.ok()) {
      // An admin API that was asked for and cannot serve is a start failure.
      log->error("{}", started_admin.status().message());
      std::cerr << "hyperion: " << started_admin.status().message() << "\n";
      (void)(*host)->stop();
      return 1;
    }
    admin_server = std::move(*started_admin);
  }
  if (notifier) {
    notifier->notify("READY=1\n" +
                     status_line("running revision " + std::to_string((*host)->reloads().current_revision())));
    notifier->start_watchdog();
  }
  if (!exit_after_start) {
    std::unique_ptr<triggers::ManifestWatcher> watcher;
    const manifest::ReloadSettings& reload = settings.reload;
    if (reload.watch) {
      reload::Reloader* reloads = &(*host)->reloads();
      auto started_watch = triggers::ManifestWatcher::start(
          manifest, reload.debounce, [reloads] { (void)reloads->reload_from_file("file-watch"); });
      if (started_watch.ok()) {
        watcher = std::move(*started_watch);
        log->info("watching {} for changes", manifest);
      } else log->warn("{} (edit the manifest and send SIGHUP instead)", started_watch.status().message());
    }
    for (;;) {
      int sig = os::wait_for_host_signal();
      if (sig == SIGHUP) {
        (void)(*host)->reloads().reload_from_file("sighup");
        continue;
      }
      log->info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      if (notifier) notifier->notify("STOPPING=1\n" + status_line("stopping"));
      (*host)->drain();  // readiness turns false before anything stops
      break;
    }
    watcher.reset();  // no reload may start once stopping has begun
  }
  admin_server.reset();
  Status stopped = (*host)->stop();
  if (!stopped.ok()) {
    log->error("stop: {}", stopped.message());
  } else {
    log->info("stopped cleanly");
  }
  if ((*host)->hung_calls() > 0) {
    log->error("{} call(s) into plugins never returned; exiting without unloading them", (*host)->hung_calls());
    exit_now(stopped.ok() ? 0 : 1);
  }
  return stopped.ok() ? 0 : 1;
}

}  // namespace hyperion::cli
