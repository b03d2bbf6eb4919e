#pragma once
// The home feed: every reader's inbox (entries, floor, pending backfill markers; inbox column
// family), the authors' push/pull modes (meta "mode/" and their in-memory mirror) and the jobs
// that keep inboxes exact: fanout, backfill, unmerge and repush (home_feed/fanout.cc), all
// partitioned by author. Owns HomeFeed (home_feed/home_feed.cc), the feed's share of posting,
// following and deleting (batch primitives for engine/ops/), the inbox stage of a deleted
// post's clean-up, invariants I5, I6 and I9 for pending markers (home_feed/home_feed_check.cc)
// and the feed's figures in Stats.
//
// Why the inbox stays exact (see docs/architecture.md, "The inbox floor"): an inbox holds, for
// every id >= its floor, an entry for each post by a pushed author the owner follows, once that
// post's fan-out has run. Trimming and truncated backfills only ever raise the floor
// (max-merge); readers pull everything below it from authors' timelines.

#include <atomic>
#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/component.h"
#include "core/context.h"
#include "core/write_op.h"
#include "graph/graph.h"
#include "home_feed/jobs.h"
#include "posts/posts.h"
#include "records/records.h"
#include "users/users.h"
#include "util/mutex.h"

namespace puppies::internal {

class HomeFeed final : public Component {
 public:
  using Modes = boost::container::flat_map<uint64_t, AuthorModeRecord>;

  HomeFeed(Context& ctx, const Users& users, const Graph& graph, const Posts& posts)
      : ctx_(ctx), users_(users), graph_(graph), posts_(posts) {}
  std::string_view name() const override { return "home feed"; }
  // Loads the author modes and registers the feed's job types.
  Status Open() override;
  const InvariantGroup* invariants() const override;
  void AddStats(Stats* stats) const override;

  // ---- Engine call (arguments validated by engine.cc) ----
  Result<PostPage> Read(uint64_t reader, const PageRequest& page);

  // ---- author modes ----
  AuthorModeRecord ModeOf(uint64_t author) const;
  // A snapshot and the in-memory modes at the same instant.
  Snapshot SnapshotWithModes(Modes* modes_out) const;

  // What a home feed read needs of the in-memory mirrors, taken with its snapshot.
  struct ReaderView {
    std::vector<uint64_t> pulled;     // the authors not pushed (pull or draining), ascending
    std::vector<uint64_t> unmerging;  // authors with an unmerge queued for the reader, ascending
  };
  Snapshot ReaderSnapshot(uint64_t reader, ReaderView* view) const;

  // ---- batch primitives for the operations of engine/ops/ ----
  // Whether a new follower of `followee` needs a backfill: it has posts and is pushed (a pulled
  // author is merged at read time anyway). REQUIRES: the followee's author lock.
  bool BackfillNeeded(uint64_t followee, uint64_t posts) const;
  Status NeedsBackfill(uint64_t followee, bool* needed) const;
  // A new follow's share, when `backfill`. The followee's newest posts above the follower's
  // floor go into the follower's inbox in this batch when FollowWorkInline allows; otherwise
  // (QueueBackfill) a durable backfill job plus the pending marker that makes readers pull the
  // followee until it has run. *entries: the inbox entries written in the batch (AfterBackfill).
  // REQUIRES: the pair and author locks.
  Status AddFollow(WriteOp& op, uint64_t follower, uint64_t followee, bool backfill,
                   uint64_t* entries) const;
  void QueueBackfill(WriteOp& op, uint64_t follower, uint64_t followee) const;
  // After a backfill's write (a follow's or the job's), unlocked: counts its entries and, when
  // there were any, trims the reader's inbox.
  Status AfterBackfill(uint64_t reader, uint64_t entries);
  // A removed follow's share: the pending marker goes, and so do the followee's entries in
  // the follower's inbox: in this batch when FollowWorkInline allows, else by an unmerge job
  // (until it has run, readers check the follow edge of those entries).
  // REQUIRES: the pair and author locks.
  Status RemoveFollow(WriteOp& op, uint64_t follower, uint64_t followee) const;
  // Whether a follow's or unfollow's inbox work may be done in its own batch: with
  // inline_follow_updates, when the followee has no fan-out or repush queued or running (they
  // write entries from a follower list read before the change, so an unmerge must come after
  // them) and no unmerge of this pair is queued (it would delete a backfill's entries).
  // REQUIRES: the author lock, under which neither kind of job can be newly queued.
  bool FollowWorkInline(uint64_t follower, uint64_t followee) const;
  // What AddPost decided, for Commit (the mode change) and AfterPost.
  struct PostFanout {
    std::optional<AuthorModeRecord> mode_change;  // the author's next mode, when it changes
    uint64_t entries = 0;                         // followers' entries written in the batch
    std::vector<uint64_t> trim;                   // inboxes to trim after the write
  };
  // A new post's share: the author's own inbox entry; unless the author is pulled, the
  // followers' entries, in this batch when they number at most inline_fanout_followers, by a
  // fan-out job otherwise; and the author's next mode when it changes (with a repush job when
  // it starts draining). REQUIRES: the author lock, which also keeps the follower list still.
  Status AddPost(WriteOp& op, uint64_t author, uint64_t post, PostFanout* out) const;
  // Commits the operation's batch; with a mode change, the in-memory mirror changes with the
  // write, atomically for readers of SnapshotWithModes. REQUIRES: the author lock.
  Status Commit(WriteOp& op, uint64_t author, const std::optional<AuthorModeRecord>& mode_change);
  // After the post's write, unlocked: counts its inline entries and trims the inboxes it
  // sampled for trimming.
  void AfterPost(const PostFanout& fanout);
  // A deleted post's share: the author's own inbox entry (followers' entries are purged).
  static void RemovePost(Batch* b, uint64_t author, uint64_t post);

  // The followers' inbox entries of a deleted post, one fanout_batch_size of followers a step
  // from *cursor.
  Status PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) override;

 private:
  Status StepFanout(uint64_t seq, FeedJob* job, bool* done);
  Status StepBackfill(uint64_t seq, FeedJob* job, bool* done);
  Status StepUnmerge(uint64_t seq, FeedJob* job, bool* done);
  Status StepRepush(uint64_t seq, FeedJob* job, bool* done);
  // Keeps the newest inbox_cap entries of `owner`'s inbox and raises its floor past the rest.
  Status TrimInbox(uint64_t owner);
  bool ShouldTrim(uint64_t owner, uint64_t post) const;
  // The inbox entries of `post` for `followers` (inline fan-out and the fan-out job), and the
  // inboxes sampled for trimming after the write.
  void PutFollowerEntries(Batch* b, uint64_t author, uint64_t post,
                          const std::vector<uint64_t>& followers,
                          std::vector<uint64_t>* trim) const;
  // The unmerge job's tracker (JobRunner::TypeInfo::track): counts the queued unmerges per
  // (reader, author), from Enqueue (before the unfollow's batch is written) until the job's
  // last batch is written, or its cancellation.
  void TrackUnmerge(const FeedJob& job, bool queued);
  // The fan-out and repush jobs' tracker: counts them per author while queued or running.
  void TrackAuthorWork(const FeedJob& job, bool queued);
  // The followee's entries in `reader`'s inbox: the newest posts above the floor, at most
  // inbox_cap (a backfill), and all of them, whichever post they are of (an unmerge).
  Status PutBackfill(Batch* b, uint64_t reader, uint64_t author, uint64_t* entries) const;
  // `keep_live`: only the entries of deleted or missing posts.
  Status DeleteAuthorEntries(Batch* b, uint64_t reader, uint64_t author, bool keep_live) const;

  Context& ctx_;
  const Users& users_;
  const Graph& graph_;
  const Posts& posts_;

  // Guards the mirrors of stored state below. Held exclusively across a mode change's write and
  // its in-memory update (rare) and while an unmerge is counted, shared by readers that need
  // the mirrors consistent with a snapshot.
  mutable SharedMutex mirror_mu_;
  // Authors that are not pushed (pull or draining), mirroring meta "mode/".
  Modes modes_ GUARDED_BY(mirror_mu_);
  // Queued unmerge jobs per (reader, author), mirroring their job rows (rebuilt by Recover).
  std::map<std::pair<uint64_t, uint64_t>, uint32_t> unmerging_ GUARDED_BY(mirror_mu_);
  // Queued or running fan-out and repush jobs per author (TrackAuthorWork).
  mutable Mutex author_work_mu_;
  boost::container::flat_map<uint64_t, uint32_t> author_work_ GUARDED_BY(author_work_mu_);

  std::atomic<uint64_t> fanout_entries_{0};
  std::atomic<uint64_t> inbox_pages_{0};
  std::atomic<uint64_t> pull_pages_{0};
};

}  // namespace puppies::internal
