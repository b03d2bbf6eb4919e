#include "home_feed/jobs.h"

#include <fmt/format.h>

#include <utility>

#include "keys/coding.h"

namespace puppies::internal {

JobRecord FeedJob::Record() const {
  JobRecord rec{type, author, {}};
  std::string& p = rec.payload;
  switch (type) {
    case JobType::kFanout:
      PutVarint64(&p, post);
      PutVarint64(&p, cursor);
      break;
    case JobType::kBackfill:
    case JobType::kUnmerge:
      PutVarint64(&p, reader);
      break;
    case JobType::kPurgePost:
      PutVarint64(&p, post);
      p.push_back(static_cast<char>(stage));
      PutVarint64(&p, cursor);
      break;
    case JobType::kRepush:
      PutVarint64(&p, post);
      PutVarint64(&p, cursor);
      break;
  }
  return rec;
}

bool FeedJob::FromRecord(const JobRecord& rec, FeedJob* out) {
  *out = FeedJob{rec.type, rec.partition};
  std::string_view in = rec.payload;
  bool ok = false;
  switch (rec.type) {
    case JobType::kFanout:
    case JobType::kRepush:
      ok = GetVarint64(&in, &out->post) && GetVarint64(&in, &out->cursor);
      break;
    case JobType::kBackfill:
    case JobType::kUnmerge:
      ok = GetVarint64(&in, &out->reader);
      break;
    case JobType::kPurgePost: {
      ok = GetVarint64(&in, &out->post) && !in.empty() &&
           static_cast<uint8_t>(in.front()) <= static_cast<uint8_t>(PurgeStage::kDone);
      if (!ok) break;
      out->stage = static_cast<PurgeStage>(in.front());
      in.remove_prefix(1);
      ok = GetVarint64(&in, &out->cursor);
      break;
    }
  }
  return ok && in.empty();
}

void RegisterFeedJob(JobRunner& runner, JobType type, std::string_view name, FeedStep step,
                     FeedTrack track) {
  JobRunner::TypeInfo info{name, JobPartition::kAuthor,
                           [step = std::move(step)](uint64_t seq, JobRecord* rec, bool* done) {
                             FeedJob job;
                             if (!FeedJob::FromRecord(*rec, &job)) {
                               return Status::Corruption(fmt::format("job {} is malformed", seq));
                             }
                             const Status s = step(seq, &job, done);
                             *rec = job.Record();  // its progress, for the next step
                             return s;
                           }};
  if (track) {
    // A malformed record is refused by the step; it is not tracked.
    info.track = [track = std::move(track)](const JobRecord& rec, bool queued) {
      FeedJob job;
      if (FeedJob::FromRecord(rec, &job)) track(job, queued);
    };
  }
  runner.Register(type, std::move(info));
}

}  // namespace puppies::internal
