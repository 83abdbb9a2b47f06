// bench-echo: answers bench.Echo/Echo with the request's payload, parsing and
// serializing the message as the bare server's generated code does.
#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <optional>
#include <vector>

#include "echo.pb.h"

namespace bench_echo {

namespace hg = hyperion::grpc;

class EchoPlugin {
 public:
  EchoPlugin(hyperion::Context& ctx, const boost::json::object&) : ctx_(ctx) {}
  void start(hyperion::Deadline) {
    server_.emplace(ctx_.acquire(HYPERION_GRPC_SERVER_API, HYPERION_GRPC_SERVER_MAJOR));
    registration_ = server_->unary("/bench.Echo/Echo", [](hg::Call&, std::string_view request, std::string& response) {
      bench::EchoMessage in;
      if (!in.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
        return hg::Status{HYPERION_GRPC_INVALID_ARGUMENT, "not a bench.EchoMessage"};
      }
      bench::EchoMessage out;
      out.set_payload(in.payload());
      response = out.SerializeAsString();
      return hg::Status::ok();
    });
  }
  void stop(hyperion::Deadline deadline) {
    registration_.release(deadline);
    server_.reset();
  }

 private:
  hyperion::Context& ctx_;
  std::optional<hg::Server> server_;
  hg::Registration registration_;
};

}  // namespace bench_echo

HYPERION_PLUGIN(bench_echo::EchoPlugin)
