#pragma once
// The home feed's background jobs and the post clean-up, as their steps see them, and the
// payload grammar of each type (the runner, jobs/runner.h, stores it opaquely). Every one of
// them is partitioned by author: an author's posts, follows, deletions and mode changes apply
// in the order they were made.
//
//   kFanout    payload := varint(post) varint(cursor)
//   kBackfill  payload := varint(reader)
//   kUnmerge   payload := varint(reader)
//   kPurgePost payload := varint(post) u8(stage) varint(cursor)
//   kRepush    payload := varint(pull_since) varint(cursor)
//
// cursor: progress, the last follower handled (0: none yet). pull_since: the first post made
// while pulled, for diagnostics. stage: the PurgeStage running (keys/format.h).

#include <cstdint>
#include <functional>
#include <string_view>

#include "jobs/runner.h"
#include "keys/format.h"
#include "records/records.h"

namespace puppies::internal {

struct FeedJob {
  JobType type{};
  uint64_t author = 0;  // the partition
  uint64_t post = 0;    // fanout, purge: the post; repush: pull_since
  uint64_t reader = 0;  // backfill, unmerge
  uint64_t cursor = 0;
  PurgeStage stage = PurgeStage::kLikes;  // purge only

  JobRecord Record() const;
  // False for a type that is not one of these or a malformed payload.
  static bool FromRecord(const JobRecord& rec, FeedJob* out);
};

// Registers a job type whose payload is a FeedJob, partitioned by author: `step` sees the
// decoded job, and what it leaves there (its progress) is the record of the next step.
// `track` (optional) is JobRunner::TypeInfo::track, given the decoded job.
using FeedStep = std::function<Status(uint64_t seq, FeedJob* job, bool* done)>;
using FeedTrack = std::function<void(const FeedJob& job, bool queued)>;
void RegisterFeedJob(JobRunner& runner, JobType type, std::string_view name, FeedStep step,
                     FeedTrack track = nullptr);

}  // namespace puppies::internal
