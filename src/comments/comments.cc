#include "comments/comments.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "core/write_op.h"
#include "graph/edges.h"
#include "keys/keys.h"
#include "util/cursor.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

Comment ToComment(uint64_t id, const CommentRecord& rec) {
  return Comment{CommentId{id}, PostId{rec.post},        UserId{rec.author},
                 rec.text,      CommentId{rec.reply_to}, rec.created_at_us};
}

Status NotFound(uint64_t id) { return Status::NotFound(fmt::format("comment {} not found", id)); }

}  // namespace

Status Comments::Read(uint64_t id, CommentRecord* rec, bool* found, const Snapshot* snap) const {
  std::string raw;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Get(Cf::kComments, IdKey{id}.Encode(), &raw, found, snap));
  if (*found && !DecodeComment(raw, rec)) {
    return Status::Corruption(fmt::format("comment {} record", id));
  }
  return Status::OK();
}

void Comments::Put(Batch* b, uint64_t id, const CommentRecord& rec) {
  b->Put(Cf::kComments, IdKey{id}.Encode(), EncodeComment(rec));
  b->Put(Cf::kEdges, CommentListKey::OfPost(rec.post, id).Encode(), EncodeBE64(rec.author));
  b->Put(Cf::kEdges, CommentListKey::OfUser(rec.author, id).Encode(), EncodeBE64(rec.post));
  b->AddCounter(CounterKey{rec.post, CounterKind::kComments}.Encode(), 1);
}

void Comments::RemoveKeys(Batch* b, uint64_t id, const CommentRecord& rec) {
  b->Delete(Cf::kComments, IdKey{id}.Encode());
  b->Delete(Cf::kEdges, CommentListKey::OfPost(rec.post, id).Encode());
  b->Delete(Cf::kEdges, CommentListKey::OfUser(rec.author, id).Encode());
}

void Comments::Remove(Batch* b, uint64_t id, const CommentRecord& rec) {
  RemoveKeys(b, id, rec);
  b->AddCounter(CounterKey{rec.post, CounterKind::kComments}.Encode(), -1);
}

Status Comments::ReadListed(const std::vector<ListEntry>& entries, const Snapshot* snap,
                            std::vector<std::optional<CommentRecord>>* out) const {
  std::vector<std::string> keys;
  keys.reserve(entries.size());
  for (const ListEntry& e : entries) keys.push_back(IdKey{e.id}.Encode());
  std::vector<std::string> values;
  std::vector<bool> present;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->MultiGet(Cf::kComments, keys, &values, &present, snap));
  out->assign(entries.size(), std::nullopt);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!present[i]) continue;
    if (!DecodeComment(values[i], &(*out)[i].emplace())) {
      return Status::Corruption(fmt::format("comment {} record", entries[i].id));
    }
  }
  return Status::OK();
}

Result<CommentId> Comments::Add(uint64_t author, uint64_t post, uint64_t reply_to,
                                std::string text) {
  WriteOp op(ctx_);
  PostRecord parent;
  PUPPIES_RETURN_IF_ERROR(LockLivePost(op, author, post, &parent));
  if (reply_to != 0) {
    // Under the post lock: the answered comment cannot be deleted in between.
    CommentRecord answered;
    bool found;
    PUPPIES_RETURN_IF_ERROR(Read(reply_to, &answered, &found));
    if (!found) return Status::NotFound(fmt::format("reply_to comment {} not found", reply_to));
    if (answered.post != post) {
      return Status::InvalidArgument(fmt::format(
          "reply_to comment {} is on post {}, not on post {}", reply_to, answered.post, post));
    }
  }
  CommentRecord rec{post, author, reply_to, ctx_.NowMicros(), std::move(text)};
  const uint64_t id = ctx_.ids->NextComment();
  Batch& b = op.batch();
  Put(&b, id, rec);
  b.Merge(Cf::kMeta, meta_keys::kCommentIdHwm, EncodeBE64(id));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("AddComment:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return CommentId{id};
}

Result<Comment> Comments::Get(uint64_t id) {
  Snapshot snap = ctx_.store->GetSnapshot();
  CommentRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(Read(id, &rec, &found, &snap));
  if (!found) return NotFound(id);
  // A deleted post's comments vanish with it, before its clean-up removes them.
  PostRecord post;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(rec.post, &post, &found, &snap));
  if (!found || post.deleted) return NotFound(id);
  return ToComment(id, rec);
}

Status Comments::Delete(uint64_t actor, uint64_t id) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(actor));
  // A comment's post never changes, so it is read before locking; then again under the lock.
  CommentRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(Read(id, &rec, &found));
  if (!found) return NotFound(id);
  WriteOp op(ctx_);
  op.LockPost(rec.post);
  PUPPIES_RETURN_IF_ERROR(Read(id, &rec, &found));
  if (!found) return NotFound(id);
  PostRecord post;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(rec.post, &post, &found));
  if (!found || post.deleted) return NotFound(id);
  if (actor != rec.author && actor != post.author) {
    return Status::PermissionDenied(
        fmt::format("user {} wrote neither comment {} nor post {}", actor, id, rec.post));
  }
  Remove(&op.batch(), id, rec);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("DeleteComment:AfterCommit");
  return op.Finish();
}

Result<CommentPage> Comments::Page(uint64_t post, const PageRequest& page) {
  std::string position;
  PUPPIES_RETURN_IF_ERROR(
      DecodeCursor(ctx_.cursor_salt, ListKind::kComments, post, page.cursor, &position));
  Snapshot snap = ctx_.store->GetSnapshot();
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(post, &rec, &found, &snap));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", post));
  std::vector<ListEntry> entries;
  PUPPIES_RETURN_IF_ERROR(ReadList(ctx_.store.get(), Cf::kEdges,
                                   CommentListKey::Prefix(post, kPostCommentTag), position,
                                   size_t{page.limit} + 1, /*inverted_id=*/false, &snap, &entries));
  CommentPage out;
  out.has_more = entries.size() > page.limit;
  if (out.has_more) entries.resize(page.limit);
  std::vector<std::optional<CommentRecord>> records;
  PUPPIES_RETURN_IF_ERROR(ReadListed(entries, &snap, &records));
  for (size_t i = 0; i < entries.size(); ++i) {
    // A list key without its record is drift (I11, Check reports it): the page skips it.
    if (records[i]) out.items.push_back(ToComment(entries[i].id, *records[i]));
  }
  if (out.has_more) {
    out.next_cursor =
        EncodeCursor(ctx_.cursor_salt, ListKind::kComments, post, entries.back().position);
  }
  return out;
}

Status Comments::PurgePost(uint64_t, uint64_t post, uint64_t*, Batch* b, bool* done) {
  const size_t limit = ctx_.options.fanout_batch_size;
  std::vector<ListEntry> entries;
  PUPPIES_RETURN_IF_ERROR(ReadList(ctx_.store.get(), Cf::kEdges,
                                   CommentListKey::Prefix(post, kPostCommentTag), "", limit,
                                   /*inverted_id=*/false, nullptr, &entries));
  std::vector<std::optional<CommentRecord>> records;
  PUPPIES_RETURN_IF_ERROR(ReadListed(entries, nullptr, &records));
  for (size_t i = 0; i < entries.size(); ++i) {
    // The list key names the author too (its value), but the record is the one source of the
    // author's list key; without a record there is only the post's list key to drop. The
    // counter is not counted down: the last step deletes it.
    if (records[i]) {
      RemoveKeys(b, entries[i].id, *records[i]);
    } else {
      b->Delete(Cf::kEdges, CommentListKey::OfPost(post, entries[i].id).Encode());
    }
  }
  *done = entries.size() < limit;
  if (*done) b->Delete(Cf::kCounters, CounterKey{post, CounterKind::kComments}.Encode());
  return Status::OK();
}

}  // namespace puppies::internal
