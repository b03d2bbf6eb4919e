#include "store/merge_operators.h"

#include "keys/coding.h"

namespace puppies::internal {
namespace {

class AddU64 final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    // Malformed operands (never written by puppies) count as 0 rather than failing reads.
    const uint64_t a = existing && existing->size() == 8 ? DecodeFixed64LE(existing->data()) : 0;
    const uint64_t b = value.size() == 8 ? DecodeFixed64LE(value.data()) : 0;
    new_value->clear();
    PutFixed64LE(new_value, a + b);
    return true;
  }
  const char* Name() const override { return "puppies.AddU64"; }
};

class MaxU64 final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    const uint64_t a = existing && existing->size() == 8 ? DecodeFixed64BE(existing->data()) : 0;
    const uint64_t b = value.size() == 8 ? DecodeFixed64BE(value.data()) : 0;
    new_value->clear();
    PutFixed64BE(new_value, a > b ? a : b);
    return true;
  }
  const char* Name() const override { return "puppies.MaxU64"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewAddU64Operator() { return std::make_shared<AddU64>(); }
std::shared_ptr<rocksdb::MergeOperator> NewMaxU64Operator() { return std::make_shared<MaxU64>(); }

}  // namespace puppies::internal
