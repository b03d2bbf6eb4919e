// The home feed's writes: its share of posting, following and deleting (batch primitives for
// engine/ops/), and its background job steps. Each step is one atomic batch that also records
// the job's progress (or deletes the job), so a crash between steps resumes where it stopped,
// and replaying a step is harmless: every write is a Put or Delete of a key derived from the
// current state.

#include <fmt/format.h>

#include <algorithm>

#include "graph/edges.h"
#include "home_feed/home_feed.h"
#include "keys/coding.h"
#include "util/hash.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

namespace {

// The author's mode after this post, given its follower count. Push -> pull at the threshold;
// pull -> draining (back towards push) only below threshold minus hysteresis, so an author
// hovering near the threshold does not flap.
AuthorModeRecord NextMode(const Options& o, AuthorModeRecord cur, uint64_t followers,
                          uint64_t post_id) {
  const uint64_t t = o.fanout_threshold;
  const bool above = t != Options::kNoPull && followers >= t;
  const uint64_t low = t - static_cast<uint64_t>(static_cast<unsigned __int128>(t) *
                                                 o.fanout_hysteresis_percent / 100);
  switch (cur.mode) {
    case AuthorMode::kPush:
      if (above) return {AuthorMode::kPull, post_id};
      break;
    case AuthorMode::kPull:
      if (t == Options::kNoPull || followers < low) return {AuthorMode::kDraining, cur.pull_since};
      break;
    case AuthorMode::kDraining:
      if (above) return {AuthorMode::kPull, cur.pull_since};
      break;
  }
  return cur;
}

// Up to `limit` followers of `author` with ids greater than `after`, in id order.
Status FollowersAfter(Store* store, uint64_t author, uint64_t after, size_t limit,
                      std::vector<uint64_t>* out) {
  out->clear();
  const std::string prefix = EdgeKey::Prefix(author, EdgeKind::kFollower);
  const std::string start =
      after ? EdgeKey{author, EdgeKind::kFollower, after + 1}.Encode() : prefix;
  return store->Scan(Cf::kEdges, prefix, start, [&](std::string_view k, std::string_view) {
    out->push_back(EdgeKey::OtherOfKey(k));
    return out->size() < limit;
  });
}

// The author's newest posts with id >= `min_id`, at most `limit`; *truncated when older ones
// in range were left out.
Status RecentPosts(Store* store, uint64_t author, uint64_t min_id, size_t limit,
                   std::vector<uint64_t>* out, bool* truncated) {
  out->clear();
  *truncated = false;
  return store->Scan(Cf::kEdges, AuthoredKey::Prefix(author), "",
                     [&](std::string_view k, std::string_view) {
                       const uint64_t id = AuthoredKey::PostOfKey(k);
                       if (id < min_id) return false;
                       if (out->size() == limit) {
                         *truncated = true;
                         return false;
                       }
                       out->push_back(id);
                       return true;
                     });
}

Status ReadFloor(Store* store, uint64_t owner, uint64_t* floor) {
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kInbox, InboxFloorKey{owner}.Encode(), &raw, &found));
  *floor = 0;
  if (found && !DecodeBE64(raw, floor)) return Status::Corruption("inbox floor malformed");
  return Status::OK();
}

// Adds `posts` (newest first) by `author` to `owner`'s inbox; when older posts were left out,
// raises the floor to the oldest one added so readers pull the rest.
void AddEntries(Batch* b, uint64_t owner, uint64_t author, const std::vector<uint64_t>& posts,
                bool truncated) {
  const std::string value = EncodeBE64(author);
  for (uint64_t p : posts) b->Put(Cf::kInbox, InboxKey{owner, p}.Encode(), value);
  if (truncated && !posts.empty())
    b->Merge(Cf::kInbox, InboxFloorKey{owner}.Encode(), EncodeBE64(posts.back()));
}

}  // namespace

bool HomeFeed::ShouldTrim(uint64_t owner, uint64_t post) const {
  // Sampling by hash bounds the expected overshoot to about a quarter of the cap without
  // counting entries on every write.
  const uint64_t period = std::max<uint64_t>(1, ctx_.options.inbox_cap / 4);
  return HashIds(owner, post) % period == 0;
}

Status HomeFeed::TrimInbox(uint64_t owner) {
  // Readers never look below the floor, so neither does the trim: it scans the entries at or
  // above the current floor only (at most the cap plus what arrived since the last trim),
  // never steps over the tombstones of earlier trims, and deletes those past the cap.
  uint64_t floor;
  PUPPIES_RETURN_IF_ERROR(ReadFloor(ctx_.store.get(), owner, &floor));
  uint64_t kept = 0, new_floor = 0;
  Batch b = ctx_.store->NewBatch();
  PUPPIES_RETURN_IF_ERROR(ctx_.store->ScanUntil(Cf::kInbox, InboxKey::Prefix(owner), "",
                                                InboxKey::Below(owner, floor),
                                                [&](std::string_view k, std::string_view) {
                                                  if (kept == ctx_.options.inbox_cap) {
                                                    b.Delete(Cf::kInbox, k);
                                                  } else {
                                                    ++kept;
                                                    new_floor = InboxKey::PostOfKey(k);
                                                  }
                                                  return true;
                                                }));
  if (b.Count() == 0) return Status::OK();
  // Entries a late fan-out wrote below an older floor are never read, and no scan reaches
  // them; one trim in 64 drops them with a range delete. Not every trim: each range tombstone
  // in the memtable costs every later read of the column family a little, and one per trim made
  // fan-out at inbox_cap 1 superlinear again (2.5 s for the fourth 5,000 posts, against 0.18 s
  // with point deletes).
  if (HashIds(owner, new_floor) % 64 == 0)
    b.DeleteRange(Cf::kInbox, InboxKey::Below(owner, new_floor), InboxKey::Below(owner, 0));
  b.Merge(Cf::kInbox, InboxFloorKey{owner}.Encode(), EncodeBE64(new_floor));
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Write(&b));
  PUPPIES_KILL_POINT("Inbox:AfterTrim");
  return Status::OK();
}

Status HomeFeed::Open() {
  {
    WriterLock lock(&mirror_mu_);  // nothing else runs yet; taken for the analysis
    PUPPIES_RETURN_IF_ERROR(ctx_.store->ScanAll(Cf::kMeta, meta_keys::kModePrefix, "author mode",
                                                [&](std::string_view k, std::string_view v) {
                                                  mirror_mu_.AssertHeld();
                                                  AuthorModeKey key;
                                                  AuthorModeRecord rec;
                                                  if (!AuthorModeKey::Decode(k, &key) ||
                                                      !DecodeAuthorMode(v, &rec))
                                                    return false;
                                                  modes_.emplace(key.author, rec);
                                                  return true;
                                                }));
  }
  JobRunner& jobs = *ctx_.jobs;
  auto step = [this](Status (HomeFeed::*fn)(uint64_t, FeedJob*, bool*)) {
    return
        [this, fn](uint64_t seq, FeedJob* job, bool* done) { return (this->*fn)(seq, job, done); };
  };
  auto track_author = [this](const FeedJob& job, bool queued) { TrackAuthorWork(job, queued); };
  RegisterFeedJob(jobs, JobType::kFanout, "fanout", step(&HomeFeed::StepFanout), track_author);
  RegisterFeedJob(jobs, JobType::kBackfill, "backfill", step(&HomeFeed::StepBackfill));
  RegisterFeedJob(jobs, JobType::kUnmerge, "unmerge", step(&HomeFeed::StepUnmerge),
                  [this](const FeedJob& job, bool queued) { TrackUnmerge(job, queued); });
  RegisterFeedJob(jobs, JobType::kRepush, "repush", step(&HomeFeed::StepRepush), track_author);
  return Status::OK();
}

// ---- the feed's share of the operations of engine/ops/ ----------------------------------------

bool HomeFeed::BackfillNeeded(uint64_t followee, uint64_t posts) const {
  return posts > 0 && ModeOf(followee).mode != AuthorMode::kPull;
}

Status HomeFeed::NeedsBackfill(uint64_t followee, bool* needed) const {
  uint64_t posts = 0;
  PUPPIES_RETURN_IF_ERROR(ctx_.Counter(followee, CounterKind::kPosts, &posts));
  *needed = BackfillNeeded(followee, posts);
  return Status::OK();
}

bool HomeFeed::FollowWorkInline(uint64_t follower, uint64_t followee) const {
  if (!ctx_.options.inline_follow_updates) return false;
  {
    MutexLock lock(&author_work_mu_);
    if (author_work_.contains(followee)) return false;
  }
  ReaderLock lock(&mirror_mu_);
  return !unmerging_.contains({follower, followee});
}

Status HomeFeed::AddFollow(WriteOp& op, uint64_t follower, uint64_t followee, bool backfill,
                           uint64_t* entries) const {
  *entries = 0;
  if (!backfill) return Status::OK();
  if (!FollowWorkInline(follower, followee)) {
    QueueBackfill(op, follower, followee);
    return Status::OK();
  }
  // The author lock keeps the followee's posts as they are (posting and deleting take it), so
  // these entries are exactly what a backfill job would write.
  return PutBackfill(&op.batch(), follower, followee, entries);
}

void HomeFeed::QueueBackfill(WriteOp& op, uint64_t follower, uint64_t followee) const {
  const uint64_t seq = op.Enqueue(FeedJob{JobType::kBackfill, followee, 0, follower}.Record());
  op.batch().Put(Cf::kInbox, InboxPendingKey{follower, followee}.Encode(), EncodeBE64(seq));
}

Status HomeFeed::AfterBackfill(uint64_t reader, uint64_t entries) {
  if (entries == 0) return Status::OK();
  fanout_entries_.fetch_add(entries, std::memory_order_relaxed);
  return TrimInbox(reader);
}

Status HomeFeed::RemoveFollow(WriteOp& op, uint64_t follower, uint64_t followee) const {
  op.batch().Delete(Cf::kInbox, InboxPendingKey{follower, followee}.Encode());
  if (FollowWorkInline(follower, followee)) {
    return DeleteAuthorEntries(&op.batch(), follower, followee, /*keep_live=*/false);
  }
  op.Enqueue(FeedJob{JobType::kUnmerge, followee, 0, follower}.Record());
  return Status::OK();
}

Status HomeFeed::PutBackfill(Batch* b, uint64_t reader, uint64_t author, uint64_t* entries) const {
  uint64_t floor;
  bool truncated;
  std::vector<uint64_t> posts;
  PUPPIES_RETURN_IF_ERROR(ReadFloor(ctx_.store.get(), reader, &floor));
  PUPPIES_RETURN_IF_ERROR(
      RecentPosts(ctx_.store.get(), author, floor, ctx_.options.inbox_cap, &posts, &truncated));
  AddEntries(b, reader, author, posts, truncated);
  *entries = posts.size();
  return Status::OK();
}

Status HomeFeed::DeleteAuthorEntries(Batch* b, uint64_t reader, uint64_t author,
                                     bool keep_live) const {
  // The whole inbox, not the author's timeline: entries of posts deleted since the follow
  // began are in no timeline (their purge skipped a reader who no longer followed).
  const std::string value = EncodeBE64(author);
  std::vector<std::string> maybe_live;  // keep_live: entries whose post is read after the scan
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Scan(Cf::kInbox, InboxKey::Prefix(reader), "",
                                           [&](std::string_view k, std::string_view v) {
                                             if (v != value) return true;
                                             if (keep_live) {
                                               maybe_live.emplace_back(k);
                                             } else {
                                               b->Delete(Cf::kInbox, k);
                                             }
                                             return true;
                                           }));
  for (const std::string& k : maybe_live) {
    PostRecord rec;
    bool found;
    PUPPIES_RETURN_IF_ERROR(posts_.Read(InboxKey::PostOfKey(k), &rec, &found));
    if (!found || rec.deleted) b->Delete(Cf::kInbox, k);
  }
  return Status::OK();
}

Status HomeFeed::AddPost(WriteOp& op, uint64_t author, uint64_t post, PostFanout* out) const {
  uint64_t followers;
  PUPPIES_RETURN_IF_ERROR(ctx_.Counter(author, CounterKind::kFollowers, &followers));
  const AuthorModeRecord cur = ModeOf(author);
  Batch& b = op.batch();
  // The author sees their own post at once: it goes into their inbox in this batch.
  b.Put(Cf::kInbox, InboxKey{author, post}.Encode(), EncodeBE64(author));
  AuthorModeRecord next = NextMode(ctx_.options, cur, followers, post);
  *out = PostFanout();
  if (next.mode != cur.mode) {
    if (next.mode == AuthorMode::kDraining) {
      next.repush_job = op.Enqueue(FeedJob{JobType::kRepush, author, next.pull_since}.Record());
    }
    b.Put(Cf::kMeta, AuthorModeKey{author}.Encode(), EncodeAuthorMode(next));
    out->mode_change = next;
  }
  if (next.mode == AuthorMode::kPull || followers == 0) return Status::OK();
  // A small audience is written in the post's own batch: no job record, no hand-off to a
  // background thread, and followers see the post when CreatePost returns. The author lock
  // keeps the follower list as it is: a follower who arrives later gets the post from the
  // backfill of their follow; one who leaves later, from the unmerge job drops it.
  const size_t inline_max = ctx_.options.inline_fanout_followers;
  if (followers <= inline_max) {
    std::vector<uint64_t> list;
    PUPPIES_RETURN_IF_ERROR(FollowersAfter(ctx_.store.get(), author, 0, inline_max + 1, &list));
    if (list.size() <= inline_max) {  // else the counter is off (Repair fixes it): use the job
      PutFollowerEntries(&b, author, post, list, &out->trim);
      out->entries = list.size();
      return Status::OK();
    }
  }
  op.Enqueue(FeedJob{JobType::kFanout, author, post}.Record());
  return Status::OK();
}

Status HomeFeed::Commit(WriteOp& op, uint64_t author,
                        const std::optional<AuthorModeRecord>& mode_change) {
  if (!mode_change) return op.Commit();
  WriterLock lock(&mirror_mu_);
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  if (mode_change->mode == AuthorMode::kPush) {
    modes_.erase(author);
  } else {
    modes_[author] = *mode_change;
  }
  return Status::OK();
}

void HomeFeed::AfterPost(const PostFanout& fanout) {
  fanout_entries_.fetch_add(fanout.entries, std::memory_order_relaxed);
  // Trimming only bounds the inboxes' size: the post is written, and a storage fault behind a
  // failed trim is reported by the next write, so CreatePost does not fail for it.
  for (uint64_t f : fanout.trim) (void)TrimInbox(f);
}

void HomeFeed::PutFollowerEntries(Batch* b, uint64_t author, uint64_t post,
                                  const std::vector<uint64_t>& followers,
                                  std::vector<uint64_t>* trim) const {
  const std::string value = EncodeBE64(author);
  for (uint64_t f : followers) {
    b->Put(Cf::kInbox, InboxKey{f, post}.Encode(), value);
    if (ShouldTrim(f, post)) trim->push_back(f);
  }
}

void HomeFeed::RemovePost(Batch* b, uint64_t author, uint64_t post) {
  b->Delete(Cf::kInbox, InboxKey{author, post}.Encode());
}

// ---- background jobs ---------------------------------------------------------------------------

Status HomeFeed::StepFanout(uint64_t seq, FeedJob* job, bool* done) {
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(posts_.Read(job->post, &rec, &found));
  std::vector<uint64_t> followers;
  if (found && !rec.deleted) {
    PUPPIES_RETURN_IF_ERROR(FollowersAfter(ctx_.store.get(), job->author, job->cursor,
                                           ctx_.options.fanout_batch_size, &followers));
  }
  Batch b = ctx_.store->NewBatch();
  std::vector<uint64_t> trim;
  PutFollowerEntries(&b, job->author, job->post, followers, &trim);
  *done = followers.size() < ctx_.options.fanout_batch_size;
  if (*done) {
    b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  } else {
    job->cursor = followers.back();
    b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job->Record()));
  }
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Write(&b));
  PUPPIES_KILL_POINT("Fanout:AfterChunk");
  fanout_entries_.fetch_add(followers.size(), std::memory_order_relaxed);
  for (uint64_t f : trim) PUPPIES_RETURN_IF_ERROR(TrimInbox(f));
  return Status::OK();
}

Status HomeFeed::StepBackfill(uint64_t seq, FeedJob* job, bool* done) {
  *done = true;
  // Under the pair lock, the follow edge and the pending marker cannot change under us: the
  // marker names the backfill it waits for, and only that backfill may remove it (an older one
  // from an earlier follow must leave a newer follow's marker alone).
  std::lock_guard pair(ctx_.locks.Pair(job->reader, job->author));
  Batch b = ctx_.store->NewBatch();
  b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  Status s;
  const bool follows = graph_.HasEdge(job->reader, EdgeKind::kFollowing, job->author, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  uint64_t entries = 0;
  if (follows) PUPPIES_RETURN_IF_ERROR(PutBackfill(&b, job->reader, job->author, &entries));
  // The marker goes in the same batch as the entries: readers pull the author until then.
  const std::string marker = InboxPendingKey{job->reader, job->author}.Encode();
  std::string waiting_for;
  bool found;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Get(Cf::kInbox, marker, &waiting_for, &found));
  if (found && waiting_for == EncodeBE64(seq)) b.Delete(Cf::kInbox, marker);
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Write(&b));
  PUPPIES_KILL_POINT("Backfill:AfterCommit");
  return AfterBackfill(job->reader, entries);
}

Status HomeFeed::StepUnmerge(uint64_t seq, FeedJob* job, bool* done) {
  // Under the pair lock the follow edge cannot change. A reader who no longer follows the
  // author loses every entry of the author's. One who follows again (before this job ran)
  // keeps the entries of live posts: they are the reader's again, and some were written after
  // the new follow, by a post's inline fan-out, with nothing queued behind this job to write
  // them again when the follow needed no backfill (the author had no posts then). Entries of
  // posts deleted meanwhile (whose purge skipped this ex-follower) go either way.
  *done = true;
  std::lock_guard pair(ctx_.locks.Pair(job->reader, job->author));
  Status s;
  const bool follows = graph_.HasEdge(job->reader, EdgeKind::kFollowing, job->author, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  Batch b = ctx_.store->NewBatch();
  b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  PUPPIES_RETURN_IF_ERROR(DeleteAuthorEntries(&b, job->reader, job->author, follows));
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Write(&b));
  PUPPIES_KILL_POINT("Unmerge:AfterCommit");
  return Status::OK();
}

Status HomeFeed::PurgePost(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b, bool* done) {
  std::vector<uint64_t> followers;
  PUPPIES_RETURN_IF_ERROR(FollowersAfter(ctx_.store.get(), author, *cursor,
                                         ctx_.options.fanout_batch_size, &followers));
  for (uint64_t f : followers) b->Delete(Cf::kInbox, InboxKey{f, post}.Encode());
  *done = followers.size() < ctx_.options.fanout_batch_size;
  if (!*done) *cursor = followers.back();
  return Status::OK();
}

Status HomeFeed::StepRepush(uint64_t seq, FeedJob* job, bool* done) {
  // Not only posts made while pulled are missing: followers who joined while the author was
  // pulled got no backfill. So every follower gets the author's newest inbox_cap posts, and
  // a floor raise when older ones were left out.
  std::vector<uint64_t> posts, followers;
  bool truncated;
  PUPPIES_RETURN_IF_ERROR(
      RecentPosts(ctx_.store.get(), job->author, 0, ctx_.options.inbox_cap, &posts, &truncated));
  PUPPIES_RETURN_IF_ERROR(FollowersAfter(ctx_.store.get(), job->author, job->cursor,
                                         ctx_.options.fanout_batch_size, &followers));
  *done = followers.size() < ctx_.options.fanout_batch_size;
  WriteOp op(ctx_);
  Batch& b = op.batch();
  for (uint64_t f : followers) AddEntries(&b, f, job->author, posts, truncated);
  if (!*done) {
    job->cursor = followers.back();
    b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job->Record()));
    PUPPIES_RETURN_IF_ERROR(op.Commit());
    PUPPIES_KILL_POINT("Repush:AfterChunk");
  } else {
    // Only now may readers stop pulling this author, and only if it is still draining because
    // of this job: a post may have pulled it again, and drained it again with a newer job.
    op.LockAuthor(job->author);
    const AuthorModeRecord cur = ModeOf(job->author);
    const bool to_push = cur.mode == AuthorMode::kDraining && cur.repush_job == seq;
    b.Delete(Cf::kJobs, JobKey{seq}.Encode());
    if (to_push) {
      b.Delete(Cf::kMeta, AuthorModeKey{job->author}.Encode());
    }
    PUPPIES_RETURN_IF_ERROR(
        Commit(op, job->author,
               to_push ? std::optional<AuthorModeRecord>(AuthorModeRecord{}) : std::nullopt));
    PUPPIES_KILL_POINT("Repush:AfterLast");
  }
  op.Unlock();
  fanout_entries_.fetch_add(posts.size() * followers.size(), std::memory_order_relaxed);
  if (!posts.empty()) {
    for (uint64_t f : followers) PUPPIES_RETURN_IF_ERROR(TrimInbox(f));
  }
  return Status::OK();
}

}  // namespace puppies::internal
