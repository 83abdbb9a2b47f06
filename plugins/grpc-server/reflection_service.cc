#include "reflection_service.h"

#include "grpc/reflection/v1alpha/reflection.pb.h"

namespace hyperion::plugins::grpc_server {
namespace {

namespace hg = hyperion::grpc;
namespace rf = ::grpc::reflection::v1alpha;

class InfoStream : public hg::StreamHandler {
 public:
  explicit InfoStream(const ReflectionService& owner) : owner_(owner) {}
  void on_message(hg::Call& call, std::string_view message) override { call.send(owner_.answer(message)); }
  void on_half_close(hg::Call& call) override { call.finish(hg::Status::ok()); }

 private:
  const ReflectionService& owner_;
};

void not_found(rf::ServerReflectionResponse& response, const std::string& what) {
  auto* error = response.mutable_error_response();
  error->set_error_code(HYPERION_GRPC_NOT_FOUND);
  error->set_error_message(what);
}

void files(rf::ServerReflectionResponse& response, const std::vector<std::string>& protos, const std::string& what) {
  if (protos.empty()) {
    not_found(response, what);
    return;
  }
  auto* out = response.mutable_file_descriptor_response();
  for (const auto& p : protos) out->add_file_descriptor_proto(p);
}

}  // namespace

ReflectionService::ReflectionService(const HandlerTable& table, const DescriptorIndex& index,
                                     std::function<bool(const std::string&)> served)
    : table_(table), index_(index), served_(std::move(served)) {
  info_.kind = HYPERION_GRPC_BIDI_STREAMING;
  info_.factory = [this](hg::Call&) -> std::unique_ptr<hg::StreamHandler> {
    if (!enabled()) throw hg::Failure(HYPERION_GRPC_UNIMPLEMENTED, "server reflection is turned off (reflection: false)");
    return std::make_unique<InfoStream>(*this);
  };
}

void ReflectionService::register_into(HandlerTable& table) {
  std::string error;
  // v1 (what current grpcurl and Postman ask first) and v1alpha: the same
  // messages on the wire, so the same handler answers both.
  table.add("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", hg::detail::raw_handler(&info_), error);
  table.add("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", hg::detail::raw_handler(&info_), error);
}

std::string ReflectionService::answer(std::string_view request_bytes) const {
  rf::ServerReflectionRequest request;
  rf::ServerReflectionResponse response;
  if (!request.ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) {
    auto* error = response.mutable_error_response();
    error->set_error_code(HYPERION_GRPC_INVALID_ARGUMENT);
    error->set_error_message("not a grpc.reflection.v1(alpha).ServerReflectionRequest");
    return response.SerializeAsString();
  }
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  switch (request.message_request_case()) {
    case rf::ServerReflectionRequest::kListServices: {
      auto* list = response.mutable_list_services_response();
      for (const auto& service : table_.services()) {
        if (served_(service)) list->add_service()->set_name(service);
      }
      break;
    }
    case rf::ServerReflectionRequest::kFileByFilename:
      files(response, index_.file_by_name(request.file_by_filename()), "file not found: " + request.file_by_filename());
      break;
    case rf::ServerReflectionRequest::kFileContainingSymbol:
      files(response, index_.file_containing_symbol(request.file_containing_symbol()),
            "symbol not found: " + request.file_containing_symbol());
      break;
    case rf::ServerReflectionRequest::kFileContainingExtension: {
      const auto& ext = request.file_containing_extension();
      files(response, index_.file_containing_extension(ext.containing_type(), ext.extension_number()),
            "extension not found: " + ext.containing_type() + " " + std::to_string(ext.extension_number()));
      break;
    }
    case rf::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      auto numbers = index_.extension_numbers(request.all_extension_numbers_of_type());
      if (!numbers) {
        not_found(response, "type not found: " + request.all_extension_numbers_of_type());
        break;
      }
      auto* out = response.mutable_all_extension_numbers_response();
      out->set_base_type_name(request.all_extension_numbers_of_type());
      for (int n : *numbers) out->add_extension_number(n);
      break;
    }
    default: {
      auto* error = response.mutable_error_response();
      error->set_error_code(HYPERION_GRPC_UNIMPLEMENTED);
      error->set_error_message("request type not understood");
    }
  }
  return response.SerializeAsString();
}

}  // namespace hyperion::plugins::grpc_server
