#include "users/users.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/write_op.h"
#include "keys/coding.h"
#include "util/kill_point.h"
#include "util/status_macros.h"
#include "util/validation.h"

namespace puppies::internal {

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

Result<UserId> Users::Create(std::string_view username, const UserProfile& profile) {
  const std::string folded = FoldUsername(username);
  // Creating users is rare next to reads; one mutex makes the uniqueness check exact.
  WriteOp op(ctx_);
  op.LockUsernames();
  bool taken;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Exists(Cf::kUsernames, folded, &taken));
  if (taken) return Status::AlreadyExists(fmt::format("username '{}' is taken", username));
  const uint64_t id = ctx_.ids->NextUser();
  UserRecord rec{std::string(username), profile.display_name, profile.bio, ctx_.NowMicros()};
  Batch& b = op.batch();
  b.Put(Cf::kUsers, IdKey{id}.Encode(), EncodeUser(rec));
  b.Put(Cf::kUsernames, folded, EncodeBE64(id));
  b.Merge(Cf::kMeta, meta_keys::kUserIdHwm, EncodeBE64(id));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  PUPPIES_KILL_POINT("CreateUser:AfterCommit");
  PUPPIES_RETURN_IF_ERROR(op.Finish());
  return UserId{id};
}

Result<User> Users::Get(uint64_t id) {
  Snapshot snap = ctx_.store->GetSnapshot();
  UserRecord rec;
  PUPPIES_RETURN_IF_ERROR(Read(id, &rec, &snap));
  User u = ToUser(id, std::move(rec));
  PUPPIES_RETURN_IF_ERROR(ctx_.Counter(id, CounterKind::kFollowers, &u.follower_count, &snap));
  PUPPIES_RETURN_IF_ERROR(ctx_.Counter(id, CounterKind::kFollowing, &u.following_count, &snap));
  PUPPIES_RETURN_IF_ERROR(ctx_.Counter(id, CounterKind::kPosts, &u.post_count, &snap));
  return u;
}

Result<User> Users::Find(std::string_view username) {
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Get(Cf::kUsernames, FoldUsername(username), &raw, &found));
  if (!found) return Status::NotFound(fmt::format("username '{}' not found", username));
  uint64_t id;
  if (!DecodeBE64(raw, &id))
    return Status::Corruption(fmt::format("username '{}' index", username));
  return Get(id);
}

Status Users::Update(uint64_t id, const UserUpdate& update) {
  // Profile edits of one user are serialized so two concurrent updates of different fields
  // both survive.
  WriteOp op(ctx_);
  op.LockAuthor(id);
  UserRecord rec;
  PUPPIES_RETURN_IF_ERROR(Read(id, &rec));
  if (update.display_name) rec.display_name = *update.display_name;
  if (update.bio) rec.bio = *update.bio;
  op.batch().Put(Cf::kUsers, IdKey{id}.Encode(), EncodeUser(rec));
  PUPPIES_RETURN_IF_ERROR(op.Commit());
  return op.Finish();
}

Status Users::Exists(uint64_t id, const Snapshot* snap) const {
  bool found;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Exists(Cf::kUsers, IdKey{id}.Encode(), &found, snap));
  return found ? Status::OK() : Status::NotFound(fmt::format("user {} not found", id));
}

Status Users::AllExist(const std::vector<uint64_t>& ids) const {
  constexpr size_t kBatch = 4096;
  std::vector<std::string> keys, values;
  std::vector<bool> found;
  for (size_t begin = 0; begin < ids.size(); begin += kBatch) {
    const size_t end = std::min(ids.size(), begin + kBatch);
    keys.clear();
    for (size_t i = begin; i < end; ++i) keys.push_back(IdKey{ids[i]}.Encode());
    PUPPIES_RETURN_IF_ERROR(ctx_.store->MultiGet(Cf::kUsers, keys, &values, &found));
    for (size_t i = begin; i < end; ++i) {
      if (!found[i - begin]) return Status::NotFound(fmt::format("user {} not found", ids[i]));
    }
  }
  return Status::OK();
}

Status Users::Read(uint64_t id, UserRecord* rec, const Snapshot* snap) const {
  std::string raw;
  bool found;
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Get(Cf::kUsers, IdKey{id}.Encode(), &raw, &found, snap));
  if (!found) return Status::NotFound(fmt::format("user {} not found", id));
  if (!DecodeUser(raw, rec)) return Status::Corruption(fmt::format("user {} record", id));
  return Status::OK();
}

}  // namespace puppies::internal
