// http_caller: a test plugin that depends on http.client and GETs its `url` in a
// loop (tests/swap: the http-client provider is swapped under it).
#include <hyperion/plugin.hpp>
#include <hyperion/services/http_client.hpp>

#include <optional>
#include <string>

#include "calling_loop.h"

namespace http_caller {

class HttpCaller {
 public:
  HttpCaller(hyperion::Context& ctx, const boost::json::object& config)
      : ctx_(ctx), url_(config.at("url").as_string()) {}

  void start(hyperion::Deadline) {
    http_.emplace(ctx_.acquire(HYPERION_HTTP_CLIENT_API, HYPERION_HTTP_CLIENT_MAJOR));
    loop_.start([this]() -> std::string {
      try {
        hyperion::http::client::Response r = http_->get(url_);
        return r.status == 200 ? "" : "status " + std::to_string(r.status);
      } catch (const hyperion::Error& e) {
        return e.what();
      }
    });
  }
  void stop(hyperion::Deadline) {
    loop_.stop();
    http_.reset();
  }
  hyperion::HealthReport health() { return loop_.health(); }

 private:
  hyperion::Context& ctx_;
  std::string url_;
  std::optional<hyperion::http::Client> http_;
  swap_test::CallingLoop loop_;
};

}  // namespace http_caller

HYPERION_PLUGIN(http_caller::HttpCaller)
