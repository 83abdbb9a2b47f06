#include <hyperion/plugin.hpp>

class Echo {
 public:
  Echo(hyperion::Context& ctx, const boost::json::object& config)
      : ctx_(ctx), message_(config.at("message").as_string()) {}
  void start(hyperion::Deadline) { ctx_.info("echo: " + message_); }
  hyperion::HealthReport health() { return {}; }

 private:
  hyperion::Context& ctx_;
  std::string message_;
};

HYPERION_PLUGIN(Echo)
