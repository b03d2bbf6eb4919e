// The Fixer's shared helpers, and the fixes of the checks every component shares: counters
// (I2, compared in one merge, fsck/view.cc) and id high-water marks (I7).

#include "fsck/fixer.h"

#include <fmt/format.h>

#include "util/status_macros.h"

namespace puppies::internal {

Status Fixer::LivePost(uint64_t post, PostRecord* rec, bool* live) {
  bool found;
  PUPPIES_RETURN_IF_ERROR(impl_.posts().Read(post, rec, &found));
  *live = found && !rec->deleted;
  return Status::OK();
}

Status Fixer::UserKnown(uint64_t user, bool* known) {
  return store().Exists(Cf::kUsers, IdKey{user}.Encode(), known);
}

Status Fixer::SetPostListCounter(Batch* b, uint64_t post, CounterKind kind, std::string_view prefix,
                                 int64_t listed, bool live) {
  const std::string counter = CounterKey{post, kind}.Encode();
  if (!live) {
    b->Delete(Cf::kCounters, counter);
    return Status::OK();
  }
  int64_t want = listed;
  PUPPIES_RETURN_IF_ERROR(
      store().Scan(Cf::kEdges, prefix, "", [&](std::string_view, std::string_view) {
        ++want;
        return true;
      }));
  uint64_t have;
  PUPPIES_RETURN_IF_ERROR(store().GetCounter(counter, &have));
  if (static_cast<uint64_t>(want) != have)
    b->AddCounter(counter, want - static_cast<int64_t>(have));
  return Status::OK();
}

Status Fixer::Commit(WriteOp& op, std::string line) {
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  jobs_.insert(jobs_.end(), op.committed_jobs().begin(), op.committed_jobs().end());
  fixed_->push_back(std::move(line));
  return Status::OK();
}

namespace {

// Adds the difference Analyze saw between the counter and a recount on its snapshot. No lock
// is needed for that: every write that moves a counter adds its own delta in the batch that
// changes what it counts, so the sum is exact in any order. A post's like, comment and reply
// counters are the exception: once the post is deleted its clean-up removes them, so they are
// removed here too rather than adjusted.
Status AdjustCounter(Fixer& fx, const Finding& f) {
  const std::string key = CounterKey{f.a, f.counter}.Encode();
  const auto delta = static_cast<int64_t>(f.value);
  WriteOp op(fx.ctx());
  Batch& b = op.batch();
  const bool of_post = f.counter == CounterKind::kLikes || f.counter == CounterKind::kComments ||
                       f.counter == CounterKind::kReplies;
  const char* what = f.counter == CounterKind::kLikes      ? "like"
                     : f.counter == CounterKind::kComments ? "comment"
                                                           : "reply";
  if (!of_post) {
    b.AddCounter(key, delta);
    return fx.Commit(op, fmt::format("I2: counter {} of {} corrected by {:+}",
                                     static_cast<int>(f.counter), f.a, delta));
  }
  op.LockPost(f.a);
  PostRecord rec;
  bool live;
  PUPPIES_RETURN_IF_ERROR(fx.LivePost(f.a, &rec, &live));
  if (live) {
    b.AddCounter(key, delta);
    return fx.Commit(op,
                     fmt::format("I2: {} count of post {} corrected by {:+}", what, f.a, delta));
  }
  bool exists;
  PUPPIES_RETURN_IF_ERROR(fx.store().Exists(Cf::kCounters, key, &exists));
  if (!exists) return Status::OK();
  b.Delete(Cf::kCounters, key);
  return fx.Commit(op, fmt::format("I2: removed the {} count of gone post {}", what, f.a));
}

// IdMint raises the in-memory mark with the stored one: without that, the next id minted
// could be one already in use.
Status RaiseIdMark(Fixer& fx, const Finding& f) {
  uint64_t mark;
  bool raised;
  PUPPIES_RETURN_IF_ERROR(fx.ctx().ids->RaiseMark(f.name, f.value, &mark, &raised));
  if (raised) fx.Done(fmt::format("I7: raised {} from {} to {}", f.name, mark, f.value));
  return Status::OK();
}

}  // namespace

const FixKind kFixCounter{"adjust counter", 30, false, AdjustCounter};
const FixKind kFixIdMark{"raise id mark", 90, true, RaiseIdMark};

}  // namespace puppies::internal
