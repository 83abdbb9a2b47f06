#include "target.h"

#include <hyperion/plugin.hpp>

#include <algorithm>
#include <map>

#include "tls_files.h"

namespace hyperion::plugins::grpc_client {
namespace {

std::shared_ptr<grpc::ChannelCredentials> credentials_for(const TargetSettings& s) {
  if (!s.tls_enabled) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  const std::string where = "targets." + s.name + ".tls.";
  if (!s.tls.ca_file.empty()) options.pem_root_certs = read_pem(where + "ca_file", s.tls.ca_file);
  if (!s.tls.cert_file.empty()) {
    options.pem_cert_chain = read_pem(where + "cert_file", s.tls.cert_file);
    options.pem_private_key = read_pem(where + "key_file", s.tls.key_file);
  }
  return grpc::SslCredentials(options);
}

}  // namespace

const std::shared_ptr<grpc::Channel>& Endpoint::channel() {
  return channels_[next_.fetch_add(1, std::memory_order_relaxed) % channels_.size()];
}

bool Endpoint::failing() const {
  return std::all_of(channels_.begin(), channels_.end(),
                     [](const auto& c) { return c->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE; });
}

bool Endpoint::ready() const {
  return std::any_of(channels_.begin(), channels_.end(),
                     [](const auto& c) { return c->GetState(false) == GRPC_CHANNEL_READY; });
}

std::string Endpoint::state() const {
  std::string out;
  for (const auto& c : channels_) {
    const char* name = "idle";
    switch (c->GetState(false)) {
      case GRPC_CHANNEL_IDLE: name = "idle"; break;
      case GRPC_CHANNEL_CONNECTING: name = "connecting"; break;
      case GRPC_CHANNEL_READY: name = "ready"; break;
      case GRPC_CHANNEL_TRANSIENT_FAILURE: name = "transient_failure"; break;
      case GRPC_CHANNEL_SHUTDOWN: name = "shutdown"; break;
    }
    out += (out.empty() ? "" : ",") + std::string(name);
  }
  return out;
}

Target::Target(std::shared_ptr<const TargetSettings> settings)
    : settings_(std::move(settings)),
      credentials_(credentials_for(*settings_)),
      endpoints_(std::make_shared<std::vector<std::shared_ptr<Endpoint>>>()) {
  if (settings_->discovery_service.empty()) {
    set_instances(settings_->addresses);
  }
}

std::shared_ptr<Endpoint> Target::make_endpoint(const std::string& address) const {
  const TargetSettings& s = *settings_;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (uint32_t i = 0; i < s.channels_per_instance; ++i) {
    grpc::ChannelArguments args;
    // A connection of its own per channel: channels_per_instance means
    // separate HTTP/2 connections, and a replaced target never shares one
    // with the target it replaces.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // Retries are ours (another instance, the breaker's view); gRPC's own
    // would retry on the same channel behind our back.
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    // An instance that comes back is noticed within seconds, not minutes.
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    if (s.keepalive_time.count() > 0) {
      args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(s.keepalive_time.count()));
      args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(s.keepalive_timeout.count()));
    }
    if (s.tls_enabled && !s.tls.server_name.empty()) args.SetSslTargetNameOverride(s.tls.server_name);
    auto channel = grpc::CreateCustomChannel(address, credentials_, args);
    channel->GetState(true);  // start connecting now, before the first call needs it
    channels.push_back(std::move(channel));
  }
  return std::make_shared<Endpoint>(address, std::move(channels));
}

std::shared_ptr<const std::vector<std::shared_ptr<Endpoint>>> Target::endpoints() const {
  std::lock_guard lock(mu_);
  return endpoints_;
}

void Target::set_instances(const std::vector<std::string>& addresses) {
  std::map<std::string, std::shared_ptr<Endpoint>> kept;
  for (const auto& e : *endpoints()) kept[e->address()] = e;
  auto next = std::make_shared<std::vector<std::shared_ptr<Endpoint>>>();
  for (const std::string& address : addresses) {
    auto it = kept.find(address);
    next->push_back(it != kept.end() ? it->second : make_endpoint(address));
  }
  {
    std::lock_guard lock(mu_);
    endpoints_ = std::move(next);
  }
  resolved_ = true;
}

std::shared_ptr<Endpoint> Target::pick(const Endpoint* avoid) {
  auto all = endpoints();
  if (all->empty()) return nullptr;
  // Prefer instances that can be reached and that the last attempt did not
  // fail on; when none is left, any instance (its channel may recover).
  std::vector<const std::shared_ptr<Endpoint>*> candidates;
  candidates.reserve(all->size());
  for (const auto& e : *all) {
    if (e.get() != avoid && !e->failing()) candidates.push_back(&e);
  }
  if (candidates.empty()) {
    for (const auto& e : *all) {
      if (e.get() != avoid) candidates.push_back(&e);
    }
  }
  if (candidates.empty()) candidates.push_back(&all->front());
  switch (settings_->policy) {
    case Policy::kPickFirst: return *candidates.front();
    case Policy::kRoundRobin: return *candidates[next_.fetch_add(1, std::memory_order_relaxed) % candidates.size()];
    case Policy::kLeastRequest: {
      // The power of two choices: the less loaded of two random instances.
      if (candidates.size() == 1) return *candidates.front();
      size_t a = 0;
      size_t b = 0;
      {
        std::lock_guard lock(rng_mu_);
        std::uniform_int_distribution<size_t> any(0, candidates.size() - 1);
        a = any(rng_);
        b = any(rng_);
        if (b == a) b = (a + 1) % candidates.size();
      }
      const auto& first = *candidates[a];
      const auto& second = *candidates[b];
      return first->in_flight.load() <= second->in_flight.load() ? first : second;
    }
  }
  return *candidates.front();
}

TargetStatus Target::status() {
  TargetStatus out;
  auto all = endpoints();
  out.instances = all->size();
  bool connecting = false;
  bool failing = false;
  for (const auto& e : *all) {
    out.endpoints.push_back({e->address(), e->state(), e->in_flight.load()});
    if (e->ready())
      ++out.ready;
    else if (e->failing())
      failing = true;
    else
      connecting = true;
  }
  out.connectivity = all->empty()    ? "no_instances"
                     : out.ready > 0 ? "ready"
                     : connecting    ? "connecting"
                     : failing       ? "transient_failure"
                                     : "idle";
  out.breaker = breaker_.state(settings_->breaker, CircuitBreaker::Clock::now());
  return out;
}

}  // namespace hyperion::plugins::grpc_client
