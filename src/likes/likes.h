#pragma once
// Likes: the like edges (user -[liked]-> post and post -[liker]-> user, with their order keys,
// in the edges column family) and each post's like counter. Owns Like, Unlike, HasLiked,
// Likers and LikedPosts, the likes stage of a deleted post's clean-up, and invariant I3 with
// the like counters (likes/likes_check.cc).

#include <cstdint>
#include <string_view>

#include "posts/post_interaction.h"

namespace puppies::internal {

class Likes final : public PostInteraction {
 public:
  Likes(Context& ctx, const Users& users, const Graph& graph, const Posts& posts)
      : PostInteraction(ctx, users, graph, posts) {}
  std::string_view name() const override { return "likes"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc) ----
  Result<bool> Like(uint64_t user, uint64_t post);
  Result<bool> Unlike(uint64_t user, uint64_t post);
  Result<bool> HasLiked(uint64_t user, uint64_t post);
  Result<UserPage> Likers(uint64_t post, const PageRequest& page);
  Result<PostPage> LikedPosts(uint64_t user, const PageRequest& page);

  // The post's likes and like counter, up to fanout_batch_size likes a step. Needs no cursor:
  // every step deletes what it read. No like can be added meanwhile: Like refuses a deleted
  // post under the post lock.
  Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) override;
};

}  // namespace puppies::internal
