#include "health_endpoints.h"

#include <algorithm>

namespace hyperion::plugins::health {
namespace {

namespace json = boost::json;

bool excluded(const std::vector<std::string>& exclude, std::string_view name) {
  return std::find(exclude.begin(), exclude.end(), name) != exclude.end();
}

int rank(std::string_view status) { return status == "healthy" ? 0 : status == "degraded" ? 1 : 2; }

// The snapshot without the excluded instances, with status and readiness
// recomputed. `verbose` adds to each instance the last reload that touched it
// and the host's reload breaker state.
json::object filtered(const json::object& snapshot, const std::vector<std::string>& exclude, bool verbose,
                      bool details) {
  json::object out = snapshot;
  json::object instances;
  const json::object* reloads = nullptr;
  const json::value* breaker = nullptr;
  if (const json::value* r = snapshot.if_contains("reload"); verbose && r != nullptr && r->is_object()) {
    if (const json::value* i = r->as_object().if_contains("instances"); i != nullptr && i->is_object()) {
      reloads = &i->as_object();
    }
    if (const json::value* b = r->as_object().if_contains("breaker"); b != nullptr && b->is_object()) {
      breaker = b->as_object().if_contains("state");
    }
  }
  int worst = 0;
  bool required_unhealthy = false;
  for (const auto& kv : snapshot.at("instances").as_object()) {
    if (excluded(exclude, kv.key())) continue;
    const json::object& i = kv.value().as_object();
    int r = rank(i.at("status").as_string());
    bool optional = i.at("optional").as_bool();
    worst = std::max(worst, optional ? std::min(r, 1) : r);
    required_unhealthy = required_unhealthy || (!optional && r == 2);
    instances[kv.key()] = kv.value();
    if (verbose) {
      json::object& shown = instances[kv.key()].as_object();
      if (!details) shown.erase("details");
      const json::value* last = reloads != nullptr ? reloads->if_contains(kv.key()) : nullptr;
      shown["last_reload"] = last != nullptr ? *last : json::value(nullptr);
      if (breaker != nullptr) shown["reload_breaker"] = *breaker;
    }
  }
  static constexpr const char* kNames[] = {"healthy", "degraded", "unhealthy"};
  out["instances"] = std::move(instances);
  out["status"] = kNames[worst];
  out["ready"] = snapshot.at("phase").as_string() == "running" && !snapshot.at("draining").as_bool() &&
                 !required_unhealthy;
  return out;
}

// Text for humans: "ok", or why not, one problem a line.
std::string reasons(const json::object& view) {
  std::string out;
  for (const auto& kv : view.at("instances").as_object()) {
    const json::object& i = kv.value().as_object();
    if (i.at("status").as_string() == "healthy") continue;
    out += std::string(kv.key()) + ": " + std::string(i.at("status").as_string()) + ": " +
           std::string(i.at("message").as_string()) + "\n";
  }
  return out;
}

Answer reply(bool ok, const json::object& view, bool verbose, const std::string& what) {
  Answer a;
  a.status = ok ? 200 : 503;
  if (verbose) {
    a.content_type = "application/json";
    a.body = json::serialize(view) + "\n";
  } else {
    a.body = ok ? "ok\n" : what + "\n" + reasons(view);
  }
  return a;
}

}  // namespace

Answer answer(const std::string& path, const json::object& snapshot, const std::vector<std::string>& exclude,
              bool verbose, bool details) {
  json::object view = filtered(snapshot, exclude, verbose, details);
  const std::string phase(snapshot.at("phase").as_string());
  if (path == "/livez" || path == "/health/live") return reply(true, view, verbose, "");
  if (path == "/readyz" || path == "/health/ready") {
    std::string why = view.at("draining").as_bool() ? "not ready: draining" : "not ready (phase " + phase + ")";
    return reply(view.at("ready").as_bool(), view, verbose, why);
  }
  if (path == "/startupz") {
    bool started = phase != "created" && phase != "starting";
    return reply(started, view, verbose, "not started (phase " + phase + ")");
  }
  if (path == "/healthz") {
    return reply(view.at("status").as_string() != "unhealthy", view, verbose, "unhealthy");
  }
  static const std::string kInstancePrefix = "/readyz/";
  if (path.starts_with(kInstancePrefix)) {
    std::string name = path.substr(kInstancePrefix.size());
    const json::value* i = snapshot.at("instances").as_object().if_contains(name);
    if (i == nullptr) return {404, "text/plain", "no instance \"" + name + "\"\n"};
    json::object one{{"instances", json::object{{name, *i}}}};
    bool ok = i->at("status").as_string() != "unhealthy";
    Answer a;
    a.status = ok ? 200 : 503;
    if (verbose) {
      a.content_type = "application/json";
      const json::value* shown = view.at("instances").as_object().if_contains(name);
      json::value one_shown = shown != nullptr ? *shown : *i;
      if (!details && one_shown.is_object()) one_shown.as_object().erase("details");
      a.body = json::serialize(one_shown) + "\n";
    } else {
      a.body = ok ? "ok\n" : name + ": " + std::string(i->at("message").as_string()) + "\n";
    }
    return a;
  }
  return {404, "text/plain", "no such endpoint\n"};
}

}  // namespace hyperion::plugins::health
