#include "store/column_families.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>

#include "store/merge_operators.h"

namespace puppies::internal {

rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = block_cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  switch (cf) {
    case Cf::kEdges:
    case Cf::kInbox:
      // Per-owner lists: the 8-byte owner prefix feeds prefix bloom filters; whole-key filters
      // stay on for point lookups such as IsFollowing.
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      o.memtable_prefix_bloom_size_ratio = 0.05;
      // The memtable bloom also holds whole keys, so a point read of an absent key (is a
      // following, is b blocked: most reads of an import or a follow) skips the skiplist search.
      o.memtable_whole_key_filtering = true;
      t.whole_key_filtering = true;
      if (cf == Cf::kInbox) {
        o.merge_operator = NewMaxU64Operator();
        // Every trim max-merges the floor: at inbox_cap 1 that is one operand per fan-out, and
        // each read of the floor (every page, every trim) folded them all. Bounded as below.
        o.max_successive_merges = 100;
      }
      // Lists lose entries in bulk (a deleted post's likes and inbox entries, an unfollow's
      // inbox entries): a flushed file where 64 of any 128 consecutive entries are deletions is
      // compacted soon, so reads stop stepping over them.
      o.table_properties_collector_factories.push_back(
          rocksdb::NewCompactOnDeletionCollectorFactory(128, 64));
      break;
    case Cf::kCounters:
      o.merge_operator = NewAddU64Operator();
      // A hot counter (a post in a like storm) would otherwise pile up one merge operand per
      // like in the memtable, and every read of it, e.g. hydrating a feed page, would fold
      // them all: 1.45 ms per read after 100,000 likes (peers_bench W4). Past this many
      // operands, RocksDB folds a new merge into a value at write time, which keeps reads
      // bounded. 8, not 100: every merge insert also counts the operands below it, and a read
      // right after the storm's writes (the object cache has just dropped the counter) folds
      // them all. A like and a count read took 110 K and 44.5 K instructions with 100, 107 K
      // and 17 K with 8 (bench/page_instructions.cc likes).
      o.max_successive_merges = 8;
      break;
    case Cf::kMeta:
      o.merge_operator = NewMaxU64Operator();
      break;
    case Cf::kHashtags:
      // Edits and deletions drop entries from a tag's list, as from the lists above.
      o.table_properties_collector_factories.push_back(
          rocksdb::NewCompactOnDeletionCollectorFactory(128, 64));
      break;
    default:
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  return o;
}

}  // namespace puppies::internal
