#pragma once
// Comments: the comment records (comments column family), each post's comment list and each
// author's (the comment list keys of the edges column family) and each post's comment counter.
// Owns AddComment, GetComment, DeleteComment and Comments, the comments stage of a deleted
// post's clean-up, and invariant I11 with the comment counters (comments/comments_check.cc).
//
// A comment is written and removed under its post's lock, in one batch with its two list keys
// and the counter: DeletePost takes the same lock, so no comment is added to a post being
// deleted, and two deletions of one comment cannot both count it down.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/edges.h"
#include "posts/post_interaction.h"
#include "records/records.h"

namespace puppies::internal {

class Comments final : public PostInteraction {
 public:
  Comments(Context& ctx, const Users& users, const Graph& graph, const Posts& posts)
      : PostInteraction(ctx, users, graph, posts) {}
  std::string_view name() const override { return "comments"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc; `text` already trimmed) ----
  Result<CommentId> Add(uint64_t author, uint64_t post, uint64_t reply_to, std::string text);
  Result<Comment> Get(uint64_t id);
  Status Delete(uint64_t actor, uint64_t id);
  Result<CommentPage> Page(uint64_t post, const PageRequest& page);

  // ---- reads and batch primitives (also Repair's) ----
  // The stored record, whatever its post's state; *found false when there is none.
  Status Read(uint64_t id, CommentRecord* rec, bool* found, const Snapshot* snap = nullptr) const;
  // The record and both list keys, and the post's counter.
  static void Put(Batch* b, uint64_t id, const CommentRecord& rec);
  static void Remove(Batch* b, uint64_t id, const CommentRecord& rec);
  // Remove without the counter.
  static void RemoveKeys(Batch* b, uint64_t id, const CommentRecord& rec);

  // The post's comments, up to fanout_batch_size a step, and at the end its comment counter.
  // Needs no cursor: every step deletes what it read. No comment can be added meanwhile:
  // AddComment refuses a deleted post under the post lock.
  Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) override;

 private:
  // The records of listed comments, in one MultiGet; nullopt where a record is missing.
  Status ReadListed(const std::vector<ListEntry>& entries, const Snapshot* snap,
                    std::vector<std::optional<CommentRecord>>* out) const;
};

}  // namespace puppies::internal
