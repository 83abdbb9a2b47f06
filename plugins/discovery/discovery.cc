#include "discovery.h"

#include <hyperion/services/discovery.hpp>

#include <cstring>

#include "consul_registry.h"
#include "etcd_registry.h"
#include "kubernetes_registry.h"
#include "stores/store_config.h"

namespace hyperion::plugins::discovery {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Tickets handed out: the service's place (16 bits) over the balancer's ticket (48 bits).
constexpr int kServiceShift = 48;

std::string string_or(const json::object& o, const char* key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}

int64_t int_or(const json::object& o, const char* key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : fallback;
}

// An instance from the manifest (register: and static:); the id defaults to
// <service>-<address>-<port>, unique per host and port.
Instance instance_from_config(const json::object& o) {
  Instance i;
  i.service = string_or(o, "service");
  i.address = string_or(o, "address");
  i.port = static_cast<uint32_t>(int_or(o, "port", 0));
  i.id = string_or(o, "id", i.service + "-" + i.address + "-" + std::to_string(i.port));
  if (const json::value* tags = o.if_contains("tags"); tags != nullptr && tags->is_array()) {
    for (const json::value& t : tags->as_array()) i.tags.emplace_back(t.as_string());
  }
  if (const json::value* meta = o.if_contains("meta"); meta != nullptr && meta->is_object()) {
    for (const auto& kv : meta->as_object()) i.meta[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return i;
}

std::vector<Instance> instances_from_config(const json::object& config, const char* key) {
  std::vector<Instance> out;
  if (const json::value* list = config.if_contains(key); list != nullptr && list->is_array()) {
    for (const json::value& item : list->as_array()) out.push_back(instance_from_config(item.as_object()));
  }
  return out;
}

void check_instance(const Instance& i) {
  if (i.service.empty()) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "an instance needs a service name");
  if (i.id.empty() || i.address.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                          "instance of \"" + i.service + "\" needs an id and an address");
  }
  if (i.port == 0 || i.port > 65535) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                          "instance \"" + i.id + "\" of \"" + i.service + "\": port must be 1..65535");
  }
}

std::vector<Instance> filter(const std::vector<Instance>& all, const Query& query) {
  if (query.tags.empty() && query.meta.empty()) return all;
  std::vector<Instance> out;
  for (const Instance& i : all) {
    if (matches(i, query)) out.push_back(i);
  }
  return out;
}

Query query_from_c(const hyperion_discovery_query_t* q) {
  if (q == nullptr) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "no query");
  Query out;
  out.service = std::string(hyperion::to_view(q->service));
  for (size_t i = 0; i < q->tag_count; ++i) out.tags.emplace_back(hyperion::to_view(q->tags[i]));
  for (size_t i = 0; i < q->meta_count; ++i) {
    out.meta[std::string(hyperion::to_view(q->meta[i].key))] = std::string(hyperion::to_view(q->meta[i].value));
  }
  if (out.service.empty()) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "a query needs a service name");
  return out;
}

// The vtable's functions: C in, C++ inside, nothing C++ out.
Discovery& self(void* ctx) { return *static_cast<Discovery*>(ctx); }

hyperion_status_t c_register(void* ctx, const hyperion_discovery_instance_t* instance, hyperion_error_t* err) {
  return hyperion::sdk::guarded(err, [&] {
    if (instance == nullptr) throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "no instance");
    self(ctx).register_instance(hyperion::discovery::detail::from_c(*instance));
  });
}

hyperion_status_t c_deregister(void* ctx, hyperion_str_t service, hyperion_str_t id, hyperion_error_t* err) {
  return hyperion::sdk::guarded(err, [&] {
    self(ctx).deregister_instance(std::string(hyperion::to_view(service)), std::string(hyperion::to_view(id)));
  });
}

// Hands `instances` to a C callback as the C view, valid during the call.
void deliver(const std::vector<Instance>& instances, hyperion_discovery_instances_fn fn, void* user) {
  std::vector<hyperion::discovery::detail::CInstance> views;
  views.reserve(instances.size());
  std::vector<hyperion_discovery_instance_t> raw;
  raw.reserve(instances.size());
  for (const Instance& i : instances) raw.push_back(views.emplace_back(i).raw);
  fn(user, raw.data(), raw.size());
}

hyperion_status_t c_resolve(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_instances_fn fn,
                            void* user, hyperion_error_t* err) {
  std::vector<Instance> found;
  hyperion_status_t s = hyperion::sdk::guarded(err, [&] { found = self(ctx).resolve(query_from_c(query)); });
  if (s == HYPERION_OK) deliver(found, fn, user);
  return s;
}

hyperion_status_t c_watch(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_instances_fn fn,
                          void* user, uint64_t* out_id, hyperion_error_t* err) {
  return hyperion::sdk::guarded(err, [&] {
    *out_id = self(ctx).watch(query_from_c(query),
                              [fn, user](const std::vector<Instance>& instances) { deliver(instances, fn, user); });
  });
}

void c_unwatch(void* ctx, uint64_t id) { self(ctx).unwatch(id); }

hyperion_status_t c_pick(void* ctx, const hyperion_discovery_query_t* query, hyperion_discovery_picked_fn fn,
                         void* user, hyperion_error_t* err) {
  std::optional<Balancer::Choice> choice;
  hyperion_status_t s = hyperion::sdk::guarded(err, [&] {
    if (query == nullptr || query->service.size == 0) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "a query needs a service name");
    }
    const std::string_view service = hyperion::to_view(query->service);
    if (query->tag_count == 0 && query->meta_count == 0) {
      choice = self(ctx).pick(service, nullptr);  // no filter: nothing copied
    } else {
      const Query q = query_from_c(query);
      choice = self(ctx).pick(service, &q);
    }
    if (!choice) {
      throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, "no healthy instance of \"" + std::string(service) + "\"");
    }
  });
  if (s == HYPERION_OK) {
    hyperion::discovery::detail::CInstance view(*choice->instance);
    fn(user, &view.raw, choice->ticket);
  }
  return s;
}

void c_report(void* ctx, uint64_t ticket, hyperion_discovery_outcome_t outcome) { self(ctx).report(ticket, outcome); }

const hyperion_discovery_v1_t kService = {
    sizeof(hyperion_discovery_v1_t), c_register, c_deregister, c_resolve, c_watch, c_unwatch, c_pick, c_report};

}  // namespace

Settings Settings::from_config(const json::object& config) {
  Settings s;
  s.backend = string_or(config, "backend", "static");
  s.register_instances = instances_from_config(config, "register");
  s.static_instances = instances_from_config(config, "static");
  if (const json::value* follow = config.if_contains("follow"); follow != nullptr && follow->is_array()) {
    for (const json::value& name : follow->as_array()) s.follow.emplace_back(name.as_string());
  }
  if (const json::value* balance = config.if_contains("balance"); balance != nullptr && balance->is_object()) {
    const json::object& b = balance->as_object();
    s.default_policy = *policy_named(string_or(b, "policy", "round_robin"));
    if (const json::value* per = b.if_contains("services"); per != nullptr && per->is_object()) {
      for (const auto& kv : per->as_object()) {
        s.policies[std::string(kv.key())] = *policy_named(std::string(kv.value().as_string()));
      }
    }
  }
  if (const json::value* outlier = config.if_contains("outlier"); outlier != nullptr && outlier->is_object()) {
    const json::object& o = outlier->as_object();
    s.outlier.consecutive_failures = static_cast<int>(int_or(o, "consecutive_failures", 5));
    s.outlier.base_ejection = std::chrono::milliseconds(int_or(o, "base_ejection_ms", 30000));
    s.outlier.max_ejection = std::chrono::milliseconds(int_or(o, "max_ejection_ms", 300000));
    s.outlier.max_ejection_percent = static_cast<int>(int_or(o, "max_ejection_percent", 50));
  }
  s.resolve_timeout = std::chrono::milliseconds(int_or(config, "resolve_timeout_ms", 2000));
  for (const Instance& i : s.register_instances) check_instance(i);
  for (const Instance& i : s.static_instances) check_instance(i);
  return s;
}

// What the etcd and Consul registries read alike: endpoints, TLS, timeouts, backoff.
struct StoreSettings {
  std::vector<std::string> endpoints;
  stores::TlsSettings tls;
  std::chrono::milliseconds timeout{2000};
  std::chrono::seconds ttl{10};
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{10000};
};

StoreSettings store_settings(const std::string& backend, const json::object& config) {
  StoreSettings s;
  s.endpoints = stores::endpoints_from(config.if_contains("endpoints"));
  if (s.endpoints.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "endpoints: the " + backend + " backend needs at least one");
  }
  s.tls = stores::tls_from(config);
  s.timeout = std::chrono::milliseconds(int_or(config, "connect_timeout_ms", 2000));
  s.ttl = std::chrono::seconds(int_or(config, "ttl_s", 10));
  if (const json::value* retry = config.if_contains("retry"); retry != nullptr && retry->is_object()) {
    s.retry_initial = std::chrono::milliseconds(int_or(retry->as_object(), "initial_ms", 500));
    s.retry_max = std::chrono::milliseconds(int_or(retry->as_object(), "max_ms", 10000));
  }
  return s;
}

KubernetesRegistrySettings kubernetes_settings(const json::object& config) {
  KubernetesRegistrySettings k = KubernetesRegistrySettings::in_cluster_defaults();
  if (const json::value* v = config.if_contains("kubernetes"); v != nullptr && v->is_object()) {
    const json::object& o = v->as_object();
    k.api_server = string_or(o, "api_server", k.api_server);
    k.namespace_name = string_or(o, "namespace", k.namespace_name);
    k.token_file = string_or(o, "token_file", k.token_file);
    k.ca_file = string_or(o, "ca_file", k.ca_file);
    k.port_name = string_or(o, "port_name");
    k.watch_timeout = std::chrono::seconds(int_or(o, "watch_timeout_s", 300));
  }
  if (k.api_server.empty()) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                          "kubernetes.api_server: not set, and KUBERNETES_SERVICE_HOST says none (not in a pod?)");
  }
  if (!k.api_server.starts_with("https://")) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                          "kubernetes.api_server: \"" + k.api_server + "\" must be https:// (the token is a secret)");
  }
  k.timeout = std::chrono::milliseconds(int_or(config, "connect_timeout_ms", 2000));
  if (const json::value* retry = config.if_contains("retry"); retry != nullptr && retry->is_object()) {
    k.retry_initial = std::chrono::milliseconds(int_or(retry->as_object(), "initial_ms", 500));
    k.retry_max = std::chrono::milliseconds(int_or(retry->as_object(), "max_ms", 10000));
  }
  return k;
}

std::unique_ptr<Registry> make_registry(hyperion::Context& ctx, const Settings& settings, const json::object& config) {
  if (settings.backend == "static") return make_static_registry(settings.static_instances);
  if (settings.backend == "kubernetes") {
    if (!settings.register_instances.empty()) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "register: the kubernetes backend does not register; Kubernetes puts a pod in its "
                            "service's EndpointSlices when its readiness probe passes");
    }
    KubernetesRegistrySettings k = kubernetes_settings(config);
    k.warn = [&ctx](const std::string& message) { ctx.warn(message); };
    return make_kubernetes_registry(std::move(k));
  }
  const StoreSettings store = store_settings(settings.backend, config);
  auto warn = [&ctx](const std::string& message) { ctx.warn(message); };
  // Each store's own way to say who we are: refused for the other, rather than ignored.
  if (settings.backend == "consul") {
    if (config.contains("username") || config.contains("password")) {
      throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT,
                            "username/password are etcd's: Consul takes an ACL token (the token field)");
    }
    ConsulRegistrySettings consul;
    consul.client.endpoints = store.endpoints;
    consul.client.tls = store.tls;
    consul.client.timeout = store.timeout;
    consul.client.token = string_or(config, "token");
    consul.client.consistency = stores::consistency_from(config);
    consul.ttl = store.ttl;
    consul.retry_initial = store.retry_initial;
    consul.retry_max = store.retry_max;
    if (const json::value* c = config.if_contains("consul"); c != nullptr && c->is_object()) {
      const json::object& o = c->as_object();
      consul.deregister_after = std::chrono::seconds(int_or(o, "deregister_critical_after_s", 60));
      consul.http_check = string_or(o, "http_check");
      consul.check_interval = std::chrono::seconds(int_or(o, "check_interval_s", 5));
      consul.wait = std::chrono::seconds(int_or(o, "wait_s", 60));
      consul.rate_interval = std::chrono::milliseconds(int_or(o, "rate_limit_ms", 1000));
    }
    consul.warn = warn;
    consul.reregistered = [&ctx](uint64_t n) {
      ctx.counter_add("discovery_reregistrations_total", static_cast<double>(n));
    };
    return make_consul_registry(std::move(consul));
  }
  if (config.contains("token")) {
    throw hyperion::Error(HYPERION_ERR_INVALID_ARGUMENT, "token is Consul's: etcd takes username and password");
  }
  EtcdRegistrySettings etcd;
  etcd.client.endpoints = store.endpoints;
  etcd.client.tls = store.tls;
  etcd.client.timeout = store.timeout;
  etcd.client.username = string_or(config, "username");
  etcd.client.password = string_or(config, "password");
  etcd.prefix = string_or(config, "prefix", "hyperion/services");
  while (!etcd.prefix.empty() && etcd.prefix.front() == '/') etcd.prefix.erase(0, 1);
  if (etcd.prefix.empty() || etcd.prefix.back() != '/') etcd.prefix += '/';
  etcd.ttl = store.ttl;
  etcd.retry_initial = store.retry_initial;
  etcd.retry_max = store.retry_max;
  etcd.warn = warn;
  etcd.reregistered = [&ctx](uint64_t n) {
    ctx.counter_add("discovery_reregistrations_total", static_cast<double>(n));
  };
  return make_etcd_registry(std::move(etcd));
}

Discovery::Discovery(hyperion::Context& ctx, const json::object& config)
    : ctx_(ctx), settings_(Settings::from_config(config)) {
  if (settings_.backend != "static") stores::warm_up_http();  // before any thread of ours: see its comment
  registry_ = make_registry(ctx_, settings_, config);
  for (const Instance& i : settings_.register_instances) wanted_[{i.service, i.id}] = i;
  if (!wanted_.empty()) ctx_.counter_add("discovery_registrations_total", static_cast<double>(wanted_.size()));
  notifier_ = std::thread([this] { notifier_loop(); });
}

Discovery::~Discovery() {
  if (registry_) registry_->stop(Clock::now() + std::chrono::seconds(2));
  {
    std::lock_guard lock(notifier_mu_);
    notifier_stopping_ = true;
  }
  notifier_cv_.notify_all();
  if (notifier_.joinable()) notifier_.join();
}

void Discovery::start(hyperion::Deadline) {
  ctx_.describe_metric("discovery_registrations_total",
                       "Service instances this host registered (from its config or through the discovery service).");
  ctx_.describe_metric("discovery_reregistrations_total",
                       "Registrations written again after the registry lost them (lease expiry, restart).");
  ctx_.describe_metric("discovery_instances", "Instances of a watched service currently known, by service.");
  ctx_.describe_metric("discovery_ejections_total",
                       "Instances taken out of the picks after consecutive failures (outlier ejection).");
  for (const std::string& service : settings_.follow) follow(service);
  // The host says at once whether it is ready (the event is retained), then
  // every change; registration follows it.
  readiness_subscription_ = ctx_.subscribe("dev.hyperion.host.readiness", [this](std::string_view event) {
    boost::system::error_code ec;
    json::value v = json::parse(event, ec);
    if (ec || !v.is_object()) return;
    const json::value* data = v.as_object().if_contains("data");
    if (data == nullptr || !data->is_object()) return;
    const json::value* ready = data->as_object().if_contains("ready");
    if (ready != nullptr && ready->is_bool()) on_readiness(ready->as_bool(), string_or(data->as_object(), "reason"));
  });
}

void Discovery::stop(hyperion::Deadline deadline) {
  if (readiness_subscription_ != 0) ctx_.unsubscribe(std::exchange(readiness_subscription_, 0));
  {
    std::lock_guard lock(registrations_mu_);
    ready_ = false;
  }
  registry_->stop(deadline.time_point());
}

void Discovery::on_readiness(bool ready, const std::string& reason) {
  std::lock_guard lock(registrations_mu_);
  if (ready == ready_) return;
  ready_ = ready;
  for (const auto& [key, instance] : wanted_) {
    if (ready)
      registry_->publish(instance);
    else
      registry_->withdraw(instance.service, instance.id);
  }
  if (!wanted_.empty()) {
    ctx_.info(std::string(ready ? "publishing " : "withdrawing ") + std::to_string(wanted_.size()) +
              " instance(s): the host is " + (ready ? "ready" : "not ready") + " (" + reason + ")");
  }
}

void Discovery::register_instance(const Instance& instance) {
  check_instance(instance);
  if (!registry_->writable()) {
    throw hyperion::Error(HYPERION_ERR_FAILED_PRECONDITION,
                          "cannot register \"" + instance.service + "\" with " + registry_->name() +
                              ": Kubernetes registers pods itself (readiness probes)");
  }
  std::lock_guard lock(registrations_mu_);
  wanted_[{instance.service, instance.id}] = instance;
  if (ready_) registry_->publish(instance);
  ctx_.counter_add("discovery_registrations_total", 1);
}

void Discovery::deregister_instance(const std::string& service, const std::string& id) {
  std::lock_guard lock(registrations_mu_);
  if (wanted_.erase({service, id}) > 0) registry_->withdraw(service, id);
}

Discovery::Followed& Discovery::follow(const std::string& service) {
  {
    std::shared_lock lock(services_mu_);
    if (auto it = services_.find(service); it != services_.end()) return *it->second;
  }
  Followed* f;
  {
    std::unique_lock lock(services_mu_);
    if (auto it = services_.find(service); it != services_.end()) return *it->second;
    if (followed_count_ >= kMaxServices) {
      throw hyperion::Error(HYPERION_ERR_FAILED_PRECONDITION, "\"" + service + "\": this host already follows " +
                                                                  std::to_string(kMaxServices) + " services");
    }
    auto policy = settings_.policies.find(service);
    auto made = std::make_unique<Followed>(
        policy != settings_.policies.end() ? policy->second : settings_.default_policy, settings_.outlier);
    f = made.get();
    f->index = static_cast<uint32_t>(followed_count_++);
    by_index_[f->index].store(f, std::memory_order_release);
    services_[service] = std::move(made);
  }
  registry_->follow(
      service, [this, f, service](const std::vector<Instance>& instances) { on_instances(*f, service, instances); });
  return *f;
}

void Discovery::on_instances(Followed& f, const std::string& service, const std::vector<Instance>& instances) {
  f.balancer.update(instances);
  std::vector<std::shared_ptr<Watch>> watching;
  {
    std::lock_guard lock(watches_mu_);
    for (const auto& [id, entry] : watches_) {
      if (entry.first == service) watching.push_back(entry.second);
    }
  }
  {
    std::lock_guard lock(f.mu);
    f.instances = instances;
    f.known = true;
    f.answered.store(true, std::memory_order_release);
    // Queued under f.mu: in the order of the changes.
    for (const auto& w : watching) notify_watch(w, filter(instances, w->query));
  }
  f.known_cv.notify_all();
  ctx_.gauge_set("discovery_instances", static_cast<double>(instances.size()),
                 json::serialize(json::object{{"service", service}}));
}

std::vector<Instance> Discovery::resolve(const Query& query) {
  Followed& f = follow(query.service);
  std::unique_lock lock(f.mu);
  if (!f.known_cv.wait_for(lock, settings_.resolve_timeout, [&] { return f.known; })) {
    throw hyperion::Error(HYPERION_ERR_UNAVAILABLE, registry_->name() + " did not answer for \"" + query.service +
                                                        "\" within " +
                                                        std::to_string(settings_.resolve_timeout.count()) + " ms");
  }
  return filter(f.instances, query);
}

uint64_t Discovery::watch(const Query& query, std::function<void(const std::vector<Instance>&)> fn) {
  Followed& f = follow(query.service);
  auto w = std::make_shared<Watch>();
  w->query = query;
  w->fn = std::move(fn);
  uint64_t id;
  {
    std::lock_guard lock(watches_mu_);
    id = next_watch_++;
    watches_[id] = {query.service, w};
  }
  std::lock_guard lock(f.mu);
  if (f.known) notify_watch(w, filter(f.instances, query));
  return id;
}

void Discovery::unwatch(uint64_t id) {
  std::shared_ptr<Watch> w;
  {
    std::lock_guard lock(watches_mu_);
    auto it = watches_.find(id);
    if (it == watches_.end()) return;
    w = it->second.second;
    watches_.erase(it);
  }
  // Its jobs still queued do nothing now. From inside its own callback this
  // thread already holds w->mu; from anywhere else, wait out a running one.
  if (std::this_thread::get_id() == notifier_.get_id()) {
    w->active = false;
    return;
  }
  std::lock_guard lock(w->mu);
  w->active = false;
}

void Discovery::notify_watch(const std::shared_ptr<Watch>& w, std::vector<Instance> set) {
  notify([w, set = std::move(set)] {
    std::lock_guard lock(w->mu);
    if (w->active) w->fn(set);
  });
}

Discovery::Followed* Discovery::followed(std::string_view service) {
  // A thread picking one service again and again (the common case) skips the
  // lock: each thread remembers the last service it looked up. Followed
  // entries live as long as their Discovery, and `id_` is never reused, so a
  // remembered entry of another (or a dead) instance never matches.
  // Trivially destructible on purpose: a thread_local with a destructor would
  // keep this library from unloading (hot swap).
  struct LastLookup {
    uint64_t owner;
    Followed* followed;
    size_t size;
    char name[48];
  };
  thread_local LastLookup last{};
  if (last.owner == id_ && last.size == service.size() && std::memcmp(last.name, service.data(), service.size()) == 0) {
    return last.followed;
  }
  Followed* found;
  {
    std::shared_lock lock(services_mu_);
    auto it = services_.find(service);
    found = it != services_.end() ? it->second.get() : nullptr;
  }
  if (found != nullptr && service.size() <= sizeof last.name) {
    last.owner = id_;
    last.followed = found;
    last.size = service.size();
    std::memcpy(last.name, service.data(), service.size());
  }
  return found;
}

std::optional<Balancer::Choice> Discovery::pick(std::string_view service, const Query* filter) {
  Followed* f = followed(service);
  if (f == nullptr || !f->answered.load(std::memory_order_acquire)) {
    // The first pick of a service (here or on another thread, which may have
    // just begun to follow it): follow it, and wait for the registry's first answer.
    (void)resolve(Query{std::string(service), {}, {}});
    f = followed(service);
  }
  auto choice = f->balancer.pick(filter);
  if (choice) choice->ticket |= uint64_t{f->index} << kServiceShift;
  return choice;
}

void Discovery::report(uint64_t ticket, hyperion_discovery_outcome_t outcome) {
  const uint64_t index = ticket >> kServiceShift;
  if (index >= kMaxServices) return;
  Followed* f = by_index_[index].load(std::memory_order_acquire);
  if (f == nullptr) return;
  if (f->balancer.report(ticket & ((uint64_t{1} << kServiceShift) - 1), outcome)) {
    ctx_.counter_add("discovery_ejections_total", 1);
  }
}

void Discovery::notify(std::function<void()> job) {
  std::lock_guard lock(notifier_mu_);
  jobs_.push_back(std::move(job));
  notifier_cv_.notify_all();
}

void Discovery::notifier_loop() {
  std::unique_lock lock(notifier_mu_);
  for (;;) {
    notifier_cv_.wait(lock, [&] { return notifier_stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      ctx_.warn(std::string("a watch callback threw: ") + e.what());
    }
    lock.lock();
  }
}

hyperion::HealthReport Discovery::health() {
  RegistryStatus status = registry_->status();
  hyperion::HealthReport r;
  r.details["backend"] = settings_.backend;
  r.details["registry"] = registry_->name();
  r.details["published"] = status.published;
  r.details["reregistrations"] = status.reregistrations;
  json::object services;
  std::string empty;
  {
    std::shared_lock lock(services_mu_);
    for (const auto& [name, f] : services_) {
      std::lock_guard inner(f->mu);
      services[name] = json::object{{"instances", f->instances.size()}, {"ejected", f->balancer.ejected(Clock::now())}};
      if (f->known && f->instances.empty()) empty += (empty.empty() ? "" : ", ") + name;
    }
  }
  r.details["services"] = std::move(services);
  if (!status.healthy) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = status.message;
  } else if (!empty.empty()) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "no instance of " + empty + "; " + status.message;
  } else {
    r.message = status.message;
  }
  return r;
}

hyperion::ServiceRef Discovery::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_DISCOVERY_API || api_major != HYPERION_DISCOVERY_MAJOR) return {};
  return {&kService, this, 0};
}

}  // namespace hyperion::plugins::discovery
