// KubernetesEndpointSliceProtocolFake: NOT a Kubernetes API server. None can
// run on these machines, so the tests run the discovery plugin's Kubernetes
// backend against this in-test HTTPS server, which implements what the API
// documents for listing and watching EndpointSlices (discovery.k8s.io/v1):
//
//   GET /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices
//       ?labelSelector=kubernetes.io/service-name=<svc>
//     list:  {"kind":"EndpointSliceList","metadata":{"resourceVersion":"N"},"items":[...]}
//     &watch=1&resourceVersion=N[&allowWatchBookmarks=true][&timeoutSeconds=S]
//       a stream of {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}
//       lines for the changes after N; a resourceVersion older than the history
//       kept answers an ERROR event with a 410 Status ("Expired"), as the API
//       server does once etcd compacted it
//   Authorization: Bearer <token> checked on every request (401 otherwise)
//
// Faults: history expiry (410 on the next watch), dropped watch streams.
// Thread-safety: every method from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace hyperion::testing {

class KubernetesEndpointSliceProtocolFake {
 public:
  // Serves https with <tls_dir>/server.pem (make_test_certificates); requires `token`.
  KubernetesEndpointSliceProtocolFake(std::string tls_dir, std::string token);
  ~KubernetesEndpointSliceProtocolFake();
  KubernetesEndpointSliceProtocolFake(const KubernetesEndpointSliceProtocolFake&) = delete;
  KubernetesEndpointSliceProtocolFake& operator=(const KubernetesEndpointSliceProtocolFake&) = delete;

  [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  struct Endpoint {
    std::string address;
    bool ready = true;
  };
  // Creates or replaces the slice `name` of `service` in `ns` (ADDED or
  // MODIFIED), with one port `port_name`/`port`; returns the new resourceVersion.
  uint64_t apply_slice(const std::string& ns, const std::string& service, const std::string& name,
                       const std::vector<Endpoint>& endpoints, const std::string& port_name, int port);
  uint64_t delete_slice(const std::string& ns, const std::string& name);

  // Forgets the history: a watch from an earlier resourceVersion gets 410.
  void expire_history();
  // Ends every watch stream now (as an API server restart would).
  void drop_watches();

  [[nodiscard]] size_t lists() const;    // list requests seen
  [[nodiscard]] size_t watches() const;  // watch requests seen
  [[nodiscard]] size_t unauthorized() const;

 private:
  struct Event {
    uint64_t version;
    std::string type;  // ADDED, MODIFIED, DELETED
    std::string ns, service;
    std::string object;  // the slice's JSON
  };
  std::string slice_json(const std::string& ns, const std::string& service, const std::string& name,
                         const std::vector<Endpoint>& endpoints, const std::string& port_name, int port,
                         uint64_t version) const;

  std::string token_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  uint64_t version_ = 100;
  uint64_t oldest_ = 100;  // watches from before this get 410
  uint64_t drops_ = 0;
  bool closing_ = false;
  struct Slice {
    std::string ns, service, json;
  };
  std::map<std::string, Slice> slices_;  // ns/name -> slice
  std::vector<Event> history_;
  size_t lists_ = 0, watches_ = 0, unauthorized_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace hyperion::testing
