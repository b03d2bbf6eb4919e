#include "store/merge_operators.h"

#include <deque>
#include <string>

#include "keys/coding.h"

namespace puppies::internal {
namespace {

// One pass over all operands of a key, with no allocation per operand: RocksDB's
// AssociativeMergeOperator merges them pairwise into a fresh string each, which was a fifth of
// a like-count read right after a like storm (docs/benchmarks.md, issue 11). `Fold` combines
// two 8-byte values; malformed operands (never written by puppies) count as 0 rather than
// failing reads.
template <class Codec>
class FoldU64 final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    uint64_t acc = in.existing_value ? Get(*in.existing_value) : 0;
    for (const rocksdb::Slice& op : in.operand_list) acc = Codec::Fold(acc, Get(op));
    Set(acc, &out->new_value);
    return true;
  }
  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    uint64_t acc = 0;
    for (const rocksdb::Slice& op : operands) acc = Codec::Fold(acc, Get(op));
    Set(acc, new_value);
    return true;
  }
  bool PartialMerge(const rocksdb::Slice&, const rocksdb::Slice& left, const rocksdb::Slice& right,
                    std::string* new_value, rocksdb::Logger*) const override {
    Set(Codec::Fold(Get(left), Get(right)), new_value);
    return true;
  }
  const char* Name() const override { return Codec::kName; }

 private:
  static uint64_t Get(const rocksdb::Slice& v) {
    return v.size() == 8 ? Codec::Decode(v.data()) : 0;
  }
  static void Set(uint64_t v, std::string* out) {
    out->clear();
    Codec::Put(out, v);
  }
};

// Sum modulo 2^64 of little-endian operands.
struct AddLE {
  static constexpr const char* kName = "puppies.AddU64";
  static uint64_t Fold(uint64_t a, uint64_t b) { return a + b; }
  static uint64_t Decode(const char* p) { return DecodeFixed64LE(p); }
  static void Put(std::string* out, uint64_t v) { PutFixed64LE(out, v); }
};

// Maximum of big-endian operands.
struct MaxBE {
  static constexpr const char* kName = "puppies.MaxU64";
  static uint64_t Fold(uint64_t a, uint64_t b) { return a > b ? a : b; }
  static uint64_t Decode(const char* p) { return DecodeFixed64BE(p); }
  static void Put(std::string* out, uint64_t v) { PutFixed64BE(out, v); }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewAddU64Operator() {
  return std::make_shared<FoldU64<AddLE>>();
}
std::shared_ptr<rocksdb::MergeOperator> NewMaxU64Operator() {
  return std::make_shared<FoldU64<MaxBE>>();
}

}  // namespace puppies::internal
