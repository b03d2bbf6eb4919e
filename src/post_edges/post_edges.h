#pragma once
// PostEdges: one user-to-post relation family (graph/post_edge_families.h), as a component:
// the mirrored edges user -[user_side]-> post and post -[post_side]-> user with their order
// keys, in the edges column family, and the post's counter when the family keeps one. The
// engine holds one instance per family: likes (Like, Unlike, HasLiked, Likers, LikedPosts)
// and bookmarks (Bookmark, Unbookmark, HasBookmarked, Bookmarks). Each owns its stage of a
// deleted post's clean-up and its invariant with its counters (post_edges/post_edges_check.cc).
//
// Both edges and the counter change in one batch under the post's lock: DeletePost takes the
// same lock, so nothing is attached to a post being deleted, and two concurrent adds of one
// edge cannot both count it.

#include <cstdint>
#include <string_view>

#include "graph/post_edge_families.h"
#include "posts/post_interaction.h"

namespace puppies::internal {

class PostEdges final : public PostInteraction {
 public:
  PostEdges(const PostEdgeFamily& family, Context& ctx, const Users& users, const Graph& graph,
            const Posts& posts);
  std::string_view name() const override { return family_.component; }
  const InvariantGroup* invariants() const override;  // post_edges_check.cc
  const PostEdgeFamily& family() const { return family_; }

  // ---- Engine calls (arguments validated by engine.cc) ----
  // True if the edge is new. Errors: NotFound (user, or post unknown or deleted),
  // PermissionDenied (the post's author blocks `user`).
  Result<bool> Add(uint64_t user, uint64_t post);
  // True if an edge was removed. Errors: NotFound (user, or post unknown or deleted).
  Result<bool> Remove(uint64_t user, uint64_t post);
  Result<bool> Has(uint64_t user, uint64_t post);
  // The post's users, newest edge first (likers).
  Result<UserPage> PostUsers(uint64_t post, const PageRequest& page);
  // The user's posts, newest edge first, deleted posts omitted (liked posts, bookmarks).
  Result<PostPage> UserPosts(uint64_t user, const PageRequest& page);

  // The post's edges, up to fanout_batch_size a step, and at the end its counter. Needs no
  // cursor: every step deletes what it read. No edge can be added meanwhile: Add refuses a
  // deleted post under the post lock.
  Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) override;

 private:
  const PostEdgeFamily& family_;
};

}  // namespace puppies::internal
