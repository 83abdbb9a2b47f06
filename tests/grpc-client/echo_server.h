// EchoServer: a bare grpc++ server (no Hyperion) for the grpc-client tests,
// serving every method by name through gRPC's callback generic service, with
// behaviours chosen by the method:
//   /test.Echo/Unary     answers the request bytes; initial metadata
//                        x-server: <name>; trailing metadata echoes the
//                        request's x-echo and x-echo-bin
//   /test.Echo/Sleep     answers after the request's number of ms (or when cancelled)
//   /test.Echo/Fail      ends with the code named by the request ("14"), no answer
//   /test.Echo/Flaky     UNAVAILABLE for the first `flaky_failures` calls, then answers
//   /test.Echo/Trace     answers the request's traceparent
//   /test.Echo/Split     server-streaming: "a,b,c" -> "a", "b", "c"
//   /test.Echo/Concat    client-streaming: every request joined, once half-closed
//   /test.Echo/Chat      bidi: "echo:<message>" for each message
// Counts calls per method. TLS when given certificate files.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace hyperion::grpc_client_test {

struct EchoTls {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // set: client certificates are required
};

class EchoServer {
 public:
  // Listens on 127.0.0.1:`port` (0: a free port).
  explicit EchoServer(std::string name, int port = 0, const EchoTls* tls = nullptr);
  ~EchoServer();
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& name() const { return name_; }
  int calls(const std::string& method);
  int total_calls();
  // Stops at once: calls in flight are cancelled.
  void shutdown();

  std::atomic<int> flaky_failures{0};

  class Reactor;

 private:
  friend class Reactor;
  void count(const std::string& method);
  std::string name_;
  int port_ = 0;
  class Service : public grpc::CallbackGenericService {
   public:
    explicit Service(EchoServer& server) : server_(server) {}
    grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

   private:
    EchoServer& server_;
  };
  Service service_{*this};
  std::unique_ptr<grpc::Server> server_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
  std::atomic<int> flaky_seen_{0};
};

}  // namespace hyperion::grpc_client_test
