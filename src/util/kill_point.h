#pragma once
// Kill points for the crash harness (tests/crash/, TESTING.md C2): PUPPIES_KILL_POINT(name)
// marks a place between two durable steps where a SIGKILL must leave a recoverable database.
//
// Built only with the CMake option PUPPIES_KILL_POINTS (on in test builds); otherwise the
// macro is a compile-time name check and nothing else. When built in, the environment is read
// once, at the first point reached:
//   PUPPIES_KILL_ODDS=N     each point reached raises SIGKILL with probability 1/N (0 or unset:
//                           never; then a point costs one relaxed atomic load)
//   PUPPIES_KILL_PREFIX=P   only points whose name starts with P may fire
//   PUPPIES_KILL_LOG=path   before dying, the point's name is appended to `path` as one line,
//                           so the parent process can report which points fired
//
// Every name is listed in kKillPoints below, and the macro refuses unlisted names at compile
// time: the list is complete by construction, and the harness uses it for "k of K points hit".

#include <array>
#include <atomic>
#include <string_view>

namespace puppies::internal {

// Ordered by the path they sit on. docs/reliability.md explains each one.
inline constexpr std::array<std::string_view, 37> kKillPoints = {
    // Open and Close
    "Open:AfterStoreOpen",    // RocksDB opened (WAL replayed), nothing of ours read yet
    "Open:AfterMigrate",      // an older format migrated (core/migrate.h), nothing else read
    "Open:BeforeResume",      // author modes loaded, queued jobs not yet scanned
    "Recover:AfterDispatch",  // one resumed job handed to its strand, later ones not yet
    "Close:AfterStopJobs",    // workers joined, unfinished jobs left on disk, DB still open
    // Id reservation (the high-water mark is max-merged in the creating batch)
    "Ids:AfterMintUser",      // user id taken in memory, its batch not written
    "Ids:AfterMintPost",      // post id taken in memory, its batch not written
    "Ids:AfterMintExplicit",  // explicit-time post id reserved in memory, not yet probed
    "Ids:AfterMintComment",   // comment id taken in memory, its batch not written
    // Foreground operations: the batch is durable, the call has not returned
    "WriteOp:AfterWrite",  // any operation that queued jobs: written, jobs not yet dispatched
    "CreateUser:AfterCommit",
    "CreatePost:AfterCommit",  // post + fan-out job written, job not dispatched
    "Mode:AfterFlip",          // a post changed its author's push/pull mode (+ repush job)
    "DeletePost:AfterCommit",  // tombstone + purge job written
    "EditPost:AfterCommit",    // the post's new record written
    "Follow:AfterCommit",      // edges + pending marker + backfill job written
    "Unfollow:AfterCommit",    // edges removed + unmerge job written
    "Block:AfterCommit",
    "ImportFollows:AfterChunk",                // one chunk of an import written, later chunks not
    "Like:AfterCommit", "Unlike:AfterCommit",  // both edges (+ counter) written
    "Bookmark:AfterCommit", "Unbookmark:AfterCommit",  // both edges written
    "AddComment:AfterCommit",     // comment record, its two list keys and the counter written
    "DeleteComment:AfterCommit",  // the same removed
    // Background job steps (each step is one batch that also saves the job's cursor)
    "Jobs:AfterStep",             // any job, between two steps
    "Fanout:AfterChunk",          // inbox entries of one chunk of followers + cursor written
    "Inbox:AfterTrim",            // an inbox trimmed to its cap and its floor raised
    "Backfill:AfterCommit",       // backfilled entries written, pending marker removed
    "Unmerge:AfterCommit",        // an ex-followee's entries removed from an inbox
    "Purge:AfterLikesChunk",      // one chunk of a deleted post's likes removed
    "Purge:AfterInboxChunk",      // one chunk of followers' entries of a deleted post removed
    "Purge:AfterCommentsChunk",   // one chunk of a deleted post's comments removed
    "Purge:AfterBookmarksChunk",  // one chunk of a deleted post's bookmarks removed
    "Purge:AfterRepliesChunk",    // one chunk of a deleted post's reply list removed
    "Repush:AfterChunk",          // one chunk of followers refilled by a draining author
    "Repush:AfterLast",           // the author is back to push (or the job was superseded)
};

consteval bool IsKillPoint(std::string_view name) {
  for (std::string_view k : kKillPoints) {
    if (k == name) return true;
  }
  return false;
}

#ifdef PUPPIES_KILL_POINTS
// 0: environment not read yet; 1: no point can fire; 2: armed.
extern std::atomic<int> kill_points_state;
void KillPointSlow(std::string_view name);

#define PUPPIES_KILL_POINT(name)                                                        \
  do {                                                                                  \
    static_assert(::puppies::internal::IsKillPoint(name), "unlisted kill point " name); \
    if (::puppies::internal::kill_points_state.load(std::memory_order_relaxed) != 1) {  \
      ::puppies::internal::KillPointSlow(name);                                         \
    }                                                                                   \
  } while (0)
// A point named by a table entry rather than a literal (graph/post_edge_families.h): the
// table checks its names with IsKillPoint in a static_assert where it is declared.
inline void KillPointNamed(std::string_view name) {
  if (kill_points_state.load(std::memory_order_relaxed) != 1) KillPointSlow(name);
}
#else
#define PUPPIES_KILL_POINT(name)                                                        \
  do {                                                                                  \
    static_assert(::puppies::internal::IsKillPoint(name), "unlisted kill point " name); \
  } while (0)
inline void KillPointNamed(std::string_view) {}
#endif

}  // namespace puppies::internal
