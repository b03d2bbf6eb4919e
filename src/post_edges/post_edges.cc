#include "post_edges/post_edges.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "core/write_op.h"
#include "graph/edges.h"
#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

PostEdges::PostEdges(const PostEdgeFamily& family, Context& ctx, const Users& users,
                     const Graph& graph, const Posts& posts)
    : PostInteraction(ctx, users, graph, posts), family_(family) {}

Result<bool> PostEdges::Add(uint64_t user, uint64_t post) {
  WriteOp op(ctx_);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(LockLivePost(op, user, post, &rec));
  Status s;
  if (graph_.HasEdge(user, family_.user_side, post, nullptr, &s)) return false;
  PUPPIES_RETURN_IF_ERROR(s);
  const int64_t now = ctx_.NowMicros();
  Batch& b = op.batch();
  PutEdge(&b, user, family_.user_side, post, now);
  PutEdge(&b, post, family_.post_side, user, now);
  if (family_.counter) b.AddCounter(CounterKey{post, *family_.counter}.Encode(), 1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  KillPointNamed(family_.add_point);
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> PostEdges::Remove(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user));
  WriteOp op(ctx_);
  op.LockPost(post);
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(post, &rec));
  Store* store = ctx_.store.get();
  int64_t t1 = 0, t2 = 0;
  bool found1, found2;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store, user, family_.user_side, post, &t1, &found1));
  if (!found1) return false;
  PUPPIES_RETURN_IF_ERROR(GetEdgeTime(store, post, family_.post_side, user, &t2, &found2));
  Batch& b = op.batch();
  DeleteEdge(&b, user, family_.user_side, post, t1);
  if (found2) DeleteEdge(&b, post, family_.post_side, user, t2);
  if (family_.counter) b.AddCounter(CounterKey{post, *family_.counter}.Encode(), -1);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  KillPointNamed(family_.remove_point);
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return true;
}

Result<bool> PostEdges::Has(uint64_t user, uint64_t post) {
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user));
  PostRecord rec;
  PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(post, &rec));
  Status s;
  const bool found = graph_.HasEdge(user, family_.user_side, post, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  return found;
}

Result<UserPage> PostEdges::PostUsers(uint64_t post, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(post, &rec, &found, &snap));
  if (!found || rec.deleted) return Status::NotFound(fmt::format("post {} not found", post));
  return graph_.PageUsers(post, family_.post_side, page, snap);
}

Result<PostPage> PostEdges::UserPosts(uint64_t user, const PageRequest& page) {
  Snapshot snap = ctx_.store->GetSnapshot();
  PUPPIES_RETURN_IF_ERROR(users_.Exists(user, &snap));
  return posts_.PagePosts(family_.posts_list, user, Cf::kEdges,
                          EdgeOrderKey::Prefix(user, family_.user_side), false, page, snap);
}

Status PostEdges::PurgePost(uint64_t, uint64_t post, uint64_t*, Batch* b, bool* done) {
  // The post's side first, then each user's side.
  const size_t limit = ctx_.options.fanout_batch_size;
  std::vector<std::pair<uint64_t, int64_t>> users;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Scan(Cf::kEdges, EdgeKey::Prefix(post, family_.post_side), "",
                                           [&](std::string_view k, std::string_view v) {
                                             uint64_t t = 0;
                                             DecodeBE64(v, &t);
                                             users.emplace_back(EdgeKey::OtherOfKey(k),
                                                                static_cast<int64_t>(t));
                                             return users.size() < limit;
                                           }));
  for (const auto& [user, t] : users) {
    DeleteEdge(b, post, family_.post_side, user, t);
    int64_t ut = 0;
    bool found;
    PUPPIES_RETURN_IF_ERROR(
        GetEdgeTime(ctx_.store.get(), user, family_.user_side, post, &ut, &found));
    if (found) DeleteEdge(b, user, family_.user_side, post, ut);
  }
  *done = users.size() < limit;
  if (*done && family_.counter)
    b->Delete(Cf::kCounters, CounterKey{post, *family_.counter}.Encode());
  return Status::OK();
}

}  // namespace puppies::internal
