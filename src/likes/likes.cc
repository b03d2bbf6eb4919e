#include "likes/likes.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "core/write_op.h"
#include "graph/edges.h"
#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

Result<bool> Likes::Like(uint64_t user, uint64_t post) {
  WriteOp op(ctx_);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(LockLivePost(op, user, post, &rec));
  Status s;
  if (graph_.HasEdge(user, EdgeKind::kLiked, post, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  const int64_t now = ctx_.NowMicros();
  Batch& b = op.batch();
  PutEdge(&b, user, EdgeKind::kLiked, post, now);
  PutEdge(&b, post, EdgeKind::kLiker, user, now);
  b.AddCounter(CounterKey{post, CounterKind::kLikes}.Encode(), 1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Like:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Likes::Unlike(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user));
  WriteOp op(ctx_);
  op.LockPost(post);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(post, &rec));
  Store* store = ctx_.store.get();
  int64_t t1 = 0, t2 = 0;
  bool found1, found2;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store, user, EdgeKind::kLiked, post, &t1, &found1));
  if (!found1) return false;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store, post, EdgeKind::kLiker, user, &t2, &found2));
  Batch& b = op.batch();
  DeleteEdge(&b, user, EdgeKind::kLiked, post, t1);
  if (found2) DeleteEdge(&b, post, EdgeKind::kLiker, user, t2);
  b.AddCounter(CounterKey{post, CounterKind::kLikes}.Encode(), -1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Unlike:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Likes::HasLiked(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user));
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(post, &rec));
  Status s;
  const bool found = graph_.HasEdge(user, EdgeKind::kLiked, post, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  return found;
}

Result<UserPage> Likes::Likers(uint64_t post, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(post, &rec, &found, &snap));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", post));
  return graph_.PageUsers(post, EdgeKind::kLiker, page, snap);
}

Result<PostPage> Likes::LikedPosts(uint64_t user, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user, &snap));
  return posts_.PagePosts(ListKind::kLikedPosts, user, EdgeOrderKey::Prefix(user, EdgeKind::kLiked),
                          false, page, snap);
}

Status Likes::PurgePost(uint64_t, uint64_t post, uint64_t*, Batch* b, bool* done) {
  // Likers first, then each liker's side.
  const size_t limit = ctx_.options.fanout_batch_size;
  std::vector<std::pair<uint64_t, int64_t>> likers;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Scan(Cf::kEdges, EdgeKey::Prefix(post, EdgeKind::kLiker), "",
                                           [&](std::string_view k, std::string_view v) {
                                             uint64_t t = 0;
                                             DecodeBE64(v, &t);
                                             likers.emplace_back(EdgeKey::OtherOfKey(k),
                                                                 static_cast<int64_t>(t));
                                             return likers.size() < limit;
                                           }));
  for (const auto& [user, t] : likers) {
    DeleteEdge(b, post, EdgeKind::kLiker, user, t);
    int64_t lt = 0;
    bool found;
    PUPPIES_RETURN_IF_ERROR(
        GetEdgeTime(ctx_.store.get(), user, EdgeKind::kLiked, post, &lt, &found));
    if (found) DeleteEdge(b, user, EdgeKind::kLiked, post, lt);
  }
  *done = likers.size() < limit;
  if (*done) b->Delete(Cf::kCounters, CounterKey{post, CounterKind::kLikes}.Encode());
  return Status::OK();
}

}  // namespace puppies::internal
