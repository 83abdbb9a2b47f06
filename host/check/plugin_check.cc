#include "check/plugin_check.h"

#include <hyperion/services/discovery.h>
#include <hyperion/services/grpc_client.h>
#include <hyperion/services/grpc_server.h>
#include <hyperion/services/health.h>
#include <hyperion/services/http_client.h>
#include <hyperion/services/http_server.h>
#include <hyperion/services/trace.h>

#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "check/schema_samples.h"
#include "config/config_validator.h"
#include "config/schema_path.h"
#include "health/health_aggregator.h"
#include "lifecycle/call_runner.h"
#include "lifecycle/plugin_instance.h"
#include "loader/library_report.h"
#include "loader/loader.h"
#include "os/scratch_folder.h"
#include "os/shared_library.h"
#include "paths/plugin_search_path.h"
#include "reload/config_diff.h"

namespace hyperion::check {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using lifecycle::InstanceState;
using lifecycle::PluginInstance;

std::string ms_text(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// A value for a detail column: short, secrets never shown.
std::string shown(const json::value& v, bool secret) {
  if (secret) return "(secret)";
  std::string text;
  if (v.is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.as_double());
    text = buf;
  } else {
    text = json::serialize(v);
  }
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

// The status of a health report, or why it is not a report (hyperion/plugin.h, health).
StatusOr<std::string> report_status(const std::string& report) {
  boost::system::error_code ec;
  json::value v = json::parse(report, ec);
  if (ec || !v.is_object()) return invalid_argument("the report is not a JSON object: " + report.substr(0, 80));
  const json::value* status = v.as_object().if_contains("status");
  if (status == nullptr || !status->is_string() || !health::parse_health_status(status->as_string())) {
    return invalid_argument("the report's \"status\" is not healthy, degraded or unhealthy: " + report.substr(0, 80));
  }
  return std::string(status->as_string());
}

// The service tables the kit knows the size of, at the minor their header has.
struct KnownTable {
  const char* api;
  uint32_t minor;
  size_t size;
};
constexpr KnownTable kKnownTables[] = {
    {HYPERION_DISCOVERY_API, 0, sizeof(hyperion_discovery_v1_t)},
    {HYPERION_GRPC_CLIENT_API, 0, sizeof(hyperion_grpc_client_v1_t)},
    {HYPERION_GRPC_SERVER_API, 0, sizeof(hyperion_grpc_server_v1_t)},
    {HYPERION_HEALTH_API, 1, sizeof(hyperion_health_v1_t)},
    {HYPERION_HTTP_CLIENT_API, 0, sizeof(hyperion_http_client_v1_t)},
    {HYPERION_HTTP_SERVER_API, 0, sizeof(hyperion_http_server_v1_t)},
    {HYPERION_TRACE_API, 0, sizeof(hyperion_trace_v1_t)},
};

class Battery {
 public:
  Battery(const CheckOptions& options, CheckReport& report)
      : o_(options), r_(report), scratch_("hyperion-check"), cwd_(std::filesystem::current_path().string()) {}

  void run() {
    if (scratch_.path().empty()) return r_.fail("setup", "a scratch folder", "cannot create a temporary folder");
    if (!metadata() || !load() || !environment()) return;
    lifecycle_rounds();
    if (hung_.empty()) running_instance_checks();
    unload();
    r_.hung_in = hung_;
    host_.reset();
  }

 private:
  Clock::time_point by(std::chrono::milliseconds timeout) const { return Clock::now() + timeout; }

  bool metadata() {
    loader::Loader files(paths::plugin_search_path(o_.plugin_path, {}), "");
    auto inspected = files.inspect(o_.library, cwd_);
    if (!inspected.ok()) {
      r_.fail("metadata", "read from the file", inspected.status().message());
      return false;
    }
    metadata_ = inspected->metadata;
    r_.library = inspected->path;
    r_.plugin = metadata_.name + " " + metadata_.version;
    r_.pass("metadata", "read from the file", "status " + metadata_.status);
    auto compiled = config::ConfigValidator::compile(metadata_.config_schema);
    if (!compiled.ok()) {
      r_.fail("metadata", "config schema compiles", compiled.status().message());
      return false;
    }
    r_.pass("metadata", "config schema compiles");
    validator_.emplace(std::move(*compiled));
    effective_ = o_.config;
    const char* what = o_.config.empty() ? "the defaults are a valid config" : "--config is valid";
    std::vector<std::string> errors;
    for (const config::ConfigError& e : validator_->apply_defaults_and_validate(effective_)) {
      errors.push_back((e.pointer.empty() ? "/" : e.pointer) + ": " + e.message);
    }
    if (!errors.empty()) {
      r_.fail("metadata", what, join(errors, "; ") + (o_.config.empty() ? " (give a config with --config FILE)" : ""));
      return false;
    }
    r_.pass("metadata", what);
    dynamic_ = dynamic_fields(metadata_.config_schema);
    if (auto unread = unread_dynamic_annotations(metadata_.config_schema); !unread.empty()) {
      r_.fail("metadata", "every x-dynamic annotation is read",
              "the host never reads x-dynamic at " + join(unread, ", ") +
                  " in the schema: only properties, additionalProperties and items are followed, so those "
                  "fields restart their instance");
    } else {
      r_.pass("metadata", "every x-dynamic annotation is read", std::to_string(dynamic_.size()) + " dynamic field(s)");
    }
    if (!dynamic_.empty() && !metadata_.has("reload")) {
      r_.fail(
          "metadata", "dynamic fields come with \"reload\"",
          "x-dynamic fields (" + join(dynamic_, ", ") + ") but no \"reload\" capability: they restart the instance");
    }
    return true;
  }

  bool load() {
    loader_.emplace(paths::plugin_search_path(o_.plugin_path, {}), scratch_.path() + "/cache");
    auto loaded = loader_->load(o_.library, cwd_, std::nullopt);
    if (!loaded.ok()) {
      r_.fail("abi", "loads; ABI and capabilities match the vtable", loaded.status().message());
      return false;
    }
    plugin_ = *loaded;
    std::vector<std::string> caps(metadata_.capabilities.begin(), metadata_.capabilities.end());
    r_.pass("abi", "loads; ABI and capabilities match the vtable",
            "ABI 1." + std::to_string(plugin_->abi_minor) + ", capabilities [" + join(caps, ", ") + "]");
    return true;
  }

  bool environment() {
    std::vector<std::string> notes;
    std::filesystem::create_directories(scratch_.path() + "/host");
    auto host = CheckHost::start(scratch_.path() + "/host", metadata_, o_.with, o_.plugin_path, o_.log_level, notes);
    if (!host.ok()) {
      r_.fail("services", "required services are provided", host.status().message());
      return false;
    }
    host_ = std::move(*host);
    r_.pass("services", "required services are provided", notes.empty() ? "requires none" : join(notes, "; "));
    return true;
  }

  std::unique_ptr<PluginInstance> make_instance(const std::string& name) {
    return std::make_unique<PluginInstance>(name, plugin_, host_->facilities(), runner_, host_->bindings());
  }

  // Remembers an instance that hung: nothing calls into the plugin again.
  void note_hung(const PluginInstance& instance, const std::string& during) {
    if (instance.state() == InstanceState::kHung && hung_.empty()) hung_ = during;
  }
  void skip_after_hang(const char* group, const char* check) {
    r_.skip(group, check, "the plugin hung in " + hung_ + ": nothing calls into it again");
  }

  void lifecycle_rounds() {
    const std::string label = "create -> start -> stop -> destroy, " + std::to_string(o_.lifecycle_rounds) + " times";
    Clock::duration slowest[4]{};
    const char* kSteps[4] = {"create", "start", "stop", "destroy"};
    for (int round = 1; round <= o_.lifecycle_rounds; ++round) {
      auto instance = make_instance(metadata_.name);
      for (int step = 0; step < 4; ++step) {
        const auto began = Clock::now();
        Status s = step == 0   ? instance->create(effective_, by(o_.start_timeout))
                   : step == 1 ? instance->start(by(o_.start_timeout))
                   : step == 2 ? instance->stop(by(o_.stop_timeout))
                               : instance->destroy(by(o_.stop_timeout));
        slowest[step] = std::max(slowest[step], Clock::now() - began);
        if (!s.ok()) {
          note_hung(*instance, kSteps[step]);
          r_.fail("lifecycle", label, "round " + std::to_string(round) + ", " + kSteps[step] + ": " + s.message());
          return;
        }
      }
    }
    r_.pass("lifecycle", label,
            "slowest: create " + ms_text(slowest[0]) + ", start " + ms_text(slowest[1]) + ", stop " +
                ms_text(slowest[2]) + ", destroy " + ms_text(slowest[3]));
  }

  void running_instance_checks() {
    auto instance = make_instance(metadata_.name);
    Status up = instance->create(effective_, by(o_.start_timeout));
    if (up.ok()) up = instance->start(by(o_.start_timeout));
    if (!up.ok()) {
      note_hung(*instance, "start");
      r_.fail("lifecycle", "create and start for the checks below", up.message());
      return;
    }
    health_burst(*instance);
    services(*instance);
    if (hung_.empty()) reloads(*instance);
    if (hung_.empty()) state_round_trip(*instance);
    if (hung_.empty()) stop_during_health(*instance);
    if (hung_.empty()) (void)instance->destroy(by(o_.stop_timeout));
  }

  void health_burst(PluginInstance& instance) {
    const std::string label = std::to_string(o_.health_calls) + " health calls at once answer with valid reports";
    if (!instance.has_health_check()) return r_.skip("health", label, "no \"health\" capability");
    const auto began = Clock::now();
    auto answers = instance.health_burst(o_.health_calls, by(o_.call_timeout));
    const auto took = Clock::now() - began;
    std::vector<std::string> problems;
    std::set<std::string> statuses;
    for (size_t i = 0; i < answers.size(); ++i) {
      auto status = answers[i].ok() ? report_status(*answers[i]) : StatusOr<std::string>(answers[i].status());
      if (status.ok()) {
        statuses.insert(*status);
        baseline_ = *status;
      } else if (problems.size() < 3) {
        problems.push_back("call " + std::to_string(i + 1) + ": " + status.status().message());
      } else {
        problems.resize(4, "...");
      }
    }
    if (runner_.hung_calls() > 0) hung_ = "health";
    if (!problems.empty()) return r_.fail("health", label, join(problems, "; "));
    r_.pass("health", label,
            "all in " + ms_text(took) + ", " + join(std::vector<std::string>(statuses.begin(), statuses.end()), "/"));
  }

  void services(PluginInstance& instance) {
    const char* label = "get_service gives a table of the declared size";
    if (metadata_.provides.empty()) return r_.skip("services", label, "provides nothing");
    hostapi::HostFacilities& f = host_->facilities();
    for (const loader::ApiVersion& api : metadata_.provides) {
      const std::string row = "get_service(" + api.to_string() + ") gives a table of the declared size";
      hyperion_service* handle = f.services.acquire(nullptr, instance.name(), api.api, api.major);
      hyperion_service_ref_t ref{};
      ref.struct_size = sizeof ref;
      Status entered = f.services.enter(handle, &ref);
      std::string problem;
      size_t size = 0;
      if (!entered.ok()) {
        problem = "not published: " + entered.message();
      } else {
        if (ref.vtable != nullptr) std::memcpy(&size, ref.vtable, sizeof(uint32_t));
        size &= 0xffffffffu;
        size_t needed = sizeof(uint32_t) + sizeof(void*);
        std::string needed_by = "one function";
        for (const KnownTable& k : kKnownTables) {
          if (api.api == k.api && api.minor >= k.minor) {
            needed = k.size;
            needed_by = "the " + api.api + " 1." + std::to_string(k.minor) + " table of its header";
          }
        }
        if (ref.api_minor < api.minor) {
          problem = "implements minor " + std::to_string(ref.api_minor) + ", the metadata declares " + api.to_string();
        } else if (size < needed) {
          problem = "its table's struct_size is " + std::to_string(size) + " bytes, " + needed_by + " has " +
                    std::to_string(needed);
        }
        f.services.leave(handle);
      }
      f.services.release(handle);
      if (!problem.empty()) {
        r_.fail("services", row, problem);
      } else {
        r_.pass("services", row, std::to_string(size) + " bytes, minor " + std::to_string(ref.api_minor));
      }
    }
  }

  // prepare + commit of `to` on an instance running `from`; a failed commit
  // says so in its message (prepare may refuse, commit should not fail).
  Status reload_to(PluginInstance& instance, const json::object& from, const json::object& to,
                   bool* commit_failed = nullptr) {
    auto changes = reload::diff_config(from, to, metadata_.config_schema, {});
    HYPERION_RETURN_IF_ERROR(instance.reload_prepare(to, reload::changes_to_abi_json(changes), by(o_.call_timeout)));
    Status committed = instance.reload_commit(by(o_.call_timeout));
    if (!committed.ok() && commit_failed != nullptr) *commit_failed = true;
    return committed;
  }

  // The health status now, or why there is none (empty when the plugin reports no health).
  StatusOr<std::string> status_now(PluginInstance& instance) {
    if (!instance.has_health_check()) return std::string();
    auto report = instance.health(by(o_.call_timeout));
    if (!report.ok()) return report.status();
    return report_status(*report);
  }

  // Not ok when the plugin reports worse health than it did before the reloads.
  Status still_healthy(PluginInstance& instance) {
    auto now = status_now(instance);
    if (!now.ok()) return now.status();
    // HealthStatus is ordered by severity; both texts were checked by report_status().
    if (!now->empty() && !baseline_.empty() &&
        *health::parse_health_status(*now) > *health::parse_health_status(baseline_)) {
      return unavailable("it reports " + *now + " afterwards (" + baseline_ + " before)");
    }
    return ok_status();
  }

  void reloads(PluginInstance& instance) {
    if (!metadata_.has("reload")) {
      for (const char* c : {"each dynamic field reloads live", "prepare then abort leaves it as it was"}) {
        r_.skip("reload", c, "no \"reload\" capability");
      }
      return;
    }
    if (dynamic_.empty()) return r_.skip("reload", "each dynamic field reloads live", "no x-dynamic field");
    std::optional<json::object> first;  // the first change that applied, for the abort check
    for (const std::string& pointer : dynamic_) {
      reload_field(instance, pointer, first);
      if (!hung_.empty()) return;
    }
    abort_leaves_it(instance, first);
    schema_refuses_invalid();
  }

  // Whether a fresh instance accepts `config` at create (nothing started):
  // the plugin's own checks beyond the schema, which a reload must match.
  Status accepted_at_create(const json::object& config) {
    auto probe = make_instance(metadata_.name + "-probe");
    Status s = probe->create(config, by(o_.start_timeout));
    note_hung(*probe, "create");
    if (hung_.empty()) (void)probe->destroy(by(o_.stop_timeout));
    return s;
  }

  // One dynamic field: a different valid value is prepared and committed,
  // health is no worse, and the old value goes back the same way. A value the
  // plugin refuses is a lie about "x-dynamic" only when a fresh instance would
  // take it at create; otherwise it is the plugin's own validation, and the
  // next candidate is tried.
  void reload_field(PluginInstance& instance, const std::string& pointer, std::optional<json::object>& first) {
    const std::string row = "reload " + pointer;
    const json::object& schema = metadata_.config_schema;
    const bool secret = config::inherited_annotation(schema, pointer, "x-secret");
    const json::value* old_value = value_at(effective_, pointer);
    const std::string from = old_value ? shown(*old_value, secret) : "(absent)";
    auto values = different_valid_values(*validator_, schema, effective_, pointer, 6);
    if (values.empty()) {
      return r_.skip("reload", row, "no different value its schema accepts was found (add \"examples\" to it)");
    }
    std::vector<std::string> refused;
    for (const json::value& value : values) {
      json::object next = with_value(effective_, pointer, value);
      validator_->apply_defaults_and_validate(next);
      const std::string change = from + " -> " + shown(value, secret);
      bool commit_failed = false;
      Status applied = reload_to(instance, effective_, next, &commit_failed);
      note_hung(instance, "reload");
      if (!hung_.empty()) return r_.fail("reload", row, change + ": " + applied.message());
      if (commit_failed) {
        return r_.fail("reload", row, change + ": commit failed after a successful prepare: " + applied.message());
      }
      if (!applied.ok() && applied.code() != StatusCode::kInvalidArgument &&
          applied.code() != StatusCode::kFailedPrecondition) {
        // Not a verdict on the value (an address in use, a peer away): try another.
        refused.push_back(shown(value, secret) + " (" + applied.message() + ")");
        continue;
      }
      if (!applied.ok()) {
        Status at_create = accepted_at_create(next);
        if (!hung_.empty()) return r_.fail("reload", row, change + ": create hung: " + at_create.message());
        if (at_create.ok()) {
          return r_.fail("reload", row,
                         change +
                             ": refused by reload but accepted by create, so it needs a restart and is not "
                             "dynamic: " +
                             applied.message());
        }
        refused.push_back(shown(value, secret));
        continue;
      }
      Status healthy = still_healthy(instance);
      Status back = reload_to(instance, next, effective_);
      note_hung(instance, "reload");
      if (!healthy.ok()) return r_.fail("reload", row, change + ": applied, but " + healthy.message());
      if (!back.ok())
        return r_.fail("reload", row, change + ": applied, but changing it back failed: " + back.message());
      if (!first) first = next;
      return r_.pass("reload", row, change + " and back");
    }
    r_.skip("reload", row,
            "no value tried applied (" + join(refused, ", ") +
                "); each was refused by create as well, or could not apply here: add \"examples\" it accepts");
  }

  void abort_leaves_it(PluginInstance& instance, const std::optional<json::object>& next) {
    const char* row = "prepare then abort leaves it as it was";
    if (!next) return r_.skip("reload", row, "no change applied above");
    auto changes = reload::diff_config(effective_, *next, metadata_.config_schema, {});
    Status prepared = instance.reload_prepare(*next, reload::changes_to_abi_json(changes), by(o_.call_timeout));
    if (!prepared.ok()) return r_.fail("reload", row, "prepare: " + prepared.message());
    Status aborted = instance.reload_abort(by(o_.call_timeout));
    note_hung(instance, "reload_abort");
    if (!aborted.ok()) return r_.fail("reload", row, "abort: " + aborted.message());
    if (Status healthy = still_healthy(instance); !healthy.ok()) return r_.fail("reload", row, healthy.message());
    // Nothing of the aborted change is left behind: the same change applies again.
    Status again = reload_to(instance, effective_, *next);
    if (again.ok()) again = reload_to(instance, *next, effective_);
    note_hung(instance, "reload");
    if (!again.ok()) return r_.fail("reload", row, "the same change after the abort: " + again.message());
    r_.pass("reload", row, "then the same change applies and reverts");
  }

  void schema_refuses_invalid() {
    const char* row = "an invalid value never reaches the plugin";
    std::vector<std::string> open;
    std::string example;
    for (const std::string& pointer : dynamic_) {
      auto refused = refused_value(*validator_, effective_, pointer);
      if (!refused) {
        open.push_back(pointer);
      } else if (example.empty()) {
        example = "e.g. " + pointer + " = " + shown(*refused, false) + " is refused by the schema";
      }
    }
    if (!open.empty()) {
      return r_.fail("reload", row,
                     "the schema accepts any JSON value at " + join(open, ", ") +
                         ", so a reload hands the plugin whatever it is given: give each a \"type\"");
    }
    r_.pass("reload", row, example);
  }

  void state_round_trip(PluginInstance& instance) {
    const char* row = "export -> import into a fresh instance round-trips";
    if (!instance.has_state()) return r_.skip("state", row, "no \"state\" capability");
    constexpr size_t kMaxState = 64u << 20;
    auto exported = instance.export_state(kMaxState, by(o_.call_timeout));
    note_hung(instance, "state_export");
    if (!exported.ok()) return r_.fail("state", row, "export: " + exported.status().message());
    auto fresh = make_instance(metadata_.name + "-imported");
    Status s = fresh->create(effective_, by(o_.start_timeout));
    if (s.ok()) s = fresh->import_state(*exported, by(o_.call_timeout));
    if (s.ok()) s = fresh->start(by(o_.start_timeout));
    StatusOr<std::string> again =
        s.ok() ? fresh->export_state(kMaxState, by(o_.call_timeout)) : StatusOr<std::string>(s);
    note_hung(*fresh, "state_import");
    if (fresh->state() == InstanceState::kRunning) (void)fresh->stop(by(o_.stop_timeout));
    if (hung_.empty()) (void)fresh->destroy(by(o_.stop_timeout));
    if (!again.ok()) return r_.fail("state", row, again.status().message());
    if (*again != *exported) {
      return r_.fail("state", row,
                     "the fresh instance exports " + std::to_string(again->size()) + " bytes that differ from the " +
                         std::to_string(exported->size()) + " it imported");
    }
    r_.pass("state", row, std::to_string(exported->size()) + " bytes, exported again unchanged");
  }

  void stop_during_health(PluginInstance& instance) {
    const char* row = "stop while health calls run";
    if (!instance.has_health_check()) {
      Status s = instance.stop(by(o_.stop_timeout));
      note_hung(instance, "stop");
      if (!s.ok()) r_.fail("lifecycle", "stop after the checks above", s.message());
      return r_.skip("lifecycle", row, "no \"health\" capability");
    }
    std::mutex mu;
    std::condition_variable cv;
    int bursts = 0;
    std::atomic<bool> stopped{false};
    std::thread callers([&] {
      // Bounded: stops with the instance, at most 200 bursts either way.
      for (int i = 0; i < 200 && !stopped.load(); ++i) {
        (void)instance.health_burst(8, by(o_.call_timeout));
        std::lock_guard lock(mu);
        ++bursts;
        cv.notify_all();
      }
    });
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, o_.call_timeout, [&] { return bursts > 0; });
    }
    const auto began = Clock::now();
    Status s = instance.stop(by(o_.stop_timeout));
    const auto took = Clock::now() - began;
    stopped = true;
    callers.join();
    note_hung(instance, "stop");
    if (runner_.hung_calls() > 0 && hung_.empty()) hung_ = "health";
    if (!s.ok()) return r_.fail("lifecycle", row, s.message());
    r_.pass("lifecycle", row, "stopped in " + ms_text(took) + " beside " + std::to_string(bursts) + " burst(s) of 8");
  }

  void unload() {
    const char* row = "the library leaves the process after destroy";
    if (!plugin_) return;
    if (!hung_.empty() || plugin_->pinned.load()) {
      plugin_.reset();
      return r_.skip("unload", row, "a call never returned: a host never unloads such a library");
    }
    const std::string mapped = plugin_->cached_path;
    plugin_.reset();
    if (!os::SharedLibrary::is_loaded(mapped)) return r_.pass("unload", row, "unmapped by dlclose");
    auto report = loader::inspect_library(mapped);
    if (report.ok() && !report->unique_symbols.empty()) {
      std::vector<std::string> some(
          report->unique_symbols.begin(),
          report->unique_symbols.begin() + std::min<size_t>(3, report->unique_symbols.size()));
      return r_.fail("unload", row,
                     "still mapped: " + std::to_string(report->unique_symbols.size()) +
                         " STB_GNU_UNIQUE symbol(s) pin it (" + join(some, ", ") +
                         "); build with -fno-gnu-unique and hidden visibility, as hyperion_add_plugin() does");
    }
    if (report.ok() && !report->unload_warnings.empty()) {
      return r_.pass("unload", row, "stays mapped, as `hyperion inspect` says: " + report->unload_warnings.front());
    }
    r_.fail("unload", row,
            "still mapped after dlclose and `hyperion inspect` finds no cause: a thread of the plugin still running, "
            "a thread_local with a destructor, or RTLD_NODELETE keeps it");
  }

  const CheckOptions& o_;
  CheckReport& r_;
  os::ScratchFolder scratch_;
  const std::string cwd_;
  loader::PluginMetadata metadata_;
  std::optional<config::ConfigValidator> validator_;
  json::object effective_;  // the config with defaults, as create sees it
  std::vector<std::string> dynamic_;
  std::string baseline_;  // the health status before any reload
  std::string hung_;      // the call the plugin hung in, if it did
  // Destroyed in reverse: instances are gone before these; the host last but one.
  std::unique_ptr<CheckHost> host_;
  std::optional<loader::Loader> loader_;
  std::shared_ptr<loader::LoadedPlugin> plugin_;
  lifecycle::CallRunner runner_;
};

}  // namespace

CheckReport run_check(const CheckOptions& options) {
  CheckReport report;
  report.library = options.library;
  Battery(options, report).run();
  return report;
}

}  // namespace hyperion::check
