#include "grpc/grpc_test_support.h"

#include <arpa/inet.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace hyperion::grpc_test {

GrpcHost::GrpcHost(const std::string& grpc_config, const std::string& more) {
  manifest_ = "app: grpc\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\n" +
              "  health: {timeout_ms: 200, cache_ms: 1}\nplugins:\n" +
              "  - name: grpc\n    library: grpc-server\n    config: {health_watch_interval_ms: 10" +
              (grpc_config.find("listen:") == std::string::npos ? ", listen: \"127.0.0.1:0\"" : "") + grpc_config +
              "}\n" +
              "  - name: greeter\n    library: greeter\n" +
              "  - name: probe\n    library: grpc_probe\n    config: {journal: \"" + journal() + "\"}\n" + more;
  // `more` may say JOURNAL for a file in this host's folder.
  for (size_t at; (at = manifest_.find("\"JOURNAL\"")) != std::string::npos;) {
    manifest_.replace(at, 9, "\"" + dir_.path() + "/JOURNAL\"");
  }
  app::HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("grpc_probe")).parent_path().string(),
                         testing::example_plugin_dir()};
  auto host = app::Host::prepare(dir_.write("app.yaml", manifest_), options);
  if (!host.ok()) {
    error_ = host.status().to_string();
    return;
  }
  host_ = std::move(*host);
  if (auto s = host_->start(); !s.ok()) {
    error_ = s.to_string();
    return;
  }
  auto report = host_->instance_health("grpc");
  if (!report.ok()) {
    error_ = report.status().to_string();
    return;
  }
  port_ = static_cast<int>(boost::json::parse(*report).at("details").at("port").as_int64());
}

GrpcHost::~GrpcHost() { stop(); }

void GrpcHost::stop() {
  if (host_ && error_.empty()) (void)host_->stop();
  host_.reset();
}

std::shared_ptr<grpc::Channel> GrpcHost::channel() const {
  return grpc::CreateChannel(target(), grpc::InsecureChannelCredentials());
}

std::string GrpcHost::reload(const std::string& manifest_text) {
  reload::ReloadRequest request;
  request.source = "test";
  request.manifest_text = manifest_text;
  auto result = host_->reloads().reload(request);
  return result.summary();
}

grpc::ByteBuffer to_buffer(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

std::string to_string(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  (void)b.Dump(&slices);
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::Status raw_unary(grpc::Channel& channel, const std::string& method, const std::string& request,
                       std::string* response, grpc::ClientContext* ctx) {
  grpc::ClientContext local;
  if (ctx == nullptr) ctx = &local;
  grpc::ByteBuffer req = to_buffer(request), resp;
  // What generated stubs call, with ByteBuffer as the message type: raw bytes
  // without a .proto.
  grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      &channel, grpc::internal::RpcMethod(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), ctx, req, &resp);
  if (s.ok() && response != nullptr) *response = to_string(resp);
  return s;
}

bool journal_has(const std::string& path, const std::string& line) {
  if (!std::filesystem::exists(path)) return false;
  return testing::read_file(path).find(line + "\n") != std::string::npos;
}

}  // namespace hyperion::grpc_test
