// The baseline: Boost.Beast serving the benchmark's answer from a lambda, the
// way Beast's own asynchronous HTTP server example does (a strand per
// connection, keep-alive), on the same number of I/O threads as the plugin.
#pragma once

#include <memory>

namespace bench {

class BareBeastServer {
 public:
  explicit BareBeastServer(int threads);
  ~BareBeastServer();
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench
