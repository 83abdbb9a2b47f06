// Hyperion::testing (hyperion/testing.hpp): a real Host behind a small API
// for plugin authors' tests. Built as a shared library whose only exported
// names are hyperion::testing's (testing.map), so a test binary gets one host
// and none of its internals.
#include <dlfcn.h>
#include <yaml-cpp/yaml.h>
#include <hyperion/testing.hpp>

#include <boost/json.hpp>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/host.h"
#include "hostapi/host_api_table.h"
#include "os/scratch_folder.h"
#include "services/service_registry.h"

#ifndef HYPERION_TESTING_RELATIVE_PLUGIN_DIR
#error "HYPERION_TESTING_RELATIVE_PLUGIN_DIR must be defined by the build"
#endif

namespace hyperion::testing {
namespace {

// The plugins installed with Hyperion, found from where this library is
// (the same relative place in the build tree and in an installed prefix).
std::string installed_plugin_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_plugin_dir), &info) == 0 || info.dli_fname == nullptr) return {};
  return (std::filesystem::path(info.dli_fname).parent_path() / HYPERION_TESTING_RELATIVE_PLUGIN_DIR).string();
}

}  // namespace

struct TestHost::Impl {
  os::ScratchFolder scratch{"hyperion-test-host"};
  std::string state_dir;
  std::string log_level;
  std::unique_ptr<app::Host> host;
  hyperion_host_api_t api{};
  uint64_t subscription = 0;
  bool stopped = false;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> events;  // not yet returned by wait_for_event

  // The author's text as a whole manifest for this host: a list is the
  // instances; the state folder, the admin API and the watcher get test
  // defaults unless the text sets them.
  std::string manifest(const std::string& text) const {
    YAML::Node doc;
    try {
      doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error("the test manifest is not YAML: " + std::string(e.what()));
    }
    if (doc.IsSequence()) {
      YAML::Node whole;
      whole["plugins"] = doc;
      doc = whole;
    }
    if (!doc.IsMap()) throw std::runtime_error("the test manifest is neither a manifest nor a list of instances");
    if (!doc["app"]) doc["app"] = "test";
    if (!doc["plugins"]) doc["plugins"] = YAML::Node(YAML::NodeType::Sequence);
    YAML::Node host = doc["host"];
    if (!host["state_dir"]) host["state_dir"] = state_dir;
    if (!host["log_level"]) host["log_level"] = log_level;
    if (!host["admin"]["enabled"]) host["admin"]["enabled"] = false;
    if (!host["reload"]["watch"]) host["reload"]["watch"] = false;
    doc["host"] = host;
    YAML::Emitter out;
    out << doc;
    return std::string(out.c_str()) + "\n";
  }
};

TestHost::TestHost(const std::string& manifest_yaml, TestHostOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  if (i.scratch.path().empty()) throw std::runtime_error("cannot create a temporary folder for the test host");
  i.state_dir = i.scratch.path() + "/state";
  i.log_level = options.log_level;
  const std::string path = i.scratch.path() + "/app.yaml";
  {
    std::ofstream out(path);
    out << i.manifest(manifest_yaml);
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  app::HostOptions host_options;
  host_options.plugin_path = options.plugin_path;
  if (std::string installed = installed_plugin_dir(); !installed.empty()) host_options.plugin_path.push_back(installed);
  auto host = app::Host::prepare(path, host_options);
  if (!host.ok()) throw std::runtime_error(host.status().message());
  i.host = std::move(*host);
  // Before start: the events of starting are recorded too.
  i.subscription = i.host->facilities().events.subscribe("hyperion-testing", "", [&i](const std::string& event) {
    std::lock_guard lock(i.mu);
    i.events.push_back(event);
    i.cv.notify_all();
  });
  if (Status started = i.host->start(); !started.ok()) {
    i.host->facilities().events.unsubscribe(i.subscription);
    i.stopped = true;
    throw std::runtime_error(started.message());
  }
  // The host API as a plugin sees it, except that handles have no owning
  // instance and are released straight into the registry.
  i.api = *hostapi::host_api_table();
  i.api.service_release = [](hyperion_service_t* h) { h->registry->release(h); };
}

TestHost::~TestHost() {
  try {
    stop();
  } catch (const std::exception&) {
    // Reported by stop() to whoever called it; a destructor has no one to tell.
  }
}

void TestHost::stop() {
  Impl& i = *impl_;
  if (i.stopped) return;
  i.stopped = true;
  Status s = i.host->stop();
  i.host->facilities().events.flush();
  i.host->facilities().events.unsubscribe(i.subscription);
  if (!s.ok()) throw std::runtime_error(s.message());
}

ServiceHandle TestHost::service(const std::string& instance, const char* api, uint32_t major) {
  Impl& i = *impl_;
  const planning::ResolvedApp& plan = i.host->plan();
  bool provides = false;
  for (const planning::ResolvedInstance& r : plan.instances) {
    if (r.spec->name != instance) continue;
    for (const loader::ApiVersion& p : r.metadata.provides) provides = provides || (p.api == api && p.major == major);
  }
  if (!provides) {
    throw std::runtime_error("instance \"" + instance + "\" does not provide " + api + " " + std::to_string(major));
  }
  return ServiceHandle(&i.api, i.host->facilities().services.acquire(nullptr, instance, api, major));
}

ReloadOutcome TestHost::reload(const std::string& manifest_yaml) {
  Impl& i = *impl_;
  reload::ReloadResult r =
      i.host->reloads().reload({"test", "hyperion::testing", i.manifest(manifest_yaml), std::nullopt});
  ReloadOutcome out{r.outcome == reload::ReloadOutcome::kApplied || r.outcome == reload::ReloadOutcome::kUnchanged,
                    r.revision,
                    r.summary(),
                    {}};
  for (const auto& [instance, change] : r.diff) {
    const boost::json::value* action = change.is_object() ? change.as_object().if_contains("action") : nullptr;
    if (action != nullptr && action->is_string()) out.actions[std::string(instance)] = action->as_string();
  }
  return out;
}

std::string TestHost::health(const std::string& instance) {
  if (instance.empty()) return impl_->host->health().json();
  auto report = impl_->host->instance_health(instance);
  if (!report.ok()) throw std::runtime_error(report.status().message());
  return *report;
}

std::string TestHost::status(const std::string& instance) {
  boost::json::value v = boost::json::parse(health(instance));
  return std::string(v.at("status").as_string());
}

bool TestHost::wait_for_status(const std::string& instance, const std::string& status,
                               std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (this->status(instance) == status) return true;
    } catch (const std::runtime_error&) {
      // Not running (yet): keep waiting.
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<std::string> TestHost::wait_for_event(const std::string& type_prefix, std::chrono::milliseconds timeout) {
  Impl& i = *impl_;
  std::unique_lock lock(i.mu);
  std::optional<std::string> found;
  i.cv.wait_for(lock, timeout, [&] {
    for (auto it = i.events.begin(); it != i.events.end(); ++it) {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(*it, ec);
      const boost::json::value* type = ec || !v.is_object() ? nullptr : v.as_object().if_contains("type");
      if (type != nullptr && type->is_string() &&
          type->as_string().subview().substr(0, type_prefix.size()) == type_prefix) {
        found = std::move(*it);
        i.events.erase(it);
        return true;
      }
    }
    return false;
  });
  return found;
}

std::string TestHost::metrics() { return impl_->host->metrics_text(); }

const std::string& TestHost::state_dir() const { return impl_->host->state_dir(); }

}  // namespace hyperion::testing
