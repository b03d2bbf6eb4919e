#include "store/object_cache.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "util/hash.h"

namespace puppies::internal {

ObjectCache::ObjectCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ObjectCache::~ObjectCache() {
  for (Shard& s : shards_) {
    MutexLock lock(&s.mu);
    Clear(s);
  }
}

ObjectCache::HashedKey ObjectCache::Hashed(std::string_view key) { return {key, Hash64(key)}; }

ObjectCache::Entry* ObjectCache::NewEntry(std::string_view key, uint64_t hash,
                                          std::string_view value, bool found, uint64_t valid_from) {
  void* mem = ::operator new(sizeof(Entry) + key.size() + value.size());
  Entry* e = new (mem) Entry{
      hash,  valid_from, static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size()), 0,
      found, false};
  char* bytes = reinterpret_cast<char*>(e + 1);
  std::memcpy(bytes, key.data(), key.size());
  std::memcpy(bytes + key.size(), value.data(), value.size());
  return e;
}

void ObjectCache::FreeEntry(Entry* e) {
  e->~Entry();
  ::operator delete(e);
}

void ObjectCache::Erase(Shard& s, Entry* e) {
  s.bytes -= e->key_size + e->value_size + kEntryOverhead;
  s.index.erase(HashedKey{e->key(), e->hash});
  // Swap-remove from the ring; the hand stays where the moved entry now is.
  Entry* last = s.ring.back();
  s.ring[e->ring_pos] = last;
  last->ring_pos = e->ring_pos;
  s.ring.pop_back();
  if (s.hand >= s.ring.size()) s.hand = 0;
  FreeEntry(e);
}

void ObjectCache::Clear(Shard& s) {
  for (Entry* e : s.ring) FreeEntry(e);
  s.ring.clear();
  s.index.clear();
  s.hand = 0;
  s.bytes = 0;
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
  Entry* e = hit->second;
  e->referenced = true;
  value->assign(e->value());
  *found = e->found;
  return true;
}

void ObjectCache::Insert(std::string_view bytes, uint64_t read_seq, std::string_view value,
                         bool found) {
  const size_t charge = bytes.size() + value.size() + kEntryOverhead;
  if (charge > shard_capacity_ || bytes.size() > UINT32_MAX || value.size() > UINT32_MAX) return;
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
  while (s.bytes + charge > shard_capacity_ && !s.ring.empty()) {
    Entry* e = s.ring[s.hand];
    if (e->referenced) {
      e->referenced = false;
      s.hand = (s.hand + 1) % s.ring.size();
    } else {
      Erase(s, e);
    }
  }
  Entry* e = NewEntry(bytes, key.hash, value, found, read_seq);
  e->ring_pos = static_cast<uint32_t>(s.ring.size());
  s.ring.push_back(e);
  s.index.emplace(HashedKey{e->key(), e->hash}, e);
  s.bytes += charge;
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
      Clear(s);
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
    c.entries += s.ring.size();
  }
  return c;
}

}  // namespace puppies::internal
