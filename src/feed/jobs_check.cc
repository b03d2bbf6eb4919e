// The job queue's invariant (I9, jobs): every queued job names objects that exist.

#include <fmt/format.h>

#include "fsck/scanned.h"

namespace puppies::internal {

void CheckJobs(const CheckInput& in, Report* r) {
  const Scanned& d = in.d;
  for (const auto& [seq, job] : d.jobs) {
    if (!d.users.contains(job.author))
      r->Add({fmt::format("I9: job {} names unknown author {}", seq, job.author)});
    if ((job.type == JobType::kFanout || job.type == JobType::kUnpush) &&
        !d.posts.contains(job.post)) {
      r->Add({fmt::format("I9: job {} names unknown post {}", seq, job.post)});
    }
    if ((job.type == JobType::kBackfill || job.type == JobType::kUnmerge) &&
        !d.users.contains(job.reader)) {
      r->Add({fmt::format("I9: job {} names unknown reader {}", seq, job.reader)});
    }
  }
}

}  // namespace puppies::internal
