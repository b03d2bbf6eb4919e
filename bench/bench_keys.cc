// Key and cursor codecs (src/keys/keys.h, src/util/cursor.h): pure CPU, no RocksDB.
// Items are keys (or cursors) encoded or decoded.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "keys/keys.h"
#include "util/cursor.h"
#include "bench_util.h"

namespace {

using namespace puppies::internal;

constexpr size_t kN = 4096;  // a power of two: index with & (kN - 1)

std::vector<uint64_t> RandomIds() {
  std::mt19937_64 rng(puppies_bench::kSeed);
  std::vector<uint64_t> v(kN);
  for (auto& x : v) x = rng() >> 1 | 1;  // non-zero
  return v;
}

const std::vector<uint64_t>& Ids() {
  static const std::vector<uint64_t> ids = RandomIds();
  return ids;
}

void BM_EdgeKeyEncode(benchmark::State& state) {
  const auto& ids = Ids();
  size_t i = 0;
  for (auto _ : state) {
    EdgeKey k{ids[i & (kN - 1)], EdgeKind::kFollowing, ids[(i + 1) & (kN - 1)]};
    std::string s = k.Encode();
    benchmark::DoNotOptimize(s.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EdgeKeyEncode);

void BM_EdgeKeyDecode(benchmark::State& state) {
  const auto& ids = Ids();
  std::vector<std::string> keys;
  for (size_t i = 0; i < kN; ++i)
    keys.push_back(EdgeKey{ids[i], EdgeKind::kFollower, ids[(i + 7) & (kN - 1)]}.Encode());
  size_t i = 0;
  for (auto _ : state) {
    EdgeKey k;
    bool ok = EdgeKey::Decode(keys[i & (kN - 1)], &k);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(k);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EdgeKeyDecode);

void BM_EdgeOrderKeyEncode(benchmark::State& state) {
  const auto& ids = Ids();
  size_t i = 0;
  for (auto _ : state) {
    EdgeOrderKey k{ids[i & (kN - 1)], EdgeKind::kFollower,
                   static_cast<int64_t>(ids[(i + 3) & (kN - 1)] >> 8), ids[(i + 1) & (kN - 1)]};
    std::string s = k.Encode();
    benchmark::DoNotOptimize(s.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EdgeOrderKeyEncode);

void BM_InboxKeyEncode(benchmark::State& state) {
  const auto& ids = Ids();
  size_t i = 0;
  for (auto _ : state) {
    InboxKey k{ids[i & (kN - 1)], ids[(i + 5) & (kN - 1)]};
    std::string s = k.Encode();
    benchmark::DoNotOptimize(s.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InboxKeyEncode);

void BM_InboxKeyDecode(benchmark::State& state) {
  const auto& ids = Ids();
  std::vector<std::string> keys;
  for (size_t i = 0; i < kN; ++i) keys.push_back(InboxKey{ids[i], ids[(i + 5) & (kN - 1)]}.Encode());
  size_t i = 0;
  for (auto _ : state) {
    InboxKey k;
    bool ok = InboxKey::Decode(keys[i & (kN - 1)], &k);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(k);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InboxKeyDecode);

void BM_CounterKeyEncode(benchmark::State& state) {
  const auto& ids = Ids();
  size_t i = 0;
  for (auto _ : state) {
    std::string s = CounterKey{ids[i & (kN - 1)], CounterKind::kLikes}.Encode();
    benchmark::DoNotOptimize(s.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterKeyEncode);

// A home-feed cursor as HomeFeed builds it: the position is an 8-byte big-endian post id.
std::string Position(uint64_t post) {
  std::string p(8, '\0');
  for (int b = 7; b >= 0; --b, post >>= 8) p[b] = static_cast<char>(post & 0xff);
  return p;
}

void BM_CursorEncode(benchmark::State& state) {
  const auto& ids = Ids();
  std::vector<std::string> positions;
  for (uint64_t id : ids) positions.push_back(Position(id));
  const uint64_t salt = ids[0];
  size_t i = 0;
  for (auto _ : state) {
    std::string c =
        EncodeCursor(salt, ListKind::kHomeFeed, ids[(i + 1) & (kN - 1)], positions[i & (kN - 1)]);
    benchmark::DoNotOptimize(c.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CursorEncode);

void BM_CursorDecode(benchmark::State& state) {
  const auto& ids = Ids();
  const uint64_t salt = ids[0];
  std::vector<std::string> cursors;
  for (size_t i = 0; i < kN; ++i)
    cursors.push_back(
        EncodeCursor(salt, ListKind::kHomeFeed, ids[(i + 1) & (kN - 1)], Position(ids[i])));
  size_t i = 0;
  std::string position;
  for (auto _ : state) {
    puppies::Status s = DecodeCursor(salt, ListKind::kHomeFeed, ids[(i + 1) & (kN - 1)],
                                     cursors[i & (kN - 1)], &position);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(position.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CursorDecode);

}  // namespace

PUPPIES_BENCH_MAIN()
