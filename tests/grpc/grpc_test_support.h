// Helpers for the grpc-server tests: a real host running the grpc-server plugin
// with handler plugins, raw-bytes calls for the probe plugin's methods, and
// test certificates made with openssl.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::grpc_test {

// A host with the grpc-server plugin ("grpc"), the greeter example ("greeter")
// and the probe test plugin ("probe", journal in journal()).
class GrpcHost {
 public:
  // `grpc_config` is extra YAML flow-mapping entries for the grpc instance
  // (", tls: {...}"); `more` is extra plugin entries appended to the manifest.
  explicit GrpcHost(const std::string& grpc_config = "", const std::string& more = "");
  ~GrpcHost();

  // Prepares and starts; on failure returns the error text (and ok() is false).
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string journal() const { return dir_.path() + "/journal"; }
  [[nodiscard]] const std::string& manifest_text() const { return manifest_; }
  [[nodiscard]] const testing::TempDir& dir() const { return dir_; }
  app::Host& host() { return *host_; }
  std::shared_ptr<grpc::Channel> channel() const;
  // Applies a new manifest text; returns the reload summary.
  std::string reload(const std::string& manifest_text);
  void stop();

 private:
  testing::TempDir dir_;
  std::string manifest_;
  std::unique_ptr<app::Host> host_;
  std::string error_;
  int port_ = 0;
};

grpc::ByteBuffer to_buffer(const std::string& s);
std::string to_string(const grpc::ByteBuffer& b);

// A unary call with raw bytes.
grpc::Status raw_unary(grpc::Channel& channel, const std::string& method, const std::string& request,
                       std::string* response, grpc::ClientContext* ctx = nullptr);

using testing::eventually;

using testing::free_loopback_port;

bool journal_has(const std::string& path, const std::string& line);

}  // namespace hyperion::grpc_test
