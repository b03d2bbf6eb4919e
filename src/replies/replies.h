#pragma once
// Replies: each live post's list of its live direct replies (the reply keys of the edges
// column family) and its reply counter. Owns Replies and Thread, the batch primitives that
// CreatePost and DeletePost (engine/ops/posting.cc) add a reply's share with, the replies stage
// of a deleted post's clean-up, and invariant I13 with the reply counters
// (replies/replies_check.cc).
//
// A reply's key and its parent's counter are written and removed under the parent's post lock,
// in the batch of the reply's creation or deletion: DeletePost of the parent takes the same
// lock, so no reply joins a parent being deleted, and a reply deleted after its parent counts
// nothing down (the parent's clean-up drops the counter and what is left of the list).

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/component.h"
#include "core/context.h"
#include "posts/posts.h"

namespace puppies::internal {

class Replies final : public Component {
 public:
  Replies(Context& ctx, const Posts& posts) : ctx_(ctx), posts_(posts) {}
  std::string_view name() const override { return "replies"; }
  const InvariantGroup* invariants() const override;

  // Thread walks at most this many ancestors (Engine::Thread).
  static constexpr size_t kMaxThreadAncestors = 1'000;

  // ---- Engine calls (arguments validated by engine.cc) ----
  Result<PostPage> Page(uint64_t post, const PageRequest& page);
  Result<std::vector<std::optional<Post>>> Thread(uint64_t post);

  // ---- batch primitives. REQUIRES: the parent's post lock, and `parent_live` read under it.
  // A new reply: its key in the parent's list and +1 on the parent's counter.
  static void Add(Batch* b, uint64_t parent, uint64_t reply, uint64_t author);
  // A deleted reply: its key, and -1 on the counter while the parent is live.
  static void Remove(Batch* b, uint64_t parent, uint64_t reply, bool parent_live);

  // The deleted post's reply keys, up to fanout_batch_size a step, and at the end its reply
  // counter. Needs no cursor: every step deletes what it read, and no reply joins meanwhile.
  Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) override;

 private:
  Context& ctx_;
  const Posts& posts_;
};

}  // namespace puppies::internal
