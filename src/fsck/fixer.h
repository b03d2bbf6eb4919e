#pragma once
// Repair's side of the registry. A finding names its FixKind (fsck/finding.h); Repair
// (repair.cc) hands each fix a Fixer, which carries what every fix shares: the context and the
// components (their reads and batch primitives), reads of what the fix depends on, and Commit,
// which writes the fix's one batch, records its line and keeps the jobs it queued for Repair to
// await after the round.
//
// The orders in use (Repair applies a round's fixes in ascending order):
//    10  relation mended (graph: follows, blocks, mutes, likes)    graph/graph_check.cc
//    20  order key without its edge dropped                        graph/graph_check.cc
//    25  comment's record, list keys and counter made to agree     comments/comments_check.cc
//    27  reply key and parent's reply counter made to agree        replies/replies_check.cc
//    30  counter corrected (I2, every component's counters)        fsck/fixer.cc
//    40  authored entry mended                                     posts/posts_check.cc
//    45  hashtag entry made to agree with its post's record        hashtags/hashtags_check.cc
//    50  inbox entry dropped                                       home_feed/home_feed_check.cc
//    60  pending marker without its backfill dropped               home_feed/home_feed_check.cc
//    70  backfill re-queued                                        home_feed/home_feed_check.cc
//    80  own inbox entry restored                                  home_feed/home_feed_check.cc
//    90  id high-water mark raised (I7, users and posts)           fsck/fixer.cc
//   100  username index entry mended                               users/users_check.cc
// A new concern's fixes take orders after what they derive from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/write_op.h"
#include "engine/engine_impl.h"
#include "fsck/finding.h"

namespace puppies::internal {

class Fixer {
 public:
  Fixer(Engine::Impl& impl, std::vector<std::string>* fixed) : impl_(impl), fixed_(fixed) {}

  Context& ctx() { return impl_.context(); }
  Store& store() { return *impl_.context().store; }
  const Users& users() { return impl_.users(); }
  const Graph& graph() { return impl_.graph(); }
  const HomeFeed& home_feed() { return impl_.home_feed(); }
  const Comments& comments() { return impl_.comments(); }

  // Whether `post` exists and is not deleted; its record in *rec.
  Status LivePost(uint64_t post, PostRecord* rec, bool* live);
  Status UserKnown(uint64_t user, bool* known);
  // Sets post `post`'s counter of kind `kind` to the length of its list under `prefix` (the
  // edges column family) once batch `b` is written, `listed` being what `b` adds to the list
  // (+1 a key, -1 a key); drops the counter when the post is not live. REQUIRES: the post's
  // lock, so the list cannot change between the recount and the write.
  Status SetPostListCounter(Batch* b, uint64_t post, CounterKind kind, std::string_view prefix,
                            int64_t listed, bool live);

  // Writes the fix's batch and records `line` as done.
  Status Commit(WriteOp& op, std::string line);
  // Records a fix written without a WriteOp (the id marks).
  void Done(std::string line) { fixed_->push_back(std::move(line)); }

  // The jobs the fixes queued; Repair waits for them after the round.
  const JobList& jobs() const { return jobs_; }

 private:
  Engine::Impl& impl_;
  std::vector<std::string>* fixed_;
  JobList jobs_;
};

// The fixes of the shared parts of the check (fixer.cc).
extern const FixKind kFixCounter;  // I2: add `value` (two's complement) to counter (a, counter)
extern const FixKind kFixIdMark;   // I7: raise the high-water mark meta key `name` to `value`

}  // namespace puppies::internal
