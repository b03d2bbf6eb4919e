#pragma once
/// @file options.h
/// Options for Engine::Open. Every field has a documented default; Open validates them and
/// returns InvalidArgument naming the field when one is out of range.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace puppies {

class Clock;

/// Options controlling an Engine. An aggregate: set the fields you need.
struct Options {
  /// Create the database if `path` holds none. Default: true.
  bool create_if_missing = true;

  /// Fail Open if a database already exists at `path`. Default: false.
  bool error_if_exists = false;

  /// Authors with at least this many followers are pulled at read time instead of fanned out
  /// on write. 0 pulls every author; kNoPull pushes every author. Feeds are identical for
  /// every value; only cost changes. Default: 10'000.
  uint64_t fanout_threshold = 10'000;

  /// Hysteresis in percent of fanout_threshold: a pulled author goes back to being pushed only
  /// when its follower count falls below threshold * (100 - percent) / 100, so an author near
  /// the threshold does not flap. 0..100. Default: 10.
  uint32_t fanout_hysteresis_percent = 10;

  /// Entries kept in each user's materialized home feed (inbox). Reading further continues
  /// seamlessly by pulling from authors' timelines. 1..1'000'000. Default: 800.
  uint32_t inbox_cap = 800;

  /// When true, every call that queues background work (fan-out, backfill, clean-up) waits for
  /// that work before returning. Default: false.
  bool synchronous_fanout = false;

  /// fsync the write-ahead log on every write. With false, an acknowledged write survives a
  /// process crash but may be lost by a power failure. Default: false.
  bool sync = false;

  /// Time source for ids and timestamps. nullptr: the system clock. Default: nullptr.
  std::shared_ptr<Clock> clock;

  /// Threads running background work (fan-out, clean-up). 1..64. Default: 2.
  uint32_t background_threads = 2;

  /// Followers handled per atomic fan-out step. 1..100'000. Default: 1'000.
  uint32_t fanout_batch_size = 1'000;

  /// A pushed author's post with at most this many followers writes their inbox entries in
  /// the post's own atomic batch instead of a background fan-out job: CreatePost returns with
  /// the post in every follower's feed, and no job record or thread hand-off is paid. Larger
  /// audiences use the job, fanout_batch_size followers a step. 0 always uses the job.
  /// 0..100'000. Default: 100.
  uint32_t inline_fanout_followers = 100;

  /// A follow puts the followee's newest posts (at most inbox_cap) into the follower's home
  /// feed, and an unfollow or block takes them out. With true, that is done in the call's own
  /// atomic batch whenever the followee has no fan-out of its own still queued or running; the
  /// call then queues no job. Otherwise, and with false, a background job does it (readers see
  /// the same feed meanwhile, at some cost to their reads). Default: true.
  bool inline_follow_updates = true;

  /// Block cache shared by all column families, in up to 64 shards of at least 16 MiB (one
  /// shard below 32 MiB), so that a table's bloom filter stays cached. Default: 64 MiB.
  size_t block_cache_bytes = size_t{64} << 20;

  /// The object cache: recently read user, post and counter records, and the small lists every
  /// home page reads (a reader's inbox header and mutes, a pulled author's newest posts), kept
  /// above RocksDB, so that a page or a profile mostly skips RocksDB's read path. Exact:
  /// every write invalidates what it changes before it returns, and a read at a snapshot never
  /// sees a newer value. 0 turns it off. Stats::object_cache_* report its hit rate.
  /// Default: 32 MiB.
  size_t object_cache_bytes = size_t{32} << 20;

  /// Total memtable budget shared by all column families. Default: 64 MiB.
  size_t write_buffer_bytes = size_t{64} << 20;

  /// Maximum post text size in bytes after trimming. 1..1'000'000. Default: 5'000.
  uint32_t max_post_bytes = 5'000;

  /// Maximum display name size in bytes. 1..1'000'000. Default: 64.
  uint32_t max_display_name_bytes = 64;

  /// Maximum bio size in bytes. 1..1'000'000. Default: 500.
  uint32_t max_bio_bytes = 500;

  /// Maximum media attachments per post. Default: 10.
  uint32_t max_media_items = 10;

  /// Advanced: the RocksDB Env that all file I/O goes through, e.g. a fault-injecting one in
  /// tests. Not owned; it must outlive the Engine. nullptr: rocksdb::Env::Default().
  /// Default: nullptr.
  rocksdb::Env* env = nullptr;

  /// Value of fanout_threshold that never pulls: every author is fanned out on write.
  static constexpr uint64_t kNoPull = std::numeric_limits<uint64_t>::max();
};

}  // namespace puppies
