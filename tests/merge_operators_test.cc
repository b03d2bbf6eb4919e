// The counter (AddU64) and high-water mark (MaxU64) merge operators, through the engine's own
// Store on a real RocksDB: reads that fold operands in the memtable (FullMergeV2), and
// compactions that fold operands with no base value (PartialMerge/PartialMergeMulti) and with
// one. Malformed operands count as 0, as they always have.

#include "store/merge_operators.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "keys/coding.h"
#include "keys/keys.h"
#include "store/store.h"
#include "testing/raw_db.h"
#include "testing/temp_engine.h"
#include "testing/test_util.h"

namespace puppies::internal {
namespace {

std::string BE(uint64_t v) {
  std::string s;
  PutFixed64BE(&s, v);
  return s;
}

uint64_t Counter(Store& store, std::string_view key) {
  uint64_t v = 0;
  REQUIRE_OK(store.GetCounter(key, &v));
  return v;
}

uint64_t Meta(Store& store, std::string_view key) {
  std::string raw;
  bool found = false;
  REQUIRE_OK(store.Get(Cf::kMeta, key, &raw, &found));
  REQUIRE(found);
  REQUIRE(raw.size() == 8);
  return DecodeFixed64BE(raw.data());
}

// Writes `n` single-operand batches.
template <class Fn>
void Batches(Store& store, int n, Fn&& fill) {
  for (int i = 0; i < n; ++i) {
    Batch b = store.NewBatch();
    fill(b, i);
    REQUIRE_OK(store.Write(&b));
  }
}

void CompactAll(Store& store, Cf cf) {
  REQUIRE_OK(store.CompactRange(cf, std::string(1, '\0'), std::string(9, '\xff')));
}

TEST_CASE("merge operators: counters add, wrap on decrement and survive compaction") {
  testing::TempDir dir;
  Options options;
  options.object_cache_bytes = 0;  // every read folds operands in RocksDB
  testing::WithRawStore(options, dir.db(), [](Store& store) {
    const std::string only_ops = CounterKey{1, CounterKind::kLikes}.Encode();
    const std::string with_base = CounterKey{2, CounterKind::kLikes}.Encode();
    const std::string malformed = CounterKey{3, CounterKind::kLikes}.Encode();

    // 50 operands (past max_successive_merges, so some are folded into values on write):
    // +1 each, and -1 for every fifth.
    Batches(store, 50, [&](Batch& b, int i) { b.AddCounter(only_ops, i % 5 == 4 ? -1 : 1); });
    CHECK(Counter(store, only_ops) == 30);

    Batches(store, 1,
            [&](Batch& b, int) { b.Put(Cf::kCounters, with_base, std::string(8, '\0')); });
    Batches(store, 3, [&](Batch& b, int) { b.AddCounter(with_base, 7); });
    CHECK(Counter(store, with_base) == 21);

    // An operand that is not 8 bytes counts as 0, and the others still add up.
    Batches(store, 1, [&](Batch& b, int) { b.AddCounter(malformed, 5); });
    Batches(store, 1, [&](Batch& b, int) { b.Merge(Cf::kCounters, malformed, "bad"); });
    Batches(store, 1, [&](Batch& b, int) { b.AddCounter(malformed, 2); });
    CHECK(Counter(store, malformed) == 7);

    // A decrement below 0 wraps, as the two's complement the callers rely on.
    const std::string wraps = CounterKey{4, CounterKind::kLikes}.Encode();
    Batches(store, 1, [&](Batch& b, int) { b.AddCounter(wraps, -3); });
    CHECK(Counter(store, wraps) == UINT64_MAX - 2);

    CompactAll(store, Cf::kCounters);
    CHECK(Counter(store, only_ops) == 30);
    CHECK(Counter(store, with_base) == 21);
    CHECK(Counter(store, malformed) == 7);
    CHECK(Counter(store, wraps) == UINT64_MAX - 2);

    // Operands on top of compacted values, compacted again.
    Batches(store, 20, [&](Batch& b, int) { b.AddCounter(only_ops, 1); });
    CompactAll(store, Cf::kCounters);
    CHECK(Counter(store, only_ops) == 50);
  });
  // And after reopening: what compaction wrote is what the operator meant.
  testing::WithRawStore(options, dir.db(), [](Store& store) {
    CHECK(Counter(store, CounterKey{1, CounterKind::kLikes}.Encode()) == 50);
  });
}

TEST_CASE("merge operators: high-water marks keep the largest operand") {
  testing::TempDir dir;
  testing::WithRawStore(Options{}, dir.db(), [](Store& store) {
    const std::string key = "test/hwm";
    const uint64_t values[] = {5, 90, 17, 89, 3};
    Batches(store, 5, [&](Batch& b, int i) { b.Merge(Cf::kMeta, key, BE(values[i])); });
    CHECK(Meta(store, key) == 90);
    Batches(store, 1, [&](Batch& b, int) { b.Merge(Cf::kMeta, key, "short"); });
    CHECK(Meta(store, key) == 90);
    CompactAll(store, Cf::kMeta);
    CHECK(Meta(store, key) == 90);
    Batches(store, 1, [&](Batch& b, int) { b.Merge(Cf::kMeta, key, BE(91)); });
    CompactAll(store, Cf::kMeta);
    CHECK(Meta(store, key) == 91);
  });
}

TEST_CASE("merge operators: partial merges fold operands without a base value") {
  // Called directly: which of PartialMerge and PartialMergeMulti RocksDB picks depends on the
  // compaction; both must agree with the full merge.
  const auto add = NewAddU64Operator();
  std::string one, two, out;
  PutFixed64LE(&one, 40);
  PutFixed64LE(&two, 2);
  REQUIRE(add->PartialMerge("k", one, two, &out, nullptr));
  CHECK(DecodeFixed64LE(out.data()) == 42);
  const std::deque<rocksdb::Slice> operands = {one, two, rocksdb::Slice("bad"), two};
  REQUIRE(add->PartialMergeMulti("k", operands, &out, nullptr));
  REQUIRE(out.size() == 8);
  CHECK(DecodeFixed64LE(out.data()) == 44);

  const auto max = NewMaxU64Operator();
  const std::string low = BE(3), high = BE(300);
  REQUIRE(max->PartialMerge("k", high, low, &out, nullptr));
  CHECK(DecodeFixed64BE(out.data()) == 300);
  REQUIRE(max->PartialMergeMulti("k", {rocksdb::Slice(low), rocksdb::Slice(high)}, &out, nullptr));
  CHECK(DecodeFixed64BE(out.data()) == 300);
}

}  // namespace
}  // namespace puppies::internal
