// ProtoCatalog: the gRPC methods the gateway can translate to, read from
// FileDescriptorSets (protoc --descriptor_set_out --include_imports) into a
// descriptor pool private to one config generation — never the process'
// generated pool, so two gateways (or a reload) with different versions of a
// proto never collide. Messages are DynamicMessages of that pool; JSON uses
// protobuf's proto3 JSON mapping (int64 as strings, enums by name, well-known
// types such as Timestamp as RFC 3339).
// Thread-safety: immutable after load(); translate from any thread.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperion::plugins::api_gateway {

struct JsonStyle {
  bool proto_field_names = false;  // reply keys as in the .proto ("user_id"), not lowerCamelCase
  bool emit_defaults = false;      // reply fields at their default value too
};

// One resolved method: what a route calls.
struct RpcMethod {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  std::string path;  // "/users.v1.Users/GetUser", what gRPC sends
};

// Where a value came from, for the 400 a bad one gets.
struct FieldValue {
  std::string field;   // "id" or "user.id" (proto or JSON names)
  std::string value;   // as text: a path or query parameter
  std::string source;  // "path parameter id", "query parameter page"
};

// One google.api.http binding of a method (HttpRule, from googleapis'
// google/api/annotations.proto): the HTTP verb, the path template, which field
// the body fills ("*": the whole message; empty: none) and which field of the
// reply is the response body (empty: the whole reply).
struct HttpBinding {
  std::string verb;  // "GET", "POST", ... or a custom kind
  std::string path;  // "/v1/shelves/{shelf}/books/{id}"
  std::string body;
  std::string response_body;
};

class ProtoCatalog {
 public:
  // Reads every file; throws std::invalid_argument naming the file and what is
  // wrong (unreadable, not a FileDescriptorSet, a proto that does not build,
  // two different files with one name).
  static std::shared_ptr<const ProtoCatalog> load(const std::vector<std::string>& paths);

  // "users.v1.Users/GetUser" (or with a leading "/"); throws
  // std::invalid_argument naming what is missing, streaming methods included
  // (the gateway translates unary calls).
  [[nodiscard]] RpcMethod method(std::string_view name) const;

  // The request message for `method` as bytes: `body_json` (empty: none) is
  // the message in proto3 JSON, then each of `fields` is set on it, converted
  // to the field's type (repeated fields collect every value). Throws
  // std::invalid_argument with a message fit for a 400 answer.
  [[nodiscard]] std::string request_bytes(const RpcMethod& method, std::string_view body_json,
                                          const std::vector<FieldValue>& fields) const;
  // The reply bytes of `method` as JSON — or only its field `response_field`
  // (a google.api.http response_body) when not empty; throws
  // std::runtime_error when they do not parse as its output type (an upstream
  // speaking another proto).
  [[nodiscard]] std::string reply_json(const RpcMethod& method, std::string_view bytes, const JsonStyle& style,
                                       const std::string& response_field = {}) const;

  [[nodiscard]] size_t file_count() const { return files_; }

  // The unary methods of `service` ("library.v1.Library"); throws
  // std::invalid_argument when the descriptors have no such service.
  [[nodiscard]] std::vector<RpcMethod> methods_of(std::string_view service) const;
  // The method's google.api.http bindings (the rule, then its
  // additional_bindings); empty when it has none.
  [[nodiscard]] static std::vector<HttpBinding> http_bindings(const RpcMethod& method);

 private:
  ProtoCatalog() = default;
  // Collects what a file that does not build says (the pool keeps a pointer).
  class Errors : public google::protobuf::DescriptorPool::ErrorCollector {
   public:
    void AddError(const std::string& filename, const std::string& element, const google::protobuf::Message*,
                  ErrorLocation, const std::string& message) override {
      if (text.empty()) text = filename + (element.empty() ? "" : " (" + element + ")") + ": " + message;
    }
    std::string text;
  };
  Errors errors_;
  google::protobuf::SimpleDescriptorDatabase database_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  // mutable: DynamicMessageFactory::GetPrototype is thread-safe but not const.
  mutable google::protobuf::DynamicMessageFactory factory_;
  size_t files_ = 0;
};

// Whether `path` ("id", "user.id"; proto or JSON names) names a singular
// chain of fields of `type`, the last of any kind.
bool has_field_path(const google::protobuf::Descriptor* type, std::string_view path);

}  // namespace hyperion::plugins::api_gateway
