#pragma once
#include <rocksdb/merge_operator.h>

#include <memory>

namespace puppies::internal {
// Adds u64 little-endian operands modulo 2^64 (a decrement is the two's complement), so
// counters need no read-modify-write. A missing value is 0.
std::shared_ptr<rocksdb::MergeOperator> NewAddU64Operator();
// Keeps the largest big-endian u64 operand: high-water marks and inbox floors only ever rise.
std::shared_ptr<rocksdb::MergeOperator> NewMaxU64Operator();
}  // namespace puppies::internal
