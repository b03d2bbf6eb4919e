#include "core/write_op.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

WriteOp::WriteOp(Context& ctx) : ctx_(ctx), batch_(ctx.store->NewBatch()) {}

WriteOp::~WriteOp() {
  // Jobs counted as pending by Enqueue whose batch was never written would block WaitIdle.
  for (const auto& [seq, job] : queued_) ctx_.jobs->Cancel(seq, job);
}

void WriteOp::Take(LockRank rank, size_t index, std::mutex& mu) {
  if (rank == rank_ && index == index_ && !locks_.empty()) return;  // a shared stripe: held
  assert((rank > rank_ || (rank == rank_ && index > index_)) && "lock order (core/locks.h)");
  locks_.emplace_back(mu);
  rank_ = rank;
  index_ = index;
}

void WriteOp::LockUsernames() { Take(LockRank::kUsernames, 0, ctx_.locks.usernames); }

void WriteOp::LockPair(uint64_t a, uint64_t b) {
  const size_t i = LockSet::PairIndex(a, b);
  Take(LockRank::kPair, i, ctx_.locks.pair.At(i));
}

void WriteOp::LockAuthor(uint64_t author) {
  const size_t i = LockSet::AuthorIndex(author);
  Take(LockRank::kAuthor, i, ctx_.locks.author.At(i));
}

void WriteOp::LockPost(uint64_t post) {
  const size_t i = LockSet::PostIndex(post);
  Take(LockRank::kPost, i, ctx_.locks.post.At(i));
}

void WriteOp::LockPosts(uint64_t a, uint64_t b) {
  const size_t i = LockSet::PostIndex(a), j = LockSet::PostIndex(b);
  Take(LockRank::kPost, std::min(i, j), ctx_.locks.post.At(std::min(i, j)));
  Take(LockRank::kPost, std::max(i, j), ctx_.locks.post.At(std::max(i, j)));
}

void WriteOp::LockPairStripes(const std::set<size_t>& indexes) {
  for (size_t i : indexes) Take(LockRank::kPair, i, ctx_.locks.pair.At(i));
}

void WriteOp::LockAuthorStripes(const std::set<size_t>& indexes) {
  for (size_t i : indexes) Take(LockRank::kAuthor, i, ctx_.locks.author.At(i));
}

uint64_t WriteOp::Enqueue(const JobRecord& job) {
  const uint64_t seq = ctx_.jobs->Enqueue(&batch_, job);
  queued_.emplace_back(seq, job);
  return seq;
}

Status WriteOp::AfterWrite(const Status& written) {
  if (written.ok() && !queued_.empty()) PUPPIES_KILL_POINT("WriteOp:AfterWrite");
  for (const auto& [seq, job] : queued_) {
    if (written.ok()) {
      ctx_.jobs->Dispatch(seq, job);
    } else {
      ctx_.jobs->Cancel(seq, job);
    }
  }
  if (written.ok()) committed_.insert(committed_.end(), queued_.begin(), queued_.end());
  queued_.clear();
  batch_.Clear();
  return written;
}

Status WriteOp::Commit() { return AfterWrite(ctx_.store->Write(&batch_)); }

void WriteOp::Unlock() {
  // Released in reverse order of taking.
  while (!locks_.empty()) locks_.pop_back();
  rank_ = LockRank::kNone;
  index_ = 0;
}

Status WriteOp::Finish() {
  Unlock();
  if (!ctx_.options.synchronous_fanout) return Status::OK();
  for (const auto& [seq, job] : committed_) PUPPIES_RETURN_IF_ERROR(ctx_.jobs->WaitFor(seq));
  return Status::OK();
}

}  // namespace puppies::internal
