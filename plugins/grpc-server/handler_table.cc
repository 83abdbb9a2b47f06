#include "handler_table.h"

#include <algorithm>

namespace hyperion::plugins::grpc_server {

std::string service_of(const std::string& method) {
  if (method.size() < 4 || method[0] != '/') return {};
  size_t slash = method.find('/', 1);
  if (slash == std::string::npos || slash == 1 || slash + 1 == method.size()) return {};
  if (method.find('/', slash + 1) != std::string::npos) return {};
  return method.substr(1, slash - 1);
}

uint64_t HandlerTable::add(const std::string& method, const hyperion_grpc_handler_t& handler, std::string& error) {
  if (service_of(method).empty()) {
    error = "method \"" + method + "\" is not a full method name \"/package.Service/Method\"";
    return 0;
  }
  if (handler.struct_size < sizeof(hyperion_grpc_handler_t) || handler.on_start == nullptr ||
      handler.on_message == nullptr || handler.on_half_close == nullptr || handler.on_done == nullptr) {
    error = "handler for " + method + " lacks a required callback (on_start, on_message, on_half_close, on_done)";
    return 0;
  }
  if (handler.kind < HYPERION_GRPC_UNARY || handler.kind > HYPERION_GRPC_BIDI_STREAMING) {
    error = "handler for " + method + " has an unknown kind " + std::to_string(handler.kind);
    return 0;
  }
  std::unique_lock lock(mu_);
  uint64_t id = next_id_++;
  methods_[method].push_back(std::make_shared<Registration>(id, method, handler));
  return id;
}

std::shared_ptr<Registration> HandlerTable::remove(uint64_t id) {
  std::unique_lock lock(mu_);
  for (auto& [method, stack] : methods_) {
    auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& r) { return r->id() == id; });
    if (it != stack.end()) {
      auto found = *it;
      stack.erase(it);  // an emptied stack stays: the method is "known"
      return found;
    }
  }
  return nullptr;
}

HandlerTable::Lookup HandlerTable::find(const std::string& method) const {
  std::shared_lock lock(mu_);
  auto it = methods_.find(method);
  if (it == methods_.end()) return {};
  return {it->second.empty() ? nullptr : it->second.back(), true};
}

std::vector<std::string> HandlerTable::services() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [method, stack] : methods_) {
    if (stack.empty()) continue;
    out.push_back(service_of(method));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t HandlerTable::method_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [method, stack] : methods_) n += stack.empty() ? 0 : 1;
  return n;
}

}  // namespace hyperion::plugins::grpc_server
