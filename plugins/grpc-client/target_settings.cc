#include "target_settings.h"

#include <hyperion/plugin.hpp>

#include <charconv>

#include "duration.h"

namespace hyperion::plugins::grpc_client {
namespace {

Error invalid(const std::string& field, const std::string& why) {
  return Error(HYPERION_ERR_INVALID_ARGUMENT, field + ": " + why);
}

std::set<int32_t> codes(const boost::json::array& names, const std::string& field) {
  std::set<int32_t> out;
  for (const auto& n : names) {
    int32_t c = code_of(n.as_string());
    if (c < 0) throw invalid(field, "\"" + std::string(n.as_string()) + "\" is not a gRPC status code name");
    out.insert(c);
  }
  return out;
}

// "host:port" with a port in 1..65535 ("[::1]:9000" for IPv6).
void check_address(const std::string& address, const std::string& field) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    throw invalid(field, "\"" + address + "\" is not host:port or discovery:///<service>");
  }
  std::string_view port(address.data() + colon + 1, address.size() - colon - 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    throw invalid(field, "\"" + address + "\" has no valid port (1-65535)");
  }
  if (address.find_first_of(" /") != std::string::npos) throw invalid(field, "\"" + address + "\" is not host:port");
}

int64_t integer(const boost::json::object& o, const char* key) { return o.at(key).to_number<int64_t>(); }

std::string text(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? std::string(v->as_string()) : std::string();
}

std::shared_ptr<const TargetSettings> parse_target(const std::string& name, const boost::json::object& t) {
  auto s = std::make_shared<TargetSettings>();
  const std::string where = "targets." + name + ".";
  s->name = name;
  std::string address(t.at("address").as_string());
  constexpr std::string_view kDiscovery = "discovery:///";
  if (address.starts_with(kDiscovery)) {
    s->discovery_service = address.substr(kDiscovery.size());
    if (s->discovery_service.empty() || s->discovery_service.find('/') != std::string::npos) {
      throw invalid(where + "address", "\"" + address + "\" must name one service: discovery:///<service>");
    }
  } else {
    size_t begin = 0;
    while (begin <= address.size()) {
      size_t comma = address.find(',', begin);
      if (comma == std::string::npos) comma = address.size();
      std::string one = address.substr(begin, comma - begin);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      while (!one.empty() && one.back() == ' ') one.pop_back();
      check_address(one, where + "address");
      s->addresses.push_back(one);
      begin = comma + 1;
    }
  }
  const std::string policy(t.at("policy").as_string());
  s->policy = policy == "least_request" ? Policy::kLeastRequest
              : policy == "pick_first"  ? Policy::kPickFirst
                                        : Policy::kRoundRobin;
  s->deadline = Millis(integer(t, "deadline_ms"));
  s->required = t.at("required").as_bool();
  s->channels_per_instance = static_cast<uint32_t>(integer(t, "channels_per_instance"));
  const auto& retry = t.at("retry").as_object();
  s->retry.max_attempts = static_cast<uint32_t>(integer(retry, "max_attempts"));
  s->retry.on = codes(retry.at("on").as_array(), where + "retry.on");
  s->retry.initial_backoff = Millis(integer(retry, "initial_backoff_ms"));
  s->retry.max_backoff = Millis(integer(retry, "max_backoff_ms"));
  if (s->retry.initial_backoff > s->retry.max_backoff) {
    throw invalid(where + "retry.initial_backoff_ms", "must not be longer than retry.max_backoff_ms");
  }
  for (const auto& [method, m] : t.at("methods").as_object()) {
    const std::string full(method);
    if (full.size() < 4 || full.front() != '/' || full.find('/', 1) == std::string::npos || full.back() == '/') {
      throw invalid(where + "methods", "\"" + full + "\" is not a full method name like /pkg.Service/Method");
    }
    const auto& mo = m.as_object();
    MethodSettings ms;
    ms.deadline = Millis(integer(mo, "deadline_ms"));
    ms.idempotent = mo.at("idempotent").as_bool();
    ms.cache_ttl = Millis(integer(mo, "cache_ttl_ms"));
    s->methods[full] = ms;
  }
  s->cache_max_entries = static_cast<uint32_t>(integer(t, "cache_max_entries"));
  const auto& cb = t.at("circuit_breaker").as_object();
  s->breaker = parse_breaker_settings(cb, where + "circuit_breaker.");
  s->expected_codes = codes(cb.at("expected_codes").as_array(), where + "circuit_breaker.expected_codes");
  const auto& ka = t.at("keepalive").as_object();
  s->keepalive_time = Millis(integer(ka, "time_ms"));
  s->keepalive_timeout = Millis(integer(ka, "timeout_ms"));
  if (const auto* tls = t.if_contains("tls")) {
    const auto& to = tls->as_object();
    s->tls_enabled = true;
    s->tls.ca_file = text(to, "ca_file");
    s->tls.cert_file = text(to, "cert_file");
    s->tls.key_file = text(to, "key_file");
    s->tls.server_name = text(to, "server_name");
    if (s->tls.cert_file.empty() != s->tls.key_file.empty()) {
      throw invalid(where + "tls.cert_file", "a client certificate needs tls.key_file too (and the other way round)");
    }
  }
  return s;
}

}  // namespace

const char* policy_name(Policy policy) {
  switch (policy) {
    case Policy::kRoundRobin: return "round_robin";
    case Policy::kLeastRequest: return "least_request";
    case Policy::kPickFirst: return "pick_first";
  }
  return "round_robin";
}

std::shared_ptr<const Settings> parse_settings(const boost::json::object& config) {
  auto s = std::make_shared<Settings>();
  for (const auto& [name, target] : config.at("targets").as_object()) {
    s->targets[std::string(name)] = parse_target(std::string(name), target.as_object());
  }
  s->slow_call = duration_field(config, "slow_call", "");
  return s;
}

}  // namespace hyperion::plugins::grpc_client
