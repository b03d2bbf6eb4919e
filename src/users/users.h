#pragma once
// Users: the user records (users column family), the username index (usernames) and user id
// minting's high-water mark. Owns CreateUser, GetUser, FindUser, UpdateUser, the existence
// checks every other component makes, and invariants I7 (user ids) and I8 (users/check.cc).

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/component.h"
#include "core/context.h"
#include "records/records.h"

namespace puppies::internal {

class Users final : public Component {
 public:
  explicit Users(Context& ctx) : ctx_(ctx) {}
  std::string_view name() const override { return "users"; }
  const InvariantGroup* invariants() const override;

  // ---- Engine calls (arguments validated by engine.cc) ----
  Result<UserId> Create(std::string_view username, const UserProfile& profile);
  Result<User> Get(uint64_t id);
  Result<User> Find(std::string_view username);
  // The ids of the users named, in order, each once; names of no user are left out.
  static Status Resolve(Store& store, const std::vector<std::string>& usernames,
                        std::vector<uint64_t>* ids);
  Status Update(uint64_t id, const UserUpdate& update);

  // ---- reads for other components ----
  // OK, or NotFound naming the user.
  Status Exists(uint64_t id, const Snapshot* snap = nullptr) const;
  // Exists, and how many accounts the user follows, in one read.
  Status ExistsFollowing(uint64_t id, uint64_t* following, const Snapshot* snap) const;
  // Exists for many ids at once (MultiGet); NotFound names the first missing id.
  Status AllExist(const std::vector<uint64_t>& ids) const;
  Status Read(uint64_t id, UserRecord* rec, const Snapshot* snap = nullptr) const;

 private:
  Context& ctx_;
};

}  // namespace puppies::internal
