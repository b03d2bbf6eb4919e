#pragma once
#include <cstdint>
#include <string_view>

namespace puppies::internal {
// XXH3 64-bit hash: lock striping, cursor checksums, trim sampling.
uint64_t Hash64(std::string_view data, uint64_t seed = 0);
uint64_t HashIds(uint64_t a, uint64_t b);
// XXH3 128-bit hash, for digests that must not collide in practice (Check's mirror sums).
struct Hash128 {
  uint64_t lo = 0, hi = 0;
};
Hash128 Hash128Of(std::string_view data);
}  // namespace puppies::internal
