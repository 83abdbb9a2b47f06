#include "support/consul_fake.h"

#include <httplib.h>

#include <boost/json.hpp>
#include <random>
#include <stdexcept>

#include "base64.h"
#include "support/test_support.h"

namespace hyperion::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

bool under(const std::string& key, const std::string& wanted, bool recurse) {
  return recurse ? key.starts_with(wanted) : key == wanted;
}

}  // namespace

ConsulProtocolFake::ConsulProtocolFake(Options options) : options_(std::move(options)) {
  listen();
  ticker_ = std::thread([this] { agent_ticker(); });
}

ConsulProtocolFake::~ConsulProtocolFake() {
  {
    std::lock_guard lock(mu_);
    ticker_stopping_ = true;
  }
  changed_.notify_all();
  ticker_.join();
  stop_listening();
}

uint64_t ConsulProtocolFake::index() const {
  std::lock_guard lock(mu_);
  return index_;
}

uint64_t ConsulProtocolFake::index_of(const std::string& key, bool recurse) const {
  if (index_zero_) return 0;
  uint64_t newest = 0;
  for (const auto& [k, e] : kvs_) {
    if (under(k, key, recurse)) newest = std::max(newest, e.modify_index);
  }
  for (const auto& [k, at] : tombstones_) {
    if (under(k, key, recurse)) newest = std::max(newest, at);
  }
  return newest > 0 ? newest : index_;
}

uint64_t ConsulProtocolFake::put(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  ++index_;
  Entry& e = kvs_[key];
  if (e.create_index == 0) e.create_index = index_;
  e.value = value;
  e.modify_index = index_;
  tombstones_.erase(key);
  changed_.notify_all();
  return index_;
}

uint64_t ConsulProtocolFake::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  ++index_;
  if (kvs_.erase(key) > 0) tombstones_[key] = index_;
  changed_.notify_all();
  return index_;
}

void ConsulProtocolFake::fail_next(int count, int status) {
  std::lock_guard lock(mu_);
  failures_left_ = count;
  failure_status_ = status;
}

void ConsulProtocolFake::refuse_connections() { stop_listening(); }
void ConsulProtocolFake::accept_connections() { listen(); }

void ConsulProtocolFake::restore_snapshot(const std::map<std::string, std::string>& kvs, uint64_t index) {
  std::lock_guard lock(mu_);
  kvs_.clear();
  tombstones_.clear();
  for (const auto& [k, v] : kvs) kvs_[k] = Entry{v, true, index, index};
  index_ = index;
  ++restores_;
  changed_.notify_all();
}

void ConsulProtocolFake::reap_tombstones() {
  std::lock_guard lock(mu_);
  tombstones_.clear();
}

void ConsulProtocolFake::answer_index_zero(bool on) {
  std::lock_guard lock(mu_);
  index_zero_ = on;
}

void ConsulProtocolFake::hold_answers(std::chrono::milliseconds extra) {
  std::lock_guard lock(mu_);
  hold_ = extra;
}

size_t ConsulProtocolFake::blocked_queries() const {
  std::lock_guard lock(mu_);
  return blocked_;
}

std::vector<ConsulProtocolFake::SeenRequest> ConsulProtocolFake::requests() const {
  std::lock_guard lock(mu_);
  return seen_;
}

size_t ConsulProtocolFake::count_requests(const std::string& method) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(seen_.begin(), seen_.end(), [&](const auto& r) { return r.method == method; }));
}

// Every request: recorded, then the token, then an injected failure. True
// when the request may go on.
std::optional<std::chrono::milliseconds> ConsulProtocolFake::go_duration(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const int64_t n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

bool ConsulProtocolFake::admit(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  SeenRequest seen{req.method, req.path, {}, req.get_header_value("X-Consul-Token")};
  for (const auto& [k, v] : req.params) seen.params[k] = v;
  seen_.push_back(seen);
  const std::string token = seen.token.empty() && req.has_param("token") ? req.get_param_value("token") : seen.token;
  if (!options_.token.empty() && token != options_.token) {
    res.status = 403;
    res.set_content("ACL not found", "text/plain");
    return false;
  }
  if (failures_left_ > 0) {
    --failures_left_;
    res.status = failure_status_;
    res.set_content("rpc error making call: No cluster leader", "text/plain");
    return false;
  }
  return true;
}

bool ConsulProtocolFake::blocking_params(const httplib::Request& req, httplib::Response& res, uint64_t& index,
                                         std::chrono::milliseconds& wait) {
  auto refuse = [&](const char* why) {
    res.status = 400;
    res.set_content(why, "text/plain");
    return false;
  };
  if (req.has_param("consistent") && req.has_param("stale")) {
    return refuse("Cannot specify ?stale with ?consistent, conflicting semantics.");
  }
  index = 0;
  if (req.has_param("index")) {
    const std::string text = req.get_param_value("index");
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
      return refuse("Invalid index");
    }
    index = std::stoull(text);
  }
  wait = std::chrono::minutes(5);
  if (req.has_param("wait")) {
    auto parsed = go_duration(req.get_param_value("wait"));
    if (!parsed) return refuse("Invalid wait time");
    wait = std::min<std::chrono::milliseconds>(*parsed, std::chrono::minutes(10));
  }
  return true;
}

bool ConsulProtocolFake::block(std::unique_lock<std::mutex>& lock, httplib::Response& res, uint64_t wanted,
                               std::chrono::milliseconds wait, const std::function<uint64_t()>& index_now) {
  const auto started = Clock::now();
  if (wanted > 0) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const auto jitter = std::chrono::milliseconds(
        std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(wait.count() / 16, 0))(random));
    const uint64_t restores = restores_;
    ++blocked_;
    changed_.wait_until(lock, started + wait + jitter,
                        [&] { return closing_ || restores_ != restores || index_now() > wanted; });
    --blocked_;
    if (hold_.count() > 0) changed_.wait_until(lock, started + wait + hold_, [&] { return closing_; });
  }
  if (closing_) {
    res.status = 500;
    res.set_content("agent shutting down", "text/plain");
    return false;
  }
  res.set_header("X-Consul-KnownLeader", "true");
  res.set_header("X-Consul-LastContact", "0");
  return true;
}

void ConsulProtocolFake::listen() {
  if (options_.tls_dir.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    const std::string d = options_.tls_dir + "/";
    const std::string ca = d + "ca.pem";
    server_ =
        std::make_unique<httplib::SSLServer>((d + options_.cert + ".pem").c_str(), (d + options_.cert + ".key").c_str(),
                                             options_.require_client_cert ? ca.c_str() : nullptr);
  }

  server_->Get(R"(/v1/kv/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    const std::string key = req.matches[1];
    const bool recurse = req.has_param("recurse");
    uint64_t wanted = 0;
    std::chrono::milliseconds wait{};
    if (!blocking_params(req, res, wanted, wait)) return;
    std::unique_lock lock(mu_);
    if (!block(lock, res, wanted, wait, [&] { return index_of(key, recurse); })) return;
    json::array items;
    for (const auto& [k, e] : kvs_) {
      if (!under(k, key, recurse)) continue;
      items.push_back(json::object{{"Key", k},
                                   {"Value", e.has_value ? json::value(plugins::base64_encode(e.value)) : nullptr},
                                   {"CreateIndex", e.create_index},
                                   {"ModifyIndex", e.modify_index},
                                   {"LockIndex", 0},
                                   {"Flags", 0},
                                   {"Session", nullptr}});
    }
    res.set_header("X-Consul-Index", std::to_string(index_of(key, recurse)));
    if (items.empty()) {
      res.status = 404;
      return;
    }
    res.set_content(json::serialize(items), "application/json");
  });

  server_->Put(R"(/v1/kv/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    put(req.matches[1], req.body);
    res.set_content("true", "application/json");
  });

  server_->Delete(R"(/v1/kv/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    const std::string key = req.matches[1];
    std::lock_guard lock(mu_);
    ++index_;
    for (auto it = kvs_.begin(); it != kvs_.end();) {
      if (under(it->first, key, req.has_param("recurse"))) {
        tombstones_[it->first] = index_;
        it = kvs_.erase(it);
      } else {
        ++it;
      }
    }
    changed_.notify_all();
    res.set_content("true", "application/json");
  });

  add_agent_routes();

  server_->Put("/v1/txn", [this](const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    boost::system::error_code ec;
    json::value ops = json::parse(req.body, ec);
    // Checked whole before anything is applied: a transaction is all or nothing.
    auto refuse = [&](const std::string& why) {
      res.status = 400;
      res.set_content(why, "text/plain");
    };
    if (ec || !ops.is_array()) return refuse("Failed to parse body: not a JSON array");
    struct Op {
      std::string verb, key, value;
    };
    std::vector<Op> parsed;
    for (const json::value& op : ops.as_array()) {
      const json::value* kv = op.is_object() ? op.as_object().if_contains("KV") : nullptr;
      if (kv == nullptr || !kv->is_object()) return refuse("only KV operations are supported by this fake");
      const json::object& o = kv->as_object();
      Op p{o.contains("Verb") ? std::string(o.at("Verb").as_string()) : "",
           o.contains("Key") ? std::string(o.at("Key").as_string()) : "", ""};
      if (p.verb == "set") {
        auto value = plugins::base64_decode(o.contains("Value") ? o.at("Value").as_string() : "");
        if (!value) return refuse("Failed to parse body: Value is not base64");
        p.value = *value;
      } else if (p.verb != "delete" && p.verb != "delete-tree") {
        return refuse("unknown KV verb \"" + p.verb + "\"");
      }
      parsed.push_back(std::move(p));
    }
    std::lock_guard lock(mu_);
    ++index_;
    for (const Op& op : parsed) {
      if (op.verb == "set") {
        Entry& e = kvs_[op.key];
        if (e.create_index == 0) e.create_index = index_;
        e.value = op.value;
        e.modify_index = index_;
        tombstones_.erase(op.key);
        continue;
      }
      for (auto it = kvs_.begin(); it != kvs_.end();) {
        if (under(it->first, op.key, op.verb == "delete-tree")) {
          tombstones_[it->first] = index_;
          it = kvs_.erase(it);
        } else {
          ++it;
        }
      }
    }
    changed_.notify_all();
    res.set_content(R"({"Results":[],"Errors":null})", "application/json");
  });

  if (port_ == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else if (!server_->bind_to_port("127.0.0.1", port_)) {
    throw std::runtime_error("consul fake: cannot listen on port " + std::to_string(port_) + " again");
  }
  if (port_ <= 0) throw std::runtime_error("consul fake: cannot listen");
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  // stop() before the loop runs would be lost: wait until it does.
  if (!eventually([server] { return server->is_running(); }, std::chrono::seconds(5))) {
    throw std::runtime_error("consul fake: the server did not start");
  }
}

void ConsulProtocolFake::stop_listening() {
  if (!server_) return;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  std::lock_guard lock(mu_);
  closing_ = false;
}

}  // namespace hyperion::testing
