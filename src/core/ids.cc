#include "core/ids.h"

#include <fmt/format.h>

#include <algorithm>

#include "keys/format.h"
#include "keys/keys.h"
#include "records/records.h"
#include "util/kill_point.h"
#include "util/status_macros.h"

namespace puppies::internal {

Status IdMint::Load() {
  MutexLock lock(&mu_);
  for (auto [key, target] : {std::pair{meta_keys::kUserIdHwm, &last_user_},
                             std::pair{meta_keys::kPostIdHwm, &last_live_post_},
                             std::pair{meta_keys::kCommentIdHwm, &last_comment_}}) {
    std::string raw;
    bool found;
    PUPPIES_RETURN_IF_ERROR(store_->Get(Cf::kMeta, key, &raw, &found));
    if (found && !DecodeBE64(raw, target))
      return Status::Corruption("id high-water mark malformed");
  }
  std::string last;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store_->LastKey(Cf::kPosts, &last, &found));
  IdKey key;
  // A malformed key (Check reports it) leaves every millisecond to the probe.
  if (!found) {
    probe_upto_ms_ = 0;
  } else if (IdKey::Decode(last, &key)) {
    probe_upto_ms_ = key.id >> kPostSeqBits;
  } else {
    probe_upto_ms_ = UINT64_MAX;
  }
  return Status::OK();
}

uint64_t IdMint::NextUser() {
  MutexLock lock(&mu_);
  const uint64_t id = ++last_user_;
  PUPPIES_KILL_POINT("Ids:AfterMintUser");
  return id;
}

uint64_t IdMint::NextComment() {
  MutexLock lock(&mu_);
  const uint64_t id = ++last_comment_;
  PUPPIES_KILL_POINT("Ids:AfterMintComment");
  return id;
}

uint64_t IdMint::NextLivePost(int64_t now_us) {
  const uint64_t ms = std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(now_us, 0)) / 1000,
                                         kMaxPostMillis);
  MutexLock lock(&mu_);
  uint64_t id = std::max(last_live_post_ + 1, ms << kPostSeqBits);
  // Live sequences stay below kExplicitBit: on overflow, borrow the next millisecond.
  if (id & kExplicitBit) id = ((id >> kPostSeqBits) + 1) << kPostSeqBits;
  last_live_post_ = id;
  PUPPIES_KILL_POINT("Ids:AfterMintPost");
  return id;
}

Result<IdMint::Reservation> IdMint::ReserveExplicitPost(int64_t created_at_us) {
  const uint64_t ms = static_cast<uint64_t>(created_at_us) / 1000;
  // The id is the first free sequence of that millisecond, so the same history gives the same
  // ids whatever restarts happened. The hint skips the probing of sequences already used;
  // the in-flight set covers ids minted but not yet written, the existence check the rest
  // (a written id stays in the posts CF, as a tombstone once deleted). A millisecond past
  // every stored post and every hint forgotten needs no check: importing history in time
  // order, as most imports do, probes nothing (a probe that misses walks every level's
  // filter, ~8% of such a post's cost).
  for (int attempt = 0; attempt < 1'000'000; ++attempt) {
    uint64_t id;
    bool probe;
    {
      MutexLock lock(&mu_);
      if (hints_.size() > kMaxHints) {
        for (const auto& [hint_ms, next] : hints_)
          probe_upto_ms_ = std::max(probe_upto_ms_, hint_ms);
        hints_.clear();
      }
      const uint64_t seq = hints_[ms]++;
      if (seq >= kExplicitBit) break;
      id = (ms << kPostSeqBits) | kExplicitBit | seq;
      if (!in_flight_.insert(id).second) continue;
      probe = ms <= probe_upto_ms_;
    }
    Reservation reservation(this, id);
    PUPPIES_KILL_POINT("Ids:AfterMintExplicit");
    if (!probe) return reservation;
    bool found;
    PUPPIES_RETURN_IF_ERROR(store_->Exists(Cf::kPosts, IdKey{id}.Encode(), &found));
    if (!found) return reservation;
  }
  return Status::ResourceExhausted(
      fmt::format("no free post id for created_at_us {}", created_at_us));
}

IdMint::Reservation::~Reservation() {
  if (!mint_) return;
  MutexLock lock(&mint_->mu_);
  mint_->in_flight_.erase(id_);
}

Status IdMint::RaiseMark(std::string_view name, uint64_t id, uint64_t* old_mark, bool* raised) {
  MutexLock lock(&mu_);
  *raised = false;
  *old_mark = 0;
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store_->Get(Cf::kMeta, name, &raw, &found));
  if (found && !DecodeBE64(raw, old_mark))
    return Status::Corruption(fmt::format("{} is malformed", name));
  if (*old_mark >= id) return Status::OK();
  Batch b = store_->NewBatch();
  b.Merge(Cf::kMeta, name, EncodeBE64(id));
  PUPPIES_RETURN_IF_ERROR(store_->Write(&b));
  uint64_t& last = name == meta_keys::kUserIdHwm      ? last_user_
                   : name == meta_keys::kCommentIdHwm ? last_comment_
                                                      : last_live_post_;
  last = std::max(last, id);
  *raised = true;
  return Status::OK();
}

}  // namespace puppies::internal
