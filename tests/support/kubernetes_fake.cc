#include "support/kubernetes_fake.h"

#include <httplib.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "support/test_support.h"

namespace hyperion::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

const char* kServiceLabel = "kubernetes.io/service-name";

}  // namespace

KubernetesEndpointSliceProtocolFake::KubernetesEndpointSliceProtocolFake(std::string tls_dir, std::string token)
    : token_(std::move(token)) {
  server_ = std::make_unique<httplib::SSLServer>((tls_dir + "/server.pem").c_str(), (tls_dir + "/server.key").c_str());
  server_->Get(R"(/apis/discovery\.k8s\.io/v1/namespaces/([^/]+)/endpointslices)", [this](const httplib::Request& req,
                                                                                          httplib::Response& res) {
    const std::string ns = req.matches[1];
    {
      std::lock_guard lock(mu_);
      if (req.get_header_value("Authorization") != "Bearer " + token_) {
        ++unauthorized_;
        res.status = 401;
        res.set_content(R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized",)"
                        R"("reason":"Unauthorized","code":401})",
                        "application/json");
        return;
      }
    }
    // Only the label selector the discovery plugin sends: kubernetes.io/service-name=<svc>.
    const std::string selector = req.get_param_value("labelSelector");
    const std::string prefix = std::string(kServiceLabel) + "=";
    if (!selector.starts_with(prefix)) {
      res.status = 400;
      res.set_content(R"({"kind":"Status","code":400,"message":"this fake understands only )" + prefix + R"(<svc>"})",
                      "application/json");
      return;
    }
    const std::string service = selector.substr(prefix.size());
    if (req.get_param_value("watch") != "1" && req.get_param_value("watch") != "true") {
      std::lock_guard lock(mu_);
      ++lists_;
      json::array items;
      for (const auto& [key, slice] : slices_) {
        if (slice.ns == ns && slice.service == service) items.push_back(json::parse(slice.json));
      }
      res.set_content(json::serialize(json::object{{"kind", "EndpointSliceList"},
                                                   {"apiVersion", "discovery.k8s.io/v1"},
                                                   {"metadata", {{"resourceVersion", std::to_string(version_)}}},
                                                   {"items", std::move(items)}}),
                      "application/json");
      return;
    }
    uint64_t from = 0;
    try {
      from = std::stoull(req.get_param_value("resourceVersion"));
    } catch (const std::exception&) {
      from = 0;
    }
    const int timeout_s = req.has_param("timeoutSeconds") ? std::stoi(req.get_param_value("timeoutSeconds")) : 1800;
    uint64_t drops;
    bool expired;
    {
      std::lock_guard lock(mu_);
      ++watches_;
      drops = drops_;
      expired = from < oldest_;  // checked as the watch starts: running ones go on
    }
    struct Stream {
      uint64_t sent;
      uint64_t drops;
      Clock::time_point ends;
      bool expired;
      bool over = false;
    };
    auto stream =
        std::make_shared<Stream>(Stream{from, drops, Clock::now() + std::chrono::seconds(timeout_s), expired});
    res.set_chunked_content_provider("application/json", [this, stream, ns, service](size_t, httplib::DataSink& sink) {
      std::unique_lock lock(mu_);
      if (stream->over) {
        sink.done();
        return true;
      }
      if (stream->expired) {
        // What the API server says once the resourceVersion was compacted away.
        const std::string error =
            json::serialize(json::object{{"type", "ERROR"},
                                         {"object",
                                          {{"kind", "Status"},
                                           {"apiVersion", "v1"},
                                           {"status", "Failure"},
                                           {"message", "too old resource version: " + std::to_string(stream->sent) +
                                                           " (" + std::to_string(oldest_) + ")"},
                                           {"reason", "Expired"},
                                           {"code", 410}}}}) +
            "\n";
        stream->over = true;
        lock.unlock();
        return sink.write(error.data(), error.size());
      }
      changed_.wait_until(lock, std::min(stream->ends, Clock::now() + std::chrono::milliseconds(200)), [&] {
        return closing_ || drops_ != stream->drops || (!history_.empty() && history_.back().version > stream->sent);
      });
      if (closing_ || drops_ != stream->drops || Clock::now() >= stream->ends) return false;  // the stream ends
      std::string lines;
      for (const Event& e : history_) {
        if (e.version <= stream->sent) continue;
        stream->sent = e.version;
        if (e.ns != ns || e.service != service) continue;
        lines += json::serialize(json::object{{"type", e.type}, {"object", json::parse(e.object)}}) + "\n";
      }
      lock.unlock();
      return lines.empty() || sink.write(lines.data(), lines.size());
    });
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("kubernetes fake: cannot listen");
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  if (!eventually([server] { return server->is_running(); }, std::chrono::seconds(5))) {
    throw std::runtime_error("kubernetes fake: the server did not start");
  }
}

KubernetesEndpointSliceProtocolFake::~KubernetesEndpointSliceProtocolFake() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  server_->stop();
  thread_.join();
}

std::string KubernetesEndpointSliceProtocolFake::slice_json(const std::string& ns, const std::string& service,
                                                            const std::string& name,
                                                            const std::vector<Endpoint>& endpoints,
                                                            const std::string& port_name, int port,
                                                            uint64_t version) const {
  json::array eps;
  for (const Endpoint& e : endpoints) {
    eps.push_back(json::object{{"addresses", json::array{json::value(e.address)}},
                               {"conditions", {{"ready", e.ready}, {"serving", e.ready}, {"terminating", false}}},
                               {"targetRef", {{"kind", "Pod"}, {"name", service + "-" + e.address}}}});
  }
  return json::serialize(
      json::object{{"kind", "EndpointSlice"},
                   {"apiVersion", "discovery.k8s.io/v1"},
                   {"metadata",
                    {{"name", name},
                     {"namespace", ns},
                     {"resourceVersion", std::to_string(version)},
                     {"labels", {{kServiceLabel, service}}}}},
                   {"addressType", "IPv4"},
                   {"endpoints", std::move(eps)},
                   {"ports", json::array{json::object{{"name", port_name}, {"port", port}, {"protocol", "TCP"}}}}});
}

uint64_t KubernetesEndpointSliceProtocolFake::apply_slice(const std::string& ns, const std::string& service,
                                                          const std::string& name,
                                                          const std::vector<Endpoint>& endpoints,
                                                          const std::string& port_name, int port) {
  std::lock_guard lock(mu_);
  const uint64_t version = ++version_;
  const std::string key = ns + "/" + name;
  const bool existed = slices_.count(key) > 0;
  std::string object = slice_json(ns, service, name, endpoints, port_name, port, version);
  slices_[key] = {ns, service, object};
  history_.push_back({version, existed ? "MODIFIED" : "ADDED", ns, service, std::move(object)});
  changed_.notify_all();
  return version;
}

uint64_t KubernetesEndpointSliceProtocolFake::delete_slice(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slices_.find(ns + "/" + name);
  if (it == slices_.end()) return version_;
  const uint64_t version = ++version_;
  history_.push_back({version, "DELETED", ns, it->second.service, it->second.json});
  slices_.erase(it);
  changed_.notify_all();
  return version;
}

void KubernetesEndpointSliceProtocolFake::expire_history() {
  std::lock_guard lock(mu_);
  oldest_ = version_ + 1;
  history_.clear();
}

void KubernetesEndpointSliceProtocolFake::drop_watches() {
  std::lock_guard lock(mu_);
  ++drops_;
  changed_.notify_all();
}

size_t KubernetesEndpointSliceProtocolFake::lists() const {
  std::lock_guard lock(mu_);
  return lists_;
}

size_t KubernetesEndpointSliceProtocolFake::watches() const {
  std::lock_guard lock(mu_);
  return watches_;
}

size_t KubernetesEndpointSliceProtocolFake::unauthorized() const {
  std::lock_guard lock(mu_);
  return unauthorized_;
}

}  // namespace hyperion::testing
