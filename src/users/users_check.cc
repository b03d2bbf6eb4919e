// Users' invariants: I7 for user ids and I8 (usernames <-> users is a bijection), in the shared
// scans of the two column families.

#include <fmt/format.h>

#include "core/write_op.h"
#include "fsck/fixer.h"
#include "fsck/view.h"
#include "keys/coding.h"
#include "users/users.h"
#include "util/validation.h"

namespace puppies::internal {

static void CheckUsers(View& v, Scans& scans) {
  scans.On(
      Cf::kUsers,
      [&v](std::string_view k, std::string_view value) {
        Report& r = v.report();
        IdKey key;
        UserRecord rec;
        if (!IdKey::Decode(k, &key) || !DecodeUser(value, &rec))
          return std::string("users: undecodable record");
        const uint64_t id = key.id;
        if (id > v.user_hwm()) {
          r.Add({.text = fmt::format("I7: user id {} above high-water mark {}", id, v.user_hwm()),
                 .fix = &kFixIdMark,
                 .value = id,
                 .name = std::string(meta_keys::kUserIdHwm)});
        }
        std::string folded = FoldUsername(rec.username);
        if (v.UsernameOwner(folded) != id) {
          r.Add(
              {.text = fmt::format("I8: user {} ('{}') not indexed by username", id, rec.username),
               .fix = &kFixUsername,
               .a = id,
               .name = std::move(folded)});
        }
        return std::string();
      },
      /*owner=*/true);
  scans.On(
      Cf::kUsernames,
      [&v](std::string_view k, std::string_view value) {
        Report& r = v.report();
        uint64_t id;
        if (!DecodeBE64(value, &id)) return fmt::format("usernames: undecodable entry for '{}'", k);
        const std::optional<UserRecord> user = v.User(id);
        if (!user || FoldUsername(user->username) != k) {
          r.Add(
              {.text = fmt::format("I8: username '{}' points to user {} with another name", k, id),
               .fix = &kFixUsername,
               .name = std::string(k)});
        }
        return std::string();
      },
      /*owner=*/true);
}

// ---- fixes (Repair) ---------------------------------------------------------------------------

namespace {

// Usernames change only under the usernames lock (CreateUser).
Status MendUsername(Fixer& fx, const Finding& f) {
  const std::string& name = f.name;
  const uint64_t user = f.a;
  WriteOp op(fx.ctx());
  op.LockUsernames();
  auto owns = [&](uint64_t id, bool* yes) {
    UserRecord rec;
    Status s = fx.users().Read(id, &rec);
    *yes = s.ok() && FoldUsername(rec.username) == name;
    return s.IsNotFound() ? Status::OK() : s;
  };
  std::string raw;
  bool found, ok;
  uint64_t indexed = 0;
  PUPPIES_RETURN_IF_ERROR(fx.store().Get(Cf::kUsernames, name, &raw, &found));
  if (found && !DecodeBE64(raw, &indexed)) return Status::Corruption("username index entry");
  Batch& b = op.batch();
  if (user != 0) {
    PUPPIES_RETURN_IF_ERROR(owns(user, &ok));
    if (!ok || indexed == user) return Status::OK();
    if (found) {
      // Two users with one name: which keeps it is not ours to decide.
      PUPPIES_RETURN_IF_ERROR(owns(indexed, &ok));
      if (ok) return Status::OK();
    }
    b.Put(Cf::kUsernames, name, EncodeBE64(user));
    return fx.Commit(op, fmt::format("I8: indexed user {} under username '{}'", user, name));
  }
  if (!found) return Status::OK();
  PUPPIES_RETURN_IF_ERROR(owns(indexed, &ok));
  if (ok) return Status::OK();
  b.Delete(Cf::kUsernames, name);
  return fx.Commit(op,
                   fmt::format("I8: removed username '{}', which named user {}", name, indexed));
}

}  // namespace

const FixKind kFixUsername{"mend username", 100, false, MendUsername};

const InvariantGroup* Users::invariants() const {
  static const InvariantGroup group{"users", "I7 (users), I8", {}, CheckUsers};
  return &group;
}

}  // namespace puppies::internal
