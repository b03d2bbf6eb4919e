#include <fmt/format.h>

#include "core/write_op.h"
#include "engine_impl.h"
#include "util/kill_point.h"
#include "util/status_macros.h"
#include "util/validation.h"

namespace puppies {

using namespace internal;  // NOLINT

namespace {
User ToUser(uint64_t id, UserRecord&& rec) {
  User u;
  u.id = UserId{id};
  u.username = std::move(rec.username);
  u.display_name = std::move(rec.display_name);
  u.bio = std::move(rec.bio);
  u.created_at_us = rec.created_at_us;
  return u;
}
}  // namespace

Result<UserId> Engine::Impl::CreateUser(std::string_view username, const UserProfile& profile) {
  const std::string folded = FoldUsername(username);
  // Creating users is rare next to reads; one mutex makes the uniqueness check exact.
  WriteOp op(*this);
  op.LockUsernames();
  bool taken;
  PUPPIES_RETURN_IF_ERROR(store->Exists(Cf::kUsernames, folded, &taken));
  if (taken) return Status::AlreadyExists(fmt::format("username '{}' is taken", username));
  const uint64_t id = ids->NextUser();
  UserRecord rec{std::string(username), profile.display_name, profile.bio, NowMicros()};
  Batch& b = op.batch();
  b.Put(Cf::kUsers, IdKey{id}.Encode(), EncodeUser(rec));
  b.Put(Cf::kUsernames, folded, EncodeBE64(id));
  b.Merge(Cf::kMeta, meta_keys::kUserIdHwm, EncodeBE64(id));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("CreateUser:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return UserId{id};
}

Result<User> Engine::Impl::GetUser(uint64_t id) {
  Snapshot snap = store->GetSnapshot();
  UserRecord rec;
  PUPPIES_RETURN_IF_ERROR(ReadUser(id, &rec, &snap));
  User u = ToUser(id, std::move(rec));
  PUPPIES_RETURN_IF_ERROR(Counter(id, CounterKind::kFollowers, &u.follower_count, &snap));
  PUPPIES_RETURN_IF_ERROR(Counter(id, CounterKind::kFollowing, &u.following_count, &snap));
  PUPPIES_RETURN_IF_ERROR(Counter(id, CounterKind::kPosts, &u.post_count, &snap));
  return u;
}

Result<User> Engine::Impl::FindUser(std::string_view username) {
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(store->Get(Cf::kUsernames, FoldUsername(username), &raw, &found));
  if (!found) return Status::NotFound(fmt::format("username '{}' not found", username));
  uint64_t id;
  if (!DecodeBE64(raw, &id))
    return Status::Corruption(fmt::format("username '{}' index", username));
  return GetUser(id);
}

Status Engine::Impl::UpdateUser(uint64_t id, const UserUpdate& update) {
  // Profile edits of one user are serialized so two concurrent updates of different fields
  // both survive.
  WriteOp op(*this);
  op.LockAuthor(id);
  UserRecord rec;
  PUPPIES_RETURN_IF_ERROR(ReadUser(id, &rec));
  if (update.display_name) rec.display_name = *update.display_name;
  if (update.bio) rec.bio = *update.bio;
  op.batch().Put(Cf::kUsers, IdKey{id}.Encode(), EncodeUser(rec));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  return op.Finish();
}

}  // namespace puppies
