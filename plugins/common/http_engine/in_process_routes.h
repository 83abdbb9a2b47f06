// Routes served by code in this process rather than by a handler plugin (the
// admin API, the health plugin): the SDK's hyperion::http handler functions on
// a route table of their own, reached through the same C exchange a handler
// plugin sees. Add every route before the engine serves; the handlers live as
// long as this object, so it must outlive the engine that calls them.
// Thread-safety: add() before serving; table() from any thread.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/http_server.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "route_table.h"

namespace hyperion::http_engine {

class InProcessRoutes {
 public:
  // Throws hyperion::Error when the table refuses the route (a bad template:
  // a programming error, the paths are the caller's own).
  void add(std::string_view method, std::string_view path, hyperion::http::Handler fn) {
    auto handler = std::make_unique<hyperion::http::detail::Route>();
    handler->fn = std::move(fn);
    std::string error;
    if (table_.add(method, path, "", hyperion::http::detail::raw_handler(handler.get()), error) == 0) {
      throw hyperion::Error(HYPERION_ERR_INTERNAL, "route " + std::string(method) + " " + std::string(path) + ": " + error);
    }
    handlers_.push_back(std::move(handler));
  }
  [[nodiscard]] RouteTable& table() noexcept { return table_; }

 private:
  RouteTable table_;
  std::vector<std::unique_ptr<hyperion::http::detail::Route>> handlers_;
};

}  // namespace hyperion::http_engine
