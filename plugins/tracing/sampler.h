// Which new spans are sampled (recorded and exported). The decision for a
// root span looks at its trace id only, so every service that samples a trace
// id at the same ratio makes the same decision (OpenTelemetry's
// TraceIdRatioBased); parent_based_ratio follows the parent's sampled flag
// when there is a parent (OpenTelemetry's ParentBased).
// Thread-safety: immutable.
#pragma once

#include <cstdint>
#include <string>

namespace hyperion::plugins::tracing {

class Sampler {
 public:
  enum class Type { kAlwaysOn, kAlwaysOff, kRatio, kParentBasedRatio };
  Sampler(Type type, double ratio);
  // `parent_sampled`: -1 no parent, 0 an unsampled parent, 1 a sampled one.
  [[nodiscard]] bool sample(const uint8_t trace_id[16], int parent_sampled) const;
  [[nodiscard]] Type type() const { return type_; }
  [[nodiscard]] double ratio() const { return ratio_; }
  // "always_on", ... -> Type; false for an unknown name.
  static bool parse_type(const std::string& name, Type& out);

 private:
  [[nodiscard]] bool by_ratio(const uint8_t trace_id[16]) const;
  Type type_;
  double ratio_;
  uint64_t bound_;  // sampled when the trace id's last 8 bytes, as a number, are below it
};

}  // namespace hyperion::plugins::tracing
