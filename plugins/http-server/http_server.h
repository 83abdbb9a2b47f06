// HttpServerPlugin: one HTTP/1.1 server (engine.h) whose routes are served by
// handler plugins through the http.server service (route_table.h). The plugin
// adds what every route gets: an access log line and the ecosystem's metrics
// per route template (never per raw path). Every setting but `threads` is
// dynamic: new limits apply to new requests, a new listen address or TLS
// setting moves the listener (bound in prepare, so a bad one refuses the
// reload) while open connections and registrations stay.
// Thread-safety: service calls and requests arrive on any thread; lifecycle and
// reload hooks are serialized by the host.
#pragma once

#include <hyperion/services/http_server.h>
#include <hyperion/plugin.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "http_engine/engine.h"
#include "http_engine/observer.h"
#include "http_engine/route_table.h"
#include "server_config.h"

namespace hyperion::plugins::http_server {

using http_engine::BoundListener;
using http_engine::Engine;
using http_engine::Observer;
using http_engine::RequestRecord;
using http_engine::RouteRegistration;
using http_engine::RouteTable;

class HttpServerPlugin final : public Observer {
 public:
  HttpServerPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~HttpServerPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // Observer
  void request_finished(const RequestRecord& record) override;
  void handler_failed(std::string_view route, std::string_view what) override;
  [[nodiscard]] const hyperion::trace::Tracer* tracer() const override { return tracer_.active() ? &tracer_ : nullptr; }

 private:
  // http.server 1.0, with `ctx` = this
  static const hyperion_http_server_v1_t kService;
  // Each throws hyperion::Error on failure (the service thunks turn it into a status).
  void register_route(const hyperion_http_route_t* route, const hyperion_http_handler_t* handler, uint64_t* out_id);
  void unregister_route(uint64_t id, uint64_t deadline_ns);

  struct Prepared {
    std::shared_ptr<const Settings> settings;
    Endpoint endpoint;
    std::unique_ptr<BoundListener> listener;  // only when the endpoint changed
  };

  hyperion::Context& ctx_;
  Endpoint endpoint_;
  std::shared_ptr<const Settings> settings_;
  std::atomic<bool> access_log_{true};
  // Set in start (the optional "trace" requirement), before the server serves.
  hyperion::trace::Tracer tracer_;
  std::optional<Prepared> prepared_;
  bool serving_ = false;

  RouteTable table_;
  Engine engine_;
};

}  // namespace hyperion::plugins::http_server
