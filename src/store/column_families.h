#pragma once
// Every column family, declared in one place, with the one function that builds its options.

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <array>
#include <memory>
#include <string_view>

namespace puppies::internal {

enum class Cf : int {
  kDefault = 0,  // required by RocksDB; unused
  kMeta,         // format version, id high-water marks, cursor salt, author modes
  kUsers,        // UserRecord by id
  kUsernames,    // folded username -> user id
  kPosts,        // PostRecord by id (tombstones kept for deleted posts)
  kEdges,        // follow/block/mute/like edges, their time order, authored posts
  kInbox,        // materialized home feeds, their floors and pending backfills
  kCounters,     // exact counts, add-merged
  kJobs,         // durable background work queue
  kCount,
};

// DO NOT CHANGE: persisted as column family names.
inline constexpr std::array<std::string_view, static_cast<size_t>(Cf::kCount)> kCfNames = {
    "default", "meta", "users", "usernames", "posts", "edges", "inbox", "counters", "jobs"};

rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& block_cache);

}  // namespace puppies::internal
