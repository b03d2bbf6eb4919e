#include <fmt/format.h>

#include "core/write_op.h"
#include "engine_impl.h"
#include "graph/edges.h"
#include "util/cursor.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

// The live (not deleted) post record, or NotFound. REQUIRES: the post lock when the caller
// writes based on the answer, so that a concurrent delete cannot slip in between.
Status LivePost(Engine::Impl& impl, uint64_t post, PostRecord* rec) {
  bool found;
  PUPPIES_RETURN_IF_ERROR(impl.ReadPost(post, rec, &found));
  if (!found || rec->deleted) return Status::NotFound(fmt::format("post {} not found", post));
  return Status::OK();
}

}  // namespace

Result<bool> Engine::Impl::Like(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(UserExists(user));
  WriteOp op(*this);
  op.LockPost(post);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(LivePost(*this, post, &rec));
  Status s;
  if (HasEdge(rec.author, EdgeKind::kBlocking, user, nullptr, &s)) {
    return Status::PermissionDenied(fmt::format("user {} blocks user {}", rec.author, user));
  }
  PUPPIES_RETURN_IF_ERROR(s);
  if (HasEdge(user, EdgeKind::kLiked, post, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  const int64_t now = NowMicros();
  Batch& b = op.batch();
  PutEdge(&b, user, EdgeKind::kLiked, post, now);
  PutEdge(&b, post, EdgeKind::kLiker, user, now);
  b.AddCounter(CounterKey{post, CounterKind::kLikes}.Encode(), 1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Like:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::Unlike(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(UserExists(user));
  WriteOp op(*this);
  op.LockPost(post);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(LivePost(*this, post, &rec));
  int64_t t1 = 0, t2 = 0;
  bool found1, found2;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store.get(), user, EdgeKind::kLiked, post, &t1, &found1));
  if (!found1) return false;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store.get(), post, EdgeKind::kLiker, user, &t2, &found2));
  Batch& b = op.batch();
  DeleteEdge(&b, user, EdgeKind::kLiked, post, t1);
  if (found2) DeleteEdge(&b, post, EdgeKind::kLiker, user, t2);
  b.AddCounter(CounterKey{post, CounterKind::kLikes}.Encode(), -1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("Unlike:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> Engine::Impl::HasLiked(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(UserExists(user));
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(LivePost(*this, post, &rec));
  Status s;
  const bool found = HasEdge(user, EdgeKind::kLiked, post, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  return found;
}

Status Engine::Impl::PurgePostLikes(uint64_t post, Batch* b, bool* stage_done) {
  // Likers first, then each liker's side; no cursor is needed, since every step deletes what it
  // read. No like can be added meanwhile: Like refuses a deleted post under the post lock.
  std::vector<std::pair<uint64_t, int64_t>> likers;
  PUPPIES_RETURN_IF_ERROR(store->Scan(Cf::kEdges, EdgeKey::Prefix(post, EdgeKind::kLiker), "",
                                      [&](std::string_view k, std::string_view v) {
                                        uint64_t t = 0;
                                        DecodeBE64(v, &t);
                                        likers.emplace_back(EdgeKey::OtherOfKey(k),
                                                            static_cast<int64_t>(t));
                                        return likers.size() < options.fanout_batch_size;
                                      }));
  for (const auto& [user, t] : likers) {
    DeleteEdge(b, post, EdgeKind::kLiker, user, t);
    int64_t lt = 0;
    bool found;
    PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store.get(), user, EdgeKind::kLiked, post, &lt, &found));
    if (found) DeleteEdge(b, user, EdgeKind::kLiked, post, lt);
  }
  *stage_done = likers.size() < options.fanout_batch_size;
  if (*stage_done) b->Delete(Cf::kCounters, CounterKey{post, CounterKind::kLikes}.Encode());
  return Status::OK();
}

Result<PostPage> Engine::Impl::LikedPosts(uint64_t user, const PageRequest& page) {
  Snapshot snap = store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(UserExists(user, &snap));
  return PagePosts(ListKind::kLikedPosts, user, EdgeOrderKey::Prefix(user, EdgeKind::kLiked), false,
                   page, snap);
}

}  // namespace puppies
