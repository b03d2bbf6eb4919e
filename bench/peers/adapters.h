#pragma once
// Factories for every FeedStore adapter the workload driver can run. The embedded peers
// (puppies, raw RocksDB, SQLite) are always built; the server peers only when CMake found
// their client library (it defines PUPPIES_BENCH_HAVE_REDIS / PUPPIES_BENCH_HAVE_PG), so the
// driver builds on a machine without hiredis or libpq and reports those peers as unavailable.

#include <memory>

#include "feed_store.h"

namespace puppies_bench {

// puppies through its public API only. fanout_threshold, inbox_cap, cache_bytes and the
// durability class map onto puppies::Options.
std::unique_ptr<FeedStore> MakePuppiesStore(const PeerConfig& config);

// The same feed logic written directly against RocksDB ("Raw RocksDB (the limit)" in
// BENCHMARKS.md): hybrid push/pull at config.fanout_threshold, sampled inbox trimming.
std::unique_ptr<FeedStore> MakeRocksDbStore(const PeerConfig& config);

// SQLite 3 in WAL mode. push = false: fan-out on read (the JOIN of BENCHMARKS.md);
// push = true: a timeline table filled by INSERT ... SELECT at post time (not trimmed).
std::unique_ptr<FeedStore> MakeSqliteStore(const PeerConfig& config, bool push);

#ifdef PUPPIES_BENCH_HAVE_REDIS
std::unique_ptr<FeedStore> MakeRedisStore(const PeerConfig& config);
#endif

#ifdef PUPPIES_BENCH_HAVE_PG
// push = false: fan-out on read; push = true: the timeline table filled at post time.
std::unique_ptr<FeedStore> MakePgStore(const PeerConfig& config, bool push);
#endif

}  // namespace puppies_bench
