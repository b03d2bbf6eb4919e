#include "store/object_cache.h"

#include <algorithm>

#include "util/hash.h"

namespace puppies::internal {

ObjectCache::ObjectCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ObjectCache::HashedKey ObjectCache::Hashed(std::string_view key) { return {key, Hash64(key)}; }

void ObjectCache::Erase(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->key.size() + it->value.size() + kEntryOverhead;
  s.index.erase(HashedKey{it->key, it->hash});
  s.lru.erase(it);
}

bool ObjectCache::Lookup(std::string_view bytes, uint64_t read_seq, std::string* value,
                         bool* found) {
  const HashedKey key = Hashed(bytes);
  Shard& s = ShardOf(key);
  MutexLock lock(&s.mu);
  auto hit = s.index.find(key);
  if (hit == s.index.end() || read_seq < hit->second->valid_from) {
    ++s.misses;
    return false;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, hit->second);
  value->assign(hit->second->value);
  *found = hit->second->found;
  return true;
}

void ObjectCache::Insert(std::string_view bytes, uint64_t read_seq, std::string_view value,
                         bool found) {
  const size_t charge = bytes.size() + value.size() + kEntryOverhead;
  if (charge > shard_capacity_) return;
  const HashedKey key = Hashed(bytes);
  Shard& s = ShardOf(key);
  MutexLock lock(&s.mu);
  // A write in flight or ended after the read may have changed the key: the value read may be
  // stale for the latest state (and for snapshots taken after that write).
  if (s.writing > 0 || s.floor > read_seq) return;
  auto old = s.index.find(key);
  if (old != s.index.end()) {
    // Another reader filled it meanwhile; keep the entry valid from the earlier point.
    old->second->valid_from = std::min(old->second->valid_from, read_seq);
    return;
  }
  s.lru.push_front(Entry{std::string(bytes), std::string(value), found, key.hash, read_seq});
  s.index.emplace(HashedKey{s.lru.front().key, key.hash}, s.lru.begin());
  s.bytes += charge;
  while (s.bytes > shard_capacity_) Erase(s, std::prev(s.lru.end()));
}

template <class Fn>
void ObjectCache::ForEachShard(const std::vector<std::string>& keys, bool all, Fn&& fn) {
  if (all) {
    for (Shard& s : shards_) fn(s, nullptr);
    return;
  }
  for (const std::string& k : keys) {
    const HashedKey key = Hashed(k);
    fn(ShardOf(key), &key);
  }
}

void ObjectCache::BeginWrite(const std::vector<std::string>& keys, bool all) {
  ForEachShard(keys, all, [](Shard& s, const HashedKey* key) {
    MutexLock lock(&s.mu);
    ++s.writing;
    if (!key) {
      s.index.clear();
      s.lru.clear();
      s.bytes = 0;
      return;
    }
    auto it = s.index.find(*key);
    if (it != s.index.end()) Erase(s, it->second);
  });
}

void ObjectCache::EndWrite(const std::vector<std::string>& keys, bool all, uint64_t end_seq) {
  ForEachShard(keys, all, [end_seq](Shard& s, const HashedKey*) {
    MutexLock lock(&s.mu);
    --s.writing;
    s.floor = std::max(s.floor, end_seq);
  });
}

ObjectCache::Counts ObjectCache::GetCounts() {
  Counts c;
  for (Shard& s : shards_) {
    MutexLock lock(&s.mu);
    c.hits += s.hits;
    c.misses += s.misses;
    c.bytes += s.bytes;
    c.entries += s.lru.size();
  }
  return c;
}

}  // namespace puppies::internal
