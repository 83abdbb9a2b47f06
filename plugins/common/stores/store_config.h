// What the plugins that talk to a store (consul-config, discovery) read alike
// from their configs: endpoints, TLS, Consul's consistency mode; and the
// escaping and line splitting their HTTP streams need. One reading, so the
// same field means the same in both plugins.
// Thread-safety: pure functions; a LineSplitter belongs to one stream.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stores/consul_client.h"
#include "stores/http_transport.h"

namespace hyperion::plugins::stores {

// "host:port" or a list of them (a config's address/endpoints field); empty when absent.
std::vector<std::string> endpoints_from(const boost::json::value* field);
// tls: {enabled (default true when tls is given), ca_file, cert_file, key_file, server_name}.
TlsSettings tls_from(const boost::json::object& config);
// "default" | "consistent" | "stale" (absent: default).
consul::Consistency consistency_from(const boost::json::object& config);

// A reconnect's wait with full jitter, so a fleet that lost its store does not
// come back in step: drawn from [10 ms, backoff]; `backoff` doubles, at most `max`.
std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds& backoff, std::chrono::milliseconds max);

// Percent-encodes every byte outside [A-Za-z0-9-._~] (and '/', when `keep_slash`).
std::string percent_encode(std::string_view text, bool keep_slash);

// Cuts a streamed body (a watch) into lines as its bytes arrive.
class LineSplitter {
 public:
  // Calls `on_line` for each complete, non-blank line in `data` and what came
  // before it; false as soon as `on_line` says stop.
  bool feed(std::string_view data, const std::function<bool(const std::string& line)>& on_line);

 private:
  std::string pending_;
};

}  // namespace hyperion::plugins::stores
