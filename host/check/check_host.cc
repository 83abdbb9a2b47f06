#include "check/check_host.h"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "graph/dependency_graph.h"
#include "loader/loader.h"
#include "paths/plugin_search_path.h"
#include "planning/resolved_app.h"

namespace hyperion::check {
namespace {

namespace json = boost::json;

// Required APIs the kit can provide without being told how: the plugin that
// serves each ships with Hyperion, and this config keeps it on loopback with
// a port the kernel picks.
struct KnownProvider {
  const char* api;
  const char* library;
  const char* config_json;
};
constexpr KnownProvider kKnownProviders[] = {
    {"http.server", "http-server", R"({"listen": "127.0.0.1:0"})"},
    {"grpc.server", "grpc-server", R"({"listen": "127.0.0.1:0"})"},
    {"http.client", "http-client", "{}"},
    {"grpc.client", "grpc-client", "{}"},
    {"discovery", "discovery", "{}"},
    {"trace", "tracing", "{}"},
};

struct Candidate {
  std::string instance;
  std::string library;  // as given, or the resolved file of a known provider
  json::object config;
  loader::PluginMetadata metadata;
};

const Candidate* provider_of(const std::vector<Candidate>& candidates, const loader::ApiVersion& api) {
  for (const Candidate& c : candidates) {
    for (const loader::ApiVersion& p : c.metadata.provides) {
      if (loader::satisfies(p, api)) return &c;
    }
  }
  return nullptr;
}

bool host_provides(const loader::ApiVersion& api) {
  for (const loader::ApiVersion& p : planning::host_provided_apis()) {
    if (loader::satisfies(p, api)) return true;
  }
  return false;
}

std::string unique_name(const std::vector<Candidate>& taken, const std::string& base) {
  std::string name = base;
  for (int i = 2;; ++i) {
    bool used = false;
    for (const Candidate& c : taken) used = used || c.instance == name;
    if (!used) return name;
    name = base + "-" + std::to_string(i);
  }
}

}  // namespace

StatusOr<std::unique_ptr<CheckHost>> CheckHost::start(const std::string& folder, const loader::PluginMetadata& subject,
                                                      const std::vector<ProviderLibrary>& with,
                                                      const std::vector<std::string>& plugin_path,
                                                      const std::string& log_level, std::vector<std::string>& notes) {
  const std::string cwd = std::filesystem::current_path().string();
  // Reads files only: no plugin code runs until the host starts.
  loader::Loader files(paths::plugin_search_path(plugin_path, {}), "");
  std::vector<Candidate> candidates;
  for (const ProviderLibrary& w : with) {
    auto inspected = files.inspect(w.library, cwd);
    if (!inspected.ok())
      return Status(inspected.status().code(), "--with " + w.library + ": " + inspected.status().message());
    candidates.push_back(
        {unique_name(candidates, "with-" + inspected->metadata.name), inspected->path, w.config, inspected->metadata});
    notes.push_back("--with " + w.library + " runs as \"" + candidates.back().instance + "\"");
  }
  auto host = std::unique_ptr<CheckHost>(new CheckHost());
  for (const loader::Requirement& r : subject.requires_) {
    if (host_provides(r.api)) {
      host->bindings_[r.api.api] = graph::kHostProvider;
      continue;
    }
    if (const Candidate* c = provider_of(candidates, r.api)) {
      host->bindings_[r.api.api] = c->instance;
      continue;
    }
    if (r.optional) {
      notes.push_back("optional " + r.api.to_string() + ": not provided (name a provider with --with LIB.so)");
      continue;
    }
    Status missing(StatusCode::kNotFound,
                   "requires " + r.api.to_string() + ", which nothing provides: name a provider with --with LIB.so");
    for (const KnownProvider& k : kKnownProviders) {
      if (r.api.api != k.api) continue;
      auto inspected = files.inspect(k.library, cwd);
      if (!inspected.ok()) {
        missing = Status(StatusCode::kNotFound, "requires " + r.api.to_string() + "; its provider \"" + k.library +
                                                    "\" is not on the plugin search path (" +
                                                    inspected.status().message() + "): name one with --with LIB.so");
        break;
      }
      candidates.push_back({unique_name(candidates, "kit-" + inspected->metadata.name), inspected->path,
                            json::parse(k.config_json).as_object(), inspected->metadata});
      if (provider_of({candidates.back()}, r.api) == nullptr) {
        candidates.pop_back();
        missing = Status(StatusCode::kNotFound, "requires " + r.api.to_string() + "; the installed \"" + k.library +
                                                    "\" does not provide that version: name one with --with LIB.so");
        break;
      }
      host->bindings_[r.api.api] = candidates.back().instance;
      notes.push_back(r.api.to_string() + " from the installed " + k.library + " (" + inspected->path + ") with " +
                      k.config_json);
      missing = ok_status();
      break;
    }
    HYPERION_RETURN_IF_ERROR(missing);
  }

  // JSON is YAML: the manifest is written as JSON, every value quoted right.
  json::array plugins;
  for (const Candidate& c : candidates) {
    plugins.push_back({{"name", c.instance}, {"library", c.library}, {"config", c.config}});
  }
  json::array search;
  for (const std::string& p : plugin_path) search.push_back(json::value(std::filesystem::absolute(p).string()));
  json::object manifest{{"app", "hyperion-check"},
                        {"host",
                         {{"state_dir", folder + "/state"},
                          {"log_level", log_level},
                          {"plugin_path", std::move(search)},
                          {"admin", {{"enabled", false}}},
                          {"reload", {{"watch", false}}}}},
                        {"plugins", std::move(plugins)}};
  const std::string path = folder + "/check-manifest.yaml";
  {
    std::ofstream out(path);
    out << json::serialize(manifest) << "\n";
    if (!out) return Status(StatusCode::kInternal, "cannot write " + path);
  }
  app::HostOptions options;
  options.plugin_path = plugin_path;
  auto prepared = app::Host::prepare(path, options);
  if (!prepared.ok()) return Status(prepared.status().code(), "the providers' host: " + prepared.status().message());
  host->host_ = std::move(*prepared);
  Status started = host->host_->start();
  if (!started.ok()) return Status(started.code(), "the providers' host: " + started.message());
  return host;
}

CheckHost::~CheckHost() {
  if (host_) (void)host_->stop();
}

}  // namespace hyperion::check
