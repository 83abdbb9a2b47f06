// bench-hello: GET /hello answers the benchmark's 64 bytes of JSON through the
// http-server plugin, written the way a plugin author would (the C++ helpers).
#include <hyperion/plugin.hpp>
#include <hyperion/services/http_server.hpp>

#include <optional>
#include <vector>

#include "hello_body.h"

namespace bench {

class Hello {
 public:
  Hello(hyperion::Context& ctx, const boost::json::object&) : ctx_(ctx) {}
  void start(hyperion::Deadline) {
    server_.emplace(ctx_.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
    routes_.push_back(server_->route("GET", "/hello", [](const hyperion::http::Request&, hyperion::http::Response& w) {
      w.body(std::string(kHelloBody), "application/json");
    }));
  }
  void stop(hyperion::Deadline deadline) {
    for (auto& r : routes_) r.release(deadline);
    routes_.clear();
    server_.reset();
  }

 private:
  hyperion::Context& ctx_;
  std::optional<hyperion::http::Server> server_;
  std::vector<hyperion::http::Registration> routes_;
};

}  // namespace bench

HYPERION_PLUGIN(bench::Hello)
