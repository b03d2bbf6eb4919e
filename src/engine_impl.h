#pragma once
// Engine::Impl: owns the Store, the clock, the locks and the background workers, and wires the
// modules together. The shared core is in src/core/: the lock set and its order (locks.h), id
// minting (ids.h), the write-operation helper every write goes through (write_op.h) and the
// list of counted operations (ops.h); every persisted byte is declared in keys/format.h.
// Impl's methods are implemented across src/ by concern:
//   engine_impl.cc      Open/Close, shared read helpers
//   graph/users.cc      users          graph/follows.cc  follows, blocks, mutes, import
//   graph/likes.cc      likes          feed/posts.cc     posts, timelines, author modes
//   feed/home_feed.cc   home feed      feed/fanout.cc    the feed's background job steps
//   check.cc            invariants     repair.cc         Repair
// Arguments reaching Impl have been validated by engine.cc.

#include <array>
#include <atomic>
#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/locks.h"
#include "core/ops.h"
#include "feed/jobs.h"
#include "jobs/runner.h"
#include "keys/keys.h"
#include "puppies/clock.h"
#include "puppies/engine.h"
#include "records/records.h"
#include "store/store.h"
#include "util/cursor.h"
#include "util/mutex.h"

namespace puppies {

namespace internal {
struct Finding;  // check.h
}  // namespace internal

struct Engine::Impl {
  using Cf = internal::Cf;

  explicit Impl(const Options& o);
  ~Impl();

  // ---- lifecycle (engine_impl.cc) ----
  Status OpenStore(const std::string& path);
  Status Close();

  // ---- shared helpers (engine_impl.cc) ----
  int64_t NowMicros() { return clock->NowMicros(); }
  Status UserExists(uint64_t id, const internal::Snapshot* snap = nullptr);
  // UserExists for many ids at once (MultiGet); NotFound names the first missing id.
  Status UsersExist(const std::vector<uint64_t>& ids);
  Status ReadUser(uint64_t id, internal::UserRecord* rec, const internal::Snapshot* snap = nullptr);
  Status ReadPost(uint64_t id, internal::PostRecord* rec, bool* found,
                  const internal::Snapshot* snap = nullptr);
  Status Counter(uint64_t id, internal::CounterKind kind, uint64_t* value,
                 const internal::Snapshot* snap = nullptr);
  // Hydrates post ids into Posts, in order; deleted or missing posts are nullopt.
  Status LoadPosts(const std::vector<uint64_t>& ids, std::vector<std::optional<Post>>* out,
                   const internal::Snapshot* snap = nullptr);
  bool HasEdge(uint64_t owner, internal::EdgeKind kind, uint64_t other,
               const internal::Snapshot* snap, Status* s);
  // Jobs queued by one operation: (sequence, job). Writes go through internal::WriteOp
  // (core/write_op.h), which writes the batch and dispatches or cancels these.
  using JobList = std::vector<std::pair<uint64_t, internal::JobRecord>>;
  internal::AuthorModeRecord ModeOf(uint64_t author);
  // A snapshot and the in-memory modes at the same instant.
  internal::Snapshot SnapshotWithModes(
      boost::container::flat_map<uint64_t, internal::AuthorModeRecord>* modes_out);

  // ---- users (graph/users.cc) ----
  Result<UserId> CreateUser(std::string_view username, const UserProfile& profile);
  Result<User> GetUser(uint64_t id);
  Result<User> FindUser(std::string_view username);
  Status UpdateUser(uint64_t id, const UserUpdate& update);

  // ---- graph (graph/follows.cc) ----
  Result<bool> Follow(uint64_t follower, uint64_t followee);
  Result<bool> Unfollow(uint64_t follower, uint64_t followee);
  // Whether the edge exists (IsFollowing, IsBlocking, IsMuting); NotFound for unknown users.
  Result<bool> HasUserEdge(uint64_t owner, internal::EdgeKind kind, uint64_t other);
  Result<UserPage> ListUsers(uint64_t owner, internal::EdgeKind kind, const PageRequest& page);
  Result<bool> Block(uint64_t blocker, uint64_t blocked);
  Result<bool> Unblock(uint64_t blocker, uint64_t blocked);
  Result<bool> Mute(uint64_t muter, uint64_t muted);
  Result<bool> Unmute(uint64_t muter, uint64_t muted);
  Result<uint64_t> ImportFollows(std::span<const FollowEdge> edges);

  // ---- likes (graph/likes.cc) ----
  Result<bool> Like(uint64_t user, uint64_t post);
  Result<bool> Unlike(uint64_t user, uint64_t post);
  Result<bool> HasLiked(uint64_t user, uint64_t post);
  Result<PostPage> LikedPosts(uint64_t user, const PageRequest& page);

  // ---- posts (feed/posts.cc) ----
  Result<PostId> CreatePost(uint64_t author, const NewPost& post, std::string text);
  Result<Post> GetPost(uint64_t id);
  Result<std::vector<std::optional<Post>>> GetPosts(std::span<const PostId> ids);
  Status DeletePost(uint64_t actor, uint64_t id);
  Result<PostPage> UserTimeline(uint64_t author, const PageRequest& page);
  // A page of a stored list of post ids (newest first), hydrated; deleted posts are skipped.
  Result<PostPage> PagePosts(internal::ListKind kind, uint64_t owner, const std::string& prefix,
                             bool inverted_ids, const PageRequest& page,
                             const internal::Snapshot& snap);

  // ---- home feed (feed/home_feed.cc) ----
  Result<PostPage> HomeFeed(uint64_t reader, const PageRequest& page);

  // ---- background jobs (feed/fanout.cc, feed/posts.cc, graph/likes.cc) ----
  using FeedStep = Status (Impl::*)(uint64_t seq, internal::FeedJob* job, bool* done);
  // Registers a job type of the feed's (feed/jobs.h) whose step takes the decoded job.
  void RegisterFeedJob(internal::JobType type, std::string_view name, FeedStep step);
  void RegisterFeedJobs();  // fanout, backfill, unmerge, repush
  void RegisterPostJobs();  // the post purge
  Status StepFanout(uint64_t seq, internal::FeedJob* job, bool* done);
  Status StepBackfill(uint64_t seq, internal::FeedJob* job, bool* done);
  Status StepUnmerge(uint64_t seq, internal::FeedJob* job, bool* done);
  Status StepRepush(uint64_t seq, internal::FeedJob* job, bool* done);
  // A deleted post's clean-up: each component's purge stage in PurgeStage order (feed/posts.cc).
  Status StepPurgePost(uint64_t seq, internal::FeedJob* job, bool* done);
  // Purge stages: one batch's worth of `post`'s residue into `b`; *stage_done when none is
  // left. Likes (graph/likes.cc) delete what they read; the inbox stage (feed/fanout.cc)
  // walks the author's followers from *cursor.
  Status PurgePostLikes(uint64_t post, internal::Batch* b, bool* stage_done);
  Status PurgePostInbox(uint64_t author, uint64_t post, uint64_t* cursor, internal::Batch* b,
                        bool* stage_done);
  // Keeps the newest inbox_cap entries of `owner`'s inbox and raises its floor past the rest.
  Status TrimInbox(uint64_t owner);
  // Counts a deleted post of `author`; every kCompactAfterDeletes, compacts the author's
  // timeline so that reads stop stepping over its tombstones.
  Status NoteDeletedPost(uint64_t author);
  static constexpr uint32_t kCompactAfterDeletes = 1'000;
  bool ShouldTrim(uint64_t owner, uint64_t post) const;

  // ---- maintenance (check.cc, repair.cc, engine_impl.cc) ----
  // Every invariant violation on one snapshot, with what Repair may do about it (check.h).
  Status Analyze(bool verify_checksums, std::vector<internal::Finding>* out);
  Result<std::vector<std::string>> Check();
  Result<std::vector<std::string>> Repair();
  Result<Stats> GetStats();

  // ---- state ----
  const Options options;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<internal::Store> store;
  std::unique_ptr<internal::JobRunner> jobs;
  uint64_t cursor_salt = 0;  // Set in OpenStore, then read-only.

  // Held shared by every public call and exclusively by Close, so Close never races a call.
  std::shared_mutex lifecycle_mu;
  bool closed = false;  // Guarded by lifecycle_mu.

  // Ids (core/ids.h). Set in OpenStore.
  std::unique_ptr<internal::IdMint> ids;

  // The write locks and their one order (core/locks.h); write operations take them through
  // internal::WriteOp.
  internal::LockSet locks;

  // Held exclusively across a mode change's write and its in-memory update (rare), shared by
  // readers that need the modes consistent with a snapshot.
  mutable internal::SharedMutex modes_mu;
  // Authors that are not pushed (pull or draining), mirroring meta "mode/".
  boost::container::flat_map<uint64_t, internal::AuthorModeRecord> modes GUARDED_BY(modes_mu);

  std::array<std::atomic<uint64_t>, static_cast<size_t>(internal::Op::kCount)> op_counts{};
  std::atomic<uint64_t> fanout_entries{0};
  // Deleted posts per author since their timeline was last compacted (NoteDeletedPost): in
  // memory only, cleared past 100,000 authors; a restart costs at most one round's delay.
  internal::Mutex deleted_mu;
  std::unordered_map<uint64_t, uint32_t> deleted_since_compaction GUARDED_BY(deleted_mu);
  std::atomic<uint64_t> feed_inbox_pages{0};
  std::atomic<uint64_t> feed_pull_pages{0};
};

}  // namespace puppies
