#include "posts/posts.h"

#include <fmt/format.h>

#include <utility>

#include "graph/edges.h"
#include "keys/coding.h"
#include "util/cursor.h"
#include "util/entities.h"
#include "util/status_macros.h"

namespace puppies::internal {

Status Posts::Read(uint64_t id, PostRecord* rec, bool* found, const Snapshot* snap) const {
  std::string raw;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Get(Cf::kPosts, IdKey{id}.Encode(), &raw, found, snap));
  if (*found && !DecodePost(raw, rec)) return Status::Corruption(fmt::format("post {} record", id));
  return Status::OK();
}

Status Posts::ReadLive(uint64_t id, PostRecord* rec, std::string_view what) const {
  bool found;
  PUPPIES_RETURN_IF_ERROR(Read(id, rec, &found));
  if (!found || rec->deleted) return Status::NotFound(fmt::format("{} {} not found", what, id));
  return Status::OK();
}

Status Posts::Load(const std::vector<uint64_t>& ids, std::vector<std::optional<Post>>* out,
                   const Snapshot* snap) const {
  out->assign(ids.size(), std::nullopt);
  if (ids.empty()) return Status::OK();
  // One read of every post and its three counters: the object cache holds each post's four
  // keys as one group (keys.h CachedGroupOf), and RocksDB answers the rest in one MultiGet.
  constexpr size_t kPerPost = 4;
  std::vector<PointRead> reads;
  reads.reserve(kPerPost * ids.size());
  for (uint64_t id : ids) {
    reads.push_back(PointRead{Cf::kPosts, IdKey{id}.Encode()});
    reads.push_back(PointRead{Cf::kCounters, CounterKey{id, CounterKind::kLikes}.Encode()});
    reads.push_back(PointRead{Cf::kCounters, CounterKey{id, CounterKind::kComments}.Encode()});
    reads.push_back(PointRead{Cf::kCounters, CounterKey{id, CounterKind::kReplies}.Encode()});
  }
  PUPPIES_RETURN_IF_ERROR(ctx_.store->ReadGrouped(reads, kPerPost, snap));
  for (size_t i = 0; i < ids.size(); ++i) {
    const PointRead* r = &reads[kPerPost * i];
    if (!r[0].found) continue;
    PostRecord rec;
    if (!DecodePost(r[0].value, &rec))
      return Status::Corruption(fmt::format("post {} record", ids[i]));
    if (rec.deleted) continue;
    Post p;
    p.id = PostId{ids[i]};
    p.author = UserId{rec.author};
    p.text = std::move(rec.text);
    p.media = std::move(rec.media);
    p.reply_to = PostId{rec.reply_to};
    p.created_at_us = CreatedAtOfPostId(ids[i]);
    if (rec.edited_at_us != 0) p.edited_at_us = rec.edited_at_us;
    p.hashtags = std::move(rec.hashtags);
    p.mentions.reserve(rec.mentions.size());
    for (uint64_t user : rec.mentions) p.mentions.push_back(UserId{user});
    PUPPIES_RETURN_IF_ERROR(Store::CounterValue(r[1], &p.like_count));
    PUPPIES_RETURN_IF_ERROR(Store::CounterValue(r[2], &p.comment_count));
    PUPPIES_RETURN_IF_ERROR(Store::CounterValue(r[3], &p.reply_count));
    (*out)[i] = std::move(p);
  }
  return Status::OK();
}

Result<Post> Posts::Get(uint64_t id) {
  std::vector<std::optional<Post>> out;
  PUPPIES_RETURN_IF_ERROR(Load({id}, &out));
  if (!out[0]) return Status::NotFound(fmt::format("post {} not found", id));
  return std::move(*out[0]);
}

Result<std::vector<std::optional<Post>>> Posts::GetMany(std::span<const PostId> ids) {
  std::vector<uint64_t> raw;
  raw.reserve(ids.size());
  for (PostId id : ids) raw.push_back(ToInt(id));
  Snapshot snap = ctx_.store->GetSnapshot();
  std::vector<std::optional<Post>> out;
  PUPPIES_RETURN_IF_ERROR(Load(raw, &out, &snap));
  return out;
}

Result<PostPage> Posts::Timeline(uint64_t author, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(users_.Exists(author, &snap));
  return PagePosts(ListKind::kTimeline, author, Cf::kEdges, AuthoredKey::Prefix(author), true, page,
                   snap);
}

Result<PostPage> Posts::PagePosts(ListKind kind, uint64_t owner, Cf cf, const std::string& prefix,
                                  bool inverted_ids, const PageRequest& page,
                                  const Snapshot& snap) const {
  std::string position;
  PUPPIES_RETURN_IF_ERROR(DecodeCursor(ctx_.cursor_salt, kind, owner, page.cursor, &position));
  const size_t need = size_t{page.limit} + 1;
  PostPage out;
  std::vector<std::string> positions;
  // Deleted posts may still be listed (liked posts before clean-up): read on until enough
  // live ones are found or the list ends.
  while (out.items.size() < need) {
    const size_t want = need - out.items.size();
    std::vector<ListEntry> entries;
    PUPPIES_RETURN_IF_ERROR(
        ReadList(ctx_.store.get(), cf, prefix, position, want, inverted_ids, &snap, &entries));
    std::vector<uint64_t> ids;
    for (const ListEntry& e : entries) ids.push_back(e.id);
    std::vector<std::optional<Post>> posts;
    PUPPIES_RETURN_IF_ERROR(Load(ids, &posts, &snap));
    for (size_t i = 0; i < posts.size(); ++i) {
      if (!posts[i]) continue;
      out.items.push_back(std::move(*posts[i]));
      positions.push_back(entries[i].position);
    }
    if (entries.size() < want) break;
    position = entries.back().position;
  }
  out.has_more = out.items.size() > page.limit;
  if (out.has_more) {
    out.items.resize(page.limit);
    out.next_cursor = EncodeCursor(ctx_.cursor_salt, kind, owner, positions[page.limit - 1]);
  }
  return out;
}

Status Posts::MintId(const NewPost& post, int64_t now, IdMint::Reservation* reserved,
                     uint64_t* id) const {
  if (!post.created_at_us) {
    *id = ctx_.ids->NextLivePost(now);
    return Status::OK();
  }
  PUPPIES_ASSIGN_OR_RETURN(*reserved, ctx_.ids->ReserveExplicitPost(*post.created_at_us));
  *id = reserved->id();
  return Status::OK();
}

Status Posts::DeriveEntities(Store& store, PostRecord* rec) {
  TextEntities entities = ParseEntities(rec->text);
  rec->hashtags = std::move(entities.hashtags);
  return Users::Resolve(store, entities.mention_names, &rec->mentions);
}

void Posts::Put(Batch* b, uint64_t id, const PostRecord& rec) {
  b->Put(Cf::kPosts, IdKey{id}.Encode(), EncodePost(rec));
}

void Posts::Add(Batch* b, uint64_t id, const PostRecord& rec, bool explicit_time) {
  Put(b, id, rec);
  b->Put(Cf::kEdges, AuthoredKey{rec.author, id}.Encode(), "");
  b->AddCounter(CounterKey{rec.author, CounterKind::kPosts}.Encode(), 1);
  if (!explicit_time) b->Merge(Cf::kMeta, meta_keys::kPostIdHwm, EncodeBE64(id));
}

void Posts::AddTombstone(Batch* b, uint64_t id, const PostRecord& rec) {
  PostRecord tomb;
  tomb.deleted = true;
  tomb.author = rec.author;
  tomb.created_at_us = rec.created_at_us;
  tomb.reply_to = rec.reply_to;  // Thread walks past a deleted ancestor (format 5)
  b->Put(Cf::kPosts, IdKey{id}.Encode(), EncodePost(tomb));
  b->Delete(Cf::kEdges, AuthoredKey{rec.author, id}.Encode());
  b->AddCounter(CounterKey{rec.author, CounterKind::kPosts}.Encode(), -1);
}

void Posts::NoteDeleted(uint64_t author) {
  // A deleted post leaves a tombstone in its author's timeline (and in likers' lists) that
  // every later read of the list steps over until a compaction drops it: 30,000 deletions made
  // a timeline page 40 times slower. Inbox reads are bounded by the floor and need none of this.
  {
    MutexLock lock(&deleted_mu_);
    if (deleted_since_compaction_.size() > 100'000) deleted_since_compaction_.clear();
    if (++deleted_since_compaction_[author] < kCompactAfterDeletes) return;
    deleted_since_compaction_.erase(author);
  }
  // Only an optimisation: the deletions are durable, and a storage fault behind a failed
  // compaction is reported by the next write, so the caller does not fail for it.
  (void)ctx_.store->CompactRange(Cf::kEdges, AuthoredKey::Prefix(author),
                                 AuthoredKey::Below(author, 0));
}

}  // namespace puppies::internal
