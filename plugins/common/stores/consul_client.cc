#include "stores/consul_client.h"

#include <httplib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "base64.h"
#include "stores/store_config.h"

namespace hyperion::plugins::consul {
namespace {

namespace json = boost::json;

uint64_t uint_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return 0;
}

uint64_t index_header(const httplib::Response& r) {
  const std::string text = r.get_header_value("X-Consul-Index");
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19) return 0;
  return std::stoull(text);
}

std::string consistency_query(Consistency c) {
  switch (c) {
    case Consistency::kConsistent: return "consistent";
    case Consistency::kStale: return "stale";
    case Consistency::kDefault: break;
  }
  return "";
}

std::string first_line(std::string text) {
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

}  // namespace

BlockingIndex::Seen BlockingIndex::observe(uint64_t answered) {
  const uint64_t sent = index_;
  if (answered == 0) {
    // Consul's bug, not a reset: blocking on 1 is always safe, and sending 0
    // again would not block at all.
    index_ = 1;
    if (sent == 0) return Seen::kFirst;
    return sent == 1 ? Seen::kSame : Seen::kAdvanced;
  }
  if (sent > 0 && answered < sent) {
    index_ = 0;
    return Seen::kWentBackwards;
  }
  index_ = answered;
  if (sent == 0) return Seen::kFirst;
  return answered == sent ? Seen::kSame : Seen::kAdvanced;
}

QueryRateLimiter::QueryRateLimiter(std::chrono::milliseconds interval, int burst)
    : interval_(interval), burst_(std::max(burst, 1)), tokens_(burst_) {}

std::chrono::milliseconds QueryRateLimiter::take(Clock::time_point now) {
  if (interval_.count() <= 0) return std::chrono::milliseconds(0);
  if (last_ != Clock::time_point{}) {
    const double refilled = std::chrono::duration<double>(now - last_) / std::chrono::duration<double>(interval_);
    tokens_ = std::min(burst_, tokens_ + std::max(refilled, 0.0));
  }
  last_ = now;
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::milliseconds(0);
  // In debt: the wait until the token is there. The debt stays, so the next
  // take() counts from the moment this one was allowed.
  return std::chrono::milliseconds(static_cast<int64_t>(-tokens_ * static_cast<double>(interval_.count()) + 0.999));
}

std::string escape_key(const std::string& key) { return stores::percent_encode(key, true); }

struct Client::Answer {
  int status = 0;
  uint64_t index = 0;
  std::string body;
};

Client::Client(ClientSettings settings)
    : settings_(std::move(settings)), endpoints_(settings_.endpoints, settings_.tls.enabled) {
  if (endpoints_.size() == 0) throw ConsulError("consul: no endpoints", false);
}

Client::~Client() = default;

Client::Answer Client::send_once(size_t endpoint, const std::string& method, const std::string& path,
                                 const std::string& body, std::chrono::milliseconds read_timeout) {
  std::unique_ptr<httplib::Client> cli;
  try {
    cli = stores::open_http_client(endpoints_.url(endpoint), settings_.tls, settings_.timeout, read_timeout);
  } catch (const std::runtime_error& e) {
    throw ConsulError("consul: " + endpoints_.url(endpoint) + ": " + e.what(), true);
  }
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!settings_.token.empty()) req.set_header("X-Consul-Token", settings_.token);
  if (!body.empty() || method == "PUT") req.body = body;
  if (!endpoints_.begin(cli.get())) throw ConsulError("consul: stopped", false);
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool sent = stores::send(*cli, req, res, err);
  if (endpoints_.end()) throw ConsulError("consul: stopped", false);
  if (!sent) throw ConsulError("consul: " + endpoints_.url(endpoint) + path + ": " + httplib::to_string(err), true);
  return {res.status, index_header(res), std::move(res.body)};
}

Client::Answer Client::send(const std::string& method, const std::string& path, const std::string& body,
                            std::chrono::milliseconds read_timeout) {
  const size_t first = endpoints_.current();
  std::string unreachable;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const size_t endpoint = (first + i) % endpoints_.size();
    try {
      Answer a = send_once(endpoint, method, path, body, read_timeout);
      endpoints_.set_current(endpoint);
      if (a.status == 200 || (a.status == 404 && method == "GET")) return a;
      std::string why = "consul: " + method + " " + path + ": HTTP " + std::to_string(a.status);
      if (a.status == 403) why += " (the ACL token was refused)";
      if (!a.body.empty()) why += ": " + first_line(a.body);
      throw ConsulError(why, false, a.status);
    } catch (const ConsulError& e) {
      if (!e.unreachable()) throw;
      unreachable += (unreachable.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw ConsulError(unreachable, true);
}

BlockingAnswer Client::blocking_get(const std::string& path, uint64_t index, std::chrono::seconds wait) {
  std::string q;
  const bool blocking = index > 0;
  if (blocking) q = "index=" + std::to_string(index) + "&wait=" + std::to_string(wait.count()) + "s";
  const std::string mode = consistency_query(settings_.consistency);
  if (!mode.empty()) q += (q.empty() ? "" : "&") + mode;
  const std::string full = q.empty() ? path : path + (path.find('?') == std::string::npos ? "?" : "&") + q;
  // Consul holds a blocking query up to wait + wait/16: read past that.
  const std::chrono::milliseconds read_timeout = blocking ? settings_.timeout + wait + wait / 16 : settings_.timeout;
  Answer a = send("GET", full, "", read_timeout);
  return {a.status, a.index, std::move(a.body)};
}

std::string kv_list_path(const std::string& prefix) { return "/v1/kv/" + escape_key(prefix) + "?recurse=true"; }

KvList kv_list_of(const BlockingAnswer& answer, const std::string& prefix) {
  KvList out;
  out.index = answer.index;
  if (answer.status == 404) return out;
  boost::system::error_code ec;
  json::value doc = json::parse(answer.body, ec);
  if (ec || !doc.is_array()) throw ConsulError("consul: the KV answer for " + prefix + " is not a JSON array", false);
  for (const json::value& item : doc.as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    const json::value* key = o.if_contains("Key");
    if (key == nullptr || !key->is_string()) continue;
    KvPair pair{std::string(key->as_string()), "", uint_field(o, "ModifyIndex"), uint_field(o, "Flags")};
    if (const json::value* value = o.if_contains("Value"); value != nullptr && value->is_string()) {
      auto decoded = base64_decode(value->as_string());
      if (!decoded) throw ConsulError("consul: the value of " + pair.key + " is not base64", false);
      pair.value = std::move(*decoded);
    }
    out.pairs.push_back(std::move(pair));
  }
  return out;
}

KvList Client::list(const std::string& prefix, uint64_t index, std::chrono::seconds wait) {
  return kv_list_of(blocking_get(kv_list_path(prefix), index, wait), prefix);
}

void Client::put(const std::string& key, const std::string& value) {
  Answer a = send("PUT", "/v1/kv/" + escape_key(key), value, settings_.timeout);
  if (first_line(a.body) != "true") throw ConsulError("consul: put " + key + " answered " + first_line(a.body), false);
}

void Client::delete_tree(const std::string& prefix) {
  send("DELETE", "/v1/kv/" + escape_key(prefix) + "?recurse=true", "", settings_.timeout);
}

std::string Client::put_path(const std::string& path, const std::string& body) {
  return send("PUT", path, body, settings_.timeout).body;
}

void Client::transaction(const std::vector<TxnOp>& ops) {
  json::array list;
  for (const TxnOp& op : ops) {
    json::object kv{{"Key", op.key}};
    switch (op.verb) {
      case TxnOp::Verb::kSet:
        kv["Verb"] = "set";
        kv["Value"] = base64_encode(op.value);
        break;
      case TxnOp::Verb::kDelete: kv["Verb"] = "delete"; break;
      case TxnOp::Verb::kDeleteTree: kv["Verb"] = "delete-tree"; break;
    }
    list.push_back(json::object{{"KV", std::move(kv)}});
  }
  // 409: the transaction was rolled back; the answer's Errors say why.
  send("PUT", "/v1/txn", json::serialize(list), settings_.timeout);
}

BlockingQueryLoop::BlockingQueryLoop(Client& client, std::string path, std::chrono::seconds wait,
                                     std::chrono::milliseconds rate_interval)
    : client_(client), path_(std::move(path)), wait_(wait), limiter_(rate_interval) {}

std::optional<BlockingAnswer> BlockingQueryLoop::next() {
  for (;;) {
    const std::chrono::milliseconds pause = limiter_.take(QueryRateLimiter::Clock::now());
    {
      std::unique_lock lock(mu_);
      if (pause.count() > 0) cv_.wait_for(lock, pause, [&] { return stopping_; });
      if (stopping_) return std::nullopt;
    }
    BlockingAnswer answer;
    try {
      answer = client_.blocking_get(path_, index_.next(), wait_);
    } catch (const ConsulError&) {
      if (client_.stopped()) return std::nullopt;
      throw;
    }
    // Backwards: the index is reset, and the next query is a plain read whose
    // answer says what is there now.
    if (index_.observe(answer.index) == BlockingIndex::Seen::kWentBackwards) continue;
    return answer;
  }
}

void BlockingQueryLoop::resume() {
  std::lock_guard lock(mu_);
  stopping_ = false;
}

void BlockingQueryLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

}  // namespace hyperion::plugins::consul
