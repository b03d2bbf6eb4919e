#pragma once
// Hashtags: each hashtag's list of the live posts that carry it (the hashtags column family),
// newest first. Owns HashtagFeed, the batch primitives that CreatePost, EditPost and DeletePost
// (engine/ops/posting.cc) add a post's share with, and invariant I14
// (hashtags/hashtags_check.cc). A post's hashtags themselves are in its record (posts); the
// text is parsed by util/entities.h.
//
// A post's entries are written with it, rewritten by an edit and removed by its deletion, each
// in that operation's batch under the post's lock, so a hashtag feed is consistent with edits
// and deletions at once and needs no clean-up job.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/component.h"
#include "core/context.h"
#include "posts/posts.h"

namespace puppies::internal {

class Hashtags final : public Component {
 public:
  Hashtags(Context& ctx, const Posts& posts) : ctx_(ctx), posts_(posts) {}
  std::string_view name() const override { return "hashtags"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc) ----
  // `tag` in its stored form (NormalizeHashtag).
  Result<PostPage> Feed(const std::string& tag, const PageRequest& page);

  // ---- batch primitives. REQUIRES: the post's lock, or the post is being created.
  // The post's entries for `tags`.
  static void Add(Batch* b, uint64_t post, uint64_t author, const std::vector<std::string>& tags);
  static void Remove(Batch* b, uint64_t post, const std::vector<std::string>& tags);
  // From the entries for `before` to those for `after` (an edit): only what changed.
  static void Replace(Batch* b, uint64_t post, uint64_t author,
                      const std::vector<std::string>& before,
                      const std::vector<std::string>& after);

 private:
  Context& ctx_;
  const Posts& posts_;
};

}  // namespace puppies::internal
