#pragma once
// Every lock a write operation takes, in the one order they are taken. A thread holding a lock
// takes only locks of a higher rank; stripes of one rank are taken in ascending index order
// (bulk paths take many). WriteOp (core/write_op.h) checks the order in debug builds.
//
//   rank  lock           serializes
//   1     usernames      username uniqueness (CreateUser, username repair)
//   2     pair stripe    the edges between an unordered pair of users (follow, block, mute,
//                        their jobs' per-reader steps)
//   3     author stripe  an author's posting, deleting and push/pull mode, and follows and
//                        unfollows of the author (a post's inline fan-out reads the follower
//                        list under it, a follow's inline backfill the author's posts)
//   4     post stripe    likes, comments, bookmarks and deletion of one post, and replies to
//                        it (deleting a reply takes its own stripe and its parent's)
//
// Below these sit short leaf locks that are never held while taking another: the id minting
// lock (core/ids.h), the author-mode mirror (HomeFeed::mirror_mu_, held across a mode change's
// write), the job runner's queue lock and the deleted-post tally (Posts). The engine's
// lifecycle_mu_ (engine/engine_impl.h) is above all of them: every public call holds it
// shared, Close holds it exclusively.

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "util/striped_mutex.h"

namespace puppies::internal {

enum class LockRank : uint8_t { kNone = 0, kUsernames = 1, kPair = 2, kAuthor = 3, kPost = 4 };

struct LockSet {
  static constexpr size_t kStripes = 1024;
  using Stripes = StripedMutex<kStripes>;

  // Follow, block and mute of one pair of users share a stripe, whichever direction.
  static size_t PairIndex(uint64_t a, uint64_t b) {
    return Stripes::Index(a < b ? a : b, a < b ? b : a);
  }
  static size_t AuthorIndex(uint64_t author) { return Stripes::Index(author); }
  static size_t PostIndex(uint64_t post) { return Stripes::Index(post); }

  // For the few paths that take one lock outside a WriteOp (job steps, reads that must not
  // interleave with a write): the same stripes WriteOp takes.
  std::mutex& Pair(uint64_t a, uint64_t b) { return pair.At(PairIndex(a, b)); }
  std::mutex& Author(uint64_t author_id) { return author.At(AuthorIndex(author_id)); }

  std::mutex usernames;
  Stripes pair;
  Stripes author;
  Stripes post;
};

}  // namespace puppies::internal
