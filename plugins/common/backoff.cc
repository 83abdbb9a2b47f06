#include "backoff.h"

#include <algorithm>

namespace hyperion::plugins {

std::chrono::milliseconds backoff(int retry, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                  std::mt19937_64& rng) {
  int64_t cap = min.count();
  for (int i = 0; i < retry && cap < max.count(); ++i) cap *= 2;
  cap = std::min<int64_t>(std::max<int64_t>(cap, min.count()), max.count());
  if (cap <= min.count()) return std::chrono::milliseconds(cap);
  std::uniform_int_distribution<int64_t> pick(min.count(), cap);
  return std::chrono::milliseconds(pick(rng));
}

}  // namespace hyperion::plugins
