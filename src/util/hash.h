#pragma once
#include <cstdint>
#include <string_view>

namespace puppies::internal {
// XXH3 64-bit hash: lock striping, cursor checksums, trim sampling.
uint64_t Hash64(std::string_view data, uint64_t seed = 0);
uint64_t HashIds(uint64_t a, uint64_t b);
}  // namespace puppies::internal
