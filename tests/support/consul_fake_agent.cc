// ConsulProtocolFake's agent: service registration with TTL checks, check
// refreshes, deregistration, and the health endpoint with ?passing and
// blocking queries (consul_fake.h says what is implemented and what is not).
#include <httplib.h>

#include <boost/json.hpp>

#include "support/consul_fake.h"

namespace hyperion::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string string_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

}  // namespace

std::map<std::string, std::string> ConsulProtocolFake::registrations() const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::string> out;
  for (const auto& [id, s] : agent_) out[id] = s.registration;
  return out;
}

size_t ConsulProtocolFake::passes(const std::string& check_id) const {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : agent_) {
    if (s.check_id == check_id) return s.passes;
  }
  return 0;
}

void ConsulProtocolFake::restart_agent() {
  std::lock_guard lock(mu_);
  agent_.clear();
  ++agent_index_;
  changed_.notify_all();
}

void ConsulProtocolFake::agent_ticker() {
  std::unique_lock lock(mu_);
  while (!changed_.wait_for(lock, std::chrono::milliseconds(50), [&] { return ticker_stopping_; })) {
    const auto now = Clock::now();
    for (auto it = agent_.begin(); it != agent_.end();) {
      AgentService& s = it->second;
      if (s.ttl.count() > 0 && s.passing && now - s.last_pass > s.ttl) {
        s.passing = false;  // "TTL expired"
        s.critical_since = now;
        ++agent_index_;
        changed_.notify_all();
      }
      if (!s.passing && s.deregister_after.count() > 0 && now - s.critical_since > s.deregister_after) {
        it = agent_.erase(it);
        ++agent_index_;
        changed_.notify_all();
        continue;
      }
      ++it;
    }
  }
}

void ConsulProtocolFake::add_agent_routes() {
  server_->Put("/v1/agent/service/register", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec || !body.is_object() || string_field(body.as_object(), "Name").empty()) {
      res.status = 400;
      res.set_content("Missing service name", "text/plain");
      return;
    }
    const json::object& o = body.as_object();
    AgentService s;
    s.registration = req.body;
    s.name = string_field(o, "Name");
    s.address = string_field(o, "Address");
    std::string id = string_field(o, "ID");
    if (id.empty()) id = s.name;
    if (const json::value* check = o.if_contains("Check"); check != nullptr && check->is_object()) {
      const json::object& c = check->as_object();
      // A duration field ("10s", "1m"); 0 when absent or unreadable.
      auto duration = [&](const json::object& o, const char* key) {
        const json::value* v = o.if_contains(key);
        auto parsed = v != nullptr && v->is_string() ? go_duration(std::string(v->as_string())) : std::nullopt;
        return parsed.value_or(std::chrono::milliseconds(0));
      };
      s.check_id = string_field(c, "CheckID");
      if (s.check_id.empty()) s.check_id = "service:" + id;
      s.ttl = duration(c, "TTL");
      s.deregister_after = duration(c, "DeregisterCriticalServiceAfter");
      // A TTL check starts critical unless the registration says otherwise.
      s.passing = s.ttl.count() == 0 || string_field(c, "Status") == "passing";
    }
    std::lock_guard lock(mu_);
    s.last_pass = Clock::now();
    s.critical_since = Clock::now();
    agent_[id] = std::move(s);
    ++agent_index_;
    changed_.notify_all();
  });

  server_->Put(R"(/v1/agent/service/deregister/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    std::lock_guard lock(mu_);
    if (agent_.erase(req.matches[1]) == 0) {
      res.status = 404;
      res.set_content("Unknown service ID \"" + std::string(req.matches[1]) + "\"", "text/plain");
      return;
    }
    ++agent_index_;
    changed_.notify_all();
  });

  server_->Put(R"(/v1/agent/check/pass/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    std::lock_guard lock(mu_);
    for (auto& [id, s] : agent_) {
      if (s.check_id != req.matches[1]) continue;
      ++s.passes;
      s.last_pass = Clock::now();
      if (!s.passing) {
        s.passing = true;
        ++agent_index_;
        changed_.notify_all();
      }
      return;
    }
    res.status = 404;
    res.set_content("Unknown check ID \"" + std::string(req.matches[1]) + "\"", "text/plain");
  });

  server_->Get(R"(/v1/health/service/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    const std::string name = req.matches[1];
    const bool passing_only = req.has_param("passing");
    uint64_t wanted = 0;
    std::chrono::milliseconds wait{};
    if (!blocking_params(req, res, wanted, wait)) return;
    std::unique_lock lock(mu_);
    if (!block(lock, res, wanted, wait, [&] { return index_zero_ ? 0 : agent_index_ + 1; })) return;
    json::array entries;
    for (const auto& [id, s] : agent_) {
      if (s.name != name || (passing_only && !s.passing)) continue;
      json::object registration = json::parse(s.registration).as_object();
      json::object service{{"ID", id},
                           {"Service", s.name},
                           {"Address", s.address},
                           {"Port", registration.contains("Port") ? registration.at("Port") : json::value(0)},
                           {"Tags", registration.contains("Tags") ? registration.at("Tags") : json::array{}},
                           {"Meta", registration.contains("Meta") ? registration.at("Meta") : json::object{}}};
      json::array checks{json::object{{"CheckID", "serfHealth"}, {"Status", "passing"}}};
      if (!s.check_id.empty()) {
        checks.push_back(
            json::object{{"CheckID", s.check_id}, {"ServiceID", id}, {"Status", s.passing ? "passing" : "critical"}});
      }
      entries.push_back(
          json::object{{"Node", json::object{{"Node", "fake-node"}, {"Address", "127.0.0.1"}, {"Datacenter", "dc1"}}},
                       {"Service", std::move(service)},
                       {"Checks", std::move(checks)}});
    }
    res.set_header("X-Consul-Index", std::to_string(index_zero_ ? 0 : agent_index_ + 1));
    res.set_content(json::serialize(entries), "application/json");
  });
}

}  // namespace hyperion::testing
