// The Kubernetes registry (read side). Kubernetes itself decides which pods
// serve a service — a pod's readiness probe puts its address in the service's
// EndpointSlices — so this registry only follows them: per service, a list of
// /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices with the label
// kubernetes.io/service-name=<svc>, then a watch from the list's
// resourceVersion (renewed from the last version seen when it ends), and a new
// list when the API server says that version is gone (410 Expired). Requests
// carry the service account's bearer token, read again at every connect.
#include "kubernetes_registry.h"

#include <httplib.h>

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "stores/http_transport.h"
#include "stores/store_config.h"

namespace hyperion::plugins::discovery {
namespace {

namespace json = boost::json;

constexpr const char* kAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

std::string read_trimmed(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

struct Answer {
  int status = 0;
  std::string body;
};

class KubernetesRegistry final : public Registry {
 public:
  explicit KubernetesRegistry(KubernetesRegistrySettings settings) : settings_(std::move(settings)) {}
  ~KubernetesRegistry() override { stop(std::chrono::steady_clock::now()); }

  [[nodiscard]] std::string name() const override {
    return "kubernetes:" + settings_.api_server + " (namespace " + settings_.namespace_name + ")";
  }
  [[nodiscard]] bool writable() const override { return false; }
  void publish(const Instance&) override {}
  void withdraw(const std::string&, const std::string&) override {}

  void follow(const std::string& service, OnInstances on_change) override {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    auto f = std::make_unique<Follower>(settings_.api_server);
    Follower* raw = f.get();
    raw->thread =
        std::thread([this, raw, service, on_change = std::move(on_change)] { follow_loop(*raw, service, on_change); });
    followers_.push_back(std::move(f));
  }

  void stop(std::chrono::steady_clock::time_point) override {
    std::vector<std::unique_ptr<Follower>> followers;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      followers.swap(followers_);
    }
    cv_.notify_all();
    for (auto& f : followers) f->endpoints.stop();
    for (auto& f : followers) {
      if (f->thread.joinable()) f->thread.join();
    }
  }

  [[nodiscard]] RegistryStatus status() const override {
    std::lock_guard lock(mu_);
    RegistryStatus s;
    s.healthy = last_error_.empty();
    s.message = last_error_.empty() ? "following EndpointSlices (registration is Kubernetes' own: readiness probes)"
                                    : "kubernetes: " + last_error_ + " (retrying)";
    return s;
  }

 private:
  struct Follower {
    explicit Follower(const std::string& url) : endpoints({url}, true) {}
    stores::Endpoints endpoints;  // one API server; stop() ends the request in flight
    std::thread thread;
  };

  // A GET of `path`; `on_line` (watches) gets each line of the body as it arrives.
  Answer get(Follower& f, const std::string& path, std::chrono::milliseconds read_timeout,
             const std::function<bool(const std::string&)>& on_line = {}) {
    stores::TlsSettings tls;
    tls.enabled = true;
    tls.ca_file = settings_.ca_file;
    auto cli = stores::open_http_client(settings_.api_server, tls, settings_.timeout, read_timeout);
    httplib::Request req;
    req.method = "GET";
    req.path = path;
    req.set_header("Authorization", "Bearer " + read_trimmed(settings_.token_file));
    req.set_header("Accept", "application/json");
    Answer answer;
    stores::LineSplitter lines;
    req.response_handler = [&](const httplib::Response& r) {
      answer.status = r.status;
      return true;
    };
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      if (!on_line || answer.status != 200) {
        answer.body.append(data, size);
        return true;
      }
      return lines.feed({data, size}, on_line);
    };
    if (!f.endpoints.begin(cli.get())) throw std::runtime_error("stopped");
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    const bool sent = stores::send(*cli, req, res, err);
    if (f.endpoints.end()) throw std::runtime_error("stopped");
    if (answer.status == 0) {
      throw std::runtime_error(settings_.api_server + path + ": " + (sent ? "no answer" : httplib::to_string(err)));
    }
    return answer;
  }

  std::chrono::milliseconds next_backoff(std::chrono::milliseconds& backoff) const {
    return stores::jittered_backoff(backoff, settings_.retry_max);
  }

  void note_error(const std::string& error) {
    std::lock_guard lock(mu_);
    last_error_ = error;
  }

  void follow_loop(Follower& f, const std::string& service, const OnInstances& on_change) {
    const std::string base =
        "/apis/discovery.k8s.io/v1/namespaces/" + stores::percent_encode(settings_.namespace_name, false) +
        "/endpointslices?labelSelector=" + stores::percent_encode("kubernetes.io/service-name=" + service, false);
    std::map<std::string, std::string> slices;  // name -> the slice's JSON
    std::vector<Instance> told;
    bool any_told = false;
    auto tell = [&] {
      std::vector<std::string> all;
      for (const auto& [name, json] : slices) all.push_back(json);
      std::vector<Instance> now = instances_of_slices(service, all, settings_.port_name);
      if (any_told && now == told) return;
      told = now;
      any_told = true;
      on_change(now);
    };
    std::chrono::milliseconds backoff = settings_.retry_initial;
    std::string version;  // empty: list first
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      try {
        if (version.empty()) {
          Answer list = get(f, base, settings_.timeout);
          if (list.status != 200)
            throw std::runtime_error("list: HTTP " + std::to_string(list.status) + ": " + list.body);
          json::value doc = json::parse(list.body);
          slices.clear();
          for (const json::value& item : doc.at("items").as_array()) {
            slices[std::string(item.at("metadata").at("name").as_string())] = json::serialize(item);
          }
          version = std::string(doc.at("metadata").at("resourceVersion").as_string());
          tell();
        }
        bool expired = false;
        Answer watch = get(f,
                           base + "&watch=1&allowWatchBookmarks=true&resourceVersion=" + version +
                               "&timeoutSeconds=" + std::to_string(settings_.watch_timeout.count()),
                           settings_.watch_timeout + settings_.timeout, [&](const std::string& line) {
                             boost::system::error_code ec;
                             json::value event = json::parse(line, ec);
                             if (ec || !event.is_object() || !event.as_object().contains("type") ||
                                 !event.as_object().contains("object")) {
                               settings_.warn("watch of " + service + ": not an event: " + line.substr(0, 200));
                               return false;
                             }
                             const std::string type(event.at("type").as_string());
                             const json::object& object = event.at("object").as_object();
                             if (type == "ERROR") {
                               const json::value* code = object.if_contains("code");
                               expired = code != nullptr && code->is_int64() && code->as_int64() == 410;
                               if (!expired) settings_.warn("watch of " + service + ": " + line);
                               return false;
                             }
                             const json::object& meta = object.at("metadata").as_object();
                             version = std::string(meta.at("resourceVersion").as_string());
                             if (type == "BOOKMARK") return true;
                             const std::string name(meta.at("name").as_string());
                             if (type == "DELETED")
                               slices.erase(name);
                             else
                               slices[name] = json::serialize(object);
                             tell();
                             return true;
                           });
        if (watch.status == 410) expired = true;
        if (watch.status != 200 && !expired) {
          throw std::runtime_error("watch: HTTP " + std::to_string(watch.status) + ": " + watch.body);
        }
        // The version is gone (compacted): list again. Else the stream ended
        // (its timeout, a restart): watch again from the last version seen.
        if (expired) version.clear();
        note_error("");
        backoff = settings_.retry_initial;
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(mu_);
          if (stopping_) return;
        }
        note_error(std::string(e.what()));
        settings_.warn(std::string("EndpointSlices of ") + service + ": " + e.what());
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, next_backoff(backoff), [&] { return stopping_; })) return;
      }
    }
  }

  KubernetesRegistrySettings settings_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::string last_error_;
  std::vector<std::unique_ptr<Follower>> followers_;
};

}  // namespace

KubernetesRegistrySettings KubernetesRegistrySettings::in_cluster_defaults() {
  KubernetesRegistrySettings s;
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host != nullptr && *host != '\0') {
    s.api_server = std::string("https://") + host + ":" + (port != nullptr && *port != '\0' ? port : "443");
  }
  s.token_file = std::string(kAccountDir) + "/token";
  s.ca_file = std::string(kAccountDir) + "/ca.crt";
  try {
    s.namespace_name = read_trimmed(std::string(kAccountDir) + "/namespace");
  } catch (const std::exception&) {
    s.namespace_name = "default";
  }
  return s;
}

std::vector<Instance> instances_of_slices(const std::string& service, const std::vector<std::string>& slices,
                                          const std::string& port_name) {
  std::map<std::string, Instance> by_id;
  for (const std::string& text : slices) {
    json::value slice = json::parse(text);
    const json::object& o = slice.as_object();
    int64_t port = 0;
    if (const json::value* ports = o.if_contains("ports"); ports != nullptr && ports->is_array()) {
      for (const json::value& p : ports->as_array()) {
        const json::value* name = p.as_object().if_contains("name");
        const bool named = name != nullptr && name->is_string() && name->as_string() == port_name;
        if (port_name.empty() || named) {
          if (const json::value* number = p.as_object().if_contains("port"); number != nullptr && number->is_int64()) {
            port = number->as_int64();
          }
          break;
        }
      }
    }
    if (port <= 0 || port > 65535) continue;  // no such port in this slice
    const std::string slice_name(o.at("metadata").at("name").as_string());
    const json::value* endpoints = o.if_contains("endpoints");
    if (endpoints == nullptr || !endpoints->is_array()) continue;
    for (const json::value& e : endpoints->as_array()) {
      const json::object& ep = e.as_object();
      // "ready" unknown (absent) means ready, as the API documents.
      if (const json::value* conditions = ep.if_contains("conditions");
          conditions != nullptr && conditions->is_object()) {
        const json::value* ready = conditions->as_object().if_contains("ready");
        if (ready != nullptr && ready->is_bool() && !ready->as_bool()) continue;
      }
      std::string pod;
      if (const json::value* ref = ep.if_contains("targetRef"); ref != nullptr && ref->is_object()) {
        if (const json::value* n = ref->as_object().if_contains("name"); n != nullptr && n->is_string()) {
          pod = std::string(n->as_string());
        }
      }
      for (const json::value& address : ep.at("addresses").as_array()) {
        Instance i;
        i.service = service;
        i.address = std::string(address.as_string());
        i.port = static_cast<uint32_t>(port);
        i.id = i.address + ":" + std::to_string(port);
        i.meta["slice"] = slice_name;
        if (!pod.empty()) i.meta["pod"] = pod;
        by_id[i.id] = std::move(i);
      }
    }
  }
  std::vector<Instance> out;
  for (auto& [id, i] : by_id) out.push_back(std::move(i));
  return out;
}

std::unique_ptr<Registry> make_kubernetes_registry(KubernetesRegistrySettings settings) {
  return std::make_unique<KubernetesRegistry>(std::move(settings));
}

}  // namespace hyperion::plugins::discovery
