#include "consul_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "key_mapping.h"
#include "stores/store_config.h"

namespace hyperion::plugins::consul_config {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kSnapshotFile = "last-known-good.json";

std::string string_or(const json::object& o, const char* key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}

std::chrono::milliseconds ms(const json::object& o, const char* key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return std::chrono::milliseconds(v != nullptr && v->is_int64() ? v->as_int64() : fallback);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fallback file mirrors the store: keys relative to the prefix, each value
// a string (as stored) or a YAML value (kept as flow YAML text, which the key
// mapping reads like a store's YAML value).
std::map<std::string, std::string> fallback_keys(const std::string& prefix, const std::string& path) {
  YAML::Node doc = YAML::LoadFile(path);
  if (!doc.IsMap()) throw std::runtime_error(path + ": expected a mapping of keys (relative to the prefix) to values");
  std::map<std::string, std::string> kvs;
  for (const auto& kv : doc) {
    const std::string key = prefix + kv.first.as<std::string>();
    if (kv.second.IsScalar()) {
      kvs[key] = kv.second.as<std::string>();
    } else {
      YAML::Emitter out;
      out << YAML::Flow << kv.second;
      kvs[key] = out.c_str();
    }
  }
  return kvs;
}

}  // namespace

Settings Settings::from_config(const json::object& config) {
  Settings s;
  s.type = string_or(config, "type", "etcd");
  s.endpoints = stores::endpoints_from(config.if_contains("address"));
  s.prefix = string_or(config, "prefix");
  while (!s.prefix.empty() && s.prefix.front() == '/') s.prefix.erase(0, 1);
  if (s.prefix.empty() || s.prefix.back() != '/') s.prefix += '/';
  s.watch = config.at("watch").as_bool();
  s.required = config.at("required").as_bool();
  s.username = string_or(config, "username");
  s.password = string_or(config, "password");
  s.tls = stores::tls_from(config);
  s.token = string_or(config, "token");
  s.consistency = stores::consistency_from(config);
  if (const json::value* wait = config.if_contains("wait_s"); wait != nullptr && wait->is_int64()) {
    s.consul_watch.wait = std::chrono::seconds(wait->as_int64());
  }
  s.consul_watch.rate_interval = ms(config, "rate_limit_ms", 1000);
  s.fallback_file = string_or(config, "fallback_file");
  s.connect_timeout = ms(config, "connect_timeout_ms", 5000);
  s.debounce = ms(config, "debounce_ms", 100);
  if (const json::value* retry = config.if_contains("retry"); retry != nullptr && retry->is_object()) {
    s.retry_initial = ms(retry->as_object(), "initial_ms", 500);
    s.retry_max = ms(retry->as_object(), "max_ms", 30000);
  }
  return s;
}

ConsulConfig::ConsulConfig(hyperion::Context& ctx, const json::object& config)
    : ctx_(ctx), settings_(Settings::from_config(config)) {
  stores::warm_up_http();  // before any thread of ours: see its comment
  if (settings_.endpoints.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "address: at least one endpoint");
  }
  if (!settings_.tls.cert_file.empty() && settings_.tls.key_file.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "tls.cert_file needs tls.key_file");
  }
  // Each store's own way to say who we are: refused for the other, rather than ignored.
  if (settings_.type == "consul") {
    if (!settings_.username.empty() || !settings_.password.empty()) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "username/password are etcd's: Consul takes an ACL token (the token field)");
    }
    consul::ClientSettings client;
    client.endpoints = settings_.endpoints;
    client.token = settings_.token;
    client.tls = settings_.tls;
    client.consistency = settings_.consistency;
    client.timeout = settings_.connect_timeout;
    source_ = make_consul_source(std::move(client), settings_.prefix, settings_.consul_watch);
  } else {
    if (!settings_.token.empty()) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "token is Consul's: etcd takes username and password");
    }
    etcd::ClientSettings client;
    client.endpoints = settings_.endpoints;
    client.username = settings_.username;
    client.password = settings_.password;
    client.tls = settings_.tls;
    client.timeout = settings_.connect_timeout;
    source_ = make_etcd_source(std::move(client), settings_.prefix);
  }
}

// Destroyed without a stop (its start failed, or the host gave up on it): the
// same shutdown.
ConsulConfig::~ConsulConfig() { shut_down(); }

void ConsulConfig::start(hyperion::Deadline) {
  ctx_.describe_metric("remote_config_watch_reconnects_total",
                       "Times the watch on the remote store was opened again after it broke.");
  ctx_.describe_metric("remote_config_changes_total",
                       "Changes of the remote configuration handed to the host, by outcome (applied, refused).");
  ctx_.describe_metric("remote_config_apply_seconds",
                       "Time from a change seen in the store to the host's decision on it, in seconds.");
  state_dir_ = ctx_.state_dir();
  std::optional<KvSnapshot> initial;
  try {
    initial = source_->read();
    last_contact_ = Clock::now();
  } catch (const std::exception& e) {
    const std::string why = "cannot read " + source_->name() + " at " + source_->endpoint() + ": " + e.what();
    if (settings_.required) throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, why + " (required: true)");
    last_error_ = why;
    initial = load_fallback();
    ctx_.warn(why + (initial ? "; serving " + fallback_origin_ + " until it answers"
                             : "; no fallback: the manifest's configs run"));
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    if (initial) {
      pending_ = *initial;
      pending_since_ = Clock::now() - settings_.debounce;  // the first layer goes out at once
      if (!on_fallback_) current_ = *initial;
    }
  }
  source_->resume();
  applier_ = std::thread([this] { apply_loop(); });
  if (settings_.watch) watcher_ = std::thread([this] { watch_loop(); });
}

void ConsulConfig::stop(hyperion::Deadline) { shut_down(); }

void ConsulConfig::shut_down() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (source_) source_->stop();
  if (watcher_.joinable()) watcher_.join();
  if (applier_.joinable()) applier_.join();
}

std::optional<KvSnapshot> ConsulConfig::load_fallback() {
  try {
    if (!settings_.fallback_file.empty()) {
      KvSnapshot s;
      s.kvs = fallback_keys(settings_.prefix, settings_.fallback_file);
      on_fallback_ = true;
      fallback_origin_ = "fallback_file " + settings_.fallback_file;
      return s;
    }
    const std::string path = state_dir_ + "/" + kSnapshotFile;
    if (!std::filesystem::exists(path)) return std::nullopt;
    json::value doc = json::parse(read_text(path));
    KvSnapshot s;
    s.index = doc.at("index").as_int64();
    for (const auto& kv : doc.at("kvs").as_object()) s.kvs[std::string(kv.key())] = std::string(kv.value().as_string());
    on_fallback_ = true;
    fallback_origin_ = "the last-known-good snapshot (index " + std::to_string(s.index) + ")";
    return s;
  } catch (const std::exception& e) {
    ctx_.error(std::string("fallback unreadable: ") + e.what());
    return std::nullopt;
  }
}

void ConsulConfig::save_last_known_good(const KvSnapshot& snapshot) const {
  json::object kvs;
  for (const auto& [k, v] : snapshot.kvs) kvs[k] = v;
  const std::string text =
      json::serialize(json::object{{"source", source_->name()}, {"index", snapshot.index}, {"kvs", std::move(kvs)}});
  const std::string path = state_dir_ + "/" + kSnapshotFile;
  const std::string tmp = path + ".tmp";
  // 0600 from the first byte: the snapshot may hold secrets.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    ctx_.warn("cannot write " + tmp);
    return;
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) ctx_.warn("cannot write " + path);
}

bool ConsulConfig::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void ConsulConfig::offer(const KvSnapshot& snapshot, bool from_store) {
  std::lock_guard lock(mu_);
  pending_ = snapshot;
  pending_since_ = Clock::now();
  if (from_store) {
    last_contact_ = Clock::now();
    on_fallback_ = false;
    store_down_ = false;
    last_error_.clear();
  }
  cv_.notify_all();
}

void ConsulConfig::watch_loop() {
  std::chrono::milliseconds backoff = settings_.retry_initial;
  for (;;) {
    std::optional<KvSnapshot> from;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      from = current_;
    }
    if (!from) {
      try {
        KvSnapshot read = source_->read();
        {
          std::lock_guard lock(mu_);
          current_ = read;
        }
        offer(read, true);  // what changed while the store was away is applied now
        backoff = settings_.retry_initial;
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(mu_);
          last_error_ = std::string("cannot read ") + source_->name() + ": " + e.what();
        }
        if (!pause(stores::jittered_backoff(backoff, settings_.retry_max))) return;
      }
      continue;
    }
    std::string why = source_->follow(*from, [&](const KvSnapshot& s) { offer(s, true); });
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    ctx_.counter_add("remote_config_watch_reconnects_total", 1);
    // A stream ends for many reasons (an idle re-open, a compaction, a dead
    // store): ask the store. An answer resumes at once from what it says now
    // (nothing missed); no answer is an outage, retried with backoff.
    try {
      KvSnapshot now = source_->read();
      const bool changed = now.kvs != from->kvs;
      {
        std::lock_guard lock(mu_);
        current_ = now;
        store_down_ = false;
        last_contact_ = Clock::now();
      }
      if (changed) offer(now, true);
      backoff = settings_.retry_initial;
    } catch (const std::exception& e) {
      {
        std::lock_guard lock(mu_);
        current_ = *from;
        store_down_ = true;
        last_error_ = why + "; " + e.what();
      }
      ctx_.warn("lost " + source_->name() + " (" + why + "); the last good configuration keeps running, retrying");
      if (!pause(stores::jittered_backoff(backoff, settings_.retry_max))) return;
    }
  }
}

void ConsulConfig::apply_loop() {
  for (;;) {
    KvSnapshot snapshot;
    {
      std::unique_lock lock(mu_);
      // Wait for a snapshot, then until changes have been quiet for debounce.
      for (;;) {
        if (stopping_) return;
        if (pending_ && Clock::now() - pending_since_ >= settings_.debounce) break;
        if (pending_)
          cv_.wait_until(lock, pending_since_ + settings_.debounce);
        else
          cv_.wait(lock);
      }
      snapshot = std::move(*pending_);
      pending_.reset();
    }
    apply(snapshot);
  }
}

void ConsulConfig::apply(const KvSnapshot& snapshot) {
  MappedLayer mapped = map_keys(settings_.prefix, snapshot.kvs);
  auto refuse = [&](const std::string& why) {
    {
      std::lock_guard lock(mu_);
      last_refusal_ = why;
    }
    ctx_.error("change at index " + std::to_string(snapshot.index) +
               " refused, the last good configuration keeps running: " + why);
    ctx_.counter_add("remote_config_changes_total", 1, R"({"outcome":"refused"})");
    try {
      ctx_.emit_event(
          "dev.hyperion.remote_config.refused",
          json::serialize(json::object{{"source", source_->name()}, {"index", snapshot.index}, {"reason", why}}));
    } catch (const std::exception&) {
    }
  };
  if (!mapped.errors.empty()) {
    std::string why;
    for (const std::string& e : mapped.errors) why += (why.empty() ? "" : "; ") + e;
    refuse(why);
    return;
  }
  const std::string layer = json::serialize(mapped.layer);
  {
    std::lock_guard lock(mu_);
    if (layer == applied_layer_) {
      applied_index_ = snapshot.index;
      return;  // nothing this source says has changed
    }
  }
  const auto started = Clock::now();
  try {
    uint64_t revision = ctx_.propose_layer(source_->name(), layer);
    ctx_.histogram_observe("remote_config_apply_seconds",
                           std::chrono::duration<double>(Clock::now() - started).count());
    ctx_.counter_add("remote_config_changes_total", 1, R"({"outcome":"applied"})");
    {
      std::lock_guard lock(mu_);
      applied_layer_ = layer;
      applied_index_ = snapshot.index;
      applied_revision_ = revision;
      last_refusal_.clear();
    }
    if (snapshot.index > 0) save_last_known_good(snapshot);
  } catch (const hyperion::Error& e) {
    if (e.code() == HYPERION_ERR_UNAVAILABLE) {
      // The host is stopping (or stopping us), or its breaker is open: try this
      // snapshot again later unless a newer one comes first.
      std::unique_lock lock(mu_);
      if (stopping_) return;
      if (!pending_) {
        pending_ = snapshot;
        pending_since_ = Clock::now() + settings_.retry_initial;
      }
      last_refusal_ = e.what();
      return;
    }
    refuse(e.what());
  }
}

hyperion::HealthReport ConsulConfig::health() {
  std::lock_guard lock(mu_);
  hyperion::HealthReport r;
  r.details["backend"] = settings_.type;
  r.details["source"] = source_->name();
  r.details["endpoint"] = source_->endpoint();
  r.details["index"] = applied_index_;
  r.details["revision"] = applied_revision_;
  r.details["on_fallback"] = on_fallback_;
  r.details["last_error"] = last_error_;
  r.details["last_refusal"] = last_refusal_;
  if (last_contact_ != Clock::time_point{}) {
    r.details["seconds_since_contact"] = std::chrono::duration<double>(Clock::now() - last_contact_).count();
  }
  if (on_fallback_) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "store unreachable, serving " + fallback_origin_ + ": " + last_error_;
  } else if (store_down_) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "store unreachable, the last good configuration (index " + std::to_string(applied_index_) +
                ") keeps running: " + last_error_;
  } else if (applied_layer_.empty() && !last_error_.empty() && last_contact_ == Clock::time_point{}) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "no configuration from " + source_->name() + " yet: " + last_error_;
  } else if (!last_refusal_.empty()) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "the last change was refused (the previous configuration runs): " + last_refusal_;
  } else {
    r.message = "following " + source_->name() + " at index " + std::to_string(applied_index_);
  }
  return r;
}

}  // namespace hyperion::plugins::consul_config
