#include "sampler.h"

#include <algorithm>
#include <cmath>

namespace hyperion::plugins::tracing {

Sampler::Sampler(Type type, double ratio) : type_(type), ratio_(std::clamp(ratio, 0.0, 1.0)) {
  // 2^64 * ratio, without overflowing at ratio 1.
  bound_ = ratio_ >= 1.0 ? UINT64_MAX : static_cast<uint64_t>(std::ldexp(ratio_, 64));
}

bool Sampler::parse_type(const std::string& name, Type& out) {
  if (name == "always_on")
    out = Type::kAlwaysOn;
  else if (name == "always_off")
    out = Type::kAlwaysOff;
  else if (name == "ratio")
    out = Type::kRatio;
  else if (name == "parent_based_ratio")
    out = Type::kParentBasedRatio;
  else
    return false;
  return true;
}

bool Sampler::by_ratio(const uint8_t trace_id[16]) const {
  if (ratio_ >= 1.0) return true;
  if (ratio_ <= 0.0) return false;
  uint64_t low = 0;
  for (int i = 8; i < 16; ++i) low = low << 8 | trace_id[i];
  return low < bound_;
}

bool Sampler::sample(const uint8_t trace_id[16], int parent_sampled) const {
  switch (type_) {
    case Type::kAlwaysOn: return true;
    case Type::kAlwaysOff: return false;
    case Type::kRatio: return by_ratio(trace_id);
    case Type::kParentBasedRatio: return parent_sampled >= 0 ? parent_sampled == 1 : by_ratio(trace_id);
  }
  return false;
}

}  // namespace hyperion::plugins::tracing
