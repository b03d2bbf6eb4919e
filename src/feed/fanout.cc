// Background job steps. Each step is one atomic batch that also records the job's progress
// (or deletes the job), so a crash between steps resumes where it stopped, and replaying a
// step is harmless: every write is a Put or Delete of a key derived from the current state.
//
// Why the inbox stays exact (see docs/architecture.md, "The inbox floor"): an inbox holds,
// for every id >= its floor, an entry for each post by a pushed author the owner follows,
// once that post's fan-out has run. Trimming and truncated backfills only ever raise the
// floor (max-merge); readers pull everything below it from authors' timelines.

#include <fmt/format.h>

#include <algorithm>

#include "core/write_op.h"
#include "engine_impl.h"
#include "graph/edges.h"
#include "keys/coding.h"
#include "util/hash.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {

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

bool Engine::Impl::ShouldTrim(uint64_t owner, uint64_t post) const {
  // Sampling by hash bounds the expected overshoot to about a quarter of the cap without
  // counting entries on every write.
  const uint64_t period = std::max<uint64_t>(1, options.inbox_cap / 4);
  return HashIds(owner, post) % period == 0;
}

Status Engine::Impl::TrimInbox(uint64_t owner) {
  // Readers never look below the floor, so neither does the trim: it scans the entries at or
  // above the current floor only (at most the cap plus what arrived since the last trim),
  // never steps over the tombstones of earlier trims, and deletes those past the cap.
  uint64_t floor;
  PUPPIES_RETURN_IF_ERROR(ReadFloor(store.get(), owner, &floor));
  uint64_t kept = 0, new_floor = 0;
  Batch b = store->NewBatch();
  PUPPIES_RETURN_IF_ERROR(store->ScanUntil(
      Cf::kInbox, InboxKey::Prefix(owner), "", InboxKey::Below(owner, floor),
      [&](std::string_view k, std::string_view) {
        if (kept == options.inbox_cap) {
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
  PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  PUPPIES_KILL_POINT("Inbox:AfterTrim");
  return Status::OK();
}

void Engine::Impl::RegisterFeedJob(JobType type, std::string_view name, FeedStep step) {
  jobs->Register(type, {name, JobPartition::kAuthor,
                        [this, step](uint64_t seq, JobRecord* rec, bool* done) -> Status {
                          FeedJob job;
                          if (!FeedJob::FromRecord(*rec, &job)) {
                            return Status::Corruption(fmt::format("job {} is malformed", seq));
                          }
                          const Status s = (this->*step)(seq, &job, done);
                          *rec = job.Record();  // its progress, for the next step
                          return s;
                        }});
}

void Engine::Impl::RegisterFeedJobs() {
  RegisterFeedJob(JobType::kFanout, "fanout", &Impl::StepFanout);
  RegisterFeedJob(JobType::kBackfill, "backfill", &Impl::StepBackfill);
  RegisterFeedJob(JobType::kUnmerge, "unmerge", &Impl::StepUnmerge);
  RegisterFeedJob(JobType::kRepush, "repush", &Impl::StepRepush);
}

Status Engine::Impl::StepFanout(uint64_t seq, FeedJob* job, bool* done) {
  PostRecord rec;
  bool found;
  PUPPIES_RETURN_IF_ERROR(ReadPost(job->post, &rec, &found));
  std::vector<uint64_t> followers;
  if (found && !rec.deleted) {
    PUPPIES_RETURN_IF_ERROR(FollowersAfter(store.get(), job->author, job->cursor,
                                           options.fanout_batch_size, &followers));
  }
  Batch b = store->NewBatch();
  const std::string value = EncodeBE64(job->author);
  std::vector<uint64_t> trim;
  for (uint64_t f : followers) {
    b.Put(Cf::kInbox, InboxKey{f, job->post}.Encode(), value);
    if (ShouldTrim(f, job->post)) trim.push_back(f);
  }
  *done = followers.size() < options.fanout_batch_size;
  if (*done) {
    b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  } else {
    job->cursor = followers.back();
    b.Put(Cf::kJobs, JobKey{seq}.Encode(), EncodeJob(job->Record()));
  }
  PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  PUPPIES_KILL_POINT("Fanout:AfterChunk");
  fanout_entries.fetch_add(followers.size(), std::memory_order_relaxed);
  for (uint64_t f : trim) PUPPIES_RETURN_IF_ERROR(TrimInbox(f));
  return Status::OK();
}

Status Engine::Impl::StepBackfill(uint64_t seq, FeedJob* job, bool* done) {
  *done = true;
  // Under the pair lock, the follow edge and the pending marker cannot change under us: the
  // marker names the backfill it waits for, and only that backfill may remove it (an older one
  // from an earlier follow must leave a newer follow's marker alone).
  std::lock_guard pair(locks.Pair(job->reader, job->author));
  Batch b = store->NewBatch();
  b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  Status s;
  const bool follows = HasEdge(job->reader, EdgeKind::kFollowing, job->author, nullptr, &s);
  PUPPIES_RETURN_IF_ERROR(s);
  std::vector<uint64_t> posts;
  if (follows) {
    uint64_t floor;
    bool truncated;
    PUPPIES_RETURN_IF_ERROR(ReadFloor(store.get(), job->reader, &floor));
    PUPPIES_RETURN_IF_ERROR(
        RecentPosts(store.get(), job->author, floor, options.inbox_cap, &posts, &truncated));
    AddEntries(&b, job->reader, job->author, posts, truncated);
  }
  // The marker goes in the same batch as the entries: readers pull the author until then.
  const std::string marker = InboxPendingKey{job->reader, job->author}.Encode();
  std::string waiting_for;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kInbox, marker, &waiting_for, &found));
  if (found && waiting_for == EncodeBE64(seq)) b.Delete(Cf::kInbox, marker);
  PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  PUPPIES_KILL_POINT("Backfill:AfterCommit");
  fanout_entries.fetch_add(posts.size(), std::memory_order_relaxed);
  return posts.empty() ? Status::OK() : TrimInbox(job->reader);
}

Status Engine::Impl::StepUnmerge(uint64_t seq, FeedJob* job, bool* done) {
  // Runs even if the reader follows the author again: the re-follow's backfill is queued
  // behind this job on the author's strand and restores what is wanted, while entries of posts
  // deleted meanwhile (whose purge skipped this ex-follower) must go.
  *done = true;
  Batch b = store->NewBatch();
  b.Delete(Cf::kJobs, JobKey{seq}.Encode());
  const std::string author = EncodeBE64(job->author);
  PUPPIES_RETURN_IF_ERROR(store->Scan(Cf::kInbox, InboxKey::Prefix(job->reader), "",
                                      [&](std::string_view k, std::string_view v) {
                                        if (v == author) b.Delete(Cf::kInbox, k);
                                        return true;
                                      }));
  PUPPIES_RETURN_IF_ERROR(store->Write(&b));
  PUPPIES_KILL_POINT("Unmerge:AfterCommit");
  return Status::OK();
}

Status Engine::Impl::PurgePostInbox(uint64_t author, uint64_t post, uint64_t* cursor, Batch* b,
                                    bool* stage_done) {
  std::vector<uint64_t> followers;
  PUPPIES_RETURN_IF_ERROR(
      FollowersAfter(store.get(), author, *cursor, options.fanout_batch_size, &followers));
  for (uint64_t f : followers) b->Delete(Cf::kInbox, InboxKey{f, post}.Encode());
  *stage_done = followers.size() < options.fanout_batch_size;
  if (!*stage_done) *cursor = followers.back();
  return Status::OK();
}

Status Engine::Impl::NoteDeletedPost(uint64_t author) {
  // A deleted post leaves a tombstone in its author's timeline (and in likers' lists) that
  // every later read of the list steps over until a compaction drops it: 30,000 deletions made
  // a timeline page 40 times slower. Inbox reads are bounded by the floor and need none of this.
  {
    MutexLock lock(&deleted_mu);
    if (deleted_since_compaction.size() > 100'000) deleted_since_compaction.clear();
    if (++deleted_since_compaction[author] < kCompactAfterDeletes) return Status::OK();
    deleted_since_compaction.erase(author);
  }
  // Only an optimisation: the deletions are durable, and a storage fault behind a failed
  // compaction is reported by the next write, so the job does not fail for it.
  (void)store->CompactRange(Cf::kEdges, AuthoredKey::Prefix(author), AuthoredKey::Below(author, 0));
  return Status::OK();
}

Status Engine::Impl::StepRepush(uint64_t seq, FeedJob* job, bool* done) {
  // Not only posts made while pulled are missing: followers who joined while the author was
  // pulled got no backfill. So every follower gets the author's newest inbox_cap posts, and
  // a floor raise when older ones were left out.
  std::vector<uint64_t> posts, followers;
  bool truncated;
  PUPPIES_RETURN_IF_ERROR(
      RecentPosts(store.get(), job->author, 0, options.inbox_cap, &posts, &truncated));
  PUPPIES_RETURN_IF_ERROR(
      FollowersAfter(store.get(), job->author, job->cursor, options.fanout_batch_size, &followers));
  *done = followers.size() < options.fanout_batch_size;
  WriteOp op(*this);
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
      PUPPIES_RETURN_IF_ERROR(op.CommitModeChange(job->author, AuthorModeRecord{}));
    } else {
      PUPPIES_RETURN_IF_ERROR(op.Commit());
    }
    PUPPIES_KILL_POINT("Repush:AfterLast");
  }
  op.Unlock();
  fanout_entries.fetch_add(posts.size() * followers.size(), std::memory_order_relaxed);
  if (!posts.empty()) {
    for (uint64_t f : followers) PUPPIES_RETURN_IF_ERROR(TrimInbox(f));
  }
  return Status::OK();
}

}  // namespace puppies
