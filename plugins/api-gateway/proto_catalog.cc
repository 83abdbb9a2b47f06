#include "proto_catalog.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hyperion::plugins::api_gateway {
namespace {

namespace pb = google::protobuf;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("descriptors: cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A field of `type` by its .proto name or its JSON name.
const pb::FieldDescriptor* find_field(const pb::Descriptor* type, std::string_view name) {
  if (const auto* f = type->FindFieldByName(std::string(name))) return f;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == name) return type->field(i);
  }
  return nullptr;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      size_t used = 0;
      double v = std::stod(std::string(text), &used);
      out = static_cast<T>(v);
      return used == text.size() && !text.empty();
    } catch (...) {
      return false;
    }
  } else {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  }
}

}  // namespace

std::shared_ptr<const ProtoCatalog> ProtoCatalog::load(const std::vector<std::string>& paths) {
  std::shared_ptr<ProtoCatalog> catalog(new ProtoCatalog());
  std::vector<std::string> names;
  for (const std::string& path : paths) {
    pb::FileDescriptorSet set;
    if (!set.ParseFromString(read_all(path))) {
      throw std::invalid_argument("descriptors: " + path +
                                  " is not a FileDescriptorSet (make it with protoc --descriptor_set_out=FILE "
                                  "--include_imports)");
    }
    for (const pb::FileDescriptorProto& file : set.file()) {
      pb::FileDescriptorProto known;
      if (catalog->database_.FindFileByName(file.name(), &known)) {
        if (known.SerializeAsString() != file.SerializeAsString()) {
          throw std::invalid_argument("descriptors: " + path + " has another version of " + file.name() +
                                      " than an earlier file");
        }
        continue;
      }
      catalog->database_.Add(file);
      names.push_back(file.name());
    }
  }
  catalog->pool_ = std::make_unique<pb::DescriptorPool>(&catalog->database_, &catalog->errors_);
  for (const std::string& name : names) {
    if (catalog->pool_->FindFileByName(name) == nullptr) {
      throw std::invalid_argument("descriptors: " + name + " does not build: " + catalog->errors_.text +
                                  " (were its imports included? protoc --include_imports)");
    }
  }
  catalog->files_ = names.size();
  return catalog;
}

RpcMethod ProtoCatalog::method(std::string_view name) const {
  if (name.starts_with('/')) name.remove_prefix(1);
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == name.size()) {
    throw std::invalid_argument("\"" + std::string(name) + "\" is not a method: write package.Service/Method");
  }
  const std::string service_name(name.substr(0, slash)), method_name(name.substr(slash + 1));
  const pb::ServiceDescriptor* service = pool_->FindServiceByName(service_name);
  if (service == nullptr) {
    throw std::invalid_argument("no service " + service_name + " in the descriptors");
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(method_name);
  if (method == nullptr) throw std::invalid_argument("service " + service_name + " has no method " + method_name);
  if (method->client_streaming() || method->server_streaming()) {
    throw std::invalid_argument(service_name + "/" + method_name + " streams; the gateway translates unary methods");
  }
  return {method, "/" + service_name + "/" + method_name};
}

namespace {

// `text` parsed as a T and set on `field` (added, when it is repeated) through
// the reflection's setter for T; false when the text is not a T.
template <typename T>
bool put_number(std::string_view text, pb::Message* message, const pb::FieldDescriptor* field,
                void (pb::Reflection::*set)(pb::Message*, const pb::FieldDescriptor*, T) const,
                void (pb::Reflection::*add)(pb::Message*, const pb::FieldDescriptor*, T) const) {
  T value;
  if (!parse_number(text, value)) return false;
  (message->GetReflection()->*(field->is_repeated() ? add : set))(message, field, value);
  return true;
}

// Sets `text` on the last field of `path` (dotted, proto or JSON names) in
// `message`, converting it to the field's type.
void set_field(pb::Message& message, pb::MessageFactory& factory, const FieldValue& fv) {
  pb::Message* target = &message;
  std::string_view rest = fv.field;
  while (true) {
    const size_t dot = rest.find('.');
    const std::string_view name = rest.substr(0, dot);
    const pb::FieldDescriptor* field = find_field(target->GetDescriptor(), name);
    if (field == nullptr) {
      throw std::invalid_argument(fv.source + ": " + target->GetDescriptor()->full_name() + " has no field " +
                                  std::string(name));
    }
    const pb::Reflection* r = target->GetReflection();
    if (dot != std::string_view::npos) {
      if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        throw std::invalid_argument(fv.source + ": " + field->full_name() + " is not a message to look into");
      }
      target = r->MutableMessage(target, field, &factory);
      rest = rest.substr(dot + 1);
      continue;
    }
    const std::string& text = fv.value;
    auto bad = [&](const char* what) {
      return std::invalid_argument(fv.source + ": \"" + text + "\" is not " + what + " (field " + field->full_name() +
                                   ")");
    };
    const bool many = field->is_repeated();
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        if (!put_number<int32_t>(text, target, field, &pb::Reflection::SetInt32, &pb::Reflection::AddInt32)) {
          throw bad("an int32");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        if (!put_number<int64_t>(text, target, field, &pb::Reflection::SetInt64, &pb::Reflection::AddInt64)) {
          throw bad("an int64");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        if (!put_number<uint32_t>(text, target, field, &pb::Reflection::SetUInt32, &pb::Reflection::AddUInt32)) {
          throw bad("a uint32");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        if (!put_number<uint64_t>(text, target, field, &pb::Reflection::SetUInt64, &pb::Reflection::AddUInt64)) {
          throw bad("a uint64");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        if (!put_number<double>(text, target, field, &pb::Reflection::SetDouble, &pb::Reflection::AddDouble)) {
          throw bad("a number");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        if (!put_number<float>(text, target, field, &pb::Reflection::SetFloat, &pb::Reflection::AddFloat)) {
          throw bad("a number");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        if (text != "true" && text != "false") throw bad("true or false");
        many ? r->AddBool(target, field, text == "true") : r->SetBool(target, field, text == "true");
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumValueDescriptor* v = field->enum_type()->FindValueByName(text);
        int number = 0;
        if (v == nullptr && parse_number(text, number)) v = field->enum_type()->FindValueByNumber(number);
        if (v == nullptr) throw bad(("a value of " + field->enum_type()->full_name()).c_str());
        many ? r->AddEnum(target, field, v) : r->SetEnum(target, field, v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_STRING:
        many ? r->AddString(target, field, text) : r->SetString(target, field, text);
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
        // A well-known type written as one JSON string: Timestamp, Duration,
        // FieldMask, the wrappers ("2026-11-30T10:00:00Z", "1.5s", "5").
        pb::Message* sub = many ? r->AddMessage(target, field, &factory) : r->MutableMessage(target, field, &factory);
        std::string json;
        json.reserve(text.size() + 2);
        json.push_back('"');
        for (char c : text) {
          if (c == '"' || c == '\\') json.push_back('\\');
          json.push_back(c);
        }
        json.push_back('"');
        if (!pb::util::JsonStringToMessage(json, sub).ok())
          throw bad(("a " + field->message_type()->full_name()).c_str());
        break;
      }
    }
    return;
  }
}

}  // namespace

std::string ProtoCatalog::request_bytes(const RpcMethod& method, std::string_view body_json,
                                        const std::vector<FieldValue>& fields) const {
  const pb::Descriptor* type = method.descriptor->input_type();
  std::unique_ptr<pb::Message> message(factory_.GetPrototype(type)->New());
  if (!body_json.empty()) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status =
        pb::util::JsonStringToMessage(pb::StringPiece(body_json.data(), body_json.size()), message.get(), options);
    if (!status.ok()) {
      throw std::invalid_argument("the body is not a valid " + type->full_name() + ": " +
                                  std::string(status.message()));
    }
  }
  for (const FieldValue& fv : fields) set_field(*message, factory_, fv);
  return message->SerializeAsString();
}

std::string ProtoCatalog::reply_json(const RpcMethod& method, std::string_view bytes, const JsonStyle& style,
                                     const std::string& response_field) const {
  const pb::Descriptor* type = method.descriptor->output_type();
  std::unique_ptr<pb::Message> message(factory_.GetPrototype(type)->New());
  if (!message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw std::runtime_error("the reply of " + method.path + " is not a " + type->full_name());
  }
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = style.proto_field_names;
  options.always_print_primitive_fields = style.emit_defaults;
  const pb::Message* printed = message.get();
  if (!response_field.empty()) {
    const pb::FieldDescriptor* field = type->FindFieldByName(response_field);
    if (field == nullptr || field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      throw std::runtime_error("response_body " + response_field + " is not a message field of " + type->full_name());
    }
    printed = &message->GetReflection()->GetMessage(*message, field, &factory_);
  }
  std::string out;
  auto status = pb::util::MessageToJsonString(*printed, &out, options);
  if (!status.ok()) throw std::runtime_error("the reply of " + method.path + ": " + std::string(status.message()));
  return out;
}

std::vector<RpcMethod> ProtoCatalog::methods_of(std::string_view service) const {
  const pb::ServiceDescriptor* s = pool_->FindServiceByName(std::string(service));
  if (s == nullptr) throw std::invalid_argument("no service " + std::string(service) + " in the descriptors");
  std::vector<RpcMethod> out;
  for (int i = 0; i < s->method_count(); ++i) {
    const pb::MethodDescriptor* m = s->method(i);
    if (m->client_streaming() || m->server_streaming()) continue;
    out.push_back({m, "/" + s->full_name() + "/" + m->name()});
  }
  return out;
}

namespace {

// google.api.http's extension number on MethodOptions (googleapis).
constexpr int kHttpRuleField = 72295728;

// One HttpRule's bytes, read field by field (the gateway does not link
// googleapis' generated code: the rule is an unknown field of the options).
void read_rule(const std::string& bytes, std::vector<HttpBinding>& out, int depth) {
  pb::UnknownFieldSet rule;
  if (depth > 1 || !rule.ParseFromString(bytes)) return;
  HttpBinding binding;
  std::vector<std::string> additional;
  static constexpr const char* kVerbs[] = {nullptr, nullptr, "GET", "PUT", "POST", "DELETE", "PATCH"};
  for (int i = 0; i < rule.field_count(); ++i) {
    const pb::UnknownField& f = rule.field(i);
    if (f.type() != pb::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const int n = f.number();
    if (n >= 2 && n <= 6) {
      binding.verb = kVerbs[n];
      binding.path = f.length_delimited();
    } else if (n == 8) {  // custom: {kind, path}
      pb::UnknownFieldSet custom;
      if (!custom.ParseFromString(f.length_delimited())) continue;
      for (int j = 0; j < custom.field_count(); ++j) {
        if (custom.field(j).type() != pb::UnknownField::TYPE_LENGTH_DELIMITED) continue;
        (custom.field(j).number() == 1 ? binding.verb : binding.path) = custom.field(j).length_delimited();
      }
    } else if (n == 7) {
      binding.body = f.length_delimited();
    } else if (n == 12) {
      binding.response_body = f.length_delimited();
    } else if (n == 11) {
      additional.push_back(f.length_delimited());
    }
  }
  if (!binding.verb.empty() && !binding.path.empty()) out.push_back(binding);
  for (const std::string& more : additional) read_rule(more, out, depth + 1);
}

}  // namespace

std::vector<HttpBinding> ProtoCatalog::http_bindings(const RpcMethod& method) {
  std::vector<HttpBinding> out;
  const pb::Message& options = method.descriptor->options();
  // Where the rule is depends on the process: an extension when googleapis'
  // generated code is linked somewhere in it (its registry then knows the
  // field), else an unknown field of the options. Both are read as bytes.
  std::vector<const pb::FieldDescriptor*> set;
  options.GetReflection()->ListFields(options, &set);
  for (const pb::FieldDescriptor* f : set) {
    if (f->number() == kHttpRuleField && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated()) {
      read_rule(options.GetReflection()->GetMessage(options, f).SerializeAsString(), out, 0);
    }
  }
  const pb::UnknownFieldSet& unknown = options.GetReflection()->GetUnknownFields(options);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const pb::UnknownField& f = unknown.field(i);
    if (f.number() == kHttpRuleField && f.type() == pb::UnknownField::TYPE_LENGTH_DELIMITED) {
      read_rule(f.length_delimited(), out, 0);
    }
  }
  return out;
}

bool has_field_path(const pb::Descriptor* type, std::string_view path) {
  while (true) {
    const size_t dot = path.find('.');
    const pb::FieldDescriptor* field = find_field(type, path.substr(0, dot));
    if (field == nullptr) return false;
    if (dot == std::string_view::npos) return true;
    if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return false;
    type = field->message_type();
    path = path.substr(dot + 1);
  }
}

}  // namespace hyperion::plugins::api_gateway
