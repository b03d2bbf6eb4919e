// xxHash is compiled inline here so the library has no link dependency on libxxhash
// (Debian ships no CMake config for it; HOUSE-STYLE trap 3).
#define XXH_INLINE_ALL
#include "util/hash.h"

#include <xxhash.h>

namespace puppies::internal {

uint64_t Hash64(std::string_view data, uint64_t seed) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

uint64_t HashIds(uint64_t a, uint64_t b) {
  const uint64_t ids[2] = {a, b};
  return XXH3_64bits(ids, sizeof ids);
}

Hash128 Hash128Of(std::string_view data) {
  const XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return {h.low64, h.high64};
}

}  // namespace puppies::internal
