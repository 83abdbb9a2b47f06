// The Kubernetes registry's settings and factory (kubernetes_registry.cc says how it works).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "registry.h"

namespace hyperion::plugins::discovery {

struct KubernetesRegistrySettings {
  std::string api_server;  // https://host:port; in a pod: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
  std::string namespace_name;
  std::string token_file;  // read again at every connect: projected tokens rotate
  std::string ca_file;
  std::string port_name;  // the slices' port to use; empty: the first
  std::chrono::milliseconds timeout{2000};
  std::chrono::seconds watch_timeout{300};  // a watch is renewed after this (timeoutSeconds)
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{10000};
  std::function<void(const std::string&)> warn = [](const std::string&) {};

  // In-cluster defaults (the service account's files, the API server from the
  // environment) for what `config` leaves out.
  static KubernetesRegistrySettings in_cluster_defaults();
};

std::unique_ptr<Registry> make_kubernetes_registry(KubernetesRegistrySettings settings);

// The ready instances of `service` in EndpointSlice objects (their JSON):
// every address of every endpoint whose "ready" condition is not false, on the
// port named `port_name` (or the slice's first), id "<address>:<port>".
std::vector<Instance> instances_of_slices(const std::string& service, const std::vector<std::string>& slices,
                                          const std::string& port_name);

}  // namespace hyperion::plugins::discovery
