#pragma once
// The base of the components whose rows hang off a post and a user (likes, comments): they
// read users, blocks and posts, and every write of theirs starts the same way, under the post's
// lock so that the post cannot be deleted meanwhile (DeletePost takes that lock too).

#include <cstdint>

#include "core/component.h"
#include "core/context.h"
#include "core/write_op.h"
#include "graph/graph.h"
#include "posts/posts.h"
#include "users/users.h"
#include "util/status_macros.h"

namespace puppies::internal {

class PostInteraction : public Component {
 protected:
  PostInteraction(Context& ctx, const Users& users, const Graph& graph, const Posts& posts)
      : ctx_(ctx), users_(users), graph_(graph), posts_(posts) {}

  // `user` exists; then, under `post`'s lock (taken in `op`), the post is live (*rec) and its
  // author does not block `user` (SPEC §3: no likes or comments on a blocker's posts).
  Status LockLivePost(WriteOp& op, uint64_t user, uint64_t post, PostRecord* rec) const {
    PUPPIES_RETURN_IF_ERROR(users_.Exists(user));
    op.LockPost(post);
    PUPPIES_RETURN_IF_ERROR(posts_.ReadLive(post, rec));
    return graph_.CheckNotBlockedBy(rec->author, user);
  }

  Context& ctx_;
  const Users& users_;
  const Graph& graph_;
  const Posts& posts_;
};

}  // namespace puppies::internal
