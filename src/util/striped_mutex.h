#pragma once
// The one mechanism for read-then-write checks (duplicate username, double follow, double
// like): a fixed array of mutexes picked by the hash of the contended key.

#include <array>
#include <cstdint>
#include <mutex>

#include "util/hash.h"

namespace puppies::internal {

template <size_t N>
class StripedMutex {
 public:
  static size_t Index(uint64_t key) { return HashIds(key, 0) % N; }
  static size_t Index(uint64_t a, uint64_t b) { return HashIds(a, b) % N; }
  std::mutex& For(uint64_t key) { return stripes_[Index(key)]; }
  std::mutex& For(uint64_t a, uint64_t b) { return stripes_[Index(a, b)]; }
  // Bulk paths lock many stripes at once, always in ascending index order, so they cannot
  // deadlock with callers holding one stripe.
  std::mutex& At(size_t index) { return stripes_[index]; }

 private:
  std::array<std::mutex, N> stripes_;
};

}  // namespace puppies::internal
