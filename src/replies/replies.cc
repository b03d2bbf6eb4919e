#include "replies/replies.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "graph/edges.h"
#include "keys/coding.h"
#include "keys/keys.h"
#include "util/status_macros.h"

namespace puppies::internal {

void Replies::Add(Batch* b, uint64_t parent, uint64_t reply, uint64_t author) {
  b->Put(Cf::kEdges, ReplyKey{parent, reply}.Encode(), EncodeBE64(author));
  b->AddCounter(CounterKey{parent, CounterKind::kReplies}.Encode(), 1);
}

void Replies::Remove(Batch* b, uint64_t parent, uint64_t reply, bool parent_live) {
  b->Delete(Cf::kEdges, ReplyKey{parent, reply}.Encode());
  // A deleted parent's counter is its clean-up's to drop: a -1 here would bring it back.
  if (parent_live) b->AddCounter(CounterKey{parent, CounterKind::kReplies}.Encode(), -1);
}

Result<PostPage> Replies::Page(uint64_t post, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(post, &rec, &found, &snap));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", post));
  return posts_.PagePosts(ListKind::kReplies, post, Cf::kEdges, ReplyKey::Prefix(post),
                          /*inverted_ids=*/false, page, snap);
}

Result<std::vector<std::optional<Post>>> Replies::Thread(uint64_t post) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(post, &rec, &found, &snap));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", post));
  // Up the reply_to links, nearest first. A tombstone keeps its reply_to, so the walk passes
  // deleted ancestors; a missing record (or a tombstone from before format 5) ends it. reply_to
  // never changes and named an existing post when it was set, so the links form no cycle; the
  // bound holds anyway.
  std::vector<uint64_t> chain;
  for (uint64_t next = rec.reply_to; next != 0 && chain.size() < kMaxThreadAncestors;) {
    chain.push_back(next);
    PostRecord ancestor;
    PUPPIES_RETURN_IF_ERROR(posts_.Read(next, &ancestor, &found, &snap));
    next = found ? ancestor.reply_to : 0;
  }
  std::reverse(chain.begin(), chain.end());
  std::vector<std::optional<Post>> out;
  PUPPIES_RETURN_IF_ERROR(posts_.Load(chain, &out, &snap));
  return out;
}

Status Replies::PurgePost(uint64_t, uint64_t post, uint64_t*, Batch* b, bool* done) {
  const size_t limit = ctx_.options.fanout_batch_size;
  std::vector<ListEntry> entries;
  PUPPIES_RETURN_IF_ERROR(ReadList(ctx_.store.get(), Cf::kEdges, ReplyKey::Prefix(post), "", limit,
                                   /*inverted_id=*/false, nullptr, &entries));
  for (const ListEntry& e : entries) b->Delete(Cf::kEdges, ReplyKey{post, e.id}.Encode());
  *done = entries.size() < limit;
  if (*done) b->Delete(Cf::kCounters, CounterKey{post, CounterKind::kReplies}.Encode());
  return Status::OK();
}

}  // namespace puppies::internal
