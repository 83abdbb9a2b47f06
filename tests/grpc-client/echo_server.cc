#include "echo_server.h"

#include <grpcpp/alarm.h>
#include <grpcpp/generic/async_generic_service.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace hyperion::grpc_client_test {
namespace {

std::string to_string(const grpc::ByteBuffer& b) {
  grpc::Slice s;
  if (!b.Valid()) return {};
  (void)b.DumpToSingleSlice(&s);
  return std::string(reinterpret_cast<const char*>(s.begin()), s.size());
}

grpc::ByteBuffer to_buffer(const std::string& s) {
  grpc::Slice slice(s.data(), s.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string metadata(const grpc::GenericCallbackServerContext* ctx, const std::string& key) {
  auto it = ctx->client_metadata().find(key);
  return it == ctx->client_metadata().end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

// One call, whatever its kind: reads requests until the client half-closes
// (or, for unary-shaped methods, until the first), then answers by method.
class EchoServer::Reactor final : public grpc::ServerGenericBidiReactor {
 public:
  Reactor(EchoServer& server, grpc::GenericCallbackServerContext* ctx) : server_(server), ctx_(ctx) {
    method_ = ctx->method();
    server_.count(method_);
    ctx_->AddInitialMetadata("x-server", server_.name());
    StartSendInitialMetadata();
    StartRead(&in_);
  }
  void OnSendInitialMetadataDone(bool) override {}

  void OnReadDone(bool ok) override {
    if (!ok) return half_closed();
    std::string request = to_string(in_);
    in_.Clear();
    if (method_ == "/test.Echo/Chat") {
      send("echo:" + request);
      return;
    }
    if (method_ == "/test.Echo/Concat" || method_ == "/test.Echo/Split") {
      requests_.push_back(request);
      StartRead(&in_);
      return;
    }
    answer_unary(request);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) return finish_once(grpc::Status::CANCELLED);
    if (!outbox_.empty()) {
      out_ = std::move(outbox_.front());
      outbox_.erase(outbox_.begin());
      writing_ = true;
      StartWrite(&out_);
      return;
    }
    if (method_ == "/test.Echo/Chat" && !half_closed_) {
      StartRead(&in_);
      return;
    }
    if (pending_status_) finish_once(*pending_status_);
  }

  void OnCancel() override {
    grpc::Alarm* alarm = nullptr;
    {
      std::lock_guard lock(mu_);
      alarm = alarm_.get();
    }
    if (alarm != nullptr) alarm->Cancel();  // outside the lock: its callback takes it
  }
  void OnDone() override { delete this; }

 private:
  void half_closed() {
    std::lock_guard lock(mu_);
    half_closed_ = true;
    if (method_ == "/test.Echo/Concat") {
      std::string all;
      for (const auto& r : requests_) all += r;
      queue_locked(all);
    } else if (method_ == "/test.Echo/Split") {
      std::string text = requests_.empty() ? std::string() : requests_.front();
      size_t begin = 0;
      while (begin <= text.size() && !text.empty()) {
        size_t comma = text.find(',', begin);
        if (comma == std::string::npos) comma = text.size();
        queue_locked(text.substr(begin, comma - begin));
        begin = comma + 1;
      }
    } else if (method_ != "/test.Echo/Chat") {
      return;  // unary-shaped methods answered on their request
    }
    pending_status_ = grpc::Status::OK;
    if (!writing_) finish_once(grpc::Status::OK);
  }

  void answer_unary(const std::string& request) {
    if (method_ == "/test.Echo/Unary") {
      ctx_->AddTrailingMetadata("x-echo", metadata(ctx_, "x-echo"));
      ctx_->AddTrailingMetadata("x-echo-bin", metadata(ctx_, "x-echo-bin"));
      return reply(request);
    }
    if (method_ == "/test.Echo/Trace") return reply(metadata(ctx_, "traceparent"));
    if (method_ == "/test.Echo/Fail") {
      int code = 2;  // UNKNOWN when the request is not a code number
      auto [end, ec] = std::from_chars(request.data(), request.data() + request.size(), code);
      if (ec != std::errc() || end != request.data() + request.size() || code < 1 || code > 16) code = 2;
      return finish_now(grpc::Status(static_cast<grpc::StatusCode>(code), "failed on purpose"));
    }
    if (method_ == "/test.Echo/Flaky") {
      if (server_.flaky_seen_.fetch_add(1) < server_.flaky_failures.load()) {
        return finish_now(grpc::Status(grpc::StatusCode::UNAVAILABLE, "flaky on purpose"));
      }
      return reply("recovered by " + server_.name());
    }
    if (method_ == "/test.Echo/Sleep") {
      std::lock_guard lock(mu_);
      alarm_ = std::make_unique<grpc::Alarm>();
      int ms = 0;
      std::from_chars(request.data(), request.data() + request.size(), ms);
      alarm_->Set(std::chrono::system_clock::now() + std::chrono::milliseconds(ms), [this](bool fired) {
        if (fired)
          reply("slept");
        else
          finish_now(grpc::Status::CANCELLED);
      });
      return;
    }
    finish_now(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no method " + method_));
  }

  void reply(const std::string& answer) {
    std::lock_guard lock(mu_);
    pending_status_ = grpc::Status::OK;
    queue_locked(answer);
  }
  void send(const std::string& message) {
    std::lock_guard lock(mu_);
    queue_locked(message);
  }
  void queue_locked(const std::string& message) {
    if (writing_) {
      outbox_.push_back(to_buffer(message));
      return;
    }
    out_ = to_buffer(message);
    writing_ = true;
    StartWrite(&out_);
  }
  void finish_now(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    finish_once(status);
  }
  void finish_once(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  EchoServer& server_;
  grpc::GenericCallbackServerContext* ctx_;
  std::string method_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
  std::mutex mu_;
  std::vector<grpc::ByteBuffer> outbox_;
  std::vector<std::string> requests_;
  std::optional<grpc::Status> pending_status_;
  std::unique_ptr<grpc::Alarm> alarm_;
  bool writing_ = false;
  bool half_closed_ = false;
  bool finished_ = false;
};

EchoServer::EchoServer(std::string name, int port, const EchoTls* tls) : name_(std::move(name)) {
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (tls != nullptr) {
    grpc::SslServerCredentialsOptions options(tls->client_ca_file.empty()
                                                  ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                  : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_key_cert_pairs.push_back({read_file(tls->key_file), read_file(tls->cert_file)});
    if (!tls->client_ca_file.empty()) options.pem_root_certs = read_file(tls->client_ca_file);
    creds = grpc::SslServerCredentials(options);
  }
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), creds, &port_);
  builder.RegisterCallbackGenericService(&service_);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("echo server " + name_ + " did not start");
}

grpc::ServerGenericBidiReactor* EchoServer::Service::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  return new Reactor(server_, ctx);
}

EchoServer::~EchoServer() { shutdown(); }

void EchoServer::shutdown() {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

void EchoServer::count(const std::string& method) {
  std::lock_guard lock(mu_);
  ++calls_[method];
}

int EchoServer::calls(const std::string& method) {
  std::lock_guard lock(mu_);
  return calls_[method];
}

int EchoServer::total_calls() {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [m, c] : calls_) n += c;
  return n;
}

}  // namespace hyperion::grpc_client_test
