// grpc.reflection.v1alpha.ServerReflection: lists the services that have a
// handler now and serves the descriptors handler plugins registered (and this
// plugin's own health and reflection protos).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/services/grpc_server.hpp>

#include <atomic>
#include <string>
#include <string_view>

#include "descriptor_index.h"
#include "handler_table.h"

namespace hyperion::plugins::grpc_server {

class ReflectionService {
 public:
  ReflectionService(const HandlerTable& table, const DescriptorIndex& index,
                    std::function<bool(const std::string& service)> served);

  void register_into(HandlerTable& table);
  void set_enabled(bool enabled) { enabled_.store(enabled); }
  [[nodiscard]] bool enabled() const { return enabled_.load(); }

  // Answers one serialized ServerReflectionRequest with a serialized response.
  [[nodiscard]] std::string answer(std::string_view request) const;

 private:
  const HandlerTable& table_;
  const DescriptorIndex& index_;
  // Whether a service in the table is served now (health and reflection can be off).
  std::function<bool(const std::string&)> served_;
  std::atomic<bool> enabled_{true};
  hyperion::grpc::detail::Handlers info_;
};

}  // namespace hyperion::plugins::grpc_server
