#pragma once
// Id minting: user ids, comment ids, live post ids and explicit-time post ids (SPEC §1 ids).
//
// User and comment ids count up from their stored high-water marks. Post ids hold milliseconds in
// the high 42 bits and a sequence in the low 22 (keys/format.h): live posts take the next id at or
// after now's millisecond, explicit-time posts the first free sequence above kExplicitBit in their
// millisecond. The high-water marks are max-merged in every creating batch, so ids minted
// after a restart are larger than any minted before it, even if the clock went backwards.
//
// One lock guards all of it; it is a leaf (core/locks.h): nothing else is taken under it.

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "puppies/status.h"
#include "store/store.h"
#include "util/mutex.h"

namespace puppies::internal {

class IdMint {
 public:
  explicit IdMint(Store* store) : store_(store) {}

  // Reads the stored high-water marks. Call once, at Open.
  Status Load();

  uint64_t NextUser();
  uint64_t NextComment();
  uint64_t NextLivePost(int64_t now_us);

  // An explicit-time post id, reserved until the reservation is destroyed: destroy it only
  // after the post's batch is written (or abandoned), so that no other caller can be handed
  // the same id in between.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept : mint_(std::exchange(o.mint_, nullptr)), id_(o.id_) {}
    Reservation& operator=(Reservation&& o) noexcept {
      std::swap(mint_, o.mint_);
      std::swap(id_, o.id_);
      return *this;
    }
    ~Reservation();
    uint64_t id() const { return id_; }

   private:
    friend class IdMint;
    Reservation(IdMint* mint, uint64_t id) : mint_(mint), id_(id) {}
    IdMint* mint_ = nullptr;
    uint64_t id_ = 0;
  };
  Result<Reservation> ReserveExplicitPost(int64_t created_at_us);

  // Repair (I7): raises the stored mark `name` (meta_keys::kUserIdHwm, kPostIdHwm or
  // kCommentIdHwm) to `id`
  // and the in-memory one with it, so the next id minted cannot be one already in use.
  // *raised is false when the stored mark was already at least `id`; *old_mark is its value.
  Status RaiseMark(std::string_view name, uint64_t id, uint64_t* old_mark, bool* raised);

 private:
  Store* const store_;
  Mutex mu_;
  uint64_t last_user_ GUARDED_BY(mu_) = 0;
  uint64_t last_live_post_ GUARDED_BY(mu_) = 0;
  uint64_t last_comment_ GUARDED_BY(mu_) = 0;
  // Next sequence to try per millisecond for explicit-time posts: a hint, cleared when it
  // grows past kMaxHints (memory stays bounded; probing then starts over at 0).
  std::unordered_map<uint64_t, uint64_t> hints_ GUARDED_BY(mu_);
  // Explicit-time ids of a millisecond above this one need no existence probe: no stored post
  // has one (Load sets it to the largest stored post id's millisecond), and the hints know
  // every one minted since, until they are cleared, which raises it past the hints' own.
  uint64_t probe_upto_ms_ GUARDED_BY(mu_) = 0;
  // Explicit-time ids handed out whose batch is not written yet. The existence probe cannot
  // see them, so after the hints are cleared this set alone keeps a second caller off them.
  std::unordered_set<uint64_t> in_flight_ GUARDED_BY(mu_);
  static constexpr size_t kMaxHints = 100'000;
};

}  // namespace puppies::internal
