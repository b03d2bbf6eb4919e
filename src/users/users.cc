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

// A user record as read: NotFound when absent.
Status DecodeRecord(uint64_t id, const PointRead& read, UserRecord* rec) {
  if (!read.found) return Status::NotFound(fmt::format("user {} not found", id));
  if (!DecodeUser(read.value, rec)) return Status::Corruption(fmt::format("user {} record", id));
  return Status::OK();
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
  // The record and its three counters in one read, at one snapshot so the counts agree.
  Snapshot snap = ctx_.store->GetSnapshot();
  PointRead reads[] = {{Cf::kUsers, IdKey{id}.Encode()},
                       {Cf::kCounters, CounterKey{id, CounterKind::kFollowers}.Encode()},
                       {Cf::kCounters, CounterKey{id, CounterKind::kFollowing}.Encode()},
                       {Cf::kCounters, CounterKey{id, CounterKind::kPosts}.Encode()}};
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Read(reads, &snap));
  UserRecord rec;
  PUPPIES_RETURN_IF_ERROR(DecodeRecord(id, reads[0], &rec));
  User u = ToUser(id, std::move(rec));
  PUPPIES_RETURN_IF_ERROR(Store::CounterValue(reads[1], &u.follower_count));
  PUPPIES_RETURN_IF_ERROR(Store::CounterValue(reads[2], &u.following_count));
  PUPPIES_RETURN_IF_ERROR(Store::CounterValue(reads[3], &u.post_count));
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

Status Users::Resolve(Store& store, const std::vector<std::string>& usernames,
                      std::vector<uint64_t>* ids) {
  ids->clear();
  if (usernames.empty()) return Status::OK();
  std::vector<std::string> keys;
  keys.reserve(usernames.size());
  for (const std::string& name : usernames) keys.push_back(FoldUsername(name));
  std::vector<std::string> values;
  std::vector<bool> found;
  PUPPIES_RETURN_IF_ERROR(store.MultiGet(Cf::kUsernames, keys, &values, &found));
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t id;
    if (!found[i]) continue;
    if (!DecodeBE64(values[i], &id)) {
      return Status::Corruption(fmt::format("username '{}' index", usernames[i]));
    }
    if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
  }
  return Status::OK();
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

Status Users::ExistsFollowing(uint64_t id, uint64_t* following, const Snapshot* snap) const {
  PointRead reads[] = {{Cf::kUsers, IdKey{id}.Encode()},
                       {Cf::kCounters, CounterKey{id, CounterKind::kFollowing}.Encode()}};
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Read(reads, snap));
  if (!reads[0].found) return Status::NotFound(fmt::format("user {} not found", id));
  return Store::CounterValue(reads[1], following);
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
  PointRead read{Cf::kUsers, IdKey{id}.Encode()};
  PUPPIES_RETURN_IF_ERROR(ctx_.store->Read({&read, 1}, snap));
  return DecodeRecord(id, read, rec);
}

}  // namespace puppies::internal
