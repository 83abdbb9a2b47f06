#include "call_spec.h"

#include <cstdlib>

namespace hyperion::plugins::grpc_client {
namespace {

using MetadataMap = std::multimap<grpc::string_ref, grpc::string_ref>;

std::vector<hyperion_grpc_metadata_t> to_c(const MetadataMap& m) {
  std::vector<hyperion_grpc_metadata_t> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) {
    out.push_back({{k.data(), k.size()}, {reinterpret_cast<const uint8_t*>(v.data()), v.size()}});
  }
  return out;
}

}  // namespace

void prepare_context(grpc::ClientContext& ctx, const CallSpec& spec) {
  for (const auto& [k, v] : spec.metadata) ctx.AddMetadata(k, v);
  if (spec.deadline) {
    // gRPC takes the deadline on the system clock; ours is steady.
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(*spec.deadline - Clock::now()));
  }
}

void record_outcome(Target& target, int32_t code, CallObserver& observer) {
  const TargetSettings& s = target.settings();
  const bool success = code == HYPERION_GRPC_OK || s.expected_codes.count(code) != 0;
  if (target.breaker().record(s.breaker, success, CircuitBreaker::Clock::now())) {
    observer.breaker_changed(target, target.breaker().state(s.breaker, CircuitBreaker::Clock::now()));
  }
}

void end_client_span(const CallSpec& spec, int32_t code, const std::string& message, uint32_t attempts,
                     const std::string& peer) {
  if (!spec.span || !spec.span->recording()) return;
  hyperion::trace::Span& span = *spec.span;
  // OpenTelemetry's semantic conventions for an RPC client span.
  const size_t slash = spec.method.find('/', 1);
  span.set("rpc.system", "grpc")
      .set("rpc.service", std::string_view(spec.method).substr(1, slash - 1))
      .set("rpc.method", std::string_view(spec.method).substr(slash + 1))
      .set("rpc.grpc.status_code", static_cast<int64_t>(code))
      .set("hyperion.grpc.target", spec.target->settings().name)
      .set("hyperion.grpc.attempts", static_cast<int64_t>(attempts));
  if (const size_t colon = peer.rfind(':'); colon != std::string::npos) {
    span.set("server.address", std::string_view(peer).substr(0, colon));
    span.set("server.port", static_cast<int64_t>(std::atoi(peer.c_str() + colon + 1)));
  }
  if (code != HYPERION_GRPC_OK) span.error(message.empty() ? "gRPC status " + std::to_string(code) : message);
  span.end();
}

void note_retry(const CallSpec& spec, int32_t code, const std::string& peer) {
  if (!spec.span || !spec.span->recording()) return;
  spec.span->event("retry after " + std::to_string(code) + (peer.empty() ? "" : " from " + peer));
}

void deliver_result(hyperion_grpc_client_done_fn done, void* user, int32_t code, const std::string& message,
                    grpc::ClientContext* ctx, const grpc::ByteBuffer* response, uint32_t attempts,
                    const std::string& peer) {
  std::vector<hyperion_grpc_metadata_t> initial;
  std::vector<hyperion_grpc_metadata_t> trailing;
  if (ctx != nullptr && attempts > 0) {
    initial = to_c(ctx->GetServerInitialMetadata());
    trailing = to_c(ctx->GetServerTrailingMetadata());
  }
  grpc::Slice flat;
  if (code == HYPERION_GRPC_OK && response != nullptr && response->Valid()) (void)response->DumpToSingleSlice(&flat);
  hyperion_grpc_client_result_t r{};
  r.struct_size = sizeof r;
  r.code = code;
  r.message = {message.data(), message.size()};
  r.response = {flat.begin(), flat.size()};
  r.initial_metadata = initial.data();
  r.initial_metadata_count = initial.size();
  r.trailing_metadata = trailing.data();
  r.trailing_metadata_count = trailing.size();
  r.attempts = attempts;
  r.peer = {peer.data(), peer.size()};
  done(user, &r);
}

std::string to_bytes(const grpc::ByteBuffer& buffer) {
  grpc::Slice flat;
  if (!buffer.Valid() || !buffer.DumpToSingleSlice(&flat).ok()) return {};
  return std::string(reinterpret_cast<const char*>(flat.begin()), flat.size());
}

}  // namespace hyperion::plugins::grpc_client
