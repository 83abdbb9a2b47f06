// The JSON an instance is stored as in a registry's value (etcd):
// {"service","id","address","port","tags":[...],"meta":{...}}.
#include <stdexcept>

#include "registry.h"

namespace hyperion::plugins::discovery {

namespace json = boost::json;

std::string instance_json(const Instance& instance) {
  json::array tags;
  for (const std::string& t : instance.tags) tags.emplace_back(t);
  json::object meta;
  for (const auto& [k, v] : instance.meta) meta[k] = v;
  return json::serialize(json::object{{"service", instance.service},
                                      {"id", instance.id},
                                      {"address", instance.address},
                                      {"port", instance.port},
                                      {"tags", std::move(tags)},
                                      {"meta", std::move(meta)}});
}

Instance instance_from_json(const std::string& text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) throw std::runtime_error("not a JSON object");
  const json::object& o = doc.as_object();
  auto text_field = [&](const char* key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string() || v->as_string().empty()) {
      throw std::runtime_error(std::string("\"") + key + "\" must be a non-empty string");
    }
    return std::string(v->as_string());
  };
  Instance i;
  i.service = text_field("service");
  i.id = text_field("id");
  i.address = text_field("address");
  const json::value* port = o.if_contains("port");
  if (port == nullptr || !port->is_number() || port->to_number<int64_t>() < 1 || port->to_number<int64_t>() > 65535) {
    throw std::runtime_error("\"port\" must be 1..65535");
  }
  i.port = static_cast<uint32_t>(port->to_number<int64_t>());
  if (const json::value* tags = o.if_contains("tags"); tags != nullptr && tags->is_array()) {
    for (const json::value& t : tags->as_array()) {
      if (t.is_string()) i.tags.emplace_back(t.as_string());
    }
  }
  if (const json::value* meta = o.if_contains("meta"); meta != nullptr && meta->is_object()) {
    for (const auto& kv : meta->as_object()) {
      if (kv.value().is_string()) i.meta[std::string(kv.key())] = std::string(kv.value().as_string());
    }
  }
  return i;
}

}  // namespace hyperion::plugins::discovery
