#include "stores/etcd_client.h"

#include <httplib.h>

#include <boost/json.hpp>

#include "base64.h"
#include "stores/store_config.h"

namespace hyperion::plugins::etcd {
namespace {

namespace json = boost::json;

// proto3 JSON writes int64 as a string; absent means 0.
int64_t int64_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_string()) {
    try {
      return std::stoll(std::string(v->as_string()));
    } catch (const std::exception&) {
      return 0;
    }
  }
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

std::string bytes_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  auto decoded = base64_decode(v->as_string());
  if (!decoded) throw EtcdError(std::string("etcd: field ") + key + " is not base64", false);
  return *decoded;
}

KeyValue key_value(const json::object& kv) {
  return {bytes_field(kv, "key"), bytes_field(kv, "value"), int64_field(kv, "mod_revision")};
}

int64_t header_revision(const json::object& answer) {
  const json::value* header = answer.if_contains("header");
  return header != nullptr && header->is_object() ? int64_field(header->as_object(), "revision") : 0;
}

// The gateway answers errors as {"error": "...", "code": N, "message": "..."}.
std::string error_text(const json::value& body, int status) {
  if (body.is_object()) {
    for (const char* key : {"message", "error"}) {
      if (const json::value* v = body.as_object().if_contains(key); v != nullptr && v->is_string()) {
        return std::string(v->as_string());
      }
    }
  }
  return "HTTP " + std::to_string(status);
}

bool says_token_invalid(const std::string& message) {
  return message.find("invalid auth token") != std::string::npos ||
         message.find("user name is empty") != std::string::npos;
}

}  // namespace

struct Client::Answer {
  int status = 0;
  json::value body;
};

std::string prefix_range_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Client::Client(ClientSettings settings)
    : settings_(std::move(settings)), endpoints_(settings_.endpoints, settings_.tls.enabled) {
  if (settings_.endpoints.empty()) throw EtcdError("etcd: no endpoints", false);
}

Client::~Client() = default;

std::string Client::token() const {
  std::lock_guard lock(token_mu_);
  return token_;
}

void Client::set_token(std::string token) {
  std::lock_guard lock(token_mu_);
  token_ = std::move(token);
}

std::unique_ptr<httplib::Client> Client::open(size_t endpoint, std::chrono::milliseconds read_timeout) const {
  try {
    return stores::open_http_client(endpoints_.url(endpoint), settings_.tls, settings_.timeout, read_timeout);
  } catch (const std::runtime_error& e) {
    throw EtcdError("etcd: " + endpoints_.url(endpoint) + ": " + e.what(), true);
  }
}

Client::Answer Client::post_once(size_t endpoint, const std::string& path, const std::string& body) {
  auto cli = open(endpoint, settings_.timeout);
  httplib::Headers headers;
  if (const std::string t = token(); !t.empty()) headers.emplace("Authorization", t);
  if (!endpoints_.begin(cli.get())) throw EtcdError("etcd: stopped", false);
  // The gateway ends every error answer with HTTP trailers, which cpp-httplib
  // 0.11 cannot read (it fails the whole response): take the status and body as
  // they arrive, and count a response whose headers arrived as an answer.
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = std::move(headers);
  req.set_header("Content-Type", "application/json");
  req.body = body;
  Answer answer;
  std::string received;
  req.response_handler = [&](const httplib::Response& r) {
    answer.status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    received.append(data, size);
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool sent = stores::send(*cli, req, res, err);
  endpoints_.end();
  if (answer.status == 0) {
    throw EtcdError("etcd: " + endpoints_.url(endpoint) + path + ": " + httplib::to_string(err), !sent);
  }
  boost::system::error_code ec;
  answer.body = json::parse(received, ec);
  if (ec) answer.body = json::object{{"message", received.empty() ? httplib::to_string(err) : received}};
  return answer;
}

void Client::authenticate(size_t endpoint) {
  set_token("");
  Answer a = post_once(endpoint, "/v3/auth/authenticate",
                       json::serialize(json::object{{"name", settings_.username}, {"password", settings_.password}}));
  const json::value* token = a.body.is_object() ? a.body.as_object().if_contains("token") : nullptr;
  if (a.status != 200 || token == nullptr || !token->is_string()) {
    throw EtcdError("etcd: authentication as \"" + settings_.username + "\" failed: " + error_text(a.body, a.status),
                    false);
  }
  set_token(std::string(token->as_string()));
}

Client::Answer Client::post(const std::string& path, const std::string& body) {
  const size_t first = endpoints_.current();
  std::string unreachable;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const size_t endpoint = (first + i) % endpoints_.size();
    try {
      if (!settings_.username.empty() && token().empty()) authenticate(endpoint);
      Answer a = post_once(endpoint, path, body);
      if (a.status != 200 && !settings_.username.empty() && says_token_invalid(error_text(a.body, a.status))) {
        authenticate(endpoint);  // expired: once more with a fresh token
        a = post_once(endpoint, path, body);
      }
      endpoints_.set_current(endpoint);
      if (a.status != 200) throw EtcdError("etcd: " + path + ": " + error_text(a.body, a.status), false);
      return a;
    } catch (const EtcdError& e) {
      if (!e.unreachable()) throw;
      unreachable += (unreachable.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw EtcdError(unreachable, true);
}

RangeResult Client::get_prefix(const std::string& prefix) {
  Answer a =
      post("/v3/kv/range", json::serialize(json::object{{"key", base64_encode(prefix)},
                                                        {"range_end", base64_encode(prefix_range_end(prefix))}}));
  RangeResult out;
  const json::object& body = a.body.as_object();
  out.revision = header_revision(body);
  if (const json::value* kvs = body.if_contains("kvs"); kvs != nullptr && kvs->is_array()) {
    for (const json::value& kv : kvs->as_array()) {
      if (kv.is_object()) out.kvs.push_back(key_value(kv.as_object()));
    }
  }
  return out;
}

int64_t Client::put(const std::string& key, const std::string& value, int64_t lease) {
  json::object body{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);  // proto3 JSON: int64 as a string
  Answer a = post("/v3/kv/put", json::serialize(body));
  return header_revision(a.body.as_object());
}

int64_t Client::delete_key(const std::string& key) {
  Answer a = post("/v3/kv/deleterange", json::serialize(json::object{{"key", base64_encode(key)}}));
  return header_revision(a.body.as_object());
}

int64_t Client::lease_grant(std::chrono::seconds ttl) {
  Answer a = post("/v3/lease/grant", json::serialize(json::object{{"TTL", std::to_string(ttl.count())}}));
  const int64_t id = int64_field(a.body.as_object(), "ID");
  if (id == 0) throw EtcdError("etcd: lease grant answered no ID: " + error_text(a.body, a.status), false);
  return id;
}

int64_t Client::lease_keepalive(int64_t lease) {
  // A stream in gRPC; through the gateway, one request is one refresh.
  Answer a = post("/v3/lease/keepalive", json::serialize(json::object{{"ID", std::to_string(lease)}}));
  const json::value* result = a.body.as_object().if_contains("result");
  if (result == nullptr || !result->is_object()) return 0;
  return int64_field(result->as_object(), "TTL");
}

void Client::lease_revoke(int64_t lease) {
  post("/v3/lease/revoke", json::serialize(json::object{{"ID", std::to_string(lease)}}));
}

int64_t Client::delete_prefix(const std::string& prefix) {
  Answer a =
      post("/v3/kv/deleterange", json::serialize(json::object{{"key", base64_encode(prefix)},
                                                              {"range_end", base64_encode(prefix_range_end(prefix))}}));
  return header_revision(a.body.as_object());
}

WatchOutcome Client::watch_prefix(const std::string& prefix, int64_t start_revision, const OnEvents& on_events) {
  const size_t endpoint = endpoints_.current();
  WatchOutcome outcome;
  outcome.end = WatchOutcome::End::kDisconnected;
  try {
    if (!settings_.username.empty() && token().empty()) authenticate(endpoint);
  } catch (const EtcdError& e) {
    if (!e.unreachable()) throw;
    endpoints_.set_current(endpoint + 1);  // the next attempt tries another endpoint
    outcome.detail = e.what();
    return outcome;
  }
  auto cli = open(endpoint, settings_.watch_idle);
  httplib::Request req;
  req.method = "POST";
  req.path = "/v3/watch";
  req.set_header("Content-Type", "application/json");
  req.body = json::serialize(
      json::object{{"create_request", json::object{{"key", base64_encode(prefix)},
                                                   {"range_end", base64_encode(prefix_range_end(prefix))},
                                                   {"start_revision", start_revision}}}});
  if (const std::string t = token(); !t.empty()) req.set_header("Authorization", t);
  if (!endpoints_.begin(cli.get())) {
    outcome.end = WatchOutcome::End::kStopped;
    return outcome;
  }
  stores::LineSplitter lines;
  bool finished = false;  // the stream told us how it ends
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    const bool go_on = lines.feed({data, size}, [&](const std::string& line) {
      boost::system::error_code ec;
      json::value msg = json::parse(line, ec);
      if (ec || !msg.is_object()) return true;
      if (const json::value* error = msg.as_object().if_contains("error")) {
        outcome.detail = error_text(*error, 200);
        if (says_token_invalid(outcome.detail)) set_token("");
        finished = true;
        return false;
      }
      const json::value* result = msg.as_object().if_contains("result");
      if (result == nullptr || !result->is_object()) return true;
      const json::object& r = result->as_object();
      const int64_t revision = header_revision(r);
      if (const json::value* canceled = r.if_contains("canceled");
          canceled && canceled->is_bool() && canceled->as_bool()) {
        outcome.compact_revision = int64_field(r, "compact_revision");
        if (outcome.compact_revision > 0) outcome.end = WatchOutcome::End::kCompacted;
        const json::value* reason = r.if_contains("cancel_reason");
        outcome.detail = reason != nullptr && reason->is_string() ? std::string(reason->as_string()) : "watch canceled";
        finished = true;
        return false;
      }
      std::vector<WatchEvent> events;
      if (const json::value* list = r.if_contains("events"); list != nullptr && list->is_array()) {
        for (const json::value& e : list->as_array()) {
          if (!e.is_object()) continue;
          const json::value* kv = e.as_object().if_contains("kv");
          if (kv == nullptr || !kv->is_object()) continue;
          const json::value* type = e.as_object().if_contains("type");
          events.push_back(
              {type != nullptr && type->is_string() && type->as_string() == "DELETE", key_value(kv->as_object())});
        }
      }
      if (!events.empty()) {
        const int64_t newest = std::max(revision, events.back().kv.mod_revision);
        on_events(events, newest);
        outcome.last_revision = std::max(outcome.last_revision, newest);
      }
      return true;
    });
    return go_on && !endpoints_.stopped();
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool sent = stores::send(*cli, req, res, err);
  const bool stopped = endpoints_.end();
  if (!sent && err == httplib::Error::Connection) endpoints_.set_current(endpoint + 1);
  if (stopped) {
    outcome.end = WatchOutcome::End::kStopped;
  } else if (!finished) {
    outcome.detail = sent ? "the watch stream ended (HTTP " + std::to_string(res.status) + ")"
                          : "the watch stream broke: " + httplib::to_string(err);
  }
  return outcome;
}

}  // namespace hyperion::plugins::etcd
