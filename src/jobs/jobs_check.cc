// The job queue's invariant (I9, jobs): every queued job names objects that exist. The queue
// is the one thing the view holds in memory (it is bounded by queued work, not by data).

#include <fmt/format.h>

#include "fsck/view.h"

namespace puppies::internal {

void CheckJobs(View& v, Scans&) {
  Report& r = v.report();
  for (const auto& [seq, job] : v.jobs()) {
    if (!v.UserExists(job.author))
      r.Add({fmt::format("I9: job {} names unknown author {}", seq, job.author)});
    if ((job.type == JobType::kFanout || job.type == JobType::kPurgePost) && !v.Post(job.post)) {
      r.Add({fmt::format("I9: job {} names unknown post {}", seq, job.post)});
    }
    if ((job.type == JobType::kBackfill || job.type == JobType::kUnmerge) &&
        !v.UserExists(job.reader)) {
      r.Add({fmt::format("I9: job {} names unknown reader {}", seq, job.reader)});
    }
  }
}

}  // namespace puppies::internal
