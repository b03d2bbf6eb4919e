#pragma once
// Posts: the post records and tombstones (posts column family), each author's timeline (the
// authored keys of the edges column family), the posts counter and post id minting's
// high-water mark. Owns GetPost,
// GetPosts and UserTimeline, the hydration every list of posts goes through (Load, PagePosts),
// the batch primitives the create and delete operations (engine/ops/posting.cc) are built
// from, and invariants I4, I7 (post ids) and I2 for posts (posts/posts_check.cc).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/component.h"
#include "core/context.h"
#include "records/records.h"
#include "users/users.h"
#include "util/mutex.h"

namespace puppies::internal {

class Posts final : public Component {
 public:
  Posts(Context& ctx, const Users& users) : ctx_(ctx), users_(users) {}
  std::string_view name() const override { return "posts"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc) ----
  Result<Post> Get(uint64_t id);
  Result<std::vector<std::optional<Post>>> GetMany(std::span<const PostId> ids);
  Result<PostPage> Timeline(uint64_t author, const PageRequest& page);

  // ---- reads ----
  Status Read(uint64_t id, PostRecord* rec, bool* found, const Snapshot* snap = nullptr) const;
  // The record of a live (not deleted) post, or NotFound. Under the post lock when the caller
  // writes based on the answer, so that a concurrent delete cannot slip in between.
  Status ReadLive(uint64_t id, PostRecord* rec, std::string_view what = "post") const;
  // Hydrates post ids into Posts, in order; deleted or missing posts are nullopt.
  Status Load(const std::vector<uint64_t>& ids, std::vector<std::optional<Post>>* out,
              const Snapshot* snap = nullptr) const;
  // A page of a stored list of post ids (under `prefix` in `cf`), hydrated; deleted posts are
  // skipped.
  Result<PostPage> PagePosts(ListKind kind, uint64_t owner, Cf cf, const std::string& prefix,
                             bool inverted_ids, const PageRequest& page,
                             const Snapshot& snap) const;

  // ---- batch primitives ----
  // A new post's id: live posts take the next id at or after now; an explicit-time post's id
  // stays reserved (in *reserved) until its batch is written. REQUIRES: the author lock.
  Status MintId(const NewPost& post, int64_t now, IdMint::Reservation* reserved,
                uint64_t* id) const;
  // rec->hashtags and rec->mentions, from rec->text (util/entities.h): the mentions of users
  // that exist now.
  static Status DeriveEntities(Store& store, PostRecord* rec);
  // The post's record, rewritten (an edit). REQUIRES: the post lock, the post live.
  static void Put(Batch* b, uint64_t id, const PostRecord& rec);
  // The post record, its timeline entry and the author's posts counter.
  static void Add(Batch* b, uint64_t id, const PostRecord& rec, bool explicit_time);
  // The tombstone (author and time kept: clean-up needs the author, and it stops an
  // explicit-time import from reusing the id; reply_to kept: a thread shows the gap and goes
  // on to the ancestors above it), the timeline entry and the counter.
  // REQUIRES: the post lock.
  static void AddTombstone(Batch* b, uint64_t id, const PostRecord& rec);

  // Counts a deleted post of `author` (its clean-up done); every kCompactAfterDeletes,
  // compacts the author's timeline so that reads stop stepping over its tombstones.
  void NoteDeleted(uint64_t author);
  static constexpr uint32_t kCompactAfterDeletes = 1'000;

 private:
  Context& ctx_;
  const Users& users_;
  // Deleted posts per author since their timeline was last compacted (NoteDeleted): in memory
  // only, cleared past 100,000 authors; a restart costs at most one round's delay.
  Mutex deleted_mu_;
  std::unordered_map<uint64_t, uint32_t> deleted_since_compaction_ GUARDED_BY(deleted_mu_);
};

}  // namespace puppies::internal
